//! # Chapitre 11 : l'historique
//!
//! Le chat du chapitre 8, dont les messages survivent : chacun est écrit
//! dans un fichier SQLite (`chat.db`) avant d'être envoyé à tous. Une page
//! qui se (re)connecte dit le dernier numéro qu'elle a vu (`serverOffset`) ;
//! le serveur lui renvoie ce qu'elle a manqué. Un message renvoyé par le
//! client (`retries`) porte le même `clientOffset` : il n'est gardé qu'une
//! fois.
//!
//! Lancer : `cargo run -p ch11-historique`, puis ouvrir
//! <http://localhost:3000> dans deux onglets.
//!
//! Le serveur tient en quatre fichiers, un sujet chacun :
//! - ce `main.rs` : l'assemblage, et ce que fait une connexion ;
//! - `store.rs` : la base SQLite (ouvrir, enregistrer, relire) ;
//! - `history.rs` : l'historique qu'une page n'a pas vu, à sa connexion ;
//! - `messages.rs` : un nouveau message, enregistré, envoyé à tous, accusé.
//!
//! À essayer : envoyez quelques messages, arrêtez le serveur, relancez-le,
//! rechargez la page : l'historique est là.

// ANCHOR: all
mod history;
mod messages;
mod store;

use std::process::ExitCode;
use std::sync::Arc;

use axum::Router;
use serde_json::Value as Json;
use socketioxide::extract::{State, TryData};
use support::{SocketRef, in_order};
use tower_http::services::ServeDir;

use store::Store;

#[tokio::main]
async fn main() -> ExitCode {
    // ANCHOR: open
    // Le port d'abord : s'il est pris, on s'arrête avant d'avoir créé la
    // base (`listen_with`, plus bas, écoute sur ce port).
    if let Err(why) = support::reserve_port() {
        eprintln!("Erreur\u{a0}: {why}");
        return ExitCode::FAILURE;
    }
    let path = store::path_from_env();
    let store = match Store::open(&path) {
        Ok(store) => store,
        Err(why) => {
            eprintln!("Erreur\u{a0}: {why}");
            return ExitCode::FAILURE;
        }
    };
    // ANCHOR_END: open

    // ANCHOR: state
    // La base est l'état du serveur, comme le compteur du chapitre 6 :
    // chaque gestionnaire qui en a besoin la demande par `State<Arc<Store>>`.
    let store = Arc::new(store);
    let (layer, io) = support::socket_io_with_state(Arc::clone(&store));
    // ANCHOR_END: state

    // `in_order` (chapitre 3) : pour chaque client, la connexion (et son
    // historique) d'abord, puis ses messages dans leur ordre d'arrivée.
    io.ns("/", in_order(on_connect));

    let app = Router::new()
        .nest_service("/commun", ServeDir::new(support::client_dir("commun")))
        .fallback_service(ServeDir::new(support::client_dir("ch11-historique")))
        .layer(layer);

    // ANCHOR: close
    let code = support::listen_with(app, io).await;
    // Le serveur est arrêté (Ctrl+C) : fermer la base reporte son journal
    // dans `chat.db`, que l'on peut alors copier seul.
    store.close().await;
    code
    // ANCHOR_END: close
}

// ANCHOR: connection
/// Une connexion : d'abord l'historique qu'elle n'a pas vu (`history.rs`),
/// puis ses nouveaux messages (`messages.rs`).
async fn on_connect(
    socket: SocketRef,
    State(store): State<Arc<Store>>,
    TryData(auth): TryData<Json>,
) {
    // D'abord écouter (avant tout `.await`, et même avant d'afficher) : un
    // message que le client envoie dès sa connexion n'est pas perdu ; il
    // attendra son tour.
    socket.on("new message", in_order(messages::on_message));
    println!("Un client vient de se connecter");
    history::catch_up(&socket, &store, auth.ok().as_ref()).await;
}
// ANCHOR_END: connection

// ANCHOR_END: all
