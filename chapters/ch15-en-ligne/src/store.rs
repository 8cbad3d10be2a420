//! Les comptes, les sessions et l'historique, dans PostgreSQL : une base
//! que tous les processus du chat partagent (le fichier SQLite des
//! chapitres 11 et 13 n'appartient qu'à une machine).
//!
//! Les fonctions des comptes et des sessions ont les mêmes noms et les
//! mêmes types qu'au chapitre 13 : `accounts.rs` et `session.rs` sont repris
//! tels quels. Ce qui change est dessous : des requêtes SQL envoyées à un
//! serveur par un *pool* de connexions (sqlx), au lieu d'un fichier ouvert
//! dans le processus.

// ANCHOR: all
use std::time::Duration;

use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::{Row, raw_sql};

/// La durée de vie d'une session : une semaine, en secondes.
pub const SESSION_SECONDS: i64 = 7 * 24 * 3600;

/// L'adresse de la base quand `DATABASE_URL` n'est pas donnée.
pub const DEFAULT_DATABASE_URL: &str = "postgres://chat@127.0.0.1:5432/chat";

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

/// Un message de l'historique.
#[derive(Debug, Clone)]
pub struct Stored {
    pub id: i64,
    pub from: String,
    pub text: String,
}

/// La base : un pool de connexions à PostgreSQL. Cloner le `Store` clone
/// une poignée, pas les connexions.
#[derive(Clone)]
pub struct Store {
    pool: PgPool,
}

// ANCHOR: open
/// Les tables, créées au démarrage si elles n'existent pas. `BIGSERIAL` :
/// PostgreSQL numérote lui-même les messages.
const SCHEMA: &str = "
    CREATE TABLE IF NOT EXISTS accounts (
        key TEXT PRIMARY KEY,
        pseudo TEXT NOT NULL,
        password_hash TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS sessions (
        token_hash TEXT PRIMARY KEY,
        account TEXT NOT NULL REFERENCES accounts (key),
        expires_at TIMESTAMPTZ NOT NULL
    );
    CREATE TABLE IF NOT EXISTS messages (
        id BIGSERIAL PRIMARY KEY,
        client_offset TEXT UNIQUE NOT NULL,
        pseudo TEXT NOT NULL,
        text TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS recent_sends (
        account TEXT NOT NULL,
        at_ms BIGINT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS recent_sends_account ON recent_sends (account, at_ms);
    -- Les silences décidés par les modérateurs (`admin.rs`) : la fin, en
    -- millisecondes depuis 1970.
    CREATE TABLE IF NOT EXISTS mutes (
        account TEXT PRIMARY KEY,
        until_ms BIGINT NOT NULL
    );
    -- La limite de débit (voir `admit`) : NULL si le message passe, sinon
    -- l'attente en millisecondes. Une fonction s'exécute dans la base, en
    -- un seul aller-retour ; chacune de ses instructions voit ce que les
    -- autres transactions ont validé avant elle.
    CREATE OR REPLACE FUNCTION admit(who TEXT, max_sends INT, window_ms BIGINT)
    RETURNS BIGINT AS $$
    DECLARE
        now_ms BIGINT;
        sends INT;
        oldest BIGINT;
    BEGIN
        PERFORM pg_advisory_xact_lock(hashtext('débit:' || who));
        now_ms := (extract(epoch FROM clock_timestamp()) * 1000)::BIGINT;
        DELETE FROM recent_sends WHERE account = who AND at_ms <= now_ms - window_ms;
        SELECT count(*), min(at_ms) INTO sends, oldest FROM recent_sends WHERE account = who;
        IF sends >= max_sends THEN
            RETURN window_ms - (now_ms - oldest);
        END IF;
        INSERT INTO recent_sends (account, at_ms) VALUES (who, now_ms);
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql;
";

impl Store {
    /// Se connecte à `DATABASE_URL` et crée les tables. L'erreur est une
    /// phrase en français qui nomme l'adresse (sans le mot de passe).
    pub async fn connect() -> Result<Store, String> {
        let url = std::env::var("DATABASE_URL").unwrap_or_else(|_| DEFAULT_DATABASE_URL.to_owned());
        let shown = without_password(&url);
        let fail = |e: sqlx::Error| {
            format!(
                "impossible d'utiliser la base PostgreSQL {shown} ({e}). Démarrez PostgreSQL \
                 et créez la base (voir « Mise en place »), ou donnez son adresse dans \
                 DATABASE_URL."
            )
        };
        let pool = PgPoolOptions::new()
            .max_connections(8)
            // Base arrêtée : une requête échoue au bout de 2 s au lieu
            // d'attendre une connexion sans fin (la page, elle, attend son
            // accusé 5 s).
            .acquire_timeout(Duration::from_secs(2))
            .connect(&url)
            .await
            .map_err(fail)?;
        // Plusieurs processus qui démarrent ensemble créeraient les tables
        // en même temps : un verrou de PostgreSQL les fait passer un à un.
        let mut tx = pool.begin().await.map_err(fail)?;
        raw_sql("SELECT pg_advisory_xact_lock(15)")
            .execute(&mut *tx)
            .await
            .map_err(fail)?;
        raw_sql(SCHEMA).execute(&mut *tx).await.map_err(fail)?;
        tx.commit().await.map_err(fail)?;
        Ok(Store { pool })
    }

    /// La base répond-elle ? (Pour `/health`.)
    pub async fn ping(&self) -> bool {
        raw_sql("SELECT 1").execute(&self.pool).await.is_ok()
    }

    /// Le pool, pour l'écoute des nouveaux messages (`feed.rs`).
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

    // ANCHOR: messages
    /// Le numéro d'un message déjà enregistré sous ce `client_offset` : un
    /// renvoi, à accuser sans rien refaire.
    pub async fn known(&self, client_offset: &str) -> Result<Option<i64>, StoreError> {
        let row = sqlx::query("SELECT id FROM messages WHERE client_offset = $1")
            .bind(client_offset)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|row| row.get(0)))
    }

    /// Enregistre un message et rend son numéro ; un `client_offset` déjà
    /// vu rend le numéro du premier envoi, sans rien écrire (un renvoi).
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
        let mut tx = self.pool.begin().await?;
        raw_sql("SELECT pg_advisory_xact_lock(1500)")
            .execute(&mut *tx)
            .await?;
        let known = sqlx::query("SELECT id FROM messages WHERE client_offset = $1")
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
                .fetch_all(&self.pool)
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
            .fetch_one(&self.pool)
            .await?;
        Ok(row.get(0))
    }
    // ANCHOR_END: messages

    // ANCHOR: flood
    /// La limite de débit du chapitre 14, pour tout le chat : le compte
    /// `key` peut-il envoyer un message de plus dans la fenêtre `window` ?
    /// `Ok(Err(attente))` s'il en a déjà envoyé `limit`, où qu'il les ait
    /// écrits. Le travail se fait dans la base, par la fonction `admit` du
    /// schéma : l'heure est celle de PostgreSQL (la même pour tous les
    /// processus), et le verrou consultatif du compte fait passer une à une
    /// les demandes simultanées de ses onglets.
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
            .fetch_one(&self.pool)
            .await?
            .get(0);
        Ok(match wait {
            None => Ok(()),
            Some(ms) => Err(Duration::from_millis(ms.max(0).unsigned_abs())),
        })
    }
    // ANCHOR_END: flood
}

/// L'adresse à montrer : sans le mot de passe, s'il y en a un.
fn without_password(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let user_part = &url[scheme + 3..at];
            match user_part.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}
// ANCHOR_END: all
