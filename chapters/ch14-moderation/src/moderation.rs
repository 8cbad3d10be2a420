//! Les règles de la modération, sans rien de Socket.IO : qui est
//! modérateur, qui est réduit au silence et jusqu'à quand, et la limite de
//! débit de chaque compte.
//!
//! Avant de relayer un message (à tous ou privé), le chat demande
//! [`Moderation::allow`] : un refus est la phrase que l'accusé renverra.

// ANCHOR: all
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime};

use serde_json::Value;
use support::nickname_key;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// La longueur maximale d'un message, en caractères.
pub const MAX_TEXT_CHARS: usize = 1_000;
/// La fenêtre de la limite de débit.
pub const FLOOD_WINDOW: Duration = Duration::from_secs(5);
/// Le nombre de messages permis par fenêtre, par défaut.
pub const FLOOD_LIMIT: usize = 5;
/// La plus longue mise en silence : un jour.
pub const MAX_MUTE_MINUTES: u64 = 1_440;

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

/// La phrase d'un refus pendant un silence qui dure jusqu'à `until`.
pub fn mute_refusal(until: SystemTime) -> String {
    format!(
        "Un modérateur vous a réduit au silence jusqu'à {} (UTC)\u{a0}: \
         votre message n'est pas parti.",
        clock(until)
    )
}

// ANCHOR: requests
/// Une demande d'exclusion, `{ pseudo, reason }` : le pseudo et la raison,
/// ou la phrase qui dit ce qui manque.
pub fn kick_request(data: &Value) -> Result<(String, String), String> {
    match (text_field(data, "pseudo"), text_field(data, "reason")) {
        (Some(pseudo), Some(reason)) => Ok((pseudo, reason)),
        _ => Err("Attendu\u{a0}: { pseudo, reason }, deux textes.".to_owned()),
    }
}

/// Une demande de silence, `{ pseudo, minutes }` : le pseudo et la durée
/// (0 : rendre la parole), ou la phrase qui dit ce qui ne va pas.
pub fn mute_request(data: &Value) -> Result<(String, u64), String> {
    let minutes = data.get("minutes").and_then(Value::as_u64);
    let (Some(pseudo), Some(minutes)) = (text_field(data, "pseudo"), minutes) else {
        return Err(
            "Attendu\u{a0}: { pseudo, minutes }, un texte et un nombre entier de minutes."
                .to_owned(),
        );
    };
    if minutes > MAX_MUTE_MINUTES {
        return Err(format!(
            "{MAX_MUTE_MINUTES}\u{a0}minutes au plus (un jour)."
        ));
    }
    Ok((pseudo, minutes))
}

/// Le champ texte `name` d'un objet, sans ses espaces, s'il n'est pas vide.
fn text_field(data: &Value, name: &str) -> Option<String> {
    let text = data.get(name)?.as_str()?.trim();
    (!text.is_empty()).then(|| text.to_owned())
}
// ANCHOR_END: requests

/// Un texte de plus de [`MAX_TEXT_CHARS`] caractères est refusé.
pub fn check_length(text: &str) -> Result<(), String> {
    let chars = text.chars().count();
    if chars > MAX_TEXT_CHARS {
        return Err(format!(
            "Message trop long\u{a0}: 1\u{202f}000\u{a0}caractères au plus (il en a {}).",
            thousands(chars)
        ));
    }
    Ok(())
}

/// Un nombre écrit à la française : `12345` donne « 12 345 », les milliers
/// séparés par une espace fine insécable.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut text = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            text.push('\u{202f}');
        }
        text.push(digit);
    }
    text
}

/// Une date au format RFC 3339, en UTC (`2026-12-03T14:32:00Z`) : celui
/// des données JSON.
pub fn rfc3339(at: SystemTime) -> String {
    OffsetDateTime::from(at)
        .format(&Rfc3339)
        .unwrap_or_else(|_| "?".to_owned())
}

/// L'heure d'une date, pour une phrase (« 14 h 32 »).
fn clock(at: SystemTime) -> String {
    let at = OffsetDateTime::from(at);
    format!("{}\u{a0}h\u{a0}{:02}", at.hour(), at.minute())
}
// ANCHOR_END: all
