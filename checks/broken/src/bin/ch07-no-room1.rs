//! ch07 qui oublie `socket.join("room1")` à la connexion.
use support::{Room, SocketRef, in_order};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let (layer, io) = support::socket_io();
    io.ns(
        "/",
        in_order(async |socket: SocketRef| {
            println!("Un client vient de se connecter. Son ID : {}", socket.id);
            println!("Rooms de {} : {}", socket.id, socket.rooms().join(", "));
            socket.on(
                "join",
                in_order(async |socket: SocketRef, Room(room): Room| {
                    socket.join(room);
                }),
            );
        }),
    );
    support::listen_with(broken_chapters::app("ch07-rooms", layer), io).await
}
