//! « Pour tester » du chapitre 12, dans Chromium : un vrai `redis-server`
//! sur un port libre, deux processus du chapitre reliés par lui (chacun
//! sur son port), un onglet sur chaque processus.
//!
//! - l'onglet d'Alice, sur A, et celui de Bob, sur B, voient tous deux
//!   « Alice, Bob » dans « En ligne », et chacun l'arrivée de l'autre ;
//! - chacun lit le message de l'autre, avec son auteur ; la ligne
//!   `message: …` ne s'écrit que dans le terminal du processus qui l'a reçu ;
//! - un pseudo pris sur un processus est refusé sur l'autre, et la page le
//!   dit : « ALICE » demandé sur B, « bob » demandé sur A.
//!
//! Sans Chromium ou sans `redis-server`, le test n'est pas lancé, et un message
//! bien visible le dit ; en CI (`CI`, `REQUIRE_BROWSER=1` pour Chromium,
//! `REQUIRE_REDIS=1` pour Redis), c'est un échec.

mod common;

use std::time::Duration;

use browser::checks::send;
use browser::pseudos::{
    ask, dismiss_refused_session_errors, enter, notice, online, record_sessions, sessions,
    wait_message,
};
use browser::{Browser, Error, Result, Server, Tab, ensure, settle};

use common::{redis_or_skip, start};

#[tokio::test]
async fn deux_onglets_sur_deux_processus_ne_font_qu_un_chat() -> Result<()> {
    let test = "ch12-cluster (deux processus)";
    let Some(browser) = browser::launch_or_skip(test).await? else {
        return Ok(());
    };
    let Some(redis) = redis_or_skip(test).await? else {
        return Ok(());
    };
    let a = start(&redis.url(), test).await?;
    let b = start(&redis.url(), test).await?;
    let outcome = match two_processes(&browser, &a, &b).await {
        Ok(()) => browser.check_console().await,
        Err(e) => Err(e),
    };
    // En cas d'échec : tout ce qu'ont écrit les deux terminaux.
    outcome.map_err(|e| {
        let from_a = a.explain(0, &format!("{test} : {e}\nProcessus A ({})", a.url()));
        let from_b = b.explain(0, &format!("Processus B ({})", b.url()));
        Error::new(format!("{from_a}\n{from_b}"))
    })
}

async fn two_processes(browser: &Browser, a: &Server, b: &Server) -> Result<()> {
    let alice = browser.open(&a.url(), "onglet Alice (processus A)").await?;
    enter(browser, &alice, "Alice").await?;
    online(browser, &alice, &["Alice"]).await?;
    a.wait_line(0, "l'arrivée d'Alice", |l| {
        l.starts_with("Alice vient de se connecter (")
    })
    .await?;

    // Bob entre sur B : chaque onglet voit les deux pseudos.
    let bob = browser.open(&b.url(), "onglet Bob (processus B)").await?;
    enter(browser, &bob, "Bob").await?;
    b.wait_line(0, "l'arrivée de Bob", |l| {
        l.starts_with("Bob vient de se connecter (")
    })
    .await?;
    notice(browser, &alice, "Bob a rejoint le chat").await?;
    online(browser, &alice, &["Alice", "Bob"]).await?;
    online(browser, &bob, &["Alice", "Bob"]).await?;

    // Les messages passent d'un processus à l'autre, avec leur auteur.
    let (from_a, from_b) = ("Bonjour depuis le port A", "Bien reçu sur le port B");
    send(browser, &alice, from_a).await?;
    wait_message(browser, &bob, "Alice", from_a).await?;
    send(browser, &bob, from_b).await?;
    wait_message(browser, &alice, "Bob", from_b).await?;
    a.wait_exact(0, &format!("message: {from_a}")).await?;
    b.wait_exact(0, &format!("message: {from_b}")).await?;
    for (server, other) in [(a, from_b), (b, from_a)] {
        let line = format!("message: {other}");
        ensure!(
            !server.lines().contains(&line),
            "la ligne « {line} » ne devait s'écrire que dans le terminal du processus \
             qui a reçu le message, pas dans celui de {}",
            server.url()
        );
    }

    // Un pseudo pris sur un processus est refusé sur l'autre.
    let mut refused = Vec::new();
    for (server, name, pseudo, taken_on) in [
        (b, "onglet 3 (processus B)", "ALICE", "A"),
        (a, "onglet 4 (processus A)", "bob", "B"),
    ] {
        let mark = server.mark();
        let tab = browser.open(&server.url(), name).await?;
        refused.push(refuse(browser, &tab, pseudo, taken_on).await?);
        server
            .wait_line(mark, "le refus du pseudo", |l| {
                l.starts_with("Connexion refusée")
            })
            .await?;
    }
    // Ni Alice ni Bob n'ont vu passer les refusés.
    online(browser, &alice, &["Alice", "Bob"]).await?;
    online(browser, &bob, &["Alice", "Bob"]).await?;

    // Seule erreur admise dans la console : la course, sans conséquence,
    // d'une requête d'une session refusée (voir
    // `dismiss_refused_session_errors`).
    for sid in refused.iter().flatten() {
        for error in dismiss_refused_session_errors(browser, sid).await? {
            println!("Erreur attendue, retirée de la console : {error}");
        }
    }
    Ok(())
}

/// Demande `pseudo`, pris sur le processus `taken_on`, dans `tab` : la
/// page affiche le refus « déjà pris » et garde le formulaire d'entrée.
/// Renvoie les sessions Engine.IO ouvertes (celle du refus).
async fn refuse(browser: &Browser, tab: &Tab, pseudo: &str, taken_on: &str) -> Result<Vec<String>> {
    browser.wait_visible(tab, "#login").await?;
    record_sessions(browser, tab).await?;
    ask(browser, tab, pseudo).await?;
    let refusal = browser.wait_text(tab, "#login-error", "déjà pris").await?;
    ensure!(
        refusal.to_lowercase().contains(&pseudo.to_lowercase()),
        "{} : le refus « {refusal} » devrait nommer le pseudo demandé, pris sur le processus {taken_on}",
        tab.name()
    );
    // Le temps qu'un nouvel essai automatique (qui ne doit pas venir) ait
    // remplacé le message du refus.
    settle(Duration::from_millis(300)).await;
    ensure!(
        browser.is_visible(tab, "#login").await? && !browser.is_visible(tab, "#chat").await?,
        "{} : après le refus de « {pseudo} », le formulaire du pseudo doit rester, \
         sans la discussion",
        tab.name()
    );
    sessions(browser, tab).await
}
