//! Le cycle de travail de l'étudiant : compilation à froid de
//! `ch05-broadcast` (profil de développement, `dev`), puis le temps entre la modification de `main.rs` et le
//! serveur qui répond de nouveau.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Instant, SystemTime};

use serde_json::{Value, json};

use super::format::{fmt, median};
use super::{cargo, target_dir};

pub(super) fn student_loop(root: &Path, quick: bool) -> Result<Value, String> {
    let main_rs = root.join("chapters/ch05-broadcast/src/main.rs");
    let mut cold = None;
    if !quick {
        println!("Compilation à froid de ch05-broadcast (dossier target vide)…");
        let cold_dir = target_dir(root).join("bench-cold");
        std::fs::remove_dir_all(&cold_dir).ok();
        let t = Instant::now();
        cargo_build_dev(root, Some(&cold_dir))?;
        cold = Some(t.elapsed().as_secs_f64());
        std::fs::remove_dir_all(&cold_dir).ok();
    }
    // La cible habituelle, à jour, puis : modifier main.rs, recompiler,
    // relancer jusqu'à la ligne « prêt ».
    let binary = cargo_build_dev(root, None)?;
    let tries = if quick { 1 } else { 3 };
    let (mut rebuilds, mut readies) = (Vec::new(), Vec::new());
    for _ in 0..tries {
        touch(&main_rs)?;
        let t = Instant::now();
        cargo_build_dev(root, None)?;
        let rebuilt = t.elapsed().as_secs_f64();
        wait_ready(&binary)?;
        rebuilds.push(rebuilt);
        readies.push(t.elapsed().as_secs_f64());
    }
    let value = json!({
        "cold_build_s": cold,
        "rebuild_s": median(&rebuilds),
        "edit_to_ready_s": median(&readies),
        "tries": tries,
        "all_rebuilds_s": rebuilds,
        "all_edit_to_ready_s": readies,
    });
    println!(
        "Boucle de l'étudiant : recompilation {} s, serveur prêt {} s après la modification.",
        fmt(value["rebuild_s"].as_f64(), 2),
        fmt(value["edit_to_ready_s"].as_f64(), 2)
    );
    Ok(value)
}

pub(super) fn cargo_build_dev(root: &Path, target: Option<&Path>) -> Result<PathBuf, String> {
    let mut command = Command::new(cargo());
    command
        .current_dir(root)
        .args(["build", "-p", "ch05-broadcast", "--bin", "ch05-broadcast"])
        .arg("--message-format=json-render-diagnostics")
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    if let Some(dir) = target {
        command.env("CARGO_TARGET_DIR", dir);
    }
    let output = command
        .output()
        .map_err(|e| format!("impossible de lancer cargo build : {e}"))?;
    if !output.status.success() {
        return Err("cargo build -p ch05-broadcast a échoué.".to_owned());
    }
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find_map(|m| {
            (m["reason"] == "compiler-artifact" && m["target"]["name"] == "ch05-broadcast")
                .then(|| m["executable"].as_str().map(PathBuf::from))
                .flatten()
        })
        .ok_or_else(|| "cargo n'a pas produit l'exécutable de ch05-broadcast.".to_owned())
}

/// « Modifie » `main.rs` sans en changer le contenu : sa date suffit à cargo.
pub(super) fn touch(path: &Path) -> Result<(), String> {
    let file = std::fs::File::options()
        .append(true)
        .open(path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    file.set_modified(SystemTime::now())
        .map_err(|e| format!("{}: {e}", path.display()))
}

pub(super) fn wait_ready(binary: &Path) -> Result<(), String> {
    let mut child = Command::new(binary)
        .env("PORT", "0")
        .env("HOST", "127.0.0.1")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("impossible de lancer {} : {e}", binary.display()))?;
    let stdout = child.stdout.take().ok_or("pas de sortie standard")?;
    let mut lines = BufReader::new(stdout).lines();
    let ready = lines.any(|l| l.map(|l| checks::ready_port(&l).is_some()).unwrap_or(false));
    child.kill().ok();
    child.wait().ok();
    if ready {
        Ok(())
    } else {
        Err("ch05-broadcast ne s'est pas mis en écoute.".to_owned())
    }
}
