//! Écrire dans le chat : un message à tous (`new message`) ou privé.
//!
//! Comme au chapitre 11, un message à tous est enregistré d'abord et
//! accusé ensuite ; c'est `feed.rs` qui l'envoie à toutes les pages,
//! l'auteur compris. Les limites du chapitre 14 passent avant l'écriture
//! (`limits.rs`).
//! Ce qui est nouveau ici : une base en panne n'est pas un refus mais un
//! « réessayez » (`retry`), que la boîte d'envoi de la page comprend.

// ANCHOR: all
use serde_json::{Value as Json, json};
use socketioxide::extract::{Extension, State, TryData};
use support::printable;
use tracing::{info, warn};

use crate::limits::{Refusal, allow, unavailable};
use crate::ops::Metrics;
use crate::private;
use crate::store::Account;
use crate::{AckSender, Chat, SocketRef};

/// `socket.emit('new message', texte, clientOffset)`, comme au chapitre 11 :
/// enregistré d'abord, accusé ensuite ; `feed.rs` l'envoie à toutes les
/// pages, l'auteur compris. Jamais d'accusé `{ id }` sans enregistrement.
pub async fn on_message(
    State(chat): State<Chat>,
    Extension(account): Extension<Account>,
    TryData(data): TryData<(Json, Json)>,
    ack: AckSender,
) {
    let reply = match write(&chat, &account, data).await {
        Ok(id) => json!({ "id": id }),
        Err(Refusal::Refused(why)) => {
            Metrics::count(&chat.metrics.refused);
            json!({ "error": why })
        }
        // `retry` : la page renverra le même message (même clientOffset).
        Err(Refusal::Unavailable) => {
            Metrics::count(&chat.metrics.failed);
            json!({ "error": "La base de données ne répond pas\u{a0}; nouvel essai dans un instant.", "retry": true })
        }
    };
    ack.send(&reply).ok();
}

/// Un message à tous, de la forme à l'enregistrement : son numéro, ou
/// pourquoi il n'est pas enregistré.
async fn write(
    chat: &Chat,
    account: &Account,
    data: Result<(Json, Json), impl std::fmt::Debug>,
) -> Result<i64, Refusal> {
    // Le texte s'écrit dans le terminal : `printable` refuse un caractère
    // de contrôle, et le nomme par son code.
    let checked = match data {
        Ok((Json::String(text), Json::String(offset))) => {
            printable("le message", text).map(|text| (text, offset))
        }
        _ => Err("il faut deux textes, le message puis son identifiant (clientOffset)".to_owned()),
    };
    let (text, offset) = match checked {
        Ok(both) => both,
        Err(why) => {
            let why = format!("Message refusé\u{a0}: {why}.");
            warn!(
                account = %account.pseudo,
                "Avertissement\u{a0}: «\u{a0}new message\u{a0}» {} ignoré. {why}",
                support::of(&account.pseudo)
            );
            return Err(Refusal::Refused(why));
        }
    };
    // Un renvoi d'un message déjà enregistré : le même numéro, rien d'autre
    // (et il ne compte pas dans la limite de débit).
    match chat.store.known(&account.pseudo, &offset).await {
        Ok(Some(id)) => return Ok(id),
        Ok(None) => {}
        Err(why) => return Err(unavailable(account, "non enregistré", &why)),
    }
    allow(chat, account, &text).await?;
    match chat
        .store
        .add_message(&offset, &account.pseudo, &text)
        .await
    {
        Ok(id) => {
            Metrics::count(&chat.metrics.stored);
            // La phrase du chapitre 3 ; le JSON garde l'auteur et le numéro.
            info!(account = %account.pseudo, id, "message: {text}");
            Ok(id)
        }
        Err(why) => Err(unavailable(account, "non enregistré", &why)),
    }
}

/// Un message privé passe par les limites du chapitre 14, puis par le
/// chapitre 13 (l'adaptateur Redis le porte au bon processus).
pub async fn on_private_message(
    socket: SocketRef,
    State(chat): State<Chat>,
    Extension(account): Extension<Account>,
    support::Checked(msg): support::Checked<support::PrivateMessage>,
    ack: AckSender,
) {
    if let Ok(support::PrivateMessage { text, .. }) = &msg
        && let Err(refusal) = allow(&chat, &account, text).await
    {
        let why = match refusal {
            Refusal::Refused(why) => {
                Metrics::count(&chat.metrics.refused);
                why
            }
            Refusal::Unavailable => {
                Metrics::count(&chat.metrics.failed);
                "La base de données ne répond pas\u{a0}: message non envoyé, réessayez.".to_owned()
            }
        };
        ack.send(&json!({ "error": why })).ok();
        return;
    }
    private::on_private_message(
        socket,
        State(chat),
        Extension(account),
        support::Checked(msg),
        ack,
    )
    .await;
}
// ANCHOR_END: all
