//! Écrire dans le chat : un message à tous (`new message`) ou privé.
//!
//! Comme au chapitre 11, un message à tous est enregistré d'abord et
//! accusé ensuite ; c'est `feed.rs` qui l'envoie à toutes les pages,
//! l'auteur compris. Les limites du chapitre 14 passent avant l'écriture.
//! Ce qui est nouveau ici : une base en panne n'est pas un refus mais un
//! « réessayez » (`retry`), que la boîte d'envoi de la page comprend.

// ANCHOR: all
use serde_json::{Value as Json, json};
use socketioxide::extract::{Extension, State, TryData};
use tracing::{info, warn};

use crate::admin;
use crate::moderation::{self, FLOOD_WINDOW};
use crate::ops::Metrics;
use crate::private;
use crate::store::{Account, StoreError};
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

/// Pourquoi un message n'est pas enregistré.
enum Refusal {
    /// Pour de bon : la raison, en français.
    Refused(String),
    /// Pour l'instant : la base ne répond pas.
    Unavailable,
}

async fn write(
    chat: &Chat,
    account: &Account,
    data: Result<(Json, Json), impl std::fmt::Debug>,
) -> Result<i64, Refusal> {
    let Ok((Json::String(text), Json::String(offset))) = data else {
        let why = "Message refusé\u{a0}: il faut deux textes, le message puis son identifiant (clientOffset).";
        warn!(
            account = %account.pseudo,
            "Avertissement\u{a0}: «\u{a0}new message\u{a0}» de {} ignoré. {why}",
            account.pseudo
        );
        return Err(Refusal::Refused(why.to_owned()));
    };
    // Un renvoi d'un message déjà enregistré : le même numéro, rien d'autre
    // (et il ne compte pas dans la limite de débit).
    match chat.store.known(&offset).await {
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

// ANCHOR: allow
/// Les limites du chapitre 14, pour tout le chat : la longueur se juge ici,
/// le silence et le débit dans la base, que tous les processus partagent
/// (au chapitre 14, la mémoire suffisait : un seul processus).
async fn allow(chat: &Chat, account: &Account, text: &str) -> Result<(), Refusal> {
    let limits = limits(chat, account, text).await;
    if let Err(Refusal::Refused(why)) = &limits {
        info!(account = %account.pseudo, reason = %why, "Message de {} refusé. {why}", account.pseudo);
    }
    limits
}

async fn limits(chat: &Chat, account: &Account, text: &str) -> Result<(), Refusal> {
    moderation::check_length(text).map_err(Refusal::Refused)?;
    // Le silence, écrit dans la base par le processus du modérateur.
    match admin::muted_until(&chat.store, &account.key).await {
        Ok(None) => {}
        Ok(Some(until)) => return Err(Refusal::Refused(moderation::mute_refusal(until))),
        Err(why) => return Err(unavailable(account, "non vérifié", &why)),
    }
    let limit = chat.moderation.flood_limit();
    match chat.store.admit(&account.key, limit, FLOOD_WINDOW).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(wait)) => Err(Refusal::Refused(chat.moderation.flood_refusal(wait))),
        Err(why) => Err(unavailable(account, "non vérifié", &why)),
    }
}
// ANCHOR_END: allow

/// La base ne répond pas : un avertissement au journal, avec l'erreur à
/// part, et un « réessayez » pour la page.
fn unavailable(account: &Account, what: &str, why: &StoreError) -> Refusal {
    warn!(account = %account.pseudo, error = %why, "Message de {} {what}\u{a0}: {why}", account.pseudo);
    Refusal::Unavailable
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
