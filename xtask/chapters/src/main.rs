//! Les commandes du dépôt qui lancent les chapitres (`verify`, `screenshots`,
//! `bench`) et `client-bundle`. On ne les lance pas directement : c'est
//! `cargo xtask <commande>` (le crate `xtask`) qui les aiguille ici, pour que
//! `cargo xtask book` n'ait pas à compiler tout ceci.

mod bench;
mod build;
mod client_bundle;
mod exercises;
mod french;
mod screenshots;
mod verify;

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((command, rest)) = args.split_first() else {
        eprintln!("Erreur : lancez plutôt cargo xtask <commande> (cargo xtask help).");
        return ExitCode::FAILURE;
    };
    let result = match command.as_str() {
        "verify" => verify::run(rest),
        "exercices" => exercises::run(rest),
        "screenshots" => screenshots::run(rest),
        "bench" => bench::run(rest),
        "client-bundle" => client_bundle::run(rest),
        other => Err(format!(
            "commande inconnue : « {other} » (cargo xtask help les liste)."
        )),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // Déjà dit par la commande (les exercices qui restent à faire).
        Err(message) if message.is_empty() => ExitCode::FAILURE,
        Err(message) => {
            eprintln!("Erreur : {message}");
            ExitCode::FAILURE
        }
    }
}

/// La racine du dépôt (deux dossiers au-dessus de `xtask/chapters/`).
pub fn repository_root() -> PathBuf {
    // Celui que `cargo run` indique à l'exécution, plutôt que celui de la
    // compilation : un dossier `target/` partagé entre deux copies du dépôt
    // peut lancer le programme compilé depuis l'autre.
    let here = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    here.ancestors().nth(2).map(PathBuf::from).unwrap_or(here)
}
