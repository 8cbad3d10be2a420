//! Les messages privés et « en train d'écrire », d'une personne à une
//! autre : comme au chapitre 10, mais à *tous* les onglets du destinataire,
//! et aux autres onglets de l'expéditeur (qui voient ce qu'il a écrit).

// ANCHOR: all
use serde_json::json;
use socketioxide::BroadcastError;
use socketioxide::extract::{Extension, State};
use support::{Checked, PrivateMessage, Typing, nickname_key};

use crate::Chat;
use crate::presence::room_of;
use crate::store::Account;
use crate::{AckSender, SocketRef};

// ANCHOR: private
/// `socket.emit('private message', { to, text }, accusé)` : l'accusé répond
/// `{ ok: true }`, ou `{ error }` avec la raison (rien n'a alors été remis).
pub async fn on_private_message(
    socket: SocketRef,
    State(chat): State<Chat>,
    Extension(account): Extension<Account>,
    Checked(msg): Checked<PrivateMessage>,
    ack: AckSender,
) {
    let reply = match deliver(&socket, &chat, &account, msg).await {
        Ok(()) => json!({ "ok": true }),
        Err(why) => json!({ "error": why }),
    };
    ack.send(&reply).ok();
}

async fn deliver(
    socket: &SocketRef,
    chat: &Chat,
    account: &Account,
    msg: Result<PrivateMessage, support::Rejected>,
) -> Result<(), String> {
    let PrivateMessage { to, text } = msg.map_err(|refused| refused.to_string())?;
    let from = &account.pseudo;
    let Some(recipient) = chat.presence.find(&to) else {
        println!(
            "Message privé refusé\u{a0}: {from} écrit à «\u{a0}{to}\u{a0}», qui n'est pas connecté"
        );
        return Err(format!(
            "«\u{a0}{to}\u{a0}» n'est pas connecté en ce moment."
        ));
    };
    if nickname_key(&recipient) == account.key {
        println!("Message privé refusé\u{a0}: {from} l'adressait à son propre pseudo");
        return Err("Vous ne pouvez pas vous écrire à vous-même.".to_owned());
    }
    // Deux salons à la fois : les onglets du destinataire et ceux de
    // l'expéditeur ; `socket.to` exclut l'onglet qui envoie.
    let sent = socket
        .to(room_of(&nickname_key(&recipient)))
        .to(room_of(&account.key))
        .emit(
            "private message",
            &json!({ "from": from, "to": recipient, "text": text }),
        )
        .await;
    match sent {
        Ok(()) => {
            println!("message privé\u{a0}: {from} → {recipient}");
            Ok(())
        }
        // Au chapitre 15 : Redis injoignable (la raison, en français, vient
        // de l'adaptateur du chapitre 12), le message n'est parti nulle part.
        Err(BroadcastError::Adapter(why)) => {
            let from = support::of(from);
            println!("Message privé {from} à {recipient} non envoyé\u{a0}: {why}");
            Err(
                "Le message n'a pas pu partir\u{a0}: le serveur a perdu le contact \
                 avec les autres processus du chat. Réessayez dans un instant."
                    .to_owned(),
            )
        }
        Err(_) => Err("Le message n'a pas pu partir. Réessayez dans un instant.".to_owned()),
    }
}
// ANCHOR_END: private

// ANCHOR: typing
/// `socket.emit('typing', true)` : comme au chapitre 10, en volatil.
pub async fn on_typing(
    socket: SocketRef,
    Extension(account): Extension<Account>,
    Typing(typing): Typing,
) {
    socket
        .broadcast()
        .volatile()
        .emit(
            "typing",
            &json!({ "from": account.pseudo, "typing": typing }),
        )
        .await
        .ok();
}
// ANCHOR_END: typing
// ANCHOR_END: all
