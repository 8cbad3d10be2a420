//! # Exercice 13 (chapitre ch13-comptes)
//!
//! Ce crate est une copie du serveur du chapitre : le chapitre lui-même reste
//! intact. Ajoutez la route `GET /api/online` : avec une session valable, 200
//! et la liste « online » en JSON (`["Alice","Bob"]`, chaque compte une fois,
//! triée comme celle de Socket.IO) ; sans session, 401 et
//! `{ "error": <phrase en français> }`, comme `GET /api/me`.
//!
//! Vérifier : `cargo xtask exercices ex13` ; un indice :
//! `cargo xtask exercices --indice ex13` ; tout effacer et repartir de
//! l'original : `cargo xtask exercices --recommencer ex13`.

// Les modules que l'exercice ne vous donne pas sont ceux du chapitre, lus là où
// ils sont (`#[path]`, comme au chapitre 10) : seul ce fichier-ci est à
// modifier.
#[path = "../../../chapters/ch13-comptes/src/accounts.rs"]
mod accounts;
#[path = "../../../chapters/ch13-comptes/src/login.rs"]
mod login;
#[path = "../../../chapters/ch13-comptes/src/messages.rs"]
mod messages;
#[path = "../../../chapters/ch13-comptes/src/passwords.rs"]
mod passwords;
#[path = "../../../chapters/ch13-comptes/src/presence.rs"]
mod presence;
#[path = "../../../chapters/ch13-comptes/src/private.rs"]
mod private;
#[path = "../../../chapters/ch13-comptes/src/queries.rs"]
mod queries;
#[path = "../../../chapters/ch13-comptes/src/session.rs"]
mod session;
#[path = "../../../chapters/ch13-comptes/src/store.rs"]
mod store;
#[path = "../../../chapters/ch13-comptes/src/throttle.rs"]
mod throttle;

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use socketioxide::extract::{Extension, State};
use socketioxide::handler::ConnectHandler;
use support::{AckSender, SocketIo, SocketRef, in_order};
use tower_http::services::ServeDir;

use presence::Presence;
use store::{Account, Store};

/// Ce que partagent les gestionnaires de Socket.IO : ils le reçoivent par
/// l'extracteur `State<Chat>`, comme au chapitre 9. Le registre des pseudos
/// laisse la place à la présence, et la base arrive.
#[derive(Clone)]
pub struct Chat {
    store: Store,
    presence: Arc<Presence>,
    /// Le numéro du dernier message relayé à tous (comme au chapitre 8).
    forwarded: Arc<AtomicU64>,
}

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
    let store = Store::open(&store::path_from_env())?;
    let chat = Chat {
        store: store.clone(),
        presence: Arc::default(),
        forwarded: Arc::default(),
    };
    let (layer, io) = support::socket_io_with_state(chat);

    // La session d'abord : `check_session` refuse une connexion sans compte.
    io.ns("/", in_order(on_connect).with(session::check_session));

    // TODO (exercice 13) : la route GET /api/online.
    // Les routes des comptes (`accounts.rs`), puis les fichiers de la page.
    let app = accounts::routes(store, io.clone())?
        .nest_service("/commun", ServeDir::new(support::client_dir("commun")))
        .fallback_service(ServeDir::new(support::client_dir("ch13-comptes")))
        .layer(layer);

    Ok(support::listen_with(app, io).await)
}

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
