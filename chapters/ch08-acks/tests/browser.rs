//! « Pour tester » du chapitre 8, dans Chromium : deux onglets ; le message
//! envoyé s'affiche chez l'émetteur « en attente », puis « reçu par le
//! serveur (nº 1) », et chez l'autre ; le serveur arrêté, un message envoyé
//! est marqué en échec au bout de 5 s.
//!
//! Plus : 1 000 messages envoyés d'affilée par le client de la page
//! (`emitWithAck` sans attendre les réponses) reçoivent 1 000 accusés aux
//! numéros strictement croissants, et l'autre onglet les affiche tous, dans
//! l'ordre. Le client de test en Rust n'enchaîne pas les accusés ainsi :
//! c'est ce test qui prouve la ligne « d'affilée » du contrat.

use std::time::{Duration, Instant};

use browser::checks::{open_tabs, send, wait_for_item};
use browser::{Browser, Result, Server, Tab, bail, ensure, settle};

const PROGRAM: &str = env!("CARGO_BIN_EXE_ch08-acks");

/// Ce que la page écrit sous un message accusé (une espace insécable après
/// « nº »), et sous un message resté sans réponse (insécable avant « : »).
const DELIVERED_1: &str = "reçu par le serveur (nº\u{a0}1)";
const TIMED_OUT: &str = "échec\u{a0}: pas de réponse du serveur en 5 secondes";

/// Note, pour chaque mutation de `#messages`, la classe de chaque `li`
/// touché (`window.__states`) : l'état « en attente » ne dure que le temps
/// d'un aller-retour, trop peu pour le lire à coup sûr, mais il passe par
/// là.
const RECORD_STATES: &str = "
    window.__states = [];
    new MutationObserver((mutations) => {
      for (const m of mutations) {
        const li = m.target.closest ? m.target.closest('li') : null;
        for (const e of li ? [li] : Array.from(m.addedNodes)) {
          if (e.tagName === 'LI') { window.__states.push(e.className); }
        }
      }
    }).observe(document.getElementById('messages'),
               { childList: true, subtree: true, attributes: true, characterData: true });
    return true;
";

#[tokio::test]
async fn le_message_passe_d_en_attente_a_recu_puis_en_echec_sans_serveur() -> Result<()> {
    let test = "ch08-acks";
    let Some(browser) = browser::launch_or_skip(test).await? else {
        return Ok(());
    };
    let server = Server::start(PROGRAM).await.map_err(|e| e.context(test))?;
    let tabs = delivered(&browser, &server)
        .await
        .map_err(|e| server.explain(0, &format!("{test} : {e}")))?;
    browser.check_console().await?;

    // Ctrl+C dans le terminal du serveur : plus personne pour accuser
    // réception.
    let lines = server.stop().await.map_err(|e| e.context(test))?;
    ensure!(
        lines
            .last()
            .is_some_and(|l| l.starts_with("Arrêt du serveur")),
        "{test} : après Ctrl+C, le serveur devait dire qu'il s'arrête ; ses lignes : {lines:?}"
    );
    failed(&browser, &tabs[0])
        .await
        .map_err(|e| e.context(test))
}

/// Un message de l'onglet 1 : en attente, puis reçu nº 1 ; l'onglet 2 le
/// reçoit, sans état (ce n'est pas le sien).
async fn delivered(browser: &Browser, server: &Server) -> Result<Vec<Tab>> {
    let url = server.url();
    let tabs = open_tabs(browser, &url, 2).await?;
    let (a, b) = (&tabs[0], &tabs[1]);
    browser.eval(a, RECORD_STATES).await?;

    let text = "Bonjour, tu me reçois ?";
    send(browser, a, text).await?;
    let status = browser
        .wait_text(a, "#messages li.mine.delivered .status", "reçu")
        .await?;
    ensure!(
        status == DELIVERED_1,
        "{} : l'état du message est « {status} », on attendait « {DELIVERED_1} »",
        a.name()
    );
    let states = browser.eval(a, "return window.__states;").await?;
    let states: Vec<&str> = states
        .as_array()
        .map(|s| s.iter().filter_map(|v| v.as_str()).collect())
        .unwrap_or_default();
    let pending = states.iter().position(|s| s.contains("pending"));
    let done = states.iter().position(|s| s.contains("delivered"));
    ensure!(
        matches!((pending, done), (Some(p), Some(d)) if p < d),
        "{} : le message devait s'afficher « en attente » avant d'être « reçu » ; \
         classes vues successivement : {states:?}",
        a.name()
    );
    server.wait_exact(0, &format!("message: {text}")).await?;

    // L'autre onglet : le texte seul (le chapitre 5, rien de plus).
    wait_for_item(browser, b, text).await?;
    let classes = browser
        .eval(
            b,
            "return Array.from(document.querySelectorAll('#messages li'), e => e.className);",
        )
        .await?;
    ensure!(
        classes == serde_json::json!([""]),
        "{} : le message reçu ne doit porter aucun état (ni « mine », ni accusé) ; \
         classes : {classes}",
        b.name()
    );
    Ok(tabs)
}

/// Le serveur arrêté, un message de l'onglet 1 reste « en attente », puis
/// passe en échec quand le délai de 5 s de `timeout(5000)` est écoulé.
async fn failed(browser: &Browser, a: &Tab) -> Result<()> {
    browser
        .wait_js(
            a,
            "la page ne voit pas que le serveur est arrêté",
            "!socket.connected",
        )
        .await?;
    let text = "Et maintenant ?";
    let sent = Instant::now();
    send(browser, a, text).await?;
    let pending = browser
        .texts(a, "#messages li.mine.pending .status")
        .await?;
    ensure!(
        pending == ["en attente…"],
        "{} : juste après l'envoi, le message devait être « en attente… » ; états : {pending:?}",
        a.name()
    );
    let status = browser
        .wait_text(a, "#messages li.mine.failed .status", "échec")
        .await?;
    let waited = sent.elapsed();
    ensure!(
        status == TIMED_OUT,
        "{} : l'échec dit « {status} », on attendait la raison (pas de réponse en 5 secondes)",
        a.name()
    );
    ensure!(
        waited >= Duration::from_millis(4_500),
        "{} : le message est passé en échec au bout de {waited:?}, avant le délai de 5 s",
        a.name()
    );
    // Le premier message, lui, reste reçu.
    let all = browser.texts(a, "#messages li .status").await?;
    ensure!(
        all == [DELIVERED_1, TIMED_OUT],
        "{} : les états des deux messages sont {all:?}",
        a.name()
    );
    // La console ne montre alors que les erreurs réseau de la panne.
    for error in browser.console_errors().await? {
        if !browser::is_outage_error(&error) {
            bail!("erreur inattendue dans la console du navigateur : {error}");
        }
    }
    Ok(())
}

/// Le nombre de messages envoyés d'affilée.
const BURST: usize = 1_000;

#[tokio::test]
async fn mille_messages_d_affilee_mille_accuses_croissants_et_dans_l_ordre() -> Result<()> {
    browser::run_chapter(
        "ch08-acks (1 000 d'affilée)",
        PROGRAM,
        async |browser, server| {
            let tabs = open_tabs(browser, &server.url(), 2).await?;
            let (a, b) = (&tabs[0], &tabs[1]);
            // Tous les envois partent avant le premier accusé : les promesses
            // sont attendues ensemble, à la fin.
            let script = format!(
                "const sent = [];
             for (let i = 1; i <= {BURST}; i++) {{
               sent.push(socket.timeout(20000).emitWithAck('new message', 'message ' + i));
             }}
             return Promise.all(sent);"
            );
            let replies = browser.eval(a, &script).await?;
            let Some(replies) = replies.as_array() else {
                bail!(
                    "{} : les accusés ne sont pas une liste : {replies}",
                    a.name()
                );
            };
            ensure!(
                replies.len() == BURST,
                "{} : {} accusés pour {BURST} messages",
                a.name(),
                replies.len()
            );
            let mut last = 0;
            for (n, reply) in replies.iter().enumerate() {
                let Some(id) = reply["id"].as_u64() else {
                    bail!("accusé du message {} sans numéro : {reply}", n + 1);
                };
                ensure!(
                    id > last,
                    "accusé du message {} : nº {id} après nº {last}, les numéros devaient croître \
                 strictement, dans l'ordre d'envoi",
                    n + 1
                );
                last = id;
            }

            let expected: Vec<String> = (1..=BURST).map(|i| format!("message {i}")).collect();
            let list = browser
                .wait_messages(b, &format!("on attend les {BURST} messages"), |list| {
                    list.len() >= BURST
                })
                .await?;
            if list != expected {
                let first = list
                    .iter()
                    .zip(&expected)
                    .position(|(got, want)| got != want)
                    .unwrap_or(BURST.min(list.len()));
                bail!(
                    "{} a reçu {} messages, pas ceux envoyés dans l'ordre : le nº {} est {:?}, \
                 on attendait {:?}",
                    b.name(),
                    list.len(),
                    first + 1,
                    list.get(first),
                    expected.get(first)
                );
            }
            // Rien en double après coup, et rien chez l'émetteur.
            settle(Duration::from_millis(300)).await;
            let count = browser.messages(b).await?.len();
            ensure!(count == BURST, "{} affiche {count} messages", b.name());
            let own = browser.messages(a).await?.len();
            ensure!(
                own == 0,
                "{} : l'émetteur affiche {own} messages, il ne devait pas recevoir les siens",
                a.name()
            );
            Ok(())
        },
    )
    .await
}
