//! `deploy/nginx/chat.conf` : le programme du chapitre 5 derrière nginx,
//! avec la configuration de l'annexe « Mettre en ligne » (lue sur le
//! disque : le livre et ce test ne peuvent pas diverger). Un message doit
//! passer par nginx en WebSocket (la mise à niveau de la connexion) comme
//! en long-polling.
//!
//! Sans nginx, le test n'est pas lancé, et un message visible le dit ; en CI (variable
//! `CI`), c'est une erreur.

mod common;

use std::path::Path;
use std::sync::Mutex;

use checks::nginx::{self, Nginx};
use checks::{Client, Server, Transport, WAIT};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broadcast_through_nginx() {
    let Some(program) = nginx::find_or_skip("deploy, chat.conf (ch05-broadcast)") else {
        return;
    };
    let logs = Mutex::new(Vec::new());
    let server = Server::start(Path::new(common::CH05), &[], &logs)
        .await
        .unwrap_or_else(|f| panic!("le chapitre 5 ne démarre pas : {f:?}"));
    // Ce que le test remplace dans la configuration du livre : l'écoute et
    // l'adresse du programme.
    let port = nginx::free_port();
    let site = nginx::replace(
        &nginx::site("chat.conf"),
        "listen 80;",
        &format!("listen 127.0.0.1:{port};"),
    );
    let site = nginx::replace(
        &site,
        "127.0.0.1:3000",
        &format!("127.0.0.1:{}", server.port()),
    );
    let mut proxy = Nginx::start(&program, &site, port);

    for transport in Transport::BOTH {
        let label = transport.label();
        let alice = Client::connect(&proxy.url(), transport, "Alice").await;
        let bob = Client::connect(&proxy.url(), transport, "Bob").await;
        let (alice, mut bob) = match (alice, bob) {
            (Ok(a), Ok(b)) => (a, b),
            (a, b) => panic!(
                "connexion en {label} à travers nginx impossible : {:?} {:?}\n{}",
                a.err(),
                b.err(),
                proxy.error_log()
            ),
        };
        let text = format!("bonjour par nginx en {label}");
        alice
            .send_text(&text)
            .await
            .unwrap_or_else(|f| panic!("Alice n'a pas pu envoyer en {label} : {f:?}"));
        let got = bob.next_text(WAIT).await;
        assert_eq!(
            got.as_deref(),
            Some(text.as_str()),
            "Bob doit recevoir le message d'Alice en {label}, à travers nginx\n{}",
            proxy.error_log()
        );
        alice.disconnect().await;
        bob.disconnect().await;
    }

    proxy.stop();
    server
        .stop()
        .await
        .unwrap_or_else(|f| panic!("le chapitre 5 ne s'arrête pas : {f:?}"));
}
