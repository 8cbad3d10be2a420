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
#[path = "../../../chapters/ch15-en-ligne/src/feed.rs"]
mod feed;
// Du chapitre 14, seules les limites servent ici (longueur, débit) :
// l'espace de noms des modérateurs n'est pas encore passé à plusieurs
// processus.
#[allow(dead_code)]
#[path = "../../../chapters/ch14-moderation/src/moderation.rs"]
mod moderation;
#[path = "../../../chapters/ch15-en-ligne/src/ops.rs"]
mod ops;
#[path = "../../../chapters/ch15-en-ligne/src/presence.rs"]
mod presence;
#[path = "../../../chapters/ch13-comptes/src/private.rs"]
mod private;
#[path = "../../../chapters/ch13-comptes/src/session.rs"]
mod session;
#[path = "../../../chapters/ch15-en-ligne/src/store.rs"]
mod store;

use std::process::ExitCode;
use std::sync::Arc;

use axum::Router;
use serde_json::{Value as Json, json};
use socketioxide::extract::{Extension, State, TryData};
use socketioxide::handler::ConnectHandler;
// Les modules repris des chapitres 13 et 14 nomment ces types par
// `crate::` : ici, ce sont ceux de l'adaptateur Redis (chapitre 12).
use support::cluster::{
    ClusterAck as AckSender, ClusterIo as SocketIo, ClusterSocket as SocketRef,
};
use support::in_order;
use tower_http::services::ServeDir;

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
}
// ANCHOR_END: state

#[tokio::main]
async fn main() -> ExitCode {
    // ANCHOR: setup
    // La base d'abord, puis Redis : sans eux, pas de chat partagé.
    let store = match Store::connect().await {
        Ok(store) => store,
        Err(why) => return fail(&why),
    };
    let moderation = match Moderation::from_env() {
        Ok(moderation) => moderation,
        Err(why) => return fail(&why),
    };
    let chat = Chat {
        store: store.clone(),
        presence: Arc::default(),
        moderation: Arc::new(moderation),
        feed: Feed::default(),
        metrics: Arc::default(),
    };
    let (layer, io, redis) = match support::cluster::connect_with_state(chat.clone()).await {
        Ok(cluster) => cluster,
        Err(why) => return fail(&why),
    };
    // ANCHOR_END: setup

    // ANCHOR: ns
    let ns = io.ns("/", in_order(on_connect).with(session::check_session));
    if let Err(e) = ns.await {
        return fail(&format!("abonnement aux canaux Redis impossible ({e})."));
    }
    chat.feed.spawn(io.clone(), store.clone());
    presence::spawn_watch(io.clone(), chat.clone());
    // ANCHOR_END: ns

    // ANCHOR: router
    let api = match accounts::routes(store.clone(), io.clone()) {
        Ok(api) => api,
        Err(why) => return fail(&why),
    };
    let app = Router::new()
        .merge(api)
        .merge(ops::routes(
            store,
            redis,
            chat.presence.clone(),
            chat.metrics.clone(),
        ))
        .nest_service("/commun", ServeDir::new(support::client_dir("commun")))
        // Le formulaire du compte est celui du chapitre 13.
        .nest_service(
            "/comptes",
            ServeDir::new(support::client_dir("ch13-comptes")),
        )
        .fallback_service(ServeDir::new(support::client_dir("ch15-en-ligne")))
        .layer(layer);
    // ANCHOR_END: router

    support::listen_with(app, io).await
}

/// Une erreur de démarrage : une phrase, et un code de sortie non nul.
fn fail(why: &str) -> ExitCode {
    eprintln!("Erreur\u{a0}: {why}");
    ExitCode::FAILURE
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
    socket.on("new message", in_order(on_message));
    socket.on("private message", in_order(on_private_message));
    socket.on("typing", in_order(private::on_typing));
    socket.on_disconnect(in_order(presence::leave));
    chat.feed
        .catch_up(&socket, &chat.store, auth.ok().as_ref())
        .await;
    presence::arrive(&socket, &io, &chat, &account).await;
}
// ANCHOR_END: connection

// ANCHOR: message
/// `socket.emit('new message', texte, clientOffset)`, comme au chapitre 11 :
/// enregistré d'abord, accusé ensuite ; `feed.rs` l'envoie à toutes les
/// pages, l'auteur compris. Jamais d'accusé `{ id }` sans enregistrement.
async fn on_message(
    State(chat): State<Chat>,
    Extension(account): Extension<Account>,
    TryData(data): TryData<(Json, Json)>,
    ack: AckSender,
) {
    let reply = match write(&chat, &account, data).await {
        Ok(id) => json!({ "id": id }),
        Err(Refusal::Refused(why)) => {
            Metrics::count(&chat.metrics.refused);
            json!({ "error": why })
        }
        // `retry` : la page renverra le même message (même clientOffset).
        Err(Refusal::Unavailable) => {
            Metrics::count(&chat.metrics.failed);
            json!({ "error": "La base de données ne répond pas\u{a0}; nouvel essai dans un instant.", "retry": true })
        }
    };
    ack.send(&reply).ok();
}

/// Pourquoi un message n'est pas enregistré.
enum Refusal {
    /// Pour de bon : la raison, en français.
    Refused(String),
    /// Pour l'instant : la base ne répond pas.
    Unavailable,
}

async fn write(
    chat: &Chat,
    account: &Account,
    data: Result<(Json, Json), impl std::fmt::Debug>,
) -> Result<i64, Refusal> {
    let Ok((Json::String(text), Json::String(offset))) = data else {
        let why = "Message refusé\u{a0}: il faut deux textes, le message puis son identifiant (clientOffset).";
        println!(
            "Avertissement\u{a0}: «\u{a0}new message\u{a0}» de {} ignoré. {why}",
            account.pseudo
        );
        return Err(Refusal::Refused(why.to_owned()));
    };
    // Un renvoi d'un message déjà enregistré : le même numéro, rien d'autre
    // (et il ne compte pas dans la limite de débit).
    match chat.store.known(&offset).await {
        Ok(Some(id)) => return Ok(id),
        Ok(None) => {}
        Err(why) => {
            println!("Message de {} non enregistré\u{a0}: {why}", account.pseudo);
            return Err(Refusal::Unavailable);
        }
    }
    chat.moderation
        .allow(&account.key, &text)
        .map_err(Refusal::Refused)?;
    match chat
        .store
        .add_message(&offset, &account.pseudo, &text)
        .await
    {
        Ok(id) => {
            Metrics::count(&chat.metrics.stored);
            println!("message: {text}");
            Ok(id)
        }
        Err(why) => {
            println!("Message de {} non enregistré\u{a0}: {why}", account.pseudo);
            Err(Refusal::Unavailable)
        }
    }
}

/// Un message privé passe par les limites du chapitre 14, puis par le
/// chapitre 13 (l'adaptateur Redis le porte au bon processus).
async fn on_private_message(
    socket: SocketRef,
    State(chat): State<Chat>,
    Extension(account): Extension<Account>,
    support::Checked(msg): support::Checked<support::PrivateMessage>,
    ack: AckSender,
) {
    if let Ok(support::PrivateMessage { text, .. }) = &msg
        && let Err(why) = chat.moderation.allow(&account.key, text)
    {
        Metrics::count(&chat.metrics.refused);
        ack.send(&json!({ "error": why })).ok();
        return;
    }
    private::on_private_message(
        socket,
        State(chat),
        Extension(account),
        support::Checked(msg),
        ack,
    )
    .await;
}
// ANCHOR_END: message
// ANCHOR_END: all
