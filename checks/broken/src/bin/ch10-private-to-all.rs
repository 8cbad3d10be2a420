//! Chapitre 10 cassé : le message privé part à tout le monde
//! (`socket.broadcast()` au lieu de `socket.to(salon du destinataire)`).
//! Les pseudos sont ceux du vrai chapitre, repris tels quels.

#[path = "../../../../chapters/ch09-pseudos/src/presence.rs"]
mod presence;
#[path = "../../../../chapters/ch09-pseudos/src/registry.rs"]
mod registry;

use axum::Router;
use serde_json::json;
use socketioxide::handler::ConnectHandler;
use support::{AckSender, Checked, PrivateMessage, SocketIo, SocketRef, in_order};
use tower_http::services::ServeDir;

async fn on_private_message(
    socket: SocketRef,
    Checked(msg): Checked<PrivateMessage>,
    ack: AckSender,
) {
    let Ok(PrivateMessage { to, text }) = msg else {
        ack.send(&json!({ "error": "Message invalide." })).ok();
        return;
    };
    if presence::NICKNAMES.find(&to).is_none() {
        ack.send(&json!({ "error": "Personne n'a ce pseudo." }))
            .ok();
        return;
    }
    let from = presence::nickname(&socket);
    socket
        .broadcast()
        .emit("private message", &json!({ "from": from, "text": text }))
        .await
        .ok();
    ack.send(&json!({ "ok": true })).ok();
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let (layer, io) = support::socket_io();
    let on_connect = async |socket: SocketRef, io: SocketIo| {
        socket.on("private message", in_order(on_private_message));
        socket.on_disconnect(in_order(presence::leave));
        presence::arrive(&socket, &io).await;
    };
    io.ns("/", in_order(on_connect).with(presence::check_nickname));
    let app = Router::new()
        .fallback_service(ServeDir::new(support::client_dir("ch10-prive")))
        .layer(layer);
    support::listen_with(app, io).await
}
