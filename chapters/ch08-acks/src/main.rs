//! # Chapitre 8 : le serveur a-t-il bien reçu ?
//!
//! Le chat du chapitre 5, plus les accusés de réception : l'émetteur donne
//! à `emitWithAck` une promesse que le serveur tient en appelant l'accusé.
//! La page affiche chaque message envoyé « en attente », puis « reçu par le
//! serveur (nº 12) » ou « échec » avec la raison.
//!
//! Lancer : `cargo run -p ch08-acks`, puis ouvrir <http://localhost:3000>
//! dans deux onglets.
//!
//! À essayer : arrêtez le serveur (Ctrl+C) et envoyez un message : au bout
//! de 5 s, la page le marque en échec.

// ANCHOR: all
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::Router;
use serde_json::json;
use socketioxide::extract::State;
use support::{AckSender, Checked, SocketRef, Text, in_order};
use tower_http::services::ServeDir;

// ANCHOR: counter
/// Le numéro du dernier message relayé par ce serveur : 1, 2, 3… dans
/// l'ordre où il les a traités, qu'ils aient demandé un accusé ou non.
/// L'état du serveur, comme le compteur de clients du chapitre 6.
type Forwarded = Arc<AtomicU64>;
// ANCHOR_END: counter

#[tokio::main]
async fn main() -> std::process::ExitCode {
    // Le compteur, à 0, confié au serveur : son état (`State<Forwarded>`).
    let (layer, io) = support::socket_io_with_state(Arc::new(AtomicU64::new(0)));

    // ANCHOR: connection
    // `in_order` (chapitre 3) : les messages d'un client relayés, et
    // numérotés, dans leur ordre d'arrivée.
    io.ns(
        "/",
        in_order(async |socket: SocketRef| {
            // `AckSender` : la fonction que le client a passée en dernier
            // argument de `emit` (ou que `emitWithAck` attend).
            socket.on(
                "new message",
                in_order(
                    async |socket: SocketRef,
                           State(forwarded): State<Forwarded>,
                           Checked(msg): Checked<Text>,
                           ack: AckSender| {
                        // Toujours répondre, même à une donnée invalide : un
                        // client qui attend son accusé resterait bloqué
                        // jusqu'au délai.
                        let msg = match msg {
                            Ok(Text(msg)) => msg,
                            Err(refused) => {
                                ack.send(&json!({ "error": refused.to_string() })).ok();
                                return;
                            }
                        };
                        println!("message: {msg}");
                        socket.broadcast().emit("new message", &msg).await.ok();
                        let id = forwarded.fetch_add(1, Ordering::SeqCst) + 1;
                        // L'accusé dit « le serveur l'a reçu et relayé »,
                        // pas « les autres l'ont lu ». Sans accusé demandé,
                        // `send` ne fait rien.
                        ack.send(&json!({ "id": id })).ok();
                    },
                ),
            );

            // Écouter d'abord, afficher ensuite (chapitre 3).
            println!("Un client vient de se connecter");
        }),
    );
    // ANCHOR_END: connection

    // ANCHOR: router
    // La feuille de style commune aux pages de la deuxième partie vit dans
    // `client/commun/` : servie sous `/commun/`, à côté du dossier du
    // chapitre.
    let app = Router::new()
        .nest_service("/commun", ServeDir::new(support::client_dir("commun")))
        .fallback_service(ServeDir::new(support::client_dir("ch08-acks")))
        .layer(layer);
    // ANCHOR_END: router

    support::listen_with(app, io).await
}
// ANCHOR_END: all
