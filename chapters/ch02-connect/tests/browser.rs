//! « Pour tester » du chapitre 2, dans Chromium : ouvrir la page fait écrire
//! au serveur `Un client vient de se connecter`, sans erreur dans la console
//! du navigateur (un `/socket.io/socket.io.js` absent s'y verrait).

use browser::Result;

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
