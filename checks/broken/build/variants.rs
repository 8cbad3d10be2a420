//! Les variantes cassées, chacune définie par son chapitre et les seuls
//! changements qui font son erreur. `build.rs` les produit depuis les
//! fichiers du chapitre tels qu'ils sont (voir `derive.rs`) ; le binaire
//! `src/bin/<nom>.rs` de chaque variante dit l'erreur et inclut le résultat.
//!
//! Un changement : le fichier (relatif au dossier du chapitre), le texte du
//! chapitre (`from`), et ce que la variante en fait (`to`). Le texte est
//! cherché sans tenir compte des espaces, des retours à la ligne ni des
//! lignes de commentaire ; il doit être unique dans le fichier. Quand le
//! chapitre change ce texte-là, la variante ne compile plus et l'erreur le
//! dit : reportez ici le texte nouveau.

use crate::derive::{Change, Variant};

pub const VARIANTS: &[Variant] = &[
    // Il lie lui-même son port, et annonce son adresse à sa façon : la
    // ligne « Adresse du serveur : … » n'est jamais écrite.
    Variant {
        name: "ch01-own-listener",
        chapter: "ch01-static",
        changes: &[Change {
            file: "src/main.rs",
            from: "support::listen(app).await",
            to: r#"match tokio::net::TcpListener::bind("127.0.0.1:0").await {
        Ok(listener) => {
            if let Ok(addr) = listener.local_addr() {
                println!("Listening on {addr}");
            }
            axum::serve(listener, app).await.ok();
            std::process::ExitCode::SUCCESS
        }
        Err(_) => std::process::ExitCode::FAILURE,
    }"#,
        }],
    },
    // `Data<String>` au lieu de `Text` : une donnée qui n'est pas un texte
    // disparaît sans un mot.
    Variant {
        name: "ch03-silent-data",
        chapter: "ch03-emit",
        changes: &[
            Change {
                file: "src/main.rs",
                from: "use support::{SocketRef, Text, in_order};",
                to: "use socketioxide::extract::Data;\nuse support::{SocketRef, in_order};",
            },
            Change {
                file: "src/main.rs",
                from: "in_order(async |Text(msg): Text| {",
                to: "in_order(async |Data(msg): Data<String>| {",
            },
        ],
    },
    // Le serveur écoute `new-message`, la page émet `new message`.
    Variant {
        name: "ch03-wrong-event",
        chapter: "ch03-emit",
        changes: &[Change {
            file: "src/main.rs",
            from: r#"socket.on("new message","#,
            to: r#"socket.on("new-message","#,
        }],
    },
    // `io.emit(msg)`, comme l'écrit le diaporama : le message devient le nom
    // de l'évènement.
    Variant {
        name: "ch04-slide-io-emit-msg",
        chapter: "ch04-io-emit",
        changes: &[Change {
            file: "src/main.rs",
            from: r#"io.emit("new message", &msg)"#,
            to: "io.emit(msg.as_str(), &())",
        }],
    },
    // Le gestionnaire des messages sans `in_order`.
    Variant {
        name: "ch05-spawned-handler",
        chapter: "ch05-broadcast",
        changes: &[
            Change {
                file: "src/main.rs",
                from: "in_order(async |socket: SocketRef, Text(msg): Text| {",
                to: "async |socket: SocketRef, Text(msg): Text| {",
            },
            Change {
                file: "src/main.rs",
                from: r#"socket.broadcast().emit("new message", &msg).await.ok(); }),"#,
                to: r#"socket.broadcast().emit("new message", &msg).await.ok(); },"#,
            },
        ],
    },
    // `io.emit` au lieu de `socket.broadcast().emit` : l'émetteur reçoit son
    // propre message.
    // Une attente avant `socket.on` (une base de données, par exemple) : un
    // message émis dès la connexion arrive pendant qu'elle dure, quand
    // personne ne l'écoute encore.
    Variant {
        name: "ch05-listen-after-await",
        chapter: "ch05-broadcast",
        changes: &[Change {
            file: "src/main.rs",
            from: "in_order(async |socket: SocketRef| {",
            to: "in_order(async |socket: SocketRef| {
            tokio::time::sleep(std::time::Duration::from_millis(300)).await;",
        }],
    },
    Variant {
        name: "ch05-uses-io-emit",
        chapter: "ch05-broadcast",
        changes: &[
            Change {
                file: "src/main.rs",
                from: "in_order(async |socket: SocketRef, Text(msg): Text| {",
                to: "in_order(async |io: support::SocketIo, Text(msg): Text| {",
            },
            Change {
                file: "src/main.rs",
                from: r#"socket.broadcast().emit("new message", &msg)"#,
                to: r#"io.emit("new message", &msg)"#,
            },
        ],
    },
    // Sans le gestionnaire de départ : le compteur ne redescend jamais.
    Variant {
        name: "ch06-no-disconnect",
        chapter: "ch06-clients",
        changes: &[Change {
            file: "src/main.rs",
            from: r##"socket.on_disconnect(in_order(async |State(clients): State<Clients>| {
                let count = clients.fetch_sub(1, Ordering::SeqCst) - 1;
                println!("#clients connectés après déconnexion : {count}");
            }));"##,
            to: "",
        }],
    },
    // Le client n'entre pas dans `room1` à sa connexion.
    Variant {
        name: "ch07-no-room1",
        chapter: "ch07-rooms",
        changes: &[Change {
            file: "src/main.rs",
            from: r#"socket.join("room1");"#,
            to: "",
        }],
    },
    // `Text` au lieu de `Checked<Text>` : une donnée invalide saute le
    // gestionnaire, et l'accusé avec lui.
    Variant {
        name: "ch08-no-ack-on-bad-input",
        chapter: "ch08-acks",
        changes: &[
            Change {
                file: "src/main.rs",
                from: "use support::{AckSender, Checked, SocketRef, Text, in_order};",
                to: "use support::{AckSender, SocketRef, Text, in_order};",
            },
            Change {
                file: "src/main.rs",
                from: "Checked(msg): Checked<Text>,",
                to: "Text(msg): Text,",
            },
            Change {
                file: "src/main.rs",
                from: r#"let msg = match msg {
                    Ok(Text(msg)) => msg,
                    Err(refused) => {
                        ack.send(&json!({ "error": refused.to_string() })).ok();
                        return;
                    }
                };"#,
                to: "",
            },
        ],
    },
    // Le registre range les pseudos tels quels, sans les mettre en
    // minuscules : « ALICE » entre alors que « Alice » est là.
    Variant {
        name: "ch09-case-sensitive-nickname",
        chapter: "ch09-pseudos",
        changes: &[Change {
            file: "src/registry.rs",
            from: "let key = nickname_key(pseudo);",
            to: "let key = pseudo.trim().to_owned();",
        }],
    },
    // Le message privé part à tous (`broadcast()`), pas au salon du
    // destinataire.
    Variant {
        name: "ch10-private-to-all",
        chapter: "ch10-prive",
        changes: &[Change {
            file: "src/private.rs",
            from: ".to(room_of(&recipient))",
            to: ".broadcast()",
        }],
    },
    // Pas d'index unique sur `client_offset`, et l'insertion ne vérifie
    // rien : un message renvoyé est enregistré une deuxième fois.
    Variant {
        name: "ch11-no-unique-index",
        chapter: "ch11-historique",
        changes: &[
            Change {
                file: "src/store.rs",
                from: "client_offset TEXT UNIQUE,",
                to: "client_offset TEXT,",
            },
            Change {
                file: "src/store.rs",
                from: "ON CONFLICT (client_offset) DO NOTHING",
                to: "",
            },
        ],
    },
    // L'adaptateur Redis est bien là, mais les pseudos restent dans le
    // registre en mémoire du chapitre 9 : chaque processus ne voit que les
    // siens.
    Variant {
        name: "ch12-local-nicknames",
        chapter: "ch12-cluster",
        changes: &[
            Change {
                file: "src/main.rs",
                from: "mod cluster;",
                to: "#[allow(dead_code)] // Son registre des pseudos ne sert plus.\nmod cluster;",
            },
            Change {
                file: "src/main.rs",
                from: "mod presence;",
                to: "mod presence;\n#[path = \"../../ch09-pseudos/src/registry.rs\"]\nmod registry;",
            },
            Change {
                file: "src/main.rs",
                from: "use cluster::{ClusterIo, ClusterNicknames, ClusterSocket};",
                to: "use cluster::{ClusterIo, ClusterSocket};",
            },
            Change {
                file: "src/main.rs",
                from: "nicknames: Arc<ClusterNicknames>,",
                to: "nicknames: Arc<registry::Nicknames>,",
            },
            Change {
                file: "src/main.rs",
                from: "let new_chat = |nicknames| Chat { nicknames,",
                to: "let new_chat = |_| Chat { nicknames: Arc::default(),",
            },
            Change {
                file: "src/presence.rs",
                from: "use crate::cluster::{self, ClusterIo, ClusterSocket, Refusal};",
                to: "use crate::cluster::{ClusterIo, ClusterSocket, Refusal};",
            },
            Change {
                file: "src/presence.rs",
                from: "chat.nicknames.claim(&pseudo, socket.id).await,",
                to: "chat.nicknames.claim(&pseudo, socket.id, |_| true).map_err(Refusal::from),",
            },
            Change {
                file: "src/presence.rs",
                from: "async fn online(io: &ClusterIo, chat: &Chat) -> Vec<String> {
                    chat.nicknames.online(&cluster::live_clients(io).await).await
                }",
                to: "async fn online(_io: &ClusterIo, chat: &Chat) -> Vec<String> {
    chat.nicknames.online()
}",
            },
            Change {
                file: "src/presence.rs",
                from: "chat.nicknames.release(socket.id).await",
                to: "chat.nicknames.release(socket.id)",
            },
            Change {
                file: "src/presence.rs",
                from: "let mut live = cluster::other_clients(&socket).await;
                    if support::is_stopping() {
                        for sid in chat.nicknames.local_clients() {
                            live.remove(&sid);
                        }
                    }
                    let online = chat.nicknames.online(&live).await;",
                to: "let online = chat.nicknames.online();",
            },
        ],
    },
    // L'adaptateur de socketioxide-redis tel quel, comme sa documentation
    // le montre, au lieu de celui du cours : un client trop lent manque en
    // silence des messages venus d'un autre processus.
    Variant {
        name: "ch12-stock-adapter",
        chapter: "ch12-cluster",
        changes: &[
            Change {
                file: "src/main.rs",
                from: "mod cluster;",
                to: "#[allow(dead_code, unused_imports)] // L'adaptateur du cours ne sert plus.\nmod cluster;",
            },
            Change {
                file: "src/cluster/mod.rs",
                from: "pub type ClusterAdapter = ReliableRedisAdapter;",
                to: "pub type ClusterAdapter =\n    socketioxide_redis::CustomRedisAdapter<socketioxide::adapter::Emitter, RedisBus>;",
            },
            Change {
                file: "src/cluster/connect.rs",
                from: "let adapter = ClusterState {
                    ctr: RedisAdapterCtr::new_with_driver(bus.clone(), config),
                    bus: bus.clone(),
                };",
                to: "let adapter = RedisAdapterCtr::new_with_driver(bus.clone(), config);",
            },
        ],
    },
    // La poignée de main ne vérifie plus `Origin` : une page d'un autre site
    // ouvre une connexion au nom de l'utilisateur.
    Variant {
        name: "ch13-any-origin",
        chapter: "ch13-comptes",
        changes: &[
            Change {
                file: "src/session.rs",
                from: "pub fn foreign_origin(",
                to: "#[allow(dead_code)] // Plus personne ne l'appelle.\npub fn foreign_origin(",
            },
            Change {
                file: "src/session.rs",
                from: r#"if let Some(origin) = foreign_origin(headers) {
                    println!("Connexion refusée\u{a0}: une page de «\u{a0}{origin}\u{a0}» n'est pas la nôtre");
                    return Err("Connexion refusée\u{a0}: cette page ne vient pas du chat.".to_owned());
                }"#,
                to: "",
            },
        ],
    },
    // La limite de débit compte par onglet (`socket.id`), pas par compte :
    // deux onglets écrivent deux fois plus.
    Variant {
        name: "ch14-flood-per-tab",
        chapter: "ch14-moderation",
        changes: &[
            Change {
                file: "src/messages.rs",
                from: "allow(&account.key, &msg)",
                to: "allow(&socket.id.to_string(), &msg)",
            },
            Change {
                file: "src/messages.rs",
                from: "allow(&account.key, text)",
                to: "allow(&socket.id.to_string(), text)",
            },
        ],
    },
];
