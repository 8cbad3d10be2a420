//! Chapitre 14 : la modération — l'espace de noms `/admin` des modérateurs
//! (la liste des comptes, exclure, réduire au silence) et les limites de
//! tous (débit, longueur).
//!
//! Ce fichier : `/admin` (accès, liste, exclusion). `limits.rs` : le
//! silence, les limites de débit et de longueur, et l'exercice 14.

mod limits;
mod logout;

use crate::client::{show_ack, show_event};
use serde_json::{Value, json};

use crate::client::{Client, Transport};
use crate::scenarios::accounts::{join_account, open_tab, session_for};
use crate::scenarios::chat_args;
use crate::scenarios::common::no_control_in_output;
use crate::scenarios::pseudos::expect_online;
use crate::scenarios::socket::TERMINAL_ESCAPE;
use crate::{Ctx, Failure, WAIT};

pub(crate) use limits::*;
pub(crate) use logout::*;

/// Le modérateur des vérifications (`MODERATORS`, voir `Ctx::start_with`).
pub(crate) const MODERATOR: &str = "Modo";

/// La page des modérateurs, ouverte avec la session de `pseudo`.
pub(super) async fn open_admin(url: &str, pseudo: &str) -> Result<Client, Failure> {
    let cookie = session_for(url, pseudo).await?;
    let headers = [("Cookie".to_owned(), cookie)];
    Client::open_in(
        "/admin",
        url,
        Transport::WebSocket,
        "page des modérateurs",
        None,
        None,
        &headers,
    )
    .await
}

/// Attend la liste `users` attendue (les précédentes sont sautées).
pub(super) async fn expect_users(
    admin: &mut Client,
    expected: Value,
    why: &str,
) -> Result<(), Failure> {
    let mut last = None;
    while let Some(args) = admin.next_event("users", WAIT).await {
        if args.first() == Some(&expected) {
            return Ok(());
        }
        last = args.into_iter().next();
    }
    Err(Failure::new(
        format!("la page des modérateurs reçoit « users » {expected} ({why})"),
        match last {
            Some(list) => format!("dernière liste reçue : {list}"),
            None => "aucune liste reçue".to_owned(),
        },
    ))
}

/// Le `error` d'un accusé, s'il y en a un.
pub(crate) fn ack_error(reply: &[Value]) -> Option<String> {
    reply.first()?.get("error")?.as_str().map(str::to_owned)
}

/// `/admin` : refusé sans session et à qui n'est pas modérateur, avec une
/// phrase en français ; accepté pour un modérateur, qui reçoit aussitôt la
/// liste des comptes connectés.
pub(super) async fn admin_access(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx.start().await?;
    let url = server.url();
    let french = |message: &str| message.contains(' ') && message.ends_with('.');
    let message = Client::refused_in("/admin", &url, Transport::WebSocket, json!({}), &[]).await?;
    if !french(&message) {
        return Err(Failure::new(
            "/admin sans session : un refus en français",
            message,
        ));
    }
    let bob = session_for(&url, "Bob").await?;
    let headers = [("Cookie".to_owned(), bob.clone())];
    let message =
        Client::refused_in("/admin", &url, Transport::WebSocket, json!({}), &headers).await?;
    if !french(&message) {
        return Err(Failure::new(
            "/admin pour Bob, qui n'est pas modérateur : un refus en français",
            message,
        ));
    }
    server
        .expect_prefix("Connexion à /admin refusée", 1)
        .await?;
    let _bob_tab = open_tab(&url, &bob, Transport::WebSocket, "Bob").await?;
    let mut admin = open_admin(&url, &MODERATOR.to_lowercase()).await?;
    expect_users(
        &mut admin,
        json!([{ "pseudo": "Bob", "tabs": 1, "muted_until": null }]),
        "dès la connexion",
    )
    .await
}

/// La liste des modérateurs suit chaque arrivée et chaque départ, avec le
/// nombre d'onglets de chaque compte, triée sans tenir compte des
/// majuscules.
pub(super) async fn admin_users(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx.start().await?;
    let url = server.url();
    let mut admin = open_admin(&url, MODERATOR).await?;
    expect_users(&mut admin, json!([]), "personne dans le chat").await?;
    let alice = session_for(&url, "alice").await?;
    let _a1 = open_tab(&url, &alice, Transport::WebSocket, "alice 1").await?;
    let a2 = open_tab(&url, &alice, Transport::Polling, "alice 2").await?;
    let bob = join_account(&url, "Bob", Transport::WebSocket).await?;
    expect_users(
        &mut admin,
        json!([
            { "pseudo": "alice", "tabs": 2, "muted_until": null },
            { "pseudo": "Bob", "tabs": 1, "muted_until": null },
        ]),
        "alice dans deux onglets, Bob dans un",
    )
    .await?;
    bob.disconnect().await;
    expect_users(
        &mut admin,
        json!([{ "pseudo": "alice", "tabs": 2, "muted_until": null }]),
        "après le départ de Bob",
    )
    .await?;
    // Un onglet fermé sur deux : le compte reste, avec un onglet de moins.
    a2.disconnect().await;
    expect_users(
        &mut admin,
        json!([{ "pseudo": "alice", "tabs": 1, "muted_until": null }]),
        "alice ferme l'un de ses deux onglets",
    )
    .await
}

/// Exclure : chaque onglet du compte reçoit `kicked` avec la raison, puis
/// est déconnecté ; l'accusé est `{ "ok": true }` ; les autres voient la
/// personne partir ; personne sous ce pseudo ou une donnée invalide : une
/// erreur.
pub(super) async fn kick(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx.start().await?;
    let url = server.url();
    let admin = open_admin(&url, MODERATOR).await?;
    let bob = session_for(&url, "Bob").await?;
    let mut tabs = vec![
        open_tab(&url, &bob, Transport::WebSocket, "Bob 1").await?,
        open_tab(&url, &bob, Transport::Polling, "Bob 2").await?,
    ];
    let mut alice = join_account(&url, "Alice", Transport::WebSocket).await?;
    expect_online(&mut alice, &["Alice", "Bob"], "Alice et Bob").await?;
    alice.clear_events();
    let reply = admin
        .emit_with_ack(
            "kick",
            vec![json!({ "pseudo": "bob", "reason": "spam" })],
            WAIT,
        )
        .await?;
    if reply != [json!({ "ok": true })] {
        return Err(Failure::new(
            "l'accusé d'une exclusion : { \"ok\": true }",
            show_ack(&reply),
        ));
    }
    for tab in &mut tabs {
        match tab.next_event("kicked", WAIT).await {
            Some(args) if args == [json!({ "reason": "spam" })] => {}
            other => {
                return Err(Failure::new(
                    format!("{} reçoit « kicked » {{ \"reason\": \"spam\" }}", tab.name),
                    show_event(other.as_deref()),
                ));
            }
        }
        if !tab.wait_closed(WAIT).await {
            return Err(Failure::new(
                format!("{} est déconnecté après « kicked »", tab.name),
                "il est encore connecté",
            ));
        }
    }
    match alice.next_event("user left", WAIT).await {
        Some(args) if args == [json!("Bob")] => {}
        other => {
            return Err(Failure::new(
                "Alice reçoit « user left » Bob",
                show_event(other.as_deref()),
            ));
        }
    }
    server.expect_prefix("Modération", 1).await?;
    for (data, why) in [
        (
            json!({ "pseudo": "Bob", "reason": "encore" }),
            "Bob n'est plus connecté",
        ),
        (
            json!({ "pseudo": "Personne", "reason": "?" }),
            "personne sous ce pseudo",
        ),
        (json!("Bob"), "une donnée qui n'est pas un objet"),
        (json!({ "pseudo": "Alice" }), "sans raison"),
        (
            json!({ "pseudo": "Alice", "reason": "  " }),
            "une raison vide",
        ),
        (
            json!({ "pseudo": "Alice", "reason": "x".repeat(201) }),
            "une raison de 201\u{a0}caractères",
        ),
    ] {
        let reply = admin.emit_with_ack("kick", vec![data], WAIT).await?;
        // Une raison qui manque se dit comme telle, pas par la forme des
        // données attendues.
        if why.contains("raison") && ack_error(&reply).is_none_or(|e| !e.contains("aison")) {
            return Err(Failure::new(
                format!("kick refusé ({why})\u{a0}: la phrase parle de la raison"),
                show_ack(&reply),
            ));
        }
        if ack_error(&reply).is_none_or(|e| !e.ends_with('.')) {
            return Err(Failure::new(
                format!("kick refusé ({why}) : accusé {{ \"error\": <phrase> }}"),
                show_ack(&reply),
            ));
        }
    }
    // Un modérateur est authentifié, mais ses textes vont au terminal et
    // aux pages : un caractère de contrôle y est refusé (Alice reste).
    let hidden = format!("Alice{TERMINAL_ESCAPE}");
    for (data, why) in [
        (
            json!({ "pseudo": "Alice", "reason": TERMINAL_ESCAPE }),
            "la raison",
        ),
        (json!({ "pseudo": hidden, "reason": "spam" }), "le pseudo"),
    ] {
        let reply = admin.emit_with_ack("kick", vec![data], WAIT).await?;
        if ack_error(&reply).is_none_or(|e| !e.contains("U+001B")) {
            return Err(Failure::new(
                format!(
                    "kick refusé quand {why} contient un caractère de contrôle\u{a0}: une erreur qui le nomme (U+001B)"
                ),
                show_ack(&reply),
            ));
        }
    }
    alice
        .emit_with_ack("new message", chat_args(&ctx, "toujours là"), WAIT)
        .await?;
    no_control_in_output(&server)
}

/// Chapitre 15 : `/admin` sur deux processus. Le modérateur, sur A, voit
/// les onglets de B, réduit au silence une personne dont l'onglet est sur
/// B, lui rend la parole, puis l'exclut de A et de B à la fois.
pub(super) async fn processes_admin(ctx: Ctx) -> Result<(), Failure> {
    let (key, database) = ctx.shared_database().await?;
    let env = [(key, database.as_str())];
    let a = ctx.start_with(&env).await?;
    let b = ctx.start_with(&env).await?;
    let mut admin = open_admin(&a.url(), MODERATOR).await?;
    let bob = session_for(&a.url(), "Bob").await?;
    let mut tabs = vec![
        open_tab(&a.url(), &bob, Transport::WebSocket, "Bob sur A").await?,
        open_tab(&b.url(), &bob, Transport::WebSocket, "Bob sur B").await?,
    ];
    let mut alice = join_account(&b.url(), "Alice", Transport::WebSocket).await?;
    expect_users(
        &mut admin,
        json!([
            { "pseudo": "Alice", "tabs": 1, "muted_until": null },
            { "pseudo": "Bob", "tabs": 2, "muted_until": null },
        ]),
        "Alice sur B, Bob sur A et sur B",
    )
    .await?;
    let reply = admin
        .emit_with_ack(
            "mute",
            vec![json!({ "pseudo": "bob", "minutes": 10 })],
            WAIT,
        )
        .await?;
    if reply.first().and_then(|r| r.get("ok")) != Some(&json!(true)) {
        return Err(Failure::new(
            "le silence de Bob, décidé sur A\u{a0}: { \"ok\": true, \"until\" }",
            show_ack(&reply),
        ));
    }
    let refused = tabs[1]
        .emit_with_ack("new message", chat_args(&ctx, "depuis B"), WAIT)
        .await?;
    if ack_error(&refused).is_none_or(|e| !e.contains("jusqu'à")) {
        return Err(Failure::new(
            "Bob, réduit au silence sur A, écrit depuis B\u{a0}: accusé { \"error\" } qui dit jusqu'à quand",
            show_ack(&refused),
        ));
    }
    admin
        .emit_with_ack("mute", vec![json!({ "pseudo": "Bob", "minutes": 0 })], WAIT)
        .await?;
    let reply = tabs[1]
        .emit_with_ack("new message", chat_args(&ctx, "de nouveau"), WAIT)
        .await?;
    if reply.first().and_then(|r| r.get("id")).is_none() {
        return Err(Failure::new(
            "Bob rendu à la parole sur A écrit depuis B\u{a0}: accusé { \"id\" }",
            show_ack(&reply),
        ));
    }
    alice.clear_events();
    let reply = admin
        .emit_with_ack(
            "kick",
            vec![json!({ "pseudo": "Bob", "reason": "spam" })],
            WAIT,
        )
        .await?;
    if reply != [json!({ "ok": true })] {
        return Err(Failure::new(
            "l'exclusion de Bob, décidée sur A\u{a0}: { \"ok\": true }",
            show_ack(&reply),
        ));
    }
    for tab in &mut tabs {
        if tab.next_event("kicked", WAIT).await.is_none() || !tab.wait_closed(WAIT).await {
            return Err(Failure::new(
                format!(
                    "{} reçoit «\u{a0}kicked\u{a0}» puis est déconnecté",
                    tab.name
                ),
                "rien de tel",
            ));
        }
    }
    match alice.next_event("user left", WAIT).await {
        Some(args) if args == [json!("Bob")] => {}
        other => {
            return Err(Failure::new(
                "Alice, sur B, reçoit «\u{a0}user left\u{a0}» Bob",
                show_event(other.as_deref()),
            ));
        }
    }
    expect_users(
        &mut admin,
        json!([{ "pseudo": "Alice", "tabs": 1, "muted_until": null }]),
        "Bob exclu de A et de B",
    )
    .await
}
