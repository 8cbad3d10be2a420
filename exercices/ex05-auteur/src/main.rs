//! # Exercice 5 (chapitre ch05-broadcast)
//!
//! Ce crate est une copie du serveur du chapitre : le chapitre lui-même reste
//! intact. Faites précéder chaque message diffusé de l'identifiant de son
//! émetteur : les autres reçoivent `<identifiant> : <texte>`.
//!
//! Vérifier : `cargo xtask exercices ex05` ; un indice :
//! `cargo xtask exercices --indice ex05` ; tout effacer et repartir de
//! l'original : `cargo xtask exercices --recommencer ex05`.

use axum::Router;
use support::{SocketRef, Text, in_order};
use tower_http::services::ServeDir;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let (layer, io) = support::socket_io();

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
                    // TODO (exercice 5) : diffuser « <identifiant> : <texte> ».
                    socket.broadcast().emit("new message", &msg).await.ok();
                }),
            );

            // Écouter d'abord, afficher ensuite (chapitre 3).
            println!("Un client vient de se connecter");
        }),
    );

    let app = Router::new()
        .fallback_service(ServeDir::new(support::client_dir("ch05-broadcast")))
        .layer(layer);

    support::listen_with(app, io).await
}
