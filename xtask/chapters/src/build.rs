//! Compiler les chapitres et retrouver leurs exécutables.

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use crate::repository_root;

/// Compile les binaires des chapitres demandés (profil de développement, `dev`, celui de
/// `cargo run`) et renvoie le chemin de chaque exécutable.
pub fn chapter_binaries(chapters: &[&str]) -> Result<HashMap<String, PathBuf>, String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut command = Command::new(cargo);
    command
        .current_dir(repository_root())
        .args([
            "build",
            "--bins",
            "--message-format=json-render-diagnostics",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    for chapter in chapters {
        command.args(["-p", chapter]);
    }
    let output = command
        .output()
        .map_err(|e| format!("impossible de lancer cargo build : {e}"))?;
    if !output.status.success() {
        return Err(
            "la compilation a échoué : corrigez les erreurs ci-dessus, puis relancez.".to_owned(),
        );
    }
    let binaries = executables(&output.stdout);
    for chapter in chapters {
        if !binaries.contains_key(*chapter) {
            return Err(format!("cargo n'a pas produit l'exécutable de {chapter}."));
        }
    }
    Ok(binaries)
}

/// Les exécutables qu'annonce `cargo build --message-format=json…` sur sa
/// sortie standard, par nom de cible.
pub fn executables(stdout: &[u8]) -> HashMap<String, PathBuf> {
    let mut binaries = HashMap::new();
    for line in String::from_utf8_lossy(stdout).lines() {
        let Ok(message) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        if message["reason"] != "compiler-artifact" {
            continue;
        }
        if let (Some(name), Some(path)) = (
            message["target"]["name"].as_str(),
            message["executable"].as_str(),
        ) {
            binaries.insert(name.to_owned(), PathBuf::from(path));
        }
    }
    binaries
}
