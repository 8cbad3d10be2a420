//! # Chapitre 15 : le chat en ligne
//!
//! Tout le cours dans un seul chat, lancé comme un vrai service : plusieurs
//! processus derrière nginx, une base PostgreSQL qu'ils partagent, Redis
//! entre eux. Ce `main.rs` est la table des matières ; chaque module dit de
//! quel chapitre il vient :
//! - `database.rs` : la connexion à PostgreSQL et toutes les tables ;
//! - `store.rs` : comptes et sessions, les fonctions du chapitre 13 ;
//! - `history.rs` : l'historique des messages du chapitre 11 ;
//! - `feed.rs` : les messages, de la base à chaque page, dans l'ordre,
//!   une fois chacun (chapitre 11, sur plusieurs processus) ;
//! - `presence.rs` : qui est en ligne dans tout le chat (chapitres 12 et 13) ;
//! - `tabs.rs` : un onglet arrive, un onglet part (chapitre 13) ;
//! - `messages.rs` : écrire, à tous ou en privé (et ce que fait le message
//!   quand la base est en panne) ;
//! - `limits.rs` : les limites du chapitre 14, pour tout le chat ;
//! - `flood.rs` : les compteurs des limites, dans la base : le débit du
//!   chapitre 14 et les essais de connexion, que `throttle.rs` reprend du
//!   chapitre 13 ;
//! - `admin.rs` : l'espace de noms `/admin` du chapitre 14, sur tous les
//!   processus (exclusions par Redis) ;
//! - `users.rs` : la liste des modérateurs, lue dans tout le chat ;
//! - `mutes.rs` : les silences du chapitre 14, gardés dans la base ;
//! - `ops.rs` : `/health` et `/metrics`, pour l'exploitation ;
//! - `logs.rs` : le journal, en français sur la sortie standard et, pour
//!   l'exploitation, en JSON (`LOG_FORMAT=json`) ;
//! - `web.rs` : les routes HTTP et les pages ;
//! - `connection.rs` : ce que fait une connexion ;
//! - `reused.rs` : les modules repris tels quels (`#[path]`) : le dossier
//!   `cluster/` (chapitre 12 : l'adaptateur et le pilote Redis),
//!   `accounts.rs`, `login.rs`, `passwords.rs` et `session.rs`
//!   (chapitre 13), `private.rs` (chapitres 10 et 13),
//!   `moderation.rs` (chapitre 14).
//!
//! Lancer : PostgreSQL et Redis démarrés (voir « Mise en place »), puis
//! `PORT=3000 cargo run -p ch15-en-ligne` et `PORT=3001 cargo run -p
//! ch15-en-ligne` ; ouvrir <http://localhost:3000> et
//! <http://127.0.0.1:3001> (deux noms, donc deux cookies : deux comptes).

// ANCHOR: all
mod admin;
mod connection;
mod database;
mod feed;
mod flood;
mod history;
mod limits;
mod logs;
mod messages;
mod mutes;
mod ops;
mod presence;
mod reused;
mod store;
mod tabs;
mod throttle;
mod users;
mod web;

use std::{process::ExitCode, sync::Arc};

use socketioxide::handler::ConnectHandler;
use support::in_order;

// Les modules repris des chapitres 12 à 14 et les types de Socket.IO
// qu'ils nomment par `crate::` (`reused.rs`) : ici comme chez eux.
use reused::*;
use session::check_session;

// ANCHOR: state
/// L'état partagé : celui du chapitre 14, plus le fil des messages et les
/// compteurs.
#[derive(Clone)]
pub struct Chat {
    store: store::Store,
    presence: Arc<presence::Presence>,
    moderation: Arc<moderation::Moderation>,
    feed: feed::Feed,
    metrics: Arc<ops::Metrics>,
    /// La dernière liste envoyée aux pages de modération de ce processus.
    admin_list: users::LastList,
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
    logs::init()?;
    // La base d'abord, puis Redis : sans eux, pas de chat partagé.
    let chat = Chat {
        store: store::Store::connect().await?,
        presence: Arc::default(),
        moderation: Arc::new(moderation::Moderation::from_env()?),
        feed: feed::Feed::default(),
        metrics: Arc::default(),
        admin_list: Arc::default(),
    };
    let (layer, io, redis) = cluster::connect_with_state(chat.clone()).await?;
    // ANCHOR_END: setup

    // ANCHOR: ns
    let ns = io.ns("/", in_order(connection::on_connect).with(check_session));
    // Avec `.with(a).with(b)`, `b` passe en premier (chapitre 14).
    let moderators = in_order(admin::on_connect).with(admin::check_moderator);
    let admin = io.ns("/admin", moderators.with(check_session));
    tokio::try_join!(ns, admin)
        .map_err(|e| format!("abonnement aux canaux Redis impossible ({e})."))?;
    chat.feed.spawn(io.clone(), chat.store.clone());
    presence::spawn_watch(io.clone(), chat.clone());
    // ANCHOR_END: ns

    // ANCHOR: router
    // Les pages et les routes HTTP sont dans `web.rs`.
    let app = web::routes(&chat, io.clone(), redis)?.layer(layer);
    // ANCHOR_END: router
    Ok(support::listen_with(app, io).await)
}

// ANCHOR_END: all
