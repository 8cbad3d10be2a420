//! # Exercice 11 (chapitre ch11-historique)
//!
//! Ce crate est une copie du serveur du chapitre : le chapitre lui-même reste
//! intact. Ajoutez l'évènement `history` : le client envoie un numéro `before`
//! (`socket.emitWithAck('history', 26)`), le serveur répond par l'accusé avec
//! les 20 messages qui précèdent ce numéro, du plus ancien au plus récent,
//! chacun comme `[texte, numéro]` : de quoi faire un bouton « Messages plus
//! anciens ».
//!
//! Vérifier : `cargo xtask exercices ex11` ; un indice :
//! `cargo xtask exercices --indice ex11` ; tout effacer et repartir de
//! l'original : `cargo xtask exercices --recommencer ex11`.

// Les modules que l'exercice ne vous donne pas sont ceux du chapitre, lus là où
// ils sont (`#[path]`, comme au chapitre 10).
#[path = "../../../chapters/ch11-historique/src/history.rs"]
mod history;
#[path = "../../../chapters/ch11-historique/src/messages.rs"]
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
    let path = store::path_from_env();
    let store = match Store::open(&path) {
        Ok(store) => store,
        Err(why) => {
            eprintln!("{why}");
            return ExitCode::FAILURE;
        }
    };

    // La base est l'état du serveur, comme le compteur du chapitre 6 :
    // chaque gestionnaire qui en a besoin la demande par `State<Arc<Store>>`.
    let (layer, io) = support::socket_io_with_state(Arc::new(store));

    // `in_order` (chapitre 3) : pour chaque client, la connexion (et son
    // historique) d'abord, puis ses messages dans leur ordre d'arrivée.
    io.ns("/", in_order(on_connect));

    let app = Router::new()
        .nest_service("/commun", ServeDir::new(support::client_dir("commun")))
        .fallback_service(ServeDir::new(support::client_dir("ch11-historique")))
        .layer(layer);

    support::listen_with(app, io).await
}

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
    // TODO (exercice 11) : écouter « history » (un numéro `before`) et répondre
    // par l'accusé avec les 20 messages d'avant, dans l'ordre.
    history::catch_up(&socket, &store, auth.ok().as_ref()).await;
}
