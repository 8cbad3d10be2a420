//! Les messages, de la base à chaque page : la base est la seule source.
//!
//! Chaque processus écoute la notification `messages` de PostgreSQL
//! (`LISTEN`) ; à chaque signe, il lit les messages qu'il n'a pas encore
//! remis (« après le dernier remis ») et les envoie à *ses* clients, dans
//! l'ordre des numéros. Un processus qui perd sa connexion à la base relit
//! tout ce qui a suivi dès qu'il la retrouve : rien ne se perd entre deux
//! processus, même quand Redis ou PostgreSQL redémarrent.
//!
//! À la connexion d'une page, [`catch_up`] envoie ce qu'elle n'a pas vu
//! (`auth.serverOffset`, comme au chapitre 11), sous le même verrou que les
//! remises : la page reçoit tout, une fois, dans l'ordre.

// ANCHOR: all
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value as Json, json};
use sqlx::postgres::PgListener;
use tokio::sync::Mutex;
use tracing::warn;

use crate::history::Stored;
use crate::store::Store;
use crate::{SocketIo, SocketRef};

/// Le salon des pages à jour : on n'y entre qu'après l'historique.
pub const CHAT: &str = "chat";

/// Tous les combien relire la base même sans notification : un filet, au
/// cas où une notification se perdrait avec une connexion.
const POLL_EVERY: Duration = Duration::from_secs(2);

/// Combien de messages lire d'un coup.
const BATCH: i64 = 500;

/// Le numéro du dernier message remis aux pages de ce processus, sous un
/// verrou : remises et historiques passent un à la fois.
#[derive(Clone, Default)]
pub struct Feed(Arc<Mutex<i64>>);

// ANCHOR: listen
impl Feed {
    /// La tâche de fond : écouter, remettre, recommencer après une panne.
    pub fn spawn(&self, io: SocketIo, store: Store) {
        let feed = self.clone();
        tokio::spawn(async move {
            // Partir du dernier message déjà enregistré : les pages qui se
            // connectent reçoivent le passé par `catch_up`.
            while !support::is_stopping() {
                if let Ok(last) = store.last_id().await {
                    *feed.0.lock().await = last;
                    break;
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
            while !support::is_stopping() {
                feed.listen(&io, &store).await;
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        });
    }

    /// Une connexion d'écoute, jusqu'à ce qu'elle tombe.
    async fn listen(&self, io: &SocketIo, store: &Store) {
        let Ok(mut listener) = PgListener::connect_with(store.pool()).await else {
            return;
        };
        if listener.listen("messages").await.is_err() {
            return;
        }
        // Ce qui a pu être écrit pendant qu'on n'écoutait pas.
        self.deliver(io, store).await;
        loop {
            match tokio::time::timeout(POLL_EVERY, listener.try_recv()).await {
                // Un message (ou plusieurs) de plus, ou le filet : relire.
                Ok(Ok(Some(_))) | Err(_) => self.deliver(io, store).await,
                // Connexion perdue : on recommence, et on relira tout.
                Ok(Ok(None) | Err(_)) => return,
            }
            if support::is_stopping() {
                return;
            }
        }
    }
    // ANCHOR_END: listen

    // ANCHOR: deliver
    /// Remet aux pages à jour les messages de numéro supérieur au dernier
    /// remis, dans l'ordre.
    async fn deliver(&self, io: &SocketIo, store: &Store) {
        let mut last = self.0.lock().await;
        loop {
            let Ok(batch) = store.messages_after(*last, BATCH).await else {
                return; // la base ne répond pas : au prochain tour
            };
            for message in &batch {
                io.local()
                    .to(CHAT)
                    .emit("new message", &payload(message))
                    .await
                    .ok();
                *last = message.id;
            }
            if batch.len() < BATCH as usize {
                return;
            }
        }
    }
    // ANCHOR_END: deliver

    // ANCHOR: catch_up
    /// Envoie à `socket` ce qu'il n'a pas vu, jusqu'au dernier message
    /// remis, puis le fait entrer dans le salon des pages à jour. Le verrou
    /// tient les remises à l'écart pendant ce temps : ni trou, ni doublon.
    pub async fn catch_up(&self, socket: &SocketRef, store: &Store, auth: Option<&Json>) {
        let mut offset = server_offset(socket, auth);
        let last = self.0.lock().await;
        while offset < *last {
            let Ok(batch) = store.messages_after(offset, BATCH).await else {
                warn!(
                    socket = %socket.id,
                    "Historique non envoyé à {}\u{a0}: la base ne répond pas",
                    socket.id
                );
                break;
            };
            let Some(end) = batch.last().map(|m| m.id) else {
                break;
            };
            for message in batch.iter().filter(|m| m.id <= *last) {
                socket.emit("new message", &payload(message)).ok();
            }
            offset = end;
        }
        socket.join(CHAT);
    }
    // ANCHOR_END: catch_up
}

/// Ce que reçoit la page : `({ from, text }, id)`.
fn payload(message: &Stored) -> (Json, i64) {
    (
        json!({ "from": message.from, "text": message.text }),
        message.id,
    )
}

/// `auth.serverOffset` : le dernier numéro vu par la page (0 s'il manque ;
/// une valeur qui n'est pas un entier positif ou nul est signalée, comme au
/// chapitre 11).
fn server_offset(socket: &SocketRef, auth: Option<&Json>) -> i64 {
    match auth.and_then(|a| a.get("serverOffset")) {
        None | Some(Json::Null) => 0,
        Some(value) => match value.as_u64() {
            Some(n) => i64::try_from(n).unwrap_or(i64::MAX),
            None => {
                warn!(
                    socket = %socket.id,
                    "Avertissement : serverOffset du client {} ignoré ({value}), car ce n'est pas un entier positif ou nul ; l'historique part du début.",
                    socket.id
                );
                0
            }
        },
    }
}
// ANCHOR_END: all
