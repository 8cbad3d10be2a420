//! `cargo xtask …` : les commandes du dépôt, écrites en Rust pour n'avoir rien
//! d'autre à installer (le motif « xtask »).
//!
//! Ce programme-ci ne fait qu'aiguiller, sans aucune dépendance : il se
//! compile en une seconde. Chaque commande vit dans son propre crate, compilé
//! seulement quand on la demande :
//!
//! - `xtask/book/` (`xtask-book`) : le livre, avec mdBook ;
//! - `xtask/chapters/` (`xtask-chapters`) : tout ce qui lance les chapitres
//!   (`verify`, `exercices`, `screenshots`, `bench`) et `client-bundle`, avec les clients
//!   Socket.IO des vérifications (et OpenSSL) et le pilote de Chromium.
//!
//! Ainsi `cargo xtask book` n'attend que mdBook, et `cargo xtask verify`
//! n'attend pas mdBook.

use std::path::PathBuf;
use std::process::{Command, ExitCode};

const USAGE: &str = "\
Utilisation : cargo xtask <commande> [options]

Commandes :
  verify [CHAPITRE…]   vérifie chaque chapitre comme le ferait un étudiant
                       (tous par défaut ; « ch05 », « ch05-broadcast » ou « 5 »)
  exercices [EXERCICE…] [--indice EXERCICE] [--recommencer EXERCICE]
            [--regenerer]
                       vérifie vos exercices (exercices/exNN-…, créés
                       depuis leur chapitre la première fois) et nomme le
                       suivant ; --indice l'aide, --recommencer le remet à
                       zéro ; --regenerer (après un changement de chapitre)
                       récrit les solutions, et vos copies si vous le
                       confirmez
  book [--open]        construit le livre (book/build/index.html)
  screenshots          refait les captures d'écran du livre (Chromium requis)
  bench [--vs-node] [--quick]
                       mesure le débit, la latence et la mémoire du chat
                       (--vs-node : comparé à la version Node, une demi-heure)
  client-bundle        met à jour le client JavaScript de Socket.IO depuis npm
";

/// Comment lancer une commande.
#[derive(Debug, PartialEq, Eq)]
struct Route {
    /// Le crate qui la porte.
    package: &'static str,
    /// Lui redonner le nom de la commande (`xtask-chapters` en porte plusieurs).
    pass_command: bool,
    /// Options de cargo en plus.
    cargo_options: &'static [&'static str],
}

/// Les dépendances de mdBook compilées sans optimisation : le profil de
/// développement (`dev`) de l'espace de travail optimise les dépendances
/// (`opt-level = 1`, pour que les chapitres aillent vite), ce qui triple le
/// temps de compilation de mdBook pour un gain invisible sur la construction
/// d'un livre.
const BOOK_CARGO_OPTIONS: &[&str] = &["--config", "profile.dev.package.\"*\".opt-level=0"];

fn route(command: &str) -> Option<Route> {
    match command {
        "book" => Some(Route {
            package: "xtask-book",
            pass_command: false,
            cargo_options: BOOK_CARGO_OPTIONS,
        }),
        "verify" | "exercices" | "screenshots" | "bench" | "client-bundle" => Some(Route {
            package: "xtask-chapters",
            pass_command: true,
            cargo_options: &[],
        }),
        _ => None,
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((command, rest)) = args.split_first() else {
        print!("{USAGE}");
        return ExitCode::SUCCESS;
    };
    if matches!(command.as_str(), "help" | "--help" | "-h") {
        print!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let Some(route) = route(command) else {
        eprintln!("Erreur : commande inconnue : « {command} ».\n\n{USAGE}");
        return ExitCode::FAILURE;
    };

    // Le même cargo que celui qui nous a lancés, sur le même espace de
    // travail ; la sortie et le code de retour sont ceux de la commande.
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let manifest = package_dir().parent().map(|root| root.join("Cargo.toml"));
    let mut run = Command::new(cargo);
    run.args(["run", "--quiet"]).args(route.cargo_options);
    if let Some(manifest) = manifest {
        run.arg("--manifest-path").arg(manifest);
    }
    run.args(["--package", route.package, "--"]);
    if route.pass_command {
        run.arg(command);
    }
    run.args(rest);
    launch(run)
}

/// Le dossier `xtask/` de l'espace de travail d'où l'on est lancé : celui
/// que `cargo run` indique à l'exécution, plutôt que celui de la
/// compilation (un dossier `target/` partagé entre deux copies du dépôt peut
/// lancer le programme compilé depuis l'autre).
fn package_dir() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")))
}

/// Sous Unix, le programme est remplacé par cargo (comme le fait
/// `cargo run`) : Ctrl+C, la sortie et le code de retour vont directement à
/// la commande. Ailleurs, on l'attend et on rend son code de retour.
#[cfg(unix)]
fn launch(mut run: Command) -> ExitCode {
    use std::os::unix::process::CommandExt;
    let error = run.exec();
    eprintln!("Erreur : impossible de lancer cargo : {error}");
    ExitCode::FAILURE
}

#[cfg(not(unix))]
fn launch(mut run: Command) -> ExitCode {
    match run.status() {
        Ok(status) => match status.code() {
            Some(0) => ExitCode::SUCCESS,
            Some(code) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
            None => ExitCode::FAILURE,
        },
        Err(error) => {
            eprintln!("Erreur : impossible de lancer cargo : {error}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_command_of_the_usage_has_a_route() {
        let commands: Vec<&str> = USAGE
            .lines()
            .skip_while(|line| !line.starts_with("Commandes"))
            .skip(1)
            .filter_map(|line| line.strip_prefix("  "))
            .filter(|line| !line.starts_with(' '))
            .filter_map(|line| line.split_whitespace().next())
            .collect();
        assert_eq!(
            commands,
            [
                "verify",
                "exercices",
                "book",
                "screenshots",
                "bench",
                "client-bundle"
            ]
        );
        for command in commands {
            assert!(route(command).is_some(), "{command} n'a pas de crate");
        }
        assert_eq!(route("inconnue"), None);
    }

    #[test]
    fn the_book_does_not_wait_for_the_chapter_commands() {
        let book = route("book").map(|r| r.package);
        assert_eq!(book, Some("xtask-book"));
        assert_eq!(route("verify").map(|r| r.package), Some("xtask-chapters"));
    }
}
