//! Les scènes de la première partie du cours (chapitres 1 à 7) : une image
//! par chapitre, faite de ses onglets et, quand il parle du serveur, de son
//! terminal.

use browser::Result;
use browser::checks::{send, wait_for_item};

use super::scene::{SINGLE_TAB, Scene};

/// L'image du chapitre de `scene`, ou `None` s'il n'est pas de la première
/// partie.
pub(super) async fn shoot(scene: &Scene<'_>) -> Result<Option<Vec<u8>>> {
    let browser = scene.browser;
    let url = scene.url().to_owned();
    let png = match scene.chapter {
        "ch01-static" => {
            let tab = scene.tab(&url, "onglet 1", SINGLE_TAB).await?;
            scene.compose(&[("Le navigateur", &tab)], true).await?
        }
        "ch02-connect" => {
            let tab = scene.tab(&url, "onglet 1", SINGLE_TAB).await?;
            browser.wait_connected(&tab).await?;
            scene.wait_line("Un client vient de se connecter").await?;
            scene.compose(&[("Le navigateur", &tab)], true).await?
        }
        "ch03-emit" => {
            let tab = scene.tab(&url, "onglet 1", SINGLE_TAB).await?;
            browser.wait_connected(&tab).await?;
            send(browser, &tab, "Bonjour le serveur !").await?;
            send(browser, &tab, "Envoyé avec la touche Entrée").await?;
            scene
                .wait_line("message: Envoyé avec la touche Entrée")
                .await?;
            browser.type_into(&tab, "#input", "Un brouillon").await?;
            scene.compose(&[("Le navigateur", &tab)], true).await?
        }
        "ch04-io-emit" => {
            let tabs = scene.tabs(&url, 3).await?;
            send(browser, &tabs[0], "Bonjour tout le monde !").await?;
            scene.everywhere(&tabs, "Bonjour tout le monde !").await?;
            send(browser, &tabs[1], "Salut, ici l'onglet 2").await?;
            scene.everywhere(&tabs, "Salut, ici l'onglet 2").await?;
            send(browser, &tabs[2], "Et moi, l'onglet 3").await?;
            scene.everywhere(&tabs, "Et moi, l'onglet 3").await?;
            scene
                .compose(
                    &[
                        ("Onglet 1 : « Bonjour tout le monde ! »", &tabs[0]),
                        ("Onglet 2 : « Salut… »", &tabs[1]),
                        ("Onglet 3 : « Et moi… »", &tabs[2]),
                    ],
                    false,
                )
                .await?
        }
        "ch05-broadcast" => {
            let tabs = scene.tabs(&url, 3).await?;
            send(browser, &tabs[0], "Bonjour de l'onglet 1").await?;
            scene
                .everywhere(&tabs[1..], "Bonjour de l'onglet 1")
                .await?;
            send(browser, &tabs[1], "Réponse de l'onglet 2").await?;
            wait_for_item(browser, &tabs[0], "Réponse de l'onglet 2").await?;
            wait_for_item(browser, &tabs[2], "Réponse de l'onglet 2").await?;
            scene
                .compose(
                    &[
                        ("Onglet 1 (a envoyé « Bonjour… »)", &tabs[0]),
                        ("Onglet 2 (a envoyé « Réponse… »)", &tabs[1]),
                        ("Onglet 3 (n'a rien envoyé)", &tabs[2]),
                    ],
                    false,
                )
                .await?
        }
        "ch06-clients" => {
            let tabs = scene.tabs(&url, 3).await?;
            scene.wait_line("#clients connectés : 3").await?;
            send(browser, &tabs[0], "Bonjour !").await?;
            scene.everywhere(&tabs[1..], "Bonjour !").await?;
            browser.close(&tabs[2]).await?;
            scene
                .wait_line("#clients connectés après déconnexion : 2")
                .await?;
            send(browser, &tabs[1], "Tiens, l'onglet 3 est parti").await?;
            wait_for_item(browser, &tabs[0], "Tiens, l'onglet 3 est parti").await?;
            scene
                .compose(
                    &[
                        ("Onglet 1", &tabs[0]),
                        ("Onglet 2 (l'onglet 3 a été fermé)", &tabs[1]),
                    ],
                    true,
                )
                .await?
        }
        "ch07-rooms" => {
            let tabs = scene.tabs(&url, 3).await?;
            // Onglet 2 : room1 et room2. Onglet 3 : room2 seulement.
            scene.room(&tabs[1], "#join", "room2").await?;
            scene.room(&tabs[2], "#join", "room2").await?;
            scene.room(&tabs[2], "#leave", "room1").await?;
            browser.fill(&tabs[0], "#room", "room1").await?;
            send(browser, &tabs[0], "Bonjour room1 !").await?;
            scene
                .everywhere(&tabs[..2], "[room1] Bonjour room1 !")
                .await?;
            browser.fill(&tabs[1], "#room", "room2").await?;
            send(browser, &tabs[1], "Qui est dans room2 ?").await?;
            scene
                .everywhere(&tabs[1..], "[room2] Qui est dans room2 ?")
                .await?;
            browser.fill(&tabs[2], "#room", "room2").await?;
            send(browser, &tabs[2], "Moi !").await?;
            scene.everywhere(&tabs[1..], "[room2] Moi !").await?;
            scene
                .compose(
                    &[
                        ("Onglet 1 : room1", &tabs[0]),
                        ("Onglet 2 : room1 et room2", &tabs[1]),
                        ("Onglet 3 : room2", &tabs[2]),
                    ],
                    true,
                )
                .await?
        }
        _ => return Ok(None),
    };
    Ok(Some(png))
}
