//! Chapitre 10 cassé : le message privé part à tout le monde
//! (`socket.broadcast()` au lieu de `socket.to(salon du destinataire)`).
//! Les pseudos sont ceux du vrai chapitre, repris tels quels.

#[path = "../../../../chapters/ch09-pseudos/src/presence.rs"]
mod presence;
#[path = "../../../../chapters/ch09-pseudos/src/registry.rs"]
mod registry;

use std::sync::Arc;

use axum::Router;
use serde_json::json;
use socketioxide::extract::State;
use socketioxide::handler::ConnectHandler;
use support::{AckSender, Checked, PrivateMessage, SocketIo, SocketRef, in_order};
use tower_http::services::ServeDir;

/// L'état que demande `presence.rs` (celui du chapitre 10, sans le compteur
/// des messages à tous, que cette variante ne relaie pas).
#[derive(Clone, Default)]
pub struct Chat {
    nicknames: Arc<registry::Nicknames>,
}

async fn on_private_message(
    socket: SocketRef,
    State(chat): State<Chat>,
    Checked(msg): Checked<PrivateMessage>,
    ack: AckSender,
) {
    let Ok(PrivateMessage { to, text }) = msg else {
        ack.send(&json!({ "error": "Message invalide." })).ok();
        return;
    };
    if chat.nicknames.find(&to).is_none() {
        ack.send(&json!({ "error": "Personne n'a ce pseudo." }))
            .ok();
        return;
    }
    let from = presence::nickname(&socket, &chat);
    socket
        .broadcast()
        .emit("private message", &json!({ "from": from, "text": text }))
        .await
        .ok();
    ack.send(&json!({ "ok": true })).ok();
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let (layer, io) = support::socket_io_with_state(Chat::default());
    let on_connect = async |socket: SocketRef, io: SocketIo, State(chat): State<Chat>| {
        socket.on("private message", in_order(on_private_message));
        socket.on_disconnect(in_order(presence::leave));
        presence::arrive(&socket, &io, &chat).await;
    };
    io.ns("/", in_order(on_connect).with(presence::check_nickname));
    let app = Router::new()
        .fallback_service(ServeDir::new(support::client_dir("ch10-prive")))
        .layer(layer);
    support::listen_with(app, io).await
}
