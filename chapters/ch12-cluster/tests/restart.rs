//! L'étape 7 du « Pour tester » du chapitre 12, dans Chromium : le
//! processus de Bob est arrêté d'un Ctrl+C, puis relancé.
//!
//! - le terminal de B écrit « Bob s'est déconnecté » avant de s'arrêter ;
//! - l'onglet d'Alice, sur A, voit « Bob a quitté le chat » et une liste
//!   « En ligne » sans lui ; celui de Bob dit « Connexion perdue, nouvel
//!   essai… » ;
//! - B relancé sur le même port, l'onglet de Bob se reconnecte de lui-même,
//!   avec son pseudo, qui est libre : il n'est pas refusé, et Alice le voit
//!   revenir ; l'onglet de Bob dit « Connexion rétablie ».

mod common;

use browser::pseudos::{enter, notice, online};
use browser::{Browser, Error, Result, Server, Tab, ensure};

use common::{free_port, redis_or_skip, start, start_on};

#[tokio::test]
async fn un_processus_arrete_puis_relance_rend_bob_a_son_pseudo() -> Result<()> {
    let test = "ch12-cluster (arrêt et relance)";
    let Some(browser) = browser::launch_or_skip(test).await? else {
        return Ok(());
    };
    let Some(redis) = redis_or_skip(test).await? else {
        return Ok(());
    };
    let a = start(&redis.url(), test).await?;
    let port = free_port(test)?;
    let b = start_on(&redis.url(), port, test).await?;
    let (alice, bob) = both_in(&browser, &a, &b)
        .await
        .map_err(|e| b.explain(0, &format!("{test} : {e}")))?;

    // Ctrl+C sur B : Bob part, et le dit.
    let lines = b.stop().await.map_err(|e| e.context(test))?;
    ensure!(
        lines.iter().any(|l| l == "Bob s'est déconnecté"),
        "{test} : à l'arrêt, le terminal de B devait écrire « Bob s'est déconnecté » ; \
         ses lignes : {lines:?}"
    );
    notice(&browser, &alice, "Bob a quitté le chat")
        .await
        .and(online(&browser, &alice, &["Alice"]).await)
        .map_err(|e| a.explain(0, &format!("{test} : {e}")))?;
    // La page de Bob le dit, au lieu de rester comme si de rien n'était.
    notice(&browser, &bob, "Connexion perdue, nouvel essai…").await?;

    // B relancé : la page de Bob revient seule, avec son pseudo.
    let again = start_on(&redis.url(), port, test).await?;
    back(&browser, &again, &alice, &bob)
        .await
        .map_err(|e| again.explain(0, &format!("{test} : {e}")))?;

    // La console : seulement les erreurs réseau de l'arrêt.
    browser
        .check_console_after_outage()
        .await
        .map_err(|e| Error::new(format!("{test} : {e}")))
}

/// Alice sur A, Bob sur B, chacun voit l'autre.
async fn both_in(browser: &Browser, a: &Server, b: &Server) -> Result<(Tab, Tab)> {
    let alice = browser.open(&a.url(), "onglet Alice (processus A)").await?;
    enter(browser, &alice, "Alice").await?;
    let bob = browser.open(&b.url(), "onglet Bob (processus B)").await?;
    enter(browser, &bob, "Bob").await?;
    online(browser, &alice, &["Alice", "Bob"]).await?;
    online(browser, &bob, &["Alice", "Bob"]).await?;
    Ok((alice, bob))
}

async fn back(browser: &Browser, b: &Server, alice: &Tab, bob: &Tab) -> Result<()> {
    b.wait_line(0, "le retour de Bob sur B relancé", |l| {
        l.starts_with("Bob vient de se connecter (")
    })
    .await?;
    browser.wait_connected(bob).await?;
    ensure!(
        !b.lines().iter().any(|l| l.starts_with("Connexion refusée")),
        "le pseudo de Bob devait être libre au retour de B ; ses lignes : {:?}",
        b.lines()
    );
    // Une deuxième annonce d'arrivée de Bob chez Alice.
    browser
        .wait_texts(
            alice,
            "#messages li.notice",
            "Alice devait voir Bob rejoindre le chat une deuxième fois",
            |list| {
                list.iter()
                    .filter(|n| *n == "Bob a rejoint le chat")
                    .count()
                    == 2
            },
        )
        .await?;
    online(browser, alice, &["Alice", "Bob"]).await?;
    online(browser, bob, &["Alice", "Bob"]).await?;
    notice(browser, bob, "Connexion rétablie").await
}
