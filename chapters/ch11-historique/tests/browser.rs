//! « Pour tester » du chapitre 11, dans Chromium, chaque test sur sa
//! propre base (un fichier dans un dossier temporaire) :
//!
//! - un onglet envoie trois messages ; un onglet ouvert ensuite les
//!   affiche (l'historique à la connexion) ; le premier, rechargé, les
//!   affiche une fois chacun, dans l'ordre ;
//! - le serveur est arrêté (Ctrl+C) puis relancé sur la même base et le
//!   même port ; un message envoyé pendant la panne, et ceux d'un onglet
//!   ouvert après la relance, s'affichent une fois chacun, dans l'ordre,
//!   dans les onglets restés ouverts, qui se sont reconnectés seuls.

mod common;

use std::time::Duration;

use browser::checks::open_tabs;
use browser::checks::send;
use browser::{Browser, Result, Server, Tab, bail, ensure, settle};

use common::{
    MESSAGES, database, exactly, free_port, launch_on_new_database, owned, reload, start,
};

#[tokio::test]
async fn un_onglet_recharge_retrouve_l_historique() -> Result<()> {
    let test = "ch11-historique (historique)";
    let Some((browser, _dir, server)) = launch_on_new_database(test).await? else {
        return Ok(());
    };
    history(&browser, &server)
        .await
        .and(browser.check_console().await)
        .map_err(|e| server.explain(0, &format!("{test} : {e}")))
}

async fn history(browser: &Browser, server: &Server) -> Result<()> {
    let url = server.url();
    let a = &open_tabs(browser, &url, 1).await?[0];
    let texts = owned(&["Un", "Deux", "Trois"]);
    for text in &texts {
        send(browser, a, text).await?;
    }
    // Le serveur renvoie chaque message à tous, l'émetteur compris.
    exactly(browser, a, &texts).await?;
    for text in &texts {
        server.wait_exact(0, &format!("message: {text}")).await?;
    }

    // Un onglet ouvert après coup : l'historique, à la connexion.
    let b = browser.open(&url, "onglet 2").await?;
    browser.wait_connected(&b).await?;
    exactly(browser, &b, &texts).await?;

    // Le premier onglet rechargé : une page neuve, qui part de
    // serverOffset 0, et reçoit tout une fois.
    reload(browser, a).await?;
    exactly(browser, a, &texts).await?;
    let offset = browser.eval(a, "return socket.auth.serverOffset;").await?;
    ensure!(
        offset.as_u64() == Some(3),
        "{} : après l'historique, la page devait retenir le numéro 3 ; elle retient {offset}",
        a.name()
    );
    // Rien n'a été enregistré deux fois.
    let stored = server
        .lines()
        .iter()
        .filter(|l| l.starts_with("message: "))
        .count();
    ensure!(
        stored == 3,
        "le serveur a écrit {stored} lignes « message: », on attendait 3"
    );
    Ok(())
}

const BEFORE: &str = "Avant la panne";
const DURING: &str = "Pendant la panne";
const AFTER: [&str; 2] = ["Après la relance", "Et encore un"];

#[tokio::test]
async fn apres_la_relance_chaque_onglet_recoit_ce_qu_il_a_manque_une_fois() -> Result<()> {
    let test = "ch11-historique (relance)";
    let Some(browser) = browser::launch_or_skip(test).await? else {
        return Ok(());
    };
    let (_dir, db) = database(test)?;
    let port = free_port(test)?.to_string();

    // Avant la panne : deux onglets, un message.
    let first = start(&db, &port).await.map_err(|e| e.context(test))?;
    let tabs = before(&browser, &first)
        .await
        .map_err(|e| first.explain(0, &format!("{test} : {e}")))?;
    let lines = first.stop().await.map_err(|e| e.context(test))?;
    ensure!(
        lines
            .last()
            .is_some_and(|l| l.starts_with("Arrêt du serveur")),
        "{test} : après Ctrl+C, le serveur devait dire qu'il s'arrête ; ses lignes : {lines:?}"
    );

    // Pendant la panne : l'onglet 1 envoie ; son client garde le message
    // et le renverra (`retries`).
    let (a, b) = (&tabs[0], &tabs[1]);
    during(&browser, a, b).await.map_err(|e| e.context(test))?;

    // La relance, même base, même port.
    let second = start(&db, &port).await.map_err(|e| e.context(test))?;
    after(&browser, &second, a, b)
        .await
        .map_err(|e| second.explain(0, &format!("{test} : {e}")))
}

async fn before(browser: &Browser, server: &Server) -> Result<Vec<Tab>> {
    let tabs = open_tabs(browser, &server.url(), 2).await?;
    send(browser, &tabs[0], BEFORE).await?;
    for tab in &tabs {
        exactly(browser, tab, &owned(&[BEFORE])).await?;
    }
    server.wait_exact(0, &format!("message: {BEFORE}")).await?;
    Ok(tabs)
}

async fn during(browser: &Browser, a: &Tab, b: &Tab) -> Result<()> {
    for tab in [a, b] {
        browser
            .wait_js(
                tab,
                "la page ne voit pas que le serveur est arrêté",
                "!socket.connected",
            )
            .await?;
        // La page le dit, au lieu de rester comme si de rien n'était.
        browser
            .wait_text(tab, "#messages li.notice", "Connexion perdue")
            .await?;
    }
    send(browser, a, DURING).await?;
    // Rien ne s'affiche encore : la page attend que le serveur le renvoie.
    settle(Duration::from_millis(300)).await;
    let list = browser.texts(a, MESSAGES).await?;
    ensure!(
        list == [BEFORE],
        "{} : serveur arrêté, la liste devait rester {:?} ; elle est {list:?}",
        a.name(),
        [BEFORE]
    );
    Ok(())
}

async fn after(browser: &Browser, server: &Server, a: &Tab, b: &Tab) -> Result<()> {
    ensure!(
        server.url() == browser.eval(a, "return location.href;").await?,
        "le serveur relancé devait reprendre l'adresse de la page ({})",
        server.url()
    );
    // Un troisième onglet, ouvert tout de suite, envoie deux messages :
    // les onglets 1 et 2 se reconnectent seuls, avant ou après.
    let c = browser.open(&server.url(), "onglet 3").await?;
    browser.wait_connected(&c).await?;
    let mut offline = Vec::new();
    for text in AFTER {
        send(browser, &c, text).await?;
    }
    for tab in [a, b] {
        let connected = browser.eval(tab, "return socket.connected;").await?;
        if connected != serde_json::Value::Bool(true) {
            offline.push(tab.name().to_owned());
        }
    }
    for text in [DURING].iter().chain(&AFTER) {
        server.wait_exact(0, &format!("message: {text}")).await?;
    }
    // L'ordre des numéros est celui où le serveur relancé a enregistré.
    let mut expected = vec![BEFORE.to_owned()];
    expected.extend(
        server
            .lines()
            .iter()
            .filter_map(|l| l.strip_prefix("message: "))
            .map(str::to_owned),
    );
    ensure!(
        expected.len() == 4,
        "le serveur relancé devait enregistrer trois messages, une fois chacun ; il a \
         enregistré {:?}",
        &expected[1..]
    );
    for tab in [a, b, &c] {
        browser.wait_connected(tab).await?;
        exactly(browser, tab, &expected).await?;
    }
    let offset = browser.eval(a, "return socket.auth.serverOffset;").await?;
    ensure!(
        offset.as_u64() == Some(4),
        "{} : la page devait retenir le numéro 4 ; elle retient {offset} (onglets encore \
         déconnectés quand l'onglet 3 a envoyé : {offline:?})",
        a.name()
    );

    // La console : seulement les erreurs réseau de la panne (reconnexions
    // refusées, long-polling coupé par l'arrêt).
    if let Err(e) = browser.check_console_after_outage().await {
        bail!("{e}");
    }
    Ok(())
}
