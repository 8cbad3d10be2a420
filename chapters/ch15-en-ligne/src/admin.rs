//! L'espace de noms `/admin` du chapitre 14, pour tout le chat : un
//! modérateur connecté à un processus voit, exclut et réduit au silence une
//! personne connectée à n'importe lequel.
//!
//! Au chapitre 14, la liste des comptes et les silences vivaient dans la
//! mémoire de l'unique processus. Ici :
//! - la liste se lit dans les salons de tout le chat (`io.rooms()`, comme
//!   dans `presence.rs`) ; chaque onglet entre aussi dans un salon à lui,
//!   `onglet:<compte>:<id>`, et l'on compte ainsi les onglets ;
//! - un silence est une ligne de la table `mutes`, que chaque processus lit
//!   avant d'accepter un message (`messages.rs`) ;
//! - exclure passe par l'adaptateur Redis : les onglets du compte reçoivent
//!   `kicked` puis sont déconnectés, quel que soit leur processus.
//!
//! Chaque processus envoie la liste à ses propres pages de modération : à
//! chaque arrivée, départ ou décision chez lui, et chaque seconde pour ce
//! qui se passe ailleurs (quand elle a changé).

// ANCHOR: all
use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};
use socketioxide::extract::{Extension, State, TryData};
use sqlx::Row;
use support::nickname_key;
use tracing::{info, warn};

use crate::moderation::{kick_request, mute_request, rfc3339};
use crate::presence::room_of;
use crate::store::{Account, Store, StoreError};
use crate::{AckSender, Chat, SocketIo, SocketRef};

/// Le salon d'un seul onglet : la liste des salons de tout le chat dit
/// ainsi combien d'onglets a chaque compte.
pub fn tab_room(key: &str, socket: &SocketRef) -> String {
    format!("onglet:{key}:{}", socket.id)
}

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

pub async fn on_connect(socket: SocketRef, io: SocketIo, State(chat): State<Chat>) {
    socket.on("kick", support::in_order(on_kick));
    socket.on("mute", support::in_order(on_mute));
    if let Some(account) = socket.extensions.get::<Account>() {
        info!(account = %account.pseudo, "{} ouvre la page des modérateurs", account.pseudo);
    }
    if let Ok(users) = users(&io, &chat.store).await {
        socket.emit("users", &users).ok();
    }
}

// ANCHOR: users
/// Les comptes en ligne dans tout le chat, triés sans tenir compte des
/// majuscules, chacun avec son nombre d'onglets et la fin de son silence.
async fn users(io: &SocketIo, store: &Store) -> Result<Vec<Value>, String> {
    let rooms = io.rooms().await.map_err(|e| e.to_string())?;
    let mut names = BTreeMap::new();
    let mut tabs: HashMap<&str, usize> = HashMap::new();
    for room in &rooms {
        if let Some(pseudo) = room.strip_prefix("pseudo:") {
            names.insert(nickname_key(pseudo), pseudo);
        } else if let Some((key, _id)) = room
            .strip_prefix("onglet:")
            .and_then(|r| r.rsplit_once(':'))
        {
            *tabs.entry(key).or_default() += 1;
        }
    }
    let mutes = mutes(store).await.map_err(|e| e.to_string())?;
    Ok(names
        .iter()
        .map(|(key, pseudo)| {
            let muted = mutes.get(key).copied().map(rfc3339);
            let tabs = tabs.get(key.as_str()).copied().unwrap_or(0);
            json!({ "pseudo": pseudo, "tabs": tabs, "muted_until": muted })
        })
        .collect())
}

/// Envoie la liste aux pages de modération de ce processus, si elle a
/// changé depuis la dernière fois. Sans page ouverte ici, rien à calculer.
pub async fn refresh(io: &SocketIo, chat: &Chat) {
    let Some(admin) = io.of("/admin") else {
        return;
    };
    if admin.clone().local().sockets().is_empty() {
        return;
    }
    let mut last = chat.admin_list.lock().await;
    let Ok(users) = users(io, &chat.store).await else {
        return;
    };
    if last.as_ref() != Some(&users) {
        admin.local().emit("users", &users).await.ok();
        *last = Some(users);
    }
}
// ANCHOR_END: users

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

// ANCHOR: mute
/// `mute` `{ pseudo, minutes }` : le silence est écrit dans la base, que
/// tous les processus lisent ; `minutes: 0` le lève.
async fn on_mute(
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
    refresh(&io, &chat).await;
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
async fn mutes(store: &Store) -> Result<HashMap<String, SystemTime>, StoreError> {
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
