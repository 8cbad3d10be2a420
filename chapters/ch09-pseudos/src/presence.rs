//! Qui est là : le pseudo de chaque client, vérifié avant la connexion, et
//! les annonces d'arrivée et de départ.
//!
//! Le registre lui-même (réserver un pseudo d'un seul geste, le libérer au
//! départ) est dans `registry.rs` : ce module montre ce que Socket.IO en
//! fait.

// ANCHOR: all
use serde_json::Value as Json;
use socketioxide::extract::{State, TryData};
use support::{NicknameError, SocketIo, SocketRef};

// Le registre des pseudos est dans l'état du serveur, `Chat` (`main.rs`) :
// les gestionnaires le demandent par `State<Chat>`, les fonctions le
// reçoivent en paramètre.
use crate::Chat;

// ANCHOR: middleware
/// Le middleware de connexion : il s'exécute *avant* que la connexion
/// existe. Une erreur la refuse ; son texte part au client dans
/// `connect_error` (`err.message` côté navigateur).
///
/// `TryData` et non `Data` : une donnée `auth` mal formée ne doit pas
/// refuser la connexion avec le message anglais de serde, mais avec le
/// nôtre.
pub async fn check_nickname(
    socket: SocketRef,
    io: SocketIo,
    State(chat): State<Chat>,
    TryData(auth): TryData<Json>,
) -> Result<(), NicknameError> {
    let checked = support::nickname_from_auth(auth.ok().as_ref()).and_then(|pseudo| {
        // Vérifier et réserver d'un seul geste : deux onglets qui demandent
        // le même pseudo au même instant, un seul l'obtient.
        chat.nicknames
            .claim(&pseudo, socket.id, |sid| io.get_socket(sid).is_some())
    });
    if let Err(refusal) = &checked {
        println!("Connexion refusée : {}", refusal.reason());
    }
    checked
}
// ANCHOR_END: middleware

/// Le pseudo du client `socket` (réservé par [`check_nickname`]).
pub fn nickname(socket: &SocketRef, chat: &Chat) -> String {
    chat.nicknames.of(socket.id).unwrap_or_default()
}

// ANCHOR: arrive
/// Un client vient d'arriver : on le dit aux autres, puis on envoie à tous
/// (lui compris) la liste de qui est en ligne.
pub async fn arrive(socket: &SocketRef, io: &SocketIo, chat: &Chat) {
    let pseudo = nickname(socket, chat);
    println!("{pseudo} vient de se connecter ({})", socket.id);
    socket.broadcast().emit("user joined", &pseudo).await.ok();
    io.emit("online", &chat.nicknames.online()).await.ok();
}
// ANCHOR_END: arrive

// ANCHOR: leave
/// Un client est parti, quelle qu'en soit la raison (onglet fermé,
/// navigateur tué, battement de cœur sans réponse) : son pseudo est libre
/// aussitôt, et les autres reçoivent `user left` puis la liste à jour.
pub async fn leave(socket: SocketRef, State(chat): State<Chat>) {
    let Some(pseudo) = chat.nicknames.release(socket.id) else {
        return;
    };
    println!("{pseudo} s'est déconnecté");
    // Pendant ce gestionnaire, le client qui part est encore dans l'espace
    // de noms : `broadcast()` l'exclut.
    socket.broadcast().emit("user left", &pseudo).await.ok();
    socket
        .broadcast()
        .emit("online", &chat.nicknames.online())
        .await
        .ok();
}
// ANCHOR_END: leave
// ANCHOR_END: all
