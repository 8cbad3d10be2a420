//! Chapitre 9 (et les suivants) : les pseudos, vérifiés avant la connexion,
//! et la présence (qui arrive, qui part, qui est en ligne).

use crate::client::{show_event, show_lines};
use std::time::Duration;

use futures_util::future::join_all;
use serde_json::{Value, json};

use crate::client::{Client, Transport, show};
use crate::proxy::Proxy;
use crate::scenarios::no_control_in_output;
use crate::server::describe_status;
use crate::{Ctx, Failure, Server, WAIT};

/// Un client au pseudo choisi.
pub(super) async fn join(
    server: &Server,
    pseudo: &str,
    transport: Transport,
) -> Result<Client, Failure> {
    if super::accounts::has_accounts(server) {
        return super::accounts::join_account(&server.url(), pseudo, transport).await;
    }
    Client::connect_auth(
        &server.url(),
        transport,
        pseudo,
        json!({ "pseudo": pseudo }),
    )
    .await
}

/// Attend la liste `online` attendue (les précédentes, plus anciennes, sont
/// sautées).
pub(crate) async fn expect_online(
    client: &mut Client,
    expected: &[&str],
    why: &str,
) -> Result<(), Failure> {
    let wanted: Vec<Value> = vec![json!(expected)];
    let mut last = None;
    while let Some(args) = client.next_event("online", WAIT).await {
        if args == wanted {
            return Ok(());
        }
        last = Some(args);
    }
    Err(Failure::new(
        format!(
            "{} reçoit « online » {} ({why})",
            client.name,
            show(&wanted)
        ),
        match last {
            Some(args) => format!("dernière liste reçue : {}", show(&args)),
            None => "aucune liste reçue".to_owned(),
        },
    ))
}

/// Les refus : pas de pseudo, pas un texte, vide, trop long, avec un
/// caractère de contrôle ou invisible, déjà pris (même en majuscules, même
/// entouré d'espaces, même écrit avec d'autres caractères qui se lisent
/// pareil : lettres pleine chasse, accent à part). Chacun donne une phrase en français au client et une
/// ligne dans le terminal, sans le caractère refusé.
pub(super) async fn nickname_refusals(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx.start().await?;
    let _alice = join(&server, "Alice", Transport::WebSocket).await?;
    let _eve = join(&server, "Ève", Transport::WebSocket).await?;
    let cases = [
        (json!({}), "pas de pseudo", "pseudo"),
        (json!({ "pseudo": 42 }), "un nombre", "texte"),
        (json!({ "pseudo": "   " }), "que des espaces", "vide"),
        (json!({ "pseudo": "é".repeat(33) }), "33 caractères", "32"),
        (
            json!({ "pseudo": "Alice\u{7}\u{1b}[31mROUGE" }),
            "une sonnerie et une séquence ANSI, caractères de contrôle",
            "contrôle",
        ),
        (
            json!({ "pseudo": "\u{200b}" }),
            "un espace sans largeur U+200B seul",
            "invisible",
        ),
        (
            json!({ "pseudo": "Ève\u{200b}" }),
            "« Ève » suivi d'un espace sans largeur",
            "invisible",
        ),
        (
            json!({ "pseudo": "Alice" }),
            "le pseudo d'Alice",
            "déjà pris",
        ),
        (
            json!({ "pseudo": "ALICE" }),
            "le pseudo d'Alice en majuscules",
            "déjà pris",
        ),
        (
            json!({ "pseudo": "  alice " }),
            "le pseudo d'Alice entouré d'espaces",
            "déjà pris",
        ),
        (
            json!({ "pseudo": "Ａｌｉｃｅ" }),
            "le pseudo d'Alice en lettres pleine chasse (U+FF21…)",
            "déjà pris",
        ),
        (
            json!({ "pseudo": "E\u{300}ve" }),
            "le pseudo d'Ève, son accent écrit à part (E suivi de U+0300)",
            "déjà pris",
        ),
    ];
    for (i, (auth, what, keyword)) in cases.into_iter().enumerate() {
        let transport = Transport::nth(i);
        let message = Client::connect_refused(&server.url(), transport, auth)
            .await
            .map_err(|mut f| {
                f.expected = format!("{} ({what}, {})", f.expected, transport.label());
                if what.contains("majuscules") {
                    f.seen = format!(
                        "{} : les pseudos sont comparés en tenant compte des majuscules, « ALICE » passe alors que « Alice » est là",
                        f.seen
                    );
                }
                f
            })?;
        if !message.contains(keyword) || message.contains("invalid") || message.contains("expected")
        {
            return Err(Failure::new(
                format!(
                    "le refus ({what}) est une phrase en français qui dit pourquoi (« {keyword} »)"
                ),
                format!("« {message} »"),
            ));
        }
        server
            .log()
            .wait_for(
                &format!("une ligne « Connexion refusée : … » ({what})"),
                i + 1,
                |l| l.starts_with("Connexion refusée"),
                WAIT,
            )
            .await?;
    }
    // Le terminal n'a reçu aucun des caractères refusés : la raison les
    // nomme (U+001B), elle ne les écrit pas.
    no_control_in_output(&server)?;
    // Sans aucun `auth` (un `io()` sans options) : refusé aussi.
    let message = Client::connect_refused(&server.url(), Transport::WebSocket, Value::Null).await?;
    if message.trim().is_empty() {
        return Err(Failure::new(
            "le refus sans auth dit pourquoi",
            "un message vide",
        ));
    }
    // 32 caractères (et non 32 octets) passent.
    let longest = "é".repeat(32);
    join(&server, &longest, Transport::Polling)
        .await
        .map(|_| ())
}

/// À l'arrivée : la ligne du terminal, `user joined` aux autres (pas à
/// lui), puis `online` à tous, trié sans tenir compte des majuscules.
pub(super) async fn presence_join(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx.start().await?;
    let mut bob = join(&server, "bob", Transport::WebSocket).await?;
    expect_online(&mut bob, &["bob"], "seul en ligne").await?;
    bob.clear_events();
    let mut alice = join(&server, " Alice ", Transport::Polling).await?;
    let lines = server
        .expect_prefix("Alice vient de se connecter (", 1)
        .await?;
    if !lines
        .iter()
        .any(|l| l.ends_with(')') && l.len() > "Alice vient de se connecter ()".len())
    {
        return Err(Failure::new(
            "« Alice vient de se connecter (<id>) »",
            show_lines(&lines),
        ));
    }
    match bob.next_any_event(WAIT).await {
        Some((name, args)) if name == "user joined" && args == [json!("Alice")] => {}
        other => {
            return Err(Failure::new(
                "bob reçoit d'abord « user joined » [\"Alice\"] (le pseudo sans ses espaces)",
                match other {
                    Some((name, args)) => format!("«\u{a0}{name}\u{a0}» {}", show(&args)),
                    None => show_event(None),
                },
            ));
        }
    }
    expect_online(&mut bob, &["Alice", "bob"], "juste après « user joined »").await?;
    expect_online(
        &mut alice,
        &["Alice", "bob"],
        "le nouveau venu reçoit aussi la liste",
    )
    .await?;
    alice
        .expect_no_event(
            "user joined",
            Duration::from_millis(400),
            "le nouveau venu ne reçoit pas sa propre arrivée",
        )
        .await?;
    let _chloe = join(&server, "chloé", Transport::WebSocket).await?;
    expect_online(
        &mut bob,
        &["Alice", "bob", "chloé"],
        "triée sans tenir compte des majuscules",
    )
    .await
}

/// Au départ : la ligne du terminal, `user left` puis `online` aux autres,
/// et le pseudo libre aussitôt.
pub(super) async fn presence_leave(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx.start().await?;
    let mut alice = join(&server, "Alice", Transport::WebSocket).await?;
    let bob = join(&server, "Bob", Transport::Polling).await?;
    expect_online(&mut alice, &["Alice", "Bob"], "deux en ligne").await?;
    alice.clear_events();
    bob.disconnect().await;
    server.expect_line("Bob s'est déconnecté", 1).await?;
    match alice.next_any_event(WAIT).await {
        Some((name, args)) if name == "user left" && args == [json!("Bob")] => {}
        other => {
            return Err(Failure::new(
                "Alice reçoit d'abord « user left » [\"Bob\"]",
                match other {
                    Some((name, args)) => format!("«\u{a0}{name}\u{a0}» {}", show(&args)),
                    None => show_event(None),
                },
            ));
        }
    }
    expect_online(&mut alice, &["Alice"], "après le départ de Bob").await?;
    // Le pseudo est libre dès la ligne affichée.
    join(&server, "bob", Transport::WebSocket)
        .await
        .map_err(|mut f| {
            f.expected = format!("le pseudo de Bob est libre dès son départ : {}", f.expected);
            f
        })?;
    Ok(())
}

/// Ctrl+C ou SIGTERM avec deux clients connectés : chacun part comme s'il
/// fermait son onglet (« <pseudo> s'est déconnecté »), avant la fin du
/// programme.
pub(super) async fn stop_says_who_leaves(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx.start().await?;
    let mut alice = join(&server, "Alice", Transport::WebSocket).await?;
    let _bob = join(&server, "Bob", Transport::Polling).await?;
    expect_online(&mut alice, &["Alice", "Bob"], "deux en ligne").await?;
    let log = server.shared_log();
    let status = server.stop().await?;
    log.wait_finished(WAIT).await;
    let lines = log.stdout();
    for pseudo in ["Alice", "Bob"] {
        let line = format!("{pseudo} s'est déconnecté");
        if !lines.contains(&line) {
            return Err(Failure::new(
                format!("à l'arrêt (SIGTERM), le serveur affiche « {line} »"),
                format!("ses dernières lignes : {:?}", log.tail(6)),
            ));
        }
    }
    if status.code() != Some(0) {
        return Err(Failure::new(
            "après SIGTERM, le programme se termine avec le code 0",
            describe_status(Some(status)),
        ));
    }
    Ok(())
}

/// Un message porte son auteur : `{ "from": <pseudo>, "text": <texte> }`
/// (suivi de son numéro au chapitre 15).
pub(super) async fn message_author(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx.start().await?;
    for transport in Transport::BOTH {
        let alice = join(&server, &format!("Alice {}", transport.label()), transport).await?;
        // Comme tout onglet des vérifications communes : au chapitre 15, il
        // a déjà vu l'historique (les messages des tours précédents).
        let mut bob = super::connect(
            &ctx,
            &server.url(),
            Transport::WebSocket,
            &format!("Bob {}", transport.label()),
        )
        .await?;
        super::send_chat(&ctx, &alice, "Bonjour Bob").await?;
        super::expect_authored(
            &ctx,
            &mut bob,
            &alice.name,
            "Bonjour Bob",
            "le message porte le pseudo de son auteur",
        )
        .await?;
        alice.disconnect().await;
        bob.disconnect().await;
    }
    Ok(())
}

/// Dix onglets demandent le même pseudo au même instant (en changeant les
/// majuscules) : un seul l'obtient.
pub(super) async fn nickname_race(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx.start().await?;
    let url = server.url();
    let attempts = join_all((0..10).map(|i| {
        let url = url.clone();
        async move {
            let pseudo = if i % 2 == 0 { "Zoé" } else { "ZOÉ" };
            let transport = Transport::nth(i);
            let auth = json!({ "pseudo": pseudo });
            tokio::select! {
                accepted = Client::connect_auth(&url, transport, pseudo, auth.clone()) => accepted.ok(),
                _ = tokio::time::sleep(WAIT) => None,
            }
        }
    }))
    .await;
    let winners = attempts.iter().filter(|a| a.is_some()).count();
    if winners != 1 {
        return Err(Failure::new(
            "un seul des dix onglets qui demandent « Zoé » en même temps l'obtient",
            format!("{winners} l'ont obtenu"),
        ));
    }
    Ok(())
}

/// Un client tué (connexion coupée) ou gelé (plus de réponse au battement
/// de cœur) libère son pseudo ; les autres le voient partir.
pub(super) async fn nickname_freed(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx
        // Un battement de cœur court, mais pas au point qu'un client ralenti
        // par une machine chargée manque sa poignée de main.
        .start_with(&[("PING_INTERVAL_MS", "2000"), ("PING_TIMEOUT_MS", "2000")])
        .await?;
    let mut witness = join(&server, "témoin", Transport::WebSocket).await?;
    for (pseudo, frozen) in [("Tué", false), ("Gelé", true)] {
        let proxy = Proxy::start(server.port()).await?;
        let client = Client::connect_auth(
            &proxy.url(),
            Transport::WebSocket,
            pseudo,
            json!({ "pseudo": pseudo }),
        )
        .await?;
        expect_online(&mut witness, &[pseudo, "témoin"], "l'onglet est arrivé").await?;
        if frozen {
            proxy.freeze();
        } else {
            proxy.cut();
        }
        server
            .expect_line(&format!("{pseudo} s'est déconnecté"), 1)
            .await?;
        expect_online(
            &mut witness,
            &["témoin"],
            "l'onglet parti n'est plus en ligne",
        )
        .await?;
        join(&server, pseudo, Transport::WebSocket)
            .await
            .map_err(|mut f| {
                f.expected = format!(
                    "le pseudo d'un onglet {} est libre : {}",
                    if frozen { "gelé" } else { "tué" },
                    f.expected
                );
                f
            })?
            .disconnect()
            .await;
        server
            .expect_line(&format!("{pseudo} s'est déconnecté"), 2)
            .await?;
        drop(client);
    }
    Ok(())
}
