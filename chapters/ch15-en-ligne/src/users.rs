//! La liste des comptes en ligne pour les pages de modération (`users`,
//! chapitre 14), lue dans tout le chat (chapitre 15).
//!
//! Au chapitre 14, le processus unique comptait les onglets de chaque
//! compte dans sa mémoire. Ici, la liste se lit dans les salons de tout le
//! chat (`io.rooms()`, comme dans `presence.rs`) ; chaque onglet entre
//! aussi dans un salon à lui, `onglet:<compte>:<id>`, et l'on compte ainsi
//! les onglets. Les silences viennent de la table `mutes` (`mutes.rs`).
//!
//! Chaque processus envoie la liste à ses propres pages de modération : à
//! chaque arrivée, départ ou décision chez lui, et chaque seconde pour ce
//! qui se passe ailleurs (quand elle a changé).

// ANCHOR: all
use std::collections::{BTreeMap, HashMap};

use serde_json::{Value, json};
use support::nickname_key;

use crate::moderation::rfc3339;
use crate::mutes;
use crate::store::Store;
use crate::{Chat, SocketIo, SocketRef};

/// Le salon d'un seul onglet : la liste des salons de tout le chat dit
/// ainsi combien d'onglets a chaque compte.
pub fn tab_room(key: &str, socket: &SocketRef) -> String {
    format!("onglet:{key}:{}", socket.id)
}

// ANCHOR: users
/// Les comptes en ligne dans tout le chat, triés sans tenir compte des
/// majuscules, chacun avec son nombre d'onglets et la fin de son silence.
pub async fn list(io: &SocketIo, store: &Store) -> Result<Vec<Value>, String> {
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
    let mutes = mutes::current(store).await.map_err(|e| e.to_string())?;
    Ok(names
        .iter()
        .map(|(key, pseudo)| {
            let muted = mutes.get(key).copied().map(rfc3339);
            let tabs = tabs.get(key.as_str()).copied().unwrap_or(0);
            json!({ "pseudo": pseudo, "tabs": tabs, "muted_until": muted })
        })
        .collect())
}

/// La dernière liste envoyée aux pages de modération de ce processus
/// (dans l'état partagé, `Chat`) : on ne renvoie que ce qui a changé.
pub type LastList = std::sync::Arc<tokio::sync::Mutex<Option<Vec<Value>>>>;

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
    let Ok(users) = list(io, &chat.store).await else {
        return;
    };
    if last.as_ref() != Some(&users) {
        admin.local().emit("users", &users).await.ok();
        *last = Some(users);
    }
}
// ANCHOR_END: users
// ANCHOR_END: all
