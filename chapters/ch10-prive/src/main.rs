//! # Chapitre 10 : à une seule personne
//!
//! Le chat du chapitre 9, plus les messages privés (à un pseudo de la
//! liste « En ligne ») et « Alice est en train d'écrire… ».
//!
//! Le serveur tient en quatre fichiers : ce `main.rs` (la connexion et les
//! messages à tous), `presence.rs` et `registry.rs` (les pseudos : ceux du
//! chapitre 9, repris tels quels) et `private.rs` (les messages privés et
//! « en train d'écrire »).
//!
//! Lancer : `cargo run -p ch10-prive`, puis ouvrir <http://localhost:3000>
//! dans trois onglets, avec trois pseudos.
//!
//! À essayer : depuis le premier onglet, écrivez en privé au deuxième : le
//! troisième ne voit rien.

// ANCHOR: all
// Les pseudos et la présence n'ont pas changé depuis le chapitre 9 : ce
// chapitre reprend son fichier tel quel plutôt que d'en garder une copie.
#[path = "../../ch09-pseudos/src/presence.rs"]
mod presence;
mod private;
#[path = "../../ch09-pseudos/src/registry.rs"]
mod registry;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::Router;
use serde_json::json;
use socketioxide::extract::State;
use socketioxide::handler::ConnectHandler;
use support::{AckSender, Checked, SocketIo, SocketRef, Text, in_order};
use tower_http::services::ServeDir;

/// L'état du serveur, celui du chapitre 9 : `presence.rs`, repris tel quel,
/// le demande par `State<Chat>`.
#[derive(Clone, Default)]
pub struct Chat {
    nicknames: Arc<registry::Nicknames>,
    /// Le numéro du dernier message relayé à tous (comme au chapitre 8).
    forwarded: Arc<AtomicU64>,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let (layer, io) = support::socket_io_with_state(Chat::default());

    // ANCHOR: ns
    // `.with(…)` ajoute un middleware : `check_nickname` passe d'abord, et
    // `on_connect` n'est appelé que pour une connexion acceptée. `in_order`
    // (chapitre 3) enveloppe `on_connect` lui-même, avant le middleware.
    io.ns("/", in_order(on_connect).with(presence::check_nickname));
    // ANCHOR_END: ns

    let app = Router::new()
        .nest_service("/commun", ServeDir::new(support::client_dir("commun")))
        .fallback_service(ServeDir::new(support::client_dir("ch10-prive")))
        .layer(layer);

    support::listen_with(app, io).await
}

// ANCHOR: connection
async fn on_connect(socket: SocketRef, io: SocketIo, State(chat): State<Chat>) {
    // Les gestionnaires d'abord : un message envoyé dès la connexion n'est
    // pas perdu pendant que l'on annonce l'arrivée ; il attend son tour.
    socket.on("new message", in_order(on_message));
    socket.on("private message", in_order(private::on_private_message));
    socket.on("typing", in_order(private::on_typing));
    socket.on_disconnect(in_order(presence::leave));
    // Chacun entre dans le salon de son pseudo : sa boîte aux lettres.
    socket.join(private::room_of(&presence::nickname(&socket, &chat)));
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
