//! # Exercice 15 (chapitre ch15-en-ligne)
//!
//! Ce crate est une copie du serveur du chapitre : le chapitre lui-même reste
//! intact. Ajoutez la route `GET /api/online` : pour une personne connectée
//! (cookie de session valable), 200 et `{ "online": [pseudos] }`, la liste « En
//! ligne » de tout le chat ; sans session valable, 401 et
//! `{ "error": <phrase en français> }`.
//!
//! Vérifier : `cargo xtask exercices ex15` ; un indice :
//! `cargo xtask exercices --indice ex15` ; tout effacer et repartir de
//! l'original : `cargo xtask exercices --recommencer ex15`.

// Les modules que l'exercice ne vous donne pas sont ceux du chapitre, lus là où
// ils sont (`#[path]`, comme au chapitre 10) : seul ce fichier-ci est à
// modifier.
#[path = "../../../chapters/ch15-en-ligne/src/admin.rs"]
mod admin;
#[path = "../../../chapters/ch15-en-ligne/src/connection.rs"]
mod connection;
#[path = "../../../chapters/ch15-en-ligne/src/database.rs"]
mod database;
#[path = "../../../chapters/ch15-en-ligne/src/feed.rs"]
mod feed;
#[path = "../../../chapters/ch15-en-ligne/src/flood.rs"]
mod flood;
#[path = "../../../chapters/ch15-en-ligne/src/history.rs"]
mod history;
#[path = "../../../chapters/ch15-en-ligne/src/limits.rs"]
mod limits;
#[path = "../../../chapters/ch15-en-ligne/src/logs.rs"]
mod logs;
#[path = "../../../chapters/ch15-en-ligne/src/messages.rs"]
mod messages;
#[path = "../../../chapters/ch15-en-ligne/src/mutes.rs"]
mod mutes;
#[path = "../../../chapters/ch15-en-ligne/src/ops.rs"]
mod ops;
#[path = "../../../chapters/ch15-en-ligne/src/presence.rs"]
mod presence;
#[path = "../../../chapters/ch15-en-ligne/src/reused.rs"]
mod reused;
#[path = "../../../chapters/ch15-en-ligne/src/store.rs"]
mod store;
#[path = "../../../chapters/ch15-en-ligne/src/tabs.rs"]
mod tabs;
#[path = "../../../chapters/ch15-en-ligne/src/users.rs"]
mod users;
#[path = "../../../chapters/ch15-en-ligne/src/web.rs"]
mod web;

use std::process::ExitCode;
use std::sync::Arc;

use socketioxide::handler::ConnectHandler;
use support::in_order;

// Les modules repris des chapitres 12 à 14 et les types de Socket.IO
// qu'ils nomment par `crate::` (`reused.rs`) : ici comme chez eux.
use reused::*;
use session::check_session;

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

    let ns = io.ns("/", in_order(connection::on_connect).with(check_session));
    // Avec `.with(a).with(b)`, `b` passe en premier (chapitre 14).
    let moderators = in_order(admin::on_connect).with(admin::check_moderator);
    let admin = io.ns("/admin", moderators.with(check_session));
    tokio::try_join!(ns, admin)
        .map_err(|e| format!("abonnement aux canaux Redis impossible ({e})."))?;
    chat.feed.spawn(io.clone(), chat.store.clone());
    presence::spawn_watch(io.clone(), chat.clone());

    // Les pages et les routes HTTP sont dans `web.rs`.
    // TODO (exercice 15) : la route GET /api/online, pour une personne
    // connectée.
    let app = web::routes(&chat, io.clone(), redis)?.layer(layer);
    Ok(support::listen_with(app, io).await)
}
