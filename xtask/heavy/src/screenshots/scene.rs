//! Ce que font toutes les scènes : ouvrir des onglets à la bonne taille,
//! attendre un message ou une ligne du serveur, composer l'image finale.

use browser::checks::wait_for_item;
use browser::{Browser, Panel, Result, Server, Tab};

/// La taille d'un onglet parmi plusieurs : assez pour la page et quelques
/// messages, assez petite pour que trois onglets tiennent côte à côte dans
/// le livre.
pub(super) const TAB: (u32, u32) = (400, 260);

/// La taille d'un onglet seul (les chapitres 1 à 3 n'affichent pas de
/// messages).
pub(super) const SINGLE_TAB: (u32, u32) = (440, 170);

/// Ce dont une scène a besoin : le navigateur, le serveur, le chapitre.
pub(super) struct Scene<'a> {
    pub(super) browser: &'a Browser,
    pub(super) server: &'a Server,
    pub(super) chapter: &'a str,
}

impl Scene<'_> {
    pub(super) async fn tab(&self, url: &str, name: &str, size: (u32, u32)) -> Result<Tab> {
        let tab = self.browser.open(url, name).await?;
        self.browser.resize(&tab, size.0, size.1).await?;
        Ok(tab)
    }

    pub(super) async fn tabs(&self, url: &str, count: usize) -> Result<Vec<Tab>> {
        let mut tabs = Vec::new();
        for n in 1..=count {
            tabs.push(self.tab(url, &format!("onglet {n}"), TAB).await?);
        }
        for tab in &tabs {
            self.browser.wait_connected(tab).await?;
        }
        Ok(tabs)
    }

    pub(super) async fn everywhere(&self, tabs: &[Tab], item: &str) -> Result<()> {
        for tab in tabs {
            wait_for_item(self.browser, tab, item).await?;
        }
        Ok(())
    }

    pub(super) async fn wait_line(&self, line: &str) -> Result<()> {
        self.server.wait_exact(0, line).await.map(|_| ())
    }

    pub(super) async fn room(&self, tab: &Tab, button: &str, room: &str) -> Result<()> {
        let mark = self.server.mark();
        self.browser.fill(tab, "#room", room).await?;
        self.browser.click(tab, button).await?;
        self.server
            .wait_line(mark, "la liste des salons", |l| l.starts_with("Rooms de "))
            .await
            .map(|_| ())
    }

    /// Les onglets côte à côte, et le terminal dessous si `terminal`.
    pub(super) async fn compose(&self, tabs: &[(&str, &Tab)], terminal: bool) -> Result<Vec<u8>> {
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
