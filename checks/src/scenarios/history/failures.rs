//! Chapitre 11 (et 15) : l'historique quand quelque chose tourne mal — la
//! base tenue par un autre programme, une base illisible au démarrage, un
//! accusé perdu en route. À part des cas ordinaires (`history.rs`) : chacun
//! prépare sa panne avant de l'observer.

use super::*;

/// Un autre programme tient la base en écriture (`BEGIN EXCLUSIVE`) : le
/// serveur attend le délai de SQLite (5 s), puis renonce. L'auteur ne
/// reçoit aucun accusé : un accusé `{ error }` mettrait fin aux essais de la
/// bibliothèque cliente (`retries`), qui renvoie, elle, un message resté
/// sans réponse. Le terminal dit pourquoi, et personne ne reçoit le
/// message. Une fois la base libérée, le même envoi (même `clientOffset`)
/// passe, une seule fois.
pub(crate) async fn write_refused(ctx: Ctx) -> Result<(), Failure> {
    const TEXT: &str = "pendant le verrou";
    let database = ctx.fresh_database()?;
    let shown = database.to_string_lossy().into_owned();
    let server = ctx.start_with(&[("DATABASE", shown.as_str())]).await?;
    let url = server.url();
    let author = tab(&ctx, &url, "auteur", json!(0)).await?;
    let mut witness = tab(&ctx, &url, "témoin", json!(0)).await?;
    let before = send_stored(&author, "avant le verrou", "lock-1").await?;
    expect_stored(&ctx, &mut witness, "avant le verrou", "base libre").await?;

    let locker = tokio::task::spawn_blocking(move || {
        let conn = rusqlite::Connection::open(&database)?;
        conn.execute_batch("BEGIN EXCLUSIVE")?;
        Ok::<_, rusqlite::Error>(conn)
    })
    .await
    .map_err(|e| Failure::new("verrouiller la base", e.to_string()))?
    .map_err(|e| Failure::new("verrouiller la base", e.to_string()))?;

    // 5 s de délai de SQLite, et de la marge : un accusé arrivé dans ce
    // temps est une réponse du serveur, pas un retard.
    let no_reply_wait = Duration::from_secs(8);
    let ack = author
        .emit_with_ack(
            "new message",
            vec![json!(TEXT), json!("lock-2")],
            no_reply_wait,
        )
        .await;
    if let Ok(ack) = ack {
        return Err(Failure::new(
            "base verrouillée : aucun accusé (un accusé d'erreur arrêterait les essais de la page, `retries`)",
            show_ack(&ack),
        ));
    }
    witness
        .expect_nothing(SILENCE, "le témoin ne reçoit pas un message non enregistré")
        .await?;
    let said = server
        .log()
        .stdout()
        .iter()
        .any(|l| l.starts_with("Message de ") && l.contains("non enregistré"));
    if !said {
        return Err(Failure::new(
            "le terminal dit « Message de <id> non enregistré : <raison> »",
            "aucune ligne de ce genre",
        ));
    }

    tokio::task::spawn_blocking(move || locker.execute_batch("ROLLBACK"))
        .await
        .map_err(|e| Failure::new("libérer la base", e.to_string()))?
        .map_err(|e| Failure::new("libérer la base", e.to_string()))?;
    let after = send_stored(&author, TEXT, "lock-2").await?;
    if after != before + 1 {
        return Err(Failure::new(
            format!(
                "renvoyé, le message reçoit le numéro suivant, {}",
                before + 1
            ),
            format!("numéro {after}"),
        ));
    }
    expect_stored(&ctx, &mut witness, TEXT, "renvoyé une fois la base libre").await?;
    witness
        .expect_nothing(SILENCE, "le témoin le reçoit une seule fois")
        .await
}

pub(crate) async fn bad_database(ctx: Ctx) -> Result<(), Failure> {
    let dir =
        tempfile::tempdir().map_err(|e| Failure::new("un dossier temporaire", e.to_string()))?;
    let missing = dir.path().join("absent").join("chat.db");
    let folder = dir.path().to_path_buf();
    let mut paths = vec![missing, folder];
    // Un fichier en lecture seule : l'administrateur (root) peut quand même
    // y écrire ; on ne l'essaie donc que si l'écriture y est vraiment refusée.
    let read_only = dir.path().join("lecture-seule.db");
    let made = std::fs::write(&read_only, b"").and_then(|()| {
        let mut permissions = std::fs::metadata(&read_only)?.permissions();
        permissions.set_readonly(true);
        std::fs::set_permissions(&read_only, permissions)
    });
    let refused = std::fs::OpenOptions::new()
        .write(true)
        .open(&read_only)
        .is_err();
    if made.is_ok() && refused {
        paths.push(read_only.clone());
    }
    for path in paths {
        let shown = path.to_string_lossy().into_owned();
        let env = [
            ("DATABASE", shown.as_str()),
            ("PORT", "0"),
            ("HOST", "127.0.0.1"),
        ];
        let (code, output) = run_to_exit(&ctx, &env).await?;
        check_clean_error(&format!("DATABASE={shown}"), code, &output, &[&shown])?;
    }
    // Rendre le fichier modifiable, pour que le dossier s'efface sous Windows.
    if let Ok(metadata) = std::fs::metadata(&read_only) {
        let mut permissions = metadata.permissions();
        #[allow(clippy::permissions_set_readonly_false)]
        permissions.set_readonly(false);
        std::fs::set_permissions(&read_only, permissions).ok();
    }
    Ok(())
}

/// La connexion est coupée après l'enregistrement, avant que le client ait
/// reçu son accusé : il se reconnecte et renvoie le même `clientOffset`
/// (ce que font `retries` dans la page). Le message reste enregistré et
/// diffusé une seule fois, et le nouvel accusé porte le même numéro.
pub(crate) async fn ack_lost(ctx: Ctx) -> Result<(), Failure> {
    const TEXT: &str = "coupé avant l'accusé";
    let server = ctx.start().await?;
    let url = server.url();
    let mut witness = tab(&ctx, &url, "témoin", json!(0)).await?;
    let proxy = crate::proxy::Proxy::start(server.port()).await?;
    let cut_off = tab(&ctx, &proxy.url(), "coupé", json!(0)).await?;
    // Sans attendre d'accusé : celui-ci ne lui parviendra jamais.
    cut_off
        .emit("new message", vec![json!(TEXT), json!("coupe-1")])
        .await?;
    server.expect_line(&message_line(&ctx, TEXT), 1).await?;
    proxy.cut();
    drop(cut_off);
    let stored = expect_stored(
        &ctx,
        &mut witness,
        TEXT,
        "le message enregistré est diffusé",
    )
    .await?;
    // Le même onglet, reconnecté (au chapitre 15, le même compte) :
    // l'historique, puis le nouvel essai.
    let mut again = tab(&ctx, &url, "coupé", json!(0)).await?;
    expect_stored(&ctx, &mut again, TEXT, "l'historique après la reconnexion").await?;
    let retried = send_stored(&again, TEXT, "coupe-1").await?;
    if retried != stored {
        return Err(Failure::new(
            "le nouvel essai d'un message déjà enregistré est accusé avec le même numéro",
            format!("{stored} à l'enregistrement, {retried} au nouvel essai"),
        ));
    }
    witness
        .expect_nothing(
            SILENCE,
            "le nouvel essai n'est pas diffusé une seconde fois",
        )
        .await?;
    again
        .expect_nothing(
            SILENCE,
            "le nouvel essai n'est pas diffusé une seconde fois",
        )
        .await?;
    let count = server
        .log()
        .stdout()
        .iter()
        .filter(|l| **l == message_line(&ctx, TEXT))
        .count();
    if count != 1 {
        return Err(Failure::new(
            format!("« {} » affiché une seule fois", message_line(&ctx, TEXT)),
            format!("{count} fois"),
        ));
    }
    Ok(())
}
