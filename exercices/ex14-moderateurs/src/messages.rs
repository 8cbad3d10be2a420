//! Les messages, à tous ou privés : ceux du chapitre 13, mais chacun passe
//! d'abord par les règles de `moderation.rs`. Refusé, il ne part pas, et
//! l'accusé dit pourquoi.

use std::sync::atomic::Ordering;

use serde_json::json;
use socketioxide::extract::{Extension, State};
use support::{Checked, PrivateMessage, Text};

use crate::private;
use crate::store::Account;
use crate::{AckSender, Chat, SocketRef};

/// Comme au chapitre 13, mais le message passe d'abord par les règles :
/// refusé, il ne part pas, et l'accusé dit pourquoi.
pub async fn on_message(
    socket: SocketRef,
    State(chat): State<Chat>,
    Extension(account): Extension<Account>,
    Checked(msg): Checked<Text>,
    ack: AckSender,
) {
    // Un texte invalide (chapitre 8) et un refus des règles finissent de la
    // même façon : une phrase dans l'accusé.
    // TODO (exercice 14) : un modérateur n'est pas soumis à la limite de débit
    // (mais l'est à celle de longueur).
    let checked = msg
        .map_err(|refused| refused.to_string())
        .and_then(|Text(msg)| chat.moderation.allow(&account.key, &msg).map(|()| msg));
    let msg = match checked {
        Ok(msg) => msg,
        Err(why) => {
            ack.send(&json!({ "error": why })).ok();
            return;
        }
    };
    println!("message: {msg}");
    socket
        .broadcast()
        .emit(
            "new message",
            &json!({ "from": account.pseudo, "text": msg }),
        )
        .await
        .ok();
    let id = chat.forwarded.fetch_add(1, Ordering::SeqCst) + 1;
    ack.send(&json!({ "id": id })).ok();
}

/// Un message privé passe par les mêmes règles (la même fenêtre : écrire
/// en privé n'ouvre pas de seconde limite), puis par le chapitre 13.
pub async fn on_private_message(
    socket: SocketRef,
    State(chat): State<Chat>,
    Extension(account): Extension<Account>,
    Checked(msg): Checked<PrivateMessage>,
    ack: AckSender,
) {
    if let Ok(PrivateMessage { text, .. }) = &msg
        && let Err(why) = chat.moderation.allow(&account.key, text)
    {
        ack.send(&json!({ "error": why })).ok();
        return;
    }
    private::on_private_message(socket, State(chat), Extension(account), Checked(msg), ack).await;
}
