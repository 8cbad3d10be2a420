//! # Chapitre 4 : du serveur à tous les clients
//!
//! Chaque message reçu est renvoyé à *tous* les clients connectés, émetteur
//! compris (`io.emit`). La page ajoute chaque message reçu à la liste.
//!
//! Lancer : `cargo run -p ch04-io-emit`, puis ouvrir <http://localhost:3000>
//! dans plusieurs onglets.
//!
//! À essayer : un message envoyé depuis un onglet s'affiche dans tous les
//! onglets, y compris celui qui l'a envoyé.

// ANCHOR: all
use axum::Router;
use support::{SocketIo, SocketRef, Text, in_order};
use tower_http::services::ServeDir;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let (layer, io) = support::socket_io();

    // ANCHOR: connection
    // `in_order`, comme au chapitre 3 : les évènements d'un client dans
    // leur ordre d'arrivée.
    io.ns(
        "/",
        in_order(async |socket: SocketRef| {
            // Le gestionnaire peut demander `io` en argument : socketioxide le
            // lui fournit, comme il fournit `socket` ou le texte du message.
            socket.on(
                "new message",
                in_order(async |io: SocketIo, Text(msg): Text| {
                    println!("message: {msg}");
                    // Correction du cours : le diaporama écrit `io.emit(msg)`,
                    // ce qui émet un évènement *nommé* d'après le message, sans
                    // donnée. Il faut le nom de l'évènement, puis la donnée.
                    io.emit("new message", &msg).await.ok();
                }),
            );

            // Écouter d'abord, afficher ensuite (chapitre 3).
            println!("Un client vient de se connecter");
        }),
    );
    // ANCHOR_END: connection

    let app = Router::new()
        .fallback_service(ServeDir::new(support::client_dir("ch04-io-emit")))
        .layer(layer);

    support::listen_with(app, io).await
}
// ANCHOR_END: all
