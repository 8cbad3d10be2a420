//! Les silences du chapitre 14, pour tout le chat (chapitre 15) : un
//! modérateur les décide sur `/admin` (`mute`), la table `mutes` les garde,
//! et chaque processus la lit avant d'accepter un message (`limits.rs`).
//!
//! Au chapitre 14, un silence vivait dans la mémoire de l'unique
//! processus ; ici, le processus du modérateur n'est souvent pas celui de
//! la personne réduite au silence : la base est ce qu'ils partagent.

// ANCHOR: all
use std::collections::HashMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};
use socketioxide::extract::{Extension, State, TryData};
use sqlx::Row;
use support::nickname_key;
use tracing::{info, warn};

use crate::moderation::{mute_request, rfc3339};
use crate::store::{Account, Store, StoreError};
use crate::{AckSender, Chat, SocketIo, users};

// ANCHOR: mute
/// `mute` `{ pseudo, minutes }` : le silence est écrit dans la base, que
/// tous les processus lisent ; `minutes: 0` le lève.
pub async fn on_mute(
    io: SocketIo,
    State(chat): State<Chat>,
    Extension(moderator): Extension<Account>,
    TryData(data): TryData<Value>,
    ack: AckSender,
) {
    let (pseudo, minutes) = match mute_request(&data.unwrap_or_default()) {
        Ok(request) => request,
        Err(why) => {
            ack.send(&json!({ "error": why })).ok();
            return;
        }
    };
    let account = match chat.store.find_account(nickname_key(&pseudo)).await {
        Ok(Some((account, _))) => account,
        Ok(None) => {
            let why = format!("Aucun compte ne s'appelle «\u{a0}{pseudo}\u{a0}».");
            ack.send(&json!({ "error": why })).ok();
            return;
        }
        Err(why) => return refuse_unavailable(ack, &why),
    };
    // Arrondie à la milliseconde, comme dans la base : l'accusé et la liste
    // donnent la même fin.
    let until = (minutes > 0).then(|| {
        from_millis(millis(
            SystemTime::now() + Duration::from_secs(minutes * 60),
        ))
    });
    if let Err(why) = save_mute(&chat.store, &account.key, until).await {
        return refuse_unavailable(ack, &why);
    }
    match until {
        Some(_) => info!(
            moderator = %moderator.pseudo,
            account = %account.pseudo,
            minutes,
            "Modération\u{a0}: {} réduit {} au silence pour {minutes}\u{a0}min",
            moderator.pseudo, account.pseudo
        ),
        None => info!(
            moderator = %moderator.pseudo,
            account = %account.pseudo,
            "Modération\u{a0}: {} rend la parole à {}",
            moderator.pseudo, account.pseudo
        ),
    }
    ack.send(&json!({ "ok": true, "until": until.map(rfc3339) }))
        .ok();
    users::refresh(&io, &chat).await;
}
// ANCHOR_END: mute

/// La base ne répond pas : rien n'est décidé, et le modérateur le sait.
fn refuse_unavailable(ack: AckSender, why: &StoreError) {
    warn!(error = %why, "Décision de modération non enregistrée\u{a0}: {why}");
    let why = "La base de données ne répond pas\u{a0}: rien n'est décidé, réessayez.";
    ack.send(&json!({ "error": why })).ok();
}

// ANCHOR: store
/// Écrit (ou efface, `None`) la fin du silence du compte `key`, en
/// millisecondes depuis 1970.
async fn save_mute(store: &Store, key: &str, until: Option<SystemTime>) -> Result<(), StoreError> {
    let query = match until {
        None => sqlx::query("DELETE FROM mutes WHERE account = $1").bind(key),
        Some(until) => sqlx::query(
            "INSERT INTO mutes (account, until_ms) VALUES ($1, $2) \
             ON CONFLICT (account) DO UPDATE SET until_ms = EXCLUDED.until_ms",
        )
        .bind(key)
        .bind(millis(until)),
    };
    query.execute(store.pool()).await?;
    Ok(())
}

/// La fin du silence du compte `key`, s'il dure encore.
pub async fn muted_until(store: &Store, key: &str) -> Result<Option<SystemTime>, StoreError> {
    let row = sqlx::query("SELECT until_ms FROM mutes WHERE account = $1 AND until_ms > $2")
        .bind(key)
        .bind(millis(SystemTime::now()))
        .fetch_optional(store.pool())
        .await?;
    Ok(match row {
        Some(row) => Some(from_millis(row.try_get(0)?)),
        None => None,
    })
}

/// Les silences qui durent encore : compte → fin.
pub async fn current(store: &Store) -> Result<HashMap<String, SystemTime>, StoreError> {
    let rows = sqlx::query("SELECT account, until_ms FROM mutes WHERE until_ms > $1")
        .bind(millis(SystemTime::now()))
        .fetch_all(store.pool())
        .await?;
    let mut mutes = HashMap::new();
    for row in rows {
        mutes.insert(row.try_get(0)?, from_millis(row.try_get(1)?));
    }
    Ok(mutes)
}
// ANCHOR_END: store

/// Une date en millisecondes depuis 1970 (la colonne `until_ms`), et
/// retour.
fn millis(at: SystemTime) -> i64 {
    let ms = at
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis();
    i64::try_from(ms).unwrap_or(i64::MAX)
}

fn from_millis(ms: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(ms.unsigned_abs())
}

// ANCHOR_END: all
