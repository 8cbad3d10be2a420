//! Démarrer, refuser un mauvais réglage, s'arrêter proprement : tous les
//! chapitres.

use std::time::Duration;

use super::*;
use crate::client::Transport;
use crate::proxy::Proxy;
use crate::server::{StopSignal, describe_status, spawn};
use crate::{Ctx, Failure, WAIT};

/// Lance le chapitre avec ces variables et attend qu'il s'arrête seul.
pub(super) async fn run_to_exit(
    ctx: &Ctx,
    env: &[(&str, &str)],
) -> Result<(Option<i32>, String), Failure> {
    let mut env: std::collections::HashMap<String, String> = env
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    // Ch11, ch13 et ch14 : une base jetable, jamais `chat.db` dans le
    // dossier du test.
    if matches!(ctx.number(), 11 | 13 | 14) && !env.contains_key("DATABASE") {
        let database = ctx.fresh_database()?;
        env.insert("DATABASE".into(), database.to_string_lossy().into_owned());
    }
    // Ch12 et ch15 : le Redis jetable du contexte.
    if matches!(ctx.number(), 12 | 15..) && !env.contains_key("REDIS_URL") {
        env.insert("REDIS_URL".into(), ctx.redis_url().await?);
    }
    // Ch15 : une base PostgreSQL neuve du contexte.
    if ctx.number() >= 15 && !env.contains_key("DATABASE_URL") {
        env.insert("DATABASE_URL".into(), ctx.fresh_database_url().await?);
    }
    let (mut child, log) = spawn(&ctx.binary, &env)?;
    let status = tokio::time::timeout(WAIT, child.wait())
        .await
        .map_err(|_| {
            Failure::new(
                "le programme s'arrête aussitôt avec une erreur",
                "il tourne encore",
            )
        })?
        .map_err(|e| Failure::new("le programme s'arrête", e.to_string()))?;
    // Les lectures de sortie finissent après le programme : on les attend,
    // pour ne pas juger un message encore en route.
    log.wait_finished(WAIT).await;
    let mut output = log.stdout();
    output.extend(log.stderr());
    Ok((status.code(), output.join("\n")))
}

pub(super) fn check_clean_error(
    what: &str,
    code: Option<i32>,
    output: &str,
    must_contain: &[&str],
) -> Result<(), Failure> {
    if code == Some(0) || code.is_none() {
        return Err(Failure::new(
            format!("{what} : code de sortie non nul"),
            format!("{} ; sortie : {output}", describe_status_code(code)),
        ));
    }
    if output.contains("panicked")
        || output.contains("RUST_BACKTRACE")
        || output.contains("stack backtrace")
    {
        return Err(Failure::new(
            format!("{what} : une phrase claire, sans panique ni trace de pile"),
            output.to_owned(),
        ));
    }
    for needle in must_contain {
        if !output.contains(needle) {
            return Err(Failure::new(
                format!("{what} : le message contient « {needle} »"),
                output.to_owned(),
            ));
        }
    }
    Ok(())
}

pub(super) fn describe_status_code(code: Option<i32>) -> String {
    code.map_or_else(
        || "tué par un signal".to_owned(),
        |c| format!("code de sortie {c}"),
    )
}

pub(super) async fn port_taken(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx.start().await?;
    let port = server.port().to_string();
    // Ch11, ch13, ch14 : une base qui n'existe pas encore ; le port pris,
    // le programme s'arrête sans l'avoir créée.
    let database = if matches!(ctx.number(), 11 | 13 | 14) {
        Some(ctx.fresh_database()?)
    } else {
        None
    };
    let shown = database
        .as_ref()
        .map(|path| path.to_string_lossy().into_owned());
    let mut env = vec![("PORT", port.as_str()), ("HOST", "127.0.0.1")];
    if let Some(shown) = &shown {
        env.push(("DATABASE", shown));
    }
    let (code, output) = run_to_exit(&ctx, &env).await?;
    check_clean_error(
        &format!("second lancement sur le port {port} déjà pris"),
        code,
        &output,
        &[&port, "PORT=", ctx.chapter, "déjà utilisé"],
    )?;
    match database {
        Some(path) if path.exists() => Err(Failure::new(
            "le port pris, le programme s'arrête sans créer la base de données",
            format!("{} a été créé", path.display()),
        )),
        _ => Ok(()),
    }
}

pub(super) async fn bad_settings(ctx: Ctx) -> Result<(), Failure> {
    for (name, value) in [
        ("PORT", "abc"),
        ("PORT", "70000"),
        ("PORT", "-1"),
        ("HOST", "999.1.2.3"),
    ] {
        let env = [
            (name, value),
            if name == "PORT" {
                ("HOST", "127.0.0.1")
            } else {
                ("PORT", "0")
            },
        ];
        let (code, output) = run_to_exit(&ctx, &env).await?;
        check_clean_error(&format!("{name}={value}"), code, &output, &[name, "Erreur"])?;
    }
    Ok(())
}

pub(super) async fn graceful_stop(ctx: Ctx) -> Result<(), Failure> {
    for signal in [StopSignal::Interrupt, StopSignal::Terminate] {
        stop_with_clients(&ctx, signal).await?;
    }
    Ok(())
}

/// Arrête le chapitre avec `signal` pendant que deux clients sont connectés.
pub(super) async fn stop_with_clients(ctx: &Ctx, signal: StopSignal) -> Result<(), Failure> {
    // Ch11, ch13 et ch14 : une base SQLite dont on regarde les fichiers
    // après l'arrêt.
    let database = match ctx.number() {
        11 | 13 | 14 => Some(ctx.fresh_database()?),
        _ => None,
    };
    let server = match &database {
        Some(path) => {
            let path = path.to_string_lossy();
            ctx.start_with(&[("DATABASE", &path)]).await?
        }
        None => ctx.start().await?,
    };
    // Les clients passent par un relais : on voit ainsi le serveur fermer
    // leurs connexions TCP.
    let proxy = Proxy::start(server.port()).await?;
    let mut clients = Vec::new();
    if ctx.number() >= 2 {
        for transport in Transport::BOTH {
            clients.push(connect(ctx, &proxy.url(), transport, transport.label()).await?);
        }
    }
    let started = std::time::Instant::now();
    let status = server.stop_with(signal).await?;
    if status.code() != Some(0) {
        return Err(Failure::new(
            format!(
                "après {}, le programme se termine avec le code 0",
                signal.name()
            ),
            describe_status(Some(status)),
        ));
    }
    if !proxy.wait_all_closed(Duration::from_secs(5)).await {
        return Err(Failure::new(
            format!("{} ferme les connexions des clients", signal.name()),
            "des connexions sont encore ouvertes",
        ));
    }
    if started.elapsed() > Duration::from_secs(6) {
        return Err(Failure::new(
            "l'arrêt prend moins de 6 s, même avec un client en long-polling",
            crate::seconds(started.elapsed()),
        ));
    }
    drop(clients);
    if let Some(path) = database {
        check_database_closed(&path, signal)?;
    }
    Ok(())
}

/// Une base fermée proprement n'a plus de journal à côté d'elle : SQLite
/// efface `chat.db-wal` quand la dernière connexion se ferme.
fn check_database_closed(path: &std::path::Path, signal: StopSignal) -> Result<(), Failure> {
    let mut journal = path.as_os_str().to_owned();
    journal.push("-wal");
    if !path.exists() {
        return Err(Failure::new(
            format!("après {}, la base {} existe", signal.name(), path.display()),
            "elle n'existe pas",
        ));
    }
    if std::path::Path::new(&journal).exists() {
        return Err(Failure::new(
            format!(
                "après {}, la base est fermée (son journal `-wal` effacé)",
                signal.name()
            ),
            "le fichier `-wal` est encore là\u{a0}: la connexion SQLite n'a pas été fermée",
        ));
    }
    Ok(())
}
