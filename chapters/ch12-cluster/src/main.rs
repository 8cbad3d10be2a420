//! # Chapitre 12 : un chat, plusieurs serveurs
//!
//! Le chat du chapitre 9, lancé plusieurs fois (un processus par port), ne
//! fait qu'une seule conversation : les processus se passent les messages
//! par Redis. socketioxide s'en charge avec un *adaptateur* : au lieu de
//! ne diffuser qu'à ses propres clients, chaque processus publie la
//! diffusion dans Redis, et les autres la remettent à leurs clients.
//!
//! Le chat tient en trois fichiers : ce `main.rs` (Redis et la
//! connexion), `messages.rs` (les messages, y compris quand Redis ne répond
//! plus) et `presence.rs` (les pseudos, partagés par tous les processus,
//! les arrivées et les départs). Ce qui relie les processus est dans le
//! dossier `cluster/` (l'adaptateur, le pilote Redis, le registre des
//! pseudos) : voir `cluster/mod.rs`.
//!
//! Lancer : `redis-server` dans un terminal, puis
//! `PORT=3000 cargo run -p ch12-cluster` et
//! `PORT=3001 cargo run -p ch12-cluster` dans deux autres ; ouvrir
//! <http://localhost:3000> et <http://localhost:3001>.
//!
//! À essayer : demandez sur le port 3001 le pseudo déjà pris sur le port
//! 3000 : il est refusé.

// ANCHOR: all
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

// ANCHOR: state
/// L'état du serveur, comme au chapitre 9 (`State<Chat>`) ; mais le
/// registre des pseudos vit dans Redis, partagé par tous les processus.
#[derive(Clone)]
pub struct Chat {
    nicknames: Arc<ClusterNicknames>,
    /// Le numéro du dernier message relayé par *ce* processus.
    forwarded: Arc<AtomicU64>,
}
// ANCHOR_END: state

#[tokio::main]
async fn main() -> ExitCode {
    // ANCHOR: redis
    // Redis d'abord : sans lui, pas de chat partagé. Le registre des pseudos
    // a besoin de Redis : `connect` le crée, et `new_chat` en fait l'état.
    let new_chat = |nicknames| Chat {
        nicknames,
        forwarded: Arc::default(),
    };
    let cluster = match cluster::connect(new_chat).await {
        Ok(cluster) => cluster,
        Err(message) => {
            eprintln!("Erreur\u{a0}: {message}");
            return ExitCode::FAILURE;
        }
    };
    // Avec Redis, `io.ns(…)` rend un futur : l'espace de noms n'existe
    // qu'une fois abonné à ses canaux Redis.
    let ns = cluster
        .io
        .ns("/", in_order(on_connect).with(presence::check_nickname));
    if let Err(e) = ns.await {
        eprintln!("Erreur\u{a0}: abonnement aux canaux Redis impossible ({e}).");
        return ExitCode::FAILURE;
    }
    cluster.spawn_upkeep();
    // ANCHOR_END: redis

    let app = Router::new()
        .nest_service("/commun", ServeDir::new(support::client_dir("commun")))
        // La page est celle du chapitre 9, inchangée : un onglet ne sait pas
        // qu'il y a plusieurs serveurs.
        .fallback_service(ServeDir::new(support::client_dir("ch09-pseudos")))
        .layer(cluster.layer);

    support::listen_with(app, cluster.io).await
}

// ANCHOR: connection
async fn on_connect(socket: ClusterSocket, io: ClusterIo, State(chat): State<Chat>) {
    // `in_order` : les messages d'un client passent dans leur ordre
    // d'arrivée, même quand la publication dans Redis se fait attendre.
    socket.on("new message", in_order(messages::on_message));
    socket.on_disconnect(in_order(presence::leave));
    presence::arrive(&socket, &io, &chat).await;
}
// ANCHOR_END: connection

// ANCHOR_END: all
