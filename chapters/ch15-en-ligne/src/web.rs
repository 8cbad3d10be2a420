//! Ce que le chat sert en HTTP : l'API des comptes (chapitre 13), les
//! routes de l'exploitation (`ops.rs`), et les pages.
//!
//! Trois pages, chacune dans son dossier de `client/` : le chat de ce
//! chapitre, le formulaire du compte du chapitre 13 et la page des
//! modérateurs du chapitre 14, reprises sans copie.

// ANCHOR: all
use axum::Router;
use tower_http::services::ServeDir;

use crate::cluster::RedisBus;
use crate::{Chat, SocketIo, accounts, ops};

/// Le `Router` du chat, sans la couche Socket.IO que `main` y pose.
pub fn routes(chat: &Chat, io: SocketIo, redis: RedisBus) -> Result<Router, String> {
    let api = accounts::routes(chat.store.clone(), io)?;
    let ops = ops::routes(
        chat.store.clone(),
        redis,
        chat.presence.clone(),
        chat.metrics.clone(),
    );
    let pages = |chapter| ServeDir::new(support::client_dir(chapter));
    Ok(Router::new()
        .merge(api)
        .merge(ops)
        .nest_service("/commun", pages("commun"))
        .nest_service("/comptes", pages("ch13-comptes"))
        .nest_service("/moderation", pages("ch14-moderation"))
        .fallback_service(pages("ch15-en-ligne")))
}
// ANCHOR_END: all
