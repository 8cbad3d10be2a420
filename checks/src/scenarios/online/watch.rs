//! Chapitre 15 : ce que regarde l'exploitation. `/health` (200 ou 503
//! selon la base et Redis) et `/metrics` lu comme le lirait Prometheus,
//! avec les aides pour attendre une valeur ; les pannes s'en servent aussi.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use super::*;
use crate::client::{Transport, show_ack};
use crate::scenarios::accounts::{join_account, open_tab, session_for};
use crate::scenarios::history::send_stored;
use crate::{Ctx, Failure, Server, WAIT, http};

/// Les mesures promises par `/metrics`, et leur type Prometheus.
const MEASURES: [(&str, &str); 4] = [
    ("chat_connected_accounts", "gauge"),
    ("chat_messages_stored_total", "counter"),
    ("chat_messages_refused_total", "counter"),
    ("chat_writes_failed_total", "counter"),
];

/// Interroge `/health` jusqu'à recevoir `status` (au plus [`WAIT`]).
pub(super) async fn wait_health(server: &Server, status: u16, why: &str) -> Result<(), Failure> {
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
pub(super) async fn read_metrics(server: &Server) -> Result<HashMap<String, f64>, Failure> {
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
pub(crate) async fn health(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx.start().await?;
    let first = http::get(server.port(), "/health").await?;
    if first.status != 200 {
        return Err(Failure::new(
            "GET /health répond 200 quand PostgreSQL et Redis répondent",
            format!("{} : « {} »", first.status, first.text().trim()),
        ));
    }
    let url = server.url();
    let alice = join_account(&url, "Alice", Transport::WebSocket).await?;
    let _bob = join_account(&url, "Bob", Transport::WebSocket).await?;
    let Some(port) = ctx.kill_redis().await else {
        return Err(Failure::new("un Redis à arrêter", "aucun Redis lancé"));
    };
    wait_health(&server, 503, "Redis arrêté").await?;
    private_refused_in_french(&alice).await?;
    ctx.restart_redis(port).await?;
    wait_health(&server, 200, "Redis relancé").await
}

/// Redis arrêté, un message privé ne part pas : l'accusé le dit en
/// français, sans le détail anglais de socketioxide (« Adapter error »).
async fn private_refused_in_french(alice: &crate::client::Client) -> Result<(), Failure> {
    let message = json!({ "to": "Bob", "text": "Redis est-il là\u{a0}?" });
    let reply = alice
        .emit_with_ack("private message", vec![message], WAIT)
        .await?;
    let error = reply
        .first()
        .and_then(|r| r.get("error"))
        .and_then(|e| e.as_str())
        .unwrap_or_default();
    if error.is_empty() || error.contains("error") || error.contains("Adapter") {
        return Err(Failure::new(
            "Redis arrêté, un message privé reçoit { \"error\" }\u{a0}: une phrase en français",
            show_ack(&reply),
        ));
    }
    Ok(())
}

/// `/metrics` : le format, puis des compteurs qui suivent ce qui se passe.
pub(crate) async fn metrics(ctx: Ctx) -> Result<(), Failure> {
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
