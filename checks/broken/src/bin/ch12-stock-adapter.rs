//! Chapitre 12 cassé : l'adaptateur Redis de socketioxide branché tel que
//! sa documentation le montre (`RedisAdapter` et son pilote), sans la
//! remise client par client du cours. Tout semble marcher ; mais un client
//! trop lent sur un processus manque en silence des messages venus d'un
//! autre : personne ne le déconnecte, personne ne le dit.
//!
//! Les pseudos ne sont pas vérifiés ici (ce n'est pas l'erreur montrée) :
//! chacun est un salon `pseudo:<nom>`, que `io.rooms()` voit sur tous les
//! processus, pour la liste « online ».

use std::process::ExitCode;

use axum::Router;
use serde_json::{Value as Json, json};
use socketioxide::adapter::Emitter;
use socketioxide::extract::{SocketRef, TryData};
use socketioxide::{SocketIo, SocketIoBuilder};
use socketioxide_redis::{RedisAdapter, RedisAdapterCtr};
use support::{Checked, Text, in_order};
use tower_http::services::ServeDir;

type Adapter = RedisAdapter<Emitter>;
type Io = SocketIo<Adapter>;
type Socket = SocketRef<Adapter>;

const PSEUDO_ROOM: &str = "pseudo:";

/// Le pseudo de `socket` : le nom de son salon `pseudo:…`.
fn pseudo(socket: &Socket) -> String {
    socket
        .rooms()
        .into_iter()
        .find_map(|room| room.strip_prefix(PSEUDO_ROOM).map(str::to_owned))
        .unwrap_or_default()
}

async fn online(io: &Io) -> Vec<String> {
    let mut names: Vec<String> = io
        .rooms()
        .await
        .unwrap_or_default()
        .into_iter()
        .filter_map(|room| room.strip_prefix(PSEUDO_ROOM).map(str::to_owned))
        .collect();
    names.sort_by_key(|name| name.to_lowercase());
    names
}

async fn on_connect(socket: Socket, io: Io, TryData(auth): TryData<Json>) {
    socket.on("new message", in_order(on_message));
    let name = support::nickname_from_auth(auth.ok().as_ref()).unwrap_or_default();
    socket.join(format!("{PSEUDO_ROOM}{name}"));
    println!("{name} vient de se connecter ({})", socket.id);
    socket.broadcast().emit("user joined", &name).await.ok();
    io.emit("online", &online(&io).await).await.ok();
}

async fn on_message(socket: Socket, Checked(msg): Checked<Text>) {
    let Ok(Text(msg)) = msg else {
        return;
    };
    println!("message: {msg}");
    let message = json!({ "from": pseudo(&socket), "text": msg });
    socket.broadcast().emit("new message", &message).await.ok();
}

#[tokio::main]
async fn main() -> ExitCode {
    let url = std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned());
    let Ok(client) = redis::Client::open(format!("{url}?protocol=resp3")) else {
        eprintln!("Erreur : REDIS_URL invalide ({url}).");
        return ExitCode::FAILURE;
    };
    let Ok(adapter) = RedisAdapterCtr::new_with_redis(&client).await else {
        eprintln!("Erreur : impossible de joindre Redis à l'adresse {url}.");
        return ExitCode::FAILURE;
    };
    let (layer, io) = SocketIoBuilder::new()
        .max_buffer_size(support::SEND_BUFFER_PACKETS)
        .with_adapter::<Adapter>(adapter)
        .build_layer();
    if io.ns("/", in_order(on_connect)).await.is_err() {
        return ExitCode::FAILURE;
    }
    let app = Router::new()
        .fallback_service(ServeDir::new(support::client_dir("ch09-pseudos")))
        .layer(layer);
    support::listen_with(app, io).await
}
