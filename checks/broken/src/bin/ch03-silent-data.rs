//! ch03 avec `Data<String>` au lieu de `Text` : une donnée qui n'est pas un
//! texte disparaît sans un mot.
use socketioxide::extract::Data;
use support::SocketRef;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let (layer, io) = support::socket_io();
    io.ns("/", async |socket: SocketRef| {
        println!("Un client vient de se connecter");
        socket.on("new message", async |Data(msg): Data<String>| {
            println!("message: {msg}");
        });
    });
    support::listen_with(broken_chapters::app("ch03-emit", layer), io).await
}
