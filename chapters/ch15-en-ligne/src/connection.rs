//! Une connexion au chat : écouter d'abord, puis l'historique manqué
//! (`feed.rs`), puis la présence (`tabs.rs`). Le compte a déjà été vérifié
//! par `session::check_session`, avant même la connexion.

use serde_json::Value as Json;
use socketioxide::extract::{State, TryData};
use support::in_order;

use crate::store::Account;
use crate::{Chat, SocketIo, SocketRef, messages, private, tabs};

// ANCHOR: connection
pub async fn on_connect(
    socket: SocketRef,
    io: SocketIo,
    State(chat): State<Chat>,
    TryData(auth): TryData<Json>,
) {
    // Le compte, rangé par `check_session` (un extracteur de moins : la
    // connexion en reçoit déjà quatre).
    let Some(account) = socket.extensions.get::<Account>() else {
        return;
    };
    socket.on("new message", in_order(messages::on_message));
    socket.on("private message", in_order(messages::on_private_message));
    socket.on("typing", in_order(private::on_typing));
    socket.on_disconnect(in_order(tabs::leave));
    chat.feed
        .catch_up(&socket, &chat.store, auth.ok().as_ref())
        .await;
    tabs::arrive(&socket, &io, &chat, &account).await;
}
// ANCHOR_END: connection
