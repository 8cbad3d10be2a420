//! « Pour tester » du chapitre 9, dans Chromium : l'onglet 1 entre sous le
//! pseudo « Alice » ; l'onglet 2 demande « ALICE » : la page affiche le
//! refus du serveur et garde le formulaire ; il entre sous « Bob » : l'onglet
//! 1 voit son arrivée et la liste « Alice, Bob » ; les messages portent leur
//! auteur ; l'onglet 2 fermé, l'onglet 1 voit le départ, et « Bob » est de
//! nouveau libre.
//!
//! Plus : un pseudo et un message en HTML restent du texte, et un onglet en
//! long-polling discute avec un onglet en WebSocket.

use std::time::Duration;

use browser::checks::{FORCE_POLLING, send};
use browser::pseudos::{
    ask, dismiss_refused_session_errors, enter, messages, notice, online, record_sessions,
    sessions, shown, wait_message,
};
use browser::{Browser, Result, Server, Tab, bail, ensure, settle};
use serde_json::Value as Json;

const PROGRAM: &str = env!("CARGO_BIN_EXE_ch09-pseudos");

#[tokio::test]
async fn pseudo_pris_refuse_puis_arrivee_messages_signes_et_depart() -> Result<()> {
    browser::run_chapter("ch09-pseudos", PROGRAM, async |browser, server| {
        let url = server.url();
        let a = browser.open(&url, "onglet Alice").await?;
        browser.wait_visible(&a, "#login").await?;
        ensure!(
            !browser.is_visible(&a, "#chat").await?,
            "{} : la discussion se voit avant le choix d'un pseudo",
            a.name()
        );
        enter(browser, &a, "Alice").await?;
        online(browser, &a, &["Alice"]).await?;
        server
            .wait_line(0, "l'arrivée d'Alice", |l| {
                l.starts_with("Alice vient de se connecter (")
            })
            .await?;

        // Le même pseudo, en majuscules : refusé avant la connexion.
        let b = browser.open(&url, "onglet Bob").await?;
        let mark = server.mark();
        record_sessions(browser, &b).await?;
        ask(browser, &b, "ALICE").await?;
        let refusal = browser.wait_text(&b, "#login-error", "déjà pris").await?;
        ensure!(
            refusal.contains("ALICE") || refusal.contains("Alice"),
            "{} : le refus « {refusal} » devrait nommer le pseudo demandé",
            b.name()
        );
        server
            .wait_line(mark, "le refus du pseudo", |l| {
                l.starts_with("Connexion refusée")
            })
            .await?;
        let refused = refused_stays_on_login(browser, &b).await?;

        // Un autre pseudo : accepté ; Alice voit l'arrivée de Bob.
        enter(browser, &b, "Bob").await?;
        let error = browser.texts(&b, "#login-error").await?;
        ensure!(
            error == [""],
            "{} : le refus précédent se voit encore : {error:?}",
            b.name()
        );
        notice(browser, &a, "Bob a rejoint le chat").await?;
        online(browser, &a, &["Alice", "Bob"]).await?;
        online(browser, &b, &["Alice", "Bob"]).await?;

        // Les messages portent leur auteur.
        send(browser, &b, "Salut Alice !").await?;
        wait_message(browser, &a, "Bob", "Salut Alice !").await?;
        send(browser, &a, "Bonjour Bob").await?;
        wait_message(browser, &b, "Alice", "Bonjour Bob").await?;
        wait_message(browser, &b, "Bob", "Salut Alice !").await?;
        let own = browser.texts(&b, "#messages li.mine .status").await?;
        ensure!(
            own == ["reçu par le serveur (nº\u{a0}1)"],
            "{} : l'accusé du message envoyé devrait être le nº 1 ; états : {own:?}",
            b.name()
        );
        // Bob n'a pas reçu l'annonce de sa propre arrivée (elle va aux
        // autres), et chacun n'a reçu que le message de l'autre.
        let notices = browser.texts(&b, "#messages li.notice").await?;
        ensure!(
            notices.is_empty(),
            "{} : des annonces chez le nouvel arrivant : {notices:?}",
            b.name()
        );
        let list = messages(browser, &a).await?;
        ensure!(
            list == [shown("Bob", "Salut Alice !"), shown("Alice", "Bonjour Bob")],
            "{} : messages affichés (auteur, texte) : {list:?}",
            a.name()
        );

        // Bob ferme son onglet : Alice voit le départ.
        let mark = server.mark();
        browser.close(&b).await?;
        notice(browser, &a, "Bob a quitté le chat").await?;
        online(browser, &a, &["Alice"]).await?;
        server.wait_exact(mark, "Bob s'est déconnecté").await?;

        // Le pseudo est libre aussitôt, même écrit autrement.
        let c = browser.open(&url, "onglet bob").await?;
        enter(browser, &c, "bob").await?;
        online(browser, &a, &["Alice", "bob"]).await?;
        notice(browser, &a, "bob a rejoint le chat").await?;

        // Seule erreur admise dans la console : la course, sans conséquence,
        // d'une requête de la session refusée (voir
        // `dismiss_refused_session_errors`).
        for error in dismiss_refused_session_errors(browser, &refused).await? {
            println!("Erreur attendue, retirée de la console : {error}");
        }
        Ok(())
    })
    .await
}

/// Après un refus : le formulaire d'entrée reste, la discussion reste
/// cachée, le client n'est pas connecté et n'essaie plus de lui-même.
/// Renvoie la session Engine.IO refusée.
async fn refused_stays_on_login(browser: &Browser, tab: &Tab) -> Result<String> {
    // Le temps qu'un nouvel essai automatique (qui ne doit pas venir) ait
    // remplacé le message du refus.
    settle(Duration::from_millis(500)).await;
    let error = browser.texts(tab, "#login-error").await?;
    ensure!(
        error.len() == 1 && error[0].contains("déjà pris"),
        "{} : le message du refus a changé : {error:?}",
        tab.name()
    );
    ensure!(
        browser.is_visible(tab, "#login").await? && browser.is_visible(tab, "#pseudo").await?,
        "{} : après un refus, le formulaire du pseudo doit rester visible",
        tab.name()
    );
    for hidden in ["#chat", "#form"] {
        ensure!(
            !browser.is_visible(tab, hidden).await?,
            "{} : après un refus, {hidden} ne doit pas se voir",
            tab.name()
        );
    }
    let state = browser
        .eval(
            tab,
            "return { connected: socket.connected, active: socket.active };",
        )
        .await?;
    ensure!(
        state["connected"] == Json::Bool(false) && state["active"] == Json::Bool(false),
        "{} : après un refus, le client devrait être déconnecté et inactif : {state}",
        tab.name()
    );
    let sessions = sessions(browser, tab).await?;
    match sessions.as_slice() {
        [refused] => Ok(refused.clone()),
        _ => bail!(
            "{} : une seule session Engine.IO attendue pour la connexion refusée, \
             pas de nouvel essai ; sessions : {sessions:?}",
            tab.name()
        ),
    }
}

/// Un pseudo piégé assez court (32 caractères au plus) : inséré comme du
/// HTML, il poserait `window.__pwned`.
const HTML_PSEUDO: &str = "<img src=x onerror=__pwned=1>";

#[tokio::test]
async fn un_pseudo_et_un_message_en_html_restent_du_texte() -> Result<()> {
    browser::run_chapter(
        "ch09-pseudos (sécurité)",
        PROGRAM,
        async |browser, server| {
            let url = server.url();
            let a = browser.open(&url, "onglet 1").await?;
            enter(browser, &a, "Alice").await?;
            let b = browser.open(&url, "onglet 2").await?;
            enter(browser, &b, HTML_PSEUDO).await?;
            notice(browser, &a, &format!("{HTML_PSEUDO} a rejoint le chat")).await?;
            send(browser, &b, HTML_PSEUDO).await?;
            wait_message(browser, &a, HTML_PSEUDO, HTML_PSEUDO).await?;
            online(browser, &a, &[HTML_PSEUDO, "Alice"]).await?;
            // Le temps qu'une image `src=x` insérée par erreur ait échoué à
            // charger et lancé son `onerror`.
            settle(Duration::from_millis(500)).await;
            for tab in [&a, &b] {
                let state = browser
                    .eval(
                        tab,
                        "return { pwned: typeof window.__pwned, \
                                  images: document.querySelectorAll('img').length };",
                    )
                    .await?;
                ensure!(
                    state["pwned"] == "undefined" && state["images"] == 0,
                    "{} : le HTML d'un pseudo ou d'un message est devenu des éléments ({state}) : \
                     la page doit utiliser textContent, jamais innerHTML",
                    tab.name()
                );
            }
            Ok(())
        },
    )
    .await
}

#[tokio::test]
async fn un_onglet_en_long_polling_discute_avec_un_onglet_en_websocket() -> Result<()> {
    browser::run_chapter(
        "ch09-pseudos (long-polling)",
        PROGRAM,
        async |browser, server| polling_and_websocket(browser, server).await,
    )
    .await
}

async fn polling_and_websocket(browser: &Browser, server: &Server) -> Result<()> {
    let url = server.url();
    let polling = browser
        .open_with(&url, "onglet long-polling", Some(FORCE_POLLING))
        .await?;
    let websocket = browser.open(&url, "onglet WebSocket").await?;
    enter(browser, &polling, "Paula").await?;
    enter(browser, &websocket, "Wassim").await?;
    browser
        .wait_js(
            &websocket,
            "le client ne passe pas en WebSocket",
            "socket.io.engine.transport.name === 'websocket'",
        )
        .await?;
    online(browser, &polling, &["Paula", "Wassim"]).await?;
    notice(browser, &polling, "Wassim a rejoint le chat").await?;

    send(browser, &polling, "Envoyé en long-polling").await?;
    wait_message(browser, &websocket, "Paula", "Envoyé en long-polling").await?;
    send(browser, &websocket, "Envoyé en WebSocket").await?;
    wait_message(browser, &polling, "Wassim", "Envoyé en WebSocket").await?;
    for tab in [&polling, &websocket] {
        browser
            .wait_texts(
                tab,
                "#messages li.mine .status",
                "le message envoyé n'est pas accusé",
                |s| s.len() == 1 && s[0].starts_with("reçu par le serveur"),
            )
            .await?;
    }

    let transport = browser.transport(&polling).await?;
    ensure!(
        transport == "polling",
        "l'onglet forcé en long-polling est passé à « {transport} »"
    );
    Ok(())
}
