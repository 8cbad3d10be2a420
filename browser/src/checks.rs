//! Les vérifications communes à plusieurs chapitres, faites comme un
//! étudiant les fait à la main : des onglets, le clavier, les yeux sur la
//! liste `#messages`.
//!
//! Aucune ne compte sur une simple pause pour conclure qu'un message n'est
//! *pas* arrivé : elle envoie ensuite un autre message, qui, lui, doit
//! arriver. Les messages d'un même client arrivent dans l'ordre, donc quand
//! le second est là, le premier aurait dû l'être aussi.

use std::time::Duration;

use crate::{Browser, Error, Result, Server, Tab, bail, ensure, settle};

/// La forme de la discussion d'un chapitre.
#[derive(Debug, Clone, Copy)]
pub struct Chat {
    /// L'émetteur voit-il son propre message ? (`io.emit` : oui ;
    /// `socket.broadcast.emit` : non.)
    pub sender_sees_own: bool,
    /// Ce que la page écrit devant chaque message reçu (`[room1] ` au
    /// chapitre 7).
    pub shown_prefix: &'static str,
}

impl Chat {
    /// Chapitre 4 : `io.emit`, tout le monde reçoit, émetteur compris.
    pub const TO_ALL: Self = Self {
        sender_sees_own: true,
        shown_prefix: "",
    };
    /// Chapitres 5 et 6 : `socket.broadcast.emit`, tous sauf l'émetteur.
    pub const BROADCAST: Self = Self {
        sender_sees_own: false,
        shown_prefix: "",
    };
    /// Chapitre 7 : le salon affiché par défaut, `room1`, où chacun entre à
    /// la connexion (`io.to(room).emit`, émetteur compris).
    pub const ROOM1: Self = Self {
        sender_sees_own: true,
        shown_prefix: "[room1] ",
    };

    /// Le texte de l'élément de liste qui affiche `text`.
    pub fn shown(&self, text: &str) -> String {
        format!("{}{text}", self.shown_prefix)
    }
}

/// Le message piégé : s'il était inséré comme du HTML, `onerror` poserait
/// `window.__pwned`.
pub const HTML_PAYLOAD: &str = "<img src=x onerror=window.__pwned=1>";

/// Ouvre `count` onglets sur `url` (« onglet 1 »…) et attend que chacun soit
/// connecté.
pub async fn open_tabs(browser: &Browser, url: &str, count: usize) -> Result<Vec<Tab>> {
    let mut tabs = Vec::with_capacity(count);
    for n in 1..=count {
        tabs.push(browser.open(url, &format!("onglet {n}")).await?);
    }
    for tab in &tabs {
        browser.wait_connected(tab).await?;
    }
    Ok(tabs)
}

/// Envoie `text` comme un étudiant : le taper dans `#input`, appuyer sur
/// Entrée ; vérifie que la page a vidé le champ en traitant l'envoi. Le
/// champ est lu juste après le gestionnaire `submit` de la page (un second
/// gestionnaire, inscrit après le sien) : un refus du serveur peut y
/// remettre le texte un instant plus tard (`giveBack`), et ce n'est pas un
/// champ resté plein.
pub async fn send(browser: &Browser, tab: &Tab, text: &str) -> Result<()> {
    browser.eval(tab, WATCH_SUBMIT).await?;
    browser.type_into(tab, "#input", text).await?;
    browser.press_enter(tab, "#input").await?;
    let left = browser.eval(tab, "return window.__leftOnSubmit;").await?;
    ensure!(
        left.as_str() == Some(""),
        "{} : après l'envoi de « {text} », le champ contient encore {left}",
        tab.name()
    );
    Ok(())
}

/// Note dans `window.__leftOnSubmit` ce que contient `#input` juste après le
/// gestionnaire `submit` de la page, au prochain envoi.
const WATCH_SUBMIT: &str = "
    const field = document.getElementById('input');
    window.__leftOnSubmit = null;
    field.form.addEventListener('submit', () => { window.__leftOnSubmit = field.value; },
                                { once: true });
    return true;
";

/// Le chapitre `program` lancé, `count` onglets connectés, puis le serveur
/// arrêté d'un Ctrl+C sans fermer les onglets et relancé à la même adresse :
/// rend le serveur relancé et les onglets, une fois chacun reconnecté de
/// lui-même (les pages rouvrent la connexion que le serveur a fermée en
/// s'arrêtant, `io server disconnect`).
pub async fn restarted_with_tabs(
    browser: &Browser,
    program: &str,
    test: &str,
    count: usize,
) -> Result<(Server, Vec<Tab>)> {
    let server = Server::start(program).await.map_err(|e| e.context(test))?;
    let port = server.port();
    let tabs = open_tabs(browser, &server.url(), count).await?;
    server.stop().await.map_err(|e| e.context(test))?;
    let again = Server::start_on_port(program, port, &[])
        .await
        .map_err(|e| e.context(test))?;
    for tab in &tabs {
        if let Err(e) = browser.wait_connected(tab).await {
            return Err(again.explain(0, &format!("{test} : {e}")));
        }
    }
    Ok((again, tabs))
}

/// Attend que la liste de `tab` contienne `item`, et la renvoie.
pub async fn wait_for_item(browser: &Browser, tab: &Tab, item: &str) -> Result<Vec<String>> {
    browser
        .wait_messages(tab, &format!("« {item} » n'apparaît pas"), |list| {
            list.iter().any(|l| l == item)
        })
        .await
}

/// Attend que la liste de `tab` ait au moins `expected.len()` éléments, puis
/// vérifie qu'elle vaut exactement `expected` (chaque message une fois, dans
/// l'ordre).
pub async fn expect_list(browser: &Browser, tab: &Tab, expected: &[String]) -> Result<()> {
    let list = browser
        .wait_messages(tab, &format!("on attend la liste {expected:?}"), |list| {
            list.len() >= expected.len()
        })
        .await?;
    check_list(tab, &list, expected)
}

fn check_list(tab: &Tab, list: &[String], expected: &[String]) -> Result<()> {
    if list == expected {
        return Ok(());
    }
    let twice: Vec<&String> = list
        .iter()
        .enumerate()
        .filter(|(i, l)| list[..*i].contains(l))
        .map(|(_, l)| l)
        .collect();
    let why = if !twice.is_empty() {
        format!("affiché plusieurs fois : {twice:?}")
    } else if list.len() == expected.len() && expected.iter().all(|e| list.contains(e)) {
        "les bons messages, mais pas dans l'ordre d'envoi".to_owned()
    } else {
        "pas les messages attendus".to_owned()
    };
    bail!(
        "{} affiche {list:?}, on attendait {expected:?} : {why}",
        tab.name()
    )
}

/// Chapitre 4 (« Pour tester ») : trois onglets ; un message envoyé depuis
/// l'un s'affiche une fois dans les trois, émetteur compris, dans l'ordre.
pub async fn reaches_every_tab_in_order(browser: &Browser, url: &str) -> Result<()> {
    let tabs = open_tabs(browser, url, 3).await?;
    let mut expected: Vec<String> = Vec::new();
    // Trois messages d'affilée depuis l'onglet 1…
    for text in ["Premier message", "Deuxième message", "Troisième message"] {
        send(browser, &tabs[0], text).await?;
        expected.push(text.to_owned());
    }
    for tab in &tabs {
        expect_list(browser, tab, &expected).await?;
    }
    // … puis un depuis l'onglet 2.
    send(browser, &tabs[1], "Réponse de l'onglet 2").await?;
    expected.push("Réponse de l'onglet 2".to_owned());
    for tab in &tabs {
        expect_list(browser, tab, &expected).await?;
    }
    // Un doublon tardif se verrait maintenant.
    settle(Duration::from_millis(300)).await;
    for tab in &tabs {
        let list = browser.messages(tab).await?;
        check_list(tab, &list, &expected)?;
    }
    Ok(())
}

/// Chapitre 5 (« Pour tester ») : trois onglets ; un message s'affiche dans
/// les deux autres, pas dans celui qui l'a envoyé.
///
/// Si le serveur renvoie aussi à l'émetteur (`io.emit` au lieu de
/// `socket.broadcast.emit`), l'erreur dit que l'émetteur a vu son propre
/// message.
pub async fn skips_the_sender(browser: &Browser, url: &str) -> Result<()> {
    let tabs = open_tabs(browser, url, 3).await?;
    let (one, two, three) = (&tabs[0], &tabs[1], &tabs[2]);
    let first = "Bonjour de l'onglet 1";
    let second = "Réponse de l'onglet 2";
    let third = "Salut de l'onglet 3";

    send(browser, one, first).await?;
    wait_for_item(browser, two, first).await?;
    wait_for_item(browser, three, first).await?;

    // L'onglet 1 reçoit forcément la réponse de l'onglet 2 ; s'il avait reçu
    // son propre message, ce serait avant.
    send(browser, two, second).await?;
    let list = wait_for_item(browser, one, second).await?;
    sender_did_not_see(one, first, &list)?;

    // Même chose pour l'onglet 2, grâce au message de l'onglet 3.
    send(browser, three, third).await?;
    let list = wait_for_item(browser, two, third).await?;
    sender_did_not_see(two, second, &list)?;
    let list = wait_for_item(browser, one, third).await?;
    check_list(one, &list, &[second.to_owned(), third.to_owned()])?;
    check_list(
        two,
        &browser.messages(two).await?,
        &[first.to_owned(), third.to_owned()],
    )?;

    // L'onglet 3 : le sien ne doit pas revenir (il a reçu les deux autres).
    settle(Duration::from_millis(300)).await;
    let list = browser.messages(three).await?;
    sender_did_not_see(three, third, &list)?;
    check_list(three, &list, &[first.to_owned(), second.to_owned()])
}

fn sender_did_not_see(tab: &Tab, own: &str, list: &[String]) -> Result<()> {
    ensure!(
        !list.iter().any(|l| l == own),
        "l'émetteur a vu son propre message (the sender saw its own message) : {} a envoyé \
         « {own} » et l'affiche aussi ({list:?}). Le serveur l'a renvoyé à tout le monde \
         (io.emit) au lieu de tous sauf l'émetteur (socket.broadcast().emit).",
        tab.name()
    );
    Ok(())
}

/// Sécurité : le texte [`HTML_PAYLOAD`] s'affiche comme du texte dans chaque
/// onglet qui le reçoit, et n'est jamais exécuté (`window.__pwned` reste
/// indéfini partout).
pub async fn html_is_shown_as_text(browser: &Browser, url: &str, chat: Chat) -> Result<()> {
    let tabs = open_tabs(browser, url, 3).await?;
    send(browser, &tabs[0], HTML_PAYLOAD).await?;
    let shown = chat.shown(HTML_PAYLOAD);
    let receivers = if chat.sender_sees_own {
        &tabs[..]
    } else {
        &tabs[1..]
    };
    for tab in receivers {
        wait_for_item(browser, tab, &shown).await?;
    }
    // Le temps qu'une image `src=x` insérée par erreur ait échoué à charger
    // et lancé son `onerror`.
    settle(Duration::from_millis(500)).await;
    for tab in &tabs {
        let state = browser
            .eval(
                tab,
                "return { pwned: typeof window.__pwned, \
                          elements: document.querySelectorAll('#messages li *').length };",
            )
            .await?;
        ensure!(
            state["pwned"] == "undefined",
            "{} : le HTML d'un message a été exécuté (window.__pwned = {}) : la page doit \
             utiliser textContent, jamais innerHTML",
            tab.name(),
            state["pwned"]
        );
        ensure!(
            state["elements"] == 0,
            "{} : le message « {HTML_PAYLOAD} » a créé des éléments HTML dans la liste au lieu \
             d'être affiché comme du texte",
            tab.name()
        );
    }
    Ok(())
}

/// Le script qui force le client d'un onglet en long-polling : l'appel
/// `io()` de la page devient `io({ transports: ['polling'] })`, sans toucher
/// aux fichiers du client. Il s'exécute avant les scripts de la page et
/// intercepte la fonction `io` quand `socket.io.js` la définit.
pub const FORCE_POLLING: &str = r"
(() => {
  let real;
  const forced = function (uri, opts) {
    if (typeof uri === 'object' && uri !== null) { opts = uri; uri = undefined; }
    return real(uri, Object.assign({}, opts, { transports: ['polling'] }));
  };
  Object.defineProperty(window, 'io', {
    configurable: true,
    get() { return real === undefined ? undefined : Object.assign(forced, real); },
    set(value) { real = value; },
  });
})();
";

/// Le script qui répond aux `prompt()` d'une page, à passer à
/// [`Browser::open_with`] : le premier appel rend `answers[0]`, le suivant
/// `answers[1]`…, puis `null` (comme « Annuler ») quand il n'y en a plus.
/// Chaque question posée est notée dans `window.__prompts`, pour vérifier
/// que la page a bien demandé. Un rechargement de la page repart de la
/// première réponse.
///
/// Sans lui, la boîte de dialogue est fermée aussitôt, comme « Annuler »
/// (`unhandledPromptBehavior: dismiss`).
pub fn answer_prompts(answers: &[&str]) -> String {
    let answers = serde_json::json!(answers);
    format!(
        "(() => {{
  const answers = {answers};
  window.__prompts = [];
  window.prompt = (message) => {{
    window.__prompts.push(String(message));
    return answers.length > 0 ? answers.shift() : null;
  }};
}})();
"
    )
}

/// Repli du transport : un onglet forcé en long-polling discute avec un
/// onglet en WebSocket, dans les deux sens.
pub async fn polling_tab_chats_with_websocket_tab(
    browser: &Browser,
    url: &str,
    chat: Chat,
) -> Result<()> {
    let polling = browser
        .open_with(url, "onglet long-polling", Some(FORCE_POLLING))
        .await?;
    let websocket = browser.open(url, "onglet WebSocket").await?;
    browser.wait_connected(&polling).await?;
    browser.wait_connected(&websocket).await?;
    browser
        .wait_js(
            &websocket,
            "le client ne passe pas en WebSocket",
            "socket.io.engine.transport.name === 'websocket'",
        )
        .await?;
    let transport = browser.transport(&polling).await?;
    ensure!(
        transport == "polling",
        "l'onglet forcé en long-polling utilise « {transport} »"
    );

    let from_polling = "Envoyé en long-polling";
    let from_websocket = "Envoyé en WebSocket";
    send(browser, &polling, from_polling).await?;
    wait_for_item(browser, &websocket, &chat.shown(from_polling)).await?;
    send(browser, &websocket, from_websocket).await?;
    wait_for_item(browser, &polling, &chat.shown(from_websocket)).await?;

    if !chat.sender_sees_own {
        // Chaque onglet a reçu le message de l'autre, envoyé après le sien.
        let list = browser.messages(&polling).await?;
        sender_did_not_see(&polling, &chat.shown(from_polling), &list)?;
    }
    let both = vec![chat.shown(from_polling), chat.shown(from_websocket)];
    let (for_polling, for_websocket) = if chat.sender_sees_own {
        (both.clone(), both)
    } else {
        (vec![both[1].clone()], vec![both[0].clone()])
    };
    expect_list(browser, &polling, &for_polling).await?;
    expect_list(browser, &websocket, &for_websocket).await?;

    let transport = browser.transport(&polling).await?;
    ensure!(
        transport == "polling",
        "l'onglet forcé en long-polling est passé à « {transport} »"
    );
    Ok(())
}

/// Échoue si la console du navigateur contient des erreurs.
pub async fn no_console_errors(browser: &Browser) -> Result<()> {
    browser.check_console().await
}

/// Ajoute le nom de l'étape devant une erreur.
pub fn step<T>(name: &str, result: Result<T>) -> Result<T> {
    result.map_err(|e: Error| e.context(name))
}
