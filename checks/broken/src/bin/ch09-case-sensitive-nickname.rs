//! Chapitre 9 cassé : l'étudiant tient sa propre liste de pseudos et les
//! compare tels quels. « ALICE » entre alors que « Alice » est là.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex, PoisonError};

use axum::Router;
use serde_json::{Value as Json, json};
use socketioxide::extract::TryData;
use socketioxide::handler::ConnectHandler;
use socketioxide_core::Sid;
use support::{NicknameError, SocketRef, in_order};
use tower_http::services::ServeDir;

static TAKEN: LazyLock<Mutex<HashMap<String, Sid>>> = LazyLock::new(Mutex::default);

async fn check_nickname(
    socket: SocketRef,
    TryData(auth): TryData<Json>,
) -> Result<(), NicknameError> {
    let pseudo = support::nickname_from_auth(auth.ok().as_ref());
    let checked = pseudo.and_then(|pseudo| {
        let mut taken = TAKEN.lock().unwrap_or_else(PoisonError::into_inner);
        if taken.contains_key(&pseudo) {
            return Err(NicknameError::Taken(pseudo));
        }
        taken.insert(pseudo, socket.id);
        Ok(())
    });
    if let Err(refusal) = &checked {
        println!("Connexion refusée : {}", refusal.reason());
    }
    checked
}

fn online() -> Vec<String> {
    let mut list: Vec<String> = TAKEN
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .keys()
        .cloned()
        .collect();
    list.sort_by_key(|p| p.to_lowercase());
    list
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let (layer, io) = support::socket_io();
    let on_connect = async |socket: SocketRef, io: support::SocketIo| {
        let pseudo = TAKEN
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .find(|(_, sid)| **sid == socket.id)
            .map(|(p, _)| p.clone())
            .unwrap_or_default();
        println!("{pseudo} vient de se connecter ({})", socket.id);
        socket.on_disconnect(in_order(async |socket: SocketRef| {
            TAKEN
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .retain(|_, sid| *sid != socket.id);
            socket.broadcast().emit("online", &online()).await.ok();
        }));
        socket.broadcast().emit("user joined", &pseudo).await.ok();
        io.emit("online", &json!(online())).await.ok();
    };
    io.ns("/", in_order(on_connect).with(check_nickname));
    let app = Router::new()
        .fallback_service(ServeDir::new(support::client_dir("ch09-pseudos")))
        .layer(layer);
    support::listen_with(app, io).await
}
