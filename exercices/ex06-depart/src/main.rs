//! # Exercice 6 (chapitre ch06-clients)
//!
//! Ce crate est une copie du serveur du chapitre : le chapitre lui-même reste
//! intact. Quand un client part, envoyez à ceux qui restent le message « Un
//! client est parti ».
//!
//! Vérifier : `cargo xtask exercices ex06` ; un indice :
//! `cargo xtask exercices --indice ex06` ; tout effacer et repartir de
//! l'original : `cargo xtask exercices --recommencer ex06`.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use socketioxide::extract::State;
use support::{SocketRef, Text, in_order};
use tower_http::services::ServeDir;

/// Le nombre de clients connectés : un compteur atomique (plusieurs fils
/// peuvent le modifier à la fois), dans un `Arc` (tous les gestionnaires
/// tiennent le même).
type Clients = Arc<AtomicUsize>;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    // Le compteur (`io.engine.clientsCount` en Node) n'appartient à aucun
    // gestionnaire : on le confie au serveur Socket.IO, dont il devient
    // l'*état*, et chaque gestionnaire qui en a besoin le demande par
    // l'extracteur `State<Clients>`.
    let clients: Clients = Arc::new(AtomicUsize::new(0));
    let (layer, io) = support::socket_io_with_state(clients);

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
                // TODO (exercice 6) : envoyer « Un client est parti » à ceux
                // qui restent.
            }));

            println!("Un client vient de se connecter. Son ID : {}", socket.id);
            // `socket.handshake.address` : l'adresse de la connexion TCP.
            println!("Adresse IP du client : {}", support::client_ip(&socket));
            let count = clients.fetch_add(1, Ordering::SeqCst) + 1;
            println!("#clients connectés : {count}");
        }),
    );

    let app = Router::new()
        .fallback_service(ServeDir::new(support::client_dir("ch06-clients")))
        .layer(layer);

    support::listen_with(app, io).await
}
