//! Les scènes de la deuxième partie (chapitres 8 et suivants) : l'idée de
//! chaque chapitre, vue dans ses onglets (et son terminal quand il en dit
//! quelque chose).

use browser::checks::{send, wait_for_item};
use std::time::Duration;

use browser::pseudos::{
    ask, dismiss_refused_session_errors, enter, notice, online, record_sessions, sessions,
    wait_message,
};
use browser::{Result, Tab, settle};

use super::scene::Scene;

/// La taille d'un onglet des pages de la deuxième partie : la liste « En
/// ligne » prend une colonne, et un message envoyé a une ligne d'état.
const TAB: (u32, u32) = (440, 330);

/// Au chapitre 10, le formulaire a en plus la liste « À qui », et la
/// discussion la ligne « … est en train d'écrire ».
const WIDE_TAB: (u32, u32) = (500, 400);

/// L'image du chapitre de `scene`, ou `None` s'il n'est pas de la
/// deuxième partie.
pub(super) async fn shoot(scene: &mut Scene<'_>) -> Result<Option<Vec<u8>>> {
    let png = match scene.chapter {
        "ch08-acks" => acks(scene).await?,
        "ch09-pseudos" => pseudos(scene).await?,
        "ch10-prive" => private(scene).await?,
        "ch11-historique" => history(scene).await?,
        _ => return Ok(None),
    };
    Ok(Some(png))
}

/// Ouvre les onglets `names`, de la taille `size`.
async fn tabs(scene: &Scene<'_>, names: &[&str], size: (u32, u32)) -> Result<Vec<Tab>> {
    let mut tabs = Vec::new();
    for name in names {
        tabs.push(scene.tab(scene.url(), name, size).await?);
    }
    Ok(tabs)
}

/// Chapitre 8 : un message accusé (« reçu par le serveur (nº 1) »), une
/// réponse, puis le serveur arrêté d'un Ctrl+C : le message suivant passe
/// en échec au bout de 5 s.
async fn acks(scene: &mut Scene<'_>) -> Result<Vec<u8>> {
    let browser = scene.browser;
    let tabs = tabs(scene, &["onglet 1", "onglet 2"], TAB).await?;
    let (a, b) = (&tabs[0], &tabs[1]);
    for tab in &tabs {
        browser.wait_connected(tab).await?;
    }
    send(browser, a, "Bonjour, tu me reçois ?").await?;
    browser
        .wait_text(a, "#messages li.delivered .status", "reçu")
        .await?;
    wait_for_item(browser, b, "Bonjour, tu me reçois ?").await?;
    send(browser, b, "Oui, cinq sur cinq !").await?;
    browser
        .wait_text(b, "#messages li.delivered .status", "reçu")
        .await?;
    wait_for_item(browser, a, "Oui, cinq sur cinq !").await?;

    scene.stop_server().await?;
    browser
        .wait_js(
            a,
            "la page ne voit pas le serveur arrêté",
            "!socket.connected",
        )
        .await?;
    send(browser, a, "Et maintenant ?").await?;
    browser
        .wait_text(a, "#messages li.failed .status", "échec")
        .await?;
    scene
        .compose(
            &[
                ("Onglet 1 : reçu nº 1, puis échec (serveur arrêté)", a),
                ("Onglet 2 : reçu nº 2", b),
            ],
            true,
        )
        .await
}

/// Chapitre 9 : Alice et Bob discutent (arrivée, liste « En ligne »,
/// messages signés) ; un troisième onglet demande « alice » : refusé, la
/// page le dit.
async fn pseudos(scene: &mut Scene<'_>) -> Result<Vec<u8>> {
    let browser = scene.browser;
    let tabs = tabs(scene, &["onglet Alice", "onglet Bob", "onglet 3"], TAB).await?;
    let (a, b, c) = (&tabs[0], &tabs[1], &tabs[2]);
    enter(browser, a, "Alice").await?;
    enter(browser, b, "Bob").await?;
    notice(browser, a, "Bob a rejoint le chat").await?;
    online(browser, a, &["Alice", "Bob"]).await?;
    send(browser, b, "Salut Alice !").await?;
    wait_message(browser, a, "Bob", "Salut Alice !").await?;
    send(browser, a, "Bonjour Bob, bienvenue").await?;
    wait_message(browser, b, "Alice", "Bonjour Bob, bienvenue").await?;
    online(browser, b, &["Alice", "Bob"]).await?;

    record_sessions(browser, c).await?;
    ask(browser, c, "alice").await?;
    browser.wait_text(c, "#login-error", "déjà pris").await?;
    // La course sans conséquence d'une requête de la session refusée
    // (voir `dismiss_refused_session_errors`) n'est pas une erreur de la
    // page.
    settle(Duration::from_millis(300)).await;
    for refused in sessions(browser, c).await? {
        dismiss_refused_session_errors(browser, &refused).await?;
    }
    scene
        .compose(
            &[
                ("Onglet 1 : Alice", a),
                ("Onglet 2 : Bob", b),
                ("Onglet 3 : « alice » est refusé", c),
            ],
            true,
        )
        .await
}

/// Chapitre 10 : Alice écrit en privé à Bob (Chloé ne le voit pas), Chloé
/// écrit à tous, puis Alice tape une réponse : les deux autres lisent
/// « Alice est en train d'écrire… ».
async fn private(scene: &mut Scene<'_>) -> Result<Vec<u8>> {
    let browser = scene.browser;
    let tabs = tabs(
        scene,
        &["onglet Alice", "onglet Bob", "onglet Chloé"],
        WIDE_TAB,
    )
    .await?;
    let (a, b, c) = (&tabs[0], &tabs[1], &tabs[2]);
    for (tab, pseudo) in [(a, "Alice"), (b, "Bob"), (c, "Chloé")] {
        enter(browser, tab, pseudo).await?;
    }
    for tab in &tabs {
        online(browser, tab, &["Alice", "Bob", "Chloé"]).await?;
    }
    send(browser, c, "Qui vient au café ?").await?;
    wait_message(browser, a, "Chloé", "Qui vient au café ?").await?;
    wait_message(browser, b, "Chloé", "Qui vient au café ?").await?;
    browser.click(a, "#to option[value=\"Bob\"]").await?;
    send(browser, a, "Psst, Bob : à midi ?").await?;
    wait_message(browser, b, "Alice (en privé)", "Psst, Bob : à midi ?").await?;
    browser
        .wait_text(a, "#messages li.private.delivered .status", "remis")
        .await?;

    // La frappe d'Alice : la ligne ne dure que 2 s après la dernière
    // touche, chaque capture est faite pendant qu'on la lit.
    let typing = "Alice est en train d'écrire…";
    browser.type_into(a, "#input", "Oui, et…").await?;
    let mut panels = Vec::new();
    for (caption, tab) in [
        ("Onglet 2 : Bob reçoit le privé", b),
        ("Onglet 3 : Chloé ne le voit pas", c),
    ] {
        browser.wait_text(tab, "#typing", typing).await?;
        panels.push(scene.shot(caption, tab).await?);
        browser.wait_text(tab, "#typing", typing).await?;
    }
    panels.insert(
        0,
        scene
            .shot("Onglet 1 : Alice écrit en privé à Bob", a)
            .await?,
    );
    scene.compose_panels(panels, false).await
}

/// Chapitre 11 : deux onglets échangent trois messages, puis l'onglet 2
/// est rechargé : la page neuve (`serverOffset: 0`) reçoit tout
/// l'historique, une fois chaque message.
async fn history(scene: &mut Scene<'_>) -> Result<Vec<u8>> {
    let browser = scene.browser;
    let tabs = tabs(scene, &["onglet 1", "onglet 2"], TAB).await?;
    let (a, b) = (&tabs[0], &tabs[1]);
    for tab in &tabs {
        browser.wait_connected(tab).await?;
    }
    let said = [
        (a, "Bonjour !"),
        (b, "Salut, ça va ?"),
        (a, "Très bien, et le serveur garde tout"),
    ];
    for (tab, text) in said {
        send(browser, tab, text).await?;
        wait_for_item(browser, a, text).await?;
        wait_for_item(browser, b, text).await?;
        scene.wait_line(&format!("message: {text}")).await?;
    }
    // F5 dans l'onglet 2 : une page neuve, une nouvelle connexion.
    browser
        .eval(
            b,
            "window.__avant = true; setTimeout(() => location.reload(), 0); return true;",
        )
        .await?;
    browser
        .wait_js(
            b,
            "la page rechargée ne se connecte pas",
            "window.__avant === undefined && typeof socket === 'object' && socket.connected",
        )
        .await?;
    for (_, text) in said {
        wait_for_item(browser, b, text).await?;
    }
    scene
        .compose(
            &[
                ("Onglet 1", a),
                ("Onglet 2 rechargé : l'historique est là", b),
            ],
            true,
        )
        .await
}
