//! `cargo xtask screenshots` : les captures d'écran du livre, prises dans un
//! vrai Chromium, sur les vrais chapitres.
//!
//! Construit les programmes des chapitres (`cargo build --bins`), lance
//! chacun sur un port libre, joue une petite scène réaliste (plusieurs
//! onglets quand le chapitre en parle, des messages échangés) et enregistre
//! une image par chapitre dans `book/src/images/` :
//!
//! | fichier | ce qu'on y voit |
//! | --- | --- |
//! | `ch01-static.png` | la page servie, et le terminal |
//! | `ch02-connect.png` | la page connectée, et le terminal |
//! | `ch03-emit.png` | la page après deux envois, et le terminal |
//! | `ch04-io-emit.png` | trois onglets qui reçoivent tout, émetteur compris |
//! | `ch05-broadcast.png` | trois onglets : l'émetteur ne reçoit pas son message |
//! | `ch06-clients.png` | deux onglets restants, et le terminal qui compte |
//! | `ch07-rooms.png` | trois onglets dans deux salons, et le terminal |
//! | `ch08-acks.png` | un message reçu par le serveur, un autre en échec une fois le serveur arrêté |
//! | `ch09-pseudos.png` | Alice et Bob discutent, un troisième onglet se voit refuser « alice » |
//! | `ch10-prive.png` | un message privé vu du seul Bob, et « Alice est en train d'écrire… » |
//! | `ch11-historique.png` | un onglet rechargé qui retrouve l'historique, et le terminal |
//! | `ch12-cluster.png` | Alice sur le port 3000, Bob sur le port 3001, « ALICE » refusée sur le 3001, et les deux terminaux |
//! | `ch13-comptes.png` | Alice dans deux onglets, Bob dans un troisième : un message d'Alice vu comme le sien dans son autre onglet |
//! | `ch14-moderation.png` | le chat de Modo, sa page de modération, et Bob dont le sixième message est refusé |
//!
//! Quand une image a plusieurs onglets, ils sont côte à côte avec leur
//! légende (« Onglet 1 »…) ; le terminal, s'il y en a un, est dessous.
//!
//! Le code : ce fichier (les options, la boucle sur les chapitres),
//! `screenshots/scene.rs` (ouvrir des onglets, attendre, composer l'image)
//! et une scène par chapitre dans `screenshots/part_one.rs` (chapitres 1
//! à 7), `screenshots/part_two.rs` (chapitres 8 à 12) et
//! `screenshots/part_three.rs` (chapitres 13 et suivants).
//!
//! Options : des noms de chapitres (`ch05`, `5`…) pour n'en refaire que
//! certains. Chromium et chromedriver sont nécessaires
//! (`apt-get install chromium chromium-driver`).

mod part_one;
mod part_three;
mod part_two;
mod scene;

use std::path::Path;

use browser::{Browser, Programs, Result, Server};

use scene::Scene;

pub fn run(args: &[String]) -> Result<(), String> {
    let chapters = crate::verify::select_chapters(args)?;
    let programs = Programs::find().map_err(|missing| {
        format!(
            "{missing} : les captures se font dans Chromium. \
             Installez-le : apt-get install chromium chromium-driver"
        )
    })?;

    let root = crate::repository_root();
    let binaries = crate::build::chapter_binaries(&chapters)?;
    let images = root.join("book/src/images");
    std::fs::create_dir_all(&images)
        .map_err(|e| format!("impossible de créer {} : {e}", images.display()))?;

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("runtime tokio : {e}"))?;
    for chapter in chapters {
        let program = &binaries[chapter];
        let png = runtime
            .block_on(shoot(&programs, chapter, program))
            .map_err(|e| format!("{chapter} : {e}"))?;
        let path = images.join(format!("{chapter}.png"));
        std::fs::write(&path, &png)
            .map_err(|e| format!("impossible d'écrire {} : {e}", path.display()))?;
        println!(
            "{} ({} Ko)",
            path.strip_prefix(&root).unwrap_or(&path).display(),
            png.len().div_ceil(1024)
        );
    }
    Ok(())
}

async fn shoot(programs: &Programs, chapter: &str, program: &Path) -> browser::Result<Vec<u8>> {
    let browser = Browser::launch(programs).await?;
    // Le chapitre 12 lance lui-même son Redis et ses deux processus.
    if chapter == "ch12-cluster" {
        return part_two::cluster(&browser, program).await;
    }
    // Le chapitre 15 aussi, avec PostgreSQL en plus.
    if chapter == "ch15-en-ligne" {
        return part_three::online_chat(&browser, program).await;
    }
    // Une base neuve pour le chapitre 11 (`DATABASE`), effacée à la fin :
    // l'image ne montre que la scène, rien d'une capture précédente.
    let scratch = tempfile::tempdir()
        .map_err(|e| browser::Error::new(format!("dossier temporaire impossible : {e}")))?;
    let database = scratch.path().join("chat.db");
    // Un modérateur pour le chapitre 14 (les autres ignorent la variable).
    let env = [
        ("DATABASE", database.as_os_str()),
        ("MODERATORS", std::ffi::OsStr::new("Modo")),
    ];
    let server = Server::start_with_env(program, &env).await?;
    let mut scene = Scene::new(&browser, server, chapter);
    let png = match part_one::shoot(&scene).await? {
        Some(png) => png,
        None => match part_two::shoot(&mut scene).await? {
            Some(png) => png,
            None => match part_three::shoot(&mut scene).await? {
                Some(png) => png,
                None => browser::bail!("pas de scène pour {chapter}"),
            },
        },
    };
    scene.check_console().await?;
    Ok(png)
}
