//! Un évènement que le client émet dès la confirmation de connexion arrive
//! à son gestionnaire, même quand le gestionnaire de connexion n'a pas
//! encore enregistré son `socket.on(…)` (voir `support/src/early.rs`).
//!
//! Le gestionnaire de connexion de ce test dort 300 ms avant son
//! `socket.on` : c'est ce qui arrive, en bien plus court, quand le système
//! retire le cœur au fil qui installe la connexion juste après l'envoi de la
//! confirmation (vu une fois en CI : un message perdu sans un mot).

use std::time::Duration;

use futures_util::FutureExt;
use rust_socketio::asynchronous::ClientBuilder;
use rust_socketio::{Event, Payload, TransportType};
use serde_json::json;
use socketioxide::handler::ConnectHandler;
use support::{SocketRef, Text, in_order};
use tokio::sync::mpsc;

/// Démarre un serveur sur un port libre ; rend son adresse.
async fn server(path: &'static str) -> String {
    let (layer, io) = support::socket_io();
    let on_connect = in_order(async |socket: SocketRef| {
        std::thread::sleep(Duration::from_millis(300));
        socket.on(
            "hello",
            in_order(async |socket: SocketRef, Text(text): Text| {
                socket.emit("echo", &text).ok();
            }),
        );
    });
    // Sans middleware, avec un, avec deux : trois chemins différents.
    let pass = async || Ok::<(), std::convert::Infallible>(());
    match path {
        "sans middleware" => io.ns("/", on_connect),
        "avec un middleware" => io.ns("/", on_connect.with(pass)),
        _ => io.ns("/", on_connect.with(pass).with(pass)),
    }
    let app = axum::Router::new().layer(layer);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("un port libre");
    let address = listener.local_addr().expect("l'adresse du port");
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{address}")
}

/// Se connecte, émet « hello » dans le rappel « connect », attend « echo ».
async fn echo_after_connect(url: &str, transport: TransportType) -> Option<String> {
    let (tx, mut echoes) = mpsc::unbounded_channel();
    let client = ClientBuilder::new(url)
        .transport_type(transport)
        .reconnect(false)
        .on(Event::Connect, |_, client| {
            async move {
                client.emit("hello", json!("dès la connexion")).await.ok();
            }
            .boxed()
        })
        .on("echo", move |payload, _| {
            if let Payload::Text(args) = payload {
                tx.send(args[0].as_str().unwrap_or_default().to_owned())
                    .ok();
            }
            async {}.boxed()
        })
        .connect()
        .await
        .expect("le client se connecte");
    let echo = tokio::time::timeout(Duration::from_secs(5), echoes.recv())
        .await
        .ok()
        .flatten();
    client.disconnect().await.ok();
    echo
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn un_evenement_emis_des_la_connexion_arrive_a_son_gestionnaire() {
    for path in [
        "sans middleware",
        "avec un middleware",
        "avec deux middlewares",
    ] {
        let url = server(path).await;
        for (transport, label) in [
            (TransportType::Websocket, "WebSocket"),
            (TransportType::Polling, "long-polling"),
        ] {
            let echo = echo_after_connect(&url, transport).await;
            assert_eq!(
                echo.as_deref(),
                Some("dès la connexion"),
                "« hello » émis dès la connexion ({path}, {label}) : \
                 pas de réponse, l'évènement a été perdu"
            );
        }
    }
}
