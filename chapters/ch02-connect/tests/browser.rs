//! « Pour tester » du chapitre 2, dans Chromium : ouvrir la page fait écrire
//! au serveur `Un client vient de se connecter`, sans erreur dans la console
//! du navigateur (un `/socket.io/socket.io.js` absent s'y verrait).

use browser::Result;
use browser::checks::restarted_with_tabs;

const PROGRAM: &str = env!("CARGO_BIN_EXE_ch02-connect");
const CONNECTED: &str = "Un client vient de se connecter";

#[tokio::test]
async fn chaque_onglet_ouvert_se_connecte() -> Result<()> {
    browser::run_chapter("ch02-connect", PROGRAM, async |browser, server| {
        let mark = server.mark();
        let one = browser.open(&server.url(), "onglet 1").await?;
        browser.wait_connected(&one).await?;
        let first = server.wait_exact(mark, CONNECTED).await?;

        // Un deuxième onglet : une deuxième ligne.
        let two = browser.open(&server.url(), "onglet 2").await?;
        browser.wait_connected(&two).await?;
        server.wait_exact(first + 1, CONNECTED).await?;
        // La console est vérifiée à la fin par `run_chapter`.
        Ok(())
    })
    .await
}

/// L'étape 6 : le serveur arrêté d'un Ctrl+C sans fermer les onglets, puis
/// relancé à la même adresse ; chaque onglet se reconnecte de lui-même, et
/// le terminal écrit une ligne par onglet.
#[tokio::test]
async fn apres_une_relance_chaque_onglet_se_reconnecte() -> Result<()> {
    let test = "ch02-connect (arrêt et relance)";
    let Some(browser) = browser::launch_or_skip(test).await? else {
        return Ok(());
    };
    let (again, _tabs) = restarted_with_tabs(&browser, PROGRAM, test, 2).await?;
    let first = again.wait_exact(0, CONNECTED).await?;
    again.wait_exact(first + 1, CONNECTED).await?;
    browser
        .check_console_after_outage()
        .await
        .map_err(|e| again.explain(0, &format!("{test} : {e}")))
}
