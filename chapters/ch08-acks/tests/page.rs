//! La page commune des chapitres 8 à 15 (`client/commun`), vue comme un
//! étudiant la voit : un mot très long (une adresse, un rire sans fin) reste
//! dans sa bulle au lieu de pousser la liste hors de l'écran ; un champ fait
//! d'espaces n'envoie rien et se vide, pour que ces espaces ne précèdent pas
//! le message suivant.

use browser::checks::{open_tabs, send};
use browser::{Result, ensure, run_chapter};

const PROGRAM: &str = env!("CARGO_BIN_EXE_ch08-acks");

#[tokio::test]
async fn un_mot_tres_long_reste_dans_sa_bulle() -> Result<()> {
    run_chapter(
        "ch08-acks, mot très long",
        PROGRAM,
        async |browser, server| {
            let tabs = open_tabs(browser, &server.url(), 1).await?;
            let tab = &tabs[0];
            browser.resize(tab, 800, 600).await?;
            send(browser, tab, &"ha".repeat(200)).await?;
            browser
                .wait_text(tab, "#messages li.mine.delivered .status", "reçu")
                .await?;
            let sizes = browser
                .eval(
                    tab,
                    "const list = document.getElementById('messages');
                 const item = list.querySelector('li.mine');
                 return { list: [list.scrollWidth, list.clientWidth],
                          item: [item.scrollWidth, item.clientWidth] };",
                )
                .await?;
            for (part, name) in [("list", "la liste"), ("item", "la bulle")] {
                let (Some(scroll), Some(client)) =
                    (sizes[part][0].as_u64(), sizes[part][1].as_u64())
                else {
                    return Err(format!("tailles illisibles : {sizes}").into());
                };
                ensure!(
                    scroll <= client,
                    "un mot de 400 lettres déborde ({name} : {scroll} px de contenu pour \
                 {client} px visibles) ; chat.css doit le couper (overflow-wrap)"
                );
            }
            Ok(())
        },
    )
    .await
}

#[tokio::test]
async fn un_champ_fait_d_espaces_se_vide_sans_rien_envoyer() -> Result<()> {
    let test = "ch08-acks, champ fait d'espaces";
    run_chapter(test, PROGRAM, async |browser, server| {
        let tabs = open_tabs(browser, &server.url(), 1).await?;
        let tab = &tabs[0];
        let mark = server.mark();
        // `send` vérifie que le champ est vide après Entrée.
        send(browser, tab, "   ").await?;
        send(browser, tab, "bonjour").await?;
        server.wait_exact(mark, "message: bonjour").await?;
        let lines = server.lines_since(mark);
        ensure!(
            lines.iter().filter(|l| l.starts_with("message:")).count() == 1,
            "seul « bonjour » devait partir ; lignes du serveur : {lines:?}"
        );
        Ok(())
    })
    .await
}
