//! ch06 sans le gestionnaire `on_disconnect` : rien n'est affiché quand un
//! client part.
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use socketioxide::extract::State;
use support::{SocketRef, Text, in_order};

type Clients = Arc<AtomicUsize>;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let clients: Clients = Arc::new(AtomicUsize::new(0));
    let (layer, io) = support::socket_io_with_state(clients);
    io.ns(
        "/",
        in_order(async |socket: SocketRef, State(clients): State<Clients>| {
            println!("Un client vient de se connecter. Son ID : {}", socket.id);
            println!("Adresse IP du client : {}", support::client_ip(&socket));
            let count = clients.fetch_add(1, Ordering::SeqCst) + 1;
            println!("#clients connectés : {count}");
            socket.on(
                "new message",
                in_order(async |socket: SocketRef, Text(msg): Text| {
                    println!("message: {msg}");
                    socket.broadcast().emit("new message", &msg).await.ok();
                }),
            );
        }),
    );
    support::listen_with(broken_chapters::app("ch06-clients", layer), io).await
}
