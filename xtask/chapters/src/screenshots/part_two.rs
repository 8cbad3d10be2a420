//! Les scènes de la deuxième partie (chapitres 8 et suivants) : l'idée de
//! chaque chapitre, vue dans ses onglets (et son terminal quand il en dit
//! quelque chose).

use browser::checks::{send, wait_for_item};
use std::ffi::OsStr;
use std::path::Path;
use std::time::Duration;

use browser::pseudos::{
    ask, dismiss_refused_session_errors, enter, notice, online, record_sessions, sessions,
    wait_message,
};
use browser::{Browser, Error, Panel, Result, Server, Tab, settle};
use checks::redis::RedisServer;

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
        // Le chapitre 12 lance ses propres serveurs : voir `cluster`.
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

/// Chapitre 12 : un `redis-server` jetable, deux processus du chapitre
/// reliés par lui (ils deviennent les ports 3000 et 3001 du livre), Alice
/// sur le premier, Bob sur le second ; ils se voient en ligne et se
/// répondent ; un troisième onglet, sur le port 3001, se voit refuser
/// « ALICE », prise sur l'autre processus. Sous les onglets, les deux
/// terminaux : chacun n'écrit que ce qu'ont fait ses propres clients.
///
/// La scène lance elle-même ses serveurs (d'où `program`) : le chapitre 12
/// en veut deux, et Redis avant eux.
pub(super) async fn cluster(browser: &Browser, program: &Path) -> Result<Vec<u8>> {
    let redis = RedisServer::start()
        .await
        .map_err(|e| Error::new(format!("Redis n'a pas pu démarrer.\n{e}")))?;
    let url = redis.url();
    let env = [("REDIS_URL", OsStr::new(&url))];
    let a = Server::start_with_env(program, &env).await?;
    let b = Server::start_with_env(program, &env).await?;
    let mut panels = match cluster_scene(browser, &a, &b).await {
        Ok(panels) => panels,
        Err(e) => {
            let from_a = a.explain(0, &format!("{e}\nProcessus A"));
            return Err(b.explain(0, &format!("{from_a}\nProcessus B")));
        }
    };
    // Les ports tirés au hasard deviennent ceux du livre.
    for (number, server, port) in [(1, &a, 3000), (2, &b, 3001)] {
        let mut lines = vec![format!("$ PORT={port} cargo run -p ch12-cluster")];
        let random = format!("localhost:{}", server.port());
        let redis_port = format!("127.0.0.1:{}", redis.port());
        for line in server.lines() {
            lines.push(
                line.replace(&random, &format!("localhost:{port}"))
                    .replace(&redis_port, "127.0.0.1:6379"),
            );
        }
        panels.push(Panel::Terminal {
            caption: format!("Terminal {number} : le processus du port {port}"),
            lines,
        });
    }
    browser.compose(&panels).await
}

/// Les onglets de [`cluster`] : Alice sur `a`, Bob sur `b`, et le refus.
async fn cluster_scene(browser: &Browser, a: &Server, b: &Server) -> Result<Vec<Panel>> {
    let mut tabs = Vec::new();
    for (server, name) in [
        (a, "onglet Alice (port 3000)"),
        (b, "onglet Bob (port 3001)"),
        (b, "onglet 3 (port 3001)"),
    ] {
        let tab = browser.open(&server.url(), name).await?;
        browser.resize(&tab, TAB.0, TAB.1).await?;
        tabs.push(tab);
    }
    let (alice, bob, third) = (&tabs[0], &tabs[1], &tabs[2]);
    enter(browser, alice, "Alice").await?;
    online(browser, alice, &["Alice"]).await?;
    enter(browser, bob, "Bob").await?;
    notice(browser, alice, "Bob a rejoint le chat").await?;
    online(browser, alice, &["Alice", "Bob"]).await?;
    online(browser, bob, &["Alice", "Bob"]).await?;
    send(browser, alice, "Bonjour du port 3000 !").await?;
    wait_message(browser, bob, "Alice", "Bonjour du port 3000 !").await?;
    send(browser, bob, "Reçu sur le 3001, salut Alice").await?;
    wait_message(browser, alice, "Bob", "Reçu sur le 3001, salut Alice").await?;
    a.wait_exact(0, "message: Bonjour du port 3000 !").await?;
    b.wait_exact(0, "message: Reçu sur le 3001, salut Alice")
        .await?;

    record_sessions(browser, third).await?;
    let mark = b.mark();
    ask(browser, third, "ALICE").await?;
    browser
        .wait_text(third, "#login-error", "déjà pris")
        .await?;
    b.wait_line(mark, "le refus du pseudo", |l| {
        l.starts_with("Connexion refusée")
    })
    .await?;
    // La course sans conséquence d'une requête de la session refusée
    // (voir `dismiss_refused_session_errors`) n'est pas une erreur de la
    // page.
    settle(Duration::from_millis(300)).await;
    for refused in sessions(browser, third).await? {
        dismiss_refused_session_errors(browser, &refused).await?;
    }
    let mut panels = Vec::new();
    for (caption, tab) in [
        ("Onglet 1 : Alice, sur le port 3000", alice),
        ("Onglet 2 : Bob, sur le port 3001", bob),
        ("Onglet 3, port 3001 : « ALICE » est refusé", third),
    ] {
        panels.push(Panel::Tab {
            caption: caption.to_owned(),
            png: browser.screenshot(tab).await?,
        });
    }
    browser.check_console().await?;
    Ok(panels)
}
