//! Les requêtes des comptes et des sessions : ce que les routes
//! (`accounts.rs`, `login.rs`) et la poignée de main (`session.rs`)
//! demandent à la base. Chacune est une instruction SQL, exécutée par
//! [`Store::blocking`] sur un fil à part (`store.rs`).

// ANCHOR: all
use std::time::{SystemTime, UNIX_EPOCH};

use rusqlite::{OptionalExtension, params};

use crate::store::{Account, SESSION_SECONDS, Store, StoreError};

impl Store {
    // ANCHOR: accounts
    /// Crée un compte ; `Taken` si le pseudo (sans tenir compte des
    /// majuscules) est déjà pris. Vérifier puis insérer en deux temps
    /// laisserait passer deux inscriptions simultanées : c'est la clé
    /// primaire qui tranche, d'un seul geste.
    pub async fn create_account(&self, account: Account, hash: String) -> Result<(), StoreError> {
        self.blocking(move |conn| {
            conn.execute(
                "INSERT INTO accounts (key, pseudo, password_hash) VALUES (?1, ?2, ?3)",
                params![account.key, account.pseudo, hash],
            )
        })
        .await
        .map(|_| ())
    }

    /// Le compte de clé `key` et l'empreinte de son mot de passe.
    pub async fn find_account(&self, key: String) -> Result<Option<(Account, String)>, StoreError> {
        self.blocking(move |conn| {
            conn.query_row(
                "SELECT pseudo, password_hash FROM accounts WHERE key = ?1",
                params![key],
                |row| {
                    let account = Account {
                        pseudo: row.get(0)?,
                        key: key.clone(),
                    };
                    Ok((account, row.get(1)?))
                },
            )
            .optional()
        })
        .await
    }
    // ANCHOR_END: accounts

    // ANCHOR: sessions
    /// Enregistre une session neuve (l'empreinte de son identifiant).
    pub async fn start_session(&self, token_hash: String, key: String) -> Result<(), StoreError> {
        let expires_at = now() + SESSION_SECONDS;
        self.blocking(move |conn| {
            conn.execute(
                "INSERT INTO sessions (token_hash, account, expires_at) VALUES (?1, ?2, ?3)",
                params![token_hash, key, expires_at],
            )
        })
        .await
        .map(|_| ())
    }

    /// Le compte d'une session encore valable ; `None` si elle n'existe pas
    /// ou a expiré.
    pub async fn session_account(&self, token_hash: String) -> Result<Option<Account>, StoreError> {
        let now = now();
        self.blocking(move |conn| {
            conn.query_row(
                "SELECT accounts.pseudo, accounts.key FROM sessions
                 JOIN accounts ON accounts.key = sessions.account
                 WHERE sessions.token_hash = ?1 AND sessions.expires_at > ?2",
                params![token_hash, now],
                |row| {
                    Ok(Account {
                        pseudo: row.get(0)?,
                        key: row.get(1)?,
                    })
                },
            )
            .optional()
        })
        .await
    }

    /// Termine toutes les sessions d'un compte (« se déconnecter partout »).
    pub async fn end_sessions(&self, key: String) -> Result<(), StoreError> {
        self.blocking(move |conn| {
            conn.execute("DELETE FROM sessions WHERE account = ?1", params![key])
        })
        .await
        .map(|_| ())
    }
    // ANCHOR_END: sessions
}

/// L'heure, en secondes depuis le 1er janvier 1970.
fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}
// ANCHOR_END: all
