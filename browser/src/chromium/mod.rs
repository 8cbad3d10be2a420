//! Chromium piloté par chromedriver : les types [`Browser`] et [`Tab`],
//! l'onglet courant de WebDriver et les commandes avec délai. Le reste est
//! rangé par sujet dans les sous-modules.

mod capture;
mod console;
mod elements;
mod launch;
mod page;
mod programs;
mod tabs;

use std::sync::{Mutex, PoisonError};

use fantoccini::Client;
use fantoccini::wd::WindowHandle;

pub use capture::Panel;
pub use console::{LogEntry, is_outage_error};
use launch::{Driver, Profile};
pub use programs::{Programs, browser_required, launch_or_skip};

use crate::{Error, Result, timeouts};

/// Un onglet du navigateur.
#[derive(Debug, Clone)]
pub struct Tab {
    handle: WindowHandle,
    name: String,
}

impl Tab {
    /// Le nom donné à l'ouverture (« onglet 1 »…), pour les messages.
    pub fn name(&self) -> &str {
        &self.name
    }
}

/// Un Chromium sans écran, piloté par son propre chromedriver, avec un
/// profil neuf. Tout s'arrête quand la valeur est détruite (chromedriver,
/// Chromium et tous ses processus, d'un seul signal), même si le test échoue
/// ou panique ; le profil temporaire est effacé.
pub struct Browser {
    // L'ordre des champs est l'ordre de destruction : la session, puis les
    // processus, puis le dossier du profil.
    client: Client,
    windows: tokio::sync::Mutex<Windows>,
    logs: Mutex<Vec<LogEntry>>,
    driver: Driver,
    _profile: Profile,
}

struct Windows {
    /// L'onglet auquel s'adressent les commandes WebDriver.
    current: Option<WindowHandle>,
    /// La fenêtre vide ouverte au démarrage, réutilisée par le premier onglet.
    spare: Option<WindowHandle>,
}

impl Browser {
    /// Le client WebDriver lui-même, pour ce que ce crate ne propose pas.
    /// Attention : les méthodes de [`Browser`] changent d'onglet courant.
    pub fn webdriver(&self) -> &Client {
        &self.client
    }

    /// S'assure qu'un onglet est courant (après une fermeture, WebDriver
    /// n'en a plus) ; `false` s'il n'y a plus aucun onglet.
    async fn any_current(&self, windows: &mut Windows) -> Result<bool> {
        if windows.current.is_some() {
            return Ok(true);
        }
        let all = command("lister les onglets", self.client.windows()).await?;
        let Some(first) = all.into_iter().next() else {
            return Ok(false);
        };
        command(
            "changer d'onglet",
            self.client.switch_to_window(first.clone()),
        )
        .await?;
        windows.current = Some(first);
        Ok(true)
    }

    async fn focus(&self, tab: &Tab) -> Result<tokio::sync::MutexGuard<'_, Windows>> {
        let mut windows = self.windows.lock().await;
        if windows.current.as_ref() != Some(&tab.handle) {
            windows.current = None;
            command(
                format!("passer à l'onglet {}", tab.name),
                self.client.switch_to_window(tab.handle.clone()),
            )
            .await?;
            windows.current = Some(tab.handle.clone());
        }
        Ok(windows)
    }
}

/// Une commande WebDriver, avec un délai : un navigateur bloqué donne une
/// erreur claire au lieu d'un test qui ne finit jamais.
async fn command<T, E: std::fmt::Display>(
    what: impl std::fmt::Display,
    fut: impl Future<Output = std::result::Result<T, E>>,
) -> Result<T> {
    match tokio::time::timeout(timeouts::command(), fut).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => Err(Error::new(format!("{what} : {e}"))),
        Err(_) => Err(Error::new(format!(
            "{what} : le navigateur n'a pas répondu en {} s",
            timeouts::command().as_secs()
        ))),
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}
