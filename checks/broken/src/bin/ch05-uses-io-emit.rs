//! ch05 où `socket.broadcast().emit` est devenu `io.emit` : l'émetteur
//! reçoit son propre message.
use support::{SocketIo, SocketRef, Text};

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::process::ExitCode {
    let (layer, io) = support::socket_io();
    io.ns("/", async |socket: SocketRef| {
        println!("Un client vient de se connecter");
        socket.on("new message", async |io: SocketIo, Text(msg): Text| {
            println!("message: {msg}");
            io.emit("new message", &msg).await.ok();
        });
    });
    support::listen_with(broken_chapters::app("ch05-broadcast", layer), io).await
}
