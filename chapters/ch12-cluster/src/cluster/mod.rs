//! Un chat sur plusieurs processus, par Redis : la leçon du chapitre 12.
//!
//! Pourquoi un dossier à part : `main.rs`, `messages.rs` et `presence.rs`
//! restent le chat du chapitre 9, presque mot pour mot ; tout ce qui relie
//! les processus est ici, un fichier par souci :
//! - `connect.rs` : joindre Redis (`REDIS_URL`) et construire le serveur
//!   Socket.IO sur l'adaptateur Redis ([`connect`]) ;
//! - `adapter.rs` et `delivery.rs` : l'adaptateur de socketioxide-redis,
//!   dont les remises ne sautent aucun client en silence ;
//! - `bus.rs` et `inbox.rs` : le pilote [`RedisBus`], qui publie, s'abonne,
//!   se reconnecte tout seul, et reçoit ce que Redis pousse ;
//! - `nicknames.rs`, `roster.rs` et `refusal.rs` : les pseudos de tout le
//!   chat, des clés Redis (`SET … NX`, avec expiration) ;
//! - `upkeep.rs` : les tâches de fond, prolonger les pseudos, guetter
//!   les processus disparus, frapper à la porte de Redis perdu ;
//! - `outage.rs` : après une panne de Redis, renvoyer la liste « online ».
//!
//! Le chapitre 15 reprend ce dossier d'une seule déclaration (`#[path]`).

// ANCHOR: modules
mod adapter;
mod bus;
mod connect;
mod delivery;
mod inbox;
mod nicknames;
mod outage;
mod refusal;
mod roster;
mod upkeep;

pub use adapter::ReliableRedisAdapter;
pub use bus::RedisBus;
pub use connect::connect;
#[allow(unused_imports)] // Sert au chapitre 15, qui reprend ce dossier.
pub use connect::connect_with_state;
pub use nicknames::ClusterNicknames;
pub use refusal::Refusal;
// ANCHOR_END: modules

use std::collections::HashSet;
use std::sync::Arc;

use socketioxide_core::Sid;

// ANCHOR: types
/// L'adaptateur Redis de socketioxide, sur notre pilote, avec des remises
/// qui ne sautent aucun client en silence (voir `adapter.rs`).
pub type ClusterAdapter = ReliableRedisAdapter;
/// Le serveur Socket.IO du chapitre 12.
pub type ClusterIo = socketioxide::SocketIo<ClusterAdapter>;
/// La connexion d'un client, au chapitre 12 (celle de `support`, dont
/// `socket.on` ne perd pas un évènement émis dès la connexion).
pub type ClusterSocket = support::SocketRef<ClusterAdapter>;
/// L'accusé de réception, au chapitre 12.
pub type ClusterAck = socketioxide::extract::AckSender<ClusterAdapter>;
/// La couche à donner à axum.
pub type ClusterLayer = socketioxide::layer::SocketIoLayer<ClusterAdapter>;

/// Ce que [`connect`] rend.
pub struct Cluster {
    pub layer: ClusterLayer,
    pub io: ClusterIo,
    pub nicknames: Arc<ClusterNicknames>,
    bus: RedisBus,
}
// ANCHOR_END: types

/// Les clients connectés à tous les processus. Redis injoignable : ceux de
/// ce processus.
pub async fn live_clients(io: &ClusterIo) -> HashSet<Sid> {
    match io.fetch_sockets().await {
        Ok(sockets) => sockets.into_iter().map(|s| s.data().id).collect(),
        Err(_) => io.local().sockets().into_iter().map(|s| s.id).collect(),
    }
}

/// Les autres clients connectés à tous les processus, vus par `socket`.
/// Redis injoignable : ceux de ce processus. (Passer par le client et non
/// par `io` : à l'arrêt du serveur, `io` n'a déjà plus d'espace de noms.)
pub async fn other_clients(socket: &ClusterSocket) -> HashSet<Sid> {
    match socket.broadcast().fetch_sockets().await {
        Ok(sockets) => sockets.into_iter().map(|s| s.data().id).collect(),
        Err(_) => socket
            .broadcast()
            .local()
            .sockets()
            .into_iter()
            .map(|s| s.id)
            .collect(),
    }
}

#[cfg(test)]
mod tests;
