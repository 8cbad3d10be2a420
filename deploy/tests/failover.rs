//! `deploy/nginx/chat-en-ligne.conf`, côté exploitation : le vrai nginx
//! de l'annexe « Mettre en ligne » devant deux processus du chapitre 15,
//! un vrai PostgreSQL et un vrai Redis, par l'écoute HTTP simple que le
//! test ajoute au bloc `server` de HTTPS (voir `checks::nginx::Front`).
//!
//! 1. Par nginx : un client WebSocket (Alice) et un client long-polling
//!    (Bob) discutent ; un client branché directement sur l'autre
//!    processus reçoit aussi (ip_hash envoie tout ce qui vient de
//!    127.0.0.1 au même processus) ; `/health` répond 200 ; `/metrics`
//!    répond au format de Prometheus depuis 127.0.0.1, et 403 depuis
//!    127.0.0.2 (`allow 127.0.0.1; deny all;`).
//! 2. Le processus qui sert ces clients est tué (SIGKILL) : par nginx,
//!    `/health` répond encore 200, dès la première requête, nginx n'essaie
//!    qu'une fois le processus mort, et de nouvelles connexions (WebSocket
//!    et long-polling) arrivent à l'autre processus, reçoivent
//!    l'historique et discutent.
//!
//! Sans nginx, PostgreSQL ou Redis, le test n'est pas lancé, et un message
//! visible le dit ; en CI (variable `CI`), c'est une erreur.

#[path = "failover/clients.rs"]
mod clients;
mod common;

use std::time::Duration;

use checks::client::Transport;
use checks::nginx::Front;
use checks::server::Server;
use checks::stack::{parse_message, signup, tab};
use checks::{Failure, WAIT, http};
use clients::{connections, get_from, page, receive, say, serving};
use common::Online;

const TEST: &str = "deploy, chat-en-ligne.conf et la reprise (ch15-en-ligne)";

/// Le `fail_timeout` du fichier de l'annexe.
const FAIL_TIMEOUT: Duration = Duration::from_secs(5);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_other_process_takes_over_behind_nginx() {
    let Some(mut online) = Online::start_or_skip(TEST).await else {
        return;
    };
    // Par nginx, en HTTP simple (le même bloc `server` que HTTPS).
    let (serving, last) = match before_the_crash(&online.front, &online.processes).await {
        Ok(found) => found,
        Err(failure) => panic!("{TEST} : {}", online.explain(failure)),
    };
    // Le processus qui servait les clients de nginx est tué.
    if let Some(process) = online.processes[serving].take() {
        process.kill().await;
    }
    let outcome = after_the_crash(&online.front, &online.processes, serving, last).await;
    if let Err(failure) = outcome {
        panic!("{TEST} : {}", online.explain(failure));
    }
    if let Err(failure) = online.stop().await {
        panic!("{TEST} : {failure}");
    }
}

/// Les clients de nginx discutent ; rend l'indice du processus qui les
/// sert et le numéro du dernier message.
async fn before_the_crash(
    front: &Front,
    processes: &[Option<Server>; 2],
) -> Result<(usize, i64), Failure> {
    let alice = signup(front.plain, "Alice").await?;
    let bob = signup(front.plain, "Bob").await?;
    let origin = front.url();
    let mut wendy = page(
        front.plain,
        &alice,
        0,
        "Alice",
        Transport::WebSocket,
        &origin,
    )
    .await?;
    let mut paul = page(front.plain, &bob, 0, "Bob", Transport::Polling, &origin).await?;
    let serving = serving(processes, "Alice")?;
    let other = processes[1 - serving]
        .as_ref()
        .ok_or_else(|| Failure::new("l'autre processus tourne", "il manque"))?;
    // Carole, branchée directement sur l'autre processus (sans nginx).
    let carole = signup(other.port(), "Carole").await?;
    let mut direct = tab(other.port(), &carole, 0, "Carole", Transport::WebSocket).await?;

    let said = [
        say(&wendy, "Alice", "bonjour en WebSocket par nginx", "a-1").await?,
        say(&paul, "Bob", "bonjour en long-polling par nginx", "b-1").await?,
    ];
    for client in [&mut wendy, &mut paul, &mut direct] {
        receive(client, &said).await?;
    }

    // /health et /metrics, par nginx.
    let health = http::get(front.plain, "/health").await?;
    if health.status != 200 {
        return Err(Failure::new(
            "GET /health par nginx répond 200",
            format!("{} « {} »", health.status, health.text()),
        ));
    }
    let metrics = http::get(front.plain, "/metrics").await?;
    let text = metrics.text();
    let prometheus = metrics
        .header("content-type")
        .is_some_and(|t| t.starts_with("text/plain; version=0.0.4"));
    // Les deux messages sont passés par le même processus, celui de /metrics.
    if metrics.status != 200
        || !prometheus
        || !text.contains("# TYPE chat_messages_stored_total counter\n")
        || !text.contains("\nchat_messages_stored_total 2\n")
    {
        return Err(Failure::new(
            "GET /metrics par nginx depuis 127.0.0.1 : 200, format texte de Prometheus, \
             chat_messages_stored_total 2 (le processus qui a reçu les deux messages)",
            format!("{} {:?} « {text} »", metrics.status, metrics.headers),
        ));
    }
    let elsewhere = get_from([127, 0, 0, 2], front.plain, "/metrics").await?;
    if !elsewhere.starts_with("HTTP/1.1 403") {
        return Err(Failure::new(
            "GET /metrics par nginx depuis 127.0.0.2 : 403 (allow 127.0.0.1; deny all;)",
            elsewhere.lines().next().unwrap_or_default().to_owned(),
        ));
    }
    let health_elsewhere = get_from([127, 0, 0, 2], front.plain, "/health").await?;
    if !health_elsewhere.starts_with("HTTP/1.1 200") {
        return Err(Failure::new(
            "GET /health par nginx depuis 127.0.0.2 : 200 (seul /metrics est réservé)",
            health_elsewhere
                .lines()
                .next()
                .unwrap_or_default()
                .to_owned(),
        ));
    }
    wendy.disconnect().await;
    paul.disconnect().await;
    Ok((serving, said[1].2))
}

/// Après la mort du processus qui les servait, les clients de nginx
/// reviennent, sur l'autre : l'historique, puis de nouveaux messages.
async fn after_the_crash(
    front: &Front,
    processes: &[Option<Server>; 2],
    dead: usize,
    last: i64,
) -> Result<(), Failure> {
    let survivor = processes[1 - dead]
        .as_ref()
        .ok_or_else(|| Failure::new("l'autre processus tourne", "il manque"))?;
    // Une requête du long-polling de Bob, en cours au moment de la panne,
    // a déjà fait mettre le processus mort de côté (max_fails=1) : on
    // attend la fin de ces 5 s (fail_timeout=5s), pour que nginx essaie de
    // nouveau le processus mort à la prochaine requête (nginx compte en
    // secondes entières : 2 s de marge).
    tokio::time::sleep(FAIL_TIMEOUT + Duration::from_secs(2)).await;
    // Chaque requête passe, même la première, qui trouve le processus mort
    // (proxy_next_upstream) ; après cet échec, nginx le laisse de côté
    // (max_fails=1) : un seul essai vers lui.
    let refused_before = refused_connections(front);
    for _ in 0..5 {
        let health = http::get(front.plain, "/health").await?;
        if health.status != 200 {
            return Err(Failure::new(
                "GET /health par nginx répond 200 quand un processus est mort (l'autre répond), \
                 dès la première requête",
                format!("{} « {} »", health.status, health.text()),
            ));
        }
    }
    let tries = refused_connections(front) - refused_before;
    if tries != 1 {
        return Err(Failure::new(
            "après la panne, 5 requêtes de suite : nginx essaie une seule fois le processus \
             mort, puis le laisse de côté 5 s (max_fails=1 fail_timeout=5s)",
            format!("{tries} essais refusés vers lui"),
        ));
    }
    let origin = front.url();
    let alice = signup(front.plain, "Alice2").await?;
    let bob = signup(front.plain, "Bob2").await?;
    let before = connections(survivor, "Alice2");
    // Alice reprend où elle en était ; Bob, tout neuf, reçoit tout l'historique.
    let mut wendy = page(
        front.plain,
        &alice,
        last,
        "Alice2",
        Transport::WebSocket,
        &origin,
    )
    .await?;
    let mut paul = page(front.plain, &bob, 0, "Bob2", Transport::Polling, &origin).await?;
    if connections(survivor, "Alice2") <= before {
        return Err(Failure::new(
            "la nouvelle connexion d'Alice2 par nginx arrive au processus survivant",
            format!("ses lignes : {:?}", survivor.log().tail(10)),
        ));
    }
    let history: Vec<(String, String, i64)> = {
        let mut got = Vec::new();
        while got.len() < 2 {
            match paul.next(WAIT).await.as_deref().and_then(parse_message) {
                Some(message) => got.push(message),
                None => break,
            }
        }
        got
    };
    let texts: Vec<&str> = history.iter().map(|(_, t, _)| t.as_str()).collect();
    if texts
        != [
            "bonjour en WebSocket par nginx",
            "bonjour en long-polling par nginx",
        ]
    {
        return Err(Failure::new(
            "Bob2, nouveau venu par nginx, reçoit d'abord les deux messages d'avant la panne",
            format!("{history:?}"),
        ));
    }
    let said = [
        say(&wendy, "Alice2", "toujours là en WebSocket", "a-2").await?,
        say(&paul, "Bob2", "toujours là en long-polling", "b-2").await?,
    ];
    for client in [&mut wendy, &mut paul] {
        receive(client, &said).await?;
    }
    Ok(())
}

/// Combien de fois nginx a trouvé un processus fermé (connexion refusée),
/// d'après son journal.
fn refused_connections(front: &Front) -> usize {
    front
        .nginx
        .error_log()
        .matches("connect() failed (111")
        .count()
}
