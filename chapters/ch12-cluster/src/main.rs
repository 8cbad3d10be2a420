//! # Chapitre 12 : un chat, plusieurs serveurs
//!
//! Le chat du chapitre 9, lancé plusieurs fois (un processus par port), ne
//! fait qu'une seule conversation : les processus se passent les messages
//! par Redis. socketioxide s'en charge avec un *adaptateur* : au lieu de
//! ne diffuser qu'à ses propres clients, chaque processus publie la
//! diffusion dans Redis, et les autres la remettent à leurs clients.
//!
//! Le serveur tient en deux fichiers : ce `main.rs` (Redis, la connexion et
//! les messages) et `presence.rs` (les pseudos, partagés par tous les
//! processus, les arrivées et les départs).
//!
//! Lancer : `redis-server` dans un terminal, puis
//! `PORT=3000 cargo run -p ch12-cluster` et
//! `PORT=3001 cargo run -p ch12-cluster` dans deux autres ; ouvrir
//! <http://localhost:3000> et <http://localhost:3001>.
//!
//! À essayer : demandez sur le port 3001 le pseudo déjà pris sur le port
//! 3000 : il est refusé.

// ANCHOR: all
mod presence;

use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::Router;
use serde_json::json;
use socketioxide::BroadcastError;
use socketioxide::extract::State;
use socketioxide::handler::ConnectHandler;
use support::cluster::{ClusterAck, ClusterIo, ClusterSocket};
use support::{Checked, Text, in_order};
use tower_http::services::ServeDir;

/// Le numéro du dernier message relayé par *ce* processus.
static FORWARDED: AtomicU64 = AtomicU64::new(0);

#[tokio::main]
async fn main() -> ExitCode {
    // ANCHOR: redis
    // Redis d'abord : sans lui, pas de chat partagé.
    let cluster = match support::cluster::connect().await {
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
async fn on_connect(socket: ClusterSocket, io: ClusterIo, State(names): State<presence::Names>) {
    // `in_order` : les messages d'un client passent dans leur ordre
    // d'arrivée, même quand la publication dans Redis se fait attendre.
    socket.on("new message", in_order(on_message));
    socket.on_disconnect(in_order(presence::leave));
    presence::arrive(&socket, &io, &names).await;
}
// ANCHOR_END: connection

// ANCHOR: message
/// Comme au chapitre 9. Si Redis ne répond plus, le message part quand même
/// aux clients de ce processus (`.local()`).
async fn on_message(
    socket: ClusterSocket,
    State(names): State<presence::Names>,
    Checked(msg): Checked<Text>,
    ack: ClusterAck,
) {
    let msg = match msg {
        Ok(Text(msg)) => msg,
        Err(refused) => {
            ack.send(&json!({ "error": refused.to_string() })).ok();
            return;
        }
    };
    println!("message: {msg}");
    let message = json!({ "from": presence::nickname(&socket, &names), "text": msg });
    let sent = socket.broadcast().emit("new message", &message).await;
    // `Adapter` : la publication dans Redis a échoué, et l'adaptateur n'a
    // alors rien remis à personne, pas même ici.
    if let Err(BroadcastError::Adapter(_)) = sent {
        println!("Redis injoignable : message remis aux seuls clients de ce processus.");
        socket
            .local()
            .broadcast()
            .emit("new message", &message)
            .await
            .ok();
    }
    let id = FORWARDED.fetch_add(1, Ordering::SeqCst) + 1;
    ack.send(&json!({ "id": id })).ok();
}
// ANCHOR_END: message
// ANCHOR_END: all
