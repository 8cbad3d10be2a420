//! ch01 qui écoute lui-même et annonce son adresse à sa façon, sans la
//! ligne attendue.
use axum::Router;
use tower_http::services::ServeDir;

#[tokio::main]
async fn main() {
    let app = Router::new().fallback_service(ServeDir::new(support::client_dir("ch01-static")));
    let Ok(listener) = tokio::net::TcpListener::bind("127.0.0.1:0").await else {
        return;
    };
    if let Ok(addr) = listener.local_addr() {
        println!("Listening on {addr}");
    }
    axum::serve(listener, app).await.ok();
}
