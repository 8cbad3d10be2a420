//! Les comptes et les sessions, gardés dans un fichier SQLite (comme
//! l'historique du chapitre 11) : un redémarrage ne déconnecte personne.
//!
//! Deux tables :
//! - `accounts` : un pseudo et l'empreinte Argon2 de son mot de passe (le
//!   mot de passe lui-même n'est jamais écrit nulle part) ;
//! - `sessions` : l'empreinte SHA-256 de chaque identifiant de session, le
//!   compte qu'il désigne et sa date d'expiration. Le navigateur garde
//!   l'identifiant ; la base n'en garde que l'empreinte : qui lirait la base
//!   ne pourrait pas se faire passer pour un utilisateur.
//!
//! Ce module ouvre la base et lui passe le travail ; les requêtes elles-mêmes
//! sont dans `queries.rs`.

// ANCHOR: all
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use rusqlite::{Connection, ErrorCode};

/// La durée de vie d'une session : une semaine, en secondes.
pub const SESSION_SECONDS: i64 = 7 * 24 * 3600;

/// Le fichier de la base : `DATABASE`, sinon `chat.db` dans le dossier
/// courant.
pub fn path_from_env() -> PathBuf {
    std::env::var_os("DATABASE")
        .filter(|p| !p.is_empty())
        .map_or_else(|| PathBuf::from("chat.db"), PathBuf::from)
}

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
    /// La base a refusé (disque plein, fichier verrouillé…).
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

/// La base des comptes. Une seule connexion, derrière un verrou de la
/// bibliothèque standard, comme au chapitre 11.
#[derive(Clone)]
pub struct Store {
    /// `None` une fois la base fermée, à l'arrêt du serveur (`close`).
    conn: Arc<Mutex<Option<Connection>>>,
}

// ANCHOR: open
impl Store {
    /// Ouvre (ou crée) la base et ses tables. L'erreur est une phrase en
    /// français qui nomme le fichier.
    pub fn open(path: &Path) -> Result<Store, String> {
        let fail = |e: rusqlite::Error| {
            format!(
                "impossible d'ouvrir la base de données «\u{a0}{}\u{a0}» en écriture\u{a0}: {e}. \
                 Vérifiez que le dossier existe et que le fichier est modifiable, \
                 ou choisissez un autre fichier\u{a0}: DATABASE=autre.db cargo run -p {}",
                path.display(),
                // Le nom du paquet compilé : ce fichier sert aussi au chapitre 14.
                env!("CARGO_PKG_NAME"),
            )
        };
        let conn = Connection::open(path).map_err(fail)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(fail)?;
        // `key` : le pseudo en minuscules. En faire la clé primaire refuse
        // « alice » quand « Alice » existe, dans la base elle-même.
        conn.execute_batch(
            "BEGIN IMMEDIATE;
             CREATE TABLE IF NOT EXISTS accounts (
                 key TEXT PRIMARY KEY,
                 pseudo TEXT NOT NULL,
                 password_hash TEXT NOT NULL
             );
             CREATE TABLE IF NOT EXISTS sessions (
                 token_hash TEXT PRIMARY KEY,
                 account TEXT NOT NULL REFERENCES accounts (key),
                 expires_at INTEGER NOT NULL
             );
             COMMIT;",
        )
        .map_err(fail)?;
        Ok(Store {
            conn: Arc::new(Mutex::new(Some(conn))),
        })
    }
    // ANCHOR_END: open

    /// Exécute `work` sur la connexion, sur un fil où bloquer est permis
    /// (voir le chapitre 11). Chaque requête de `queries.rs` passe par ici :
    /// une erreur de SQLite devient une [`StoreError`], et un pseudo en
    /// double, `Taken`.
    pub async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> Result<T, StoreError> {
        let conn = Arc::clone(&self.conn);
        let job = tokio::task::spawn_blocking(move || {
            let conn = conn.lock().unwrap_or_else(PoisonError::into_inner);
            conn.as_ref().map(work)
        });
        match job.await {
            Ok(None) => Err(StoreError::Failed(
                "la base de données est fermée\u{a0}: le serveur s'arrête".into(),
            )),
            Ok(Some(Ok(value))) => Ok(value),
            Ok(Some(Err(e))) if e.sqlite_error_code() == Some(ErrorCode::ConstraintViolation) => {
                Err(StoreError::Taken)
            }
            Ok(Some(Err(e))) => Err(StoreError::Failed(format!(
                "erreur de la base de données\u{a0}: {e}"
            ))),
            Err(e) => Err(StoreError::Failed(format!(
                "la tâche de la base de données a échoué\u{a0}: {e}"
            ))),
        }
    }

    /// Ferme la base, le serveur arrêté : SQLite reporte son journal
    /// (`chat.db-wal`) dans `chat.db` et efface ses fichiers compagnons
    /// (voir le chapitre 11).
    pub async fn close(&self) {
        let conn = Arc::clone(&self.conn);
        let closing = tokio::task::spawn_blocking(move || {
            let taken = conn.lock().unwrap_or_else(PoisonError::into_inner).take();
            taken.map(Connection::close)
        });
        if let Ok(Some(Err((_, e)))) = closing.await {
            eprintln!("La base de données n'a pas été fermée proprement\u{a0}: {e}");
        }
    }
}
// ANCHOR_END: all
