//! Deux onglets écrivent pendant deux pannes du serveur, l'un d'eux
//! rechargé entre les deux : chaque message doit être enregistré une fois
//! et affiché une fois dans chaque onglet.
//!
//! C'est le piège du `clientOffset` fait de `socket.id` (le tutoriel
//! officiel) : pendant une panne, `socket.id` vaut `undefined`, les deux
//! onglets envoient tous deux `undefined-0`, et le serveur prend le second
//! message pour un renvoi du premier. Il l'accuse, ne l'enregistre pas, ne
//! l'affiche nulle part.

mod common;

use std::path::Path;

use browser::checks::{open_tabs, send};
use browser::{Browser, Error, Result, Tab, ensure};

use common::{database, exactly, free_port, reload, start};

#[tokio::test]
async fn deux_onglets_ecrivent_pendant_deux_pannes() -> Result<()> {
    let test = "ch11-historique (deux pannes)";
    let Some(browser) = browser::launch_or_skip(test).await? else {
        return Ok(());
    };
    let (_dir, db) = database(test)?;
    let port = free_port(test)?.to_string();

    let first = start(&db, &port).await.map_err(|e| e.context(test))?;
    let tabs = open_tabs(&browser, &first.url(), 2)
        .await
        .map_err(|e| first.explain(0, &format!("{test} : {e}")))?;
    let (a, b) = (&tabs[0], &tabs[1]);

    // Première panne : chaque onglet écrit un message.
    first.stop().await.map_err(|e| e.context(test))?;
    write_offline(&browser, [(a, "A, panne 1"), (b, "B, panne 1")])
        .await
        .map_err(|e| e.context(test))?;
    let second = start(&db, &port).await.map_err(|e| e.context(test))?;
    let expected = settled(&browser, &db, &tabs, 2)
        .await
        .map_err(|e| second.explain(0, &format!("{test} : {e}")))?;

    // L'onglet 2 est rechargé : son compteur repart de 0.
    reload(&browser, b)
        .await
        .and(exactly(&browser, b, &expected).await)
        .map_err(|e| second.explain(0, &format!("{test} : {e}")))?;

    // Deuxième panne : chacun écrit encore.
    second.stop().await.map_err(|e| e.context(test))?;
    write_offline(&browser, [(a, "A, panne 2"), (b, "B, panne 2")])
        .await
        .map_err(|e| e.context(test))?;
    let third = start(&db, &port).await.map_err(|e| e.context(test))?;
    settled(&browser, &db, &tabs, 4)
        .await
        .map_err(|e| third.explain(0, &format!("{test} : {e}")))?;

    browser.check_console_after_outage().await
}

/// Attend que chaque onglet voie le serveur arrêté, puis y écrit.
async fn write_offline(browser: &Browser, writes: [(&Tab, &str); 2]) -> Result<()> {
    for (tab, text) in writes {
        browser
            .wait_js(tab, "la page ne voit pas la panne", "!socket.connected")
            .await?;
        send(browser, tab, text).await?;
    }
    Ok(())
}

/// Une fois les onglets reconnectés : la base contient `count` messages,
/// chacun une fois, et chaque onglet les affiche une fois, dans l'ordre
/// de leurs numéros. Rend cette liste.
async fn settled(browser: &Browser, db: &Path, tabs: &[Tab], count: usize) -> Result<Vec<String>> {
    for tab in tabs {
        browser.wait_connected(tab).await?;
    }
    let deadline = tokio::time::Instant::now() + browser::timeouts::wait();
    let stored = loop {
        let stored = stored(db)?;
        if stored.len() >= count || tokio::time::Instant::now() > deadline {
            break stored;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    let mut unique = stored.clone();
    unique.sort();
    unique.dedup();
    ensure!(
        stored.len() == count && unique.len() == count,
        "la base devait contenir {count} messages, chacun une fois ; elle contient {stored:?} \
         (un message écrit pendant la panne a-t-il été pris pour le renvoi d'un autre ?)"
    );
    for tab in tabs {
        exactly(browser, tab, &stored).await?;
    }
    Ok(stored)
}

/// Les textes enregistrés, dans l'ordre de leurs numéros, lus dans le
/// fichier comme le ferait `sqlite3 chat.db`.
fn stored(db: &Path) -> Result<Vec<String>> {
    let read = || -> rusqlite::Result<Vec<String>> {
        let conn = rusqlite::Connection::open(db)?;
        let mut statement = conn.prepare("SELECT content FROM messages ORDER BY id")?;
        let rows = statement.query_map([], |row| row.get(0))?;
        rows.collect()
    };
    read().map_err(|e| Error::new(format!("lecture de {} impossible : {e}", db.display())))
}
