//! « Pour tester » du chapitre 14, dans Chromium.
//!
//! Modo (modérateur) ouvre le chat puis la page des modérateurs sur
//! `127.0.0.1` ; Bob ouvre le chat sur `localhost` (un autre cookie).
//! Bob écrit six messages d'affilée : le sixième est refusé, la page le
//! dit. Modo le réduit au silence depuis sa page : le message suivant de
//! Bob est refusé avec l'heure de fin. Modo l'exclut : la page de Bob
//! revient au formulaire avec la raison, et la liste des modérateurs ne le
//! nomme plus.
//!
//! Un silence de 0 minute rend la parole (c'est ce que fait le serveur) :
//! la page des modérateurs le dit, au lieu de « réduit au silence ». Le
//! serveur arrêté d'un Ctrl+C, cette page dit « Connexion perdue, nouvel
//! essai… » et vide son tableau ; relancé sur le même port, avec la même
//! base, elle se reconnecte seule, dit « Connexion rétablie », le tableau
//! revient et ses boutons répondent.

use std::ffi::OsStr;
use std::path::Path;

use browser::accounts::{Decision, decide, sign_up, users, wait_users};
use browser::checks::send;
use browser::pseudos::{online, wait_message};
use browser::{Browser, Error, Result, Server, Tab, ensure};

const PROGRAM: &str = env!("CARGO_BIN_EXE_ch14-moderation");
const PASSWORD: &str = "un long mot de passe";

#[tokio::test]
async fn moderer_le_chat() -> Result<()> {
    let test = "ch14-moderation (navigateur)";
    let Some(browser) = browser::launch_or_skip(test).await? else {
        return Ok(());
    };
    let dir = tempfile::tempdir().map_err(|e| Error::new(format!("dossier temporaire : {e}")))?;
    let database = dir.path().join("chat.db");
    let server = start(&database, None).await.map_err(|e| e.context(test))?;
    let outcome = match scenario(&browser, &server).await {
        Ok(()) => browser.check_console().await,
        Err(e) => Err(e),
    };
    outcome.map_err(|e| server.explain(0, &format!("{test} : {e}")))
}

async fn scenario(browser: &Browser, server: &Server) -> Result<()> {
    let (modo, admin, bob) = modo_and_bob(browser, server).await?;
    online(browser, &modo, &["Bob", "Modo"]).await?;
    wait_users(browser, &admin, &["Bob", "Modo"]).await?;

    // Six messages d'affilée : le sixième est refusé.
    for i in 1..=6 {
        send(browser, &bob, &format!("message {i}")).await?;
    }
    wait_message(browser, &modo, "Bob", "message 5").await?;
    let status = browser
        .wait_text(&bob, "#messages li.failed .status", "Trop de messages")
        .await?;
    // La phrase du serveur, citée : une majuscule après les deux-points
    // n'est permise que devant une citation.
    ensure!(
        status.starts_with("échec\u{a0}: «\u{a0}Trop de messages")
            && status.contains("Réessayez dans"),
        "{} : le message refusé dit « {status} »",
        bob.name()
    );

    // Silence : le message suivant est refusé avec l'heure de fin.
    decide(browser, &admin, "Bob", Decision::Mute).await?;
    browser
        .wait_text(&admin, "#status", "Bob est réduit au silence")
        .await?;
    send(browser, &bob, "je peux parler ?").await?;
    browser
        .wait_texts(
            &bob,
            "#messages li.failed .status",
            "le message de Bob devrait être refusé pour silence",
            |list| list.iter().any(|s| s.contains("réduit au silence jusqu'à")),
        )
        .await?;

    // Exclusion : la page de Bob revient au formulaire, avec la raison.
    decide(browser, &admin, "Bob", Decision::Kick).await?;
    browser
        .wait_text(&admin, "#status", "Bob est exclu")
        .await?;
    browser.wait_visible(&bob, "#login").await?;
    browser
        .wait_text(&bob, "#login-error", "Un modérateur vous a exclu")
        .await?;
    wait_users(browser, &admin, &["Modo"]).await?;
    let left = users(browser, &admin).await?;
    ensure!(left == ["Modo"], "le tableau nomme encore {left:?}");

    browser
        .dismiss_console_errors(|message| message.contains("401"))
        .await?;
    Ok(())
}

#[tokio::test]
async fn la_page_des_moderateurs_survit_a_l_arret_du_serveur() -> Result<()> {
    let test = "ch14-moderation (arrêt et relance)";
    let Some(browser) = browser::launch_or_skip(test).await? else {
        return Ok(());
    };
    let dir = tempfile::tempdir().map_err(|e| Error::new(format!("dossier temporaire : {e}")))?;
    let database = dir.path().join("chat.db");
    let server = start(&database, None).await.map_err(|e| e.context(test))?;
    let port = server.port();
    let admin = before_outage(&browser, &server)
        .await
        .map_err(|e| server.explain(0, &format!("{test} : {e}")))?;

    // Ctrl+C : la page le dit, et ne garde pas un tableau périmé.
    server.stop().await.map_err(|e| e.context(test))?;
    browser
        .wait_text(&admin, "#status", "Connexion perdue, nouvel essai…")
        .await
        .map_err(|e| e.context(test))?;
    wait_users(&browser, &admin, &[])
        .await
        .map_err(|e| e.context(test))?;

    // Relancé à la même adresse, avec la même base : la page revient seule.
    let again = start(&database, Some(port))
        .await
        .map_err(|e| e.context(test))?;
    let outcome = async {
        browser
            .wait_text(&admin, "#status", "Connexion rétablie")
            .await?;
        wait_users(&browser, &admin, &["Bob", "Modo"]).await?;
        browser.fill(&admin, "#minutes", "10").await?;
        decide(&browser, &admin, "Bob", Decision::Mute).await?;
        browser
            .wait_text(&admin, "#status", "Bob est réduit au silence jusqu'à")
            .await?;
        browser
            .dismiss_console_errors(|message| message.contains("401"))
            .await?;
        browser.check_console_after_outage().await
    };
    outcome
        .await
        .map_err(|e| again.explain(0, &format!("{test} : {e}")))
}

/// Le chapitre sur `database`, avec le modérateur « Modo » ; avec `port`,
/// à l'adresse d'un serveur arrêté.
async fn start(database: &Path, port: Option<u16>) -> Result<Server> {
    let env = [
        ("DATABASE", database.as_os_str()),
        ("MODERATORS", OsStr::new("Modo")),
    ];
    match port {
        Some(port) => Server::start_on_port(PROGRAM, port, &env).await,
        None => Server::start_with_env(PROGRAM, &env).await,
    }
}

/// Modo inscrit, avec le chat et la page des modérateurs ouverts, et Bob
/// inscrit depuis un autre site (`localhost`, donc un autre cookie) : les
/// onglets de Modo, de sa page de modération et de Bob.
async fn modo_and_bob(browser: &Browser, server: &Server) -> Result<(Tab, Tab, Tab)> {
    let modo_site = server.url().trim_end_matches('/').to_owned();
    let bob_site = modo_site.replace("127.0.0.1", "localhost");
    let modo = browser.open(&modo_site, "Modo, le chat").await?;
    sign_up(browser, &modo, "Modo", PASSWORD).await?;
    let admin = browser
        .open(&format!("{modo_site}/moderation/"), "Modo, la modération")
        .await?;
    browser
        .wait_text(&admin, "#status", "Connecté à /admin")
        .await?;
    let bob = browser.open(&bob_site, "Bob").await?;
    sign_up(browser, &bob, "Bob", PASSWORD).await?;
    Ok((modo, admin, bob))
}

/// Modo et sa page des modérateurs, Bob dans le chat ; un silence de 0
/// minute rend la parole à Bob, et la page le dit. Rend l'onglet de la
/// page des modérateurs.
async fn before_outage(browser: &Browser, server: &Server) -> Result<Tab> {
    let (modo, admin, bob) = modo_and_bob(browser, server).await?;
    wait_users(browser, &admin, &["Bob", "Modo"]).await?;

    browser.fill(&admin, "#minutes", "0").await?;
    decide(browser, &admin, "Bob", Decision::Mute).await?;
    let said = browser
        .wait_text(&admin, "#status", "Bob peut de nouveau écrire")
        .await?;
    ensure!(
        !said.contains("silence"),
        "{} : un silence de 0 minute rend la parole, la page dit « {said} »",
        admin.name()
    );
    send(browser, &bob, "je parle encore").await?;
    wait_message(browser, &modo, "Bob", "je parle encore").await?;
    Ok(admin)
}
