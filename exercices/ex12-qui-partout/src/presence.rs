//! Qui est là, dans tout le chat : les pseudos vivent dans Redis (voir
//! `cluster/nicknames.rs`), et la liste « online » compte les clients de tous
//! les processus.

use std::sync::Arc;

use serde_json::Value as Json;
use socketioxide::extract::{State, TryData};

use crate::cluster::{self, ClusterIo, ClusterNicknames, ClusterSocket, Refusal};

/// Le registre des pseudos, partagé par les processus à travers Redis.
/// C'est l'état du serveur Socket.IO (`cluster::connect` le lui
/// donne, comme la base au chapitre 11) : chaque gestionnaire qui en a
/// besoin le reçoit par l'extracteur `State<Names>`.
pub type Names = Arc<ClusterNicknames>;

/// Comme au chapitre 9, mais la réservation demande à Redis : `SET … NX`
/// n'écrit la clé du pseudo que si aucun processus ne l'a déjà.
pub async fn check_nickname(
    socket: ClusterSocket,
    State(names): State<Names>,
    TryData(auth): TryData<Json>,
) -> Result<(), Refusal> {
    let checked = match support::nickname_from_auth(auth.ok().as_ref()) {
        Err(e) => Err(Refusal::from(e)),
        Ok(pseudo) => names.claim(&pseudo, socket.id).await,
    };
    if let Err(refusal) = &checked {
        println!("Connexion refusée : {}", refusal.reason());
    }
    checked
}

/// Le pseudo du client `socket` (réservé par [`check_nickname`]).
pub fn nickname(socket: &ClusterSocket, names: &ClusterNicknames) -> String {
    names.of(socket.id).unwrap_or_default()
}

/// La liste « online » de tout le chat.
async fn online(io: &ClusterIo, names: &ClusterNicknames) -> Vec<String> {
    names.online(&cluster::live_clients(io).await).await
}

/// Un client vient d'arriver sur ce processus : `broadcast()` et `emit`
/// passent par Redis et atteignent les clients de tous les processus.
pub async fn arrive(socket: &ClusterSocket, io: &ClusterIo, names: &ClusterNicknames) {
    let pseudo = nickname(socket, names);
    println!("{pseudo} vient de se connecter ({})", socket.id);
    socket.broadcast().emit("user joined", &pseudo).await.ok();
    io.emit("online", &online(io, names).await).await.ok();
}

/// Un client de ce processus est parti : son pseudo est libéré dans Redis.
/// Quand c'est ce processus qui s'arrête (Ctrl+C), tous ses clients partent
/// ensemble : chacun le dit, et la liste « online » envoyée aux autres
/// processus ne compte plus aucun d'eux.
pub async fn leave(socket: ClusterSocket, State(names): State<Names>) {
    let Some(pseudo) = names.release(socket.id).await else {
        return;
    };
    println!("{pseudo} s'est déconnecté");
    socket.broadcast().emit("user left", &pseudo).await.ok();
    let mut live = cluster::other_clients(&socket).await;
    if support::is_stopping() {
        for sid in names.local_clients() {
            live.remove(&sid);
        }
    }
    let online = names.online(&live).await;
    socket.broadcast().emit("online", &online).await.ok();
}
