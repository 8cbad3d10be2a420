//! Se connecter à PostgreSQL et créer les tables : une base que tous les
//! processus du chat partagent (le fichier SQLite des chapitres 11 et 13
//! n'appartient qu'à une machine). Chapitre 15.
//!
//! Toutes les tables sont ici, ensemble : celles des comptes et des
//! sessions (`store.rs`), des messages (`history.rs`), des limites (débit
//! dans `flood.rs`, essais de connexion dans `throttle.rs`) et des silences
//! (`mutes.rs`). Plusieurs processus qui démarrent ensemble les créent un à
//! un, sous un verrou de PostgreSQL.

// ANCHOR: all
use std::time::Duration;

use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::raw_sql;

/// L'adresse de la base quand `DATABASE_URL` n'est pas donnée.
pub const DEFAULT_DATABASE_URL: &str = "postgres://chat@127.0.0.1:5432/chat";

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
    -- Un renvoi se reconnaît à son auteur et à son clientOffset : un
    -- autre compte qui reprendrait le même identifiant écrit un autre
    -- message, sans recevoir l'accusé du premier.
    CREATE TABLE IF NOT EXISTS messages (
        id BIGSERIAL PRIMARY KEY,
        client_offset TEXT NOT NULL,
        pseudo TEXT NOT NULL,
        text TEXT NOT NULL,
        UNIQUE (pseudo, client_offset)
    );
    -- Une base créée avant cette règle : l'unicité du seul clientOffset
    -- laisse la place à celle du couple.
    ALTER TABLE messages DROP CONSTRAINT IF EXISTS messages_client_offset_key;
    CREATE UNIQUE INDEX IF NOT EXISTS messages_pseudo_client_offset_key
        ON messages (pseudo, client_offset);
    -- Les évènements récents que comptent les limites : les messages
    -- acceptés (`flood.rs`) et les essais de connexion (`throttle.rs`),
    -- chaque sorte (`kind`) avec son compteur par compte.
    CREATE TABLE IF NOT EXISTS recent_events (
        kind TEXT NOT NULL,
        account TEXT NOT NULL,
        at_ms BIGINT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS recent_events_account ON recent_events (kind, account, at_ms);
    -- Les silences décidés par les modérateurs (`mutes.rs`) : la fin, en
    -- millisecondes depuis 1970.
    CREATE TABLE IF NOT EXISTS mutes (
        account TEXT PRIMARY KEY,
        until_ms BIGINT NOT NULL
    );
    -- Une limite (`flood.rs`) : NULL si l'évènement est admis (il est
    -- alors compté), sinon l'attente en millisecondes. Une fonction
    -- s'exécute dans la base, en un seul aller-retour ; chacune de ses
    -- instructions voit ce que les autres transactions ont validé avant
    -- elle.
    CREATE OR REPLACE FUNCTION admit(counted TEXT, who TEXT, max_events INT, window_ms BIGINT)
    RETURNS BIGINT AS $$
    DECLARE
        now_ms BIGINT;
        events INT;
        oldest BIGINT;
    BEGIN
        PERFORM pg_advisory_xact_lock(hashtext(counted || ':' || who));
        now_ms := (extract(epoch FROM clock_timestamp()) * 1000)::BIGINT;
        -- Oublier ce qui est sorti de la fenêtre, pour tous les comptes :
        -- la table ne garde que la dernière fenêtre, elle ne grandit pas
        -- sans fin (des essais sur des milliers de pseudos inventés).
        DELETE FROM recent_events WHERE kind = counted AND at_ms <= now_ms - window_ms;
        SELECT count(*), min(at_ms) INTO events, oldest FROM recent_events
            WHERE kind = counted AND account = who;
        IF events >= max_events THEN
            RETURN window_ms - (now_ms - oldest);
        END IF;
        INSERT INTO recent_events (kind, account, at_ms) VALUES (counted, who, now_ms);
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql;
";

/// Se connecte à `DATABASE_URL` et crée les tables ; rend le *pool* de
/// connexions (sqlx) que garde le `Store`. L'erreur est une phrase en
/// français qui nomme l'adresse (sans le mot de passe).
pub async fn connect() -> Result<PgPool, String> {
    let url = std::env::var("DATABASE_URL").unwrap_or_else(|_| DEFAULT_DATABASE_URL.to_owned());
    let shown = without_password(&url);
    let fail = |e: sqlx::Error| {
        format!(
            "impossible d'utiliser la base PostgreSQL {shown} ({e}). Démarrez PostgreSQL \
             et créez la base (voir «\u{a0}Mise en place\u{a0}»), ou donnez son adresse dans \
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
    Ok(pool)
}
// ANCHOR_END: open

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
