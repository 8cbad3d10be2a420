//! Chapitre 10 : les messages privés et « … est en train d'écrire ».

use std::time::Duration;

use serde_json::{Value, json};

use super::SILENCE;
use super::pseudos::{expect_online, join};
use crate::client::{Client, Transport, show};
use crate::proxy::Proxy;
use crate::{Ctx, Failure, WAIT};

const ACK_WAIT: Duration = Duration::from_secs(5);

/// Envoie un message privé avec accusé et rend l'accusé.
async fn send_private(client: &Client, payload: Value) -> Result<Value, Failure> {
    let ack = client
        .emit_with_ack("private message", vec![payload.clone()], ACK_WAIT)
        .await
        .map_err(|mut f| {
            f.expected = format!(
                "« private message » {} reçoit un accusé, même refusé",
                show(std::slice::from_ref(&payload))
            );
            f
        })?;
    Ok(ack.into_iter().next().unwrap_or(Value::Null))
}

/// Un message privé n'arrive qu'au destinataire (pseudo écrit sans tenir
/// compte des majuscules) ; l'expéditeur reçoit `{ ok: true }`.
pub(super) async fn private_delivery(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx.start().await?;
    for transport in Transport::BOTH {
        let suffix = transport.label();
        let alice = join(&server, &format!("Alice {suffix}"), transport).await?;
        let mut bob = join(&server, &format!("Bob {suffix}"), Transport::WebSocket).await?;
        let mut chloe = join(&server, &format!("Chloé {suffix}"), Transport::Polling).await?;
        let payload =
            json!({ "to": format!("BOB {suffix}").to_uppercase(), "text": "rien qu'à toi" });
        let ack = send_private(&alice, payload).await?;
        if ack != json!({ "ok": true }) {
            return Err(Failure::new(
                "l'accusé d'un message privé remis est { \"ok\": true }",
                format!("l'accusé vaut {ack}"),
            ));
        }
        bob.expect_event(
            "private message",
            &[json!({ "from": alice.name, "text": "rien qu'à toi" })],
            "le destinataire, même écrit en majuscules",
        )
        .await?;
        chloe
            .expect_no_event(
                "private message",
                SILENCE,
                "un message privé n'arrive qu'à son destinataire : il a été envoyé à tous",
            )
            .await?;
        if chloe.next(SILENCE).await.is_some() || bob.next(SILENCE).await.is_some() {
            return Err(Failure::new(
                "un message privé ne part pas aussi comme « new message »",
                "un « new message » est arrivé",
            ));
        }
        for client in [alice, bob, chloe] {
            client.disconnect().await;
        }
    }
    Ok(())
}

/// Personne à ce pseudo, soi-même, donnée invalide : un accusé
/// `{ error }` en français, et rien n'est remis à personne.
pub(super) async fn private_refusals(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx.start().await?;
    let alice = join(&server, "Alice", Transport::WebSocket).await?;
    let mut bob = join(&server, "Bob", Transport::Polling).await?;
    let cases = [
        (
            json!({ "to": "Personne", "text": "allô ?" }),
            "un pseudo que personne n'a",
        ),
        (json!({ "to": "alice", "text": "moi ?" }), "soi-même"),
        (json!({ "to": "Bob" }), "sans texte"),
        (
            json!({ "to": 42, "text": "x" }),
            "un destinataire qui n'est pas un texte",
        ),
        (json!("Bob"), "un texte au lieu d'un objet"),
    ];
    for (payload, what) in cases {
        let ack = send_private(&alice, payload).await?;
        let error = ack.get("error").and_then(Value::as_str).unwrap_or("");
        if error.trim().is_empty() || ack.get("ok").is_some() {
            return Err(Failure::new(
                format!(
                    "un message privé à {what} : l'accusé est {{ \"error\": <phrase en français> }}"
                ),
                format!("l'accusé vaut {ack}"),
            ));
        }
    }
    bob.expect_no_event(
        "private message",
        SILENCE,
        "un message privé refusé n'est remis à personne",
    )
    .await?;
    // Sans accusé : refusé en silence pour le client, sans rien casser.
    alice
        .emit("private message", vec![json!({ "to": "Bob" })])
        .await?;
    server
        .log()
        .wait_for(
            "un avertissement pour un message privé sans texte",
            2,
            |l| l.starts_with("Avertissement"),
            WAIT,
        )
        .await?;
    Ok(())
}

/// `typing` : relayé aux autres avec l'auteur ; une donnée invalide est
/// ignorée avec un avertissement.
pub(super) async fn typing(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx.start().await?;
    let mut alice = join(&server, "Alice", Transport::WebSocket).await?;
    let mut bob = join(&server, "Bob", Transport::Polling).await?;
    expect_online(&mut alice, &["Alice", "Bob"], "deux en ligne").await?;
    for state in [true, false] {
        alice.emit("typing", vec![json!(state)]).await?;
        bob.expect_event(
            "typing",
            &[json!({ "from": "Alice", "typing": state })],
            "les autres voient qui écrit",
        )
        .await?;
    }
    alice
        .expect_no_event(
            "typing",
            SILENCE,
            "l'auteur ne reçoit pas son propre « typing »",
        )
        .await?;
    for (i, bad) in [json!("oui"), json!(1), json!(null)]
        .into_iter()
        .enumerate()
    {
        alice.emit("typing", vec![bad.clone()]).await?;
        server
            .log()
            .wait_for(
                &format!("un avertissement pour « typing » avec {bad}"),
                i + 1,
                |l| l.starts_with("Avertissement"),
                WAIT,
            )
            .await?;
    }
    bob.expect_no_event(
        "typing",
        SILENCE,
        "un « typing » invalide n'est relayé à personne",
    )
    .await
}

/// `typing` est volatile : pour un client gelé, ces paquets sont abandonnés
/// au lieu de remplir sa file, et il n'est pas déconnecté pour autant ;
/// les messages, eux, lui arrivent tous quand il revient.
pub(super) async fn typing_is_volatile(ctx: Ctx) -> Result<(), Failure> {
    const FLOOD: usize = 12_000;
    let server = ctx.start().await?;
    let alice = join(&server, "Alice", Transport::WebSocket).await?;
    let proxy = Proxy::start(server.port()).await?;
    let mut frozen = Client::connect_auth(
        &proxy.url(),
        Transport::WebSocket,
        "Gelé",
        json!({ "pseudo": "Gelé" }),
    )
    .await?;
    proxy.freeze();
    let padding = "·".repeat(200);
    for i in 0..FLOOD {
        alice.emit("typing", vec![json!(i % 2 == 0)]).await?;
        if i % 2_000 == 0 {
            alice.send_text(&format!("message {i} {padding}")).await?;
        }
    }
    alice.send_text("le dernier").await?;
    server
        .log()
        .wait_for(
            "« message: le dernier »",
            1,
            |l| l == "message: le dernier",
            WAIT,
        )
        .await?;
    if server
        .log()
        .stdout()
        .iter()
        .any(|l| l.contains("trop lent"))
    {
        return Err(Failure::new(
            "des « typing » en volatile ne remplissent pas la file d'un client gelé (pas de « trop lent »)",
            "le client gelé a été jugé trop lent : « typing » n'est pas volatile",
        ));
    }
    proxy.thaw();
    let mut received = Vec::new();
    while let Some(text) = frozen.next_text(WAIT).await {
        let last = text == "le dernier";
        received.push(text);
        if last {
            break;
        }
    }
    let expected = FLOOD.div_ceil(2_000) + 1;
    if received.len() != expected || received.last().map(String::as_str) != Some("le dernier") {
        return Err(Failure::new(
            format!("le client dégelé reçoit les {expected} messages, sans trou"),
            format!("{} reçus", received.len()),
        ));
    }
    Ok(())
}
