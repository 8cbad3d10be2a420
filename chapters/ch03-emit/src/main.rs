//! # Chapitre 3 : du client au serveur
//!
//! Le formulaire de la page émet l'évènement `new message` avec le texte
//! saisi ; le serveur l'écoute et l'affiche dans le terminal.
//!
//! Lancer : `cargo run -p ch03-emit`, puis ouvrir <http://localhost:3000>.
//!
//! À essayer : tapez un message, cliquez sur « Envoyer » (ou appuyez sur
//! Entrée) : le champ se vide, la page ne se recharge pas, et le terminal
//! affiche `message: …`.

// ANCHOR: all
use axum::Router;
use support::{SocketRef, Text, in_order};
use tower_http::services::ServeDir;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let (layer, io) = support::socket_io();

    // ANCHOR: connection
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
                }),
            );

            // Écouter d'abord : quand ce gestionnaire commence, le client
            // sait déjà qu'il est connecté, et son premier message peut
            // arriver, sur un autre cœur. Il attend que ce gestionnaire
            // atteigne son premier `.await` (ici, sa fin), puis trouve son
            // `socket.on` en place.
            println!("Un client vient de se connecter");
        }),
    );
    // ANCHOR_END: connection

    let app = Router::new()
        .fallback_service(ServeDir::new(support::client_dir("ch03-emit")))
        .layer(layer);

    support::listen_with(app, io).await
}
// ANCHOR_END: all
