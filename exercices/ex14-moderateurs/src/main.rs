//! # Exercice 14 (chapitre ch14-moderation)
//!
//! Ce crate est une copie du serveur du chapitre : le chapitre lui-même reste
//! intact. Les modérateurs échappent à la limite de débit : un modérateur peut
//! envoyer plus de 5 messages en 5 s (pour répondre à une salle entière), mais
//! reste soumis à la limite de longueur et, comme les autres, ses messages trop
//! longs sont refusés. Le travail est dans `src/messages.rs`.
//!
//! Vérifier : `cargo xtask exercices ex14` ; un indice :
//! `cargo xtask exercices --indice ex14` ; tout effacer et repartir de
//! l'original : `cargo xtask exercices --recommencer ex14`.

// Les modules que l'exercice ne vous donne pas sont ceux du chapitre, lus là où
// ils sont (`#[path]`, comme au chapitre 10).
#[path = "../../../chapters/ch13-comptes/src/accounts.rs"]
mod accounts;
#[path = "../../../chapters/ch14-moderation/src/admin.rs"]
mod admin;
#[path = "../../../chapters/ch14-moderation/src/connection.rs"]
mod connection;
#[path = "../../../chapters/ch13-comptes/src/login.rs"]
mod login;
mod messages;
#[path = "../../../chapters/ch14-moderation/src/moderation.rs"]
mod moderation;
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
#[path = "../../../chapters/ch14-moderation/src/web.rs"]
mod web;

use std::process::ExitCode;
use std::sync::{Arc, atomic::AtomicU64};

use socketioxide::handler::ConnectHandler;
use support::{AckSender, SocketIo, SocketRef, in_order};

use moderation::Moderation;
use presence::Presence;
use session::check_session;
use store::Store;

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
    // Une erreur de démarrage : une phrase, et un code de sortie non nul.
    start().await.unwrap_or_else(|why| {
        eprintln!("Erreur\u{a0}: {why}");
        ExitCode::FAILURE
    })
}

/// Le démarrage, dans l'ordre ; `?` arrête tout à la première erreur.
async fn start() -> Result<ExitCode, String> {
    // La base d'abord (chapitre 13), puis les règles : `MODERATORS` et
    // `FLOOD_LIMIT`.
    let store = Store::open(&store::path_from_env())?;
    let chat = Chat {
        store: store.clone(),
        presence: Arc::default(),
        forwarded: Arc::default(),
        moderation: Arc::new(Moderation::from_env()?),
    };
    let (layer, io) = support::socket_io_with_state(chat);

    io.ns("/", in_order(connection::on_connect).with(check_session));
    // Pour `/admin`, la session d'abord, puis le rôle de modérateur : avec
    // `.with(a).with(b)`, `b` passe en premier, `check_session` vient donc
    // en dernier.
    let moderators = in_order(admin::on_connect).with(admin::check_moderator);
    io.ns("/admin", moderators.with(check_session));

    // Les routes des comptes et les pages, dont celle des modérateurs sous
    // /moderation/ : `web.rs`.
    let app = web::routes(store, io.clone())?.layer(layer);
    Ok(support::listen_with(app, io).await)
}
