//! # Chapitre 14 : la modération
//!
//! Le chat du chapitre 13, plus ce qu'il faut pour le tenir : une page pour
//! les modérateurs (un deuxième espace de noms, `/admin`), qui voient qui
//! est connecté et peuvent exclure ou réduire au silence ; et des limites
//! pour tous, qui refusent un message trop long ou trop de messages d'affilée.
//!
//! Ce `main.rs` est la table des matières : l'état partagé, le démarrage,
//! les deux espaces de noms. Ce chapitre ajoute :
//! - `moderation.rs` : les règles (modérateurs, silences, limite de débit),
//!   avec `moderation/requests.rs` (les demandes des modérateurs, lues) et
//!   `moderation/texts.rs` (la longueur, les phrases, les dates) ;
//! - `messages.rs` : les messages, à tous ou privés, qui passent par les
//!   règles ;
//! - `connection.rs` : une connexion au chat (`/`), ce qu'elle écoute, son
//!   arrivée et son départ, tenus à jour pour les modérateurs ;
//! - `admin.rs` : l'espace de noms `/admin`, qui y entre et ce qu'on y
//!   voit ; `admin/decisions.rs` : exclure, réduire au silence ;
//! - `web.rs` : les routes HTTP et les pages, dont celle des modérateurs.
//!
//! Les comptes, les sessions, la présence et les messages privés sont ceux
//! du chapitre 13, repris tels quels (`#[path]`).
//!
//! Lancer : `MODERATORS=Alice cargo run -p ch14-moderation`, ouvrir
//! <http://localhost:3000>, créer le compte « Alice », puis ouvrir
//! <http://localhost:3000/moderation/>.

// ANCHOR: all
#[path = "../../ch13-comptes/src/accounts.rs"]
mod accounts;
mod admin;
mod connection;
#[path = "../../ch13-comptes/src/login.rs"]
mod login;
mod messages;
mod moderation;
#[path = "../../ch13-comptes/src/passwords.rs"]
mod passwords;
#[path = "../../ch13-comptes/src/presence.rs"]
mod presence;
#[path = "../../ch13-comptes/src/private.rs"]
mod private;
#[path = "../../ch13-comptes/src/queries.rs"]
mod queries;
#[path = "../../ch13-comptes/src/session.rs"]
mod session;
#[path = "../../ch13-comptes/src/store.rs"]
mod store;
#[path = "../../ch13-comptes/src/throttle.rs"]
mod throttle;
mod web;

use std::process::ExitCode;
use std::sync::{Arc, atomic::AtomicU64};

use socketioxide::handler::ConnectHandler;
use support::{AckSender, SocketIo, SocketRef, in_order};

use crate::{moderation::Moderation, presence::Presence, session::check_session, store::Store};

// ANCHOR: state
/// L'état partagé du chapitre 13, plus la modération.
#[derive(Clone)]
pub struct Chat {
    store: Store,
    presence: Arc<Presence>,
    forwarded: Arc<AtomicU64>,
    moderation: Arc<Moderation>,
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
    // Le port, la base (chapitre 13), puis les règles : `MODERATORS` et
    // `FLOOD_LIMIT`.
    support::reserve_port()?;
    let store = Store::open(&store::path_from_env())?;
    let chat = Chat {
        store: store.clone(),
        presence: Arc::default(),
        forwarded: Arc::default(),
        moderation: Arc::new(Moderation::from_env()?),
    };
    let (layer, io) = support::socket_io_with_state(chat);
    // ANCHOR_END: setup

    // ANCHOR: ns
    io.ns("/", in_order(connection::on_connect).with(check_session));
    // Pour `/admin`, la session d'abord, puis le rôle de modérateur : avec
    // `.with(a).with(b)`, `b` passe en premier, `check_session` vient donc
    // en dernier.
    let moderators = in_order(admin::on_connect).with(admin::check_moderator);
    io.ns("/admin", moderators.with(check_session));
    // ANCHOR_END: ns

    // ANCHOR: router
    // Les routes des comptes et les pages, dont celle des modérateurs sous
    // /moderation/ : `web.rs`.
    let app = web::routes(store.clone(), io.clone())?.layer(layer);
    // ANCHOR_END: router
    let code = support::listen_with(app, io).await;
    // Le serveur arrêté, la base est fermée proprement (chapitre 11).
    store.close().await;
    Ok(code)
}
// ANCHOR_END: all
