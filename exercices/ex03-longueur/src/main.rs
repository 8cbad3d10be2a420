//! # Exercice 3 (chapitre ch03-emit)
//!
//! Ce crate est une copie du serveur du chapitre : le chapitre lui-même reste
//! intact. Après la ligne `message: …`, faites afficher la longueur du
//! message : `4 caractères, 5 octets` pour « café », `1 caractère, 2 octets`
//! pour « é ».
//!
//! Vérifier : `cargo xtask exercices ex03` ; un indice :
//! `cargo xtask exercices --indice ex03` ; tout effacer et repartir de
//! l'original : `cargo xtask exercices --recommencer ex03`.

use axum::Router;
use support::{SocketRef, Text, in_order};
use tower_http::services::ServeDir;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let (layer, io) = support::socket_io();

    // `in_order` : Node n'a qu'un fil, donc les évènements d'un client y
    // passent un par un, dans l'ordre d'arrivée. Ici tokio se sert de tous
    // les cœurs : `in_order` range chaque évènement dans la file de son
    // client. La connexion passe la première : un message arrivé pendant
    // qu'elle s'exécute attend qu'elle ait fini.
    io.ns(
        "/",
        in_order(async |socket: SocketRef| {
            // `socket.on('new message', (msg) => { … })` : le nom de
            // l'évènement doit être exactement celui qu'émet le client. `Text`
            // n'accepte qu'un texte : toute autre donnée est signalée dans le
            // terminal. `in_order`, encore : les messages s'affichent dans
            // l'ordre où le client les a envoyés.
            socket.on(
                "new message",
                in_order(async |Text(msg): Text| {
                    println!("message: {msg}");
                    // TODO (exercice 3) : afficher « 4 caractères, 5 octets »
                    // pour « café ».
                }),
            );

            // Écouter d'abord, afficher ensuite : quand ce gestionnaire
            // commence, le client sait déjà qu'il est connecté, et son premier
            // message peut arriver, sur un autre cœur, pendant que l'on écrit
            // dans le terminal. Il trouve alors son `socket.on` en place.
            println!("Un client vient de se connecter");
        }),
    );

    let app = Router::new()
        .fallback_service(ServeDir::new(support::client_dir("ch03-emit")))
        .layer(layer);

    support::listen_with(app, io).await
}
