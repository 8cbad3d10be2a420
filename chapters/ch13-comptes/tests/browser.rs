//! « Pour tester » du chapitre 13, dans Chromium.
//!
//! Un navigateur garde un seul cookie par site : Alice et Bob n'y peuvent
//! être connectés en même temps que sur deux adresses différentes. Alice
//! ouvre donc ses deux onglets sur `127.0.0.1`, Bob le sien sur
//! `localhost` (deux sites pour le navigateur, le même serveur).
//!
//! Alice crée son compte ; son deuxième onglet est connecté d'office ; Bob
//! s'inscrit. Les messages d'Alice vont à son autre onglet et à Bob ; la
//! liste « En ligne » la nomme une fois. Alice se déconnecte depuis un
//! onglet : les deux reviennent au formulaire avec la raison, Bob la voit
//! partir. Un onglet rechargé reste dehors ; un mauvais mot de passe est
//! refusé en français ; le bon la fait revenir.
//!
//! Le serveur arrêté d'un Ctrl+C, chaque onglet dit « Connexion perdue,
//! nouvel essai… », une seule fois pendant toute la panne, et « Se
//! déconnecter » dit qu'il n'a pas pu ; relancé sur le même port, avec la
//! même base, chaque onglet revient seul, avec sa session, dit « Connexion
//! rétablie », et un message passe de nouveau.

use std::path::{Path, PathBuf};
use std::time::Duration;

use browser::checks::send;
use browser::pseudos::{
    count_notices, messages, notice, notice_in_each, online, shown, wait_message,
};
use browser::{Browser, Error, Result, Server, Tab, ensure, settle};

const PROGRAM: &str = env!("CARGO_BIN_EXE_ch13-comptes");
const PASSWORD: &str = "un long mot de passe";

/// Remplit le formulaire du compte et clique sur `button` (« #sign-up » ou
/// « #log-in »).
async fn account_form(
    browser: &Browser,
    tab: &Tab,
    pseudo: &str,
    password: &str,
    button: &str,
) -> Result<()> {
    browser.wait_visible(tab, "#login").await?;
    browser.fill(tab, "#pseudo", pseudo).await?;
    browser.fill(tab, "#password", password).await?;
    browser.click(tab, button).await
}

/// Attend que l'onglet soit dans le chat, connecté, au nom de `pseudo`.
async fn in_chat(browser: &Browser, tab: &Tab, pseudo: &str) -> Result<()> {
    browser.wait_visible(tab, "#chat").await?;
    browser.wait_visible(tab, "#form").await?;
    browser.wait_hidden(tab, "#login").await?;
    browser.wait_connected(tab).await?;
    browser.wait_text(tab, "#me", pseudo).await.map(drop)
}

/// Attend le formulaire du compte, avec `message` dans sa ligne d'erreur.
async fn back_to_form(browser: &Browser, tab: &Tab, message: &str) -> Result<()> {
    browser.wait_visible(tab, "#login").await?;
    browser.wait_hidden(tab, "#chat").await?;
    browser
        .wait_text(tab, "#login-error", message)
        .await
        .map(drop)
}

#[tokio::test]
async fn une_personne_deux_onglets_puis_deconnexion_de_partout() -> Result<()> {
    let test = "ch13-comptes (navigateur)";
    let Some(browser) = browser::launch_or_skip(test).await? else {
        return Ok(());
    };
    let (_dir, database) = fresh_database()?;
    let server = start(&database, None).await.map_err(|e| e.context(test))?;
    let outcome = match scenario(&browser, &server).await {
        Ok(()) => browser.check_console().await,
        Err(e) => Err(e),
    };
    outcome.map_err(|e| server.explain(0, &format!("{test} : {e}")))
}

async fn scenario(browser: &Browser, server: &Server) -> Result<()> {
    let alice_site = server.url().replace("localhost", "127.0.0.1");
    let bob_site = alice_site.replace("127.0.0.1", "localhost");

    // Alice crée son compte ; son deuxième onglet la trouve connectée.
    let a1 = browser.open(&alice_site, "Alice, onglet 1").await?;
    account_form(browser, &a1, "Alice", PASSWORD, "#sign-up").await?;
    in_chat(browser, &a1, "Alice").await?;
    let a2 = browser.open(&alice_site, "Alice, onglet 2").await?;
    in_chat(browser, &a2, "Alice").await?;
    online(browser, &a1, &["Alice"]).await?;

    let b = browser.open(&bob_site, "Bob").await?;
    account_form(browser, &b, "Bob", PASSWORD, "#sign-up").await?;
    in_chat(browser, &b, "Bob").await?;
    for tab in [&a1, &a2, &b] {
        online(browser, tab, &["Alice", "Bob"]).await?;
    }

    // Ce qu'écrit Alice va à Bob et à son autre onglet, affiché comme le sien.
    send(browser, &a1, "Bonjour depuis mon premier onglet").await?;
    wait_message(browser, &b, "Alice", "Bonjour depuis mon premier onglet").await?;
    browser
        .wait_text(
            &a2,
            "#messages li.mine",
            "Bonjour depuis mon premier onglet",
        )
        .await?;
    send(browser, &b, "Salut Alice").await?;
    wait_message(browser, &a1, "Bob", "Salut Alice").await?;
    wait_message(browser, &a2, "Bob", "Salut Alice").await?;
    let seen = messages(browser, &b).await?;
    ensure!(
        seen == [
            shown("Alice", "Bonjour depuis mon premier onglet"),
            shown("Bob", "Salut Alice")
        ],
        "{} affiche {seen:?}",
        b.name()
    );

    // Alice se déconnecte depuis son deuxième onglet : les deux sortent.
    browser.click(&a2, "#logout").await?;
    for tab in [&a1, &a2] {
        back_to_form(browser, tab, "Vous êtes déconnecté").await?;
    }
    notice(browser, &b, "Alice a quitté le chat").await?;
    online(browser, &b, &["Bob"]).await?;

    // Rechargé, l'onglet reste dehors : la session est finie.
    browser.eval(&a1, "location.reload(); return true;").await?;
    browser.wait_visible(&a1, "#login").await?;
    ensure!(
        !browser.is_visible(&a1, "#chat").await?,
        "{} : après la déconnexion et un rechargement, le chat est encore affiché",
        a1.name()
    );

    // Un mauvais mot de passe, puis le bon.
    account_form(browser, &a1, "alice", "pas le bon mot de passe", "#log-in").await?;
    browser
        .wait_text(&a1, "#login-error", "Pseudo ou mot de passe incorrect.")
        .await?;
    account_form(browser, &a1, "alice", PASSWORD, "#log-in").await?;
    in_chat(browser, &a1, "Alice").await?;
    online(browser, &b, &["Alice", "Bob"]).await?;

    // Les réponses 401 (« qui suis-je ? » sans session, mauvais mot de
    // passe) sont voulues ; Chromium les note dans la console.
    browser
        .dismiss_console_errors(|message| message.contains("401"))
        .await?;
    Ok(())
}

#[tokio::test]
async fn un_serveur_arrete_puis_relance_se_voit_dans_chaque_onglet() -> Result<()> {
    let test = "ch13-comptes (arrêt et relance)";
    let Some(browser) = browser::launch_or_skip(test).await? else {
        return Ok(());
    };
    let (_dir, database) = fresh_database()?;
    let server = start(&database, None).await.map_err(|e| e.context(test))?;
    let port = server.port();
    let alice_site = server.url().replace("localhost", "127.0.0.1");
    let bob_site = alice_site.replace("127.0.0.1", "localhost");
    let mut tabs = Vec::new();
    for (site, pseudo) in [(&alice_site, "Alice"), (&bob_site, "Bob")] {
        let tab = browser.open(site, pseudo).await?;
        account_form(&browser, &tab, pseudo, PASSWORD, "#sign-up")
            .await
            .map_err(|e| server.explain(0, &format!("{test} : {e}")))?;
        in_chat(&browser, &tab, pseudo).await?;
        tabs.push(tab);
    }
    for tab in &tabs {
        online(&browser, tab, &["Alice", "Bob"]).await?;
    }

    // Ctrl+C : chaque page le dit, une fois, au lieu d'une ligne par essai.
    server.stop().await.map_err(|e| e.context(test))?;
    notice_in_each(&browser, &tabs, "Connexion perdue, nouvel essai…")
        .await
        .map_err(|e| e.context(test))?;
    // « Se déconnecter » pendant la panne : la page dit que c'est impossible.
    browser.click(&tabs[0], "#logout").await?;
    notice(
        &browser,
        &tabs[0],
        "Déconnexion impossible\u{a0}: serveur injoignable. Réessayez.",
    )
    .await
    .map_err(|e| e.context(test))?;
    // La bibliothèque cliente réessaie toutes les 1 à 5 s : plusieurs essais.
    settle(Duration::from_secs(6)).await;
    for tab in &tabs {
        let retries = count_notices(&browser, tab, "nouvel essai").await?;
        ensure!(
            retries == 1,
            "{test} : {} annonce {retries} fois la panne, au lieu d'une seule",
            tab.name()
        );
    }

    // Relancé à la même adresse, avec la même base : chaque page revient
    // seule, avec sa session.
    let again = start(&database, Some(port))
        .await
        .map_err(|e| e.context(test))?;
    back(&browser, &tabs)
        .await
        .map_err(|e| again.explain(0, &format!("{test} : {e}")))?;

    // La console : le 401 du chargement (pas encore de session), l'échec de
    // « Se déconnecter » pendant la panne, puis les erreurs réseau de l'arrêt.
    browser
        .dismiss_console_errors(|message| {
            message.contains("401")
                || (message.contains("/api/logout") && message.contains("ERR_CONNECTION_REFUSED"))
        })
        .await?;
    browser
        .check_console_after_outage()
        .await
        .map_err(|e| again.explain(0, &format!("{test} : {e}")))
}

/// Une base neuve, dans un dossier temporaire effacé avec lui.
fn fresh_database() -> Result<(tempfile::TempDir, PathBuf)> {
    let dir = tempfile::tempdir().map_err(|e| Error::new(format!("dossier temporaire : {e}")))?;
    let database = dir.path().join("chat.db");
    Ok((dir, database))
}

/// Le chapitre sur `database` ; avec `port`, à l'adresse d'un serveur
/// arrêté.
async fn start(database: &Path, port: Option<u16>) -> Result<Server> {
    let env = [("DATABASE", database.as_os_str())];
    match port {
        Some(port) => Server::start_on_port(PROGRAM, port, &env).await,
        None => Server::start_with_env(PROGRAM, &env).await,
    }
}

/// Après la relance : chaque onglet est reconnecté, le dit, voit de nouveau
/// les deux en ligne, et un message d'Alice arrive chez Bob.
async fn back(browser: &Browser, tabs: &[Tab]) -> Result<()> {
    for tab in tabs {
        browser.wait_connected(tab).await?;
        notice(browser, tab, "Connexion rétablie").await?;
        ensure!(
            browser.is_visible(tab, "#chat").await?,
            "{} : après la relance, le chat n'est plus affiché",
            tab.name()
        );
    }
    for tab in tabs {
        online(browser, tab, &["Alice", "Bob"]).await?;
    }
    let [a, b] = tabs else {
        return Err(Error::new("deux onglets attendus"));
    };
    send(browser, a, "Tu es revenu ?").await?;
    wait_message(browser, b, "Alice", "Tu es revenu ?").await
}
