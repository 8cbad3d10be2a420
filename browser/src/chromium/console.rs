//! La console du navigateur : la lire (tous onglets, depuis le lancement)
//! et échouer s'il y a eu des erreurs.

use fantoccini::wd::WebDriverCompatibleCommand;

use super::{Browser, command, lock};
use crate::{Error, Result};

/// Une ligne de la console du navigateur.
#[derive(Debug, Clone)]
pub struct LogEntry {
    /// `SEVERE`, `WARNING`, `INFO`…
    pub level: String,
    /// Le texte, précédé de sa source (`http://…/x.js 3:10 …`).
    pub message: String,
}

impl Browser {
    /// Toute la console du navigateur depuis le lancement (tous onglets).
    pub async fn console(&self) -> Result<Vec<LogEntry>> {
        self.fetch_logs().await?;
        Ok(lock(&self.logs).clone())
    }

    /// Les erreurs (`SEVERE`) de la console du navigateur depuis le lancement.
    ///
    /// Sauf le 404 de `/favicon.ico` : le navigateur demande cette icône de
    /// lui-même, les pages du cours n'en ont pas, et la console d'un Chrome
    /// ordinaire ne le montre pas à l'étudiant.
    pub async fn console_errors(&self) -> Result<Vec<String>> {
        Ok(self
            .console()
            .await?
            .into_iter()
            .filter(|e| e.level == "SEVERE")
            .filter(|e| !e.message.contains("/favicon.ico - "))
            .map(|e| e.message)
            .collect())
    }

    /// Échoue, en les citant, s'il y a eu des erreurs dans la console.
    pub async fn check_console(&self) -> Result<()> {
        let errors = self.console_errors().await?;
        if errors.is_empty() {
            return Ok(());
        }
        let mut text = "erreurs dans la console du navigateur :".to_owned();
        for e in errors {
            text.push_str("\n  - ");
            text.push_str(&e);
        }
        Err(Error::new(text))
    }

    /// Retire de la console (lue jusqu'ici) les erreurs qui vérifient
    /// `expected`, et les renvoie : une erreur que le scénario sait
    /// inévitable, et qu'il a identifiée avec précision, ne fait alors plus
    /// échouer [`Browser::check_console`]. Les autres restent.
    pub async fn dismiss_console_errors(
        &self,
        expected: impl Fn(&str) -> bool,
    ) -> Result<Vec<String>> {
        self.fetch_logs().await?;
        let mut dismissed = Vec::new();
        lock(&self.logs).retain(|e| {
            let keep = e.level != "SEVERE" || !expected(&e.message);
            if !keep {
                dismissed.push(e.message.clone());
            }
            keep
        });
        Ok(dismissed)
    }

    /// Retire de la console les erreurs d'une panne voulue du serveur (voir
    /// [`is_outage_error`]) et les renvoie.
    pub async fn dismiss_outage_errors(&self) -> Result<Vec<String>> {
        self.dismiss_console_errors(is_outage_error).await
    }

    /// Après une panne voulue du serveur : échoue s'il y a dans la console
    /// d'autres erreurs que celles de la panne ([`is_outage_error`] :
    /// reconnexions refusées, long-polling coupé, 503 d'un serveur qui
    /// s'arrête).
    pub async fn check_console_after_outage(&self) -> Result<()> {
        self.dismiss_outage_errors().await?;
        self.check_console().await
    }

    pub(super) async fn fetch_logs(&self) -> Result<()> {
        // chromedriver rend les lignes nouvelles depuis la dernière lecture.
        let mut windows = self.windows.lock().await;
        if !self.any_current(&mut windows).await? {
            // Plus aucun onglet : plus rien à lire.
            return Ok(());
        }
        let value = command(
            "lire la console du navigateur",
            self.client.issue_cmd(GetLog),
        )
        .await?;
        drop(windows);
        let entries = value.as_array().cloned().unwrap_or_default();
        let mut logs = lock(&self.logs);
        for entry in entries {
            logs.push(LogEntry {
                level: entry["level"].as_str().unwrap_or_default().to_owned(),
                message: entry["message"].as_str().unwrap_or_default().to_owned(),
            });
        }
        Ok(())
    }
}

/// Vrai pour une erreur réseau d'une requête Socket.IO pendant que le
/// serveur est arrêté : essai de reconnexion refusé, ou requête en cours
/// (long-polling) coupée par l'arrêt, ou refusée par un serveur qui
/// s'arrête (503). Le client Socket.IO les traite
/// lui-même (il se reconnecte, renvoie ce qui attendait) ; Chrome les
/// écrit quand même dans la console.
pub fn is_outage_error(message: &str) -> bool {
    const OUTAGE: [&str; 6] = [
        "net::ERR_CONNECTION_REFUSED",
        "net::ERR_CONNECTION_RESET",
        "net::ERR_CONNECTION_CLOSED",
        "net::ERR_EMPTY_RESPONSE",
        // Une requête de long-polling dont la connexion a été fermée par
        // l'arrêt au moment où Chrome l'envoyait (vu en CI, ch02).
        "net::ERR_SOCKET_NOT_CONNECTED",
        // Un serveur en train de s'arrêter refuse une nouvelle connexion
        // (« Serveur en cours d'arrêt »).
        "status of 503 (Service Unavailable)",
    ];
    message.contains("/socket.io/") && OUTAGE.iter().any(|e| message.contains(e))
}

/// `POST /session/{id}/se/log` : la console du navigateur, au sens de
/// chromedriver (les lignes nouvelles depuis la dernière lecture).
#[derive(Debug)]
struct GetLog;

impl WebDriverCompatibleCommand for GetLog {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/se/log",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(r#"{"type":"browser"}"#.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::is_outage_error;

    #[test]
    fn only_network_errors_of_socket_io_are_outage_errors() {
        let reset = "http://127.0.0.1:1/socket.io/?EIO=4&transport=polling&t=x - Failed to \
                     load resource: net::ERR_CONNECTION_RESET";
        assert!(is_outage_error(reset));
        let closed = "http://127.0.0.1:1/socket.io/?EIO=4&transport=polling&t=y - Failed to \
                      load resource: net::ERR_SOCKET_NOT_CONNECTED";
        assert!(is_outage_error(closed));
        // La même erreur sur la page ou un script : un vrai défaut.
        assert!(!is_outage_error(
            "http://127.0.0.1:1/app.js - Failed to load resource: net::ERR_CONNECTION_RESET"
        ));
        // Une erreur du serveur Socket.IO qui répond : un vrai défaut aussi.
        assert!(!is_outage_error(
            "http://127.0.0.1:1/socket.io/?EIO=4 - Failed to load resource: the server \
             responded with a status of 400 (Bad Request)"
        ));
    }
}
