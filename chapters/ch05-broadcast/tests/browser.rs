//! « Pour tester » du chapitre 5, dans Chromium : trois onglets ; un message
//! s'affiche dans les deux autres, pas dans celui qui l'a envoyé.
//! Plus : le HTML d'un message reste du texte, et un onglet en long-polling
//! discute avec un onglet en WebSocket.
//!
//! `browser/tests/broken_servers.rs` joue la même vérification contre un serveur
//! cassé exprès (`io.emit`) : elle échoue en disant que l'émetteur a vu son
//! propre message.

use browser::Result;
use browser::checks::{self, Chat};

const PROGRAM: &str = env!("CARGO_BIN_EXE_ch05-broadcast");

#[tokio::test]
async fn trois_onglets_l_emetteur_ne_recoit_pas_son_message() -> Result<()> {
    browser::run_chapter("ch05-broadcast", PROGRAM, async |browser, server| {
        checks::skips_the_sender(browser, &server.url()).await
    })
    .await
}

#[tokio::test]
async fn le_html_d_un_message_reste_du_texte() -> Result<()> {
    browser::run_chapter(
        "ch05-broadcast (sécurité)",
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
        "ch05-broadcast (long-polling)",
        PROGRAM,
        async |browser, server| {
            checks::polling_tab_chats_with_websocket_tab(browser, &server.url(), Chat::BROADCAST)
                .await
        },
    )
    .await
}
