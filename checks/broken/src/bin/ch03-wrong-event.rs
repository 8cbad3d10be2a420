//! ch03 qui écoute `new-message` alors que la page émet `new message`.
use support::{SocketRef, Text, in_order};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let (layer, io) = support::socket_io();
    io.ns(
        "/",
        in_order(async |socket: SocketRef| {
            println!("Un client vient de se connecter");
            socket.on(
                "new-message",
                in_order(async |Text(msg): Text| {
                    println!("message: {msg}");
                }),
            );
        }),
    );
    support::listen_with(broken_chapters::app("ch03-emit", layer), io).await
}
