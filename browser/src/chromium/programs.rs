//! Trouver Chromium et chromedriver sur la machine, et décider de sauter
//! le test quand ils manquent (sauf si `REQUIRE_BROWSER=1` l'interdit).

use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::Browser;
use crate::{Error, Result};

/// Les deux programmes nécessaires, trouvés sur la machine.
#[derive(Debug, Clone)]
pub struct Programs {
    /// Le navigateur (`/usr/lib/chromium/chromium` chez Debian).
    pub chromium: PathBuf,
    /// `chromedriver` (paquet `chromium-driver` chez Debian).
    pub chromedriver: PathBuf,
}

impl Programs {
    /// Cherche Chromium et chromedriver : variables `CHROMIUM` et
    /// `CHROMEDRIVER` si elles sont données, sinon les chemins de Debian et
    /// le `PATH`. `Err` dit ce qui manque.
    pub fn find() -> Result<Self, String> {
        let chromium = match from_env("CHROMIUM")? {
            Some(path) => Some(path),
            None => existing("/usr/lib/chromium/chromium")
                .or_else(|| in_path("chromium"))
                .or_else(|| in_path("chromium-browser")),
        };
        let chromedriver = match from_env("CHROMEDRIVER")? {
            Some(path) => Some(path),
            None => in_path("chromedriver").or_else(|| existing("/usr/lib/chromium/chromedriver")),
        };
        match (chromium, chromedriver) {
            (Some(chromium), Some(chromedriver)) => Ok(Self {
                chromium,
                chromedriver,
            }),
            (None, Some(_)) => Err("Chromium est introuvable".to_owned()),
            (Some(_), None) => Err("chromedriver est introuvable".to_owned()),
            (None, None) => Err("Chromium et chromedriver sont introuvables".to_owned()),
        }
    }
}

/// Le chemin donné par la variable `name`, s'il y en a un ; une erreur s'il
/// ne désigne aucun fichier.
fn from_env(name: &str) -> Result<Option<PathBuf>, String> {
    match std::env::var_os(name).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(path) => {
            let path = PathBuf::from(path);
            if path.is_file() {
                Ok(Some(path))
            } else {
                Err(format!(
                    "{name}={} ne désigne aucun fichier",
                    path.display()
                ))
            }
        }
    }
}

fn existing(path: &str) -> Option<PathBuf> {
    let path = Path::new(path);
    path.is_file().then(|| path.to_path_buf())
}

fn in_path(program: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(program))
        .find(|p| p.is_file())
}

/// Vrai si `REQUIRE_BROWSER=1` : l'absence de Chromium est alors une erreur,
/// jamais une raison de sauter le test (c'est le réglage de la CI).
pub fn browser_required() -> bool {
    std::env::var("REQUIRE_BROWSER").is_ok_and(|v| v.trim() == "1")
}

/// Lance Chromium pour le test `test` ; `Ok(None)` si Chromium ou
/// chromedriver manque et que `REQUIRE_BROWSER=1` n'est pas demandé : le
/// test doit alors s'arrêter là (un message bien visible l'a dit).
pub async fn launch_or_skip(test: &str) -> Result<Option<Browser>> {
    match Programs::find() {
        Ok(programs) => Browser::launch(&programs).await.map(Some),
        Err(missing) if browser_required() => Err(Error::new(format!(
            "{test} : {missing}, et REQUIRE_BROWSER=1 interdit de sauter ce test. \
             Installez-les : apt-get update && apt-get install -y chromium chromium-driver"
        ))),
        Err(missing) => {
            // Écrit directement sur la sortie d'erreur : `eprintln!` serait
            // capturé par `cargo test` et resterait invisible pour un test
            // qui réussit.
            let _ = writeln!(
                std::io::stderr(),
                "\n*** {test} : test dans le navigateur NON LANCÉ : {missing}. \
                 Pour le lancer : apt-get install chromium chromium-driver \
                 (REQUIRE_BROWSER=1 fait de cette absence une erreur). ***"
            );
            Ok(None)
        }
    }
}
