//! Les limites comptées dans PostgreSQL pour tout le chat (chapitre 15) :
//! les onglets d'un compte peuvent écrire, ou essayer un mot de passe,
//! depuis plusieurs processus ; la mémoire d'un seul ne suffit plus.
//!
//! Deux compteurs par compte : les messages (la limite de débit du
//! chapitre 14, demandée par `limits.rs`) et les essais de connexion (le
//! frein du chapitre 13, dans `throttle.rs`). Les fonctions s'ajoutent au
//! `Store` de `store.rs` (un `impl` peut vivre dans un autre module du même
//! crate), comme celles de `history.rs`.

// ANCHOR: all
use std::time::Duration;

use sqlx::Row;

use crate::store::{Store, StoreError};

/// Le compteur des messages acceptés (la limite de débit).
pub const MESSAGES: &str = "message";
/// Le compteur des essais de connexion (`throttle.rs`).
pub const LOGIN_TRIES: &str = "connexion";

impl Store {
    /// Le compte `key` peut-il avoir un évènement `counted` de plus dans la
    /// fenêtre `window` ? `Ok(Ok(()))` : oui, et il est compté ;
    /// `Ok(Err(attente))` s'il en a déjà eu `limit`, où que ce soit. Le
    /// travail se fait dans la base, par la fonction `admit` du schéma
    /// (`database.rs`) : l'heure est celle de PostgreSQL (la même pour
    /// tous les processus), et le verrou consultatif du compte fait passer
    /// une à une les demandes simultanées de ses onglets.
    pub async fn admit(
        &self,
        counted: &str,
        key: &str,
        limit: usize,
        window: Duration,
    ) -> Result<Result<(), Duration>, StoreError> {
        let wait: Option<i64> = sqlx::query("SELECT admit($1, $2, $3, $4)")
            .bind(counted)
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

    /// Remet à zéro le compteur `counted` du compte `key` (une connexion
    /// réussie efface les essais d'avant).
    pub async fn forget(&self, counted: &str, key: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM recent_events WHERE kind = $1 AND account = $2")
            .bind(counted)
            .bind(key)
            .execute(self.pool())
            .await?;
        Ok(())
    }
}
// ANCHOR_END: all
