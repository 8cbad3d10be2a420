//! ch05 où `socket.broadcast().emit` est devenu `io.emit` : l'émetteur
//! reçoit son propre message.
use support::{SocketIo, SocketRef, Text, in_order};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let (layer, io) = support::socket_io();
    io.ns(
        "/",
        in_order(async |socket: SocketRef| {
            println!("Un client vient de se connecter");
            socket.on(
                "new message",
                in_order(async |io: SocketIo, Text(msg): Text| {
                    println!("message: {msg}");
                    io.emit("new message", &msg).await.ok();
                }),
            );
        }),
    );
    support::listen_with(broken_chapters::app("ch05-broadcast", layer), io).await
}
