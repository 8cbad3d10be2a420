//! La poignée de main qui lit le cookie, une personne dans plusieurs
//! onglets, les messages privés à tous ses onglets, la déconnexion de
//! partout.

use crate::client::{show_ack, show_event};
use std::time::Duration;

use serde_json::{Value, json};

use super::*;
use crate::client::{Client, Transport};
use crate::scenarios::pseudos::expect_online;
use crate::scenarios::{expect_authored, send_chat, sender_receives};
use crate::{Ctx, Failure, WAIT};

/// La poignée de main : le cookie seul dit qui l'on est. Sans session, ou
/// depuis la page d'un autre site, la connexion est refusée en français.
pub(crate) async fn handshake_session(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx.start().await?;
    let url = server.url();
    let refused = |headers: Vec<(String, String)>, why: &'static str| {
        let url = url.clone();
        async move {
            let auth = json!({ "pseudo": "Mallory" });
            let message =
                Client::connect_refused_with_headers(&url, Transport::WebSocket, auth, &headers)
                    .await
                    .map_err(|mut f| {
                        f.expected = format!("{why} : {}", f.expected);
                        f
                    })?;
            if message.trim().is_empty() || message.is_ascii() && !message.contains(' ') {
                return Err(Failure::new(
                    format!("{why} : une phrase en français"),
                    message,
                ));
            }
            Ok::<String, Failure>(message)
        }
    };
    refused(Vec::new(), "sans cookie, avec un pseudo dans auth").await?;
    refused(
        vec![("Cookie".into(), "session=inventee".into())],
        "avec un identifiant de session inventé",
    )
    .await?;
    let cookie = session_for(&url, "Alice").await?;
    let evil = vec![
        ("Cookie".to_owned(), cookie.clone()),
        (
            "Origin".to_owned(),
            "http://site-malveillant.example".to_owned(),
        ),
    ];
    refused(
        evil,
        "avec le bon cookie, depuis la page d'un autre site (Origin)",
    )
    .await?;
    server
        .expect_prefix("Connexion refusée", 3)
        .await
        .map_err(|mut f| {
            f.expected = format!("une ligne par refus dans le terminal : {}", f.expected);
            f
        })?;
    // La même origine que le serveur passe, et `auth` ne change pas qui
    // l'on est.
    let own = vec![
        ("Cookie".to_owned(), cookie.clone()),
        ("Origin".to_owned(), url.clone()),
    ];
    let alice = Client::open_with_headers(
        &url,
        Transport::Polling,
        "Alice",
        None,
        Some(json!({ "pseudo": "Mallory" })),
        &own,
    )
    .await?;
    let mut bob = join_account(&url, "Bob", Transport::WebSocket).await?;
    send_chat(&ctx, &alice, "c'est bien moi").await?;
    expect_authored(
        &ctx,
        &mut bob,
        "Alice",
        "c'est bien moi",
        "l'auteur vient du cookie, pas de auth",
    )
    .await
}

/// Une personne dans deux onglets est une personne : une arrivée, un
/// départ, un nom dans la liste ; ses autres onglets reçoivent ses messages.
pub(crate) async fn one_person_many_tabs(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx.start().await?;
    let url = server.url();
    let mut bob = join_account(&url, "Bob", Transport::WebSocket).await?;
    expect_online(&mut bob, &["Bob"], "seul en ligne").await?;
    let cookie = session_for(&url, "Alice").await?;
    let mut first = open_tab(&url, &cookie, Transport::WebSocket, "Alice (onglet 1)").await?;
    expect_online(&mut bob, &["Alice", "Bob"], "Alice arrive").await?;
    let mut second = open_tab(&url, &cookie, Transport::Polling, "Alice (onglet 2)").await?;
    expect_online(&mut second, &["Alice", "Bob"], "Alice nommée une fois").await?;
    let joined = async {
        let mut count = 0;
        while let Some(args) = bob
            .next_event("user joined", Duration::from_millis(600))
            .await
        {
            if args == [json!("Alice")] {
                count += 1;
            }
        }
        count
    }
    .await;
    if joined != 1 {
        return Err(Failure::new(
            "Bob reçoit « user joined » Alice une fois, au premier onglet",
            format!("{joined} fois"),
        ));
    }
    const SAID: &str = "depuis l'onglet 1";
    send_chat(&ctx, &first, SAID).await?;
    expect_authored(&ctx, &mut bob, "Alice", SAID, "un message d'Alice").await?;
    let why = "l'autre onglet d'Alice reçoit ce qu'elle écrit";
    expect_authored(&ctx, &mut second, "Alice", SAID, why).await?;
    if sender_receives(&ctx) {
        let why = "l'onglet qui écrit reçoit aussi son message, avec son numéro";
        expect_authored(&ctx, &mut first, "Alice", SAID, why).await?;
    } else {
        first
            .expect_nothing(
                Duration::from_millis(400),
                "l'onglet qui écrit ne reçoit pas son message",
            )
            .await?;
    }
    bob.clear_events();
    first.disconnect().await;
    bob.expect_no_event(
        "user left",
        Duration::from_millis(600),
        "Alice a encore un onglet",
    )
    .await?;
    second.disconnect().await;
    match bob.next_event("user left", WAIT).await {
        Some(args) if args == [json!("Alice")] => {}
        other => {
            return Err(Failure::new(
                "Bob reçoit « user left » Alice quand son dernier onglet part",
                show_event(other.as_deref()),
            ));
        }
    }
    server.expect_line("Alice s'est déconnecté", 1).await?;
    expect_online(&mut bob, &["Bob"], "Alice partie").await
}

/// Un message privé arrive à tous les onglets du destinataire et aux autres
/// onglets de l'expéditeur, à personne d'autre.
pub(crate) async fn private_all_tabs(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx.start().await?;
    let url = server.url();
    let alice_cookie = session_for(&url, "Alice").await?;
    let mut alice_1 = open_tab(&url, &alice_cookie, Transport::WebSocket, "Alice 1").await?;
    let mut alice_2 = open_tab(&url, &alice_cookie, Transport::Polling, "Alice 2").await?;
    let bob_cookie = session_for(&url, "Bob").await?;
    let bob_1 = open_tab(&url, &bob_cookie, Transport::WebSocket, "Bob 1").await?;
    let mut bob_2 = open_tab(&url, &bob_cookie, Transport::WebSocket, "Bob 2").await?;
    let mut chloe = join_account(&url, "Chloé", Transport::WebSocket).await?;
    expect_online(&mut chloe, &["Alice", "Bob", "Chloé"], "tous là").await?;
    let reply = bob_1
        .emit_with_ack(
            "private message",
            vec![json!({ "to": "alice", "text": "psst" })],
            WAIT,
        )
        .await?;
    if reply != [json!({ "ok": true })] {
        return Err(Failure::new(
            "l'accusé d'un message privé remis : { \"ok\": true }",
            show_ack(&reply),
        ));
    }
    let expected = [json!({ "from": "Bob", "to": "Alice", "text": "psst" })];
    for (tab, why) in [
        (&mut alice_1, "le premier onglet d'Alice"),
        (&mut alice_2, "le second onglet d'Alice"),
        (&mut bob_2, "l'autre onglet de Bob"),
    ] {
        let got = tab.next_event("private message", WAIT).await;
        if got.as_deref() != Some(&expected[..]) {
            return Err(Failure::new(
                format!("{why} reçoit « private message » {}", expected[0]),
                show_event(got.as_deref()),
            ));
        }
    }
    chloe
        .expect_no_event(
            "private message",
            Duration::from_millis(400),
            "Chloé ne voit rien",
        )
        .await?;
    let reply = bob_1
        .emit_with_ack(
            "private message",
            vec![json!({ "to": "Personne", "text": "allô" })],
            WAIT,
        )
        .await?;
    if !reply
        .first()
        .is_some_and(|r| r.get("error").is_some_and(Value::is_string))
    {
        return Err(Failure::new(
            "un message privé à un pseudo absent : accusé { \"error\": <phrase> }",
            show_ack(&reply),
        ));
    }
    Ok(())
}

/// Se déconnecter : 204, le cookie effacé, toutes les sessions du compte
/// finies ; chaque onglet reçoit « logged out » puis est déconnecté ; les
/// autres voient la personne partir.
pub(crate) async fn logout_everywhere(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx.start().await?;
    let url = server.url();
    let cookie = session_for(&url, "Alice").await?;
    let other_session = session_for(&url, "Alice").await?;
    let mut tabs = Vec::new();
    for (i, transport) in [Transport::WebSocket, Transport::Polling]
        .into_iter()
        .enumerate()
    {
        tabs.push(open_tab(&url, &cookie, transport, &format!("Alice {}", i + 1)).await?);
    }
    tabs.push(
        open_tab(
            &url,
            &other_session,
            Transport::WebSocket,
            "Alice (autre navigateur)",
        )
        .await?,
    );
    let mut bob = join_account(&url, "Bob", Transport::WebSocket).await?;
    expect_online(&mut bob, &["Alice", "Bob"], "Alice et Bob").await?;
    bob.clear_events();
    let reply = post(server.port(), "/api/logout", "", Some(&cookie)).await?;
    expect_status(&reply, 204, "POST /api/logout avec le cookie")?;
    let cleared = reply.header("set-cookie").unwrap_or_default();
    if !cleared.contains("Max-Age=0") {
        return Err(Failure::new(
            "la déconnexion efface le cookie (Max-Age=0)",
            cleared.to_owned(),
        ));
    }
    for tab in &mut tabs {
        match tab.next_event("logged out", WAIT).await {
            Some(args)
                if args
                    .first()
                    .and_then(Value::as_str)
                    .is_some_and(|r| r.contains(' ')) => {}
            other => {
                return Err(Failure::new(
                    format!(
                        "{} reçoit « logged out » avec une raison en français",
                        tab.name
                    ),
                    show_event(other.as_deref()),
                ));
            }
        }
        if !tab.wait_closed(WAIT).await {
            return Err(Failure::new(
                format!("{} est déconnecté après « logged out »", tab.name),
                "il est encore connecté",
            ));
        }
    }
    match bob.next_event("user left", WAIT).await {
        Some(args) if args == [json!("Alice")] => {}
        other => {
            return Err(Failure::new(
                "Bob reçoit « user left » Alice",
                show_event(other.as_deref()),
            ));
        }
    }
    for (session, which) in [
        (&cookie, "de l'onglet qui s'est déconnecté"),
        (&other_session, "de l'autre navigateur"),
    ] {
        expect_status(
            &me(server.port(), session).await?,
            401,
            &format!("GET /api/me avec la session {which}"),
        )?;
        let headers = [("Cookie".to_owned(), session.clone())];
        Client::connect_refused_with_headers(&url, Transport::WebSocket, json!({}), &headers)
            .await
            .map_err(|mut f| {
                f.expected = format!(
                    "la session {which} ne rouvre plus de connexion : {}",
                    f.expected
                );
                f
            })?;
    }
    Ok(())
}
