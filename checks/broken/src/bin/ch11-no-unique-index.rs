//! Chapitre 11 cassé : la table n'a pas d'index unique sur
//! `client_offset`, et l'insertion ne vérifie rien. Un message renvoyé par
//! le client (`retries`, accusé perdu) est enregistré et envoyé une
//! deuxième fois, sous un nouveau numéro.

mod store {
    // Les messages du chat, gardés dans un fichier SQLite.
    //
    // Une seule connexion, derrière un `Mutex` de la bibliothèque standard.
    // Chaque appel à SQLite passe par `tokio::task::spawn_blocking` : lire ou
    // écrire le disque *bloque* le fil d'exécution qui le fait. Sur un fil du
    // runtime asynchrone, ce blocage arrêterait les clients servis par ce fil
    // le temps de l'écriture (et tous, si chaque cœur attend le disque) ;
    // `spawn_blocking` l'envoie sur un fil à part, prévu pour ça, et le
    // gestionnaire attend (`.await`) sans rien bloquer.

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

    /// La base du chat. `turn` fait passer les messages un par un, dans l'ordre
    /// d'arrivée (voir `main.rs`).
    pub struct Store {
        conn: Arc<Mutex<Connection>>,
        pub turn: tokio::sync::Mutex<()>,
    }

    impl Store {
        /// Ouvre (ou crée) la base et sa table, et vérifie qu'on peut y écrire.
        /// L'erreur est une phrase en français qui nomme le fichier.
        pub fn open(path: &Path) -> Result<Store, String> {
            let fail = |e: rusqlite::Error| {
                format!(
                    "Impossible d'ouvrir la base de données « {} » en écriture : {e}. \
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
            // L'erreur : pas d'index UNIQUE sur `client_offset`.
            conn.execute_batch(
                "BEGIN IMMEDIATE;
                 CREATE TABLE IF NOT EXISTS messages (
                     id INTEGER PRIMARY KEY AUTOINCREMENT,
                     client_offset TEXT,
                     content TEXT NOT NULL
                 );
                 COMMIT;",
            )
            .map_err(fail)?;
            Ok(Store {
                conn: Arc::new(Mutex::new(conn)),
                turn: tokio::sync::Mutex::new(()),
            })
        }

        /// Enregistre un message ; rend son numéro, et `true` s'il est nouveau
        /// (`false` : ce `client_offset` était déjà là, rien n'est écrit).
        pub async fn add(
            &self,
            text: String,
            client_offset: String,
        ) -> Result<(i64, bool), String> {
            self.blocking(move |conn| {
                let tx = conn.transaction()?;
                let inserted = tx.execute(
                    "INSERT INTO messages (client_offset, content) VALUES (?1, ?2)",
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

        /// Exécute `work` sur la connexion, sur un fil où bloquer est permis.
        async fn blocking<T: Send + 'static>(
            &self,
            work: impl FnOnce(&mut Connection) -> rusqlite::Result<T> + Send + 'static,
        ) -> Result<T, String> {
            let conn = Arc::clone(&self.conn);
            let job = tokio::task::spawn_blocking(move || {
                let mut conn = conn.lock().unwrap_or_else(PoisonError::into_inner);
                work(&mut conn)
            });
            match job.await {
                Ok(Ok(value)) => Ok(value),
                Ok(Err(e)) => Err(format!("erreur de la base de données : {e}")),
                Err(e) => Err(format!("la tâche de la base de données a échoué : {e}")),
            }
        }
    }
}

use std::process::ExitCode;
use std::sync::OnceLock;

use axum::Router;
use serde_json::{Value as Json, json};
use socketioxide::extract::TryData;
use support::{AckSender, SocketRef, in_order};
use tower_http::services::ServeDir;

use store::Store;

/// La base, ouverte une fois au démarrage.
static STORE: OnceLock<Store> = OnceLock::new();

/// Le salon des clients à jour : on n'y entre qu'après avoir reçu
/// l'historique (voir `on_connect`).
const CHAT: &str = "chat";

#[tokio::main]
async fn main() -> ExitCode {
    let path = store::path_from_env();
    let store = match Store::open(&path) {
        Ok(store) => store,
        Err(why) => {
            eprintln!("{why}");
            return ExitCode::FAILURE;
        }
    };
    let store = STORE.get_or_init(|| store);

    let (layer, io) = support::socket_io();

    io.ns(
        "/",
        in_order(async |socket: SocketRef, TryData(auth): TryData<Json>| {
            println!("Un client vient de se connecter");
            // D'abord écouter (avant tout `.await`) : un message que le client
            // envoie dès sa connexion n'est pas perdu ; il attendra son tour.
            socket.on("new message", in_order(on_message));
            let offset = server_offset(&socket, auth.ok().as_ref());

            // Au tour de ce client : aucun nouveau message ne passe pendant
            // qu'il reçoit l'historique. Ensuite seulement, il entre dans le
            // salon où partent les nouveaux : il a tout, une fois chacun.
            let _turn = store.turn.lock().await;
            match store.since(offset).await {
                Ok(missed) => {
                    for (text, id) in missed {
                        socket.emit("new message", &(text, id)).ok();
                    }
                }
                Err(why) => println!("Historique non envoyé à {} : {why}", socket.id),
            }
            socket.join(CHAT);
        }),
    );

    let app = Router::new()
        .nest_service("/commun", ServeDir::new(support::client_dir("commun")))
        .fallback_service(ServeDir::new(support::client_dir("ch11-historique")))
        .layer(layer);

    support::listen_with(app, io).await
}

/// `socket.emit('new message', texte, clientOffset)` : on enregistre, on
/// envoie à tous (l'émetteur compris), puis on accuse réception.
async fn on_message(socket: SocketRef, TryData(data): TryData<(Json, Json)>, ack: AckSender) {
    let (text, client_offset) = match data {
        Ok((Json::String(text), Json::String(offset))) => (text, offset),
        _ => {
            let why = "il faut deux textes : le message, puis son identifiant (clientOffset)";
            println!(
                "Avertissement : évènement « new message » du client {} ignoré, car {why}.",
                socket.id
            );
            ack.send(&json!({ "error": format!("Message refusé : {why}.") }))
                .ok();
            return;
        }
    };
    let Some(store) = STORE.get() else { return };

    // Un message à la fois, dans l'ordre d'arrivée : chacun attend son tour
    // ici (le `Mutex` de tokio sert les demandes dans l'ordre).
    let _turn = store.turn.lock().await;
    match store.add(text.clone(), client_offset).await {
        Ok((id, true)) => {
            println!("message: {text}");
            socket
                .within(CHAT)
                .emit("new message", &(text, id))
                .await
                .ok();
            ack.send(&json!({ "id": id })).ok();
        }
        // Déjà enregistré : le client n'avait pas reçu l'accusé et réessaie.
        Ok((id, false)) => {
            println!("Message nº {id} reçu une deuxième fois : accusé renvoyé, rien d'autre");
            ack.send(&json!({ "id": id })).ok();
        }
        Err(why) => {
            println!("Message de {} non enregistré : {why}", socket.id);
            ack.send(&json!({ "error": "Le serveur n'a pas pu enregistrer le message." }))
                .ok();
        }
    }
}

/// `auth.serverOffset` : le dernier numéro vu par la page (0 s'il manque).
fn server_offset(socket: &SocketRef, auth: Option<&Json>) -> i64 {
    match auth.and_then(|a| a.get("serverOffset")) {
        None | Some(Json::Null) => 0,
        Some(value) => match value.as_u64() {
            Some(n) => i64::try_from(n).unwrap_or(i64::MAX),
            None => {
                println!(
                    "Avertissement : serverOffset du client {} ignoré ({value}), car ce n'est pas un entier positif ou nul ; l'historique part du début.",
                    socket.id
                );
                0
            }
        },
    }
}
