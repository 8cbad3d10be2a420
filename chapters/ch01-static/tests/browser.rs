//! « Pour tester » du chapitre 1, dans Chromium : la page s'affiche, avec
//! son titre et son formulaire.

use browser::{Result, ensure};

const PROGRAM: &str = env!("CARGO_BIN_EXE_ch01-static");

#[tokio::test]
async fn la_page_se_charge_avec_titre_et_formulaire() -> Result<()> {
    browser::run_chapter("ch01-static", PROGRAM, async |browser, server| {
        let tab = browser.open(&server.url(), "onglet 1").await?;
        let page = browser
            .eval(
                &tab,
                "const button = document.querySelector('form#form button');
                 return {
                   title: document.title,
                   h1: (document.querySelector('h1') || {}).textContent,
                   list: !!document.querySelector('ul#messages'),
                   input: !!document.querySelector('form#form input#input'),
                   button: button ? button.textContent.trim() : null,
                 };",
            )
            .await?;
        ensure!(
            page["title"] == "Socket.io",
            "titre de la page : {}",
            page["title"]
        );
        ensure!(page["h1"] == "Socket.io", "titre <h1> : {}", page["h1"]);
        ensure!(
            page["list"] == true,
            "pas de liste ul#messages dans la page"
        );
        ensure!(
            page["input"] == true,
            "pas de champ input#input dans form#form"
        );
        ensure!(
            page["button"] == "Envoyer",
            "bouton du formulaire : {}",
            page["button"]
        );
        Ok(())
    })
    .await
}
