//! Ce que la page du chapitre 11 fait quand un message ne passe pas, dans
//! Chromium, avec la vraie bibliothèque cliente (`retries`) :
//!
//! - refusé par le serveur (un caractère de contrôle) : la page le dit, et
//!   le texte revient dans le champ ;
//! - la base tenue par un autre programme (`BEGIN EXCLUSIVE`) : le serveur
//!   n'accuse pas réception, la page renvoie le message d'elle-même, et il
//!   s'affiche une fois, une fois la base libérée.

mod common;

use browser::checks::{open_tabs, send};
use browser::{Browser, Result, Server, bail, ensure};

use common::{exactly, launch_on_new_database, owned};

#[tokio::test]
async fn un_message_refuse_s_annonce_et_revient_dans_le_champ() -> Result<()> {
    let test = "ch11-historique (message refusé)";
    let Some((browser, _dir, server)) = launch_on_new_database(test).await? else {
        return Ok(());
    };
    refused(&browser, &server)
        .await
        .and(browser.check_console().await)
        .map_err(|e| server.explain(0, &format!("{test} : {e}")))
}

async fn refused(browser: &Browser, server: &Server) -> Result<()> {
    let a = &open_tabs(browser, &server.url(), 1).await?[0];
    // Une sonnerie (U+0007) ne se tape pas au clavier, mais se colle.
    browser
        .eval(
            a,
            "input.value = 'cloche\\u0007ici'; form.requestSubmit(); return true;",
        )
        .await?;
    let notices = browser
        .wait_texts(
            a,
            "#messages li.notice",
            "l'annonce « échec : Message refusé… » n'apparaît pas",
            |list| list.iter().any(|n| n.contains("Message refusé")),
        )
        .await?;
    ensure!(
        notices.iter().any(|n| n.contains("U+0007")),
        "{} : le refus devrait nommer le caractère (U+0007) : {notices:?}",
        a.name()
    );
    let left = browser.eval(a, "return input.value;").await?;
    ensure!(
        left.as_str() == Some("cloche\u{7}ici"),
        "{} : le texte refusé devrait revenir dans le champ ; il contient {left}",
        a.name()
    );
    Ok(())
}

#[tokio::test]
async fn base_verrouillee_la_page_renvoie_le_message() -> Result<()> {
    let test = "ch11-historique (base verrouillée)";
    let Some((browser, dir, server)) = launch_on_new_database(test).await? else {
        return Ok(());
    };
    let database = dir.path().join("chat.db");
    locked(&browser, &server, database)
        .await
        .and(browser.check_console().await)
        .map_err(|e| server.explain(0, &format!("{test} : {e}")))
}

async fn locked(browser: &Browser, server: &Server, database: std::path::PathBuf) -> Result<()> {
    let a = &open_tabs(browser, &server.url(), 1).await?[0];
    send(browser, a, "Avant le verrou").await?;
    exactly(browser, a, &owned(&["Avant le verrou"])).await?;

    // Un autre programme prend la base en écriture et la garde.
    let locker = tokio::task::spawn_blocking(move || {
        let conn = rusqlite::Connection::open(&database)?;
        conn.execute_batch("BEGIN EXCLUSIVE")?;
        Ok::<_, rusqlite::Error>(conn)
    })
    .await;
    let locker = match locker {
        Ok(Ok(conn)) => conn,
        Ok(Err(e)) => bail!("verrouiller la base : {e}"),
        Err(e) => bail!("verrouiller la base : {e}"),
    };
    let mark = server.mark();
    send(browser, a, "Pendant le verrou").await?;
    server
        .wait_line(mark, "« Message de … non enregistré : … »", |l| {
            l.starts_with("Message de ") && l.contains("non enregistré")
        })
        .await?;
    // La base libérée, le prochain essai de la page (10 s après l'envoi,
    // `ackTimeout`) passe : le message s'affiche une fois, sans annonce
    // d'échec.
    let released = tokio::task::spawn_blocking(move || locker.execute_batch("ROLLBACK")).await;
    if !matches!(released, Ok(Ok(()))) {
        bail!("libérer la base : {released:?}");
    }
    exactly(
        browser,
        a,
        &owned(&["Avant le verrou", "Pendant le verrou"]),
    )
    .await?;
    let notices = browser.texts(a, "#messages li.notice").await?;
    ensure!(
        !notices.iter().any(|n| n.contains("échec")),
        "{} : aucune annonce d'échec attendue, le message est passé : {notices:?}",
        a.name()
    );
    Ok(())
}
