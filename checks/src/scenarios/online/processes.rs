//! Chapitre 15 : plusieurs processus sur une même base et un même Redis.
//! Les messages, la présence, la limite de débit et la liste « En ligne »
//! valent pour tout le chat, quel que soit le processus de chaque onglet.

use std::time::Duration;

use serde_json::json;

use super::*;
use crate::client::{Transport, show_ack, show_event};
use crate::scenarios::accounts::{join_account, open_tab, session_for};
use crate::scenarios::history::{send_stored, tab, tab_with};
use crate::scenarios::pseudos::{expect_online, join};
use crate::{Ctx, Failure, WAIT, http};

/// Le temps qu'un processus met à voir ce qui change sur un autre (il
/// relit la liste de tout le chat chaque seconde), avec de la marge.
const PRESENCE_DELAY: Duration = Duration::from_millis(1_500);

/// Deux processus sur la même base et le même Redis : chaque message
/// arrive partout avec le numéro de son accusé, dans l'ordre, et
/// l'historique de l'un contient les messages envoyés sur l'autre.
pub(crate) async fn processes_share(ctx: Ctx) -> Result<(), Failure> {
    const COUNT: usize = 200;
    let (key, database) = ctx.shared_database().await?;
    let env = [(key, database.as_str())];
    let a = ctx.start_with(&env).await?;
    let b = ctx.start_with(&env).await?;
    let mut alice = tab(&ctx, &a.url(), "Alice", json!(0)).await?;
    let mut bob = tab(&ctx, &b.url(), "Bob", json!(0)).await?;
    let mut chloe = tab_with(
        &ctx,
        &b.url(),
        "Chloé",
        Transport::Polling,
        Some(json!({ "serverOffset": 0 })),
    )
    .await?;
    let first = send_stored(&alice, "de A vers B", "share-1").await?;
    let why = "envoyé sur A, reçu avec le numéro de son accusé";
    expect_posted(&mut bob, "Alice", "de A vers B", first, why).await?;
    expect_posted(&mut chloe, "Alice", "de A vers B", first, why).await?;
    expect_posted(&mut alice, "Alice", "de A vers B", first, why).await?;
    let second = send_stored(&bob, "de B vers A", "share-2").await?;
    if second <= first {
        return Err(Failure::new(
            format!("le message suivant, envoyé sur B, a un numéro plus grand que {first}"),
            format!("{second}"),
        ));
    }
    let why = "envoyé sur B, reçu avec le numéro de son accusé";
    expect_posted(&mut alice, "Bob", "de B vers A", second, why).await?;
    expect_posted(&mut bob, "Bob", "de B vers A", second, why).await?;
    expect_posted(&mut chloe, "Bob", "de B vers A", second, why).await?;
    for i in 0..COUNT {
        send_chat(&ctx, &alice, &format!("n°{i}")).await?;
    }
    expect_sequence(&ctx, &mut bob, COUNT, "n°").await?;
    expect_sequence(&ctx, &mut chloe, COUNT, "n°").await?;
    // Un onglet ouvert sur B après coup reçoit tout depuis la base.
    let mut late = tab(&ctx, &b.url(), "Denis", json!(0)).await?;
    let why = "l'historique de B contient les messages envoyés sur A";
    expect_posted(&mut late, "Alice", "de A vers B", first, why).await?;
    expect_posted(&mut late, "Bob", "de B vers A", second, why).await?;
    expect_sequence(&ctx, &mut late, COUNT, "n°").await?;
    late.expect_nothing(SILENCE, "l'historique ne contient rien d'autre")
        .await?;
    bob.expect_nothing(SILENCE, "aucun doublon sur B").await
}

/// Deux processus : la présence couvre tout le chat (une personne avec un
/// onglet sur chaque processus compte une fois), et un message privé passe
/// de l'un à l'autre.
pub(crate) async fn processes_presence(ctx: Ctx) -> Result<(), Failure> {
    let (key, database) = ctx.shared_database().await?;
    let env = [(key, database.as_str())];
    let a = ctx.start_with(&env).await?;
    let b = ctx.start_with(&env).await?;
    let mut alice = join(&a, "Alice", Transport::WebSocket).await?;
    expect_online(&mut alice, &["Alice"], "seule").await?;
    alice.clear_events();
    let bob_cookie = session_for(&b.url(), "Bob").await?;
    let mut bob_b = open_tab(&b.url(), &bob_cookie, Transport::WebSocket, "Bob sur B").await?;
    alice
        .expect_event("user joined", &[json!("Bob")], "Bob arrive par B")
        .await?;
    expect_online(&mut alice, &["Alice", "Bob"], "Bob est sur B").await?;
    expect_online(&mut bob_b, &["Alice", "Bob"], "Alice est sur A").await?;
    let mut bob_a = open_tab(&a.url(), &bob_cookie, Transport::Polling, "Bob sur A").await?;
    expect_online(&mut bob_a, &["Alice", "Bob"], "Bob nommé une fois").await?;
    alice
        .expect_no_event(
            "user joined",
            PRESENCE_DELAY,
            "Bob, déjà en ligne par B, ouvre un onglet sur A : pas de second « user joined »",
        )
        .await?;
    let reply = alice
        .emit_with_ack(
            "private message",
            vec![json!({ "to": "bob", "text": "psst" })],
            WAIT,
        )
        .await?;
    if reply != [json!({ "ok": true })] {
        return Err(Failure::new(
            "un message privé d'Alice (sur A) à Bob : accusé { \"ok\": true }",
            show_ack(&reply),
        ));
    }
    let expected = [json!({ "from": "Alice", "to": "Bob", "text": "psst" })];
    for tab in [&mut bob_b, &mut bob_a] {
        let got = tab.next_event("private message", WAIT).await;
        if got.as_deref() != Some(&expected[..]) {
            return Err(Failure::new(
                format!("{} reçoit « private message » {}", tab.name, expected[0]),
                show_event(got.as_deref()),
            ));
        }
    }
    bob_b.disconnect().await;
    alice
        .expect_no_event(
            "user left",
            PRESENCE_DELAY,
            "Bob ferme son onglet sur B mais en garde un sur A : pas de « user left »",
        )
        .await?;
    bob_a.disconnect().await;
    alice
        .expect_event(
            "user left",
            &[json!("Bob")],
            "le dernier onglet de Bob est fermé",
        )
        .await?;
    expect_online(&mut alice, &["Alice"], "Bob est parti").await
}

/// La limite de débit du chapitre 14 vaut pour tout le chat : Bob, avec
/// un onglet sur A et un sur B, n'envoie pas plus de 5 messages en 5 s en
/// tout ; Alice n'est pas gênée.
pub(crate) async fn processes_flood(ctx: Ctx) -> Result<(), Failure> {
    use crate::scenarios::moderation::ack_error;
    let (key, database) = ctx.shared_database().await?;
    let env = [(key, database.as_str()), ("FLOOD_LIMIT", "5")];
    let a = ctx.start_with(&env).await?;
    let b = ctx.start_with(&env).await?;
    let cookie = session_for(&a.url(), "Bob").await?;
    let on_a = open_tab(&a.url(), &cookie, Transport::WebSocket, "Bob sur A").await?;
    let on_b = open_tab(&b.url(), &cookie, Transport::Polling, "Bob sur B").await?;
    let alice = join_account(&b.url(), "Alice", Transport::WebSocket).await?;
    for i in 1..=5 {
        let tab = if i % 2 == 0 { &on_b } else { &on_a };
        let reply = tab
            .emit_with_ack(
                "new message",
                chat_args(&ctx, &format!("message {i}")),
                WAIT,
            )
            .await?;
        if reply.first().and_then(|r| r.get("id")).is_none() {
            return Err(Failure::new(
                format!(
                    "le message nº\u{a0}{i} de Bob ({}) en moins de 5\u{a0}s passe",
                    tab.name
                ),
                show_ack(&reply),
            ));
        }
    }
    for tab in [&on_a, &on_b] {
        let refused = tab
            .emit_with_ack("new message", chat_args(&ctx, "un de trop"), WAIT)
            .await?;
        let sentence = ack_error(&refused).unwrap_or_default();
        if !sentence.to_lowercase().contains("réessayez dans") {
            return Err(Failure::new(
                format!(
                    "{}\u{a0}: un sixième message de Bob en 5\u{a0}s, tous processus confondus, est refusé («\u{a0}… réessayez dans N\u{a0}s\u{a0}»)",
                    tab.name
                ),
                show_ack(&refused),
            ));
        }
    }
    let reply = alice
        .emit_with_ack("new message", chat_args(&ctx, "moi je peux"), WAIT)
        .await?;
    if reply.first().and_then(|r| r.get("id")).is_none() {
        return Err(Failure::new(
            "Alice n'est pas gênée par la limite de Bob",
            show_ack(&reply),
        ));
    }
    Ok(())
}

/// Exercice 15 : `GET /api/online` donne la liste « En ligne » de *tout*
/// le chat. Sans session, 401 ; Alice sur A, bob sur B : A répond
/// `{ "online": ["Alice", "bob"] }` ; bob parti, `{ "online": ["Alice"] }`.
pub(crate) async fn online_everywhere(ctx: Ctx) -> Result<(), Failure> {
    use crate::scenarios::accounts::{body_json, expect_status};
    let (key, database) = ctx.shared_database().await?;
    let env = [(key, database.as_str())];
    let a = ctx.start_with(&env).await?;
    let b = ctx.start_with(&env).await?;
    let anonymous = http::get(a.port(), "/api/online").await?;
    expect_status(&anonymous, 401, "GET /api/online sans session")?;
    let cookie = session_for(&a.url(), "Alice").await?;
    let mut alice = open_tab(&a.url(), &cookie, Transport::WebSocket, "Alice").await?;
    let bob = join_account(&b.url(), "bob", Transport::Polling).await?;
    // La page d'Alice, sur A, voit bob : A le sait donc aussi.
    expect_online(&mut alice, &["Alice", "bob"], "bob est sur B").await?;
    let headers = [("Cookie", cookie.as_str())];
    let ask = || http::send(a.port(), "GET", "/api/online", &headers, "");
    let online = ask().await?;
    expect_status(&online, 200, "GET /api/online avec une session")?;
    let expected = json!({ "online": ["Alice", "bob"] });
    if body_json(&online) != expected {
        return Err(Failure::new(
            format!("GET /api/online sur A répond {expected} (bob est connecté à B)"),
            online.text(),
        ));
    }
    bob.disconnect().await;
    expect_online(&mut alice, &["Alice"], "bob est parti").await?;
    let online = ask().await?;
    let expected = json!({ "online": ["Alice"] });
    if body_json(&online) != expected {
        return Err(Failure::new(
            format!("après le départ de bob, GET /api/online répond {expected}"),
            online.text(),
        ));
    }
    Ok(())
}

/// Le frein aux essais de connexion du chapitre 13 vaut pour tout le chat :
/// cinq mauvais mots de passe pour « Cible », trois sur A et deux sur B,
/// et le bon mot de passe reçoit 429 sur l'un comme sur l'autre ; dix
/// essais simultanés sur les deux n'en font pas vérifier plus de cinq.
pub(crate) async fn processes_login(ctx: Ctx) -> Result<(), Failure> {
    use crate::scenarios::accounts::{
        PASSWORD, credentials, expect_status, post, wrong_tries_at_once,
    };
    let (key, database) = ctx.shared_database().await?;
    let env = [(key, database.as_str())];
    let a = ctx.start_with(&env).await?;
    let b = ctx.start_with(&env).await?;
    session_for(&a.url(), "Cible").await?;
    session_for(&b.url(), "Rafale").await?;
    let wrong = credentials("Cible", "devine-moi");
    for (i, (name, port)) in [("A", a.port()), ("B", b.port())]
        .iter()
        .cycle()
        .take(5)
        .enumerate()
    {
        let reply = post(*port, "/api/login", &wrong, None).await?;
        expect_status(
            &reply,
            401,
            &format!("l'essai manqué nº\u{a0}{} (sur {name})", i + 1),
        )?;
    }
    let right = credentials("Cible", PASSWORD);
    for (name, port) in [("A", a.port()), ("B", b.port())] {
        let reply = post(port, "/api/login", &right, None).await?;
        expect_status(
            &reply,
            429,
            &format!("après cinq essais manqués sur A et B, le bon mot de passe sur {name}"),
        )?;
    }
    wrong_tries_at_once(&[a.port(), b.port()], "Rafale").await
}

/// Un processus qui démarre quand Alice est déjà en ligne par un autre :
/// il écrit d'abord son adresse, puis la nomme sur une ligne « Déjà en
/// ligne dans le chat », sans dire qu'elle arrive ; qui arrive par lui
/// (Alice sur A qui vient de démarrer, Bob sur B) est annoncé.
pub(crate) async fn late_process(ctx: Ctx) -> Result<(), Failure> {
    let (key, database) = ctx.shared_database().await?;
    let env = [(key, database.as_str())];
    let a = ctx.start_with(&env).await?;
    let mut alice = join(&a, "Alice", Transport::WebSocket).await?;
    expect_online(&mut alice, &["Alice"], "seule").await?;
    // Sur A, qui vient de démarrer, Alice arrive : ce n'est pas « déjà là ».
    a.expect_line("Alice est en ligne", 1).await?;
    let b = ctx.start_with(&env).await?;
    b.expect_line("Déjà en ligne dans le chat\u{a0}: Alice", 1)
        .await?;
    let lines = b.log().stdout();
    let first = lines.first().map(String::as_str).unwrap_or_default();
    if !first.starts_with("Adresse du serveur : ") {
        return Err(Failure::new(
            "le processus B écrit d'abord son adresse",
            format!("sa première ligne : {first}"),
        ));
    }
    if let Some(line) = lines.iter().find(|l| l.contains("Alice est en ligne")) {
        return Err(Failure::new(
            "B ne dit pas qu'Alice arrive : elle était déjà là",
            line.clone(),
        ));
    }
    // Bob, lui, arrive par B : annoncé comme toute arrivée.
    let _bob = join(&b, "Bob", Transport::WebSocket).await?;
    b.expect_line("Bob est en ligne", 1).await
}
