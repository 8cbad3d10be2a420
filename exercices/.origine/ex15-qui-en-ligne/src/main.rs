//! # Exercice 15 (chapitre ch15-en-ligne)
//!
//! Ce crate est une copie du serveur du chapitre : le chapitre lui-même
//! reste intact. Ajoutez la route `GET /api/online` : pour une personne
//! connectée (cookie de session valable), 200 et `{ "online": [pseudos] }`,
//! la liste « En ligne » de tout le chat ; sans session valable, 401 et
//! `{ "error": <phrase en français> }`.
//!
//! Vérifier : `cargo xtask exercices ex15` ; un indice :
//! `cargo xtask exercices --indice ex15` ; tout effacer et repartir de
//! l'original : `cargo xtask exercices --recommencer ex15`.

// Les autres modules sont ceux du chapitre, lus là où ils sont
// (`#[path]`, comme au chapitre 10) : seul ce fichier-ci est à modifier.

// ANCHOR: all
#[path = "../../../chapters/ch13-comptes/src/accounts.rs"]
mod accounts;
#[path = "../../../chapters/ch15-en-ligne/src/admin.rs"]
mod admin;
// Le dossier `cluster/` du chapitre 12, repris tel quel : l'adaptateur
// et le pilote Redis. Son registre des pseudos ne sert pas ici (la
// présence est dans `presence.rs`).
#[allow(dead_code, unused_imports)]
#[path = "../../../chapters/ch12-cluster/src/cluster/mod.rs"]
mod cluster;
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
#[path = "../../../chapters/ch13-comptes/src/login.rs"]
mod login;
#[path = "../../../chapters/ch15-en-ligne/src/logs.rs"]
mod logs;
#[path = "../../../chapters/ch15-en-ligne/src/messages.rs"]
mod messages;
// Du chapitre 14, les règles servent ici, mais pas leur mémoire : silences
// et débit se gardent dans la base (`mutes.rs`, `flood.rs`).
#[allow(dead_code)]
#[path = "../../../chapters/ch14-moderation/src/moderation.rs"]
mod moderation;
#[path = "../../../chapters/ch15-en-ligne/src/mutes.rs"]
mod mutes;
#[path = "../../../chapters/ch15-en-ligne/src/ops.rs"]
mod ops;
#[path = "../../../chapters/ch13-comptes/src/passwords.rs"]
mod passwords;
#[path = "../../../chapters/ch15-en-ligne/src/presence.rs"]
mod presence;
#[path = "../../../chapters/ch13-comptes/src/private.rs"]
mod private;
#[path = "../../../chapters/ch13-comptes/src/session.rs"]
mod session;
#[path = "../../../chapters/ch15-en-ligne/src/store.rs"]
mod store;
#[path = "../../../chapters/ch15-en-ligne/src/tabs.rs"]
mod tabs;
#[path = "../../../chapters/ch13-comptes/src/throttle.rs"]
mod throttle;
#[path = "../../../chapters/ch15-en-ligne/src/users.rs"]
mod users;
#[path = "../../../chapters/ch15-en-ligne/src/web.rs"]
mod web;

use std::process::ExitCode;
use std::sync::Arc;

use serde_json::Value as Json;
use socketioxide::extract::{State, TryData};
use socketioxide::handler::ConnectHandler;
use support::in_order;

// Les modules repris des chapitres 13 et 14 nomment ces types par
// `crate::` : ici, ce sont ceux de l'adaptateur Redis (chapitre 12).
use cluster::{ClusterAck as AckSender, ClusterIo as SocketIo, ClusterSocket as SocketRef};
use feed::Feed;
use moderation::Moderation;
use ops::Metrics;
use presence::Presence;
use store::{Account, Store};

// ANCHOR: state
/// L'état partagé : celui du chapitre 14, plus le fil des messages et les
/// compteurs.
#[derive(Clone)]
pub struct Chat {
    store: Store,
    presence: Arc<Presence>,
    moderation: Arc<Moderation>,
    feed: Feed,
    metrics: Arc<Metrics>,
    /// La dernière liste envoyée aux pages de modération de ce processus.
    admin_list: Arc<tokio::sync::Mutex<Option<Vec<Json>>>>,
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
    let store = Store::connect().await?;
    let chat = Chat {
        store: store.clone(),
        presence: Arc::default(),
        moderation: Arc::new(Moderation::from_env()?),
        feed: Feed::default(),
        metrics: Arc::default(),
        admin_list: Arc::default(),
    };
    let (layer, io, redis) = cluster::connect_with_state(chat.clone()).await?;
    // ANCHOR_END: setup

    // ANCHOR: ns
    let ns = io.ns("/", in_order(on_connect).with(session::check_session));
    // Avec `.with(a).with(b)`, `b` passe en premier (chapitre 14).
    let moderators = io.ns(
        "/admin",
        in_order(admin::on_connect)
            .with(admin::check_moderator)
            .with(session::check_session),
    );
    tokio::try_join!(ns, moderators)
        .map_err(|e| format!("abonnement aux canaux Redis impossible ({e})."))?;
    chat.feed.spawn(io.clone(), store);
    presence::spawn_watch(io.clone(), chat.clone());
    // ANCHOR_END: ns

    // ANCHOR: router
    // Les pages et les routes HTTP sont dans `web.rs`.
    let app = web::routes(&chat, io.clone(), redis)?.layer(layer);
    // ANCHOR_END: router
    Ok(support::listen_with(app, io).await)
}

// ANCHOR: connection
/// Une connexion : écouter d'abord, puis l'historique manqué (`feed.rs`),
/// puis la présence.
async fn on_connect(
    socket: SocketRef,
    io: SocketIo,
    State(chat): State<Chat>,
    TryData(auth): TryData<Json>,
) {
    // Le compte, rangé par `check_session` (un extracteur de moins : la
    // connexion en reçoit déjà quatre).
    let Some(account) = socket.extensions.get::<Account>() else {
        return;
    };
    socket.on("new message", in_order(messages::on_message));
    socket.on("private message", in_order(messages::on_private_message));
    socket.on("typing", in_order(private::on_typing));
    socket.on_disconnect(in_order(tabs::leave));
    chat.feed
        .catch_up(&socket, &chat.store, auth.ok().as_ref())
        .await;
    tabs::arrive(&socket, &io, &chat, &account).await;
}
// ANCHOR_END: connection

// ANCHOR_END: all
