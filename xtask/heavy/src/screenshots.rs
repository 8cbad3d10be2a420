//! `cargo xtask screenshots` : les captures d'écran du livre, prises dans un
//! vrai Chromium, sur les vrais chapitres.
//!
//! Construit les programmes des chapitres (`cargo build --bins`), lance
//! chacun sur un port libre, joue une petite scène réaliste (plusieurs
//! onglets quand le chapitre en parle, des messages échangés) et enregistre
//! une image par chapitre dans `book/src/images/` :
//!
//! | fichier | ce qu'on y voit |
//! | --- | --- |
//! | `ch01-static.png` | la page servie, et le terminal |
//! | `ch02-connect.png` | la page connectée, et le terminal |
//! | `ch03-emit.png` | la page après deux envois, et le terminal |
//! | `ch04-io-emit.png` | trois onglets qui reçoivent tout, émetteur compris |
//! | `ch05-broadcast.png` | trois onglets : l'émetteur ne reçoit pas son message |
//! | `ch06-clients.png` | deux onglets restants, et le terminal qui compte |
//! | `ch07-rooms.png` | trois onglets dans deux salons, et le terminal |
//!
//! Quand une image a plusieurs onglets, ils sont côte à côte avec leur
//! légende (« Onglet 1 »…) ; le terminal, s'il y en a un, est dessous.
//!
//! Options : des noms de chapitres (`ch05`, `5`…) pour n'en refaire que
//! certains. Chromium et chromedriver sont nécessaires
//! (`apt-get install chromium chromium-driver`).

use std::path::Path;

use browser::checks::{send, wait_for_item};
use browser::{Browser, Panel, Programs, Result, Server, Tab};

/// La taille d'un onglet parmi plusieurs : assez pour la page et quelques
/// messages, assez petite pour que trois onglets tiennent côte à côte dans
/// le livre.
const TAB: (u32, u32) = (400, 260);

/// La taille d'un onglet seul (les chapitres 1 à 3 n'affichent pas de
/// messages).
const SINGLE_TAB: (u32, u32) = (440, 170);

pub fn run(args: &[String]) -> Result<(), String> {
    let chapters = crate::verify::select_chapters(args)?;
    let programs = Programs::find().map_err(|missing| {
        format!(
            "{missing} : les captures se font dans Chromium. \
             Installez-le : apt-get install chromium chromium-driver"
        )
    })?;

    let root = crate::repository_root();
    let binaries = crate::build::chapter_binaries(&chapters)?;
    let images = root.join("book/src/images");
    std::fs::create_dir_all(&images)
        .map_err(|e| format!("impossible de créer {} : {e}", images.display()))?;

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("runtime tokio : {e}"))?;
    for chapter in chapters {
        let program = &binaries[chapter];
        let png = runtime
            .block_on(shoot(&programs, chapter, program))
            .map_err(|e| format!("{chapter} : {e}"))?;
        let path = images.join(format!("{chapter}.png"));
        std::fs::write(&path, &png)
            .map_err(|e| format!("impossible d'écrire {} : {e}", path.display()))?;
        println!(
            "{} ({} Ko)",
            path.strip_prefix(&root).unwrap_or(&path).display(),
            png.len().div_ceil(1024)
        );
    }
    Ok(())
}

async fn shoot(programs: &Programs, chapter: &str, program: &Path) -> browser::Result<Vec<u8>> {
    let browser = Browser::launch(programs).await?;
    let server = Server::start(program).await?;
    let url = server.url();
    let scene = Scene {
        browser: &browser,
        server: &server,
        chapter,
    };
    let png = match chapter {
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
            send(&browser, &tab, "Bonjour le serveur !").await?;
            send(&browser, &tab, "Envoyé avec la touche Entrée").await?;
            scene
                .wait_line("message: Envoyé avec la touche Entrée")
                .await?;
            browser.type_into(&tab, "#input", "Un brouillon").await?;
            scene.compose(&[("Le navigateur", &tab)], true).await?
        }
        "ch04-io-emit" => {
            let tabs = scene.tabs(&url, 3).await?;
            send(&browser, &tabs[0], "Bonjour tout le monde !").await?;
            scene.everywhere(&tabs, "Bonjour tout le monde !").await?;
            send(&browser, &tabs[1], "Salut, ici l'onglet 2").await?;
            scene.everywhere(&tabs, "Salut, ici l'onglet 2").await?;
            send(&browser, &tabs[2], "Et moi, l'onglet 3").await?;
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
            send(&browser, &tabs[0], "Bonjour de l'onglet 1").await?;
            scene
                .everywhere(&tabs[1..], "Bonjour de l'onglet 1")
                .await?;
            send(&browser, &tabs[1], "Réponse de l'onglet 2").await?;
            wait_for_item(&browser, &tabs[0], "Réponse de l'onglet 2").await?;
            wait_for_item(&browser, &tabs[2], "Réponse de l'onglet 2").await?;
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
            send(&browser, &tabs[0], "Bonjour !").await?;
            scene.everywhere(&tabs[1..], "Bonjour !").await?;
            browser.close(&tabs[2]).await?;
            scene
                .wait_line("#clients connectés après déconnexion : 2")
                .await?;
            send(&browser, &tabs[1], "Tiens, l'onglet 3 est parti").await?;
            wait_for_item(&browser, &tabs[0], "Tiens, l'onglet 3 est parti").await?;
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
            send(&browser, &tabs[0], "Bonjour room1 !").await?;
            scene
                .everywhere(&tabs[..2], "[room1] Bonjour room1 !")
                .await?;
            browser.fill(&tabs[1], "#room", "room2").await?;
            send(&browser, &tabs[1], "Qui est dans room2 ?").await?;
            scene
                .everywhere(&tabs[1..], "[room2] Qui est dans room2 ?")
                .await?;
            browser.fill(&tabs[2], "#room", "room2").await?;
            send(&browser, &tabs[2], "Moi !").await?;
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
        other => browser::bail!("pas de scène pour {other}"),
    };
    browser.check_console().await?;
    Ok(png)
}

/// Ce dont une scène a besoin : le navigateur, le serveur, le chapitre.
struct Scene<'a> {
    browser: &'a Browser,
    server: &'a Server,
    chapter: &'a str,
}

impl Scene<'_> {
    async fn tab(&self, url: &str, name: &str, size: (u32, u32)) -> Result<Tab> {
        let tab = self.browser.open(url, name).await?;
        self.browser.resize(&tab, size.0, size.1).await?;
        Ok(tab)
    }

    async fn tabs(&self, url: &str, count: usize) -> Result<Vec<Tab>> {
        let mut tabs = Vec::new();
        for n in 1..=count {
            tabs.push(self.tab(url, &format!("onglet {n}"), TAB).await?);
        }
        for tab in &tabs {
            self.browser.wait_connected(tab).await?;
        }
        Ok(tabs)
    }

    async fn everywhere(&self, tabs: &[Tab], item: &str) -> Result<()> {
        for tab in tabs {
            wait_for_item(self.browser, tab, item).await?;
        }
        Ok(())
    }

    async fn wait_line(&self, line: &str) -> Result<()> {
        self.server.wait_exact(0, line).await.map(|_| ())
    }

    async fn room(&self, tab: &Tab, button: &str, room: &str) -> Result<()> {
        let mark = self.server.mark();
        self.browser.fill(tab, "#room", room).await?;
        self.browser.click(tab, button).await?;
        self.server
            .wait_line(mark, "la liste des salons", |l| l.starts_with("Rooms de "))
            .await
            .map(|_| ())
    }

    /// Les onglets côte à côte, et le terminal dessous si `terminal`.
    async fn compose(&self, tabs: &[(&str, &Tab)], terminal: bool) -> Result<Vec<u8>> {
        let mut panels = Vec::new();
        for (caption, tab) in tabs {
            panels.push(Panel::Tab {
                caption: (*caption).to_owned(),
                png: self.browser.screenshot(tab).await?,
            });
        }
        if terminal {
            // Le port tiré au hasard devient 3000, celui du livre.
            let port = format!("localhost:{}", self.server.port());
            let mut lines = vec![format!("$ cargo run -p {}", self.chapter)];
            lines.extend(
                self.server
                    .lines()
                    .into_iter()
                    .map(|l| l.replace(&port, "localhost:3000")),
            );
            panels.push(Panel::Terminal {
                caption: "Le terminal".to_owned(),
                lines,
            });
        }
        self.browser.compose(&panels).await
    }
}
