//! Le chapitre 5 (`ch05-broadcast`) tel qu'un étudiant l'écrirait sans le
//! cours : `#[tokio::main]` (plusieurs fils d'exécution), socketioxide seul
//! avec son adaptateur par défaut, et un gestionnaire `async` ordinaire.
//!
//! `cargo xtask bench` le mesure à côté du chapitre : deux messages d'un même
//! client peuvent y être traités en même temps sur deux cœurs, et se
//! doubler. Le désordre compté dans l'annexe montre que la garantie d'ordre
//! du chapitre vient de sa conception, pas de la chance.
//!
//! Même contrat de lancement que les chapitres : `PORT` (0 = un port libre),
//! `HOST`, et la ligne « Adresse du serveur : … » une fois en écoute.

use axum::Router;
use socketioxide::SocketIo;
use socketioxide::extract::{Data, SocketRef};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let (layer, io) = SocketIo::new_layer();

    io.ns("/", async |socket: SocketRef| {
        println!("Un client vient de se connecter");

        socket.on(
            "new message",
            async |socket: SocketRef, Data(msg): Data<String>| {
                println!("message: {msg}");
                socket.broadcast().emit("new message", &msg).await.ok();
            },
        );
    });

    let app = Router::new().layer(layer);

    let host = std::env::var("HOST").unwrap_or_else(|_| "127.0.0.1".to_owned());
    let port = std::env::var("PORT").unwrap_or_else(|_| "3000".to_owned());
    let listener = match tokio::net::TcpListener::bind(format!("{host}:{port}")).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("Erreur : impossible d'écouter sur {host}:{port} ({e}).");
            return std::process::ExitCode::FAILURE;
        }
    };
    let port = listener.local_addr().map(|a| a.port()).unwrap_or_default();
    println!("Adresse du serveur : http://localhost:{port}");
    match axum::serve(listener, app).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("Erreur : {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
