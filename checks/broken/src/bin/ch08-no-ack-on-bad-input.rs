//! Chapitre 8 cassé : l'extracteur `Text` refuse une donnée invalide en
//! sautant le gestionnaire… et l'accusé de réception avec lui. Le client qui
//! attend sa réponse reste bloqué jusqu'au délai.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::Router;
use socketioxide::extract::State;
use support::{AckSender, SocketRef, Text, in_order};
use tower_http::services::ServeDir;

type Forwarded = Arc<AtomicU64>;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let (layer, io) = support::socket_io_with_state(Arc::new(AtomicU64::new(0)));
    io.ns(
        "/",
        in_order(async |socket: SocketRef| {
            println!("Un client vient de se connecter");
            socket.on(
                "new message",
                in_order(
                    async |socket: SocketRef,
                           State(forwarded): State<Forwarded>,
                           Text(msg): Text,
                           ack: AckSender| {
                        println!("message: {msg}");
                        socket.broadcast().emit("new message", &msg).await.ok();
                        let id = forwarded.fetch_add(1, Ordering::SeqCst) + 1;
                        ack.send(&serde_json::json!({ "id": id })).ok();
                    },
                ),
            );
        }),
    );
    let app = Router::new()
        .fallback_service(ServeDir::new(support::client_dir("ch08-acks")))
        .layer(layer);
    support::listen_with(app, io).await
}
