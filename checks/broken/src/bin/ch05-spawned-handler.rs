//! ch05 passé sur le runtime multi-fil sans envelopper le gestionnaire de
//! message dans `in_order` : socketioxide lance chaque message dans sa
//! propre tâche, et deux tâches d'un même client peuvent s'exécuter sur deux
//! cœurs à la fois. Les messages d'un client se doublent en route.
use support::{SocketRef, Text, in_order};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let (layer, io) = support::socket_io();
    io.ns(
        "/",
        in_order(async |socket: SocketRef| {
            println!("Un client vient de se connecter");
            socket.on("new message", async |socket: SocketRef, Text(msg): Text| {
                println!("message: {msg}");
                socket.broadcast().emit("new message", &msg).await.ok();
            });
        }),
    );
    support::listen_with(broken_chapters::app("ch05-broadcast", layer), io).await
}
