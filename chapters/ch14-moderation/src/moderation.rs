//! Les règles de la modération, sans rien de Socket.IO : qui est
//! modérateur, qui est réduit au silence et jusqu'à quand, et la limite de
//! débit de chaque compte.
//!
//! Avant de relayer un message (à tous ou privé), le chat demande
//! [`Moderation::allow`] : un refus est la phrase que l'accusé renverra.
//!
//! Ce fichier garde l'état et les décisions ; deux modules à côté, sans
//! état, le complètent :
//! - `moderation/requests.rs` : les demandes des modérateurs, lues et
//!   vérifiées (`kick_request`, `mute_request`) ;
//! - `moderation/texts.rs` : la limite de longueur, les phrases et les
//!   dates (`check_length`, `mute_refusal`, `rfc3339`).

// ANCHOR: all
// `#[path]` : d'autres crates reprennent ce fichier (chapitre 15, exercices),
// ses modules se trouvent ainsi où qu'il soit compilé.
#[path = "moderation/requests.rs"]
mod requests;
#[path = "moderation/texts.rs"]
mod texts;

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime};

use support::nickname_key;

// Les autres modules les appellent `crate::moderation::…`, comme avant.
pub use requests::{kick_request, mute_request};
pub use texts::{check_length, mute_refusal, rfc3339};

/// La fenêtre de la limite de débit.
pub const FLOOD_WINDOW: Duration = Duration::from_secs(5);
/// Le nombre de messages permis par fenêtre, par défaut.
pub const FLOOD_LIMIT: usize = 5;

// ANCHOR: state
/// L'état de la modération, partagé par tous les gestionnaires (dans
/// `Chat`, derrière un `Arc`).
pub struct Moderation {
    /// Les pseudos des modérateurs, en minuscules (`MODERATORS`).
    moderators: HashSet<String>,
    /// Messages permis par fenêtre de 5 s (`FLOOD_LIMIT`).
    flood_limit: usize,
    /// Compte → fin de sa mise en silence.
    muted: Mutex<HashMap<String, SystemTime>>,
    /// Compte → instants de ses derniers messages acceptés, tous onglets
    /// confondus.
    recent: Mutex<HashMap<String, VecDeque<Instant>>>,
}
// ANCHOR_END: state

impl Moderation {
    /// Lit `MODERATORS` (des pseudos séparés par des virgules) et
    /// `FLOOD_LIMIT` ; une valeur invalide est une phrase en français.
    pub fn from_env() -> Result<Moderation, String> {
        let moderators = std::env::var("MODERATORS")
            .unwrap_or_default()
            .split(',')
            .map(nickname_key)
            .filter(|key| !key.is_empty())
            .collect();
        let flood_limit = match std::env::var("FLOOD_LIMIT") {
            Err(_) => FLOOD_LIMIT,
            Ok(text) if text.trim().is_empty() => FLOOD_LIMIT,
            Ok(text) => match text.trim().parse::<usize>() {
                Ok(n) if n > 0 => n,
                _ => {
                    return Err(format!(
                        "FLOOD_LIMIT doit être un nombre de messages par tranche de 5\u{a0}s \
                         (un entier strictement positif), et non «\u{a0}{text}\u{a0}»."
                    ));
                }
            },
        };
        Ok(Moderation {
            moderators,
            flood_limit,
            muted: Mutex::default(),
            recent: Mutex::default(),
        })
    }

    /// Ce compte est-il modérateur ?
    pub fn is_moderator(&self, key: &str) -> bool {
        self.moderators.contains(key)
    }

    /// Les modérateurs (en minuscules), triés.
    pub fn moderators(&self) -> Vec<String> {
        let mut names: Vec<String> = self.moderators.iter().cloned().collect();
        names.sort();
        names
    }

    // ANCHOR: allow
    /// Le message `text` du compte `key` peut-il partir ? Dans l'ordre : sa
    /// longueur, une mise en silence, puis la limite de débit. Un message
    /// accepté compte dans la fenêtre ; un message refusé, non.
    pub fn allow(&self, key: &str, text: &str) -> Result<(), String> {
        check_length(text)?;
        if let Some(until) = self.muted_until(key) {
            return Err(mute_refusal(until));
        }
        let mut recent = self.recent.lock().unwrap_or_else(PoisonError::into_inner);
        let times = recent.entry(key.to_owned()).or_default();
        while times.front().is_some_and(|t| t.elapsed() >= FLOOD_WINDOW) {
            times.pop_front();
        }
        if times.len() >= self.flood_limit() {
            // La place se libère quand le plus ancien message de la
            // fenêtre en sort.
            let oldest = times.front().map_or(Duration::ZERO, Instant::elapsed);
            return Err(self.flood_refusal(FLOOD_WINDOW.saturating_sub(oldest)));
        }
        times.push_back(Instant::now());
        Ok(())
    }
    // ANCHOR_END: allow

    /// Messages permis par fenêtre de 5 s (`FLOOD_LIMIT`).
    pub fn flood_limit(&self) -> usize {
        self.flood_limit
    }

    /// La phrase d'un refus pour débit, quand la place se libère dans
    /// `wait` (arrondi à la seconde supérieure).
    pub fn flood_refusal(&self, wait: Duration) -> String {
        format!(
            "Trop de messages\u{a0}: {} en 5\u{a0}s au plus. Réessayez dans {}\u{a0}s.",
            self.flood_limit,
            wait.as_secs() + 1
        )
    }

    // ANCHOR: mute
    /// Réduit le compte `key` au silence pendant `minutes` (0 : le rend à la
    /// parole) ; rend la fin, ou `None` s'il peut parler.
    pub fn mute(&self, key: &str, minutes: u64) -> Option<SystemTime> {
        let mut muted = self.muted.lock().unwrap_or_else(PoisonError::into_inner);
        if minutes == 0 {
            muted.remove(key);
            return None;
        }
        let until = SystemTime::now() + Duration::from_secs(minutes * 60);
        muted.insert(key.to_owned(), until);
        Some(until)
    }

    /// La fin de la mise en silence du compte `key`, si elle dure encore.
    pub fn muted_until(&self, key: &str) -> Option<SystemTime> {
        let muted = self.muted.lock().unwrap_or_else(PoisonError::into_inner);
        muted
            .get(key)
            .copied()
            .filter(|until| *until > SystemTime::now())
    }
    // ANCHOR_END: mute
}
// ANCHOR_END: all
