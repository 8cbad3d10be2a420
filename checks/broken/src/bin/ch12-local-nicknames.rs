//! Chapitre 12 cassé : l'étudiant branche bien l'adaptateur Redis, mais
//! garde le registre des pseudos du chapitre 9, en mémoire. Chaque
//! processus n'y voit que ses propres clients : « Alice », prise sur le
//! port 3000, est acceptée sur le port 3001.

/// L'adaptateur et le pilote Redis du chapitre 12, tels quels (son
/// registre des pseudos ne sert pas : c'est l'erreur de cette variante).
#[path = "../../../../chapters/ch12-cluster/src/cluster/mod.rs"]
#[allow(dead_code, unused_imports)]
mod cluster;
/// Le registre du chapitre 9, tel quel.
#[path = "../../../../chapters/ch09-pseudos/src/registry.rs"]
#[allow(dead_code)]
mod registry;

use std::process::ExitCode;
use std::sync::Arc;

use axum::Router;
use serde_json::{Value as Json, json};
use socketioxide::extract::{State, TryData};
use socketioxide::handler::ConnectHandler;
use support::{Checked, NicknameError, Text, in_order};
use tower_http::services::ServeDir;

use cluster::{ClusterIo, ClusterSocket};
use registry::Nicknames;

/// L'état du serveur : le registre du chapitre 9, en mémoire.
type Names = Arc<Nicknames>;

async fn check_nickname(
    socket: ClusterSocket,
    io: ClusterIo,
    State(names): State<Names>,
    TryData(auth): TryData<Json>,
) -> Result<(), NicknameError> {
    let checked = support::nickname_from_auth(auth.ok().as_ref())
        .and_then(|pseudo| names.claim(&pseudo, socket.id, |sid| io.get_socket(sid).is_some()));
    if let Err(refusal) = &checked {
        println!("Connexion refusée : {}", refusal.reason());
    }
    checked
}

async fn on_connect(socket: ClusterSocket, io: ClusterIo, State(names): State<Names>) {
    // `in_order` : les messages d'un client passent dans leur ordre
    // d'arrivée, même quand la publication dans Redis se fait attendre.
    socket.on("new message", in_order(on_message));
    socket.on_disconnect(in_order(leave));
    let pseudo = names.of(socket.id).unwrap_or_default();
    println!("{pseudo} vient de se connecter ({})", socket.id);
    socket.broadcast().emit("user joined", &pseudo).await.ok();
    io.emit("online", &names.online()).await.ok();
}

async fn on_message(
    socket: ClusterSocket,
    State(names): State<Names>,
    Checked(msg): Checked<Text>,
) {
    let Ok(Text(msg)) = msg else {
        return;
    };
    println!("message: {msg}");
    let from = names.of(socket.id).unwrap_or_default();
    socket
        .broadcast()
        .emit("new message", &json!({ "from": from, "text": msg }))
        .await
        .ok();
}

async fn leave(socket: ClusterSocket, State(names): State<Names>) {
    let Some(pseudo) = names.release(socket.id) else {
        return;
    };
    println!("{pseudo} s'est déconnecté");
    socket.broadcast().emit("user left", &pseudo).await.ok();
    socket
        .broadcast()
        .emit("online", &names.online())
        .await
        .ok();
}

#[tokio::main]
async fn main() -> ExitCode {
    let (layer, io, _redis) = match cluster::connect_with_state(Names::default()).await {
        Ok(cluster) => cluster,
        Err(message) => {
            eprintln!("Erreur : {message}");
            return ExitCode::FAILURE;
        }
    };
    if io
        .ns("/", in_order(on_connect).with(check_nickname))
        .await
        .is_err()
    {
        return ExitCode::FAILURE;
    }
    let app = Router::new()
        .nest_service("/commun", ServeDir::new(support::client_dir("commun")))
        .fallback_service(ServeDir::new(support::client_dir("ch09-pseudos")))
        .layer(layer);
    support::listen_with(app, io).await
}
