//! L'étape « modération » de « Pour tester », dans Chromium, sur deux
//! processus : Modo (modérateur) ouvre le chat et la page des modérateurs
//! sur le processus A (`127.0.0.1`) ; Bob ouvre le chat sur le processus B
//! (`localhost` : un autre cookie). La page de Modo nomme Bob ; Modo le
//! réduit au silence, et le message suivant de Bob, écrit sur B, est
//! refusé avec l'heure de fin ; Modo lui rend la parole, puis l'exclut : la
//! page de Bob revient au formulaire avec la raison, et la liste ne le
//! nomme plus.
//!
//! Sans Chromium, PostgreSQL ou Redis, le test n'est pas lancé, et un
//! message visible le dit ; en CI, c'est une erreur.

mod common;

use browser::accounts::{Decision, decide, sign_up, wait_users};
use browser::checks::send;
use browser::pseudos::{online, wait_message};
use browser::{Browser, Error, Result, ensure};
use checks::Failure;
use common::{PASSWORD, stack_or_skip, with_logs};

const TEST: &str = "ch15-en-ligne (modération, navigateur)";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn moderer_tout_le_chat() -> Result<()> {
    let Some(browser) = browser::launch_or_skip(TEST).await? else {
        return Ok(());
    };
    let stack = match stack_or_skip(TEST).await {
        Ok(Some(stack)) => stack,
        Ok(None) => return Ok(()),
        Err(failure) => return Err(failed(failure)),
    };
    let env = [("MODERATORS", "Modo")];
    let a = stack.process_with(0, &env).await.map_err(failed)?;
    let b = stack.process_with(0, &env).await.map_err(failed)?;
    let outcome = match scenario(&browser, a.port(), b.port()).await {
        Ok(()) => browser.check_console().await,
        Err(e) => Err(e),
    };
    outcome.map_err(|e| with_logs(TEST, e, &[("A", &a), ("B", &b)]))?;
    a.stop().await.map_err(failed)?;
    b.stop().await.map_err(failed)?;
    Ok(())
}

fn failed(failure: Failure) -> Error {
    Error::new(format!("{TEST} : {failure}"))
}

async fn scenario(browser: &Browser, port_a: u16, port_b: u16) -> Result<()> {
    let modo_site = format!("http://127.0.0.1:{port_a}");
    let modo = browser.open(&format!("{modo_site}/"), "Modo (A)").await?;
    sign_up(browser, &modo, "Modo", PASSWORD).await?;
    let admin = browser
        .open(
            &format!("{modo_site}/moderation/"),
            "Modo, la modération (A)",
        )
        .await?;
    browser
        .wait_text(&admin, "#status", "Connecté à /admin")
        .await?;
    let bob = browser
        .open(&format!("http://localhost:{port_b}/"), "Bob (B)")
        .await?;
    sign_up(browser, &bob, "Bob", PASSWORD).await?;
    online(browser, &modo, &["Bob", "Modo"]).await?;
    wait_users(browser, &admin, &["Bob", "Modo"]).await?;

    // Silence, décidé sur A : le message de Bob, écrit sur B, est refusé.
    decide(browser, &admin, "Bob", Decision::Mute).await?;
    browser
        .wait_text(&admin, "#status", "Bob est réduit au silence")
        .await?;
    // Tapé à la main plutôt que par `send` : c'est le texte remis dans le
    // champ après le refus qu'on veut voir.
    browser
        .type_into(&bob, "#input", "je peux parler ?")
        .await?;
    browser.press_enter(&bob, "#input").await?;
    browser
        .wait_texts(
            &bob,
            "#messages li.notice",
            "la page de Bob devrait dire que son message est refusé pour silence",
            |list| list.iter().any(|s| s.contains("réduit au silence jusqu'à")),
        )
        .await?;
    // Le texte refusé n'est pas perdu : il revient dans le champ de saisie.
    let kept = browser
        .eval(&bob, "return document.getElementById('input').value;")
        .await?;
    ensure!(
        kept.as_str() == Some("je peux parler ?"),
        "après le refus, le champ de Bob devrait rendre «\u{a0}je peux parler ?\u{a0}», il contient {kept}"
    );

    // La parole rendue : le message suivant passe, jusque chez Modo.
    decide(browser, &admin, "Bob", Decision::Unmute).await?;
    browser
        .wait_text(&admin, "#status", "Bob peut de nouveau écrire")
        .await?;
    browser.fill(&bob, "#input", "").await?;
    send(browser, &bob, "merci").await?;
    wait_message(browser, &modo, "Bob", "merci").await?;

    // Exclusion, décidée sur A : la page de Bob, sur B, revient au
    // formulaire avec la raison.
    decide(browser, &admin, "Bob", Decision::Kick).await?;
    browser
        .wait_text(&admin, "#status", "Bob est exclu")
        .await?;
    browser.wait_visible(&bob, "#login").await?;
    browser
        .wait_text(&bob, "#login-error", "Un modérateur vous a exclu")
        .await?;
    wait_users(browser, &admin, &["Modo"]).await?;

    // Avant l'inscription, chaque page demande `/api/me` : 401, attendu.
    browser
        .dismiss_console_errors(|message| message.contains("401"))
        .await?;
    Ok(())
}
