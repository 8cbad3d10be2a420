//! # Exercice 7 (chapitre ch07-rooms)
//!
//! Ce crate est une copie du serveur du chapitre : le chapitre lui-même reste
//! intact. Quand un client entre dans un salon, prévenez les autres membres de
//! ce salon : (salon, « Un client vient d'entrer »), rien pour celui qui entre.
//!
//! Vérifier : `cargo xtask exercices ex07` ; un indice :
//! `cargo xtask exercices --indice ex07` ; tout effacer et repartir de
//! l'original : `cargo xtask exercices --recommencer ex07`.

use axum::Router;
use support::{Room, RoomMessage, SocketIo, SocketRef, in_order};
use tower_http::services::ServeDir;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let (layer, io) = support::socket_io();

    // Ce que fait chaque connexion (le `io.on('connection', (socket) => …)`
    // du diaporama) : la closure a grandi, on la nomme, puis on l'inscrit
    // (`io.ns`, plus bas). `in_order` (chapitre 3) : un `join` puis un
    // message passent dans cet ordre.
    let on_connection = in_order(async |socket: SocketRef| {
        // Écouter d'abord (chapitre 3). `Room` n'accepte qu'un nom de
        // salon valide : un texte non vide d'au plus 64 caractères.
        socket.on(
            "join",
            in_order(async |socket: SocketRef, Room(room)| {
                socket.join(room);
                print_rooms(&socket);
                // TODO (exercice 7) : prévenir les autres membres du salon avec
                // (salon, « Un client vient d'entrer »).
            }),
        );

        socket.on(
            "leave",
            in_order(async |socket: SocketRef, Room(room)| {
                socket.leave(room);
                print_rooms(&socket);
            }),
        );

        // `io.to(room).emit(…)` : à tous les membres du salon, émetteur
        // compris s'il en est membre. On renvoie le salon avec le texte
        // pour que la page sache d'où vient le message.
        socket.on(
            "new message",
            in_order(async |io: SocketIo, RoomMessage { room, text }| {
                println!("message pour {room} : {text}");
                io.to(room.clone())
                    .emit("new message", &(room, text))
                    .await
                    .ok();
            }),
        );

        println!("Un client vient de se connecter. Son ID : {}", socket.id);
        // `socket.join('room1')` : chaque nouveau client entre dans room1.
        socket.join("room1");
        print_rooms(&socket);
    });
    io.ns("/", on_connection);

    let client = ServeDir::new(support::client_dir("ch07-rooms"));
    let app = Router::new().fallback_service(client).layer(layer);

    support::listen_with(app, io).await
}

/// `console.log(socket.rooms)` : les salons dont le client est membre.
/// Différence avec Node : socketioxide ne compte pas l'identifiant du client
/// parmi ses salons.
fn print_rooms(socket: &SocketRef) {
    let mut rooms = socket.rooms();
    rooms.sort();
    println!("Rooms de {} : {}", socket.id, rooms.join(", "));
}
