//! Les scènes de la troisième partie (chapitres 13 et suivants).

use std::ffi::OsStr;
use std::path::Path;

use browser::accounts::sign_up;
use browser::checks::send;
use browser::pseudos::{online, wait_message};
use browser::{Browser, Error, Panel, Result, Server};
use checks::postgres::PostgresServer;
use checks::redis::RedisServer;

use super::scene::Scene;

/// Un onglet de la troisième partie : la ligne du compte en plus.
const TAB: (u32, u32) = (460, 400);

/// La page des modérateurs : un tableau, plus large.
const WIDE_TAB: (u32, u32) = (620, 400);

/// L'image du chapitre de `scene`, ou `None` s'il n'est pas de la
/// troisième partie.
pub(super) async fn shoot(scene: &mut Scene<'_>) -> Result<Option<Vec<u8>>> {
    let png = match scene.chapter {
        "ch13-comptes" => accounts(scene).await?,
        "ch14-moderation" => moderation(scene).await?,
        _ => return Ok(None),
    };
    Ok(Some(png))
}

/// Chapitre 13 : Alice dans deux onglets (sur 127.0.0.1), Bob dans un
/// troisième (sur localhost : un autre cookie) ; un message d'Alice vu
/// comme le sien dans son autre onglet, et « En ligne » qui la nomme une
/// fois.
async fn accounts(scene: &mut Scene<'_>) -> Result<Vec<u8>> {
    let browser = scene.browser;
    let alice_site = scene.url().replace("localhost", "127.0.0.1");
    let bob_site = alice_site.replace("127.0.0.1", "localhost");
    let a1 = scene.tab(&alice_site, "Alice, onglet 1", TAB).await?;
    sign_up(browser, &a1, "Alice", "un long mot de passe").await?;
    let a2 = scene.tab(&alice_site, "Alice, onglet 2", TAB).await?;
    browser.wait_connected(&a2).await?;
    let b = scene.tab(&bob_site, "Bob", TAB).await?;
    sign_up(browser, &b, "Bob", "un long mot de passe").await?;
    for tab in [&a1, &a2, &b] {
        online(browser, tab, &["Alice", "Bob"]).await?;
    }
    send(browser, &b, "Salut Alice !").await?;
    wait_message(browser, &a1, "Bob", "Salut Alice !").await?;
    wait_message(browser, &a2, "Bob", "Salut Alice !").await?;
    send(browser, &a1, "Bonjour depuis mon premier onglet").await?;
    wait_message(browser, &b, "Alice", "Bonjour depuis mon premier onglet").await?;
    browser
        .wait_text(
            &a2,
            "#messages li.mine",
            "Bonjour depuis mon premier onglet",
        )
        .await?;
    // Les « 401 » du chargement (pas encore de session) sont voulus.
    browser
        .dismiss_console_errors(|message| message.contains("401"))
        .await?;
    scene
        .compose(
            &[
                ("Alice, onglet 1 (127.0.0.1)", &a1),
                ("Alice, onglet 2 : déjà connectée", &a2),
                ("Bob (localhost)", &b),
            ],
            false,
        )
        .await
}

/// Chapitre 14 : Modo (modérateur) dans le chat et sur sa page de
/// modération ; Bob envoie six messages d'affilée, le sixième est refusé.
async fn moderation(scene: &mut Scene<'_>) -> Result<Vec<u8>> {
    let browser = scene.browser;
    let modo_site = scene.url().replace("localhost", "127.0.0.1");
    let modo_site = modo_site.trim_end_matches('/').to_owned();
    let bob_site = modo_site.replace("127.0.0.1", "localhost");
    let chat = scene.tab(&modo_site, "Modo", TAB).await?;
    sign_up(browser, &chat, "Modo", "un long mot de passe").await?;
    let admin = scene
        .tab(
            &format!("{modo_site}/moderation/"),
            "Modo, modération",
            WIDE_TAB,
        )
        .await?;
    browser.wait_text(&admin, "#status", "Connecté").await?;
    let bob = scene.tab(&bob_site, "Bob", TAB).await?;
    sign_up(browser, &bob, "Bob", "un long mot de passe").await?;
    for i in 1..=6 {
        send(browser, &bob, &format!("Message nº\u{a0}{i}")).await?;
    }
    wait_message(browser, &chat, "Bob", "Message nº\u{a0}5").await?;
    browser
        .wait_text(&bob, "#messages li.failed .status", "Trop de messages")
        .await?;
    browser
        .wait_texts(
            &admin,
            "#users tbody td:first-child",
            "Bob et Modo",
            |list| list == ["Bob", "Modo"],
        )
        .await?;
    // Le dernier message (et son état) en bas de chaque discussion.
    for tab in [&chat, &bob] {
        browser
            .eval(tab, "const m = document.getElementById('messages'); m.scrollTop = m.scrollHeight; return true;")
            .await?;
    }
    browser
        .dismiss_console_errors(|message| message.contains("401"))
        .await?;
    scene
        .compose(
            &[
                ("Modo, le chat", &chat),
                ("Modo, /moderation/", &admin),
                ("Bob : le sixième message est refusé", &bob),
            ],
            false,
        )
        .await
}

/// Chapitre 15 : un PostgreSQL, un Redis et deux processus, lancés pour la
/// capture. Alice sur le premier, Bob sur le second ; le processus de Bob
/// s'arrête, Bob écrit quand même (sa boîte d'envoi le montre), puis le
/// processus revient et le message arrive chez Alice, une fois.
pub(super) async fn online_chat(browser: &Browser, program: &Path) -> Result<Vec<u8>> {
    let pg = PostgresServer::start()
        .await
        .map_err(|e| Error::new(format!("PostgreSQL n'a pas pu démarrer.\n{e}")))?;
    let redis = RedisServer::start()
        .await
        .map_err(|e| Error::new(format!("Redis n'a pas pu démarrer.\n{e}")))?;
    let (db, cache) = (pg.url(), redis.url());
    let env = [
        ("DATABASE_URL", OsStr::new(&db)),
        ("REDIS_URL", OsStr::new(&cache)),
    ];
    let a = Server::start_with_env(program, &env).await?;
    let b = Server::start_with_env(program, &env).await?;
    let alice_url = a.url().replace("localhost", "127.0.0.1");
    let bob_url = b.url().replace("127.0.0.1", "localhost");
    let alice = browser.open(&alice_url, "Alice").await?;
    browser.resize(&alice, TAB.0, TAB.1).await?;
    let bob = browser.open(&bob_url, "Bob").await?;
    browser.resize(&bob, TAB.0, TAB.1).await?;
    sign_up(browser, &alice, "Alice", "un long mot de passe").await?;
    sign_up(browser, &bob, "Bob", "un long mot de passe").await?;
    for tab in [&alice, &bob] {
        online(browser, tab, &["Alice", "Bob"]).await?;
    }
    send(browser, &alice, "Bonjour depuis le port 3000").await?;
    wait_message(browser, &bob, "Alice", "Bonjour depuis le port 3000").await?;
    send(browser, &bob, "Reçu sur le 3001\u{a0}!").await?;
    wait_message(browser, &alice, "Bob", "Reçu sur le 3001\u{a0}!").await?;

    // Le processus de Bob s'arrête ; Bob écrit quand même.
    let port = b.port().to_string();
    b.stop().await?;
    browser
        .wait_js(&bob, "la page voit la panne", "!socket.connected")
        .await?;
    send(browser, &bob, "Écrit pendant la panne").await?;
    browser
        .wait_text(&bob, "#outbox", "1 message en attente")
        .await?;
    let during = Panel::Tab {
        caption: "Bob (port 3001)\u{a0}: son processus est arrêté".to_owned(),
        png: browser.screenshot(&bob).await?,
    };
    let env_b = [
        ("DATABASE_URL", OsStr::new(&db)),
        ("REDIS_URL", OsStr::new(&cache)),
        ("PORT", OsStr::new(&port)),
    ];
    let b = Server::start_with_env(program, &env_b).await?;
    wait_message(browser, &alice, "Bob", "Écrit pendant la panne").await?;
    browser
        .wait_js(
            &bob,
            "la boîte d'envoi de Bob se vide",
            "document.getElementById('outbox').textContent === ''",
        )
        .await?;
    // Le retour de Bob est annoncé quand le processus d'Alice le voit (il
    // relit la liste chaque seconde) : on attend que sa liste le nomme.
    online(browser, &alice, &["Alice", "Bob"]).await?;
    browser.dismiss_outage_errors().await?;
    browser
        .dismiss_console_errors(|message| message.contains("401"))
        .await?;
    let panels = vec![
        during,
        Panel::Tab {
            caption: "Alice (port 3000), après la relance\u{a0}: le message, une fois".to_owned(),
            png: browser.screenshot(&alice).await?,
        },
    ];
    browser.check_console().await?;
    let png = browser.compose(&panels).await;
    b.stop().await.ok();
    a.stop().await.ok();
    png
}
