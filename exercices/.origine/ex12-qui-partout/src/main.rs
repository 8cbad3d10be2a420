//! # Exercice 12 (chapitre ch12-cluster)
//!
//! Ce crate est une copie du serveur du chapitre : le chapitre lui-même
//! reste intact. La commande `/qui`, comme à l'exercice 10, mais sur
//! plusieurs processus : un message « /qui » n'est pas relayé ; son auteur
//! seul reçoit `{ "from": "serveur", "text": "En ligne : Alice, Bob" }`, la
//! liste de *tout* le chat, quel que soit le processus de chacun.
//!
//! Vérifier : `cargo xtask exercices ex12` (Redis requis, comme pour le
//! chapitre) ; un indice : `cargo xtask exercices --indice ex12` ; tout
//! effacer et repartir de l'original :
//! `cargo xtask exercices --recommencer ex12`.

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

    let app = Router::new()
        .nest_service("/commun", ServeDir::new(support::client_dir("commun")))
        // La page est celle du chapitre 9, inchangée : un onglet ne sait pas
        // qu'il y a plusieurs serveurs.
        .fallback_service(ServeDir::new(support::client_dir("ch09-pseudos")))
        .layer(cluster.layer);

    support::listen_with(app, cluster.io).await
}

async fn on_connect(socket: ClusterSocket, io: ClusterIo, State(names): State<presence::Names>) {
    // `in_order` : les messages d'un client passent dans leur ordre
    // d'arrivée, même quand la publication dans Redis se fait attendre.
    socket.on("new message", in_order(on_message));
    socket.on_disconnect(in_order(presence::leave));
    presence::arrive(&socket, &io, &names).await;
}

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
    // TODO (exercice 12) : « /qui » ne part pas aux autres ; son auteur seul
    // reçoit { "from": "serveur", "text": "En ligne : Alice, Bob" }, la liste
    // de tout le chat.
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
