//! Les pseudos des clients connectés : qui est là, sous quel nom.
//!
//! Deux onglets qui demandent « Alice » au même instant : un seul doit
//! l'obtenir. Vérifier « ce pseudo est-il libre ? » puis l'enregistrer en
//! deux temps laisserait passer les deux ; [`Nicknames::claim`] fait les deux
//! d'un seul geste, sous un verrou. Les pseudos sont comparés sans tenir
//! compte des majuscules (« alice » est pris si « Alice » est là) et sans les
//! espaces du début et de la fin.
//!
//! Un pseudo est libéré à chaque déconnexion, quelle qu'elle soit (onglet
//! fermé, navigateur tué, réseau coupé) : le chapitre appelle
//! [`Nicknames::release`] dans `on_disconnect`. Si une connexion se ferme
//! avant que ce gestionnaire soit installé (entre le middleware et le
//! gestionnaire de connexion), `claim` reconnaît le pseudo resté orphelin :
//! son titulaire n'est plus connecté, il est libre.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use serde_json::Value as Json;
use socketioxide_core::Sid;

/// Longueur maximale d'un pseudo, en caractères (pas en octets : « é » compte
/// pour un).
pub const MAX_NICKNAME_CHARS: usize = 32;

/// Le temps laissé à une connexion acceptée pour apparaître dans l'espace de
/// noms : avant, son pseudo n'est jamais considéré comme orphelin.
const CONNECTING_GRACE: Duration = Duration::from_secs(5);

/// Pourquoi un pseudo est refusé. Le texte (`to_string()`) est la phrase
/// française que la page affiche (`connect_error`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NicknameError {
    Missing,
    NotText,
    Empty,
    TooLong,
    Taken(String),
}

impl fmt::Display for NicknameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NicknameError::Missing => f.write_str("Choisissez un pseudo avant de vous connecter."),
            NicknameError::NotText => f.write_str("Le pseudo doit être un texte."),
            NicknameError::Empty => {
                f.write_str("Le pseudo est vide : écrivez au moins un caractère.")
            }
            NicknameError::TooLong => write!(
                f,
                "Le pseudo est trop long : {MAX_NICKNAME_CHARS} caractères au plus."
            ),
            NicknameError::Taken(pseudo) => write!(
                f,
                "Le pseudo « {pseudo} » est déjà pris : choisissez-en un autre."
            ),
        }
    }
}

impl std::error::Error for NicknameError {}

impl NicknameError {
    /// La raison en quelques mots, pour la ligne du terminal
    /// (« Connexion refusée : pseudo vide »).
    pub fn reason(&self) -> String {
        match self {
            NicknameError::Missing => "pas de pseudo".to_owned(),
            NicknameError::NotText => "pseudo qui n'est pas un texte".to_owned(),
            NicknameError::Empty => "pseudo vide".to_owned(),
            NicknameError::TooLong => {
                format!("pseudo de plus de {MAX_NICKNAME_CHARS} caractères")
            }
            NicknameError::Taken(pseudo) => format!("pseudo « {pseudo} » déjà pris"),
        }
    }
}

/// Lit le pseudo dans la donnée `auth` de la poignée de main
/// (`io({ auth: { pseudo } })`) : un texte de 1 à [`MAX_NICKNAME_CHARS`]
/// caractères, espaces du début et de la fin retirés.
pub fn nickname_from_auth(auth: Option<&Json>) -> Result<String, NicknameError> {
    let pseudo = match auth.and_then(|auth| auth.get("pseudo")) {
        None | Some(Json::Null) => return Err(NicknameError::Missing),
        Some(Json::String(pseudo)) => pseudo.trim(),
        Some(_) => return Err(NicknameError::NotText),
    };
    if pseudo.is_empty() {
        Err(NicknameError::Empty)
    } else if pseudo.chars().count() > MAX_NICKNAME_CHARS {
        Err(NicknameError::TooLong)
    } else {
        Ok(pseudo.to_owned())
    }
}

/// La forme d'un pseudo qui sert à les comparer : en minuscules.
pub fn nickname_key(pseudo: &str) -> String {
    pseudo.trim().to_lowercase()
}

/// Le registre des pseudos des clients connectés.
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

impl Nicknames {
    /// Un registre vide.
    pub fn new() -> Nicknames {
        Nicknames::default()
    }

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
    /// son pseudo tel qu'il l'a écrit.
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn un_pseudo_valide_est_nettoye() {
        let auth = json!({ "pseudo": "  Zoé  " });
        assert_eq!(nickname_from_auth(Some(&auth)), Ok("Zoé".to_owned()));
    }

    #[test]
    fn les_pseudos_invalides_sont_refuses_avec_leur_raison() {
        assert_eq!(nickname_from_auth(None), Err(NicknameError::Missing));
        let cases = [
            (json!({}), NicknameError::Missing),
            (json!({ "pseudo": 42 }), NicknameError::NotText),
            (json!({ "pseudo": "   " }), NicknameError::Empty),
            (json!({ "pseudo": "é".repeat(33) }), NicknameError::TooLong),
        ];
        for (auth, error) in cases {
            assert_eq!(nickname_from_auth(Some(&auth)), Err(error));
        }
        let longest = json!({ "pseudo": "é".repeat(32) });
        assert!(nickname_from_auth(Some(&longest)).is_ok());
    }

    #[test]
    fn un_pseudo_pris_l_est_quelle_que_soit_la_casse() {
        let names = Nicknames::new();
        let (a, b) = (Sid::new(), Sid::new());
        assert!(names.claim("Alice", a, |_| true).is_ok());
        assert_eq!(
            names.claim("ALICE", b, |_| true),
            Err(NicknameError::Taken("ALICE".to_owned()))
        );
        assert_eq!(names.release(a), Some("Alice".to_owned()));
        assert!(names.claim("alice", b, |_| true).is_ok());
        assert_eq!(names.release(a), None, "a n'a plus de pseudo");
        assert_eq!(names.of(b), Some("alice".to_owned()));
    }

    #[test]
    fn deux_demandes_simultanees_un_seul_gagnant() {
        let names = std::sync::Arc::new(Nicknames::new());
        let winners: usize = (0..16)
            .map(|i| {
                let names = names.clone();
                std::thread::spawn(move || {
                    let pseudo = if i % 2 == 0 { "bob" } else { "BOB" };
                    names.claim(pseudo, Sid::new(), |_| true).is_ok()
                })
            })
            .collect::<Vec<_>>()
            .into_iter()
            .map(|t| usize::from(t.join().unwrap_or(false)))
            .sum();
        assert_eq!(winners, 1);
    }

    #[test]
    fn la_liste_est_triee_sans_tenir_compte_des_majuscules() {
        let names = Nicknames::new();
        for pseudo in ["chloé", "Bob", "alice"] {
            assert!(names.claim(pseudo, Sid::new(), |_| true).is_ok());
        }
        assert_eq!(names.online(), ["alice", "Bob", "chloé"]);
    }
}
