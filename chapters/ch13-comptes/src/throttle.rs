//! Le frein aux essais : après cinq connexions manquées en une minute pour
//! un pseudo, les suivantes attendent, même avec le bon mot de passe.
//! Essayer un million de mots de passe sur un compte prendrait alors plus
//! de quatre mois (5 par minute).
//!
//! Un essai est compté *avant* la vérification du mot de passe, et effacé
//! si elle réussit : dix demandes envoyées au même instant ne passent pas
//! toutes entre la lecture du compteur et l'échec (la vérification dure une
//! fraction de seconde, exprès).

// ANCHOR: all
use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::store::Store;

/// Au-delà de tant d'essais manqués en une minute pour un pseudo, on
/// attend.
pub const MAX_TRIES: usize = 5;
pub const TRY_WINDOW: Duration = Duration::from_secs(60);

// ANCHOR: attempts
/// Les essais de connexion récents, par pseudo : ceux qui ont échoué, et
/// ceux en cours. La limite est par pseudo, pas par adresse : toute une
/// classe derrière la même adresse peut se connecter en même temps.
#[derive(Default)]
pub struct Attempts(Mutex<HashMap<String, Vec<Instant>>>);

impl Attempts {
    /// Le frein est créé avec les routes, à côté de la base. Ici, il vit
    /// dans la mémoire du processus, et `store` ne sert pas ; au chapitre
    /// 15, où plusieurs processus se partagent les comptes, il passe dans
    /// la base.
    pub fn new(_store: &Store) -> Attempts {
        Attempts::default()
    }

    /// Compte un essai de plus pour ce pseudo, s'il lui en reste dans la
    /// minute ; sinon, rend le nombre de secondes à attendre.
    ///
    /// `async`, bien que rien n'attende ici : au chapitre 15, le même appel
    /// interroge PostgreSQL, et `login.rs` ne change pas.
    pub async fn try_once(&self, key: &str) -> Result<(), u64> {
        let mut tries = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        // Oublier les essais de plus d'une minute, pour tous les pseudos :
        // la table ne grandit pas sans fin.
        tries.retain(|_, times| {
            times.retain(|t| t.elapsed() < TRY_WINDOW);
            !times.is_empty()
        });
        let recent = tries.entry(key.to_owned()).or_default();
        if let Some(oldest) = recent.iter().rev().nth(MAX_TRIES - 1) {
            let left = TRY_WINDOW.saturating_sub(oldest.elapsed());
            return Err(left.as_secs() + 1);
        }
        // Vérifier et compter sous le même verrou : deux demandes
        // simultanées ne peuvent pas prendre la même place.
        recent.push(Instant::now());
        Ok(())
    }

    /// Une connexion réussie efface les essais de ce pseudo.
    pub async fn forget(&self, key: &str) {
        let mut tries = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        tries.remove(key);
    }
}
// ANCHOR_END: attempts
// ANCHOR_END: all
