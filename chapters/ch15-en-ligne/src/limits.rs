//! Les limites du chapitre 14, pour tout le chat (chapitre 15) : la
//! longueur se juge ici, le silence (`mutes.rs`) et le débit (`flood.rs`)
//! dans la base, que tous les processus partagent.
//!
//! Un message à tous comme un message privé passe par [`allow`] avant
//! d'être écrit (`messages.rs`). Une base en panne n'est pas un refus :
//! [`Refusal::Unavailable`], que la page comprend comme « réessayez ».

// ANCHOR: all
use tracing::{info, warn};

use crate::flood::MESSAGES;
use crate::moderation::{self, FLOOD_WINDOW};
use crate::store::{Account, StoreError};
use crate::{Chat, mutes};

/// Pourquoi un message n'est pas enregistré.
pub enum Refusal {
    /// Pour de bon : la raison, en français.
    Refused(String),
    /// Pour l'instant : la base ne répond pas.
    Unavailable,
}

// ANCHOR: allow
/// Les limites du chapitre 14, pour tout le chat : la longueur se juge ici,
/// le silence et le débit dans la base, que tous les processus partagent
/// (au chapitre 14, la mémoire suffisait : un seul processus).
pub async fn allow(chat: &Chat, account: &Account, text: &str) -> Result<(), Refusal> {
    let limits = limits(chat, account, text).await;
    if let Err(Refusal::Refused(why)) = &limits {
        // La raison est la phrase envoyée à la page (« vous… ») : citée.
        let of = support::of(&account.pseudo);
        info!(account = %account.pseudo, reason = %why, "Message {of} refusé\u{a0}: «\u{a0}{why}\u{a0}»");
    }
    limits
}

async fn limits(chat: &Chat, account: &Account, text: &str) -> Result<(), Refusal> {
    moderation::check_length(text).map_err(Refusal::Refused)?;
    // Le silence, écrit dans la base par le processus du modérateur.
    match mutes::muted_until(&chat.store, &account.key).await {
        Ok(None) => {}
        Ok(Some(until)) => return Err(Refusal::Refused(moderation::mute_refusal(until))),
        Err(why) => return Err(unavailable(account, "non vérifié", &why)),
    }
    let limit = chat.moderation.flood_limit();
    match chat
        .store
        .admit(MESSAGES, &account.key, limit, FLOOD_WINDOW)
        .await
    {
        Ok(Ok(())) => Ok(()),
        Ok(Err(wait)) => Err(Refusal::Refused(chat.moderation.flood_refusal(wait))),
        Err(why) => Err(unavailable(account, "non vérifié", &why)),
    }
}
// ANCHOR_END: allow

/// La base ne répond pas : un avertissement au journal, avec l'erreur à
/// part, et un « réessayez » pour la page.
pub fn unavailable(account: &Account, what: &str, why: &StoreError) -> Refusal {
    let of = support::of(&account.pseudo);
    warn!(account = %account.pseudo, error = %why, "Message {of} {what}\u{a0}: {why}");
    Refusal::Unavailable
}
// ANCHOR_END: all
