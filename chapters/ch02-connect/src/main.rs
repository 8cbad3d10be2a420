//! # Chapitre 2 : brancher Socket.IO
//!
//! Le serveur web du chapitre 1, plus un serveur Socket.IO sur le même port.
//! La page charge le client JavaScript (`/socket.io/socket.io.js`) puis
//! `client-socket.js`, qui appelle `io()` : le navigateur se connecte.
//!
//! Lancer : `cargo run -p ch02-connect`, puis ouvrir <http://localhost:3000>.
//!
//! À essayer : à chaque onglet ouvert (ou rechargé), le terminal affiche
//! `Un client vient de se connecter`.

// ANCHOR: all
use axum::Router;
use support::SocketRef;
use tower_http::services::ServeDir;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    // `const io = new Server(server)` : le serveur Socket.IO, et la couche
    // (`layer`) qui le branche sur le serveur web.
    let (layer, io) = support::socket_io();

    // ANCHOR: connection
    // `io.on('connection', (socket) => { … })` : appelée pour chaque client.
    io.ns("/", async |_socket: SocketRef| {
        println!("Un client vient de se connecter");
    });
    // ANCHOR_END: connection

    let app = Router::new()
        .fallback_service(ServeDir::new(support::client_dir("ch02-connect")))
        .layer(layer);

    support::listen_with(app, io).await
}
// ANCHOR_END: all
