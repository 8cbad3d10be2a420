//! # Chapitre 13 : des comptes
//!
//! Le chat du chapitre 10, mais on n'y entre plus sous n'importe quel
//! pseudo : on s'inscrit (pseudo et mot de passe), on se connecte, et une
//! session dans un cookie dit au serveur qui l'on est, aux routes HTTP comme
//! à Socket.IO. Une personne qui ouvre trois onglets est une seule personne.
//!
//! Le serveur tient en onze fichiers, un sujet chacun :
//! - ce `main.rs` : l'assemblage ; `messages.rs` : les messages à tous ;
//! - `store.rs` : la base SQLite des comptes et des sessions ;
//!   `queries.rs` : ses requêtes ;
//! - `accounts.rs` : les routes HTTP, dont `/api/me` et la déconnexion ;
//!   `login.rs` : l'inscription et la connexion, et `login/credentials.rs`
//!   ce qu'elles reçoivent ;
//! - `passwords.rs` : les empreintes Argon2id ; `throttle.rs` : le frein
//!   aux essais de mots de passe ;
//! - `session.rs` : le cookie, lu aussi par la poignée de main de Socket.IO ;
//! - `presence.rs` : qui est là, par compte ; `private.rs` : les messages
//!   privés, à tous les onglets d'une personne.
//!
//! Lancer : `cargo run -p ch13-comptes`, ouvrir <http://localhost:3000>,
//! créer un compte, puis ouvrir un deuxième onglet : il est déjà connecté.

// ANCHOR: all
mod accounts;
mod login;
mod messages;
mod passwords;
mod presence;
mod private;
mod queries;
mod session;
mod store;
mod throttle;

use std::process::ExitCode;
use std::sync::{Arc, atomic::AtomicU64};

use socketioxide::extract::{Extension, State};
use socketioxide::handler::ConnectHandler;
use support::{AckSender, SocketIo, SocketRef, in_order};
use tower_http::services::ServeDir;

use store::{Account, Store};

// ANCHOR: state
/// Ce que partagent les gestionnaires de Socket.IO : ils le reçoivent par
/// l'extracteur `State<Chat>`, comme au chapitre 9. Le registre des pseudos
/// laisse la place à la présence, et la base arrive.
#[derive(Clone)]
pub struct Chat {
    store: Store,
    presence: Arc<presence::Presence>,
    /// Le numéro du dernier message relayé à tous (comme au chapitre 8).
    forwarded: Arc<AtomicU64>,
}
// ANCHOR_END: state

#[tokio::main]
async fn main() -> ExitCode {
    // Une erreur de démarrage : une phrase, et un code de sortie non nul.
    start().await.unwrap_or_else(|why| {
        eprintln!("Erreur\u{a0}: {why}");
        ExitCode::FAILURE
    })
}

/// Le démarrage, dans l'ordre ; `?` arrête tout à la première erreur.
async fn start() -> Result<ExitCode, String> {
    // ANCHOR: setup
    // Le port d'abord, puis la base : un port pris ne crée pas `chat.db`.
    support::reserve_port()?;
    let store = Store::open(&store::path_from_env())?;
    let chat = Chat {
        store: store.clone(),
        presence: Arc::default(),
        forwarded: Arc::default(),
    };
    let (layer, io) = support::socket_io_with_state(chat);
    // ANCHOR_END: setup

    // ANCHOR: ns
    // La session d'abord : `check_session` refuse une connexion sans compte.
    io.ns("/", in_order(on_connect).with(session::check_session));
    // ANCHOR_END: ns

    // ANCHOR: router
    // Les routes des comptes (`accounts.rs`), puis les fichiers de la page.
    let app = accounts::routes(store.clone(), io.clone())?
        .nest_service("/commun", ServeDir::new(support::client_dir("commun")))
        .fallback_service(ServeDir::new(support::client_dir("ch13-comptes")))
        .layer(layer);
    // ANCHOR_END: router

    let code = support::listen_with(app, io).await;
    // Le serveur arrêté, la base est fermée proprement (chapitre 11).
    store.close().await;
    Ok(code)
}

// ANCHOR: connection
async fn on_connect(
    socket: SocketRef,
    io: SocketIo,
    State(chat): State<Chat>,
    Extension(account): Extension<Account>,
) {
    socket.on("new message", in_order(messages::on_message));
    socket.on("private message", in_order(private::on_private_message));
    socket.on("typing", in_order(private::on_typing));
    socket.on_disconnect(in_order(presence::leave));
    presence::arrive(&socket, &io, &chat, &account).await;
}
// ANCHOR_END: connection

// ANCHOR_END: all
