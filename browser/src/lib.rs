//! # `browser` : les « Pour tester » des diapositives, dans un vrai navigateur
//!
//! Le cours se teste à la main, dans des onglets : « ouvrez la page dans
//! plusieurs onglets, envoyez un message depuis un onglet, vérifiez qu'il
//! s'affiche dans tous les onglets ». Ce crate fait la même chose avec le
//! Chromium de Debian (paquets `chromium` et `chromium-driver`), piloté par
//! chromedriver : il prouve ensemble la page, le client JavaScript officiel
//! et le serveur Rust.
//!
//! - [`Server`] lance le programme d'un chapitre sur un port libre
//!   (`PORT=0`) et lit ce qu'il écrit dans le terminal ;
//! - [`Browser`] lance Chromium (profil neuf, chromedriver sur un port libre),
//!   ouvre des onglets, tape, clique, lit la page (`#messages`, les textes
//!   et la visibilité de tout sélecteur CSS), attend, lit la console ;
//! - [`checks`] : les vérifications communes à plusieurs chapitres (diffusion,
//!   HTML affiché comme du texte, repli sur le long-polling) ;
//! - [`pseudos`] : lire et remplir les pages à pseudo (chapitre 9 et
//!   suivants : entrer, « En ligne », annonces, messages signés).
//!
//! Sans Chromium, [`launch_or_skip`] écrit un message bien visible et le test
//! s'arrête là ; avec `REQUIRE_BROWSER=1` (la CI), c'est un échec.
//!
//! Tout s'arrête quand les valeurs sont détruites, même si le test échoue ou
//! panique : le serveur, chromedriver et tous les processus de Chromium (un
//! signal à leur groupe de processus), puis le profil temporaire est effacé.
//! Si le processus du test meurt sans rien détruire (Ctrl+C, `SIGKILL`), un
//! gardien par groupe s'en aperçoit et fait le même ménage.
//!
//! Les délais : 20 s pour qu'un message ou une ligne apparaisse, 60 s pour
//! démarrer Chromium (assez pour une machine de CI chargée à deux cœurs).
//! `BROWSER_WAIT_SECS` change le premier (le second en est le triple).

pub mod accounts;
pub mod checks;
mod chromium;
mod error;
mod group;
pub mod pseudos;
mod server;

use std::time::Duration;

pub use chromium::{
    Browser, LogEntry, Panel, Programs, Tab, browser_required, is_outage_error, launch_or_skip,
};
pub use error::{Error, Result};
pub use server::Server;

/// Les délais d'attente.
pub mod timeouts {
    use std::time::Duration;

    /// Le temps laissé à une chose attendue pour arriver (un message dans un
    /// onglet, une ligne du serveur) : `BROWSER_WAIT_SECS`, 20 s par défaut.
    pub fn wait() -> Duration {
        let secs = std::env::var("BROWSER_WAIT_SECS")
            .ok()
            .and_then(|s| s.trim().parse::<u64>().ok())
            .filter(|&s| s > 0)
            .unwrap_or(20);
        Duration::from_secs(secs)
    }

    /// Le temps laissé pour démarrer chromedriver, Chromium ou un serveur.
    pub fn start() -> Duration {
        wait() * 3
    }

    /// Le temps laissé à une seule commande WebDriver.
    pub fn command() -> Duration {
        wait() * 3
    }
}

/// Répète `check` (toutes les 50 ms) jusqu'à ce qu'il rende `Ok(Ok(valeur))`,
/// au plus `timeout`.
///
/// `check` rend `Ok(Err(état))` tant que ce n'est pas prêt : en cas de délai
/// dépassé, `poll` rend `Ok(Err(dernier état))`, pour l'expliquer. Une erreur
/// `Err(…)` de `check` arrête tout de suite.
pub async fn poll<T, S, F, Fut>(timeout: Duration, mut check: F) -> Result<Result<T, S>>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Result<T, S>>>,
{
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let state = match check().await? {
            Ok(value) => return Ok(Ok(value)),
            Err(state) => state,
        };
        if tokio::time::Instant::now() >= deadline {
            return Ok(Err(state));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Le déroulé d'un test de chapitre : lancer Chromium (ou sauter le test,
/// voir [`launch_or_skip`]), lancer le programme `program` du chapitre,
/// jouer `scenario`, puis vérifier que la console du navigateur est restée
/// sans erreur. En cas d'échec, le message cite aussi tout ce que le serveur
/// a écrit. Tout est arrêté à la fin, même en cas d'échec ou de panique.
pub async fn run_chapter(
    test: &str,
    program: &str,
    scenario: impl AsyncFnOnce(&Browser, &Server) -> Result<()>,
) -> Result<()> {
    let Some(browser) = launch_or_skip(test).await? else {
        return Ok(());
    };
    let server = Server::start(program).await.map_err(|e| e.context(test))?;
    let outcome = match scenario(&browser, &server).await {
        Ok(()) => browser.check_console().await,
        Err(e) => Err(e),
    };
    outcome.map_err(|e| server.explain(0, &format!("{test} : {e}")))
}

/// Attend `duration` : le temps qu'un message en trop ait pu arriver, avant
/// de vérifier qu'il n'est pas là.
pub async fn settle(duration: Duration) {
    tokio::time::sleep(duration).await;
}
