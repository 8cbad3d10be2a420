//! L'historique des messages, dans PostgreSQL : le chapitre 11 (un numéro
//! par message, un `client_offset` pour reconnaître un renvoi), pour tous
//! les processus du chat (chapitre 15).
//!
//! Ces fonctions s'ajoutent au `Store` de `store.rs` (un `impl` peut vivre
//! dans un autre module du même crate) : on écrit toujours
//! `chat.store.add_message(…)`. C'est `feed.rs` qui lit ce qui a été écrit
//! et l'envoie aux pages.

// ANCHOR: all
use sqlx::{Row, raw_sql};

use crate::store::{Store, StoreError};

/// Un message de l'historique.
#[derive(Debug, Clone)]
pub struct Stored {
    pub id: i64,
    pub from: String,
    pub text: String,
}

impl Store {
    /// Le numéro d'un message de `from` déjà enregistré sous ce
    /// `client_offset` : un renvoi, à accuser sans rien refaire.
    pub async fn known(&self, from: &str, client_offset: &str) -> Result<Option<i64>, StoreError> {
        let row = sqlx::query("SELECT id FROM messages WHERE pseudo = $1 AND client_offset = $2")
            .bind(from)
            .bind(client_offset)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.map(|row| row.get(0)))
    }

    /// Enregistre un message et rend son numéro ; un `client_offset` déjà
    /// vu pour le même auteur rend le numéro du premier envoi, sans rien
    /// écrire (un renvoi).
    ///
    /// Le verrou `pg_advisory_xact_lock` fait passer les écritures une à
    /// une, dans tout le chat : un numéro n'est visible qu'après tous les
    /// plus petits. Sans lui, le message 11 pourrait être validé avant le
    /// 10, et un processus qui lit « après 9 » verrait 11, puis ne lirait
    /// plus qu'« après 11 » : le 10 serait perdu pour ses clients.
    /// La notification `messages` part à la validation, dans le même ordre.
    pub async fn add_message(
        &self,
        client_offset: &str,
        from: &str,
        text: &str,
    ) -> Result<i64, StoreError> {
        let mut tx = self.pool().begin().await?;
        raw_sql("SELECT pg_advisory_xact_lock(1500)")
            .execute(&mut *tx)
            .await?;
        let known = sqlx::query("SELECT id FROM messages WHERE pseudo = $1 AND client_offset = $2")
            .bind(from)
            .bind(client_offset)
            .fetch_optional(&mut *tx)
            .await?;
        if let Some(row) = known {
            return Ok(row.get(0));
        }
        let id: i64 = sqlx::query(
            "INSERT INTO messages (client_offset, pseudo, text) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(client_offset)
        .bind(from)
        .bind(text)
        .fetch_one(&mut *tx)
        .await?
        .get(0);
        sqlx::query("SELECT pg_notify('messages', $1)")
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Les messages de numéro supérieur à `after`, dans l'ordre (au plus
    /// `limit`).
    pub async fn messages_after(&self, after: i64, limit: i64) -> Result<Vec<Stored>, StoreError> {
        let rows =
            sqlx::query("SELECT id, pseudo, text FROM messages WHERE id > $1 ORDER BY id LIMIT $2")
                .bind(after)
                .bind(limit)
                .fetch_all(self.pool())
                .await?;
        Ok(rows
            .into_iter()
            .map(|row| Stored {
                id: row.get(0),
                from: row.get(1),
                text: row.get(2),
            })
            .collect())
    }

    /// Le numéro du dernier message enregistré (0 : aucun).
    pub async fn last_id(&self) -> Result<i64, StoreError> {
        let row = sqlx::query("SELECT coalesce(max(id), 0) FROM messages")
            .fetch_one(self.pool())
            .await?;
        Ok(row.get(0))
    }
}
// ANCHOR_END: all
