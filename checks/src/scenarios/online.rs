//! Chapitre 15 : le chat en ligne. Ce que regarde l'exploitation
//! (`/health`, `/metrics`), plusieurs processus sur une même base
//! PostgreSQL et un même Redis, et les pannes de la base : absente au
//! démarrage, arrêtée en cours de route.
//!
//! Le PostgreSQL et le Redis sont ceux du contexte (voir `Ctx::start_with`) :
//! une base neuve par serveur lancé, sauf quand une vérification en donne
//! une à plusieurs processus.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::*;
use crate::client::{Client, Transport, show_ack};
use crate::scenarios::accounts::{join_account, open_tab, session_for};
use crate::scenarios::history::{send_stored, tab, tab_with};
use crate::scenarios::lifecycle::{check_clean_error, run_to_exit};
use crate::scenarios::pseudos::{expect_online, join};
use crate::{Ctx, Failure, Server, WAIT, http};

/// Le temps laissé à un accusé quand la base ne répond pas : la page en
/// attend 5 s, le chapitre renonce à la base bien avant.
const ACK_WAIT: Duration = Duration::from_secs(10);

/// Le temps qu'un processus met à voir ce qui change sur un autre (il
/// relit la liste de tout le chat chaque seconde), avec de la marge.
const PRESENCE_DELAY: Duration = Duration::from_millis(1_500);

/// Les mesures promises par `/metrics`, et leur type Prometheus.
const MEASURES: [(&str, &str); 4] = [
    ("chat_connected_accounts", "gauge"),
    ("chat_messages_stored_total", "counter"),
    ("chat_messages_refused_total", "counter"),
    ("chat_writes_failed_total", "counter"),
];

/// Attend `new message` avec exactement `({ from, text }, id)`.
async fn expect_posted(
    client: &mut Client,
    from: &str,
    text: &str,
    id: i64,
    why: &str,
) -> Result<(), Failure> {
    let expected = [json!({ "from": from, "text": text }), json!(id)];
    client.expect(&expected, why).await
}

/// Interroge `/health` jusqu'à recevoir `status` (au plus [`WAIT`]).
async fn wait_health(server: &Server, status: u16, why: &str) -> Result<(), Failure> {
    let started = Instant::now();
    loop {
        let reply = http::get(server.port(), "/health").await?;
        if reply.status == status {
            return Ok(());
        }
        if started.elapsed() > WAIT {
            return Err(Failure::new(
                format!(
                    "GET /health répond {status} ({why}) en moins de {} s",
                    WAIT.as_secs()
                ),
                format!("toujours {} : « {} »", reply.status, reply.text().trim()),
            ));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// `GET /metrics`, lu comme le lirait Prometheus : chaque ligne est un
/// commentaire (`# HELP`, `# TYPE`…) ou une mesure suivie de sa valeur ;
/// les quatre mesures promises y sont, avec leur aide, leur type et une
/// valeur. Rend les valeurs, par nom.
async fn read_metrics(server: &Server) -> Result<HashMap<String, f64>, Failure> {
    let reply = http::get(server.port(), "/metrics").await?;
    let content_type = reply.header("content-type").unwrap_or_default();
    if reply.status != 200 || !content_type.starts_with("text/plain") {
        return Err(Failure::new(
            "GET /metrics répond 200 en text/plain (le format texte de Prometheus)",
            format!("{}, Content-Type : {content_type}", reply.status),
        ));
    }
    let text = reply.text();
    let mut values = HashMap::new();
    let mut helped = Vec::new();
    let mut typed = HashMap::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        if let Some(comment) = line.strip_prefix('#') {
            let mut words = comment.split_whitespace();
            match (words.next(), words.next(), words.next()) {
                (Some("HELP"), Some(name), Some(_)) => helped.push(name.to_owned()),
                (Some("TYPE"), Some(name), Some(kind)) => {
                    typed.insert(name.to_owned(), kind.to_owned());
                }
                _ => {}
            }
            continue;
        }
        // `nom valeur`, ou `nom{étiquettes} valeur`, puis peut-être un
        // horodatage.
        let name_end = line.find(['{', ' ']).unwrap_or(line.len());
        let name = &line[..name_end];
        let rest = match line[name_end..].strip_prefix('{') {
            Some(labelled) => labelled.split_once('}').map_or("", |(_, r)| r),
            None => &line[name_end..],
        };
        let value = rest
            .split_whitespace()
            .next()
            .and_then(|v| v.parse::<f64>().ok());
        let valid_name = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':');
        match value {
            Some(value) if valid_name => {
                values.insert(name.to_owned(), value);
            }
            _ => {
                return Err(Failure::new(
                    "chaque ligne de /metrics est un commentaire (#) ou « <nom> <valeur> »",
                    format!("« {line} »"),
                ));
            }
        }
    }
    for (name, kind) in MEASURES {
        let complete = helped.iter().any(|h| h == name)
            && typed.get(name).map(String::as_str) == Some(kind)
            && values.contains_key(name);
        if !complete {
            return Err(Failure::new(
                format!(
                    "/metrics donne {name} : « # HELP », « # TYPE {name} {kind} » et sa valeur"
                ),
                text,
            ));
        }
    }
    Ok(values)
}

/// Attend que la mesure `name` de `/metrics` vaille `expected` (au plus
/// [`WAIT`] : la présence d'un processus se met à jour chaque seconde).
async fn wait_metric(server: &Server, name: &str, expected: f64, why: &str) -> Result<(), Failure> {
    let started = Instant::now();
    loop {
        let values = read_metrics(server).await?;
        let value = values.get(name).copied().unwrap_or(f64::NAN);
        if value == expected {
            return Ok(());
        }
        if started.elapsed() > WAIT {
            return Err(Failure::new(
                format!("/metrics : {name} vaut {expected} ({why})"),
                format!("il vaut {value}"),
            ));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Les valeurs de `/metrics` tout de suite, sans attendre.
async fn expect_metrics(
    server: &Server,
    expected: &[(&str, f64)],
    why: &str,
) -> Result<(), Failure> {
    let values = read_metrics(server).await?;
    for (name, wanted) in expected {
        let value = values.get(*name).copied().unwrap_or(f64::NAN);
        if value != *wanted {
            return Err(Failure::new(
                format!("/metrics : {name} vaut {wanted} ({why})"),
                format!("il vaut {value}"),
            ));
        }
    }
    Ok(())
}

/// `/health` : 200 quand la base et Redis répondent ; Redis tué, 503 ;
/// Redis relancé, 200 de nouveau, sans relancer le chat.
pub(super) async fn health(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx.start().await?;
    let first = http::get(server.port(), "/health").await?;
    if first.status != 200 {
        return Err(Failure::new(
            "GET /health répond 200 quand PostgreSQL et Redis répondent",
            format!("{} : « {} »", first.status, first.text().trim()),
        ));
    }
    let Some(port) = ctx.kill_redis().await else {
        return Err(Failure::new("un Redis à arrêter", "aucun Redis lancé"));
    };
    wait_health(&server, 503, "Redis arrêté").await?;
    ctx.restart_redis(port).await?;
    wait_health(&server, 200, "Redis relancé").await
}

/// `/metrics` : le format, puis des compteurs qui suivent ce qui se passe.
pub(super) async fn metrics(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx.start().await?;
    let url = server.url();
    let zero: Vec<(&str, f64)> = MEASURES.iter().map(|(name, _)| (*name, 0.0)).collect();
    expect_metrics(&server, &zero, "au démarrage, personne et aucun message").await?;
    let alice_cookie = session_for(&url, "Alice").await?;
    let alice = open_tab(&url, &alice_cookie, Transport::WebSocket, "Alice 1").await?;
    let _alice_2 = open_tab(&url, &alice_cookie, Transport::Polling, "Alice 2").await?;
    let bob = join_account(&url, "Bob", Transport::WebSocket).await?;
    wait_metric(
        &server,
        "chat_connected_accounts",
        2.0,
        "Alice (deux onglets) et Bob : deux comptes",
    )
    .await?;
    send_stored(&alice, "compté", "metrics-1").await?;
    expect_metrics(
        &server,
        &[("chat_messages_stored_total", 1.0)],
        "un message enregistré",
    )
    .await?;
    send_stored(&alice, "compté", "metrics-1").await?;
    expect_metrics(
        &server,
        &[("chat_messages_stored_total", 1.0)],
        "le même clientOffset renvoyé n'est pas enregistré une seconde fois",
    )
    .await?;
    let too_long = "é".repeat(1_001);
    let reply = alice
        .emit_with_ack("new message", chat_args(&ctx, &too_long), ACK_WAIT)
        .await?;
    if reply.first().and_then(|r| r.get("error")).is_none() {
        return Err(Failure::new(
            "un message de 1 001 caractères est refusé : accusé { \"error\" }",
            show_ack(&reply),
        ));
    }
    expect_metrics(
        &server,
        &[
            ("chat_messages_refused_total", 1.0),
            ("chat_messages_stored_total", 1.0),
            ("chat_writes_failed_total", 0.0),
        ],
        "un message trop long refusé",
    )
    .await?;
    bob.disconnect().await;
    wait_metric(
        &server,
        "chat_connected_accounts",
        1.0,
        "Bob parti, Alice reste",
    )
    .await
}

/// Deux processus sur la même base et le même Redis : chaque message
/// arrive partout avec le numéro de son accusé, dans l'ordre, et
/// l'historique de l'un contient les messages envoyés sur l'autre.
pub(super) async fn processes_share(ctx: Ctx) -> Result<(), Failure> {
    const COUNT: usize = 200;
    let (key, database) = ctx.shared_database().await?;
    let env = [(key, database.as_str())];
    let a = ctx.start_with(&env).await?;
    let b = ctx.start_with(&env).await?;
    let mut alice = tab(&ctx, &a.url(), "Alice", json!(0)).await?;
    let mut bob = tab(&ctx, &b.url(), "Bob", json!(0)).await?;
    let mut chloe = tab_with(
        &ctx,
        &b.url(),
        "Chloé",
        Transport::Polling,
        Some(json!({ "serverOffset": 0 })),
    )
    .await?;
    let first = send_stored(&alice, "de A vers B", "share-1").await?;
    let why = "envoyé sur A, reçu avec le numéro de son accusé";
    expect_posted(&mut bob, "Alice", "de A vers B", first, why).await?;
    expect_posted(&mut chloe, "Alice", "de A vers B", first, why).await?;
    expect_posted(&mut alice, "Alice", "de A vers B", first, why).await?;
    let second = send_stored(&bob, "de B vers A", "share-2").await?;
    if second <= first {
        return Err(Failure::new(
            format!("le message suivant, envoyé sur B, a un numéro plus grand que {first}"),
            format!("{second}"),
        ));
    }
    let why = "envoyé sur B, reçu avec le numéro de son accusé";
    expect_posted(&mut alice, "Bob", "de B vers A", second, why).await?;
    expect_posted(&mut bob, "Bob", "de B vers A", second, why).await?;
    expect_posted(&mut chloe, "Bob", "de B vers A", second, why).await?;
    for i in 0..COUNT {
        send_chat(&ctx, &alice, &format!("n°{i}")).await?;
    }
    expect_sequence(&ctx, &mut bob, COUNT, "n°").await?;
    expect_sequence(&ctx, &mut chloe, COUNT, "n°").await?;
    // Un onglet ouvert sur B après coup reçoit tout depuis la base.
    let mut late = tab(&ctx, &b.url(), "Denis", json!(0)).await?;
    let why = "l'historique de B contient les messages envoyés sur A";
    expect_posted(&mut late, "Alice", "de A vers B", first, why).await?;
    expect_posted(&mut late, "Bob", "de B vers A", second, why).await?;
    expect_sequence(&ctx, &mut late, COUNT, "n°").await?;
    late.expect_nothing(SILENCE, "l'historique ne contient rien d'autre")
        .await?;
    bob.expect_nothing(SILENCE, "aucun doublon sur B").await
}

/// Deux processus : la présence couvre tout le chat (une personne avec un
/// onglet sur chaque processus compte une fois), et un message privé passe
/// de l'un à l'autre.
pub(super) async fn processes_presence(ctx: Ctx) -> Result<(), Failure> {
    let (key, database) = ctx.shared_database().await?;
    let env = [(key, database.as_str())];
    let a = ctx.start_with(&env).await?;
    let b = ctx.start_with(&env).await?;
    let mut alice = join(&a, "Alice", Transport::WebSocket).await?;
    expect_online(&mut alice, &["Alice"], "seule").await?;
    alice.clear_events();
    let bob_cookie = session_for(&b.url(), "Bob").await?;
    let mut bob_b = open_tab(&b.url(), &bob_cookie, Transport::WebSocket, "Bob sur B").await?;
    alice
        .expect_event("user joined", &[json!("Bob")], "Bob arrive par B")
        .await?;
    expect_online(&mut alice, &["Alice", "Bob"], "Bob est sur B").await?;
    expect_online(&mut bob_b, &["Alice", "Bob"], "Alice est sur A").await?;
    let mut bob_a = open_tab(&a.url(), &bob_cookie, Transport::Polling, "Bob sur A").await?;
    expect_online(&mut bob_a, &["Alice", "Bob"], "Bob nommé une fois").await?;
    alice
        .expect_no_event(
            "user joined",
            PRESENCE_DELAY,
            "Bob, déjà en ligne par B, ouvre un onglet sur A : pas de second « user joined »",
        )
        .await?;
    let reply = alice
        .emit_with_ack(
            "private message",
            vec![json!({ "to": "bob", "text": "psst" })],
            WAIT,
        )
        .await?;
    if reply != [json!({ "ok": true })] {
        return Err(Failure::new(
            "un message privé d'Alice (sur A) à Bob : accusé { \"ok\": true }",
            show_ack(&reply),
        ));
    }
    let expected = [json!({ "from": "Alice", "to": "Bob", "text": "psst" })];
    for tab in [&mut bob_b, &mut bob_a] {
        let got = tab.next_event("private message", WAIT).await;
        if got.as_deref() != Some(&expected[..]) {
            return Err(Failure::new(
                format!("{} reçoit « private message » {}", tab.name, expected[0]),
                format!("{got:?}"),
            ));
        }
    }
    bob_b.disconnect().await;
    alice
        .expect_no_event(
            "user left",
            PRESENCE_DELAY,
            "Bob ferme son onglet sur B mais en garde un sur A : pas de « user left »",
        )
        .await?;
    bob_a.disconnect().await;
    alice
        .expect_event(
            "user left",
            &[json!("Bob")],
            "le dernier onglet de Bob est fermé",
        )
        .await?;
    expect_online(&mut alice, &["Alice"], "Bob est parti").await
}

/// La limite de débit du chapitre 14 vaut pour tout le chat : Bob, avec
/// un onglet sur A et un sur B, n'envoie pas plus de 5 messages en 5 s en
/// tout ; Alice n'est pas gênée.
pub(super) async fn processes_flood(ctx: Ctx) -> Result<(), Failure> {
    use crate::scenarios::moderation::ack_error;
    let (key, database) = ctx.shared_database().await?;
    let env = [(key, database.as_str()), ("FLOOD_LIMIT", "5")];
    let a = ctx.start_with(&env).await?;
    let b = ctx.start_with(&env).await?;
    let cookie = session_for(&a.url(), "Bob").await?;
    let on_a = open_tab(&a.url(), &cookie, Transport::WebSocket, "Bob sur A").await?;
    let on_b = open_tab(&b.url(), &cookie, Transport::Polling, "Bob sur B").await?;
    let alice = join_account(&b.url(), "Alice", Transport::WebSocket).await?;
    for i in 1..=5 {
        let tab = if i % 2 == 0 { &on_b } else { &on_a };
        let reply = tab
            .emit_with_ack(
                "new message",
                chat_args(&ctx, &format!("message {i}")),
                WAIT,
            )
            .await?;
        if reply.first().and_then(|r| r.get("id")).is_none() {
            return Err(Failure::new(
                format!(
                    "le message nº\u{a0}{i} de Bob ({}) en moins de 5\u{a0}s passe",
                    tab.name
                ),
                show_ack(&reply),
            ));
        }
    }
    for tab in [&on_a, &on_b] {
        let refused = tab
            .emit_with_ack("new message", chat_args(&ctx, "un de trop"), WAIT)
            .await?;
        let sentence = ack_error(&refused).unwrap_or_default();
        if !sentence.to_lowercase().contains("réessayez dans") {
            return Err(Failure::new(
                format!(
                    "{}\u{a0}: un sixième message de Bob en 5\u{a0}s, tous processus confondus, est refusé («\u{a0}… réessayez dans N\u{a0}s\u{a0}»)",
                    tab.name
                ),
                show_ack(&refused),
            ));
        }
    }
    let reply = alice
        .emit_with_ack("new message", chat_args(&ctx, "moi je peux"), WAIT)
        .await?;
    if reply.first().and_then(|r| r.get("id")).is_none() {
        return Err(Failure::new(
            "Alice n'est pas gênée par la limite de Bob",
            show_ack(&reply),
        ));
    }
    Ok(())
}

/// Exercice 15 : `GET /api/online` donne la liste « En ligne » de *tout*
/// le chat. Sans session, 401 ; Alice sur A, bob sur B : A répond
/// `{ "online": ["Alice", "bob"] }` ; bob parti, `{ "online": ["Alice"] }`.
pub(crate) async fn online_everywhere(ctx: Ctx) -> Result<(), Failure> {
    use crate::scenarios::accounts::{body_json, expect_status};
    let (key, database) = ctx.shared_database().await?;
    let env = [(key, database.as_str())];
    let a = ctx.start_with(&env).await?;
    let b = ctx.start_with(&env).await?;
    let anonymous = http::get(a.port(), "/api/online").await?;
    expect_status(&anonymous, 401, "GET /api/online sans session")?;
    let cookie = session_for(&a.url(), "Alice").await?;
    let mut alice = open_tab(&a.url(), &cookie, Transport::WebSocket, "Alice").await?;
    let bob = join_account(&b.url(), "bob", Transport::Polling).await?;
    // La page d'Alice, sur A, voit bob : A le sait donc aussi.
    expect_online(&mut alice, &["Alice", "bob"], "bob est sur B").await?;
    let headers = [("Cookie", cookie.as_str())];
    let ask = || http::send(a.port(), "GET", "/api/online", &headers, "");
    let online = ask().await?;
    expect_status(&online, 200, "GET /api/online avec une session")?;
    let expected = json!({ "online": ["Alice", "bob"] });
    if body_json(&online) != expected {
        return Err(Failure::new(
            format!("GET /api/online sur A répond {expected} (bob est connecté à B)"),
            online.text(),
        ));
    }
    bob.disconnect().await;
    expect_online(&mut alice, &["Alice"], "bob est parti").await?;
    let online = ask().await?;
    let expected = json!({ "online": ["Alice"] });
    if body_json(&online) != expected {
        return Err(Failure::new(
            format!("après le départ de bob, GET /api/online répond {expected}"),
            online.text(),
        ));
    }
    Ok(())
}

/// Une base injoignable ou absente au démarrage : une phrase qui nomme
/// l'adresse (sans son mot de passe), un code de sortie non nul, pas de
/// panique.
pub(super) async fn database_missing(ctx: Ctx) -> Result<(), Failure> {
    const SECRET: &str = "mot-de-passe-a-ne-pas-montrer";
    let port = crate::redis::free_port().await?;
    let nobody = format!("postgres://chat@127.0.0.1:{port}/chat");
    let live = ctx.fresh_database_url().await?;
    let server = live
        .rsplit_once('/')
        .map_or(live.as_str(), |(base, _)| base);
    let absent = format!("{server}/absente");
    let cases = [
        (
            nobody.clone(),
            nobody,
            "rien n'écoute à cette adresse".to_owned(),
        ),
        (
            format!("postgres://chat:{SECRET}@127.0.0.1:{port}/chat"),
            format!("127.0.0.1:{port}"),
            "une adresse avec un mot de passe, où rien n'écoute".to_owned(),
        ),
        (
            absent.clone(),
            absent.clone(),
            format!("{absent}, une base qui n'existe pas"),
        ),
    ];
    for (url, shown, what) in cases {
        let env = [
            ("DATABASE_URL", url.as_str()),
            ("PORT", "0"),
            ("HOST", "127.0.0.1"),
        ];
        let (code, output) = run_to_exit(&ctx, &env).await?;
        check_clean_error(
            &format!("DATABASE_URL : {what}"),
            code,
            &output,
            &[&shown, "Erreur"],
        )?;
        if output.contains(SECRET) {
            return Err(Failure::new(
                "le mot de passe de DATABASE_URL n'est jamais affiché",
                output,
            ));
        }
    }
    Ok(())
}

/// PostgreSQL arrêté pendant que le chat tourne : pas d'accusé de succès
/// pour un message qui n'est pas enregistré, mais `{ error, retry: true }`,
/// rien ne part, `/health` répond 503 ; PostgreSQL relancé, le même envoi
/// (même clientOffset) est enregistré une fois et remis à tous.
pub(super) async fn database_outage(ctx: Ctx) -> Result<(), Failure> {
    const TEXT: &str = "pendant la panne";
    let server = ctx.start().await?;
    let url = server.url();
    let mut author = tab(&ctx, &url, "Alice", json!(0)).await?;
    let mut witness = tab(&ctx, &url, "Bob", json!(0)).await?;
    let before = send_stored(&author, "avant la panne", "panne-1").await?;
    expect_posted(
        &mut witness,
        "Alice",
        "avant la panne",
        before,
        "PostgreSQL répond",
    )
    .await?;
    expect_posted(
        &mut author,
        "Alice",
        "avant la panne",
        before,
        "son propre message",
    )
    .await?;

    ctx.stop_postgres().await?;
    for attempt in 1..=2 {
        let ack = author
            .emit_with_ack("new message", vec![json!(TEXT), json!("panne-2")], ACK_WAIT)
            .await?;
        let retry = matches!(ack.as_slice(), [reply]
            if reply.get("error").is_some_and(Value::is_string)
                && reply.get("retry") == Some(&json!(true))
                && reply.get("id").is_none());
        if !retry {
            return Err(Failure::new(
                format!(
                    "PostgreSQL arrêté, essai nº {attempt} : l'accusé est {{ \"error\": <phrase>, \"retry\": true }}, sans numéro"
                ),
                show_ack(&ack),
            ));
        }
    }
    witness
        .expect_nothing(
            SILENCE,
            "rien ne part tant que le message n'est pas enregistré",
        )
        .await?;
    author
        .expect_nothing(SILENCE, "l'auteur ne reçoit pas un message non enregistré")
        .await?;
    server
        .log()
        .wait_for(
            "une ligne « Message de <pseudo> non enregistré : <raison> »",
            1,
            |l| l.starts_with("Message de ") && l.contains("non enregistré"),
            WAIT,
        )
        .await?;
    wait_health(&server, 503, "PostgreSQL arrêté").await?;
    let values = read_metrics(&server).await?;
    let failed = values
        .get("chat_writes_failed_total")
        .copied()
        .unwrap_or(0.0);
    if failed < 1.0 {
        return Err(Failure::new(
            "/metrics : chat_writes_failed_total compte les écritures ratées pendant la panne",
            format!("il vaut {failed}"),
        ));
    }

    ctx.restart_postgres().await?;
    wait_health(&server, 200, "PostgreSQL relancé").await?;
    // Le même envoi, comme la page qui réessaie : il passe dès que le
    // chat a retrouvé la base.
    let started = Instant::now();
    let id = loop {
        let ack = author
            .emit_with_ack("new message", vec![json!(TEXT), json!("panne-2")], ACK_WAIT)
            .await?;
        let id = ack
            .first()
            .and_then(|r| r.get("id"))
            .and_then(Value::as_i64);
        let retry = ack.first().and_then(|r| r.get("retry")) == Some(&json!(true));
        match id {
            Some(id) => break id,
            None if retry && started.elapsed() < WAIT => {
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            None => {
                return Err(Failure::new(
                    "PostgreSQL relancé, le même envoi reçoit { \"id\": <numéro> }",
                    show_ack(&ack),
                ));
            }
        }
    };
    if id <= before {
        return Err(Failure::new(
            format!("le message enregistré après la panne a un numéro plus grand que {before}"),
            format!("{id}"),
        ));
    }
    let why = "PostgreSQL relancé, le message part, une fois";
    expect_posted(&mut witness, "Alice", TEXT, id, why).await?;
    expect_posted(&mut author, "Alice", TEXT, id, why).await?;
    let again = send_stored(&author, TEXT, "panne-2").await?;
    if again != id {
        return Err(Failure::new(
            format!("renvoyé encore, le message garde son numéro {id}"),
            format!("{again}"),
        ));
    }
    witness
        .expect_nothing(SILENCE, "le témoin reçoit le message une seule fois")
        .await?;
    let mut late = tab(&ctx, &url, "Chloé", json!(before)).await?;
    let why = "l'historique après « avant la panne » ne contient que lui";
    expect_posted(&mut late, "Alice", TEXT, id, why).await?;
    late.expect_nothing(SILENCE, why).await
}
