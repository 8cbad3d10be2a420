//! Le frein aux essais : après cinq connexions manquées en une minute pour
//! un pseudo, les suivantes attendent, même avec le bon mot de passe.
//! Essayer un million de mots de passe sur un compte prendrait alors plus
//! de quatre mois (5 par minute).

// ANCHOR: all
use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Au-delà de tant d'échecs en une minute pour un pseudo, on attend.
const MAX_FAILURES: usize = 5;
const FAILURE_WINDOW: Duration = Duration::from_secs(60);

// ANCHOR: failures
/// Les échecs de connexion récents, par pseudo. La limite est par pseudo,
/// pas par adresse : toute une classe derrière la même adresse peut se
/// connecter en même temps.
#[derive(Default)]
pub struct Failures(Mutex<HashMap<String, Vec<Instant>>>);

impl Failures {
    /// Le nombre de secondes à attendre, si ce pseudo a déjà manqué
    /// [`MAX_FAILURES`] fois dans la dernière minute.
    pub fn wait(&self, key: &str) -> Option<u64> {
        let failures = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let recent = failures.get(key)?;
        let oldest = recent.iter().rev().nth(MAX_FAILURES - 1)?;
        let left = FAILURE_WINDOW.checked_sub(oldest.elapsed())?;
        Some(left.as_secs() + 1)
    }

    /// Un échec de plus pour ce pseudo.
    pub fn record(&self, key: &str) {
        let mut failures = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        // Oublier les échecs de plus d'une minute, pour tous les pseudos :
        // la table ne grandit pas sans fin.
        failures.retain(|_, times| {
            times.retain(|t| t.elapsed() < FAILURE_WINDOW);
            !times.is_empty()
        });
        failures
            .entry(key.to_owned())
            .or_default()
            .push(Instant::now());
    }

    /// Une connexion réussie efface les échecs de ce pseudo.
    pub fn forget(&self, key: &str) {
        let mut failures = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        failures.remove(key);
    }
}
// ANCHOR_END: failures
// ANCHOR_END: all
