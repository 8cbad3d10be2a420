//! Les actions sur un onglet : l'ouvrir, le fermer, le redimensionner, y
//! exécuter du JavaScript, taper au clavier et cliquer.

use fantoccini::Locator;
use fantoccini::wd::WebDriverCompatibleCommand;
use serde_json::{Value as Json, json};

use super::{Browser, Tab, command};
use crate::Result;

impl Browser {
    /// Ouvre `url` dans un nouvel onglet nommé `name`, et attend la fin du
    /// chargement de la page.
    pub async fn open(&self, url: &str, name: &str) -> Result<Tab> {
        self.open_with(url, name, None).await
    }

    /// Comme [`Browser::open`], en faisant d'abord exécuter `script` au début
    /// de chaque document de l'onglet, avant les scripts de la page (par le
    /// protocole DevTools : `Page.addScriptToEvaluateOnNewDocument`).
    pub async fn open_with(&self, url: &str, name: &str, script: Option<&str>) -> Result<Tab> {
        let mut windows = self.windows.lock().await;
        let handle = match windows.spare.take() {
            Some(handle) => handle,
            None => {
                // WebDriver ouvre un onglet depuis l'onglet courant : il en
                // faut un, même après une fermeture.
                self.any_current(&mut windows).await?;
                command(
                    format!("ouvrir l'onglet {name}"),
                    self.client.new_window(true),
                )
                .await?
                .handle
            }
        };
        windows.current = None;
        command(
            format!("passer à l'onglet {name}"),
            self.client.switch_to_window(handle.clone()),
        )
        .await?;
        windows.current = Some(handle.clone());
        if let Some(script) = script {
            let cdp = Cdp {
                cmd: "Page.addScriptToEvaluateOnNewDocument",
                params: json!({ "source": script }),
            };
            command(
                format!("préparer l'onglet {name}"),
                self.client.issue_cmd(cdp),
            )
            .await?;
        }
        command(
            format!("charger {url} dans l'onglet {name}"),
            self.client.goto(url),
        )
        .await?;
        Ok(Tab {
            handle,
            name: name.to_owned(),
        })
    }

    /// Ferme l'onglet (la console est lue avant, pour ne rien perdre).
    pub async fn close(&self, tab: &Tab) -> Result<()> {
        self.fetch_logs().await?;
        let mut windows = self.focus(tab).await?;
        windows.current = None;
        command(
            format!("fermer l'onglet {}", tab.name),
            self.client.close_window(),
        )
        .await
    }

    /// Donne la taille `width` × `height` (en pixels CSS) à la zone
    /// d'affichage de l'onglet, celle que capture [`Browser::screenshot`].
    ///
    /// Par le protocole DevTools (`Emulation.setDeviceMetricsOverride`) : le
    /// Chromium sans écran simule une barre d'outils et impose une largeur
    /// minimale, si bien que la taille de la fenêtre ne dit pas celle de la
    /// page.
    pub async fn resize(&self, tab: &Tab, width: u32, height: u32) -> Result<()> {
        let _w = self.focus(tab).await?;
        let cdp = Cdp {
            cmd: "Emulation.setDeviceMetricsOverride",
            params: json!({
                "width": width,
                "height": height,
                "deviceScaleFactor": 1,
                "mobile": false,
            }),
        };
        command(
            format!("redimensionner l'onglet {}", tab.name),
            self.client.issue_cmd(cdp),
        )
        .await
        .map(drop)
    }

    /// Exécute `js` (le corps d'une fonction : `return …`) dans la page.
    pub async fn eval(&self, tab: &Tab, js: &str) -> Result<Json> {
        self.eval_with(tab, js, Vec::new()).await
    }

    /// Comme [`Browser::eval`], avec des arguments (`arguments[0]`…).
    pub async fn eval_with(&self, tab: &Tab, js: &str, args: Vec<Json>) -> Result<Json> {
        let _w = self.focus(tab).await?;
        command(
            format!("exécuter un script dans l'onglet {}", tab.name),
            self.client.execute(js, args),
        )
        .await
    }

    /// Tape `text` au clavier dans l'élément `css` (à la suite de son contenu).
    pub async fn type_into(&self, tab: &Tab, css: &str, text: &str) -> Result<()> {
        let _w = self.focus(tab).await?;
        let what = format!("taper dans {css} (onglet {})", tab.name);
        let element = command(&what, self.client.find(Locator::Css(css))).await?;
        command(&what, element.send_keys(text)).await
    }

    /// Vide l'élément `css`, puis y tape `text`.
    pub async fn fill(&self, tab: &Tab, css: &str, text: &str) -> Result<()> {
        let _w = self.focus(tab).await?;
        let what = format!("remplir {css} (onglet {})", tab.name);
        let element = command(&what, self.client.find(Locator::Css(css))).await?;
        command(&what, element.clear()).await?;
        command(&what, element.send_keys(text)).await
    }

    /// Appuie sur Entrée dans l'élément `css`.
    pub async fn press_enter(&self, tab: &Tab, css: &str) -> Result<()> {
        self.type_into(
            tab,
            css,
            &char::from(fantoccini::key::Key::Enter).to_string(),
        )
        .await
    }

    /// Clique sur l'élément `css`.
    pub async fn click(&self, tab: &Tab, css: &str) -> Result<()> {
        let _w = self.focus(tab).await?;
        let what = format!("cliquer sur {css} (onglet {})", tab.name);
        let element = command(&what, self.client.find(Locator::Css(css))).await?;
        command(&what, element.click()).await
    }
}

/// `POST /session/{id}/goog/cdp/execute` : une commande du protocole
/// DevTools, dans l'onglet courant.
#[derive(Debug)]
struct Cdp {
    cmd: &'static str,
    params: Json,
}

impl WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/goog/cdp/execute",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        let body = json!({ "cmd": self.cmd, "params": self.params });
        (http::Method::POST, Some(body.to_string()))
    }
}
