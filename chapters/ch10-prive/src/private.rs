//! À une seule personne : les messages privés, et « Alice est en train
//! d'écrire… ».

// ANCHOR: all
use serde_json::json;
use socketioxide::extract::State;
use support::{AckSender, Checked, PrivateMessage, SocketRef, Typing, nickname_key};

use crate::Chat;
use crate::presence::nickname;

// ANCHOR: room
/// Le salon personnel d'un pseudo, sa boîte aux lettres : chaque client y
/// entre à la connexion. En Node, on écrirait `io.to(socketId)` ;
/// socketioxide ne met aucun client dans un salon qui porte son
/// identifiant, et un salon par pseudo dit mieux ce qu'on veut : écrire à
/// une personne, pas à une connexion.
pub fn room_of(pseudo: &str) -> String {
    format!("pseudo:{}", nickname_key(pseudo))
}
// ANCHOR_END: room

// ANCHOR: private
/// `socket.emit('private message', { to, text }, accusé)` : remis au seul
/// client qui porte ce pseudo. L'accusé répond toujours : `{ ok: true }`,
/// ou `{ error }` avec la raison (rien n'a alors été remis).
pub async fn on_private_message(
    socket: SocketRef,
    State(chat): State<Chat>,
    Checked(msg): Checked<PrivateMessage>,
    ack: AckSender,
) {
    let reply = match deliver(&socket, &chat, msg).await {
        Ok(()) => json!({ "ok": true }),
        Err(why) => json!({ "error": why }),
    };
    ack.send(&reply).ok();
}

async fn deliver(
    socket: &SocketRef,
    chat: &Chat,
    msg: Result<PrivateMessage, support::Rejected>,
) -> Result<(), String> {
    let PrivateMessage { to, text } = msg.map_err(|refused| refused.to_string())?;
    let from = nickname(socket, chat);
    let Some((_, recipient)) = chat.nicknames.find(&to) else {
        println!("Message privé refusé : {from} écrit à « {to} », un pseudo que personne ne porte");
        return Err(format!(
            "Personne ne s'appelle «\u{a0}{to}\u{a0}» en ce moment."
        ));
    };
    if nickname_key(&recipient) == nickname_key(&from) {
        println!("Message privé refusé : {from} l'adressait à son propre pseudo");
        return Err("Vous ne pouvez pas vous écrire à vous-même.".to_owned());
    }
    println!("message privé : {from} → {recipient}");
    socket
        .to(room_of(&recipient))
        .emit("private message", &json!({ "from": from, "text": text }))
        .await
        .map_err(|e| format!("Le message n'a pas pu partir ({e})."))
}
// ANCHOR_END: private

// ANCHOR: typing
/// `socket.emit('typing', true)` : les autres voient « … est en train
/// d'écrire ». L'envoi est *volatil* : si un client ne suit pas, ce
/// paquet-là est abandonné au lieu d'attendre dans sa file. Un « en train
/// d'écrire » en retard ne sert plus à rien ; un message, lui, ne se perd
/// jamais.
pub async fn on_typing(socket: SocketRef, State(chat): State<Chat>, Typing(typing): Typing) {
    let from = nickname(&socket, &chat);
    socket
        .broadcast()
        .volatile()
        .emit("typing", &json!({ "from": from, "typing": typing }))
        .await
        .ok();
}
// ANCHOR_END: typing
// ANCHOR_END: all
