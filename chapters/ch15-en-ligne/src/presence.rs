//! Qui est là, dans *tout* le chat : une personne connectée à n'importe
//! quel processus est en ligne pour tous.
//!
//! Au chapitre 13, un processus comptait lui-même les onglets de chaque
//! compte. Ici, les onglets d'une personne peuvent être sur plusieurs
//! processus ; on demande donc à l'adaptateur Redis la liste des salons de
//! tout le chat (`io.rooms()`, réponse de chaque processus). Chaque onglet
//! entre dans le salon de son compte et dans celui de son pseudo ; la
//! liste des salons « pseudo: » est la liste des personnes en ligne.
//!
//! Chaque processus compare cette liste à la précédente (après chaque
//! arrivée ou départ chez lui, `tabs.rs`, et chaque seconde pour ce qui se
//! passe ailleurs) et en tire `user joined`, `user left` et `online` pour
//! ses propres pages.

// ANCHOR: all
use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use support::nickname_key;
use tracing::info;

use crate::{Chat, SocketIo, users};

/// Le salon d'un compte : chacun de ses onglets y entre (comme au
/// chapitre 13).
pub fn room_of(key: &str) -> String {
    format!("compte:{key}")
}

/// Le salon qui nomme la personne, pseudo tel qu'écrit par son compte.
pub fn named(pseudo: &str) -> String {
    format!("pseudo:{pseudo}")
}

/// Tous les combien regarder ce qui a changé sur les autres processus.
const WATCH_EVERY: Duration = Duration::from_secs(1);

/// Les personnes en ligne dans tout le chat (clé → pseudo), telles que ce
/// processus les a annoncées à ses pages ; `None` avant la première lecture.
#[derive(Default)]
pub struct Presence {
    shown: tokio::sync::Mutex<Option<BTreeMap<String, String>>>,
    /// Une copie, lisible sans attendre (pour les messages privés).
    copy: Mutex<BTreeMap<String, String>>,
}

impl Presence {
    /// Le pseudo en ligne qui s'écrit `pseudo` (sans tenir compte des
    /// majuscules), tel que son compte l'écrit.
    pub fn find(&self, pseudo: &str) -> Option<String> {
        let copy = self.copy.lock().unwrap_or_else(PoisonError::into_inner);
        copy.get(&nickname_key(pseudo)).cloned()
    }

    /// Les pseudos en ligne, triés sans tenir compte des majuscules.
    pub fn online(&self) -> Vec<String> {
        let copy = self.copy.lock().unwrap_or_else(PoisonError::into_inner);
        copy.values().cloned().collect()
    }

    /// Le nombre de personnes en ligne (pour `/metrics`).
    pub fn count(&self) -> usize {
        self.copy
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

// ANCHOR: refresh
/// Relit la liste de tout le chat et annonce aux pages de ce processus ce
/// qui a changé depuis la dernière fois. Redis injoignable : rien ne
/// change (mieux vaut une liste un peu vieille qu'une liste fausse).
pub async fn refresh(io: &SocketIo, chat: &Chat) {
    let mut shown = chat.presence.shown.lock().await;
    let Ok(rooms) = io.rooms().await else {
        return;
    };
    let now: BTreeMap<String, String> = rooms
        .iter()
        .filter_map(|room| room.strip_prefix("pseudo:"))
        .map(|pseudo| (nickname_key(pseudo), pseudo.to_owned()))
        .collect();
    // La liste d'avant ; à la première lecture, ceux qui étaient déjà là.
    let before = match shown.take() {
        Some(before) if before == now => {
            *shown = Some(before);
            return;
        }
        Some(before) => before,
        None => already_there(io, &now).await,
    };
    for (key, pseudo) in now.iter().filter(|(k, _)| !before.contains_key(*k)) {
        info!(account = %pseudo, "{pseudo} est en ligne");
        // Ses propres onglets savent déjà qu'il est là.
        io.local()
            .except(room_of(key))
            .emit("user joined", pseudo)
            .await
            .ok();
    }
    for (key, pseudo) in before.iter().filter(|(k, _)| !now.contains_key(*k)) {
        info!(account = %pseudo, "{pseudo} s'est déconnecté");
        io.local()
            .except(room_of(key))
            .emit("user left", pseudo)
            .await
            .ok();
    }
    *chat
        .presence
        .copy
        .lock()
        .unwrap_or_else(PoisonError::into_inner) = now.clone();
    *shown = Some(now);
    io.local()
        .emit("online", &chat.presence.online())
        .await
        .ok();
}

/// La première lecture d'un processus qui démarre : ceux qui sont en ligne
/// par d'autres processus étaient là avant lui, et une ligne les nomme, sans
/// rien annoncer ; ceux qui arrivent par lui (ses propres onglets) seront
/// annoncés comme toute arrivée.
async fn already_there(io: &SocketIo, now: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    let rooms = io.local().rooms().await.unwrap_or_default();
    let here: Vec<String> = rooms
        .iter()
        .filter_map(|room| room.strip_prefix("pseudo:"))
        .map(nickname_key)
        .collect();
    let already: BTreeMap<String, String> = now
        .iter()
        .filter(|(key, _)| !here.contains(key))
        .map(|(key, pseudo)| (key.clone(), pseudo.clone()))
        .collect();
    if !already.is_empty() {
        let names: Vec<&str> = already.values().map(String::as_str).collect();
        info!("Déjà en ligne dans le chat\u{a0}: {}", names.join(", "));
    }
    already
}

/// La tâche de fond qui voit les arrivées et départs des autres processus
/// (et ceux d'un processus tué, qui n'a dit au revoir à personne).
pub fn spawn_watch(io: SocketIo, chat: Chat) {
    tokio::spawn(async move {
        // Le premier tour une période après le démarrage : l'adresse du
        // serveur s'écrit d'abord.
        let first = tokio::time::Instant::now() + WATCH_EVERY;
        let mut tick = tokio::time::interval_at(first, WATCH_EVERY);
        loop {
            tick.tick().await;
            if support::is_stopping() {
                return;
            }
            refresh(&io, &chat).await;
            users::refresh(&io, &chat).await;
        }
    });
}
// ANCHOR_END: refresh
// ANCHOR_END: all
