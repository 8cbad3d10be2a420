//! Le registre des pseudos des clients connectés : qui est là, sous quel
//! nom.
//!
//! Deux onglets qui demandent « Alice » au même instant : un seul doit
//! l'obtenir. Vérifier « ce pseudo est-il libre ? » puis l'enregistrer en
//! deux temps laisserait passer les deux, puisque les gestionnaires
//! s'exécutent sur plusieurs fils à la fois ; [`Nicknames::claim`] fait les
//! deux d'un seul geste, sous un verrou (`Mutex`). Les pseudos sont comparés
//! sans tenir compte des majuscules (« alice » est pris si « Alice » est là).
//!
//! Un pseudo est libéré à chaque déconnexion, quelle qu'elle soit (onglet
//! fermé, navigateur tué, réseau coupé) : `presence.rs` appelle
//! [`Nicknames::release`] dans `on_disconnect`. Si une connexion se ferme
//! avant que ce gestionnaire soit installé (entre le middleware et le
//! gestionnaire de connexion), `claim` reconnaît le pseudo resté orphelin :
//! son titulaire n'est plus connecté, il est libre.

// ANCHOR: all
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use socketioxide::socket::Sid;
use support::{NicknameError, nickname_key};

/// Le temps laissé à une connexion acceptée pour apparaître dans l'espace de
/// noms : avant, son pseudo n'est jamais considéré comme orphelin.
const CONNECTING_GRACE: Duration = Duration::from_secs(5);

/// Le registre des pseudos des clients connectés ; `Nicknames::default()`
/// le crée vide.
#[derive(Debug, Default)]
pub struct Nicknames {
    inner: Mutex<Registry>,
}

#[derive(Debug, Default)]
struct Registry {
    /// Pseudo en minuscules → titulaire.
    by_key: HashMap<String, Holder>,
    /// Client → pseudo en minuscules.
    by_sid: HashMap<Sid, String>,
}

#[derive(Debug)]
struct Holder {
    sid: Sid,
    pseudo: String,
    since: Instant,
}

// ANCHOR: claim
impl Nicknames {
    /// Réserve `pseudo` pour le client `sid`, d'un seul geste : refusé s'il
    /// est déjà à un autre client connecté. `is_connected` dit si un client
    /// est encore là (pour reconnaître un pseudo orphelin).
    pub fn claim(
        &self,
        pseudo: &str,
        sid: Sid,
        is_connected: impl Fn(Sid) -> bool,
    ) -> Result<(), NicknameError> {
        let key = nickname_key(pseudo);
        let mut registry = self.lock();
        if let Some(holder) = registry.by_key.get(&key) {
            let orphan = holder.sid != sid
                && holder.since.elapsed() > CONNECTING_GRACE
                && !is_connected(holder.sid);
            if !orphan {
                return Err(NicknameError::Taken(pseudo.trim().to_owned()));
            }
            let old = holder.sid;
            registry.by_sid.remove(&old);
        }
        registry.by_key.insert(
            key.clone(),
            Holder {
                sid,
                pseudo: pseudo.trim().to_owned(),
                since: Instant::now(),
            },
        );
        registry.by_sid.insert(sid, key);
        Ok(())
    }

    // ANCHOR_END: claim

    /// Libère le pseudo du client `sid` et le rend ; `None` s'il n'en avait
    /// pas. Ne libère jamais le pseudo d'un autre client.
    pub fn release(&self, sid: Sid) -> Option<String> {
        let mut registry = self.lock();
        let key = registry.by_sid.remove(&sid)?;
        match registry.by_key.get(&key) {
            Some(holder) if holder.sid == sid => registry.by_key.remove(&key).map(|h| h.pseudo),
            _ => None,
        }
    }

    /// Le pseudo du client `sid`.
    pub fn of(&self, sid: Sid) -> Option<String> {
        let registry = self.lock();
        let key = registry.by_sid.get(&sid)?;
        registry.by_key.get(key).map(|holder| holder.pseudo.clone())
    }

    /// Le client qui porte ce pseudo (sans tenir compte des majuscules) et
    /// son pseudo tel qu'il l'a écrit. (Pour les messages privés du
    /// chapitre 10 : le chapitre 9 ne s'en sert pas encore.)
    #[allow(dead_code)]
    pub fn find(&self, pseudo: &str) -> Option<(Sid, String)> {
        let registry = self.lock();
        registry
            .by_key
            .get(&nickname_key(pseudo))
            .map(|holder| (holder.sid, holder.pseudo.clone()))
    }

    /// Les pseudos des clients connectés, dans l'ordre alphabétique sans
    /// tenir compte des majuscules (« alice », « Bob », « chloé »).
    pub fn online(&self) -> Vec<String> {
        let registry = self.lock();
        let mut entries: Vec<(&String, &String)> = registry
            .by_key
            .iter()
            .map(|(key, holder)| (key, &holder.pseudo))
            .collect();
        entries.sort();
        entries
            .into_iter()
            .map(|(_, pseudo)| pseudo.clone())
            .collect()
    }

    fn lock(&self) -> MutexGuard<'_, Registry> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
// ANCHOR_END: all

// Les tests sont dans `registry/tests.rs` : ce fichier reste le registre.
#[cfg(test)]
#[path = "registry/tests.rs"]
mod tests;
