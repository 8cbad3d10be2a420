//! La limite de débit du chapitre 14, comptée dans PostgreSQL pour tout le
//! chat (chapitre 15) : les onglets d'un compte peuvent écrire depuis
//! plusieurs processus, la mémoire d'un seul ne suffit plus.
//!
//! La fonction s'ajoute au `Store` de `store.rs` (un `impl` peut vivre
//! dans un autre module du même crate), comme celles de `history.rs`.

// ANCHOR: all
use std::time::Duration;

use sqlx::Row;

use crate::store::{Store, StoreError};

impl Store {
    /// La limite de débit du chapitre 14, pour tout le chat : le compte
    /// `key` peut-il envoyer un message de plus dans la fenêtre `window` ?
    /// `Ok(Err(attente))` s'il en a déjà envoyé `limit`, où qu'il les ait
    /// écrits. Le travail se fait dans la base, par la fonction `admit` du
    /// schéma (`database.rs`) : l'heure est celle de PostgreSQL (la même
    /// pour tous les processus), et le verrou consultatif du compte fait
    /// passer une à une les demandes simultanées de ses onglets.
    pub async fn admit(
        &self,
        key: &str,
        limit: usize,
        window: Duration,
    ) -> Result<Result<(), Duration>, StoreError> {
        let wait: Option<i64> = sqlx::query("SELECT admit($1, $2, $3)")
            .bind(key)
            .bind(i32::try_from(limit).unwrap_or(i32::MAX))
            .bind(i64::try_from(window.as_millis()).unwrap_or(i64::MAX))
            .fetch_one(self.pool())
            .await?
            .get(0);
        Ok(match wait {
            None => Ok(()),
            Some(ms) => Err(Duration::from_millis(ms.max(0).unsigned_abs())),
        })
    }
}
// ANCHOR_END: all
