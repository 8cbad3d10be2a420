//! `cargo xtask …` : les commandes du dépôt, écrites en Rust pour n'avoir rien
//! d'autre à installer (le motif « xtask »).
//!
//! Ce programme-ci ne fait qu'aiguiller, sans aucune dépendance : il se
//! compile en une seconde. Chaque commande vit dans son propre crate, compilé
//! seulement quand on la demande :
//!
//! - `xtask/book/` (`xtask-book`) : le livre, avec mdBook ;
//! - `xtask/heavy/` (`xtask-heavy`) : tout ce qui lance les chapitres
//!   (`verify`, `screenshots`, `bench`) et `client-bundle`, avec les clients
//!   Socket.IO des vérifications (et OpenSSL) et le pilote de Chromium.
//!
//! Ainsi `cargo xtask book` n'attend que mdBook, et `cargo xtask verify`
//! n'attend pas mdBook.

use std::process::{Command, ExitCode};

const USAGE: &str = "\
Utilisation : cargo xtask <commande> [options]

Commandes :
  verify [CHAPITRE…]   vérifie chaque chapitre comme le ferait un étudiant
                       (tous par défaut ; « ch05 », « ch05-broadcast » ou « 5 »)
  book [--open]        construit le livre (book/build/index.html)
  screenshots          refait les captures d'écran du livre (Chromium requis)
  bench [--vs-node] [--quick]
                       mesure le débit, la latence et la mémoire du chat
                       (--vs-node : comparé à la version Node, ~20 min)
  client-bundle        met à jour le client JavaScript de Socket.IO depuis npm
";

/// Le crate qui porte chaque commande, et s'il faut lui redonner le nom de
/// la commande (`xtask-heavy` en porte plusieurs).
fn crate_for(command: &str) -> Option<(&'static str, bool)> {
    match command {
        "book" => Some(("xtask-book", false)),
        "verify" | "screenshots" | "bench" | "client-bundle" => Some(("xtask-heavy", true)),
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
    let Some((package, pass_command)) = crate_for(command) else {
        eprintln!("Erreur : commande inconnue : « {command} ».\n\n{USAGE}");
        return ExitCode::FAILURE;
    };

    // Le même cargo que celui qui nous a lancés, sur le même espace de
    // travail ; la sortie et le code de retour sont ceux de la commande.
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(|root| root.join("Cargo.toml"));
    let mut run = Command::new(cargo);
    run.args(["run", "--quiet"]);
    if let Some(manifest) = manifest {
        run.arg("--manifest-path").arg(manifest);
    }
    run.args(["--package", package, "--"]);
    if pass_command {
        run.arg(command);
    }
    run.args(rest);
    launch(run)
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
