//! Le chat en ligne dans Chromium : deux processus du chapitre, un vrai
//! PostgreSQL, un vrai Redis, et le vrai nginx de l'annexe
//! (`deploy/nginx/chat-en-ligne.conf`, voir `checks::nginx::Front`).
//!
//! Un navigateur garde un seul cookie de session par site, et un cookie
//! ignore le port : Alice et Bob n'y sont connectés en même temps que sous
//! deux noms d'hôte différents. Alice ouvre donc la page sur `127.0.0.1`,
//! Bob sur `localhost`.
//!
//! - Alice passe par nginx (l'écoute HTTP simple du serveur HTTPS : le
//!   Chromium des tests refuse un certificat autosigné) : sa page se charge,
//!   son compte se crée, son client passe au WebSocket à travers nginx.
//!   (La vérification d'`Origin` derrière nginx est dans
//!   `deploy/tests/https.rs` : la poignée de main d'une page, un `GET` vers
//!   son propre site, part sans `Origin`.)
//! - Bob va directement à l'*autre* processus. Pourquoi pas par nginx lui
//!   aussi : `ip_hash` envoie tout ce qui vient de 127.0.0.1 au même
//!   processus, et la reprise de nginx (`proxy_next_upstream`) cacherait la
//!   panne à la page, qui irait aussitôt à l'autre processus : la boîte
//!   d'envoi ne serait visible qu'un instant. Ici, quand le processus de
//!   Bob s'arrête, sa page est vraiment hors ligne
//!   (`deploy/tests/failover.rs` vérifie la reprise par nginx).
//!
//! Le scénario : Alice et Bob se voient en ligne et discutent dans les
//! deux sens ; le processus de Bob est arrêté (SIGTERM) et s'arrête
//! proprement ; la page de Bob dit « Connexion perdue, nouvel essai… »,
//! une seule fois pendant toute la panne ; Alice écrit, et Bob aussi : sa
//! page montre la ligne de la boîte d'envoi, et le message ne part pas ;
//! le processus est relancé sur le même port : la page de Bob se
//! reconnecte seule, dit « Connexion rétablie », reçoit ce qu'elle a
//! manqué, envoie ce qui attendait. À la fin,
//! les deux onglets montrent les quatre messages, chacun une fois, dans
//! l'ordre des numéros, et la console n'a d'autres erreurs que celles de
//! la panne.
//!
//! Sans Chromium, nginx, PostgreSQL ou Redis, le test n'est pas lancé, et
//! un message visible le dit ; en CI, c'est une erreur.

mod common;

use std::time::Duration;

use browser::accounts::sign_up;
use browser::checks::send;
use browser::pseudos::{Shown, count_notices, messages, notice, online, shown, wait_message};
use browser::{Browser, Error, Result, Tab, ensure};
use checks::Failure;
use checks::nginx::Front;
use checks::server::{Server, StopSignal};
use common::{PASSWORD, Stack, stack_or_skip};

const TEST: &str = "ch15-en-ligne (navigateur)";

/// La ligne de la boîte d'envoi, avec un message en attente.
const ONE_WAITING: &str = "1 message en attente d'envoi…";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn la_boite_d_envoi_traverse_l_arret_d_un_processus() -> Result<()> {
    let Some(browser) = browser::launch_or_skip(TEST).await? else {
        return Ok(());
    };
    let Some(nginx) = checks::nginx::find_or_skip(TEST) else {
        return Ok(());
    };
    let stack = match stack_or_skip(TEST).await {
        Ok(Some(stack)) => stack,
        Ok(None) => return Ok(()),
        Err(failure) => return Err(Error::new(format!("{TEST} : {failure}"))),
    };
    let ports = [checks::nginx::free_port(), checks::nginx::free_port()];
    let mut processes = [
        Some(stack.process(ports[0]).await.map_err(failed)?),
        Some(stack.process(ports[1]).await.map_err(failed)?),
    ];
    let front = Front::start(&nginx, TEST, ports[0], ports[1]).map_err(failed)?;
    let outcome = scenario(&browser, &stack, &front, &mut processes, ports).await;
    let outcome = match outcome {
        Ok(()) => browser.check_console().await,
        Err(e) => Err(e),
    };
    outcome.map_err(|e| {
        let mut text = format!("{TEST} : {e}");
        for (name, process) in ["A", "B"].iter().zip(&processes) {
            if let Some(process) = process {
                text.push_str(&format!("\nProcessus {name} :"));
                for line in process.log().tail(20) {
                    text.push_str("\n  | ");
                    text.push_str(&line);
                }
            }
        }
        text.push('\n');
        text.push_str(&front.nginx.error_log());
        Error::new(text)
    })?;
    for process in processes.into_iter().flatten() {
        process.stop().await.map_err(failed)?;
    }
    Ok(())
}

fn failed(failure: Failure) -> Error {
    Error::new(format!("{TEST} : {failure}"))
}

async fn scenario(
    browser: &Browser,
    stack: &Stack,
    front: &Front,
    processes: &mut [Option<Server>; 2],
    ports: [u16; 2],
) -> Result<()> {
    // Alice, par nginx.
    let alice = browser
        .open(&format!("{}/", front.url()), "Alice (par nginx)")
        .await?;
    sign_up(browser, &alice, "Alice", PASSWORD).await?;
    browser
        .wait_js(
            &alice,
            "le client d'Alice passe au WebSocket à travers nginx",
            "socket.io.engine.transport.name === 'websocket'",
        )
        .await?;
    let serving = serving(processes, "Alice").await?;
    let other = 1 - serving;

    // Bob, directement sur l'autre processus.
    let bob = browser
        .open(
            &format!("http://localhost:{}/", ports[other]),
            "Bob (sans nginx, sur l'autre processus)",
        )
        .await?;
    sign_up(browser, &bob, "Bob", PASSWORD).await?;
    for tab in [&alice, &bob] {
        online(browser, tab, &["Alice", "Bob"]).await?;
    }
    send(browser, &alice, "Bonjour Bob, par nginx").await?;
    wait_message(browser, &bob, "Alice", "Bonjour Bob, par nginx").await?;
    send(browser, &bob, "Salut Alice, en direct").await?;
    wait_message(browser, &alice, "Bob", "Salut Alice, en direct").await?;

    // Le processus de Bob reçoit SIGTERM, comme de systemd.
    if let Some(process) = processes[other].take() {
        let status = process
            .stop_with(StopSignal::Terminate)
            .await
            .map_err(|f| Error::new(f.to_string()))?;
        ensure!(
            status.success(),
            "le processus de Bob, arrêté par SIGTERM, s'arrête proprement (code 0) ; vu : {status}"
        );
    }
    browser
        .wait_js(&bob, "la page de Bob voit la panne", "!socket.connected")
        .await?;
    notice(browser, &bob, "Connexion perdue, nouvel essai…").await?;

    // Pendant la panne : Alice écrit (elle est sur l'autre processus), Bob
    // aussi ; son message attend.
    send(browser, &alice, "Pendant ta panne, Bob").await?;
    wait_message(browser, &alice, "Alice", "Pendant ta panne, Bob").await?;
    send(browser, &bob, "Écrit pendant la panne").await?;
    browser.wait_text(&bob, "#outbox", ONE_WAITING).await?;
    browser::settle(Duration::from_secs(1)).await;
    ensure!(
        browser.texts(&bob, "#outbox").await? == [ONE_WAITING],
        "la boîte d'envoi de Bob montre « {ONE_WAITING} » tant que son processus est arrêté"
    );
    for tab in [&alice, &bob] {
        let seen = messages(browser, tab).await?;
        ensure!(
            !seen
                .iter()
                .any(|(_, text)| text == "Écrit pendant la panne"),
            "{} : le message écrit pendant la panne ne s'affiche pas avant d'être enregistré ; \
             messages affichés : {seen:?}",
            tab.name()
        );
    }

    // Le processus de Bob revient, sur le même port.
    let retries = count_notices(browser, &bob, "nouvel essai").await?;
    ensure!(
        retries == 1,
        "la page de Bob annonce {retries} fois la panne, au lieu d'une seule"
    );
    processes[other] = Some(stack.process(ports[other]).await.map_err(failed)?);
    browser.wait_connected(&bob).await?;
    notice(browser, &bob, "Connexion rétablie").await?;
    browser
        .wait_js(
            &bob,
            "la boîte d'envoi de Bob se vide",
            "document.getElementById('outbox').textContent === ''",
        )
        .await?;
    let expected = [
        shown("Alice", "Bonjour Bob, par nginx"),
        shown("Bob", "Salut Alice, en direct"),
        shown("Alice", "Pendant ta panne, Bob"),
        shown("Bob", "Écrit pendant la panne"),
    ];
    for tab in [&alice, &bob] {
        wait_message(browser, tab, "Bob", "Écrit pendant la panne").await?;
    }
    // Le temps qu'un doublon ait pu arriver.
    browser::settle(Duration::from_secs(1)).await;
    let mut numbers = Vec::new();
    for tab in [&alice, &bob] {
        numbers.push(exactly_in_order(browser, tab, &expected).await?);
    }
    ensure!(
        numbers[0] == numbers[1],
        "les deux onglets montrent les mêmes numéros ; Alice : {:?}, Bob : {:?}",
        numbers[0],
        numbers[1]
    );

    // La console : seulement les erreurs de la panne (reconnexions
    // refusées, requêtes coupées, le 503 d'un processus qui s'arrête), et
    // les 401 voulus de « qui suis-je ? » avant l'inscription.
    browser.dismiss_outage_errors().await?;
    browser
        .dismiss_console_errors(|e| e.contains("/api/me") && e.contains("401"))
        .await?;
    Ok(())
}

/// Le processus (0 ou 1) auquel nginx a envoyé `pseudo`.
async fn serving(processes: &[Option<Server>; 2], pseudo: &str) -> Result<usize> {
    let prefix = format!("{pseudo} vient de se connecter (");
    let found = browser::poll(browser::timeouts::wait(), || async {
        let seen: Vec<usize> = processes
            .iter()
            .map(|p| {
                p.as_ref().map_or(0, |p| {
                    p.log()
                        .stdout()
                        .iter()
                        .filter(|l| l.starts_with(&prefix))
                        .count()
                })
            })
            .collect();
        Ok(match seen.as_slice() {
            [1, 0] => Ok(0),
            [0, 1] => Ok(1),
            _ => Err(seen),
        })
    })
    .await?;
    found.map_err(|seen| {
        Error::new(format!(
            "{pseudo} devait être connecté une fois, à un seul des deux processus ; \
             connexions vues : {seen:?}"
        ))
    })
}

/// Vérifie que `tab` montre `expected`, chaque message une fois, dans
/// l'ordre, avec des numéros croissants ; rend ces numéros.
async fn exactly_in_order(browser: &Browser, tab: &Tab, expected: &[Shown]) -> Result<Vec<i64>> {
    let seen = messages(browser, tab).await?;
    ensure!(
        seen == expected,
        "{} montre {seen:?} ; attendu, une fois chacun et dans cet ordre : {expected:?}",
        tab.name()
    );
    let numbers = browser
        .eval(
            tab,
            "return Array.from(document.querySelectorAll('#messages li[data-id]'), \
             (li) => Number(li.dataset.id));",
        )
        .await?;
    let numbers: Vec<i64> = numbers
        .as_array()
        .map(|list| list.iter().filter_map(serde_json::Value::as_i64).collect())
        .unwrap_or_default();
    ensure!(
        numbers.len() == expected.len() && numbers.windows(2).all(|w| w[0] < w[1]),
        "{} : chaque message affiché porte son numéro, croissant ; numéros : {numbers:?}",
        tab.name()
    );
    Ok(numbers)
}
