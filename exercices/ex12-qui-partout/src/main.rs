//! # Exercice 12 (chapitre ch12-cluster)
//!
//! Ce crate est une copie du serveur du chapitre : le chapitre lui-même reste
//! intact. La commande `/qui`, comme à l'exercice 10, mais sur plusieurs
//! processus : un message « /qui » n'est pas relayé ; son auteur seul reçoit
//! `{ "from": "serveur", "text": "En ligne : Alice, Bob" }`, la liste de *tout*
//! le chat, quel que soit le processus de chacun. Le travail est dans
//! `src/messages.rs` (et un mot dans `src/presence.rs`). Redis est requis,
//! comme pour le chapitre.
//!
//! Vérifier : `cargo xtask exercices ex12` ; un indice :
//! `cargo xtask exercices --indice ex12` ; tout effacer et repartir de
//! l'original : `cargo xtask exercices --recommencer ex12`.

// Les modules que l'exercice ne vous donne pas sont ceux du chapitre, lus là où
// ils sont (`#[path]`, comme au chapitre 10).
#[path = "../../../chapters/ch12-cluster/src/cluster/mod.rs"]
mod cluster;
mod messages;
mod presence;

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use axum::Router;
use socketioxide::extract::State;
use socketioxide::handler::ConnectHandler;
use support::in_order;
use tower_http::services::ServeDir;

use cluster::{ClusterIo, ClusterNicknames, ClusterSocket};

/// L'état du serveur, comme au chapitre 9 (`State<Chat>`) ; mais le
/// registre des pseudos vit dans Redis, partagé par tous les processus.
#[derive(Clone)]
pub struct Chat {
    nicknames: Arc<ClusterNicknames>,
    /// Le numéro du dernier message relayé par *ce* processus.
    forwarded: Arc<AtomicU64>,
}

#[tokio::main]
async fn main() -> ExitCode {
    // Redis d'abord : sans lui, pas de chat partagé. Le registre des pseudos
    // a besoin de Redis : `connect` le crée, et `new_chat` en fait l'état.
    let new_chat = |nicknames| Chat {
        nicknames,
        forwarded: Arc::default(),
    };
    let cluster = match cluster::connect(new_chat).await {
        Ok(cluster) => cluster,
        Err(message) => {
            eprintln!("Erreur : {message}");
            return ExitCode::FAILURE;
        }
    };
    // Avec Redis, `io.ns(…)` rend un futur : l'espace de noms n'existe
    // qu'une fois abonné à ses canaux Redis.
    let ns = cluster
        .io
        .ns("/", in_order(on_connect).with(presence::check_nickname));
    if let Err(e) = ns.await {
        eprintln!("Erreur : abonnement aux canaux Redis impossible ({e}).");
        return ExitCode::FAILURE;
    }
    cluster.spawn_upkeep();

    let app = Router::new()
        .nest_service("/commun", ServeDir::new(support::client_dir("commun")))
        // La page est celle du chapitre 9, inchangée : un onglet ne sait pas
        // qu'il y a plusieurs serveurs.
        .fallback_service(ServeDir::new(support::client_dir("ch09-pseudos")))
        .layer(cluster.layer);

    support::listen_with(app, cluster.io).await
}

async fn on_connect(socket: ClusterSocket, io: ClusterIo, State(chat): State<Chat>) {
    // `in_order` : les messages d'un client passent dans leur ordre
    // d'arrivée, même quand la publication dans Redis se fait attendre.
    socket.on("new message", in_order(messages::on_message));
    socket.on_disconnect(in_order(presence::leave));
    presence::arrive(&socket, &io, &chat).await;
}
