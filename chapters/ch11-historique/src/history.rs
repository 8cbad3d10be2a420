//! Rattraper ce qu'on a manqué : à la connexion, la page dit le dernier
//! numéro qu'elle a vu (`auth.serverOffset`), et reçoit tout ce qui suit,
//! avant les nouveaux messages.

// ANCHOR: all
use serde_json::Value as Json;
use support::SocketRef;

use crate::store::Store;

/// Le salon des clients à jour : on n'y entre qu'après avoir reçu
/// l'historique (voir [`catch_up`]).
pub const CHAT: &str = "chat";

// ANCHOR: catch_up
/// Envoie à `socket` les messages qu'il n'a pas vus, puis le fait entrer
/// dans le salon où partent les nouveaux.
pub async fn catch_up(socket: &SocketRef, store: &Store, auth: Option<&Json>) {
    let offset = server_offset(socket, auth);
    // Au tour de ce client : aucun nouveau message ne passe pendant qu'il
    // reçoit l'historique. Ensuite seulement, il entre dans le salon où
    // partent les nouveaux : il a tout, une fois chacun.
    let _turn = store.turn.lock().await;
    match store.since(offset).await {
        Ok(missed) => {
            for (text, id) in missed {
                socket.emit("new message", &(text, id)).ok();
            }
        }
        Err(why) => println!("Historique non envoyé à {} : {why}", socket.id),
    }
    socket.join(CHAT);
}
// ANCHOR_END: catch_up

// ANCHOR: offset
/// `auth.serverOffset` : le dernier numéro vu par la page (0 s'il manque).
fn server_offset(socket: &SocketRef, auth: Option<&Json>) -> i64 {
    match auth.and_then(|a| a.get("serverOffset")) {
        None | Some(Json::Null) => 0,
        Some(value) => match value.as_u64() {
            Some(n) => i64::try_from(n).unwrap_or(i64::MAX),
            None => {
                println!(
                    "Avertissement : serverOffset du client {} ignoré ({value}), car ce n'est pas un entier positif ou nul ; l'historique part du début.",
                    socket.id
                );
                0
            }
        },
    }
}
// ANCHOR_END: offset
// ANCHOR_END: all
