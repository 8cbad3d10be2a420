//! Qui est là, dans tout le chat : les pseudos vivent dans Redis (voir
//! `cluster/nicknames.rs`), et la liste « online » compte les clients de tous
//! les processus.

use serde_json::{Value as Json, json};
use socketioxide::BroadcastError;
use socketioxide::extract::{State, TryData};

// Comme au chapitre 9, le registre est dans l'état du serveur, `Chat`
// (`main.rs`) ; ici, c'est le registre de tout le chat, dans Redis.
use crate::Chat;
use crate::cluster::{self, ClusterIo, ClusterSocket, Refusal};

// ANCHOR: middleware
/// Comme au chapitre 9, mais la réservation demande à Redis : `SET … NX`
/// n'écrit la clé du pseudo que si aucun processus ne l'a déjà.
pub async fn check_nickname(
    socket: ClusterSocket,
    State(chat): State<Chat>,
    TryData(auth): TryData<Json>,
) -> Result<(), Refusal> {
    let checked = match support::nickname_from_auth(auth.ok().as_ref()) {
        Err(e) => Err(Refusal::from(e)),
        Ok(pseudo) => chat.nicknames.claim(&pseudo, socket.id).await,
    };
    if let Err(refusal) = &checked {
        println!("Connexion refusée : {}", refusal.reason());
    }
    checked
}
// ANCHOR_END: middleware

/// Le pseudo du client `socket` (réservé par [`check_nickname`]).
pub fn nickname(socket: &ClusterSocket, chat: &Chat) -> String {
    chat.nicknames.of(socket.id).unwrap_or_default()
}

/// La liste « online » de tout le chat.
async fn online(io: &ClusterIo, chat: &Chat) -> Vec<String> {
    chat.nicknames
        .online(&cluster::live_clients(io).await)
        .await
}

// ANCHOR: arrive
/// Un client vient d'arriver sur ce processus : `broadcast()` et `emit`
/// passent par Redis et atteignent les clients de tous les processus.
pub async fn arrive(socket: &ClusterSocket, io: &ClusterIo, chat: &Chat) {
    let pseudo = nickname(socket, chat);
    println!("{pseudo} vient de se connecter ({})", socket.id);
    socket.broadcast().emit("user joined", &pseudo).await.ok();
    io.emit("online", &online(io, chat).await).await.ok();
}
// ANCHOR_END: arrive

// ANCHOR: leave
/// Un client de ce processus est parti : son pseudo est libéré dans Redis.
/// Quand c'est ce processus qui s'arrête (Ctrl+C), tous ses clients partent
/// ensemble : chacun le dit, et la liste « online » envoyée aux autres
/// processus ne compte plus aucun d'eux.
pub async fn leave(socket: ClusterSocket, State(chat): State<Chat>) {
    let Some(pseudo) = chat.nicknames.release(socket.id).await else {
        return;
    };
    println!("{pseudo} s'est déconnecté");
    to_others(&socket, "user left", json!(pseudo)).await;
    let mut live = cluster::other_clients(&socket).await;
    if support::is_stopping() {
        for sid in chat.nicknames.local_clients() {
            live.remove(&sid);
        }
    }
    let online = chat.nicknames.online(&live).await;
    to_others(&socket, "online", json!(online)).await;
}
// ANCHOR_END: leave

/// Comme un message (`messages.rs`) : si Redis ne répond plus, l'annonce
/// part au moins aux clients de ce processus (`.local()`). La liste
/// « online » n'a alors que ceux d'ici ; les autres reviennent quand Redis
/// revient (`cluster/outage.rs`).
async fn to_others(socket: &ClusterSocket, event: &str, data: Json) {
    if let Err(BroadcastError::Adapter(_)) = socket.broadcast().emit(event, &data).await {
        socket.local().broadcast().emit(event, &data).await.ok();
    }
}
