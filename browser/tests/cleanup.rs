//! Un test qui panique ne laisse rien derrière lui : ni chromedriver, ni
//! Chromium (aucun processus de son groupe), ni le serveur, ni le profil.
//! (Groupes de processus et /proc : Linux seulement.)
#![cfg(target_os = "linux")]

use std::path::PathBuf;
use std::time::Duration;

use browser::{Programs, Result, Server, bail, launch_or_skip};

/// Les processus encore vivants (pas zombies) du groupe `group`.
fn alive_in_group(group: i32) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| std::fs::read_to_string(e.path().join("stat")).ok())
        .filter_map(|stat| {
            // pid (nom) état ppid pgrp …
            let (_, rest) = stat.rsplit_once(") ")?;
            let fields: Vec<&str> = rest.split_whitespace().collect();
            let state = *fields.first()?;
            let pgrp: i32 = fields.get(2)?.parse().ok()?;
            (pgrp == group && state != "Z").then_some(stat)
        })
        .collect()
}

fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|stat| {
            let (_, rest) = stat.rsplit_once(") ")?;
            rest.split_whitespace().next().map(|s| s != "Z")
        })
        .unwrap_or(false)
}

/// Un faux serveur de chapitre : la ligne « prêt », puis il attend.
fn fake_server() -> Result<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let path = std::env::temp_dir().join(format!("browser-cleanup-{}.sh", std::process::id()));
    std::fs::write(
        &path,
        "#!/bin/sh\necho 'Adresse du serveur : http://localhost:9'\nexec sleep 600\n",
    )
    .map_err(|e| format!("écriture de {} : {e}", path.display()))?;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
        .map_err(|e| format!("chmod {} : {e}", path.display()))?;
    Ok(path)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn une_panique_arrete_chromium_chromedriver_et_le_serveur() -> Result<()> {
    if Programs::find().is_err() {
        // Saute le test avec un message, ou échoue si REQUIRE_BROWSER=1.
        launch_or_skip("nettoyage après panique").await?;
        return Ok(());
    }
    let script = fake_server()?;
    let (tx, rx) = tokio::sync::oneshot::channel();
    let program = script.clone();
    let task = tokio::spawn(async move {
        let Ok(Some(browser)) = launch_or_skip("nettoyage après panique").await else {
            return;
        };
        let Ok(server) = Server::start(&program).await else {
            return;
        };
        if browser.open("about:blank", "onglet 1").await.is_err() {
            return;
        }
        let _ = tx.send((browser.process_group(), server.pid()));
        panic!("panique voulue : le test échoue au milieu");
    });
    let outcome = task.await;
    let _ = std::fs::remove_file(&script);
    let Ok((group, Some(server))) = rx.await else {
        bail!("le navigateur ou le faux serveur n'a pas démarré");
    };
    if outcome.is_ok() {
        bail!("la tâche devait paniquer");
    }

    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let left = alive_in_group(group);
        let server_alive = alive(server);
        if left.is_empty() && !server_alive {
            return Ok(());
        }
        if tokio::time::Instant::now() >= deadline {
            bail!(
                "après la panique, il reste des processus : serveur vivant = {server_alive}, \
                 groupe de Chromium : {left:?}"
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
