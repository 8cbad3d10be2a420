//! La connexion Socket.IO (à partir du chapitre 2) et les messages reçus
//! par le serveur (à partir du chapitre 3).

use serde_json::{Value, json};

use super::*;
use crate::client::{Transport, show};
use crate::{Ctx, Failure, WAIT, http};

pub(super) async fn client_bundle(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx.start().await?;
    let response = http::get(server.port(), "/socket.io/socket.io.js").await?;
    let content_type = response.header("content-type").unwrap_or("");
    let body = response.text();
    if response.status != 200 {
        return Err(Failure::new(
            "GET /socket.io/socket.io.js répond 200",
            format!(
                "statut {} : {}",
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

pub(super) async fn connect_log(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx.start().await?;
    let mut clients = Vec::new();
    for (i, transport) in Transport::BOTH.into_iter().enumerate() {
        clients.push(connect(&ctx, &server.url(), transport, transport.label()).await?);
        let wanted = if has_nicknames(&ctx) {
            "« <pseudo> vient de se connecter (<id>) »"
        } else if ctx.number() >= 6 {
            "« Un client vient de se connecter. Son ID : <id> »"
        } else {
            "« Un client vient de se connecter »"
        };
        server
            .log()
            .wait_for(wanted, i + 1, |l| is_connect_line(&ctx, l), WAIT)
            .await?;
    }
    Ok(())
}

pub(super) async fn message_log(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx.start().await?;
    for transport in Transport::BOTH {
        let client = connect(&ctx, &server.url(), transport, transport.label()).await?;
        let text = format!("Bonjour, ça va ? <b>{}</b>", transport.label());
        send_chat(&ctx, &client, &text).await?;
        server.expect_line(&message_line(&ctx, &text), 1).await?;
    }
    Ok(())
}

/// Un texte qui commanderait le terminal du serveur : effacer l'écran, puis
/// écrire en rouge.
pub(super) const TERMINAL_ESCAPE: &str = "\u{1b}[2J\u{1b}[31mtout est rouge";

/// Un texte qui écrirait dans le terminal une fausse ligne du serveur.
pub(super) const FORGED_LINE: &str = "à plus\nUn client s'est déconnecté";

pub(super) async fn bad_payload(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx.start().await?;
    let mut witness = connect(&ctx, &server.url(), Transport::WebSocket, "témoin").await?;
    let bad: Vec<Vec<Value>> = if ctx.number() == 7 {
        vec![
            vec![json!("room1"), json!(42)],
            vec![json!("room1"), json!({"texte": "x"})],
            vec![json!("room1")],
            vec![],
            vec![json!("room1"), json!(TERMINAL_ESCAPE)],
            vec![json!("room1"), json!(FORGED_LINE)],
        ]
    } else {
        vec![
            vec![json!(42)],
            vec![json!({"texte": "x"})],
            vec![json!(["a", "b"])],
            vec![],
            vec![json!(TERMINAL_ESCAPE)],
            vec![json!(FORGED_LINE)],
        ]
    };
    let mut warnings = 0;
    for transport in Transport::BOTH {
        let sender = connect(&ctx, &server.url(), transport, transport.label()).await?;
        for args in &bad {
            sender.emit("new message", args.clone()).await?;
            warnings += 1;
            server
                .log()
                .wait_for(
                    &format!("un avertissement pour « new message » avec {}", show(args)),
                    warnings,
                    |l| l.starts_with("Avertissement"),
                    WAIT,
                )
                .await?;
        }
        if ctx.number() >= 4 {
            witness
                .expect_nothing(SILENCE, "une donnée invalide n'est transmise à personne")
                .await?;
        }
        no_control_in_output(&server)?;
        // L'auteur est toujours connecté : son message suivant passe.
        let text = format!("toujours là ({})", transport.label());
        send_chat(&ctx, &sender, &text).await?;
        server.expect_line(&message_line(&ctx, &text), 1).await?;
        if ctx.number() >= 4 {
            expect_chat(&ctx, &mut witness, &text, "le message valide qui suit").await?;
        }
    }
    Ok(())
}

pub(super) async fn oversized(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx.start().await?;
    let huge = "x".repeat(1_100_000);
    for transport in Transport::BOTH {
        let mut other = connect(&ctx, &server.url(), Transport::WebSocket, "autre").await?;
        let big = connect(&ctx, &server.url(), transport, transport.label()).await?;
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
                "il est encore connecté : son message suivant a été traité",
            ));
        }
        let text = format!("les autres continuent ({})", transport.label());
        send_chat(&ctx, &other, &text).await?;
        server.expect_line(&message_line(&ctx, &text), 1).await?;
        if sender_receives(&ctx) {
            expect_chat(&ctx, &mut other, &text, "son propre message").await?;
        }
        other.disconnect().await;
    }
    Ok(())
}
