//! Les exercices qui se voient dans le terminal (chapitres 1 à 3), et
//! celui du chapitre 11, qu'un seul client vérifie.

use std::path::Path;

use super::plain;
use crate::client::{Transport, show_lines};
use crate::scenarios::connect;
use crate::{Ctx, Failure, WAIT};

/// Exercice 1 : « Dossier servi : … » avant « Adresse du serveur ».
pub(super) async fn folder_line(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx.start().await?;
    let lines = server.log().stdout();
    let expected = "une ligne « Dossier servi : <chemin absolu du dossier client/ch01-static> », avant « Adresse du serveur : … »";
    let prefix = plain("Dossier servi : ");
    let Some(line) = lines
        .iter()
        .map(|l| plain(l))
        .find(|l| l.starts_with(&prefix))
    else {
        return Err(Failure::new(
            expected,
            format!("les lignes affichées avant : {}", show_lines(&lines)),
        ));
    };
    let shown = Path::new(line.trim_start_matches(&prefix));
    let served = Path::new("client").join("ch01-static");
    if !shown.is_absolute() || !shown.ends_with(&served) || !shown.is_dir() {
        return Err(Failure::new(
            expected,
            format!(
                "« {line} » (ce n'est pas le chemin absolu d'un dossier client/ch01-static qui existe)"
            ),
        ));
    }
    server.stop().await.map(drop)
}

/// Exercice 1 : la page est toujours servie.
pub(super) async fn page_served(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx.start().await?;
    let page = crate::http::get(server.port(), "/").await?;
    if page.status != 200 || !page.text().contains("Socket.io") {
        return Err(Failure::new(
            "GET / répond 200 avec la page du chat (titre « Socket.io »)",
            format!("statut {}", page.status),
        ));
    }
    server.stop().await.map(drop)
}

/// Exercice 2 : « Son ID : … » juste après chaque connexion.
pub(super) async fn id_line(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx.start().await?;
    let url = server.url();
    let a = connect(&ctx, &url, Transport::WebSocket, "A").await?;
    let b = connect(&ctx, &url, Transport::Polling, "B").await?;
    let prefix = plain("Son ID : ");
    server
        .log()
        .wait_for(
            "une ligne «\u{a0}Son ID\u{a0}: <identifiant>\u{a0}» par client",
            2,
            |l| plain(l).starts_with(&prefix),
            WAIT,
        )
        .await?;
    let lines = server.log().stdout();
    let mut ids = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if line != "Un client vient de se connecter" {
            continue;
        }
        let next = lines.get(i + 1).map(String::as_str).unwrap_or("");
        match plain(next).strip_prefix(&prefix) {
            Some(id) if !id.trim().is_empty() && !id.contains(' ') => ids.push(id.to_owned()),
            _ => {
                return Err(Failure::new(
                    "juste après « Un client vient de se connecter », la ligne « Son ID : <identifiant> »",
                    format!("« {next} »"),
                ));
            }
        }
    }
    ids.dedup();
    if ids.len() != 2 {
        return Err(Failure::new(
            "deux clients connectés : deux lignes « Son ID : … » avec deux identifiants différents",
            format!("les identifiants affichés : {ids:?}"),
        ));
    }
    a.disconnect().await;
    b.disconnect().await;
    server.stop().await.map(drop)
}

/// Exercice 3 : la longueur en caractères et en octets, accordée.
pub(super) async fn length_line(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx.start().await?;
    let client = connect(&ctx, &server.url(), Transport::WebSocket, "A").await?;
    for (text, expected) in [
        ("café", "4 caractères, 5 octets"),
        ("é", "1 caractère, 2 octets"),
    ] {
        client.send_text(text).await?;
        let message = format!("message: {text}");
        server.expect_line(&message, 1).await?;
        let deadline = tokio::time::Instant::now() + WAIT;
        let next = loop {
            let lines = server.log().stdout();
            let at = lines.iter().position(|l| *l == message);
            if let Some(next) = at.and_then(|at| lines.get(at + 1)) {
                break Some(next.clone());
            }
            if tokio::time::Instant::now() > deadline {
                break None;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        };
        if next.as_deref() != Some(expected) {
            return Err(Failure::new(
                format!("après « {message} », la ligne « {expected} »"),
                match next {
                    Some(line) => format!("« {line} »"),
                    None => "aucune ligne".to_owned(),
                },
            ));
        }
    }
    client.disconnect().await;
    server.stop().await.map(drop)
}

/// Exercice 9 : les pseudos réservés, refusés avant la connexion.
pub(super) async fn reserved_nicknames(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx.start().await?;
    let url = server.url();
    for (i, pseudo) in ["Admin", "serveur", "SERVEUR"].into_iter().enumerate() {
        let auth = serde_json::json!({ "pseudo": pseudo });
        let message = crate::Client::connect_refused(&url, Transport::nth(i), auth).await?;
        let expected = format!("Le pseudo «\u{a0}{pseudo}\u{a0}» est réservé.");
        if plain(&message) != plain(&expected) {
            return Err(Failure::new(
                format!("le refus de «\u{a0}{pseudo}\u{a0}» dit «\u{a0}{expected}\u{a0}»"),
                format!("«\u{a0}{message}\u{a0}»"),
            ));
        }
        let refused = plain("Connexion refusée : ");
        server
            .log()
            .wait_for(&refused, i + 1, |l| plain(l).starts_with(&refused), WAIT)
            .await?;
    }
    for pseudo in ["Alice", "administrateur"] {
        let auth = serde_json::json!({ "pseudo": pseudo });
        let client = crate::Client::connect_auth(&url, Transport::WebSocket, pseudo, auth).await?;
        server
            .expect_prefix(&format!("{pseudo} vient de se connecter ("), 1)
            .await?;
        client.disconnect().await;
    }
    server.stop().await.map(drop)
}

/// Exercice 11 : `history` rend, par l'accusé, les 20 messages d'avant un
/// numéro, du plus ancien au plus récent, comme `[texte, numéro]`.
pub(super) async fn older_messages(ctx: Ctx) -> Result<(), Failure> {
    use serde_json::{Value, json};
    let wait = std::time::Duration::from_secs(10);
    let server = ctx.start().await?;
    let reader = crate::Client::connect_auth(
        &server.url(),
        Transport::WebSocket,
        "lecteur",
        json!({ "serverOffset": 0 }),
    )
    .await?;
    for i in 1..=25 {
        let args = vec![json!(format!("m{i}")), json!(format!("ex11-{i}"))];
        reader.emit_with_ack("new message", args, wait).await?;
    }
    for (before, first) in [(26, 6), (19, 1), (1, 1)] {
        let expected: Vec<Value> = (first..before)
            .map(|i| json!([format!("m{i}"), i]))
            .collect();
        let what = match expected.len() {
            0 => format!(
                "l'accusé de « history » avec {before} rend une liste vide (aucun message avant le nº {before})"
            ),
            20 => format!(
                "l'accusé de « history » avec {before} rend les 20 messages d'avant (nº {first} à {}), du plus ancien au plus récent, comme [texte, numéro]",
                before - 1
            ),
            n => format!(
                "l'accusé de « history » avec {before} rend les {n} messages d'avant, tous ceux qui existent (nº {first} à {}), du plus ancien au plus récent, comme [texte, numéro]",
                before - 1
            ),
        };
        let reply = reader
            .emit_with_ack("history", vec![json!(before)], wait)
            .await
            .map_err(|f| Failure::new(what.clone(), f.seen))?;
        if reply.first() != Some(&Value::Array(expected)) {
            return Err(Failure::new(what, crate::client::show_ack(&reply)));
        }
    }
    Ok(())
}
