//! # Exercice 9 (chapitre ch09-pseudos)
//!
//! Ce crate est une copie du serveur du chapitre : le chapitre lui-même reste
//! intact. Réservez les pseudos « admin » et « serveur », quelle que soit leur
//! casse : le travail est dans `src/presence.rs`.
//!
//! Vérifier : `cargo xtask exercices ex09` ; un indice :
//! `cargo xtask exercices --indice ex09` ; tout effacer et repartir de
//! l'original : `cargo xtask exercices --recommencer ex09`.

mod presence;
// Les modules que l'exercice ne vous donne pas sont ceux du chapitre, lus là où
// ils sont (`#[path]`, comme au chapitre 10).
#[path = "../../../chapters/ch09-pseudos/src/registry.rs"]
mod registry;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::Router;
use serde_json::json;
use socketioxide::extract::State;
use socketioxide::handler::ConnectHandler;
use support::{AckSender, Checked, SocketIo, SocketRef, Text, in_order};
use tower_http::services::ServeDir;

use registry::Nicknames;

/// L'état du serveur (chapitre 6), que chaque gestionnaire reçoit par
/// l'extracteur `State<Chat>`. Deux valeurs partagées, réunies dans une
/// structure plutôt que données une à une ; chaque champ est un `Arc`, et
/// cloner `Chat` (à chaque extraction) ne copie que deux pointeurs.
#[derive(Clone, Default)]
pub struct Chat {
    /// Les pseudos des clients connectés (`registry.rs`).
    nicknames: Arc<Nicknames>,
    /// Le numéro du dernier message relayé (comme au chapitre 8).
    forwarded: Arc<AtomicU64>,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    // Un registre vide et un compteur à 0 (`Default`), confiés au serveur.
    let (layer, io) = support::socket_io_with_state(Chat::default());

    // `.with(…)` ajoute un middleware : `check_nickname` passe d'abord, et
    // `on_connect` n'est appelé que pour une connexion acceptée. `in_order`
    // (chapitre 3) enveloppe `on_connect` lui-même, avant le middleware.
    io.ns("/", in_order(on_connect).with(presence::check_nickname));

    let app = Router::new()
        .nest_service("/commun", ServeDir::new(support::client_dir("commun")))
        .fallback_service(ServeDir::new(support::client_dir("ch09-pseudos")))
        .layer(layer);

    support::listen_with(app, io).await
}

async fn on_connect(socket: SocketRef, io: SocketIo, State(chat): State<Chat>) {
    // Les gestionnaires d'abord : un message envoyé dès la connexion n'est
    // pas perdu pendant que l'on annonce l'arrivée ; il attend son tour.
    socket.on("new message", in_order(on_message));
    socket.on_disconnect(in_order(presence::leave));
    presence::arrive(&socket, &io, &chat).await;
}

/// Comme au chapitre 8, mais le message part avec son auteur :
/// `{ "from": <pseudo>, "text": <texte> }`.
async fn on_message(
    socket: SocketRef,
    State(chat): State<Chat>,
    Checked(msg): Checked<Text>,
    ack: AckSender,
) {
    let msg = match msg {
        Ok(Text(msg)) => msg,
        Err(refused) => {
            ack.send(&json!({ "error": refused.to_string() })).ok();
            return;
        }
    };
    println!("message: {msg}");
    let from = presence::nickname(&socket, &chat);
    socket
        .broadcast()
        .emit("new message", &json!({ "from": from, "text": msg }))
        .await
        .ok();
    let id = chat.forwarded.fetch_add(1, Ordering::SeqCst) + 1;
    ack.send(&json!({ "id": id })).ok();
}
