//! Le frein aux essais de connexion du chapitre 13, compté dans PostgreSQL
//! pour tout le chat (chapitre 15). Avec deux processus, la mémoire de
//! chacun laisserait essayer cinq mots de passe sur l'un, puis cinq sur
//! l'autre : dix par minute au lieu de cinq.
//!
//! Mêmes noms et même contrat qu'au chapitre 13 : `login.rs` et
//! `accounts.rs`, repris tels quels, ne voient pas la différence. Le
//! compteur est celui des limites (`flood.rs`), sous son propre nom.

// ANCHOR: all
use std::time::Duration;

use tracing::warn;

use crate::flood::LOGIN_TRIES;
use crate::store::Store;

/// Les règles du chapitre 13 : cinq essais manqués par minute et par
/// pseudo.
pub const MAX_TRIES: usize = 5;
pub const TRY_WINDOW: Duration = Duration::from_secs(60);

/// Le frein, pour tout le chat : une poignée de la base.
pub struct Attempts {
    store: Store,
}

impl Attempts {
    pub fn new(store: &Store) -> Attempts {
        Attempts {
            store: store.clone(),
        }
    }

    /// Compte un essai de plus pour ce pseudo, s'il lui en reste dans la
    /// minute, sur tous les processus ; sinon, rend le nombre de secondes
    /// à attendre.
    pub async fn try_once(&self, key: &str) -> Result<(), u64> {
        match self
            .store
            .admit(LOGIN_TRIES, key, MAX_TRIES, TRY_WINDOW)
            .await
        {
            Ok(Ok(())) => Ok(()),
            Ok(Err(wait)) => Err(wait.as_secs() + 1),
            // La base ne répond pas : la connexion échouera juste après, en
            // lisant le compte (« réessayez dans un instant »). Laisser
            // passer ici ne donne donc aucun essai de mot de passe de plus.
            Err(why) => {
                warn!(error = %why, "Frein aux essais non consulté\u{a0}: {why}");
                Ok(())
            }
        }
    }

    /// Une connexion réussie efface les essais de ce pseudo.
    pub async fn forget(&self, key: &str) {
        if let Err(why) = self.store.forget(LOGIN_TRIES, key).await {
            warn!(error = %why, "Essais de connexion non effacés\u{a0}: {why}");
        }
    }
}
// ANCHOR_END: all
