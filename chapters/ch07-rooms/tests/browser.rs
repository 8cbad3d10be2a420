//! « Pour tester » du chapitre 7, dans Chromium : deux salons répartis entre
//! des onglets ; entrer, sortir, écrire à un salon : seuls ses membres voient
//! le message. Plus : le HTML d'un message reste du texte, et le repli sur le
//! long-polling.

use std::time::Duration;

use browser::checks::{self, Chat, expect_list, send, wait_for_item};
use browser::{Browser, Result, Server, Tab, ensure, settle};

const PROGRAM: &str = env!("CARGO_BIN_EXE_ch07-rooms");

#[tokio::test]
async fn seuls_les_membres_d_un_salon_voient_ses_messages() -> Result<()> {
    browser::run_chapter("ch07-rooms", PROGRAM, async |browser, server| {
        let url = server.url();
        let mark = server.mark();
        let tabs = checks::open_tabs(browser, &url, 3).await?;
        let (a, b, c) = (&tabs[0], &tabs[1], &tabs[2]);
        // À la connexion, chacun est dans room1.
        for tab in &tabs {
            let id = browser.wait_connected(tab).await?;
            server
                .wait_exact(mark, &format!("Rooms de {id} : room1"))
                .await?;
        }

        // B et C entrent dans room2.
        room_action(browser, server, b, "#join", "room2", "room1, room2").await?;
        room_action(browser, server, c, "#join", "room2", "room1, room2").await?;

        // A, qui n'est pas dans room2, y écrit : B et C le voient.
        let m1 = "[room2] De A, qui n'est pas membre";
        browser.fill(a, "#room", "room2").await?;
        send(browser, a, "De A, qui n'est pas membre").await?;
        wait_for_item(browser, b, m1).await?;
        wait_for_item(browser, c, m1).await?;

        // B écrit à room1 : les trois le voient, A sans le message précédent.
        let m2 = "[room1] De B pour room1";
        browser.fill(b, "#room", "room1").await?;
        send(browser, b, "De B pour room1").await?;
        expect_list(browser, a, &[m2.into()]).await?;
        expect_list(browser, b, &[m1.into(), m2.into()]).await?;
        expect_list(browser, c, &[m1.into(), m2.into()]).await?;

        // C quitte room1 ; B y écrit encore : A et B le voient.
        room_action(browser, server, c, "#leave", "room1", "room2").await?;
        let m3 = "[room1] Encore pour room1";
        send(browser, b, "Encore pour room1").await?;
        expect_list(browser, a, &[m2.into(), m3.into()]).await?;
        expect_list(browser, b, &[m1.into(), m2.into(), m3.into()]).await?;

        // B écrit à room2 : C le voit, sans « Encore pour room1 ».
        let m4 = "[room2] De B pour room2";
        browser.fill(b, "#room", "room2").await?;
        send(browser, b, "De B pour room2").await?;
        expect_list(browser, c, &[m1.into(), m2.into(), m4.into()]).await?;
        expect_list(browser, b, &[m1.into(), m2.into(), m3.into(), m4.into()]).await?;

        // Rien de plus n'arrive nulle part (A n'a pas reçu le message de room2).
        settle(Duration::from_millis(300)).await;
        expect_list(browser, a, &[m2.into(), m3.into()]).await?;
        expect_list(browser, b, &[m1.into(), m2.into(), m3.into(), m4.into()]).await?;
        expect_list(browser, c, &[m1.into(), m2.into(), m4.into()]).await
    })
    .await
}

/// Écrit `room` dans le champ du salon, clique sur `button` (« Rejoindre »
/// ou « Quitter ») et attend la ligne du serveur qui liste les salons.
async fn room_action(
    browser: &Browser,
    server: &Server,
    tab: &Tab,
    button: &str,
    room: &str,
    rooms_after: &str,
) -> Result<()> {
    let id = browser.wait_connected(tab).await?;
    let mark = server.mark();
    browser.fill(tab, "#room", room).await?;
    browser.click(tab, button).await?;
    server
        .wait_exact(mark, &format!("Rooms de {id} : {rooms_after}"))
        .await?;
    Ok(())
}

#[tokio::test]
async fn le_html_d_un_message_reste_du_texte() -> Result<()> {
    browser::run_chapter(
        "ch07-rooms (sécurité)",
        PROGRAM,
        async |browser, server| {
            checks::html_is_shown_as_text(browser, &server.url(), Chat::ROOM1).await
        },
    )
    .await
}

#[tokio::test]
async fn un_onglet_en_long_polling_discute_avec_un_onglet_en_websocket() -> Result<()> {
    browser::run_chapter(
        "ch07-rooms (long-polling)",
        PROGRAM,
        async |browser, server| {
            checks::polling_tab_chats_with_websocket_tab(browser, &server.url(), Chat::ROOM1).await
        },
    )
    .await
}

#[tokio::test]
async fn un_champ_salon_vide_ne_perd_pas_le_message() -> Result<()> {
    browser::run_chapter(
        "ch07-rooms (salon vide)",
        PROGRAM,
        async |browser, server| {
            let tab = browser.open(&server.url(), "onglet 1").await?;
            browser.wait_connected(&tab).await?;
            let mark = server.mark();
            // Salon effacé, puis fait d'espaces (le serveur le lit vide) : ni
            // « Envoyer », ni « Rejoindre », ni « Quitter » ne partent, et le
            // texte reste dans le champ.
            browser
                .type_into(&tab, "#input", "Pour un salon à choisir")
                .await?;
            for blank in ["", "   "] {
                browser.fill(&tab, "#room", blank).await?;
                browser.press_enter(&tab, "#input").await?;
                browser.click(&tab, "#join").await?;
                browser.click(&tab, "#leave").await?;
            }
            settle(Duration::from_millis(300)).await;
            let lines = server.lines_since(mark);
            ensure!(
                lines.is_empty(),
                "avec un salon vide, le serveur a écrit : {lines:?}"
            );
            let kept = browser
                .eval(&tab, "return document.getElementById('input').value;")
                .await?;
            ensure!(
                kept == "Pour un salon à choisir",
                "le texte n'est plus dans le champ : {kept}"
            );
            // Le salon rempli, le même texte part.
            browser.fill(&tab, "#room", "room1").await?;
            browser.press_enter(&tab, "#input").await?;
            server
                .wait_exact(mark, "message pour room1 : Pour un salon à choisir")
                .await?;
            wait_for_item(browser, &tab, "[room1] Pour un salon à choisir").await?;
            // Le serveur ne se fie pas à la page : depuis la console (le livre,
            // étape 7), un nom vide lui parvient, et il l'ignore.
            let id = browser.wait_connected(&tab).await?;
            browser
                .eval(&tab, "socket.emit('join', ''); return null;")
                .await?;
            server
                .wait_exact(
                    mark,
                    &format!(
                        "Avertissement\u{a0}: évènement «\u{a0}join\u{a0}» du client {id} \
                         ignoré, car le nom de salon est vide."
                    ),
                )
                .await?;
            Ok(())
        },
    )
    .await
}
