//! « Pour tester » du chapitre 3, dans Chromium : taper un message, cliquer
//! sur « Envoyer » ou appuyer sur Entrée ; le champ se vide, la page ne se
//! recharge pas, le serveur écrit `message: …` ; un champ vide, ou fait
//! d'espaces, n'envoie rien.

use browser::checks::restarted_with_tabs;
use browser::{Browser, Result, Tab, ensure};

const PROGRAM: &str = env!("CARGO_BIN_EXE_ch03-emit");

#[tokio::test]
async fn envoyer_au_clic_et_avec_entree() -> Result<()> {
    browser::run_chapter("ch03-emit", PROGRAM, async |browser, server| {
        let tab = browser.open(&server.url(), "onglet 1").await?;
        browser.wait_connected(&tab).await?;
        let url = browser.eval(&tab, "return location.href;").await?;
        let url = url.as_str().unwrap_or_default().to_owned();
        // Une marque dans la page : un rechargement l'effacerait.
        browser
            .eval(&tab, "window.__notReloaded = true; return null;")
            .await?;

        // Avec le bouton « Envoyer ».
        let mark = server.mark();
        browser
            .type_into(&tab, "#input", "Bonjour avec le bouton")
            .await?;
        browser.click(&tab, "#form button").await?;
        server
            .wait_exact(mark, "message: Bonjour avec le bouton")
            .await?;
        still_same_page(browser, &tab, &url).await?;

        // Avec la touche Entrée.
        let mark = server.mark();
        browser
            .type_into(&tab, "#input", "Bonjour avec Entrée")
            .await?;
        browser.press_enter(&tab, "#input").await?;
        server
            .wait_exact(mark, "message: Bonjour avec Entrée")
            .await?;
        still_same_page(browser, &tab, &url).await?;

        // Un champ vide n'envoie rien : ni au clic, ni avec Entrée ; un champ
        // fait d'espaces non plus, et il est vidé. Le message suivant arrive
        // après ce qu'auraient envoyé ces trois essais.
        let mark = server.mark();
        browser.click(&tab, "#form button").await?;
        browser.press_enter(&tab, "#input").await?;
        browser.type_into(&tab, "#input", "   ").await?;
        browser.press_enter(&tab, "#input").await?;
        still_same_page(browser, &tab, &url).await?;
        browser
            .type_into(&tab, "#input", "Après trois envois à vide")
            .await?;
        browser.press_enter(&tab, "#input").await?;
        let after = server
            .wait_exact(mark, "message: Après trois envois à vide")
            .await?;
        let before: Vec<String> = server
            .lines_since(mark)
            .into_iter()
            .take(after - mark)
            .collect();
        ensure!(
            before.is_empty(),
            "un envoi avec le champ vide a fait écrire au serveur : {before:?}"
        );
        still_same_page(browser, &tab, &url).await
    })
    .await
}

/// Le champ est vide, et la page est la même (pas rechargée, même adresse).
async fn still_same_page(browser: &Browser, tab: &Tab, url: &str) -> Result<()> {
    let state = browser
        .eval(
            tab,
            "return { input: document.getElementById('input').value,
                      kept: window.__notReloaded === true,
                      url: location.href };",
        )
        .await?;
    ensure!(
        state["input"] == "",
        "le champ n'a pas été vidé : {}",
        state["input"]
    );
    ensure!(
        state["kept"] == true,
        "la page s'est rechargée (preventDefault manquant ?)"
    );
    ensure!(
        state["url"] == url,
        "la page a changé d'adresse : {} (au lieu de {url})",
        state["url"]
    );
    Ok(())
}

/// Le serveur arrêté d'un Ctrl+C puis relancé : la page se reconnecte
/// d'elle-même, et un message tapé ensuite arrive au serveur (sans le
/// gestionnaire `disconnect` de la page, il resterait dans la bibliothèque
/// cliente, sans rien dire).
#[tokio::test]
async fn apres_une_relance_un_message_arrive() -> Result<()> {
    let test = "ch03-emit (arrêt et relance)";
    let Some(browser) = browser::launch_or_skip(test).await? else {
        return Ok(());
    };
    let (again, tabs) = restarted_with_tabs(&browser, PROGRAM, test, 1).await?;
    let mark = again.mark();
    browser
        .type_into(&tabs[0], "#input", "Après la relance")
        .await?;
    browser.press_enter(&tabs[0], "#input").await?;
    again
        .wait_exact(mark, "message: Après la relance")
        .await
        .map_err(|e| again.explain(0, &format!("{test} : {e}")))?;
    browser
        .check_console_after_outage()
        .await
        .map_err(|e| again.explain(0, &format!("{test} : {e}")))
}
