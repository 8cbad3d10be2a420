//! Des chapitres volontairement cassés, chacun avec l'erreur qu'un étudiant
//! pourrait faire (`src/bin/`). Les tests (`tests/mistakes.rs`) lancent sur
//! eux les vérifications de `cargo xtask verify` et exigent un ✗ qui nomme
//! l'erreur en français.

use axum::Router;
use tower_http::services::ServeDir;

/// Le routeur d'un chapitre : son dossier client, plus la couche Socket.IO.
pub fn app(
    chapter: &str,
    layer: socketioxide::layer::SocketIoLayer<support::ReliableAdapter>,
) -> Router {
    Router::new()
        .fallback_service(ServeDir::new(support::client_dir(chapter)))
        .layer(layer)
}
