//! # Exercice 4 (chapitre ch04-io-emit)
//!
//! Ce crate est une copie du serveur du chapitre : le chapitre lui-même reste
//! intact. En plus de la diffusion à tous, renvoyez à l'émetteur seul le
//! message « (bien reçu par le serveur) ».
//!
//! Vérifier : `cargo xtask exercices ex04` ; un indice :
//! `cargo xtask exercices --indice ex04` ; tout effacer et repartir de
//! l'original : `cargo xtask exercices --recommencer ex04`.

use axum::Router;
use support::{SocketIo, SocketRef, Text, in_order};
use tower_http::services::ServeDir;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let (layer, io) = support::socket_io();

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
                    // TODO (exercice 4) : envoyer « (bien reçu par le
                    // serveur) » à l'émetteur seul.
                }),
            );

            // Écouter d'abord, afficher ensuite (chapitre 3).
            println!("Un client vient de se connecter");
        }),
    );

    let app = Router::new()
        .fallback_service(ServeDir::new(support::client_dir("ch04-io-emit")))
        .layer(layer);

    support::listen_with(app, io).await
}
