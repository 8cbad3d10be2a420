//! Les comptes et les sessions, dans PostgreSQL (chapitre 13, passé du
//! fichier SQLite au serveur au chapitre 15).
//!
//! Les fonctions ont les mêmes noms et les mêmes types qu'au chapitre 13 :
//! `accounts.rs` et `session.rs` sont repris tels quels. Ce qui change est
//! dessous : des requêtes SQL envoyées à un serveur par un *pool* de
//! connexions (sqlx, ouvert par `database.rs`), au lieu d'un fichier ouvert
//! dans le processus. Les autres tables ont leur module : les messages
//! (`history.rs`), le débit (`flood.rs`), les silences (`mutes.rs`).

// ANCHOR: all
use sqlx::Row;
use sqlx::postgres::PgPool;
use sqlx::raw_sql;

use crate::database;

/// La durée de vie d'une session : une semaine, en secondes.
pub const SESSION_SECONDS: i64 = 7 * 24 * 3600;

/// Un compte : le pseudo tel qu'il a été choisi (« Alice »), et sa clé de
/// comparaison (« alice »), unique dans la base.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub pseudo: String,
    pub key: String,
}

/// Pourquoi une écriture n'a pas eu lieu.
#[derive(Debug)]
pub enum StoreError {
    /// Le pseudo est déjà celui d'un compte.
    Taken,
    /// La base a refusé, ou ne répond pas.
    Failed(String),
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreError::Taken => f.write_str("ce pseudo est déjà celui d'un compte"),
            StoreError::Failed(why) => f.write_str(why),
        }
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> StoreError {
        match &e {
            sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Taken,
            _ => StoreError::Failed(format!("erreur de la base de données\u{a0}: {e}")),
        }
    }
}

/// La base : un pool de connexions à PostgreSQL. Cloner le `Store` clone
/// une poignée, pas les connexions.
#[derive(Clone)]
pub struct Store {
    pool: PgPool,
}

// ANCHOR: open
impl Store {
    /// Se connecte à `DATABASE_URL` et crée les tables (`database.rs`).
    pub async fn connect() -> Result<Store, String> {
        Ok(Store {
            pool: database::connect().await?,
        })
    }

    /// La base répond-elle ? (Pour `/health`.)
    pub async fn ping(&self) -> bool {
        raw_sql("SELECT 1").execute(&self.pool).await.is_ok()
    }

    /// Le pool, pour les autres tables (`history.rs`, `flood.rs`,
    /// `mutes.rs`) et pour l'écoute des nouveaux messages (`feed.rs`).
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }
    // ANCHOR_END: open

    // ANCHOR: accounts
    /// Crée un compte ; `Taken` si le pseudo (sans tenir compte des
    /// majuscules) est déjà pris : la clé primaire tranche.
    pub async fn create_account(&self, account: Account, hash: String) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO accounts (key, pseudo, password_hash) VALUES ($1, $2, $3)")
            .bind(account.key)
            .bind(account.pseudo)
            .bind(hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Le compte de clé `key` et l'empreinte de son mot de passe.
    pub async fn find_account(&self, key: String) -> Result<Option<(Account, String)>, StoreError> {
        let row = sqlx::query("SELECT pseudo, password_hash FROM accounts WHERE key = $1")
            .bind(&key)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|row| {
            let account = Account {
                pseudo: row.get(0),
                key,
            };
            (account, row.get(1))
        }))
    }
    // ANCHOR_END: accounts

    // ANCHOR: sessions
    /// Enregistre une session neuve (l'empreinte de son identifiant).
    pub async fn start_session(&self, token_hash: String, key: String) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO sessions (token_hash, account, expires_at)
             VALUES ($1, $2, now() + make_interval(secs => $3))",
        )
        .bind(token_hash)
        .bind(key)
        .bind(SESSION_SECONDS as f64)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Le compte d'une session encore valable ; `None` si elle n'existe pas
    /// ou a expiré.
    pub async fn session_account(&self, token_hash: String) -> Result<Option<Account>, StoreError> {
        let row = sqlx::query(
            "SELECT accounts.pseudo, accounts.key FROM sessions
             JOIN accounts ON accounts.key = sessions.account
             WHERE sessions.token_hash = $1 AND sessions.expires_at > now()",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|row| Account {
            pseudo: row.get(0),
            key: row.get(1),
        }))
    }

    /// Termine toutes les sessions d'un compte (« se déconnecter partout »).
    pub async fn end_sessions(&self, key: String) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE account = $1")
            .bind(key)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
    // ANCHOR_END: sessions
}
// ANCHOR_END: all
