//! L'espace de noms `/admin` du chapitre 14, pour tout le chat : un
//! modérateur connecté à un processus voit, exclut et réduit au silence une
//! personne connectée à n'importe lequel (chapitre 15).
//!
//! Au chapitre 14, la liste des comptes et les silences vivaient dans la
//! mémoire de l'unique processus. Ici, chaque mémoire devient ce que tous
//! les processus partagent :
//! - la liste se lit dans les salons de tout le chat (`users.rs`) ;
//! - un silence est une ligne de la table `mutes` (`mutes.rs`) ;
//! - exclure passe par l'adaptateur Redis (ci-dessous) : les onglets du
//!   compte reçoivent `kicked` puis sont déconnectés, quel que soit leur
//!   processus.
//!
//! Ce module est la porte : qui peut entrer, et ce que la page peut
//! demander (`kick`, `mute`).

// ANCHOR: all
use serde_json::{Value, json};
use socketioxide::extract::{Extension, State, TryData};
use support::nickname_key;
use tracing::info;

use crate::moderation::kick_request;
use crate::presence::room_of;
use crate::store::Account;
use crate::{AckSender, Chat, SocketIo, SocketRef, mutes, users};

// ANCHOR: middleware
/// Comme au chapitre 14 : `check_session` a rangé le compte, il ne reste
/// qu'à vérifier qu'il est modérateur (`MODERATORS`, le même pour tous les
/// processus).
pub async fn check_moderator(socket: SocketRef, State(chat): State<Chat>) -> Result<(), String> {
    let Some(account) = socket.extensions.get::<Account>() else {
        return Err("Connectez-vous d'abord.".to_owned());
    };
    if !chat.moderation.is_moderator(&account.key) {
        info!(
            account = %account.pseudo,
            "Connexion à /admin refusée\u{a0}: {} n'est pas modérateur",
            account.pseudo
        );
        return Err("Cette page est réservée aux modérateurs.".to_owned());
    }
    Ok(())
}
// ANCHOR_END: middleware

/// Une page de modération s'ouvre : elle peut exclure et réduire au
/// silence, et reçoit tout de suite la liste de tout le chat.
pub async fn on_connect(socket: SocketRef, io: SocketIo, State(chat): State<Chat>) {
    socket.on("kick", support::in_order(on_kick));
    socket.on("mute", support::in_order(mutes::on_mute));
    if let Some(account) = socket.extensions.get::<Account>() {
        // Comme au chapitre 14 : se déconnecter ferme aussi cette page.
        socket.join(room_of(&account.key));
        info!(account = %account.pseudo, "{} ouvre la page des modérateurs", account.pseudo);
    }
    if let Ok(users) = users::list(&io, &chat.store).await {
        socket.emit("users", &users).ok();
    }
}

// ANCHOR: kick
/// `kick` `{ pseudo, reason }` : les onglets du compte, sur tous les
/// processus, reçoivent `kicked` avec la raison, puis sont déconnectés.
async fn on_kick(
    io: SocketIo,
    Extension(moderator): Extension<Account>,
    TryData(data): TryData<Value>,
    ack: AckSender,
) {
    let (pseudo, reason) = match kick_request(&data.unwrap_or_default()) {
        Ok(request) => request,
        Err(why) => {
            ack.send(&json!({ "error": why })).ok();
            return;
        }
    };
    let Some(main) = io.of("/") else {
        return;
    };
    let room = room_of(&nickname_key(&pseudo));
    // `fetch_sockets` demande à chaque processus ses onglets de ce salon.
    let tabs = main
        .clone()
        .to(room.clone())
        .fetch_sockets()
        .await
        .map_or(0, |t| t.len());
    if tabs == 0 {
        let why = format!("Personne n'est connecté sous le pseudo «\u{a0}{pseudo}\u{a0}».");
        ack.send(&json!({ "error": why })).ok();
        return;
    }
    info!(
        moderator = %moderator.pseudo,
        account = %pseudo,
        tabs,
        reason = %reason,
        "Modération\u{a0}: {} exclut {pseudo} ({tabs}\u{a0}{}), raison\u{a0}: {reason}",
        moderator.pseudo,
        if tabs == 1 { "onglet" } else { "onglets" }
    );
    let kicked = json!({ "reason": reason });
    main.clone()
        .to(room.clone())
        .emit("kicked", &kicked)
        .await
        .ok();
    main.to(room).disconnect().await.ok();
    ack.send(&json!({ "ok": true })).ok();
}
// ANCHOR_END: kick
// ANCHOR_END: all
