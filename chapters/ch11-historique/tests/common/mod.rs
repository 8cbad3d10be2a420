//! Ce que les tests du chapitre 11 dans Chromium partagent : une base
//! neuve par test, un port fixé pour relancer le serveur à la même
//! adresse, recharger un onglet, comparer une liste sans doublon tardif.

// Chaque fichier de tests n'utilise pas tout.
#![allow(dead_code)]

use std::ffi::OsStr;
use std::path::Path;
use std::time::Duration;

use browser::{Browser, Error, Result, Server, Tab, settle};

pub const PROGRAM: &str = env!("CARGO_BIN_EXE_ch11-historique");

/// Un dossier temporaire et le chemin de la base qu'il contiendra.
pub fn database(test: &str) -> Result<(tempfile::TempDir, std::path::PathBuf)> {
    let dir = tempfile::tempdir()
        .map_err(|e| Error::new(format!("{test} : dossier temporaire impossible : {e}")))?;
    let path = dir.path().join("chat.db");
    Ok((dir, path))
}

/// Recharge l'onglet (comme F5) et attend que la nouvelle page soit
/// connectée.
pub async fn reload(browser: &Browser, tab: &Tab) -> Result<()> {
    browser
        .eval(
            tab,
            "window.__avant = true; setTimeout(() => location.reload(), 0); return true;",
        )
        .await?;
    browser
        .wait_js(
            tab,
            "la page rechargée ne se connecte pas",
            "window.__avant === undefined && typeof socket !== 'undefined' && socket.connected",
        )
        .await
}

/// Les messages affichés par `tab`, sans les annonces (« Connexion
/// perdue… ») : les `li` de `#messages` qui ne sont pas `.notice`.
pub const MESSAGES: &str = "#messages li:not(.notice)";

/// Vérifie que les messages de `tab` (sans les annonces) valent `expected`,
/// puis, un moment plus tard, qu'ils n'ont pas bougé (rien en double arrivé
/// après coup).
pub async fn exactly(browser: &Browser, tab: &Tab, expected: &[String]) -> Result<()> {
    for _ in 0..2 {
        let list = browser
            .wait_texts(
                tab,
                MESSAGES,
                &format!("on attend la liste {expected:?}"),
                |list| list.len() >= expected.len(),
            )
            .await?;
        if list != expected {
            return Err(Error::new(format!(
                "{} affiche {list:?}, on attendait {expected:?} (une fois chacun, dans l'ordre)",
                tab.name()
            )));
        }
        settle(Duration::from_millis(500)).await;
    }
    Ok(())
}

pub fn owned(texts: &[&str]) -> Vec<String> {
    texts.iter().map(|&t| t.to_owned()).collect()
}

/// Un port libre, choisi ici : la relance doit reprendre le même, pour que
/// la page se reconnecte à la même adresse.
pub fn free_port(test: &str) -> Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")
        .map_err(|e| Error::new(format!("{test} : aucun port libre : {e}")))?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| Error::new(format!("{test} : port inconnu : {e}")))
}

/// Lance le chapitre sur la base `db` et le port `port`.
pub async fn start(db: &Path, port: &str) -> Result<Server> {
    let env: [(&str, &OsStr); 2] = [("DATABASE", db.as_os_str()), ("PORT", OsStr::new(port))];
    Server::start_with_env(PROGRAM, &env).await
}

/// Chromium, une base neuve et le chapitre lancé dessus (port libre) ;
/// `None` quand Chromium manque hors CI : le test est sauté, et le dit.
/// Garder le dossier rendu tant que le serveur tourne.
pub async fn launch_on_new_database(
    test: &str,
) -> Result<Option<(Browser, tempfile::TempDir, Server)>> {
    let Some(browser) = browser::launch_or_skip(test).await? else {
        return Ok(None);
    };
    let (dir, db) = database(test)?;
    let server = Server::start_with_env(PROGRAM, &[("DATABASE", db.as_os_str())])
        .await
        .map_err(|e| e.context(test))?;
    Ok(Some((browser, dir, server)))
}
