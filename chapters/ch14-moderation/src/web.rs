//! Ce que le chat sert en HTTP : l'API des comptes du chapitre 13, et les
//! pages, chacune dans son dossier de `client/`. La page du chat est celle
//! du chapitre 13, reprise sans copie ; celle des modérateurs est sous
//! `/moderation/`.

// ANCHOR: all
use axum::Router;
use tower_http::services::ServeDir;

use crate::store::Store;
use crate::{SocketIo, accounts};

/// Le `Router` du chat, sans la couche Socket.IO que `main` y pose.
pub fn routes(store: Store, io: SocketIo) -> Result<Router, String> {
    let api = accounts::routes(store, io)?;
    let pages = |chapter| ServeDir::new(support::client_dir(chapter));
    Ok(Router::new()
        .merge(api)
        .nest_service("/commun", pages("commun"))
        .nest_service("/moderation", pages("ch14-moderation"))
        .fallback_service(pages("ch13-comptes")))
}
// ANCHOR_END: all
