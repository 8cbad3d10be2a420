//! # Chapitre 3 : du client au serveur
//!
//! Le formulaire de la page émet l'évènement `new message` avec le texte
//! saisi ; le serveur l'écoute et l'affiche dans le terminal.
//!
//! Lancer : `cargo run -p ch03-emit`, puis ouvrir <http://localhost:3000>.
//!
//! À essayer : tapez un message, cliquez sur « Envoyer » (ou appuyez sur
//! Entrée) : le champ se vide, la page ne se recharge pas, et le terminal
//! affiche `message: …`.

// ANCHOR: all
use axum::Router;
use support::{SocketRef, Text};
use tower_http::services::ServeDir;

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::process::ExitCode {
    let (layer, io) = support::socket_io();

    // ANCHOR: connection
    io.ns("/", async |socket: SocketRef| {
        println!("Un client vient de se connecter");

        // `socket.on('new message', (msg) => { … })` : le nom de l'évènement
        // doit être exactement celui qu'émet le client. `Text` n'accepte
        // qu'un texte : toute autre donnée est signalée dans le terminal.
        socket.on("new message", async |Text(msg): Text| {
            println!("message: {msg}");
        });
    });
    // ANCHOR_END: connection

    let app = Router::new()
        .fallback_service(ServeDir::new(support::client_dir("ch03-emit")))
        .layer(layer);

    support::listen_with(app, io).await
}
// ANCHOR_END: all
