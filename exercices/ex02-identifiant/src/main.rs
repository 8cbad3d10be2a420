//! # Exercice 2 (chapitre ch02-connect)
//!
//! Ce crate est une copie du serveur du chapitre : le chapitre lui-même reste
//! intact. Après « Un client vient de se connecter », faites afficher une
//! deuxième ligne `Son ID : <identifiant du client>`.
//!
//! Vérifier : `cargo xtask exercices ex02` ; un indice :
//! `cargo xtask exercices --indice ex02` ; tout effacer et repartir de
//! l'original : `cargo xtask exercices --recommencer ex02`.

use axum::Router;
use support::SocketRef;
use tower_http::services::ServeDir;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    // `const io = new Server(server)` : le serveur Socket.IO, et la couche
    // (`layer`) qui le branche sur le serveur web.
    let (layer, io) = support::socket_io();

    // `io.on('connection', (socket) => { … })` : appelée pour chaque client.
    io.ns("/", async |_socket: SocketRef| {
        println!("Un client vient de se connecter");
        // TODO (exercice 2) : afficher « Son ID : <identifiant> ».
    });

    let app = Router::new()
        .fallback_service(ServeDir::new(support::client_dir("ch02-connect")))
        .layer(layer);

    support::listen_with(app, io).await
}
