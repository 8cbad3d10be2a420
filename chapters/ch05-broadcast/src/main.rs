//! # Chapitre 5 : à tous, sauf à l'émetteur
//!
//! Comme le chapitre 4, mais le message part vers tous les clients *sauf*
//! celui qui l'a envoyé (`socket.broadcast.emit`).
//!
//! Lancer : `cargo run -p ch05-broadcast`, puis ouvrir
//! <http://localhost:3000> dans au moins trois onglets.
//!
//! À essayer : un message envoyé depuis un onglet s'affiche dans les deux
//! autres, mais pas dans celui qui l'a envoyé.

// ANCHOR: all
use axum::Router;
use support::{SocketRef, Text, in_order};
use tower_http::services::ServeDir;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let (layer, io) = support::socket_io();

    // ANCHOR: connection
    io.ns(
        "/",
        in_order(async |socket: SocketRef| {
            // `in_order` : les messages d'un même client sont relayés dans leur
            // ordre d'arrivée, même quand tokio répartit le travail sur
            // plusieurs cœurs.
            socket.on(
                "new message",
                in_order(async |socket: SocketRef, Text(msg): Text| {
                    println!("message: {msg}");
                    // `socket.broadcast.emit('new message', msg)` : tout le
                    // monde, sauf `socket` lui-même.
                    socket.broadcast().emit("new message", &msg).await.ok();
                }),
            );

            // Écouter d'abord, afficher ensuite (chapitre 3).
            println!("Un client vient de se connecter");
        }),
    );
    // ANCHOR_END: connection

    let app = Router::new()
        .fallback_service(ServeDir::new(support::client_dir("ch05-broadcast")))
        .layer(layer);

    support::listen_with(app, io).await
}
// ANCHOR_END: all
