//! Une page rechargée pendant une panne de PostgreSQL : « qui suis-je ? »
//! échoue, la page le dit et réessaie d'elle-même ; PostgreSQL revenu, elle
//! retrouve la session sans qu'on la recharge de nouveau. Puis « Se
//! déconnecter » pendant une autre panne : la page dit l'échec et reste
//! connectée (la session n'a pas pu être fermée) ; PostgreSQL revenu, la
//! déconnexion passe.
//!
//! Sans Chromium, PostgreSQL ou Redis, le test n'est pas lancé, et un
//! message visible le dit ; en CI, c'est une erreur.

mod common;

use browser::accounts::sign_up;
use browser::{Browser, Error, Result, Tab, ensure};
use checks::Failure;
use common::{PASSWORD, Stack, stack_or_skip, with_logs};

const TEST: &str = "ch15-en-ligne (rechargement pendant une panne)";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recharger_pendant_une_panne_de_postgresql() -> Result<()> {
    let Some(browser) = browser::launch_or_skip(TEST).await? else {
        return Ok(());
    };
    let mut stack = match stack_or_skip(TEST).await {
        Ok(Some(stack)) => stack,
        Ok(None) => return Ok(()),
        Err(failure) => return Err(failed(failure)),
    };
    let process = stack.process(0).await.map_err(failed)?;
    let url = format!("http://127.0.0.1:{}/", process.port());
    let alice = browser.open(&url, "Alice").await?;
    sign_up(&browser, &alice, "Alice", PASSWORD).await?;
    let outcome = match scenario(&browser, &mut stack, &alice).await {
        Ok(()) => browser.check_console().await,
        Err(e) => Err(e),
    };
    outcome.map_err(|e| with_logs(TEST, e, &[("du chat", &process)]))?;
    process.stop().await.map_err(failed)?;
    Ok(())
}

fn failed(failure: Failure) -> Error {
    Error::new(format!("{TEST} : {failure}"))
}

async fn scenario(browser: &Browser, stack: &mut Stack, alice: &Tab) -> Result<()> {
    stack.pg.stop().await.map_err(failed)?;
    browser
        .eval(
            alice,
            "setTimeout(() => location.reload(), 0); return null;",
        )
        .await?;
    browser
        .wait_text(alice, "#login-error", "Nouvel essai")
        .await?;
    stack.pg.restart().await.map_err(failed)?;
    browser.wait_text(alice, "#me", "Connecté").await?;
    browser.wait_hidden(alice, "#login").await?;

    stack.pg.stop().await.map_err(failed)?;
    browser.click(alice, "#logout").await?;
    browser
        .wait_texts(
            alice,
            "#messages li.notice",
            "l'annonce « Déconnexion impossible… » n'apparaît pas",
            |list| list.iter().any(|n| n.starts_with("Déconnexion impossible")),
        )
        .await?;
    let me = browser
        .eval(alice, "return document.getElementById('me').textContent;")
        .await?;
    ensure!(
        me.as_str().is_some_and(|m| m.starts_with("Connecté")),
        "après l'échec de la déconnexion, la page devrait rester connectée ; elle dit « {me} »"
    );
    stack.pg.restart().await.map_err(failed)?;
    browser.click(alice, "#logout").await?;
    browser.wait_visible(alice, "#login").await?;
    // La console : les échecs voulus de « qui suis-je ? » et de la
    // déconnexion pendant les pannes.
    browser
        .dismiss_console_errors(|e| e.contains("/api/me") || e.contains("/api/logout"))
        .await?;
    browser.dismiss_outage_errors().await?;
    Ok(())
}
