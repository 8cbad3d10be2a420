//! L'espace de noms `/admin`, celui des modérateurs : un deuxième canal sur
//! la même connexion, avec ses propres évènements et son propre middleware.
//! En Node : `io.of('/admin')`.
//!
//! Ce fichier est la porte et ce qu'on voit en entrant : qui peut entrer
//! (`check_moderator`), et la liste des comptes connectés, tenue à jour.
//! Ce que les modérateurs peuvent faire, exclure (`kick`) et réduire au
//! silence (`mute`), est dans `admin/decisions.rs`.

// ANCHOR: all
// `#[path]` : d'autres crates reprennent ce fichier (exercice 14), son
// module se trouve ainsi où qu'il soit compilé.
#[path = "admin/decisions.rs"]
mod decisions;

use serde_json::{Value, json};
use socketioxide::extract::{Extension, State};
use support::nickname_key;

use crate::Chat;
use crate::moderation::rfc3339;
use crate::presence::room_of;
use crate::store::Account;
use crate::{SocketIo, SocketRef};

// ANCHOR: middleware
/// Le middleware de `/admin`. `check_session` (chapitre 13) est passé
/// avant lui et a rangé le compte dans les extensions : il ne reste qu'à
/// vérifier que ce compte est modérateur.
pub async fn check_moderator(socket: SocketRef, State(chat): State<Chat>) -> Result<(), String> {
    let Some(account) = socket.extensions.get::<Account>() else {
        return Err("Connectez-vous d'abord.".to_owned());
    };
    if chat.moderation.is_moderator(&account.key) {
        return Ok(());
    }
    let hint = if chat.moderation.moderators().is_empty() {
        " (MODERATORS est vide\u{a0}: personne ne l'est)"
    } else {
        ""
    };
    println!(
        "Connexion à /admin refusée\u{a0}: {} n'est pas modérateur{hint}",
        account.pseudo
    );
    Err("Cette page est réservée aux modérateurs.".to_owned())
}
// ANCHOR_END: middleware

// ANCHOR: connect
pub async fn on_connect(
    socket: SocketRef,
    io: SocketIo,
    State(chat): State<Chat>,
    Extension(account): Extension<Account>,
) {
    socket.on("kick", support::in_order(decisions::on_kick));
    socket.on("mute", support::in_order(decisions::on_mute));
    // La salle du compte, comme ses onglets du chat : se déconnecter
    // (`accounts.rs`) ferme aussi cette page, dont le pouvoir venait de la
    // même session.
    socket.join(room_of(&account.key));
    println!("{} ouvre la page des modérateurs", account.pseudo);
    socket.emit("users", &users(&io, &chat)).ok();
}
// ANCHOR_END: connect

// ANCHOR: users
/// Les comptes connectés au chat (`/`), chacun avec son nombre d'onglets
/// et la fin de sa mise en silence.
fn users(io: &SocketIo, chat: &Chat) -> Vec<Value> {
    let Some(main) = io.of("/") else {
        return Vec::new();
    };
    chat.presence
        .online()
        .into_iter()
        .map(|pseudo| {
            let key = nickname_key(&pseudo);
            let tabs = main.clone().to(room_of(&key)).sockets().len();
            let muted = chat.moderation.muted_until(&key).map(rfc3339);
            json!({ "pseudo": pseudo, "tabs": tabs, "muted_until": muted })
        })
        .collect()
}

/// Envoie la liste à jour à chaque page des modérateurs : après chaque
/// arrivée, départ ou décision.
pub async fn refresh(io: &SocketIo, chat: &Chat) {
    if let Some(admin) = io.of("/admin") {
        admin.emit("users", &users(io, chat)).await.ok();
    }
}
// ANCHOR_END: users
// ANCHOR_END: all
