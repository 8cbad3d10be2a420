//! # Chapitre 9 : qui parle ?
//!
//! Le chat du chapitre 8, avec des pseudos. La page demande un pseudo et
//! l'envoie dans la poignée de main (`io({ auth: { pseudo } })`) ; un
//! middleware de connexion le vérifie avant que la connexion existe, et la
//! refuse avec une phrase en français (`connect_error`) s'il est vide, trop
//! long ou déjà pris. Chacun voit qui arrive, qui part et qui est en ligne,
//! et chaque message porte son auteur.
//!
//! Le serveur tient en trois fichiers : ce `main.rs` (la connexion et les
//! messages), `presence.rs` (les pseudos, les arrivées et les départs) et
//! `registry.rs` (le registre des pseudos pris).
//!
//! Lancer : `cargo run -p ch09-pseudos`, puis ouvrir
//! <http://localhost:3000> dans deux onglets, avec deux pseudos.
//!
//! À essayer : demandez dans le second onglet le pseudo du premier, en
//! majuscules : il est refusé, et la page le dit.

// ANCHOR: all
mod presence;
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

// ANCHOR: state
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
// ANCHOR_END: state

#[tokio::main]
async fn main() -> std::process::ExitCode {
    // Un registre vide et un compteur à 0 (`Default`), confiés au serveur.
    let (layer, io) = support::socket_io_with_state(Chat::default());

    // ANCHOR: ns
    // `.with(…)` ajoute un middleware : `check_nickname` passe d'abord, et
    // `on_connect` n'est appelé que pour une connexion acceptée. `in_order`
    // (chapitre 3) enveloppe `on_connect` lui-même, avant le middleware.
    io.ns("/", in_order(on_connect).with(presence::check_nickname));
    // ANCHOR_END: ns

    let app = Router::new()
        .nest_service("/commun", ServeDir::new(support::client_dir("commun")))
        .fallback_service(ServeDir::new(support::client_dir("ch09-pseudos")))
        .layer(layer);

    support::listen_with(app, io).await
}

// ANCHOR: connection
async fn on_connect(socket: SocketRef, io: SocketIo, State(chat): State<Chat>) {
    // Les gestionnaires d'abord : un message envoyé dès la connexion n'est
    // pas perdu pendant que l'on annonce l'arrivée ; il attend son tour.
    socket.on("new message", in_order(on_message));
    socket.on_disconnect(in_order(presence::leave));
    presence::arrive(&socket, &io, &chat).await;
}
// ANCHOR_END: connection

// ANCHOR: message
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
// ANCHOR_END: message
// ANCHOR_END: all
