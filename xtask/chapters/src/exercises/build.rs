//! Compiler les exercices : tous d'un coup, et un par un si l'un d'eux ne
//! compile pas (pour nommer celui-là et garder les autres).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Le résultat de la compilation d'un exercice : son exécutable, ou les
/// erreurs du compilateur.
pub type Built = Result<PathBuf, String>;

/// Compile les paquets `packages` de l'espace de travail `manifest` (dans
/// `target_dir` si donné) et rend, pour chacun, son exécutable ou ses
/// erreurs de compilation.
pub fn build(
    manifest: &Path,
    packages: &[String],
    target_dir: Option<&Path>,
) -> Result<HashMap<String, Built>, String> {
    let (ok, binaries, errors) = cargo_build(manifest, packages, target_dir)?;
    if ok {
        return Ok(packages
            .iter()
            .map(|p| {
                let built = binaries
                    .get(p)
                    .cloned()
                    .ok_or_else(|| format!("cargo n'a pas produit l'exécutable de {p}."));
                (p.clone(), built)
            })
            .collect());
    }
    if packages.len() == 1 {
        return Ok(HashMap::from([(packages[0].clone(), Err(errors))]));
    }
    // L'un d'eux ne compile pas : un par un, pour savoir lequel.
    let mut all = HashMap::new();
    for package in packages {
        let one = build(manifest, std::slice::from_ref(package), target_dir)?;
        all.extend(one);
    }
    Ok(all)
}

fn cargo_build(
    manifest: &Path,
    packages: &[String],
    target_dir: Option<&Path>,
) -> Result<(bool, HashMap<String, PathBuf>, String), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut command = Command::new(cargo);
    command
        .arg("build")
        .arg("--manifest-path")
        .arg(manifest)
        .args([
            "--bins",
            "--quiet",
            "--color=never",
            "--message-format=json-render-diagnostics",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(dir) = target_dir {
        command.env("CARGO_TARGET_DIR", dir);
    }
    for package in packages {
        command.args(["-p", package]);
    }
    let output = command
        .output()
        .map_err(|e| format!("impossible de lancer cargo build : {e}"))?;
    let binaries = crate::build::executables(&output.stdout);
    let errors = String::from_utf8_lossy(&output.stderr).into_owned();
    Ok((output.status.success(), binaries, errors))
}

/// La première erreur du compilateur, en une ligne (« error[E0425]: … »).
pub fn first_error(errors: &str) -> String {
    errors
        .lines()
        .find(|l| l.starts_with("error"))
        .unwrap_or("erreur de compilation")
        .to_owned()
}
