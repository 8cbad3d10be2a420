//! # Exercice 14 (chapitre ch14-moderation)
//!
//! Ce crate est une copie du serveur du chapitre : le chapitre lui-même
//! reste intact. Les modérateurs échappent à la limite de débit : un
//! modérateur peut envoyer plus de 5 messages en 5 s (pour répondre à une
//! salle entière), mais reste soumis à la limite de longueur et, comme
//! les autres, ses messages trop longs sont refusés.
//!
//! Vérifier : `cargo xtask exercices ex14` ; un indice :
//! `cargo xtask exercices --indice ex14` ; tout effacer et repartir de
//! l'original : `cargo xtask exercices --recommencer ex14`.

// Les autres modules sont ceux du chapitre, lus là où ils sont
// (`#[path]`, comme au chapitre 10) : seul ce fichier-ci est à modifier.
#[path = "../../../chapters/ch13-comptes/src/accounts.rs"]
mod accounts;
#[path = "../../../chapters/ch14-moderation/src/admin.rs"]
mod admin;
#[path = "../../../chapters/ch14-moderation/src/moderation.rs"]
mod moderation;
#[path = "../../../chapters/ch13-comptes/src/presence.rs"]
mod presence;
#[path = "../../../chapters/ch13-comptes/src/private.rs"]
mod private;
#[path = "../../../chapters/ch13-comptes/src/session.rs"]
mod session;
#[path = "../../../chapters/ch13-comptes/src/store.rs"]
mod store;

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::Router;
use serde_json::json;
use socketioxide::extract::{Extension, State};
use socketioxide::handler::ConnectHandler;
use support::{AckSender, Checked, PrivateMessage, SocketIo, SocketRef, Text, in_order};
use tower_http::services::ServeDir;

use moderation::Moderation;
use presence::Presence;
use store::{Account, Store};

/// L'état partagé du chapitre 13, plus la modération.
#[derive(Clone)]
pub struct Chat {
    store: Store,
    presence: Arc<Presence>,
    forwarded: Arc<AtomicU64>,
    moderation: Arc<Moderation>,
}

#[tokio::main]
async fn main() -> ExitCode {
    let opened = Store::open(&store::path_from_env()).and_then(|store| {
        let moderation = Moderation::from_env()?;
        Ok((store, moderation))
    });
    let (store, moderation) = match opened {
        Ok(both) => both,
        Err(why) => {
            eprintln!("Erreur\u{a0}: {why}");
            return ExitCode::FAILURE;
        }
    };
    let chat = Chat {
        store: store.clone(),
        presence: Arc::default(),
        forwarded: Arc::default(),
        moderation: Arc::new(moderation),
    };
    let (layer, io) = support::socket_io_with_state(chat);

    io.ns("/", in_order(on_connect).with(session::check_session));
    // Avec `.with(a).with(b)`, `b` passe en premier : la session d'abord,
    // puis le rôle de modérateur.
    io.ns(
        "/admin",
        in_order(admin::on_connect)
            .with(admin::check_moderator)
            .with(session::check_session),
    );

    let api = match accounts::routes(store, io.clone()) {
        Ok(api) => api,
        Err(why) => {
            eprintln!("Erreur\u{a0}: {why}");
            return ExitCode::FAILURE;
        }
    };
    // La page du chat est celle du chapitre 13 ; celle des modérateurs est
    // sous /moderation/.
    let app = Router::new()
        .merge(api)
        .nest_service("/commun", ServeDir::new(support::client_dir("commun")))
        .nest_service(
            "/moderation",
            ServeDir::new(support::client_dir("ch14-moderation")),
        )
        .fallback_service(ServeDir::new(support::client_dir("ch13-comptes")))
        .layer(layer);

    support::listen_with(app, io).await
}

async fn on_connect(
    socket: SocketRef,
    io: SocketIo,
    State(chat): State<Chat>,
    Extension(account): Extension<Account>,
) {
    socket.on("new message", in_order(on_message));
    socket.on("private message", in_order(on_private_message));
    socket.on("typing", in_order(private::on_typing));
    socket.on_disconnect(in_order(on_leave));
    presence::arrive(&socket, &io, &chat, &account).await;
    admin::refresh(&io, &chat).await;
}

/// Le départ du chapitre 13, puis la liste à jour pour les modérateurs.
async fn on_leave(
    socket: SocketRef,
    io: SocketIo,
    State(chat): State<Chat>,
    Extension(account): Extension<Account>,
) {
    presence::leave(socket, State(chat.clone()), Extension(account)).await;
    admin::refresh(&io, &chat).await;
}

/// Comme au chapitre 13, mais le message passe d'abord par les règles :
/// refusé, il ne part pas, et l'accusé dit pourquoi.
async fn on_message(
    socket: SocketRef,
    State(chat): State<Chat>,
    Extension(account): Extension<Account>,
    Checked(msg): Checked<Text>,
    ack: AckSender,
) {
    // TODO (exercice 14) : un modérateur n'est pas soumis à la limite de
    // débit (mais l'est à celle de longueur).
    let checked = msg
        .map_err(|refused| refused.to_string())
        .and_then(|Text(msg)| chat.moderation.allow(&account.key, &msg).map(|()| msg));
    let msg = match checked {
        Ok(msg) => msg,
        Err(why) => {
            ack.send(&json!({ "error": why })).ok();
            return;
        }
    };
    println!("message: {msg}");
    socket
        .broadcast()
        .emit(
            "new message",
            &json!({ "from": account.pseudo, "text": msg }),
        )
        .await
        .ok();
    let id = chat.forwarded.fetch_add(1, Ordering::SeqCst) + 1;
    ack.send(&json!({ "id": id })).ok();
}

/// Un message privé passe par les mêmes règles, puis par le chapitre 13.
async fn on_private_message(
    socket: SocketRef,
    State(chat): State<Chat>,
    Extension(account): Extension<Account>,
    Checked(msg): Checked<PrivateMessage>,
    ack: AckSender,
) {
    if let Ok(PrivateMessage { text, .. }) = &msg
        && let Err(why) = chat.moderation.allow(&account.key, text)
    {
        ack.send(&json!({ "error": why })).ok();
        return;
    }
    private::on_private_message(socket, State(chat), Extension(account), Checked(msg), ack).await;
}
