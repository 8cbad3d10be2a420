//! Les exercices qui se voient d'un onglet à l'autre (chapitres 4 à 9) :
//! qui reçoit quoi, vu par plusieurs vrais clients.

use serde_json::{Value, json};

use super::plain;
use crate::client::{Transport, message_text, show, show_ack, show_lines};
use crate::scenarios::{SILENCE, connect};
use crate::{Ctx, Failure, WAIT};

/// Le prochain message de `client`, en texte (ou une phrase d'échec).
async fn next_text(client: &mut crate::Client, why: &str) -> Result<String, Failure> {
    client.next_text(WAIT).await.ok_or_else(|| {
        Failure::new(
            format!("{} reçoit un message ({why})", client.name),
            "il n'a rien reçu",
        )
    })
}

/// Exercice 4 : l'accusé « (bien reçu par le serveur) » à l'émetteur seul.
pub(super) async fn sender_notice(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx.start().await?;
    let url = server.url();
    let mut a = connect(&ctx, &url, Transport::WebSocket, "A (émetteur)").await?;
    let mut b = connect(&ctx, &url, Transport::Polling, "B").await?;
    a.send_text("Bonjour").await?;
    server.expect_line("message: Bonjour", 1).await?;
    let mut got = vec![
        next_text(&mut a, "son propre message").await?,
        next_text(&mut a, "« (bien reçu par le serveur) »").await?,
    ];
    got.sort();
    if got != ["(bien reçu par le serveur)", "Bonjour"] {
        return Err(Failure::new(
            "A (émetteur) reçoit « Bonjour » et « (bien reçu par le serveur) »",
            format!("il a reçu {}", show_lines(&got)),
        ));
    }
    b.expect(&[json!("Bonjour")], "le message de A").await?;
    b.expect_nothing(
        SILENCE,
        "B ne reçoit que le message, pas l'accusé destiné à A",
    )
    .await?;
    a.expect_nothing(SILENCE, "A reçoit l'accusé une seule fois")
        .await?;
    Ok(())
}

/// Exercice 5 : « <identifiant> : <texte> » aux autres.
pub(super) async fn author_prefix(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx.start().await?;
    let url = server.url();
    let mut a = connect(&ctx, &url, Transport::WebSocket, "A").await?;
    let mut b = connect(&ctx, &url, Transport::Polling, "B").await?;
    let mut c = connect(&ctx, &url, Transport::WebSocket, "C").await?;
    let mut authors = Vec::new();
    for (text, sender) in [("Bonjour à tous", "A"), ("Salut", "B"), ("Encore moi", "A")] {
        let (from, others): (&crate::Client, Vec<&mut crate::Client>) = match sender {
            "A" => (&a, vec![&mut b, &mut c]),
            _ => (&b, vec![&mut a, &mut c]),
        };
        from.send_text(text).await?;
        server.expect_line(&format!("message: {text}"), 1).await?;
        let mut ids = Vec::new();
        for other in others {
            let got = next_text(other, &format!("le message de {sender}")).await?;
            let suffix = plain(&format!(" : {text}"));
            match plain(&got).strip_suffix(&suffix) {
                Some(id) if !id.is_empty() && !id.contains(' ') => ids.push(id.to_owned()),
                _ => {
                    return Err(Failure::new(
                        format!(
                            "{} reçoit « <identifiant de {sender}> : {text} »",
                            other.name
                        ),
                        format!("il a reçu « {got} »"),
                    ));
                }
            }
        }
        ids.dedup();
        if ids.len() != 1 {
            return Err(Failure::new(
                "tous les autres onglets voient le même identifiant d'émetteur",
                format!("ils ont vu {ids:?}"),
            ));
        }
        authors.push(ids.remove(0));
    }
    if authors[0] != authors[2] || authors[0] == authors[1] {
        return Err(Failure::new(
            "un identifiant par émetteur : le même pour deux messages de A, un autre pour B",
            format!("A, B puis A : {authors:?}"),
        ));
    }
    for client in [&mut a, &mut b] {
        client
            .expect_nothing(SILENCE, "l'émetteur ne reçoit pas son propre message")
            .await?;
    }
    Ok(())
}

/// Exercice 6 : « Un client est parti » à ceux qui restent.
pub(super) async fn leave_notice(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx.start().await?;
    let url = server.url();
    let mut a = connect(&ctx, &url, Transport::WebSocket, "A").await?;
    let mut b = connect(&ctx, &url, Transport::Polling, "B").await?;
    let c = connect(&ctx, &url, Transport::WebSocket, "C (qui part)").await?;
    server
        .expect_line(&plain("#clients connectés : 3"), 1)
        .await?;
    c.disconnect().await;
    server
        .expect_line(&plain("#clients connectés après déconnexion : 2"), 1)
        .await?;
    for client in [&mut a, &mut b] {
        client
            .expect(&[json!("Un client est parti")], "C vient de partir")
            .await?;
        client
            .expect_nothing(SILENCE, "« Un client est parti » une seule fois par départ")
            .await?;
    }
    Ok(())
}

/// Exercice 7 : l'arrivée dans un salon annoncée à ses autres membres.
pub(super) async fn join_notice(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx.start().await?;
    let url = server.url();
    let mut a = connect(&ctx, &url, Transport::WebSocket, "A (qui entre)").await?;
    let mut b = connect(&ctx, &url, Transport::Polling, "B (déjà dans room2)").await?;
    let mut c = connect(&ctx, &url, Transport::WebSocket, "C (room1 seulement)").await?;
    server.expect_prefix("Rooms de ", 3).await?;
    b.emit("join", vec![json!("room2")]).await?;
    let suffix = plain(" : room1, room2");
    let joined = |l: &str| l.starts_with("Rooms de ") && plain(l).ends_with(&suffix);
    wait_lines(&server, "« Rooms de <id> : room1, room2 »", 1, joined).await?;
    // B était seul dans room2 : personne à prévenir.
    a.emit("join", vec![json!("room2")]).await?;
    wait_lines(&server, "« Rooms de <id> : room1, room2 »", 2, joined).await?;
    b.expect(
        &[json!("room2"), json!("Un client vient d'entrer")],
        "A vient d'entrer dans room2",
    )
    .await?;
    b.expect_nothing(SILENCE, "une seule annonce par arrivée")
        .await?;
    a.expect_nothing(
        SILENCE,
        "celui qui entre n'est pas prévenu de sa propre arrivée",
    )
    .await?;
    c.expect_nothing(SILENCE, "C n'est pas dans room2 : il n'est pas prévenu")
        .await?;
    Ok(())
}

async fn wait_lines(
    server: &crate::Server,
    what: &str,
    count: usize,
    matches: impl Fn(&str) -> bool,
) -> Result<(), Failure> {
    server
        .log()
        .wait_for(what, count, matches, WAIT)
        .await
        .map(drop)
}

/// Exercice 8 : `{ "id": n, "to": <destinataires> }`.
pub(super) async fn ack_recipients(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx.start().await?;
    let url = server.url();
    let a = connect(&ctx, &url, Transport::WebSocket, "A").await?;
    let expect_to = async |text: &str, to: u64, why: &str| -> Result<(), Failure> {
        let reply = a
            .emit_with_ack("new message", vec![json!(text)], WAIT)
            .await?;
        let ok = reply.len() == 1
            && reply[0].get("id").is_some_and(Value::is_u64)
            && reply[0].get("to").and_then(Value::as_u64) == Some(to);
        if ok {
            Ok(())
        } else {
            Err(Failure::new(
                format!("l'accusé de « {text} » est {{ \"id\": n, \"to\": {to} }} ({why})"),
                show_ack(&reply),
            ))
        }
    };
    expect_to("seul", 0, "A est seul").await?;
    let mut b = connect(&ctx, &url, Transport::Polling, "B").await?;
    let mut c = connect(&ctx, &url, Transport::WebSocket, "C").await?;
    expect_to("à trois", 2, "B et C le reçoivent").await?;
    for other in [&mut b, &mut c] {
        other.expect(&[json!("à trois")], "le message de A").await?;
    }
    Ok(())
}

/// Exercice 9 : la commande `/qui`.
pub(super) async fn who_command(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx.start().await?;
    who_replies(&server, &server).await
}

/// Exercice 12 : la même commande `/qui`, quand Alice et Bob sont sur deux
/// processus reliés par Redis : la liste couvre les deux.
pub(super) async fn who_everywhere(ctx: Ctx) -> Result<(), Failure> {
    let a = ctx.start().await?;
    let b = ctx.start().await?;
    who_replies(&a, &b).await
}

/// Alice (sur `alice_server`) demande « /qui » ; Bob (sur `bob_server`)
/// ne voit pas la commande.
async fn who_replies(
    alice_server: &crate::Server,
    bob_server: &crate::Server,
) -> Result<(), Failure> {
    let auth = |pseudo: &str| json!({ "pseudo": pseudo });
    let mut bob =
        crate::Client::connect_auth(&bob_server.url(), Transport::WebSocket, "Bob", auth("bob"))
            .await?;
    bob_server
        .expect_prefix("bob vient de se connecter", 1)
        .await?;
    let mut alice = crate::Client::connect_auth(
        &alice_server.url(),
        Transport::Polling,
        "Alice",
        auth("Alice"),
    )
    .await?;
    alice_server
        .expect_prefix("Alice vient de se connecter", 1)
        .await?;
    // La liste « online » arrive à Bob quand Alice est comptée partout.
    while let Some(online) = bob.next_event("online", WAIT).await {
        if online == [json!(["Alice", "bob"])] {
            break;
        }
    }
    alice.emit("new message", vec![json!("/qui")]).await?;
    let expected = json!({ "from": "serveur", "text": "En ligne : Alice, bob" });
    match alice.next(WAIT).await {
        Some(got) if same_reply(&got, &expected) => {}
        Some(got) => {
            return Err(Failure::new(
                format!("Alice reçoit {expected} (sa commande « /qui »)"),
                format!("elle a reçu {}", show(&got)),
            ));
        }
        None => {
            return Err(Failure::new(
                format!("Alice reçoit {expected} (sa commande « /qui »)"),
                "elle n'a rien reçu",
            ));
        }
    }
    // Bob ne voit pas la commande ; il reçoit bien le message suivant.
    alice.emit("new message", vec![json!("Bonjour")]).await?;
    match bob.next(WAIT).await {
        Some(got) if message_text(&got) == "Bonjour" => {}
        Some(got) => {
            return Err(Failure::new(
                "Bob ne reçoit pas « /qui » d'Alice, seulement son message suivant « Bonjour »",
                format!("il a reçu {}", show(&got)),
            ));
        }
        None => {
            return Err(Failure::new(
                "Bob reçoit le message ordinaire « Bonjour » d'Alice",
                "il n'a rien reçu",
            ));
        }
    }
    alice
        .expect_nothing(SILENCE, "Alice ne reçoit pas son propre message ordinaire")
        .await?;
    Ok(())
}

/// La réponse à « /qui » : `{ from, text }`, le texte comparé sans tenir
/// compte des espaces insécables.
fn same_reply(got: &[Value], expected: &Value) -> bool {
    match got {
        [reply] => {
            reply.get("from") == expected.get("from")
                && reply.get("text").and_then(Value::as_str).map(plain)
                    == expected.get("text").and_then(Value::as_str).map(plain)
        }
        _ => false,
    }
}
