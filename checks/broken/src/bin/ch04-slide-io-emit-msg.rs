//! ch04 tel que l'écrit le diaporama : `io.emit(msg)`. Le message devient
//! le *nom* de l'évènement ; la page, qui écoute `new message`, ne reçoit rien.
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
                    io.emit(msg.as_str(), &()).await.ok();
                }),
            );
        }),
    );
    support::listen_with(broken_chapters::app("ch04-io-emit", layer), io).await
}
