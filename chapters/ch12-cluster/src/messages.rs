//! Les messages du chapitre 9, sur plusieurs processus : la diffusion passe
//! par Redis, et quand Redis ne répond plus, elle part au moins aux clients
//! de ce processus.

// ANCHOR: all
use std::sync::atomic::Ordering;

use serde_json::json;
use socketioxide::BroadcastError;
use socketioxide::extract::State;
use support::{Checked, Text};

use crate::Chat;
use crate::cluster::{ClusterAck, ClusterSocket};
use crate::presence;

// ANCHOR: message
/// Comme au chapitre 9. Si Redis ne répond plus, le message part quand même
/// aux clients de ce processus (`.local()`).
pub async fn on_message(
    socket: ClusterSocket,
    State(chat): State<Chat>,
    Checked(msg): Checked<Text>,
    ack: ClusterAck,
) {
    let msg = match msg {
        Ok(Text(msg)) => msg,
        Err(refused) => {
            ack.send(&json!({ "error": refused.to_string() })).ok();
            return;
        }
    };
    println!("message: {msg}");
    let message = json!({ "from": presence::nickname(&socket, &chat), "text": msg });
    let sent = socket.broadcast().emit("new message", &message).await;
    // `Adapter` : la publication dans Redis a échoué, et l'adaptateur n'a
    // alors rien remis à personne, pas même ici.
    if let Err(BroadcastError::Adapter(_)) = sent {
        println!("Redis injoignable\u{a0}: message remis aux seuls clients de ce processus.");
        socket
            .local()
            .broadcast()
            .emit("new message", &message)
            .await
            .ok();
    }
    let id = chat.forwarded.fetch_add(1, Ordering::SeqCst) + 1;
    ack.send(&json!({ "id": id })).ok();
}
// ANCHOR_END: message
// ANCHOR_END: all
