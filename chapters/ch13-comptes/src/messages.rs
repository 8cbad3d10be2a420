//! Les messages à tous, comme au chapitre 10, mais signés par le compte
//! (l'extension `Account` rangée par `session.rs`), et non plus par un
//! pseudo choisi à la connexion.

// ANCHOR: all
use std::sync::atomic::Ordering;

use serde_json::json;
use socketioxide::extract::{Extension, State};
use support::{Checked, Text};

use crate::store::Account;
use crate::{AckSender, Chat, SocketRef};

/// Comme au chapitre 10 : `{ "from", "text" }` à tous les autres onglets,
/// ceux de l'auteur compris.
pub async fn on_message(
    socket: SocketRef,
    State(chat): State<Chat>,
    Extension(account): Extension<Account>,
    Checked(msg): Checked<Text>,
    ack: AckSender,
) {
    let msg = match msg {
        Ok(Text(msg)) => msg,
        Err(refused) => {
            ack.send(&json!({ "error": refused.to_string() })).ok();
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
// ANCHOR_END: all
