//! Chapitre 15 : le journal structuré. Avec `LOG_FORMAT=json`, chaque
//! évènement du chat est aussi une ligne JSON sur la sortie d'erreur, avec
//! ses champs à part ; la sortie standard garde ses lignes en français ;
//! aucun secret n'y entre ; un réglage inconnu est refusé en français.

use std::time::{Duration, Instant};

use serde_json::Value;

use super::*;
use crate::client::Transport;
use crate::scenarios::accounts::{PASSWORD, open_tab, session_for};
use crate::scenarios::history::send_stored;
use crate::scenarios::lifecycle::{check_clean_error, run_to_exit};
use crate::{Ctx, Failure, Server, WAIT};

/// Les lignes JSON de la sortie d'erreur ; une ligne qui n'en est pas une,
/// ou à qui manque l'heure, le niveau, le module ou la phrase, est une
/// erreur.
fn events(server: &Server) -> Result<Vec<Value>, Failure> {
    let mut events = Vec::new();
    for line in server.log().stderr() {
        let event: Value = serde_json::from_str(&line).map_err(|_| {
            Failure::new(
                "avec LOG_FORMAT=json, chaque ligne de la sortie d'erreur est un objet JSON",
                format!("«\u{a0}{line}\u{a0}»"),
            )
        })?;
        let complete = ["timestamp", "level", "target", "message"]
            .iter()
            .all(|key| event.get(key).is_some_and(Value::is_string));
        if !complete {
            return Err(Failure::new(
                "chaque évènement JSON a timestamp, level, target et message (des textes)",
                line,
            ));
        }
        events.push(event);
    }
    Ok(events)
}

/// Attend un évènement de niveau `level` dont la phrase est `message` et
/// qui porte chacun des champs `fields` (au plus [`WAIT`]).
async fn expect_event(
    server: &Server,
    level: &str,
    message: impl Fn(&str) -> bool,
    fields: &[(&str, Value)],
    what: &str,
) -> Result<Value, Failure> {
    let started = Instant::now();
    loop {
        let events = events(server)?;
        let found = events.iter().find(|e| {
            e["level"] == level
                && e["message"].as_str().is_some_and(&message)
                && fields.iter().all(|(key, value)| e.get(*key) == Some(value))
        });
        if let Some(event) = found {
            return Ok(event.clone());
        }
        if started.elapsed() > WAIT {
            let wanted: Vec<String> = fields.iter().map(|(k, v)| format!("{k}={v}")).collect();
            let seen: Vec<String> = events.iter().rev().take(6).map(Value::to_string).collect();
            return Err(Failure::new(
                format!(
                    "un évènement {level} pour {what}, avec {}",
                    wanted.join(", ")
                ),
                format!("derniers évènements\u{a0}: {}", seen.join(" | ")),
            ));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

pub(super) async fn structured_logs(ctx: Ctx) -> Result<(), Failure> {
    // Un réglage inconnu : refusé avant tout, en français.
    let (code, output) = run_to_exit(&ctx, &[("LOG_FORMAT", "xml")]).await?;
    check_clean_error("LOG_FORMAT=xml", code, &output, &["LOG_FORMAT", "json"])?;
    let (code, output) = run_to_exit(&ctx, &[("LOG_LEVEL", "bavard")]).await?;
    check_clean_error("LOG_LEVEL=bavard", code, &output, &["LOG_LEVEL", "info"])?;

    let server = ctx.start_with(&[("LOG_FORMAT", "json")]).await?;
    let url = server.url();
    let cookie = session_for(&url, "Journal").await?;
    let tab = open_tab(&url, &cookie, Transport::WebSocket, "Journal").await?;
    expect_event(
        &server,
        "INFO",
        |m| m.starts_with("Journal vient de se connecter ("),
        &[("account", json!("Journal"))],
        "l'arrivée d'un compte",
    )
    .await?;
    let id = send_stored(&tab, "tout est noté", "journal-1").await?;
    expect_event(
        &server,
        "INFO",
        |m| m == "message: tout est noté",
        &[("account", json!("Journal")), ("id", json!(id))],
        "un message enregistré (son auteur et le numéro de son accusé)",
    )
    .await?;
    let too_long = "é".repeat(1_001);
    let refused = tab
        .emit_with_ack(
            "new message",
            vec![json!(too_long), json!("journal-2")],
            WAIT,
        )
        .await?;
    if refused.first().and_then(|r| r.get("error")).is_none() {
        return Err(Failure::new(
            "un message de 1\u{202f}001\u{a0}caractères est refusé",
            crate::client::show_ack(&refused),
        ));
    }
    let event = expect_event(
        &server,
        "INFO",
        |m| m.starts_with("Message de Journal refusé"),
        &[("account", json!("Journal"))],
        "un message refusé",
    )
    .await?;
    if !event["reason"]
        .as_str()
        .is_some_and(|r| r.contains("trop long"))
    {
        return Err(Failure::new(
            "le refus porte sa raison dans un champ «\u{a0}reason\u{a0}»",
            event.to_string(),
        ));
    }
    // La sortie standard n'a pas changé : la phrase seule.
    server.expect_line("message: tout est noté", 1).await?;
    tab.disconnect().await;
    let log = server.shared_log();
    server.stop().await?;
    log.wait_finished(WAIT).await;
    let token = cookie.trim_start_matches("session=");
    let printed = [log.stdout(), log.stderr()].concat().join("\n");
    for secret in [PASSWORD, token] {
        if printed.contains(secret) {
            return Err(Failure::new(
                "le journal ne montre jamais un mot de passe ni un identifiant de session",
                format!("«\u{a0}{secret}\u{a0}» y est écrit"),
            ));
        }
    }
    Ok(())
}
