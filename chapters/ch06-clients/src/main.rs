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
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use socketioxide::extract::State;
use support::{SocketRef, Text, in_order};
use tower_http::services::ServeDir;

// ANCHOR: counter
/// Le nombre de clients connectés : un compteur atomique (plusieurs fils
/// peuvent le modifier à la fois), dans un `Arc` (tous les gestionnaires
/// tiennent le même).
type Clients = Arc<AtomicUsize>;
// ANCHOR_END: counter

#[tokio::main]
async fn main() -> std::process::ExitCode {
    // ANCHOR: state
    // Le compteur (`io.engine.clientsCount` en Node) n'appartient à aucun
    // gestionnaire : on le confie au serveur Socket.IO, dont il devient
    // l'*état*, et chaque gestionnaire qui en a besoin le demande par
    // l'extracteur `State<Clients>`.
    let clients: Clients = Arc::new(AtomicUsize::new(0));
    let (layer, io) = support::socket_io_with_state(clients);
    // ANCHOR_END: state

    // ANCHOR: connection
    // `in_order` (chapitre 3) : connexion, messages puis départ, dans
    // l'ordre, pour chaque client.
    io.ns(
        "/",
        in_order(async |socket: SocketRef, State(clients): State<Clients>| {
            // Écouter d'abord, afficher ensuite (chapitre 3).
            socket.on(
                "new message",
                in_order(async |socket: SocketRef, Text(msg): Text| {
                    println!("message: {msg}");
                    socket.broadcast().emit("new message", &msg).await.ok();
                }),
            );

            // `socket.on('disconnect', () => { … })` : avec `in_order`, il
            // passe après les messages déjà reçus de ce client. Lui aussi
            // demande le compteur.
            socket.on_disconnect(in_order(async |State(clients): State<Clients>| {
                // `fetch_sub` rend l'ancienne valeur, d'où le `- 1`.
                let count = clients.fetch_sub(1, Ordering::SeqCst) - 1;
                println!("#clients connectés après déconnexion : {count}");
            }));

            println!("Un client vient de se connecter. Son ID : {}", socket.id);
            // `socket.handshake.address` : l'adresse de la connexion TCP.
            println!("Adresse IP du client : {}", support::client_ip(&socket));
            let count = clients.fetch_add(1, Ordering::SeqCst) + 1;
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
