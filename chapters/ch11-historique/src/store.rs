//! Les messages du chat, gardés dans un fichier SQLite.
//!
//! Une seule connexion, derrière un `Mutex` de la bibliothèque standard.
//! Chaque appel à SQLite passe par `tokio::task::spawn_blocking` : lire ou
//! écrire le disque *bloque* le fil d'exécution qui le fait. Sur un fil du
//! runtime asynchrone, ce blocage arrêterait les clients servis par ce fil
//! le temps de l'écriture (et tous, si chaque cœur attend le disque) ;
//! `spawn_blocking` l'envoie sur un fil à part, prévu pour ça, et le
//! gestionnaire attend (`.await`) sans rien bloquer.

// ANCHOR: all
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use rusqlite::{Connection, params};

/// Le fichier de la base : `DATABASE`, sinon `chat.db` dans le dossier
/// courant (celui d'où l'on lance `cargo run`).
pub fn path_from_env() -> PathBuf {
    std::env::var_os("DATABASE")
        .filter(|p| !p.is_empty())
        .map_or_else(|| PathBuf::from("chat.db"), PathBuf::from)
}

/// La base du chat. `turn` fait passer les messages un par un, tous clients
/// confondus (voir `messages.rs`).
pub struct Store {
    /// `None` une fois la base fermée, à l'arrêt du serveur (`close`).
    conn: Arc<Mutex<Option<Connection>>>,
    pub turn: tokio::sync::Mutex<()>,
}

// ANCHOR: open
impl Store {
    /// Ouvre (ou crée) la base et sa table, et vérifie qu'on peut y écrire.
    /// L'erreur est une phrase en français qui nomme le fichier.
    pub fn open(path: &Path) -> Result<Store, String> {
        let fail = |e: rusqlite::Error| {
            format!(
                "impossible d'ouvrir la base de données « {} » en écriture : {e}. \
                 Vérifiez que le dossier existe et que le fichier est modifiable, \
                 ou choisissez un autre fichier : DATABASE=autre.db cargo run -p ch11-historique",
                path.display()
            )
        };
        let conn = Connection::open(path).map_err(fail)?;
        // Le journal WAL : une écriture validée (COMMIT) survit à l'arrêt
        // brutal du programme, sans attendre le disque à chaque message.
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(fail)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(fail)?;
        // Au premier démarrage, la table n'existe pas encore. L'index
        // UNIQUE sur `client_offset` refuse un message déjà enregistré.
        conn.execute_batch(
            "BEGIN IMMEDIATE;
             CREATE TABLE IF NOT EXISTS messages (
                 id INTEGER PRIMARY KEY AUTOINCREMENT,
                 client_offset TEXT UNIQUE,
                 content TEXT NOT NULL
             );
             COMMIT;",
        )
        .map_err(fail)?;
        Ok(Store {
            conn: Arc::new(Mutex::new(Some(conn))),
            turn: tokio::sync::Mutex::new(()),
        })
    }
    // ANCHOR_END: open

    // ANCHOR: add
    /// Enregistre un message ; rend son numéro, et `true` s'il est nouveau
    /// (`false` : ce `client_offset` était déjà là, rien n'est écrit).
    pub async fn add(&self, text: String, client_offset: String) -> Result<(i64, bool), String> {
        self.blocking(move |conn| {
            let tx = conn.transaction()?;
            let inserted = tx.execute(
                "INSERT INTO messages (client_offset, content) VALUES (?1, ?2)
                 ON CONFLICT (client_offset) DO NOTHING",
                params![client_offset, text],
            )?;
            let id = if inserted == 1 {
                tx.last_insert_rowid()
            } else {
                tx.query_row(
                    "SELECT id FROM messages WHERE client_offset = ?1",
                    params![client_offset],
                    |row| row.get(0),
                )?
            };
            // Le message n'est acquis qu'ici, une fois le COMMIT passé.
            tx.commit()?;
            Ok((id, inserted == 1))
        })
        .await
    }
    // ANCHOR_END: add

    // ANCHOR: since
    /// Les messages dont le numéro dépasse `offset`, dans l'ordre.
    pub async fn since(&self, offset: i64) -> Result<Vec<(String, i64)>, String> {
        self.blocking(move |conn| {
            let mut stmt =
                conn.prepare("SELECT content, id FROM messages WHERE id > ?1 ORDER BY id")?;
            let rows = stmt.query_map(params![offset], |row| Ok((row.get(0)?, row.get(1)?)))?;
            rows.collect()
        })
        .await
    }
    // ANCHOR_END: since

    // ANCHOR: blocking
    /// Exécute `work` sur la connexion, sur un fil où bloquer est permis.
    async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> Result<T, String> {
        let conn = Arc::clone(&self.conn);
        let job = tokio::task::spawn_blocking(move || {
            let mut conn = conn.lock().unwrap_or_else(PoisonError::into_inner);
            conn.as_mut().map(work)
        });
        match job.await {
            Ok(Some(Ok(value))) => Ok(value),
            Ok(Some(Err(e))) => Err(format!("erreur de la base de données : {e}")),
            Ok(None) => Err("la base de données est fermée : le serveur s'arrête".into()),
            Err(e) => Err(format!("la tâche de la base de données a échoué : {e}")),
        }
    }
    // ANCHOR_END: blocking

    // ANCHOR: close
    /// Ferme la base, le serveur arrêté. SQLite reporte alors son journal
    /// (`chat.db-wal`) dans `chat.db` et efface ses fichiers compagnons.
    /// Une requête qui arriverait après reçoit une erreur, jamais une
    /// connexion fermée.
    pub async fn close(&self) {
        let conn = Arc::clone(&self.conn);
        let closing = tokio::task::spawn_blocking(move || {
            let taken = conn.lock().unwrap_or_else(PoisonError::into_inner).take();
            taken.map(Connection::close)
        });
        if let Ok(Some(Err((_, e)))) = closing.await {
            // Rien n'est perdu : au prochain démarrage, SQLite relit son journal.
            eprintln!("La base de données n'a pas été fermée proprement : {e}");
        }
    }
    // ANCHOR_END: close
}

// ANCHOR_END: all
