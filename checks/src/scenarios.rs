//! Les vérifications elles-mêmes, chapitre par chapitre : le « Pour tester »
//! du cours, plus ce que promet `shared/chapters.md` (mauvaises données,
//! ordre des messages, arrêt propre…).

use std::path::PathBuf;
use std::time::Duration;

use futures_util::future::join_all;
use serde_json::{Value, json};

use crate::client::{Client, OnConnect, Transport, show};
use crate::proxy::Proxy;
use crate::server::{StopSignal, describe_status, spawn};
use crate::{Check, Ctx, Failure, WAIT, http};

macro_rules! check {
    ($id:ident, $description:expr) => {
        Check {
            id: stringify!($id),
            description: $description,
            run: |ctx| Box::pin($id(ctx)),
        }
    };
}

/// Les vérifications qui s'appliquent à un chapitre, dans l'ordre du cours.
pub fn checks_for(chapter: &str) -> Vec<Check> {
    let n = crate::chapter_number(chapter);
    let mut checks = vec![
        check!(
            ready_line,
            "Le serveur démarre et affiche « Adresse du serveur : http://localhost:<port> » avec le vrai port"
        ),
        check!(
            index_page,
            "GET / renvoie la page du chat : titre « Socket.io », liste #messages, formulaire #form avec #input et le bouton « Envoyer »"
        ),
        check!(
            static_files,
            "Le dossier client est servi tel qu'il est sur le disque : une modification se voit sans recompiler"
        ),
        check!(not_found, "Une adresse inconnue répond 404"),
        check!(
            no_traversal,
            "Aucun fichier hors du dossier client n'est servi (/../Cargo.toml et ses variantes encodées)"
        ),
        check!(
            port_taken,
            "Port déjà pris : une phrase claire en français, qui propose PORT=…, et un code de sortie non nul"
        ),
        check!(
            bad_settings,
            "PORT ou HOST invalide : une phrase claire en français et un code de sortie non nul, sans panique"
        ),
    ];
    // Envoyer un signal à un autre programme n'existe que sous Unix.
    if cfg!(unix) {
        checks.push(check!(
            graceful_stop,
            "Ctrl+C ou SIGTERM ferme les connexions et le programme se termine avec le code 0"
        ));
    }
    if n >= 2 {
        checks.extend([
            check!(client_bundle, "GET /socket.io/socket.io.js renvoie le client JavaScript officiel de Socket.IO 4.x"),
            check!(connect_log, "Chaque onglet qui se connecte (WebSocket ou long-polling) fait afficher « Un client vient de se connecter »"),
        ]);
    }
    if n >= 3 {
        checks.extend([
            check!(message_log, "Un message envoyé par le formulaire s'affiche dans le terminal : « message: <texte> »"),
            check!(bad_payload, "Un « new message » qui n'est pas un texte (nombre, objet, tableau, rien) est ignoré avec un avertissement ; son auteur reste connecté"),
            check!(oversized, "Un message plus gros que la limite (1 Mo) déconnecte son auteur ; les autres clients et le serveur continuent"),
        ]);
    }
    match n {
        4 => checks.push(check!(io_emit, "Un message envoyé depuis un onglet s'affiche dans tous les onglets, y compris celui de l'émetteur")),
        5 | 6 => checks.push(check!(broadcast, "Un message envoyé depuis un onglet s'affiche dans tous les autres onglets, mais pas dans celui de l'émetteur")),
        _ => {}
    }
    if n >= 4 {
        checks.extend([
            check!(order, "1 000 messages envoyés d'affilée arrivent tous, une seule fois chacun, dans l'ordre d'envoi"),
            check!(many_clients, "200 clients connectés en même temps reçoivent chacun le message"),
            check!(emit_in_connect, "Un message émis dès la connexion (dans le rappel « connect » du client) n'est pas perdu"),
            check!(client_leaves, "Un client qui part (onglet fermé, ou tué sans fermer) ne fait rien perdre aux autres"),
            check!(slow_receiver, "Un client trop lent ne manque jamais un message en silence : il est déconnecté et le serveur le dit ; les autres reçoivent tout"),
        ]);
    }
    if n == 6 {
        checks.extend([
            check!(client_info, "À la connexion : l'ID du client, son adresse IP, puis « #clients connectés : <n> »"),
            check!(disconnect_count, "À la déconnexion : « #clients connectés après déconnexion : <n> », sans compter le client parti"),
            check!(vanished_client, "Un client disparu sans fermer (réseau coupé) est compté parti après le délai du battement de cœur"),
        ]);
    }
    if n == 7 {
        checks.extend([
            check!(rooms_on_connect, "À la connexion, le client entre dans room1 et le serveur affiche « Rooms de <id> : room1 »"),
            check!(join_leave, "« join » et « leave » font entrer dans un salon et en sortir ; le serveur affiche les salons du client à chaque fois"),
            check!(room_message, "Un message envoyé à un salon n'arrive qu'à ses membres (l'émetteur compris s'il en est membre)"),
            check!(bad_room, "Un nom de salon invalide (pas un texte, vide, plus de 64 caractères) est ignoré avec un avertissement ; la connexion est gardée"),
        ]);
    }
    checks
}

// ---------------------------------------------------------------------------
// Ce qui change d'un chapitre à l'autre.

/// La ligne affichée à chaque connexion (au début, pour ch06 et ch07 qui
/// ajoutent l'identifiant).
fn is_connect_line(ctx: &Ctx, line: &str) -> bool {
    if ctx.number() >= 6 {
        line.starts_with("Un client vient de se connecter. Son ID : ")
    } else {
        line == "Un client vient de se connecter"
    }
}

/// Les arguments d'un message de chat (ch07 : le salon `room1` d'abord).
fn chat_args(ctx: &Ctx, text: &str) -> Vec<Value> {
    if ctx.number() == 7 {
        vec![json!("room1"), json!(text)]
    } else {
        vec![json!(text)]
    }
}

/// La ligne que le serveur affiche pour un message.
fn message_line(ctx: &Ctx, text: &str) -> String {
    if ctx.number() == 7 {
        format!("message pour room1 : {text}")
    } else {
        format!("message: {text}")
    }
}

/// L'émetteur reçoit-il son propre message ? (`io.emit` au ch04, et au ch07
/// puisqu'il est membre de room1.)
fn sender_receives(ctx: &Ctx) -> bool {
    matches!(ctx.number(), 4 | 7)
}

async fn send_chat(ctx: &Ctx, client: &Client, text: &str) -> Result<(), Failure> {
    client.emit("new message", chat_args(ctx, text)).await
}

/// `n` clients connectés en même temps : le deuxième en long-polling, puis
/// un sur dix (le client long-polling de `rust_socketio` met une centaine de
/// millisecondes à se connecter). Ils se connectent par vagues de 25 ; une
/// fois connectés, ils le sont tous à la fois.
async fn connect_many(url: &str, n: usize, prefix: &str) -> Result<Vec<Client>, Failure> {
    let mut clients = Vec::with_capacity(n);
    let indices: Vec<usize> = (0..n).collect();
    for wave in indices.chunks(25) {
        let results = join_all(wave.iter().map(|&i| {
            let name = format!("{prefix}{}", i + 1);
            let transport = if i % 10 == 1 {
                Transport::Polling
            } else {
                Transport::WebSocket
            };
            async move { Client::connect(url, transport, &name).await }
        }))
        .await;
        for result in results {
            clients.push(result?);
        }
    }
    Ok(clients)
}

fn repository_root() -> PathBuf {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    here.parent().map(PathBuf::from).unwrap_or(here)
}

const SILENCE: Duration = Duration::from_millis(400);

// ---------------------------------------------------------------------------
// Tous les chapitres.

async fn ready_line(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx.start().await?;
    let first = server.log().stdout().first().cloned().unwrap_or_default();
    let expected = format!("Adresse du serveur : http://localhost:{}", server.port());
    if first != expected {
        return Err(Failure::new(
            format!("la première ligne affichée est « {expected} »"),
            format!("« {first} »"),
        ));
    }
    let response = http::get(server.port(), "/").await?;
    if response.status != 200 {
        return Err(Failure::new(
            "le port annoncé répond (GET / : 200)",
            format!("statut {}", response.status),
        ));
    }
    Ok(())
}

async fn index_page(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx.start().await?;
    let response = http::get(server.port(), "/").await?;
    let html = response.text();
    let wanted = [
        ("<title>Socket.io</title>", "le titre « Socket.io »"),
        ("<h1>Socket.io</h1>", "le titre <h1>Socket.io</h1>"),
        ("<ul id=\"messages\">", "la liste ul#messages"),
        ("<form id=\"form\"", "le formulaire form#form"),
        ("<input id=\"input\"", "le champ input#input"),
        ("Envoyer</button>", "le bouton « Envoyer »"),
    ];
    if response.status != 200 {
        return Err(Failure::new(
            "GET / répond 200",
            format!("statut {}", response.status),
        ));
    }
    for (needle, what) in wanted {
        if !html.contains(needle) {
            return Err(Failure::new(
                format!("la page contient {what}"),
                "absent de la page renvoyée par GET /",
            ));
        }
    }
    let on_disk = std::fs::read_to_string(
        repository_root()
            .join("client")
            .join(ctx.chapter)
            .join("index.html"),
    )
    .map_err(|e| Failure::new("le fichier client/…/index.html existe", e.to_string()))?;
    if html != on_disk {
        return Err(Failure::new(
            format!("GET / renvoie client/{}/index.html", ctx.chapter),
            "un autre contenu",
        ));
    }
    Ok(())
}

async fn static_files(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx.start().await?;
    let name = format!(".verify-{}-{}.txt", std::process::id(), server.port());
    let path = repository_root()
        .join("client")
        .join(ctx.chapter)
        .join(&name);
    let content = format!("écrit à l'instant, pendant que le serveur tourne ({name})");
    std::fs::write(&path, &content)
        .map_err(|e| Failure::new("écrire un fichier dans le dossier client", e.to_string()))?;
    let response = http::get(server.port(), &format!("/{name}")).await;
    std::fs::remove_file(&path).ok();
    let response = response?;
    if response.status != 200 || response.text() != content {
        return Err(Failure::new(
            "un fichier ajouté au dossier client pendant que le serveur tourne est servi aussitôt",
            format!("statut {} et un autre contenu", response.status),
        ));
    }
    if ctx.number() >= 2 {
        let js = http::get(server.port(), "/client-socket.js").await?;
        let on_disk = std::fs::read_to_string(
            repository_root()
                .join("client")
                .join(ctx.chapter)
                .join("client-socket.js"),
        )
        .unwrap_or_default();
        if js.status != 200 || js.text() != on_disk {
            return Err(Failure::new(
                "GET /client-socket.js renvoie le fichier du dossier client",
                format!("statut {}", js.status),
            ));
        }
    }
    Ok(())
}

async fn not_found(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx.start().await?;
    for target in ["/nope", "/nope.html", "/client/index.html"] {
        let response = http::get(server.port(), target).await?;
        if response.status != 404 {
            return Err(Failure::new(
                format!("GET {target} répond 404"),
                format!("statut {}", response.status),
            ));
        }
    }
    Ok(())
}

async fn no_traversal(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx.start().await?;
    let targets = [
        "/../Cargo.toml",
        "/../../Cargo.toml",
        "/%2e%2e/Cargo.toml",
        "/%2E%2E/%2E%2E/Cargo.toml",
        "/..%2fCargo.toml",
        "/..%2f..%2fCargo.toml",
        "/%2e%2e%2f%2e%2e%2fCargo.toml",
        "/..%5c..%5cCargo.toml",
        "/.%2e/.%2e/Cargo.toml",
        "//etc/passwd",
        "/%2fetc%2fpasswd",
    ];
    for target in targets {
        let response = http::get(server.port(), target).await?;
        let body = response.text();
        if response.status == 200 || body.contains("[workspace]") || body.contains("root:") {
            return Err(Failure::new(
                format!("GET {target} ne sert rien hors du dossier client (404)"),
                format!("statut {} avec un contenu", response.status),
            ));
        }
    }
    Ok(())
}

/// Lance le chapitre avec ces variables et attend qu'il s'arrête seul.
async fn run_to_exit(ctx: &Ctx, env: &[(&str, &str)]) -> Result<(Option<i32>, String), Failure> {
    let env = env
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let (mut child, log) = spawn(&ctx.binary, &env)?;
    let status = tokio::time::timeout(WAIT, child.wait())
        .await
        .map_err(|_| {
            Failure::new(
                "le programme s'arrête aussitôt avec une erreur",
                "il tourne encore",
            )
        })?
        .map_err(|e| Failure::new("le programme s'arrête", e.to_string()))?;
    // Laisse aux lectures de sortie le temps de finir.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut output = log.stdout();
    output.extend(log.stderr());
    Ok((status.code(), output.join("\n")))
}

fn check_clean_error(
    what: &str,
    code: Option<i32>,
    output: &str,
    must_contain: &[&str],
) -> Result<(), Failure> {
    if code == Some(0) || code.is_none() {
        return Err(Failure::new(
            format!("{what} : code de sortie non nul"),
            format!("{} ; sortie : {output}", describe_status_code(code)),
        ));
    }
    if output.contains("panicked")
        || output.contains("RUST_BACKTRACE")
        || output.contains("stack backtrace")
    {
        return Err(Failure::new(
            format!("{what} : une phrase claire, sans panique ni trace de pile"),
            output.to_owned(),
        ));
    }
    for needle in must_contain {
        if !output.contains(needle) {
            return Err(Failure::new(
                format!("{what} : le message contient « {needle} »"),
                output.to_owned(),
            ));
        }
    }
    Ok(())
}

fn describe_status_code(code: Option<i32>) -> String {
    code.map_or_else(
        || "tué par un signal".to_owned(),
        |c| format!("code de sortie {c}"),
    )
}

async fn port_taken(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx.start().await?;
    let port = server.port().to_string();
    let (code, output) = run_to_exit(&ctx, &[("PORT", &port), ("HOST", "127.0.0.1")]).await?;
    check_clean_error(
        &format!("second lancement sur le port {port} déjà pris"),
        code,
        &output,
        &[&port, "PORT=", ctx.chapter, "déjà utilisé"],
    )
}

async fn bad_settings(ctx: Ctx) -> Result<(), Failure> {
    for (name, value) in [
        ("PORT", "abc"),
        ("PORT", "70000"),
        ("PORT", "-1"),
        ("HOST", "999.1.2.3"),
    ] {
        let env = [
            (name, value),
            if name == "PORT" {
                ("HOST", "127.0.0.1")
            } else {
                ("PORT", "0")
            },
        ];
        let (code, output) = run_to_exit(&ctx, &env).await?;
        check_clean_error(&format!("{name}={value}"), code, &output, &[name, "Erreur"])?;
    }
    Ok(())
}

async fn graceful_stop(ctx: Ctx) -> Result<(), Failure> {
    for signal in [StopSignal::Interrupt, StopSignal::Terminate] {
        stop_with_clients(&ctx, signal).await?;
    }
    Ok(())
}

/// Arrête le chapitre avec `signal` pendant que deux clients sont connectés.
async fn stop_with_clients(ctx: &Ctx, signal: StopSignal) -> Result<(), Failure> {
    let server = ctx.start().await?;
    // Les clients passent par un relais : on voit ainsi le serveur fermer
    // leurs connexions TCP.
    let proxy = Proxy::start(server.port()).await?;
    let mut clients = Vec::new();
    if ctx.number() >= 2 {
        for transport in Transport::BOTH {
            clients.push(Client::connect(&proxy.url(), transport, transport.label()).await?);
        }
    }
    let started = std::time::Instant::now();
    let status = server.stop_with(signal).await?;
    if status.code() != Some(0) {
        return Err(Failure::new(
            format!(
                "après {}, le programme se termine avec le code 0",
                signal.name()
            ),
            describe_status(Some(status)),
        ));
    }
    if !proxy.wait_all_closed(Duration::from_secs(5)).await {
        return Err(Failure::new(
            format!("{} ferme les connexions des clients", signal.name()),
            "des connexions sont encore ouvertes",
        ));
    }
    if started.elapsed() > Duration::from_secs(6) {
        return Err(Failure::new(
            "l'arrêt prend moins de 6 s, même avec un client en long-polling",
            format!("{:.1} s", started.elapsed().as_secs_f32()),
        ));
    }
    drop(clients);
    Ok(())
}

// ---------------------------------------------------------------------------
// À partir du chapitre 2.

async fn client_bundle(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx.start().await?;
    let response = http::get(server.port(), "/socket.io/socket.io.js").await?;
    let content_type = response.header("content-type").unwrap_or("");
    let body = response.text();
    if response.status != 200 {
        return Err(Failure::new(
            "GET /socket.io/socket.io.js répond 200",
            format!(
                "statut {} : {}",
                response.status,
                body.chars().take(80).collect::<String>()
            ),
        ));
    }
    if !content_type.contains("javascript") {
        return Err(Failure::new(
            "un type de contenu JavaScript",
            format!("Content-Type: {content_type}"),
        ));
    }
    let vendored = std::fs::read_to_string(
        repository_root().join("client/vendor/socket.io-client/socket.io.min.js"),
    )
    .unwrap_or_default();
    if !body.starts_with("/*!\n * Socket.IO v4.") || body != vendored {
        return Err(Failure::new(
            "le client officiel Socket.IO 4.x (client/vendor/socket.io-client/socket.io.min.js)",
            format!("{}…", body.chars().take(60).collect::<String>()),
        ));
    }
    Ok(())
}

async fn connect_log(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx.start().await?;
    let mut clients = Vec::new();
    for (i, transport) in Transport::BOTH.into_iter().enumerate() {
        clients.push(Client::connect(&server.url(), transport, transport.label()).await?);
        let wanted = if ctx.number() >= 6 {
            "« Un client vient de se connecter. Son ID : <id> »"
        } else {
            "« Un client vient de se connecter »"
        };
        server
            .log()
            .wait_for(wanted, i + 1, |l| is_connect_line(&ctx, l), WAIT)
            .await?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// À partir du chapitre 3.

async fn message_log(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx.start().await?;
    for transport in Transport::BOTH {
        let client = Client::connect(&server.url(), transport, transport.label()).await?;
        let text = format!("Bonjour, ça va ? <b>{}</b>", transport.label());
        send_chat(&ctx, &client, &text).await?;
        server.expect_line(&message_line(&ctx, &text), 1).await?;
    }
    Ok(())
}

async fn bad_payload(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx.start().await?;
    let mut witness = Client::connect(&server.url(), Transport::WebSocket, "témoin").await?;
    let bad: Vec<Vec<Value>> = if ctx.number() == 7 {
        vec![
            vec![json!("room1"), json!(42)],
            vec![json!("room1"), json!({"texte": "x"})],
            vec![json!("room1")],
            vec![],
        ]
    } else {
        vec![
            vec![json!(42)],
            vec![json!({"texte": "x"})],
            vec![json!(["a", "b"])],
            vec![],
        ]
    };
    let mut warnings = 0;
    for transport in Transport::BOTH {
        let sender = Client::connect(&server.url(), transport, transport.label()).await?;
        for args in &bad {
            sender.emit("new message", args.clone()).await?;
            warnings += 1;
            server
                .log()
                .wait_for(
                    &format!("un avertissement pour « new message » avec {}", show(args)),
                    warnings,
                    |l| l.starts_with("Avertissement : "),
                    WAIT,
                )
                .await?;
        }
        if ctx.number() >= 4 {
            witness
                .expect_nothing(SILENCE, "une donnée invalide n'est transmise à personne")
                .await?;
        }
        // L'auteur est toujours connecté : son message suivant passe.
        let text = format!("toujours là ({})", transport.label());
        send_chat(&ctx, &sender, &text).await?;
        server.expect_line(&message_line(&ctx, &text), 1).await?;
        if ctx.number() >= 4 {
            witness
                .expect(&chat_args(&ctx, &text), "le message valide qui suit")
                .await?;
        }
    }
    Ok(())
}

async fn oversized(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx.start().await?;
    let huge = "x".repeat(1_100_000);
    for transport in Transport::BOTH {
        let mut other = Client::connect(&server.url(), Transport::WebSocket, "autre").await?;
        let big = Client::connect(&server.url(), transport, transport.label()).await?;
        send_chat(&ctx, &big, &huge).await.ok();
        // Déconnecté : ce qu'il envoie ensuite n'arrive plus au serveur.
        tokio::time::sleep(SILENCE).await;
        let after = format!("envoyé après le gros message ({})", transport.label());
        send_chat(&ctx, &big, &after).await.ok();
        tokio::time::sleep(SILENCE).await;
        let stdout = server.log().stdout();
        if stdout.iter().any(|l| l.len() > 1_000_000) {
            return Err(Failure::new(
                "le message trop gros n'est pas traité",
                "le serveur l'a affiché",
            ));
        }
        if stdout.iter().any(|l| *l == message_line(&ctx, &after)) {
            return Err(Failure::new(
                format!(
                    "le client qui envoie plus de 1 Mo ({}) est déconnecté",
                    transport.label()
                ),
                "il est encore connecté : son message suivant a été traité",
            ));
        }
        let text = format!("les autres continuent ({})", transport.label());
        send_chat(&ctx, &other, &text).await?;
        server.expect_line(&message_line(&ctx, &text), 1).await?;
        if sender_receives(&ctx) {
            other
                .expect(&chat_args(&ctx, &text), "son propre message")
                .await?;
        }
        other.disconnect().await;
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Qui reçoit quoi.

async fn io_emit(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx.start().await?;
    let mut tabs = connect_many(&server.url(), 3, "onglet ").await?;
    let text = "Salut tout le monde";
    send_chat(&ctx, &tabs[0], text).await?;
    for tab in &mut tabs {
        tab.expect(
            &chat_args(&ctx, text),
            "io.emit envoie à tous, émetteur compris",
        )
        .await?;
    }
    for tab in &mut tabs {
        tab.expect_nothing(SILENCE, "chaque onglet reçoit le message une seule fois")
            .await?;
    }
    Ok(())
}

async fn broadcast(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx.start().await?;
    let mut tabs = connect_many(&server.url(), 3, "onglet ").await?;
    let text = "Salut les autres";
    send_chat(&ctx, &tabs[0], text).await?;
    for tab in tabs.iter_mut().skip(1) {
        tab.expect(
            &chat_args(&ctx, text),
            "broadcast envoie aux autres onglets",
        )
        .await?;
    }
    if let Some(got) = tabs[0].next(SILENCE).await {
        return Err(Failure::new(
            "l'émetteur ne reçoit pas son propre message",
            format!(
                "l'émetteur a reçu son propre message : avec broadcast, il ne devrait pas (reçu : {})",
                show(&got)
            ),
        ));
    }
    Ok(())
}

/// Reçoit `count` messages numérotés et vérifie : tous, une fois, dans l'ordre.
async fn expect_sequence(
    ctx: &Ctx,
    client: &mut Client,
    count: usize,
    prefix: &str,
) -> Result<(), Failure> {
    let mut seen: Vec<usize> = Vec::with_capacity(count);
    while seen.len() < count {
        let Some(args) = client.next(WAIT).await else {
            break;
        };
        let text = args.last().and_then(Value::as_str).unwrap_or("");
        if let Some(i) = text.strip_prefix(prefix).and_then(|n| n.parse().ok()) {
            seen.push(i);
        }
    }
    let expected: Vec<usize> = (0..count).collect();
    if seen == expected {
        return Ok(());
    }
    let mut sorted = seen.clone();
    sorted.sort_unstable();
    sorted.dedup();
    let duplicates = seen.len() - sorted.len();
    let missing = count - sorted.len();
    let first_misplaced = seen.iter().enumerate().find(|(i, n)| *i != **n);
    Err(Failure::new(
        format!(
            "{} reçoit les {count} messages, une fois chacun, dans l'ordre d'envoi ({})",
            client.name, ctx.chapter
        ),
        format!(
            "{} reçus, {missing} manquant(s), {duplicates} en double{}",
            seen.len(),
            first_misplaced
                .map(|(i, n)| format!(", le message n°{n} est arrivé en position {i}"))
                .unwrap_or_default()
        ),
    ))
}

async fn order(ctx: Ctx) -> Result<(), Failure> {
    const COUNT: usize = 1_000;
    let server = ctx.start().await?;
    let sender = Client::connect(&server.url(), Transport::WebSocket, "émetteur").await?;
    let mut receivers = vec![
        Client::connect(&server.url(), Transport::WebSocket, "récepteur WebSocket").await?,
        Client::connect(&server.url(), Transport::Polling, "récepteur long-polling").await?,
    ];
    let mut sender = sender;
    for i in 0..COUNT {
        send_chat(&ctx, &sender, &format!("n°{i}")).await?;
    }
    for receiver in &mut receivers {
        expect_sequence(&ctx, receiver, COUNT, "n°").await?;
    }
    if sender_receives(&ctx) {
        expect_sequence(&ctx, &mut sender, COUNT, "n°").await?;
    }
    Ok(())
}

async fn many_clients(ctx: Ctx) -> Result<(), Failure> {
    const COUNT: usize = 200;
    let server = ctx.start().await?;
    let mut clients = connect_many(&server.url(), COUNT, "client ").await?;
    let text = "un message pour les 200";
    send_chat(&ctx, &clients[0], text).await?;
    let start = usize::from(!sender_receives(&ctx));
    let expected = chat_args(&ctx, text);
    let results = join_all(
        clients
            .iter_mut()
            .skip(start)
            .map(|c| c.expect(&expected, "chacun des 200 clients reçoit le message")),
    )
    .await;
    let failed: Vec<&Failure> = results.iter().filter_map(|r| r.as_ref().err()).collect();
    if let Some(first) = failed.first() {
        return Err(Failure::new(
            format!("les {} clients reçoivent le message", COUNT - start),
            format!(
                "{} ne l'ont pas reçu ; par exemple : {}",
                failed.len(),
                first.seen
            ),
        ));
    }
    Ok(())
}

async fn emit_in_connect(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx.start().await?;
    let mut witness = Client::connect(&server.url(), Transport::WebSocket, "témoin").await?;
    for (i, transport) in Transport::BOTH.into_iter().cycle().take(6).enumerate() {
        let text = format!("dès la connexion n°{i}");
        let args = chat_args(&ctx, &text);
        let on_connect: OnConnect = Box::new(move |client| {
            let args = args.clone();
            Box::pin(async move {
                client
                    .emit("new message", rust_socketio::Payload::Text(args))
                    .await
                    .ok();
            })
        });
        let eager =
            Client::connect_with(&server.url(), transport, "pressé", Some(on_connect)).await?;
        server.expect_line(&message_line(&ctx, &text), 1).await?;
        witness
            .expect(&chat_args(&ctx, &text), "le message émis dès la connexion")
            .await?;
        eager.disconnect().await;
    }
    Ok(())
}

async fn client_leaves(ctx: Ctx) -> Result<(), Failure> {
    const COUNT: usize = 50;
    let server = ctx.start().await?;
    let sender = Client::connect(&server.url(), Transport::WebSocket, "émetteur").await?;
    let mut receiver = Client::connect(&server.url(), Transport::Polling, "récepteur").await?;
    let closing = Client::connect(&server.url(), Transport::WebSocket, "onglet fermé").await?;
    let proxy = Proxy::start(server.port()).await?;
    let killed = Client::connect(&proxy.url(), Transport::WebSocket, "onglet tué").await?;
    // Dix messages, puis un onglet se ferme et un autre est tué, puis la
    // suite : le récepteur doit tout avoir, une fois chacun, dans l'ordre.
    for i in 0..10 {
        send_chat(&ctx, &sender, &format!("n°{i}")).await?;
    }
    closing.disconnect().await;
    proxy.cut();
    drop(killed);
    for i in 10..COUNT {
        send_chat(&ctx, &sender, &format!("n°{i}")).await?;
    }
    expect_sequence(&ctx, &mut receiver, COUNT, "n°").await
}

async fn slow_receiver(ctx: Ctx) -> Result<(), Failure> {
    const MAX: usize = 60_000;
    const BATCH: usize = 250;
    let server = ctx.start().await?;
    let sender = Client::connect(&server.url(), Transport::WebSocket, "émetteur").await?;
    let mut fast = Client::connect(&server.url(), Transport::WebSocket, "récepteur rapide").await?;
    let proxy = Proxy::start(server.port()).await?;
    let mut slow = Client::connect(&proxy.url(), Transport::WebSocket, "récepteur gelé").await?;
    proxy.freeze();
    let padding = "·".repeat(500);
    let is_slow_line = |l: &str| l.starts_with("Client ") && l.contains("trop lent");
    // Par paquets : le récepteur rapide lit chaque paquet avant le suivant,
    // il n'est donc jamais en retard ; seule la file du client gelé grossit.
    let mut sent = 0;
    while sent < MAX {
        for _ in 0..BATCH {
            send_chat(&ctx, &sender, &format!("{sent} {padding}")).await?;
            sent += 1;
        }
        for expected in sent - BATCH..sent {
            let got = fast.next(WAIT).await;
            let text = got
                .as_ref()
                .and_then(|args| args.last())
                .and_then(Value::as_str)
                .unwrap_or("");
            let n = text.split(' ').next().and_then(|n| n.parse::<usize>().ok());
            if n != Some(expected) {
                return Err(Failure::new(
                    format!(
                        "le récepteur rapide reçoit chaque message, dans l'ordre (n°{expected})"
                    ),
                    format!("il a reçu {:?}", n),
                ));
            }
        }
        if server
            .log()
            .stdout()
            .iter()
            .rev()
            .take(2 * BATCH)
            .any(|l| is_slow_line(l))
        {
            break;
        }
    }
    server
        .log()
        .wait_for(
            "« Client <id> trop lent : … » une fois la file d'envoi du client gelé pleine",
            1,
            is_slow_line,
            WAIT,
        )
        .await?;
    let slow_lines = server
        .log()
        .stdout()
        .iter()
        .filter(|l| is_slow_line(l))
        .count();
    if slow_lines != 1 {
        return Err(Failure::new(
            "seul le client gelé est jugé trop lent",
            format!("{slow_lines} clients l'ont été"),
        ));
    }
    // Le réseau revient : le client gelé reçoit un début sans trou, puis il
    // est déconnecté.
    proxy.thaw();
    let mut next = 0usize;
    while let Some(args) = slow.next(Duration::from_secs(3)).await {
        let text = args.last().and_then(Value::as_str).unwrap_or("");
        let n = text.split(' ').next().and_then(|n| n.parse::<usize>().ok());
        if n != Some(next) {
            return Err(Failure::new(
                "le client lent reçoit une suite sans trou avant d'être déconnecté",
                format!("après le n°{}, il a reçu {:?}", next.wrapping_sub(1), n),
            ));
        }
        next += 1;
    }
    if !slow.wait_closed(WAIT).await {
        return Err(Failure::new(
            "le client trop lent est déconnecté",
            format!("il est encore connecté, après {next} messages sur {sent}"),
        ));
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Chapitre 6.

async fn client_info(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx.start().await?;
    let mut clients = Vec::new();
    for (i, transport) in Transport::BOTH.into_iter().enumerate() {
        clients.push(Client::connect(&server.url(), transport, transport.label()).await?);
        let count_line = format!("#clients connectés : {}", i + 1);
        server.expect_line(&count_line, 1).await?;
        let lines = server.log().stdout();
        let at = lines.iter().position(|l| *l == count_line).unwrap_or(0);
        let id_line = lines.get(at.wrapping_sub(2)).cloned().unwrap_or_default();
        let ip_line = lines.get(at.wrapping_sub(1)).cloned().unwrap_or_default();
        let id = id_line
            .strip_prefix("Un client vient de se connecter. Son ID : ")
            .unwrap_or("");
        if id.len() < 8 || id.contains(' ') {
            return Err(Failure::new(
                "« Un client vient de se connecter. Son ID : <id> », juste avant l'adresse IP",
                format!("« {id_line} »"),
            ));
        }
        if ip_line != "Adresse IP du client : 127.0.0.1" {
            return Err(Failure::new(
                "« Adresse IP du client : 127.0.0.1 » (l'adresse de la connexion), juste avant le nombre de clients",
                format!("« {ip_line} »"),
            ));
        }
    }
    Ok(())
}

async fn disconnect_count(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx.start().await?;
    let mut clients = connect_many(&server.url(), 3, "onglet ").await?;
    server.expect_line("#clients connectés : 3", 1).await?;
    let last = clients.pop();
    // Deux onglets fermés en même temps.
    join_all(clients.into_iter().map(Client::disconnect)).await;
    let prefix = "#clients connectés après déconnexion : ";
    let lines = server.expect_prefix(prefix, 2).await.map_err(|mut f| {
        f.expected = format!("« {prefix}2 » puis « {prefix}1 » quand deux onglets se ferment");
        f
    })?;
    let mut counts: Vec<&str> = lines.iter().map(|l| &l[prefix.len()..]).collect();
    counts.sort_unstable();
    if counts != ["1", "2"] {
        return Err(Failure::new(
            format!("« {prefix}2 » et « {prefix}1 » (le client parti n'est plus compté)"),
            format!("{lines:?}"),
        ));
    }
    if let Some(last) = last {
        last.disconnect().await;
    }
    server.expect_line(&format!("{prefix}0"), 1).await
}

async fn vanished_client(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx
        .start_with(&[("PING_INTERVAL_MS", "300"), ("PING_TIMEOUT_MS", "300")])
        .await?;
    let _stays = Client::connect(&server.url(), Transport::WebSocket, "présent").await?;
    let proxy = Proxy::start(server.port()).await?;
    let _gone = Client::connect(&proxy.url(), Transport::WebSocket, "disparu").await?;
    server.expect_line("#clients connectés : 2", 1).await?;
    proxy.freeze();
    server
        .expect_line("#clients connectés après déconnexion : 1", 1)
        .await
}

// ---------------------------------------------------------------------------
// Chapitre 7.

/// L'identifiant d'un client, lu sur la dernière ligne « Rooms de … ».
async fn last_rooms_line(
    server: &crate::Server,
    count: usize,
) -> Result<(String, String), Failure> {
    let lines = server.expect_prefix("Rooms de ", count).await?;
    let line = lines.last().cloned().unwrap_or_default();
    let rest = line.strip_prefix("Rooms de ").unwrap_or("");
    match rest.split_once(" : ") {
        Some((id, rooms)) => Ok((id.to_owned(), rooms.to_owned())),
        None => Err(Failure::new(
            "« Rooms de <id> : <salons> »",
            format!("« {line} »"),
        )),
    }
}

async fn rooms_on_connect(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx.start().await?;
    let _a = Client::connect(&server.url(), Transport::WebSocket, "A").await?;
    let (_, rooms) = last_rooms_line(&server, 1).await?;
    if rooms != "room1" {
        return Err(Failure::new(
            "« Rooms de <id> : room1 » à la connexion",
            format!("salons affichés : « {rooms} »"),
        ));
    }
    Ok(())
}

async fn join_leave(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx.start().await?;
    let a = Client::connect(&server.url(), Transport::Polling, "A").await?;
    let (id, _) = last_rooms_line(&server, 1).await?;
    a.emit("join", vec![json!("room2")]).await?;
    server
        .expect_line(&format!("Rooms de {id} : room1, room2"), 1)
        .await?;
    a.emit("leave", vec![json!("room1")]).await?;
    server
        .expect_line(&format!("Rooms de {id} : room2"), 1)
        .await?;
    a.emit("leave", vec![json!("room2")]).await?;
    server.expect_line(&format!("Rooms de {id} : "), 1).await
}

async fn room_message(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx.start().await?;
    let mut a = Client::connect(&server.url(), Transport::WebSocket, "A (room1)").await?;
    let mut b = Client::connect(&server.url(), Transport::Polling, "B (room1, room2)").await?;
    b.emit("join", vec![json!("room2")]).await?;
    let mut c = Client::connect(&server.url(), Transport::WebSocket, "C (room2)").await?;
    c.emit("join", vec![json!("room2")]).await?;
    c.emit("leave", vec![json!("room1")]).await?;
    server.expect_prefix("Rooms de ", 5).await?;

    // A, qui n'est pas dans room2, écrit à room2.
    let to_room2 = vec![json!("room2"), json!("pour room2")];
    a.emit("new message", to_room2.clone()).await?;
    b.expect(&to_room2, "B est membre de room2").await?;
    c.expect(&to_room2, "C est membre de room2").await?;
    a.expect_nothing(
        SILENCE,
        "A n'est pas membre de room2 : il ne reçoit pas le message",
    )
    .await?;

    // B écrit à room1 : A et B (membre) le reçoivent, pas C.
    let to_room1 = vec![json!("room1"), json!("pour room1")];
    b.emit("new message", to_room1.clone()).await?;
    a.expect(&to_room1, "A est membre de room1").await?;
    b.expect(
        &to_room1,
        "l'émetteur est membre de room1 : il reçoit aussi",
    )
    .await?;
    c.expect_nothing(SILENCE, "C a quitté room1 : il ne reçoit pas le message")
        .await
}

async fn bad_room(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx.start().await?;
    let mut witness = Client::connect(&server.url(), Transport::WebSocket, "témoin").await?;
    let client = Client::connect(&server.url(), Transport::Polling, "A").await?;
    let (id, _) = last_rooms_line(&server, 2).await?;
    let too_long = "x".repeat(65);
    let bad: Vec<(&str, Vec<Value>)> = vec![
        ("join", vec![json!(42)]),
        ("join", vec![json!("")]),
        ("join", vec![json!(too_long)]),
        ("join", vec![]),
        ("leave", vec![json!({"salon": "room1"})]),
        ("new message", vec![json!(7), json!("texte")]),
        ("new message", vec![json!(""), json!("texte")]),
    ];
    for (i, (event, args)) in bad.iter().enumerate() {
        client.emit(event, args.clone()).await?;
        server
            .log()
            .wait_for(
                &format!("un avertissement pour « {event} » avec {}", show(args)),
                i + 1,
                |l| l.starts_with("Avertissement : "),
                WAIT,
            )
            .await?;
    }
    witness
        .expect_nothing(
            SILENCE,
            "un message pour un salon invalide n'est transmis à personne",
        )
        .await?;
    // Toujours connecté, et un nom de 64 caractères est accepté.
    let longest = "y".repeat(64);
    client.emit("join", vec![json!(longest)]).await?;
    server
        .expect_line(&format!("Rooms de {id} : room1, {longest}"), 1)
        .await
}
