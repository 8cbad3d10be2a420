//! # Chapitre 6 : qui est connecté ?
//!
//! Le chat du chapitre 5, plus des informations sur les clients : leur
//! nombre (à chaque connexion et déconnexion), leur identifiant et leur
//! adresse IP.
//!
//! Lancer : `cargo run -p ch06-clients`, puis ouvrir <http://localhost:3000>.
//!
//! À essayer : ouvrez des onglets, le nombre de clients monte ; fermez-en,
//! il descend.

// ANCHOR: all
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use support::{SocketRef, Text, in_order};
use tower_http::services::ServeDir;

// ANCHOR: counter
/// Le nombre de clients connectés (`io.engine.clientsCount` en Node). Un
/// compteur atomique peut être modifié depuis plusieurs tâches à la fois sans
/// verrou ; `fetch_add` et `fetch_sub` renvoient l'ancienne valeur.
static CLIENTS: AtomicUsize = AtomicUsize::new(0);
// ANCHOR_END: counter

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let (layer, io) = support::socket_io();

    // ANCHOR: connection
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
            }));

            println!("Un client vient de se connecter. Son ID : {}", socket.id);
            // `socket.handshake.address` : l'adresse de la connexion TCP.
            println!("Adresse IP du client : {}", support::client_ip(&socket));
            let count = CLIENTS.fetch_add(1, Ordering::SeqCst) + 1;
            println!("#clients connectés : {count}");
        }),
    );
    // ANCHOR_END: connection

    let app = Router::new()
        .fallback_service(ServeDir::new(support::client_dir("ch06-clients")))
        .layer(layer);

    support::listen_with(app, io).await
}
// ANCHOR_END: all
