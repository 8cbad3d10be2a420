//! Votre premier test : le livre l'écrit avec vous, ligne à ligne
//! (chapitre 13, « Votre premier test »).
//!
//! Il lance le serveur du chapitre comme vous le lancez, sur un port libre
//! et avec une base neuve ; il inscrit Alice et Bob par HTTP ; il ouvre deux
//! clients Socket.IO qui joignent leur cookie de session ; Alice écrit, et
//! le test vérifie que Bob lit `{ "from": "Alice", "text": … }`.
//!
//! `cargo test -p ch13-comptes --test premier_test` le lance.

// ANCHOR: all
use std::time::Duration;

use futures_util::FutureExt;
use rust_socketio::Payload;
use rust_socketio::asynchronous::ClientBuilder;
use serde_json::json;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;
use tokio::sync::mpsc;

// ANCHOR: start
/// Lance le serveur du chapitre sur un port libre (`PORT=0`), avec une base
/// neuve dans `dir`, et rend son adresse et le processus (arrêté quand il
/// est lâché, grâce à `kill_on_drop`).
async fn start_server(dir: &std::path::Path) -> (String, tokio::process::Child) {
    let mut server = Command::new(env!("CARGO_BIN_EXE_ch13-comptes"))
        .env("PORT", "0")
        .env("HOST", "127.0.0.1")
        .env("DATABASE", dir.join("chat.db"))
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("le serveur démarre");
    let stdout = server.stdout.take().expect("la sortie du serveur");
    let mut lines = BufReader::new(stdout).lines();
    // Le serveur dit son port dans sa première ligne.
    while let Ok(Some(line)) = lines.next_line().await {
        if let Some(port) = line.strip_prefix("Adresse du serveur : http://localhost:") {
            // La suite de la sortie doit encore être lue, sinon le serveur
            // finirait par bloquer en écrivant : une tâche la vide.
            tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
            return (format!("http://127.0.0.1:{port}"), server);
        }
    }
    panic!("le serveur s'est arrêté sans dire son adresse");
}
// ANCHOR_END: start

// ANCHOR: signup
/// Inscrit `pseudo` et rend son cookie de session (`session=…`).
async fn sign_up(url: &str, pseudo: &str) -> String {
    let response = reqwest::Client::new()
        .post(format!("{url}/api/signup"))
        .header("Content-Type", "application/json")
        .body(json!({ "pseudo": pseudo, "password": "un mot de passe" }).to_string())
        .send()
        .await
        .expect("la requête d'inscription part");
    assert_eq!(response.status(), 201, "l'inscription de {pseudo} réussit");
    let cookie = response
        .headers()
        .get("set-cookie")
        .and_then(|value| value.to_str().ok())
        .expect("un cookie de session");
    // « session=…; HttpOnly; … » : on ne renvoie que « session=… ».
    cookie.split(';').next().unwrap_or_default().to_owned()
}
// ANCHOR_END: signup

// ANCHOR: test
#[tokio::test]
async fn alice_ecrit_et_bob_lit() {
    let dir = tempfile::tempdir().expect("un dossier temporaire");
    let (url, _server) = start_server(dir.path()).await;
    let alice_cookie = sign_up(&url, "Alice").await;
    let bob_cookie = sign_up(&url, "Bob").await;

    // Bob écoute : chaque évènement reçu part dans un canal, avec son nom.
    let (received, mut inbox) = mpsc::unbounded_channel();
    let bob = ClientBuilder::new(url.as_str())
        .opening_header("Cookie", bob_cookie.as_str())
        .on_any(move |event, payload, _| {
            if let Payload::Text(args) = payload {
                received.send((event.to_string(), args)).ok();
            }
            async {}.boxed()
        })
        .connect()
        .await
        .expect("Bob se connecte");
    let alice = ClientBuilder::new(url.as_str())
        .opening_header("Cookie", alice_cookie.as_str())
        .connect()
        .await
        .expect("Alice se connecte");

    // Attendre un évènement, jamais un temps fixe : quand Bob reçoit la
    // liste « online » avec Alice, les deux connexions sont acceptées.
    let mut next = async || {
        tokio::time::timeout(Duration::from_secs(5), inbox.recv())
            .await
            .expect("Bob reçoit quelque chose en moins de 5 s")
            .expect("le canal de Bob reste ouvert")
    };
    while next().await != ("online".to_owned(), vec![json!(["Alice", "Bob"])]) {}

    alice
        .emit("new message", json!("Bonjour Bob"))
        .await
        .expect("Alice envoie");
    let (event, args) = next().await;
    assert_eq!(event, "new message");
    assert_eq!(
        args,
        vec![json!({ "from": "Alice", "text": "Bonjour Bob" })],
        "le message porte l'auteur que dit la session, pas un pseudo choisi par le client"
    );
    alice.disconnect().await.ok();
    bob.disconnect().await.ok();
}
// ANCHOR_END: test
// ANCHOR_END: all
