//! `cargo xtask …` : les commandes du dépôt, écrites en Rust pour n'avoir rien
//! d'autre à installer (le motif « xtask »).

mod bench;
mod book;
mod build;
mod client_bundle;
mod screenshots;
mod verify;

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "\
Utilisation : cargo xtask <commande> [options]

Commandes :
  verify [CHAPITRE…]   vérifie chaque chapitre comme le ferait un étudiant
                       (tous par défaut ; « ch05 », « ch05-broadcast » ou « 5 »)
  book [--open]        construit le livre (book/build/index.html)
  screenshots          refait les captures d'écran du livre (Chromium requis)
  bench [--vs-node] [--quick]
                       mesure le débit, la latence et la mémoire du chat
                       (--vs-node : comparé à la version Node, ~20 min)
  client-bundle        met à jour le client JavaScript de Socket.IO depuis npm
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((command, rest)) = args.split_first() else {
        print!("{USAGE}");
        return ExitCode::SUCCESS;
    };
    let result = match command.as_str() {
        "verify" => verify::run(rest),
        "book" => book::run(rest),
        "screenshots" => screenshots::run(rest),
        "bench" => bench::run(rest),
        "client-bundle" => client_bundle::run(rest),
        "help" | "--help" | "-h" => {
            print!("{USAGE}");
            Ok(())
        }
        other => Err(format!("commande inconnue : « {other} ».\n\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("Erreur : {message}");
            ExitCode::FAILURE
        }
    }
}

/// La racine du dépôt (le dossier parent de `xtask/`).
pub fn repository_root() -> PathBuf {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    here.parent().map(PathBuf::from).unwrap_or(here)
}
