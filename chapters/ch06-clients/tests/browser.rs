//! « Pour tester » du chapitre 6, dans Chromium : ouvrir et fermer des
//! onglets ; les nombres de clients écrits par le serveur montent et
//! descendent en conséquence. Plus : le comportement du chapitre 5, le HTML
//! d'un message qui reste du texte, et le repli sur le long-polling.

use browser::checks::{self, Chat};
use browser::{Browser, Result, Server, Tab};

const PROGRAM: &str = env!("CARGO_BIN_EXE_ch06-clients");

#[tokio::test]
async fn les_nombres_de_clients_suivent_les_onglets() -> Result<()> {
    browser::run_chapter("ch06-clients", PROGRAM, async |browser, server| {
        let url = server.url();
        let _one = open_and_count(browser, server, &url, "onglet 1", 1).await?;
        let two = open_and_count(browser, server, &url, "onglet 2", 2).await?;
        let three = open_and_count(browser, server, &url, "onglet 3", 3).await?;

        close_and_count(browser, server, &two, 2).await?;
        close_and_count(browser, server, &three, 1).await?;
        let _four = open_and_count(browser, server, &url, "onglet 4", 2).await?;
        Ok(())
    })
    .await
}

/// Ouvre un onglet et attend les trois lignes du serveur : l'identifiant
/// (celui du client de la page), l'adresse IP, le nombre de clients.
async fn open_and_count(
    browser: &Browser,
    server: &Server,
    url: &str,
    name: &str,
    count: usize,
) -> Result<Tab> {
    let mark = server.mark();
    let tab = browser.open(url, name).await?;
    let id = browser.wait_connected(&tab).await?;
    let at = server
        .wait_exact(
            mark,
            &format!("Un client vient de se connecter. Son ID : {id}"),
        )
        .await?;
    let at = server
        .wait_exact(at + 1, "Adresse IP du client : 127.0.0.1")
        .await?;
    server
        .wait_exact(at + 1, &format!("#clients connectés : {count}"))
        .await?;
    Ok(tab)
}

/// Ferme l'onglet et attend le nouveau nombre de clients.
async fn close_and_count(
    browser: &Browser,
    server: &Server,
    tab: &Tab,
    count: usize,
) -> Result<()> {
    let mark = server.mark();
    browser.close(tab).await?;
    server
        .wait_exact(
            mark,
            &format!("#clients connectés après déconnexion : {count}"),
        )
        .await?;
    Ok(())
}

#[tokio::test]
async fn trois_onglets_l_emetteur_ne_recoit_pas_son_message() -> Result<()> {
    browser::run_chapter(
        "ch06-clients (diffusion)",
        PROGRAM,
        async |browser, server| checks::skips_the_sender(browser, &server.url()).await,
    )
    .await
}

#[tokio::test]
async fn le_html_d_un_message_reste_du_texte() -> Result<()> {
    browser::run_chapter(
        "ch06-clients (sécurité)",
        PROGRAM,
        async |browser, server| {
            checks::html_is_shown_as_text(browser, &server.url(), Chat::BROADCAST).await
        },
    )
    .await
}

#[tokio::test]
async fn un_onglet_en_long_polling_discute_avec_un_onglet_en_websocket() -> Result<()> {
    browser::run_chapter(
        "ch06-clients (long-polling)",
        PROGRAM,
        async |browser, server| {
            checks::polling_tab_chats_with_websocket_tab(browser, &server.url(), Chat::BROADCAST)
                .await
        },
    )
    .await
}
