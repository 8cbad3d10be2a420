//! # Exercice 6 (chapitre ch06-clients)
//!
//! Ce crate est une copie du serveur du chapitre : le chapitre lui-même reste
//! intact. Quand un client part, envoyez à ceux qui restent le message « Un
//! client est parti ».
//!
//! Vérifier : `cargo xtask exercices ex06` ; un indice :
//! `cargo xtask exercices --indice ex06` ; tout effacer et repartir de
//! l'original : `cargo xtask exercices --recommencer ex06`.

use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use support::{SocketRef, Text, in_order};
use tower_http::services::ServeDir;

/// Le nombre de clients connectés (`io.engine.clientsCount` en Node). Un
/// compteur atomique peut être modifié depuis plusieurs tâches à la fois sans
/// verrou ; `fetch_add` et `fetch_sub` renvoient l'ancienne valeur.
static CLIENTS: AtomicUsize = AtomicUsize::new(0);

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let (layer, io) = support::socket_io();

    // `in_order` (chapitre 3) : connexion, messages puis départ, dans
    // l'ordre, pour chaque client.
    io.ns(
        "/",
        in_order(async |socket: SocketRef| {
            // Écouter d'abord, afficher ensuite (chapitre 3).
            socket.on(
                "new message",
                in_order(async |socket: SocketRef, Text(msg): Text| {
                    println!("message: {msg}");
                    socket.broadcast().emit("new message", &msg).await.ok();
                }),
            );

            // `socket.on('disconnect', () => { … })` : avec `in_order`, il
            // passe après les messages déjà reçus de ce client.
            socket.on_disconnect(in_order(async || {
                let count = CLIENTS.fetch_sub(1, Ordering::SeqCst) - 1;
                println!("#clients connectés après déconnexion : {count}");
                // TODO (exercice 6) : envoyer « Un client est parti » à ceux
                // qui restent.
            }));

            println!("Un client vient de se connecter. Son ID : {}", socket.id);
            // `socket.handshake.address` : l'adresse de la connexion TCP.
            println!("Adresse IP du client : {}", support::client_ip(&socket));
            let count = CLIENTS.fetch_add(1, Ordering::SeqCst) + 1;
            println!("#clients connectés : {count}");
        }),
    );

    let app = Router::new()
        .fallback_service(ServeDir::new(support::client_dir("ch06-clients")))
        .layer(layer);

    support::listen_with(app, io).await
}
