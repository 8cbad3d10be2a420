//! « Pour tester » du chapitre 4, dans Chromium : trois onglets ; un message
//! envoyé depuis l'un s'affiche une fois dans les trois, dans l'ordre.
//! Plus : le HTML d'un message reste du texte, et un onglet en long-polling
//! discute avec un onglet en WebSocket.

use browser::Result;
use browser::checks::{self, Chat};

const PROGRAM: &str = env!("CARGO_BIN_EXE_ch04-io-emit");

#[tokio::test]
async fn trois_onglets_recoivent_tout_dans_l_ordre() -> Result<()> {
    browser::run_chapter("ch04-io-emit", PROGRAM, async |browser, server| {
        checks::reaches_every_tab_in_order(browser, &server.url()).await
    })
    .await
}

#[tokio::test]
async fn le_html_d_un_message_reste_du_texte() -> Result<()> {
    browser::run_chapter(
        "ch04-io-emit (sécurité)",
        PROGRAM,
        async |browser, server| {
            checks::html_is_shown_as_text(browser, &server.url(), Chat::TO_ALL).await
        },
    )
    .await
}

#[tokio::test]
async fn un_onglet_en_long_polling_discute_avec_un_onglet_en_websocket() -> Result<()> {
    browser::run_chapter(
        "ch04-io-emit (long-polling)",
        PROGRAM,
        async |browser, server| {
            checks::polling_tab_chats_with_websocket_tab(browser, &server.url(), Chat::TO_ALL).await
        },
    )
    .await
}
