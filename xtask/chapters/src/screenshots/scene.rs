//! Ce que font toutes les scènes : ouvrir des onglets à la bonne taille,
//! attendre un message ou une ligne du serveur, composer l'image finale.

use browser::checks::wait_for_item;
use browser::{Browser, Error, Panel, Result, Server, Tab, bail};

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
    pub(super) chapter: &'a str,
    /// Le serveur, tant qu'il tourne (voir [`Scene::stop_server`]).
    server: Option<Server>,
    port: u16,
    url: String,
    /// Tout ce que le serveur a écrit, une fois arrêté.
    last_lines: Vec<String>,
}

impl<'a> Scene<'a> {
    pub(super) fn new(browser: &'a Browser, server: Server, chapter: &'a str) -> Self {
        Self {
            browser,
            chapter,
            port: server.port(),
            url: server.url(),
            server: Some(server),
            last_lines: Vec::new(),
        }
    }
}

impl Scene<'_> {
    /// L'adresse de la page.
    pub(super) fn url(&self) -> &str {
        &self.url
    }

    fn server(&self) -> Result<&Server> {
        self.server
            .as_ref()
            .ok_or_else(|| Error::new("le serveur de la scène est déjà arrêté"))
    }

    /// Arrête le serveur d'un Ctrl+C, comme l'étudiant ; le terminal de
    /// l'image montre alors le `^C` et la dernière ligne du serveur.
    pub(super) async fn stop_server(&mut self) -> Result<()> {
        let server = self.server.take();
        if let Some(server) = server {
            self.last_lines = server.stop().await?;
        }
        Ok(())
    }

    /// Échoue s'il y a eu des erreurs dans la console du navigateur ; le
    /// serveur arrêté exprès, les essais de reconnexion refusés sont
    /// attendus.
    pub(super) async fn check_console(&self) -> Result<()> {
        if self.server.is_some() {
            return self.browser.check_console().await;
        }
        for error in self.browser.console_errors().await? {
            if !browser::is_outage_error(&error) {
                bail!("erreur dans la console du navigateur : {error}");
            }
        }
        Ok(())
    }

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
        self.server()?.wait_exact(0, line).await.map(|_| ())
    }

    pub(super) async fn room(&self, tab: &Tab, button: &str, room: &str) -> Result<()> {
        let server = self.server()?;
        let mark = server.mark();
        self.browser.fill(tab, "#room", room).await?;
        self.browser.click(tab, button).await?;
        server
            .wait_line(mark, "la liste des salons", |l| l.starts_with("Rooms de "))
            .await
            .map(|_| ())
    }

    /// La capture de l'onglet, sous sa légende.
    pub(super) async fn shot(&self, caption: &str, tab: &Tab) -> Result<Panel> {
        Ok(Panel::Tab {
            caption: caption.to_owned(),
            png: self.browser.screenshot(tab).await?,
        })
    }

    /// Les onglets côte à côte, et le terminal dessous si `terminal`.
    pub(super) async fn compose(&self, tabs: &[(&str, &Tab)], terminal: bool) -> Result<Vec<u8>> {
        let mut panels = Vec::new();
        for (caption, tab) in tabs {
            panels.push(self.shot(caption, tab).await?);
        }
        self.compose_panels(panels, terminal).await
    }

    /// Les captures `panels` côte à côte, et le terminal dessous si
    /// `terminal`.
    pub(super) async fn compose_panels(
        &self,
        mut panels: Vec<Panel>,
        terminal: bool,
    ) -> Result<Vec<u8>> {
        if terminal {
            // Le port tiré au hasard devient 3000, celui du livre.
            let port = format!("localhost:{}", self.port);
            let mut lines = vec![format!("$ cargo run -p {}", self.chapter)];
            let server_lines = match &self.server {
                Some(server) => server.lines(),
                None => self.last_lines.clone(),
            };
            for line in server_lines {
                if self.server.is_none() && line.starts_with("Arrêt du serveur") {
                    lines.push("^C".to_owned());
                }
                lines.push(line.replace(&port, "localhost:3000"));
            }
            panels.push(Panel::Terminal {
                caption: "Le terminal".to_owned(),
                lines,
            });
        }
        self.browser.compose(&panels).await
    }
}
