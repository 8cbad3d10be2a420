//! Le plafond de référence de `cargo xtask bench` : le même chat que
//! `ch05-broadcast` (chaque `new message` part vers tous les autres clients),
//! sans bibliothèque Socket.IO ni axum. Il parle juste assez d'Engine.IO v4 et
//! de Socket.IO v5 pour que le générateur de charge s'y connecte : paquet
//! `open`, connexion à `/`, puis il relaie le texte reçu tel quel, encodé une
//! seule fois, à chaque autre client (une file bornée par client, comme
//! socketioxide ; un client dont la file est pleine est déconnecté).
//!
//! Ce n'est pas un serveur de chat utilisable : pas de ping, pas de
//! long-polling, pas de vérification des données. C'est la vitesse du
//! transport seul, pour savoir ce que coûte la pile Socket.IO.

use std::collections::HashMap;
use std::process::ExitCode;
use std::sync::{Arc, Mutex, PoisonError};

use futures_util::{SinkExt, StreamExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};

/// Paquets en attente d'envoi par client, comme `SEND_BUFFER_PACKETS` des
/// chapitres.
const SEND_BUFFER_PACKETS: usize = 8_192;

type Peers = Arc<Mutex<HashMap<u64, mpsc::Sender<Utf8Bytes>>>>;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let port: u16 = match std::env::var("PORT").map(|p| p.parse()) {
        Err(_) => 3000,
        Ok(Ok(p)) => p,
        Ok(Err(_)) => {
            eprintln!("Erreur : PORT doit être un numéro de port.");
            return ExitCode::FAILURE;
        }
    };
    let host = std::env::var("HOST").unwrap_or_else(|_| "127.0.0.1".to_owned());
    let listener = match TcpListener::bind((host.as_str(), port)).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("Erreur : impossible d'écouter sur {host}:{port} ({e}).");
            return ExitCode::FAILURE;
        }
    };
    let port = listener.local_addr().map(|a| a.port()).unwrap_or(port);
    println!("Adresse du serveur : http://localhost:{port}");

    let peers: Peers = Arc::default();
    let mut next_id = 0u64;
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        stream.set_nodelay(true).ok();
        next_id += 1;
        tokio::spawn(client(stream, next_id, peers.clone()));
    }
}

async fn client(stream: TcpStream, id: u64, peers: Peers) {
    let config = WebSocketConfig::default()
        .read_buffer_size(4 * 1024)
        .max_message_size(Some(1_000_000));
    let Ok(ws) = tokio_tungstenite::accept_async_with_config(stream, Some(config)).await else {
        return;
    };
    let (mut tx, mut rx) = ws.split();
    let open = format!(
        "0{{\"sid\":\"{id}\",\"upgrades\":[],\"pingInterval\":25000,\"pingTimeout\":20000,\"maxPayload\":1000000}}"
    );
    if tx.send(Message::text(open)).await.is_err() {
        return;
    }
    // Attendre « 40 » (connexion à l'espace de noms `/`).
    loop {
        match rx.next().await {
            Some(Ok(Message::Text(t))) if t.starts_with("40") => break,
            Some(Ok(_)) => continue,
            _ => return,
        }
    }
    if tx
        .send(Message::text(format!("40{{\"sid\":\"{id}\"}}")))
        .await
        .is_err()
    {
        return;
    }

    let (queue, mut outbox) = mpsc::channel::<Utf8Bytes>(SEND_BUFFER_PACKETS);
    lock(&peers).insert(id, queue);
    let writer = tokio::spawn(async move {
        while let Some(text) = outbox.recv().await {
            if tx.feed(Message::Text(text)).await.is_err() {
                return;
            }
            while let Ok(text) = outbox.try_recv() {
                if tx.feed(Message::Text(text)).await.is_err() {
                    return;
                }
            }
            if tx.flush().await.is_err() {
                return;
            }
        }
        tx.close().await.ok();
    });

    while let Some(Ok(message)) = rx.next().await {
        match message {
            Message::Text(text) if text.starts_with("42") => broadcast(&peers, id, &text),
            Message::Close(_) => break,
            _ => {}
        }
    }
    lock(&peers).remove(&id);
    writer.abort();
}

/// Le même texte (partagé, jamais recopié) dans la file de chaque autre client.
fn broadcast(peers: &Peers, from: u64, text: &Utf8Bytes) {
    let mut full = Vec::new();
    let mut peers = lock(peers);
    for (&id, queue) in peers.iter() {
        if id != from && queue.try_send(text.clone()).is_err() {
            full.push(id);
        }
    }
    for id in full {
        // Sa file est pleine : on le retire, ce qui ferme sa connexion.
        peers.remove(&id);
    }
}

fn lock(peers: &Peers) -> std::sync::MutexGuard<'_, HashMap<u64, mpsc::Sender<Utf8Bytes>>> {
    peers.lock().unwrap_or_else(PoisonError::into_inner)
}
