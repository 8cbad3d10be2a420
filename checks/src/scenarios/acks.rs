//! Chapitre 8 (et les suivants) : les accusés de réception.

use std::time::Duration;

use serde_json::{Value, json};

use super::*;
use crate::client::{Transport, message_text, show, show_ack};
use crate::{Ctx, Failure, WAIT};

/// Le temps qu'un client laisse au serveur pour accuser réception, comme
/// `socket.timeout(5000)` dans la page.
const ACK_WAIT: Duration = Duration::from_secs(5);

/// Le numéro `id` d'un accusé `{ "id": n }`, ou un échec qui dit ce qui est
/// venu à la place.
fn ack_id(ack: &[Value], what: &str) -> Result<u64, Failure> {
    match ack {
        [reply] if reply.get("error").is_none() => {
            reply.get("id").and_then(Value::as_u64).ok_or_else(|| {
                Failure::new(
                    format!("{what} : l'accusé est {{ \"id\": <numéro> }}"),
                    show_ack(ack),
                )
            })
        }
        _ => Err(Failure::new(
            format!("{what} : l'accusé est {{ \"id\": <numéro> }}"),
            show_ack(ack),
        )),
    }
}

/// Le numéro d'un accusé de réception suit l'ordre des messages relayés par
/// le serveur, ceux envoyés sans accusé compris.
pub(super) async fn ack_ids(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx.start().await?;
    for transport in Transport::BOTH {
        let sender = connect(&ctx, &server.url(), transport, transport.label()).await?;
        let mut witness = connect(&ctx, &server.url(), Transport::WebSocket, "témoin").await?;
        let first = sender
            .emit_with_ack("new message", chat_args(&ctx, "un"), ACK_WAIT)
            .await?;
        let first = ack_id(&first, "premier message")?;
        expect_chat(
            &ctx,
            &mut witness,
            "un",
            "le message avec accusé est relayé",
        )
        .await?;
        // Sans accusé : relayé et compté, sans réponse.
        send_chat(&ctx, &sender, "deux").await?;
        expect_chat(
            &ctx,
            &mut witness,
            "deux",
            "le message sans accusé est relayé",
        )
        .await?;
        let third = sender
            .emit_with_ack("new message", chat_args(&ctx, "trois"), ACK_WAIT)
            .await?;
        let third = ack_id(&third, "troisième message")?;
        if third != first + 2 {
            return Err(Failure::new(
                format!(
                    "les numéros des accusés suivent les messages relayés ({}) : {first}, puis {} après un message sans accusé",
                    transport.label(),
                    first + 2
                ),
                format!("{first}, puis {third}"),
            ));
        }
        witness.disconnect().await;
        sender.disconnect().await;
    }
    // Le tout premier message du serveur porte le numéro 1.
    let fresh = ctx.start().await?;
    let client = connect(&ctx, &fresh.url(), Transport::WebSocket, "premier").await?;
    let ack = client
        .emit_with_ack("new message", chat_args(&ctx, "le tout premier"), ACK_WAIT)
        .await?;
    match ack_id(&ack, "le premier message du serveur")? {
        1 => Ok(()),
        n => Err(Failure::new(
            "le premier message relayé par un serveur neuf porte le numéro 1",
            format!("numéro {n}"),
        )),
    }
}

/// Une donnée invalide avec accusé : refusée, mais l'accusé répond quand
/// même, avec `{ "error": … }` en français.
pub(super) async fn ack_bad_payload(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx.start().await?;
    let mut witness = connect(&ctx, &server.url(), Transport::WebSocket, "témoin").await?;
    let bad = [json!(42), json!({ "texte": "x" }), json!(["a", "b"])];
    let mut warnings = 0;
    for transport in Transport::BOTH {
        let sender = connect(&ctx, &server.url(), transport, transport.label()).await?;
        let mut cases: Vec<Vec<Value>> = bad.iter().map(|v| vec![v.clone()]).collect();
        cases.push(Vec::new());
        for args in cases {
            let what = format!("« new message » avec {} et un accusé", show(&args));
            let ack = sender
                .emit_with_ack("new message", args, ACK_WAIT)
                .await
                .map_err(|_| {
                    Failure::new(
                        format!("{what} : l'accusé répond, même à une donnée invalide"),
                        "aucun accusé en 5 s : le gestionnaire n'a jamais répondu (un extracteur \
                         qui échoue, comme Text, saute le gestionnaire et l'accusé avec lui)",
                    )
                })?;
            let error = ack
                .first()
                .and_then(|reply| reply.get("error"))
                .and_then(Value::as_str)
                .unwrap_or("");
            if error.trim().is_empty() || ack.first().and_then(|r| r.get("id")).is_some() {
                return Err(Failure::new(
                    format!("{what} : l'accusé est {{ \"error\": <phrase en français> }}"),
                    show_ack(&ack),
                ));
            }
            if error.contains("invalid type") || error.contains("expected") {
                return Err(Failure::new(
                    format!("{what} : la raison est en français"),
                    format!("« {error} »"),
                ));
            }
            warnings += 1;
            server
                .log()
                .wait_for(
                    &format!("un avertissement pour {what}"),
                    warnings,
                    |l| l.starts_with("Avertissement"),
                    WAIT,
                )
                .await?;
        }
        witness
            .expect_nothing(SILENCE, "une donnée invalide n'est transmise à personne")
            .await?;
        let ack = sender
            .emit_with_ack("new message", chat_args(&ctx, "toujours là"), ACK_WAIT)
            .await?;
        ack_id(
            &ack,
            "le message valide qui suit (l'auteur est toujours connecté)",
        )?;
        expect_chat(
            &ctx,
            &mut witness,
            "toujours là",
            "le message valide qui suit",
        )
        .await?;
    }
    Ok(())
}

/// 1 000 messages avec accusé : des numéros strictement croissants, et les
/// autres clients reçoivent les textes dans l'ordre. Un second émetteur
/// parle en même temps sans accusé : le compteur compte aussi ses messages.
///
/// `rust_socketio` ne sait attendre qu'un accusé à la fois (voir
/// [`Client::emit_with_ack`]) : l'émetteur attend chaque accusé avant le
/// message suivant. Le test navigateur du chapitre envoie, lui, les 1 000
/// d'affilée avec le client JavaScript officiel.
pub(super) async fn ack_order(ctx: Ctx) -> Result<(), Failure> {
    const COUNT: usize = 1_000;
    let server = ctx.start().await?;
    let sender = connect(&ctx, &server.url(), Transport::WebSocket, "émetteur").await?;
    let chatter = connect(&ctx, &server.url(), Transport::WebSocket, "bavard").await?;
    // À partir du chapitre 9, chaque arrivée ajoute des évènements (« user
    // joined », « online ») : sous un flot de 2 000 messages, les réponses
    // de long-polling grossissent, et le client de `rust_socketio` 0.6, qui
    // les lit morceau par morceau, perd le paquet coupé entre deux morceaux
    // avec le reste de la réponse (vu en CI : il s'arrête après 187 à 502
    // évènements, le serveur ayant tout envoyé).
    // Le long-polling de ces chapitres est vérifié par les autres
    // vérifications et dans Chromium, avec le client officiel.
    let transport = if ctx.number() < 9 {
        Transport::Polling
    } else {
        Transport::WebSocket
    };
    let mut receiver = connect(&ctx, &server.url(), transport, "récepteur").await?;
    let chatting = async {
        for i in 0..COUNT {
            send_chat(&ctx, &chatter, &format!("bavard n°{i}")).await?;
        }
        Ok::<(), Failure>(())
    };
    let acking = async {
        let mut last = 0;
        for i in 0..COUNT {
            let ack = sender
                .emit_with_ack("new message", chat_args(&ctx, &format!("n°{i}")), ACK_WAIT)
                .await?;
            let id = ack_id(&ack, &format!("message n°{i}"))?;
            if id <= last {
                return Err(Failure::new(
                    "les numéros des accusés sont strictement croissants",
                    format!("{id} après {last} (message n°{i})"),
                ));
            }
            last = id;
        }
        Ok(())
    };
    let (chatted, acked) = tokio::join!(chatting, acking);
    chatted?;
    acked?;
    // Le récepteur reçoit les deux suites, chacune dans son ordre.
    let (mut from_sender, mut from_chatter) = (0usize, 0usize);
    while from_sender < COUNT || from_chatter < COUNT {
        let Some(args) = receiver.next(WAIT).await else {
            return Err(Failure::new(
                format!("le récepteur reçoit les {COUNT} messages de chaque émetteur"),
                format!("{from_sender} de l'émetteur et {from_chatter} du bavard, puis plus rien"),
            ));
        };
        let text = message_text(&args);
        let (counter, expected) = match text.strip_prefix("bavard ") {
            Some(rest) => (&mut from_chatter, rest.to_owned()),
            None => (&mut from_sender, text.clone()),
        };
        if expected != format!("n°{counter}") {
            return Err(Failure::new(
                "le récepteur reçoit les messages de chaque émetteur dans l'ordre d'envoi",
                format!("« {text} » à la place du nº {counter}"),
            ));
        }
        *counter += 1;
    }
    Ok(())
}
