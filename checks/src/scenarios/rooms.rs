//! Chapitre 7 : les salons.

use serde_json::{Value, json};

use super::*;
use crate::client::{Transport, show};
use crate::{Ctx, Failure, WAIT};

/// L'identifiant d'un client, lu sur la dernière ligne « Rooms de … ».
pub(super) async fn last_rooms_line(
    server: &crate::Server,
    count: usize,
) -> Result<(String, String), Failure> {
    let lines = server.expect_prefix("Rooms de ", count).await?;
    let line = lines.last().cloned().unwrap_or_default();
    let rest = line.strip_prefix("Rooms de ").unwrap_or("");
    match rest.split_once(" : ") {
        Some((id, rooms)) => Ok((id.to_owned(), rooms.to_owned())),
        None => Err(Failure::new(
            "« Rooms de <id> : <salons> »",
            format!("« {line} »"),
        )),
    }
}

pub(super) async fn rooms_on_connect(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx.start().await?;
    let _a = connect(&ctx, &server.url(), Transport::WebSocket, "A").await?;
    let (_, rooms) = last_rooms_line(&server, 1).await?;
    if rooms != "room1" {
        return Err(Failure::new(
            "« Rooms de <id> : room1 » à la connexion",
            format!("salons affichés : « {rooms} »"),
        ));
    }
    Ok(())
}

pub(super) async fn join_leave(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx.start().await?;
    let a = connect(&ctx, &server.url(), Transport::Polling, "A").await?;
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

pub(super) async fn room_message(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx.start().await?;
    let mut a = connect(&ctx, &server.url(), Transport::WebSocket, "A (room1)").await?;
    let mut b = connect(&ctx, &server.url(), Transport::Polling, "B (room1, room2)").await?;
    b.emit("join", vec![json!("room2")]).await?;
    let mut c = connect(&ctx, &server.url(), Transport::WebSocket, "C (room2)").await?;
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
        "A n'est pas membre de room2 : il ne reçoit pas le message",
    )
    .await?;

    // B écrit à room1 : A et B (membre) le reçoivent, pas C.
    let to_room1 = vec![json!("room1"), json!("pour room1")];
    b.emit("new message", to_room1.clone()).await?;
    a.expect(&to_room1, "A est membre de room1").await?;
    b.expect(
        &to_room1,
        "l'émetteur est membre de room1 : il reçoit aussi",
    )
    .await?;
    c.expect_nothing(SILENCE, "C a quitté room1 : il ne reçoit pas le message")
        .await
}

pub(super) async fn bad_room(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx.start().await?;
    let mut witness = connect(&ctx, &server.url(), Transport::WebSocket, "témoin").await?;
    let client = connect(&ctx, &server.url(), Transport::Polling, "A").await?;
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
                &format!("un avertissement pour « {event} » avec {}", show(args)),
                i + 1,
                |l| l.starts_with("Avertissement"),
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
