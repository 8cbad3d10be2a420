//! Lire la page d'un onglet : la liste `#messages`, les attentes (une
//! liste, une expression JavaScript), le client Socket.IO de la page.

use serde_json::Value as Json;

use super::{Browser, Tab};
use crate::{Error, Result, poll, timeouts};

impl Browser {
    /// Les textes des `li` de `#messages`, dans l'ordre.
    pub async fn messages(&self, tab: &Tab) -> Result<Vec<String>> {
        self.texts(tab, "#messages li").await
    }

    /// Attend que la liste `#messages` de l'onglet vérifie `ok`, et la
    /// renvoie. `what` décrit l'attente pour le message d'erreur.
    pub async fn wait_messages(
        &self,
        tab: &Tab,
        what: &str,
        ok: impl Fn(&[String]) -> bool,
    ) -> Result<Vec<String>> {
        let found = self.poll_texts(tab, "#messages li", ok).await?;
        found.map_err(|list| {
            Error::new(format!(
                "{} : {what} : toujours pas après {} s ; la liste de l'onglet est {list:?}",
                tab.name,
                timeouts::wait().as_secs()
            ))
        })
    }

    /// Attend que `js` (une expression) soit vraie dans l'onglet.
    pub async fn wait_js(&self, tab: &Tab, what: &str, js: &str) -> Result<()> {
        let script = format!("try {{ return !!({js}); }} catch (e) {{ return false; }}");
        let found = poll(timeouts::wait(), || async {
            let value = self.eval(tab, &script).await?;
            Ok(if value == Json::Bool(true) {
                Ok(())
            } else {
                Err(())
            })
        })
        .await?;
        found.map_err(|()| {
            Error::new(format!(
                "{} : {what} : toujours pas après {} s (attendu : {js})",
                tab.name,
                timeouts::wait().as_secs()
            ))
        })
    }

    /// Attend que le client Socket.IO de la page (la variable `socket` de
    /// `client-socket.js`) soit connecté, et renvoie son identifiant.
    pub async fn wait_connected(&self, tab: &Tab) -> Result<String> {
        self.wait_js(
            tab,
            "le client Socket.IO de la page ne se connecte pas",
            "typeof socket !== 'undefined' && socket.connected",
        )
        .await?;
        let id = self.eval(tab, "return socket.id;").await?;
        Ok(id.as_str().unwrap_or_default().to_owned())
    }

    /// Le transport en cours du client de la page : `websocket` ou `polling`.
    pub async fn transport(&self, tab: &Tab) -> Result<String> {
        let name = self
            .eval(
                tab,
                "try { return socket.io.engine.transport.name; } catch (e) { return null; }",
            )
            .await?;
        Ok(name.as_str().unwrap_or("aucun").to_owned())
    }
}
