//! Qui reçoit quoi : à tous, à tous sauf l'émetteur, dans l'ordre, sans
//! rien perdre même quand un client part ou ne suit plus.

use std::time::Duration;

use futures_util::future::join_all;

use super::*;
use crate::client::{Client, OnConnect, Transport, message_text, show};
use crate::proxy::Proxy;
use crate::{Ctx, Failure, WAIT};

pub(super) async fn io_emit(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx.start().await?;
    let mut tabs = connect_many(&ctx, &server.url(), 3, "onglet ").await?;
    let text = "Salut tout le monde";
    send_chat(&ctx, &tabs[0], text).await?;
    for tab in &mut tabs {
        expect_chat(&ctx, tab, text, "io.emit envoie à tous, émetteur compris").await?;
    }
    for tab in &mut tabs {
        tab.expect_nothing(SILENCE, "chaque onglet reçoit le message une seule fois")
            .await?;
    }
    Ok(())
}

pub(super) async fn broadcast(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx.start().await?;
    let mut tabs = connect_many(&ctx, &server.url(), 3, "onglet ").await?;
    let text = "Salut les autres";
    send_chat(&ctx, &tabs[0], text).await?;
    for tab in tabs.iter_mut().skip(1) {
        expect_chat(&ctx, tab, text, "broadcast envoie aux autres onglets").await?;
    }
    if let Some(got) = tabs[0].next(SILENCE).await {
        return Err(Failure::new(
            "l'émetteur ne reçoit pas son propre message",
            format!(
                "l'émetteur a reçu son propre message : avec broadcast, il ne devrait pas (reçu : {})",
                show(&got)
            ),
        ));
    }
    Ok(())
}

/// Reçoit `count` messages numérotés et vérifie : tous, une fois, dans l'ordre.
pub(super) async fn expect_sequence(
    ctx: &Ctx,
    client: &mut Client,
    count: usize,
    prefix: &str,
) -> Result<(), Failure> {
    let mut seen: Vec<usize> = Vec::with_capacity(count);
    while seen.len() < count {
        let Some(args) = client.next(WAIT).await else {
            break;
        };
        let text = message_text(&args);
        if let Some(i) = text.strip_prefix(prefix).and_then(|n| n.parse().ok()) {
            seen.push(i);
        }
    }
    let expected: Vec<usize> = (0..count).collect();
    if seen == expected {
        return Ok(());
    }
    let mut sorted = seen.clone();
    sorted.sort_unstable();
    sorted.dedup();
    let duplicates = seen.len() - sorted.len();
    let missing = count - sorted.len();
    let first_misplaced = seen.iter().enumerate().find(|(i, n)| *i != **n);
    Err(Failure::new(
        format!(
            "{} reçoit les {count} messages, une fois chacun, dans l'ordre d'envoi ({})",
            client.name, ctx.chapter
        ),
        format!(
            "{} reçus, {}, {duplicates} en double{}",
            seen.len(),
            crate::plural(missing, "manquant", "manquants"),
            first_misplaced
                .map(|(i, n)| format!(", le message nº {n} est arrivé en position {i}"))
                .unwrap_or_default()
        ),
    ))
}

pub(super) async fn order(ctx: Ctx) -> Result<(), Failure> {
    const COUNT: usize = 1_000;
    let server = ctx.start().await?;
    let sender = connect(&ctx, &server.url(), Transport::WebSocket, "émetteur").await?;
    let mut receivers = vec![
        connect(
            &ctx,
            &server.url(),
            Transport::WebSocket,
            "récepteur WebSocket",
        )
        .await?,
        connect(
            &ctx,
            &server.url(),
            Transport::Polling,
            "récepteur long-polling",
        )
        .await?,
    ];
    let mut sender = sender;
    for i in 0..COUNT {
        send_chat(&ctx, &sender, &format!("n°{i}")).await?;
    }
    for receiver in &mut receivers {
        expect_sequence(&ctx, receiver, COUNT, "n°").await?;
    }
    if sender_receives(&ctx) {
        expect_sequence(&ctx, &mut sender, COUNT, "n°").await?;
    }
    Ok(())
}

pub(super) async fn many_clients(ctx: Ctx) -> Result<(), Failure> {
    const COUNT: usize = 200;
    let server = ctx.start().await?;
    let mut clients = connect_many(&ctx, &server.url(), COUNT, "client ").await?;
    let text = "un message pour les 200";
    send_chat(&ctx, &clients[0], text).await?;
    let start = usize::from(!sender_receives(&ctx));
    let results = join_all(
        clients
            .iter_mut()
            .skip(start)
            .map(|c| expect_chat(&ctx, c, text, "chacun des 200 clients reçoit le message")),
    )
    .await;
    let failed: Vec<&Failure> = results.iter().filter_map(|r| r.as_ref().err()).collect();
    if let Some(first) = failed.first() {
        return Err(Failure::new(
            format!("les {} clients reçoivent le message", COUNT - start),
            format!(
                "{} ne l'ont pas reçu ; par exemple : {}",
                failed.len(),
                first.seen
            ),
        ));
    }
    Ok(())
}

pub(super) async fn emit_in_connect(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx.start().await?;
    let mut witness = connect(&ctx, &server.url(), Transport::WebSocket, "témoin").await?;
    for (i, transport) in Transport::BOTH.into_iter().cycle().take(6).enumerate() {
        let text = format!("dès la connexion n°{i}");
        let args = chat_args(&ctx, &text);
        let on_connect: OnConnect = Box::new(move |client| {
            let args = args.clone();
            Box::pin(async move {
                client
                    .emit("new message", rust_socketio::Payload::Text(args))
                    .await
                    .ok();
            })
        });
        let eager =
            connect_with(&ctx, &server.url(), transport, "pressé", Some(on_connect)).await?;
        server.expect_line(&message_line(&ctx, &text), 1).await?;
        expect_chat(
            &ctx,
            &mut witness,
            &text,
            "le message émis dès la connexion",
        )
        .await?;
        eager.disconnect().await;
    }
    Ok(())
}

pub(super) async fn client_leaves(ctx: Ctx) -> Result<(), Failure> {
    const COUNT: usize = 50;
    let server = ctx.start().await?;
    let sender = connect(&ctx, &server.url(), Transport::WebSocket, "émetteur").await?;
    let mut receiver = connect(&ctx, &server.url(), Transport::Polling, "récepteur").await?;
    let closing = connect(&ctx, &server.url(), Transport::WebSocket, "onglet fermé").await?;
    let proxy = Proxy::start(server.port()).await?;
    let killed = connect(&ctx, &proxy.url(), Transport::WebSocket, "onglet tué").await?;
    // Dix messages, puis un onglet se ferme et un autre est tué, puis la
    // suite : le récepteur doit tout avoir, une fois chacun, dans l'ordre.
    for i in 0..10 {
        send_chat(&ctx, &sender, &format!("n°{i}")).await?;
    }
    closing.disconnect().await;
    proxy.cut();
    drop(killed);
    for i in 10..COUNT {
        send_chat(&ctx, &sender, &format!("n°{i}")).await?;
    }
    expect_sequence(&ctx, &mut receiver, COUNT, "n°").await
}

pub(super) async fn slow_receiver(ctx: Ctx) -> Result<(), Failure> {
    const MAX: usize = 60_000;
    const BATCH: usize = 250;
    // Un battement de cœur très lent, comme pour `cluster_slow_receiver` :
    // le client gelé doit être jugé sur sa file d'envoi, pas déconnecté
    // faute de répondre aux pings. Au chapitre 15, où chaque message passe
    // par PostgreSQL, remplir la file prend plus que les 45 s du battement
    // ordinaire sur une machine chargée.
    let server = ctx
        .start_with(&[
            ("PING_INTERVAL_MS", "600000"),
            ("PING_TIMEOUT_MS", "600000"),
        ])
        .await?;
    let sender = connect(&ctx, &server.url(), Transport::WebSocket, "émetteur").await?;
    let mut fast = connect(
        &ctx,
        &server.url(),
        Transport::WebSocket,
        "récepteur rapide",
    )
    .await?;
    let proxy = Proxy::start(server.port()).await?;
    let mut slow = connect(&ctx, &proxy.url(), Transport::WebSocket, "récepteur gelé").await?;
    proxy.freeze();
    let padding = "·".repeat(500);
    let is_slow_line = |l: &str| l.starts_with("Client ") && l.contains("trop lent");
    // Par paquets : le récepteur rapide lit chaque paquet avant le suivant,
    // il n'est donc jamais en retard ; seule la file du client gelé grossit.
    let mut sent = 0;
    while sent < MAX {
        for _ in 0..BATCH {
            send_chat(&ctx, &sender, &format!("{sent} {padding}")).await?;
            sent += 1;
        }
        for expected in sent - BATCH..sent {
            let got = fast.next(WAIT).await;
            let text = got.as_deref().map(message_text).unwrap_or_default();
            let n = text.split(' ').next().and_then(|n| n.parse::<usize>().ok());
            if n != Some(expected) {
                return Err(Failure::new(
                    format!(
                        "le récepteur rapide reçoit chaque message, dans l'ordre (n°{expected})"
                    ),
                    format!("il a reçu {:?}", n),
                ));
            }
        }
        if server
            .log()
            .stdout()
            .iter()
            .rev()
            .take(2 * BATCH)
            .any(|l| is_slow_line(l))
        {
            break;
        }
    }
    server
        .log()
        .wait_for(
            "« Client <id> trop lent : … » une fois la file d'envoi du client gelé pleine",
            1,
            is_slow_line,
            WAIT,
        )
        .await?;
    let slow_lines = server
        .log()
        .stdout()
        .iter()
        .filter(|l| is_slow_line(l))
        .count();
    if slow_lines != 1 {
        return Err(Failure::new(
            "seul le client gelé est jugé trop lent",
            format!("{slow_lines} clients l'ont été"),
        ));
    }
    // Le réseau revient : le client gelé reçoit un début sans trou, puis il
    // est déconnecté.
    proxy.thaw();
    let mut next = 0usize;
    // Lire tant que le client est connecté : sur une machine chargée, la
    // file qu'il rattrape peut s'interrompre plusieurs secondes avant la
    // fermeture, qui arrive après elle. Trois secondes de silence une fois
    // déconnecté, ou une minute en tout, et l'on conclut.
    let thawed = std::time::Instant::now();
    loop {
        let Some(args) = slow.next(Duration::from_secs(3)).await else {
            if !slow.is_connected() || thawed.elapsed() > Duration::from_secs(60) {
                break;
            }
            continue;
        };
        let text = message_text(&args);
        let n = text.split(' ').next().and_then(|n| n.parse::<usize>().ok());
        if n != Some(next) {
            return Err(Failure::new(
                "le client lent reçoit une suite sans trou avant d'être déconnecté",
                format!("après le n°{}, il a reçu {:?}", next.wrapping_sub(1), n),
            ));
        }
        next += 1;
    }
    if !slow.wait_closed(WAIT).await {
        return Err(Failure::new(
            "le client trop lent est déconnecté",
            format!("il est encore connecté, après {next} messages sur {sent}"),
        ));
    }
    Ok(())
}
