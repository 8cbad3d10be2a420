//! Un gros historique, reçu en long-polling par le vrai client JavaScript
//! dans Chromium : 200 messages de 400 caractères (80 Kio), que le serveur
//! livre en quelques grandes réponses HTTP. L'onglet les affiche tous, une
//! fois chacun, dans l'ordre, et reste en long-polling.
//!
//! Les vérifications en Rust (`checks`) ne peuvent pas le dire : leur
//! client (`rust_socketio` 0.6) lit une réponse de long-polling morceau par
//! morceau et perd un paquet coupé entre deux morceaux. Ce test-ci passe
//! par le client que les étudiants utilisent.

mod common;

use browser::checks::FORCE_POLLING;
use browser::{Browser, Result, Server, bail, ensure, settle};

use common::launch_on_new_database;

const COUNT: usize = 200;

#[tokio::test]
async fn un_gros_historique_arrive_entier_en_long_polling() -> Result<()> {
    let test = "ch11-historique (gros historique en long-polling)";
    let Some((browser, _dir, server)) = launch_on_new_database(test).await? else {
        return Ok(());
    };
    big_history(&browser, &server)
        .await
        .and(browser.check_console().await)
        .map_err(|e| server.explain(0, &format!("{test} : {e}")))
}

fn text(i: usize) -> String {
    format!("n°{i} {}", "x".repeat(400))
}

async fn big_history(browser: &Browser, server: &Server) -> Result<()> {
    let url = server.url();
    // Un onglet écrit les 200 messages, chacun accusé avant le suivant.
    let writer = browser.open(&url, "onglet qui écrit").await?;
    browser.wait_connected(&writer).await?;
    browser
        .eval(
            &writer,
            &format!(
                "window.__sent = 0;
                 (async () => {{
                   for (let i = 0; i < {COUNT}; i++) {{
                     await socket.timeout(10000)
                       .emitWithAck('new message', `n°${{i}} ` + 'x'.repeat(400), `gros-${{i}}`);
                     window.__sent = i + 1;
                   }}
                 }})();
                 return true;"
            ),
        )
        .await?;
    browser
        .wait_js(
            &writer,
            "les 200 messages ne sont pas tous accusés",
            &format!("window.__sent === {COUNT}"),
        )
        .await?;

    // Un onglet ouvert ensuite, forcé en long-polling : tout l'historique.
    let reader = browser
        .open_with(&url, "onglet long-polling", Some(FORCE_POLLING))
        .await?;
    browser.wait_connected(&reader).await?;
    browser
        .wait_messages(&reader, "l'historique n'arrive pas en entier", |list| {
            list.len() >= COUNT
        })
        .await?;
    // Un instant de plus : rien ne doit arriver en double après coup.
    settle(std::time::Duration::from_millis(500)).await;
    let list = browser.messages(&reader).await?;
    let expected: Vec<String> = (0..COUNT).map(text).collect();
    if list != expected {
        let at = list
            .iter()
            .zip(&expected)
            .position(|(got, want)| got != want)
            .unwrap_or(list.len().min(COUNT));
        let short = |s: Option<&String>| match s {
            Some(s) => format!("«\u{a0}{}…\u{a0}»", s.chars().take(12).collect::<String>()),
            None => "rien".to_owned(),
        };
        bail!(
            "{} n'affiche pas les {COUNT}\u{a0}messages une fois chacun, dans l'ordre\u{a0}: \
             {} affichés, premier écart au rang {at}\u{a0}: {} au lieu de {}",
            reader.name(),
            list.len(),
            short(list.get(at)),
            short(expected.get(at)),
        );
    }
    let transport = browser.transport(&reader).await?;
    ensure!(
        transport == "polling",
        "l'onglet forcé en long-polling est passé à « {transport} »"
    );
    Ok(())
}
