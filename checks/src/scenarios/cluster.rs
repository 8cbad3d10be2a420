//! Chapitre 12 : un chat sur plusieurs processus, par un vrai Redis (lancé
//! par le contexte, voir `crate::redis`).

use std::time::Duration;

use futures_util::future::join_all;
use serde_json::json;

use super::{chat_args, expect_chat, expect_online, expect_sequence, join, send_chat};
use crate::client::{Client, Transport};
use crate::server::{describe_status, spawn};
use crate::{Ctx, Failure, Server, WAIT};

/// Redis arrêté, le plus long délai permis entre un envoi et son accusé
/// et sa remise sur le même processus (quelques millisecondes d'habitude ;
/// environ 5 s quand chaque message attendait la fin des essais de
/// reconnexion).
const OUTAGE_DELAY: Duration = Duration::from_secs(2);

/// Deux processus du chapitre sur le même Redis.
async fn two(ctx: &Ctx) -> Result<(Server, Server), Failure> {
    let a = ctx.start().await?;
    let b = ctx.start().await?;
    Ok((a, b))
}

/// 1 000 messages envoyés d'affilée par un client de A arrivent chez un
/// client de B, une fois chacun, dans l'ordre ; puis dans l'autre sens.
pub(super) async fn cluster_crossing(ctx: Ctx) -> Result<(), Failure> {
    const COUNT: usize = 1_000;
    let (a, b) = two(&ctx).await?;
    let mut on_a = join(&a, "Alice", Transport::WebSocket).await?;
    let mut on_b = join(&b, "Bob", Transport::WebSocket).await?;
    let mut also_b = join(&b, "Chloé", Transport::Polling).await?;
    expect_online(&mut on_a, &["Alice", "Bob", "Chloé"], "les trois sont là").await?;
    for i in 0..COUNT {
        send_chat(&ctx, &on_a, &format!("a{i}")).await?;
    }
    expect_sequence(&ctx, &mut on_b, COUNT, "a").await?;
    expect_sequence(&ctx, &mut also_b, COUNT, "a").await?;
    for i in 0..COUNT {
        send_chat(&ctx, &on_b, &format!("b{i}")).await?;
    }
    expect_sequence(&ctx, &mut on_a, COUNT, "b").await?;
    expect_sequence(&ctx, &mut also_b, COUNT, "b").await?;
    on_a.expect_nothing(Duration::from_millis(500), "aucun doublon")
        .await?;
    on_b.expect_nothing(
        Duration::from_millis(500),
        "aucun doublon, ni son propre message",
    )
    .await
}

/// Arrivées, départs et liste « online » d'un processus à l'autre.
pub(super) async fn cluster_presence(ctx: Ctx) -> Result<(), Failure> {
    let (a, b) = two(&ctx).await?;
    let mut alice = join(&a, "alice", Transport::WebSocket).await?;
    expect_online(&mut alice, &["alice"], "seule").await?;
    let mut bob = join(&b, "Bob", Transport::WebSocket).await?;
    alice
        .expect_event("user joined", &[json!("Bob")], "Bob arrive par B")
        .await?;
    expect_online(&mut alice, &["alice", "Bob"], "Bob est sur B").await?;
    expect_online(&mut bob, &["alice", "Bob"], "alice est sur A").await?;
    bob.disconnect().await;
    alice
        .expect_event("user left", &[json!("Bob")], "Bob quitte B")
        .await?;
    expect_online(&mut alice, &["alice"], "Bob est parti").await?;
    // Son pseudo est libre aussitôt, y compris sur l'autre processus.
    let again = join(&a, "BOB", Transport::WebSocket).await?;
    again.disconnect().await;
    Ok(())
}

/// Un pseudo pris sur A est refusé sur B.
pub(super) async fn cluster_nickname_taken(ctx: Ctx) -> Result<(), Failure> {
    let (a, b) = two(&ctx).await?;
    let _alice = join(&a, "Alice", Transport::WebSocket).await?;
    let message = Client::connect_refused(
        &b.url(),
        Transport::WebSocket,
        json!({ "pseudo": " ALICE " }),
    )
    .await?;
    if !message.contains("déjà pris") {
        return Err(Failure::new(
            "un refus « déjà pris » sur B pour le pseudo pris sur A",
            format!("« {message} »"),
        ));
    }
    b.log()
        .wait_for(
            "« Connexion refusée : … »",
            1,
            |l| l.starts_with("Connexion refusée"),
            WAIT,
        )
        .await?;
    Ok(())
}

/// Dix clients, cinq sur A et cinq sur B, demandent le même pseudo au même
/// instant : un seul l'obtient.
pub(super) async fn cluster_nickname_race(ctx: Ctx) -> Result<(), Failure> {
    let (a, b) = two(&ctx).await?;
    let tries = join_all((0..10).map(|i| {
        let server = if i % 2 == 0 { &a } else { &b };
        let pseudo = if i % 3 == 0 { "zoé" } else { "Zoé" };
        async move { join(server, pseudo, Transport::WebSocket).await.ok() }
    }))
    .await;
    let winners = tries.iter().filter(|c| c.is_some()).count();
    if winners != 1 {
        return Err(Failure::new(
            "un seul des dix clients (cinq par processus) obtient « Zoé »",
            format!("{winners} l'ont obtenu"),
        ));
    }
    Ok(())
}

/// Un processus tué (sans rien pouvoir dire) : ses clients sortent de la
/// liste « online » des autres processus, et peuvent revenir aussitôt sur
/// un autre avec leur pseudo (la page qui se reconnecte derrière nginx),
/// sans attendre que la clé du pseudo expire (10 s).
pub(super) async fn cluster_process_killed(ctx: Ctx) -> Result<(), Failure> {
    let (a, b) = two(&ctx).await?;
    let mut alice = join(&a, "Alice", Transport::WebSocket).await?;
    let _bob = join(&b, "Bob", Transport::WebSocket).await?;
    expect_online(&mut alice, &["Alice", "Bob"], "Bob est sur B").await?;
    drop(b); // tué (SIGKILL) : aucun gestionnaire de départ ne s'exécute
    expect_online(&mut alice, &["Alice"], "B a été tué").await?;
    a.log()
        .wait_for(
            "« Un autre processus du chat s'est arrêté… »",
            1,
            |l| l.starts_with("Un autre processus du chat s'est arrêté"),
            WAIT,
        )
        .await?;
    // La clé du pseudo de Bob vit encore plusieurs secondes (prolongée il y
    // a moins de 3 s, pour 10 s) ; 2 s d'essais suffisent à un chat qui sait
    // que son processus est mort.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(2);
    loop {
        match join(&a, "Bob", Transport::WebSocket).await {
            Ok(_bob) => break,
            Err(failure) if tokio::time::Instant::now() >= deadline => {
                return Err(Failure::new(
                    "Bob, dont le processus a été tué, se reconnecte aussitôt sur A avec son pseudo",
                    failure.seen,
                ));
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
    expect_online(&mut alice, &["Alice", "Bob"], "Bob est revenu, sur A").await
}

/// Redis absent au démarrage : une phrase en français qui nomme l'adresse et
/// `redis-server`, un code de sortie non nul, pas de panique.
pub(super) async fn redis_missing(ctx: Ctx) -> Result<(), Failure> {
    let port = crate::redis::free_port().await?;
    let url = format!("redis://127.0.0.1:{port}");
    let env = [
        ("PORT".to_owned(), "0".to_owned()),
        ("REDIS_URL".to_owned(), url.clone()),
    ]
    .into_iter()
    .collect();
    let (mut child, log) = spawn(&ctx.binary, &env)?;
    let status = tokio::time::timeout(WAIT, child.wait())
        .await
        .map_err(|_| Failure::new("le programme s'arrête sans Redis", "il tourne encore"))?
        .ok();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let stderr = log.stderr().join("\n");
    let failed = status.is_some_and(|s| !s.success());
    if !failed
        || !stderr.contains(&url)
        || !stderr.contains("redis-server")
        || stderr.contains("panicked")
    {
        return Err(Failure::new(
            format!("un code non nul et une phrase qui nomme {url} et redis-server, sans panique"),
            format!(
                "{} ; sortie d'erreur : « {stderr} »",
                describe_status(status)
            ),
        ));
    }
    Ok(())
}

/// Un processus arrêté proprement (SIGTERM, comme Ctrl+C) : il dit qui part
/// avec lui ; l'autre processus annonce le départ (« user left », puis
/// « online ») ; le pseudo est libre tout de suite, sur l'autre processus
/// comme sur le même relancé.
pub(super) async fn cluster_process_stopped(ctx: Ctx) -> Result<(), Failure> {
    let (a, b) = two(&ctx).await?;
    let _bob = join(&a, "Bob", Transport::WebSocket).await?;
    let mut alice = join(&b, "Alice", Transport::WebSocket).await?;
    expect_online(&mut alice, &["Alice", "Bob"], "Bob est sur A").await?;
    alice.clear_events();
    let log = a.shared_log();
    let status = a.stop().await?;
    log.wait_finished(WAIT).await;
    if !log.stdout().iter().any(|l| l == "Bob s'est déconnecté") {
        return Err(Failure::new(
            "à l'arrêt (SIGTERM), A affiche « Bob s'est déconnecté »",
            format!("ses dernières lignes : {:?}", log.tail(6)),
        ));
    }
    if status.code() != Some(0) {
        return Err(Failure::new(
            "après SIGTERM, A se termine avec le code 0",
            describe_status(Some(status)),
        ));
    }
    alice
        .expect_event("user left", &[json!("Bob")], "Bob est parti avec A")
        .await?;
    expect_online(&mut alice, &["Alice"], "A est arrêté").await?;
    // Bob se reconnecte aussitôt, sur B : son pseudo est libre.
    join(&b, "Bob", Transport::WebSocket)
        .await
        .map_err(|mut f| {
            f.expected = format!(
                "le pseudo de Bob est libre dès l'arrêt de A : {}",
                f.expected
            );
            f
        })?;
    Ok(())
}

/// Redis tué pendant que le chat tourne : chaque processus le dit et sert
/// encore ses propres clients ; Redis relancé, les messages passent de
/// nouveau d'un processus à l'autre, sans relancer le chat.
pub(super) async fn redis_restart(ctx: Ctx) -> Result<(), Failure> {
    let (a, b) = two(&ctx).await?;
    let alice = join(&a, "Alice", Transport::WebSocket).await?;
    let mut anne = join(&a, "Anne", Transport::WebSocket).await?;
    let dora = join(&a, "Dora", Transport::WebSocket).await?;
    let mut bob = join(&b, "Bob", Transport::WebSocket).await?;
    expect_online(&mut bob, &["Alice", "Anne", "Bob", "Dora"], "tous là").await?;
    let Some(port) = ctx.kill_redis().await else {
        return Err(Failure::new("un Redis à arrêter", "aucun Redis lancé"));
    };
    let lost = |l: &str| l.contains("connexion à Redis perdue");
    a.log()
        .wait_for("« Attention : connexion à Redis perdue… »", 1, lost, WAIT)
        .await?;
    // Sans Redis, les clients d'un même processus discutent à vitesse
    // normale : ni l'accusé ni la remise n'attendent Redis (avant, environ
    // 5 s par message, le temps des essais de reconnexion).
    for i in 0..10 {
        let text = format!("pendant la panne {i}");
        let started = std::time::Instant::now();
        let ack = alice
            .emit_with_ack("new message", chat_args(&ctx, &text), OUTAGE_DELAY)
            .await?;
        if ack.first().is_none_or(|a| a.get("id").is_none()) {
            return Err(Failure::new(
                "Redis arrêté, l'accusé reste { \"id\": n }",
                crate::client::show_ack(&ack),
            ));
        }
        expect_chat(&ctx, &mut anne, &text, "même processus que l'émettrice").await?;
        let took = started.elapsed();
        if took > OUTAGE_DELAY {
            return Err(Failure::new(
                format!(
                    "Redis arrêté, le message nº\u{a0}{i} est accusé et remis sur A en moins de {}\u{a0}s",
                    OUTAGE_DELAY.as_secs()
                ),
                format!("il a fallu {}", crate::seconds(took)),
            ));
        }
    }
    bob.expect_nothing(
        Duration::from_secs(1),
        "Redis est arrêté\u{a0}: rien ne passe d'un processus à l'autre",
    )
    .await?;
    // Dora part pendant la panne : son processus l'annonce au moins à ses
    // propres clients, avec la liste de ceux qu'il connaît.
    dora.disconnect().await;
    anne.expect_event(
        "user left",
        &[json!("Dora")],
        "Redis arrêté, Dora quitte le même processus",
    )
    .await?;
    expect_online(&mut anne, &["Alice", "Anne"], "Redis arrêté, Dora partie").await?;
    ctx.restart_redis(port).await?;
    let back = |l: &str| l.starts_with("Redis est de retour");
    for server in [&a, &b] {
        server
            .log()
            .wait_for("« Redis est de retour… »", 1, back, WAIT)
            .await?;
    }
    // Redis revenu, chaque processus renvoie la liste de tout le chat : Bob
    // apprend le départ de Dora, Anne retrouve Bob.
    expect_online(
        &mut bob,
        &["Alice", "Anne", "Bob"],
        "Redis relancé, Dora partie pendant la panne",
    )
    .await?;
    expect_online(&mut anne, &["Alice", "Anne", "Bob"], "Redis relancé").await?;
    send_chat(&ctx, &alice, "après la panne").await?;
    expect_chat(&ctx, &mut bob, "après la panne", "Redis relancé").await?;
    expect_chat(&ctx, &mut anne, "après la panne", "même processus").await?;
    send_chat(&ctx, &bob, "de retour").await?;
    expect_chat(
        &ctx,
        &mut anne,
        "de retour",
        "Redis relancé, dans l'autre sens",
    )
    .await?;
    Ok(())
}

/// Un client gelé sur B, dont la file d'envoi se remplit de messages venus
/// de A : il reçoit une suite sans trou, puis B le déclare trop lent (une
/// ligne dans son terminal) et le déconnecte ; le témoin de B, qui lit,
/// reçoit tout. La garantie des chapitres 4 à 11, d'un processus à l'autre.
pub(super) async fn cluster_slow_receiver(ctx: Ctx) -> Result<(), Failure> {
    const MAX: usize = 60_000;
    const BATCH: usize = 500;
    // Un battement de cœur très lent : le client gelé ne doit pas être
    // déconnecté faute de répondre aux pings pendant l'essai.
    let slow_heartbeat = [
        ("PING_INTERVAL_MS", "600000"),
        ("PING_TIMEOUT_MS", "600000"),
    ];
    let a = ctx.start_with(&slow_heartbeat).await?;
    let b = ctx.start_with(&slow_heartbeat).await?;
    let sender = join(&a, "Alice", Transport::WebSocket).await?;
    let proxy = crate::proxy::Proxy::start(b.port()).await?;
    let mut frozen = Client::connect_auth(
        &proxy.url(),
        Transport::WebSocket,
        "Gelé",
        json!({ "pseudo": "Gelé" }),
    )
    .await?;
    let mut witness = join(&b, "Témoin", Transport::WebSocket).await?;
    expect_online(
        &mut witness,
        &["Alice", "Gelé", "Témoin"],
        "les trois sont là",
    )
    .await?;
    proxy.freeze();
    let padding = "·".repeat(500);
    let is_slow_line = |l: &str| l.starts_with("Client ") && l.contains("trop lent");
    let mut sent = 0;
    while sent < MAX {
        for _ in 0..BATCH {
            send_chat(&ctx, &sender, &format!("{sent} {padding}")).await?;
            sent += 1;
        }
        // Le témoin lit au fur et à mesure : lui ne prend jamais de retard.
        for expected in sent - BATCH..sent {
            let text = witness.next_text(WAIT).await;
            let n = text
                .as_deref()
                .and_then(|t| t.split(' ').next()?.parse::<usize>().ok());
            if n != Some(expected) {
                return Err(Failure::new(
                    format!(
                        "le témoin, qui lit, reçoit chaque message venu de A (nº\u{a0}{expected})"
                    ),
                    format!("il a reçu {n:?}"),
                ));
            }
        }
        if b.log().stdout().iter().any(|l| is_slow_line(l)) {
            break;
        }
    }
    b.log()
        .wait_for(
            "« Client <id> trop lent : … » dans le terminal de B, une fois la file du client gelé pleine",
            1,
            is_slow_line,
            WAIT,
        )
        .await?;
    let slow_lines = |server: &Server| {
        server
            .log()
            .stdout()
            .iter()
            .filter(|l| is_slow_line(l))
            .count()
    };
    if slow_lines(&b) != 1 || slow_lines(&a) != 0 {
        return Err(Failure::new(
            "seul le client gelé de B est jugé trop lent",
            format!("{} sur B, {} sur A", slow_lines(&b), slow_lines(&a)),
        ));
    }
    // Le réseau revient : le client gelé reçoit un début sans trou, puis il
    // est déconnecté.
    proxy.thaw();
    let mut next = 0usize;
    while let Some(text) = frozen.next_text(Duration::from_secs(3)).await {
        let n = text.split(' ').next().and_then(|n| n.parse::<usize>().ok());
        if n != Some(next) {
            return Err(Failure::new(
                "le client gelé de B reçoit une suite sans trou avant d'être déconnecté",
                format!(
                    "après le nº\u{a0}{}, il a reçu {text:?}",
                    next.wrapping_sub(1)
                ),
            ));
        }
        next += 1;
    }
    if !frozen.wait_closed(WAIT).await {
        return Err(Failure::new(
            "le client trop lent est déconnecté",
            format!("il est encore connecté, après {next} messages sur {sent}"),
        ));
    }
    Ok(())
}
