//! Le silence (`mute`), les limites de débit et de longueur, et
//! l'exercice 14 (les modérateurs sans limite de débit).

use crate::client::show_ack;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

use crate::client::Transport;
use crate::scenarios::accounts::{join_account, open_tab, session_for};
use crate::scenarios::pseudos::expect_online;
use crate::scenarios::{chat_args, expect_authored};
use crate::{Ctx, Failure, WAIT};

use super::*;

/// Réduire au silence : l'accusé donne la fin (RFC 3339) ; jusque-là, les
/// messages du compte (à tous et privés) reçoivent une erreur qui nomme la
/// fin, et rien ne part ; `minutes: 0` rend la parole ; hors de 0 à 1 440,
/// une erreur.
pub(crate) async fn mute(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx.start().await?;
    let url = server.url();
    let mut admin = open_admin(&url, MODERATOR).await?;
    let bob = join_account(&url, "Bob", Transport::WebSocket).await?;
    let mut alice = join_account(&url, "Alice", Transport::Polling).await?;
    expect_online(&mut alice, &["Alice", "Bob"], "Alice et Bob").await?;
    let before = unix_now();
    let reply = admin
        .emit_with_ack(
            "mute",
            vec![json!({ "pseudo": "BOB", "minutes": 10 })],
            WAIT,
        )
        .await?;
    let until = reply
        .first()
        .and_then(|r| r.get("until"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    let ok = reply.first().and_then(|r| r.get("ok")) == Some(&json!(true));
    let seconds = until.as_deref().and_then(rfc3339_seconds);
    if !ok || !seconds.is_some_and(|s| (before + 590..=before + 610).contains(&s)) {
        return Err(Failure::new(
            "l'accusé d'un silence de 10 minutes : { \"ok\": true, \"until\": <maintenant + 10 min, RFC 3339> }",
            show_ack(&reply),
        ));
    }
    let until = until.unwrap_or_default();
    expect_users(
        &mut admin,
        json!([
            { "pseudo": "Alice", "tabs": 1, "muted_until": null },
            { "pseudo": "Bob", "tabs": 1, "muted_until": until },
        ]),
        "Bob réduit au silence",
    )
    .await?;
    let refused = bob
        .emit_with_ack("new message", chat_args(&ctx, "je parle quand même"), WAIT)
        .await?;
    // Silence de 10 minutes, donné à l'instant : « encore 10 minutes ».
    if ack_error(&refused)
        .is_none_or(|e| !e.contains("jusqu'à") || !e.contains("encore 10\u{a0}minutes"))
    {
        return Err(Failure::new(
            "un message de Bob réduit au silence : accusé { \"error\" } qui dit jusqu'à quand, et le temps qui reste (« encore 10 minutes »)",
            show_ack(&refused),
        ));
    }
    let refused = bob
        .emit_with_ack(
            "private message",
            vec![json!({ "to": "Alice", "text": "psst" })],
            WAIT,
        )
        .await?;
    if ack_error(&refused).is_none() {
        return Err(Failure::new(
            "un message privé de Bob réduit au silence : accusé { \"error\" }",
            show_ack(&refused),
        ));
    }
    alice
        .expect_nothing(
            Duration::from_millis(400),
            "rien de Bob pendant son silence",
        )
        .await?;
    alice
        .expect_no_event(
            "private message",
            Duration::from_millis(100),
            "rien de Bob en privé non plus",
        )
        .await?;
    for (pseudo, minutes, why) in [
        ("Bob", json!(1441), "plus d'un jour"),
        ("Bob", json!(-5), "négatif"),
        ("Bob", json!("dix"), "pas un nombre"),
        (
            "Bob\u{1b}[31m",
            json!(5),
            "pseudo avec un caractère de contrôle (U+001B)",
        ),
    ] {
        let reply = admin
            .emit_with_ack(
                "mute",
                vec![json!({ "pseudo": pseudo, "minutes": minutes })],
                WAIT,
            )
            .await?;
        let named = !why.contains("U+") || ack_error(&reply).is_some_and(|e| e.contains("U+001B"));
        if ack_error(&reply).is_none() || !named {
            return Err(Failure::new(
                format!("mute refusé ({why}) : accusé {{ \"error\" }}"),
                show_ack(&reply),
            ));
        }
    }
    let reply = admin
        .emit_with_ack("mute", vec![json!({ "pseudo": "Bob", "minutes": 0 })], WAIT)
        .await?;
    if reply.first().and_then(|r| r.get("ok")) != Some(&json!(true)) {
        return Err(Failure::new(
            "minutes: 0 rend la parole : { \"ok\": true }",
            show_ack(&reply),
        ));
    }
    let reply = bob
        .emit_with_ack("new message", chat_args(&ctx, "merci"), WAIT)
        .await?;
    if reply.first().and_then(|r| r.get("id")).is_none() {
        return Err(Failure::new(
            "Bob rendu à la parole écrit de nouveau : accusé { \"id\" }",
            show_ack(&reply),
        ));
    }
    expect_authored(&ctx, &mut alice, "Bob", "merci", "Bob rendu à la parole").await
}

/// La limite de débit, avec sa valeur par défaut : 5 messages en 5 s par
/// compte, tous onglets confondus ; le sixième reçoit une erreur qui donne
/// l'attente en secondes, et ne part pas ; un autre compte n'est pas gêné.
pub(crate) async fn flood_limit(ctx: Ctx) -> Result<(), Failure> {
    // Une valeur vide : la limite par défaut.
    let server = ctx.start_with(&[("FLOOD_LIMIT", "")]).await?;
    let url = server.url();
    let bob = session_for(&url, "Bob").await?;
    let tab_1 = open_tab(&url, &bob, Transport::WebSocket, "Bob 1").await?;
    let tab_2 = open_tab(&url, &bob, Transport::Polling, "Bob 2").await?;
    let mut alice = join_account(&url, "Alice", Transport::WebSocket).await?;
    expect_online(&mut alice, &["Alice", "Bob"], "Alice et Bob").await?;
    for i in 1..=5 {
        let tab = if i % 2 == 0 { &tab_2 } else { &tab_1 };
        let event = if i == 5 {
            "private message"
        } else {
            "new message"
        };
        let args = if i == 5 {
            vec![json!({ "to": "Alice", "text": "cinq" })]
        } else {
            chat_args(&ctx, &format!("message {i}"))
        };
        let reply = tab.emit_with_ack(event, args, WAIT).await?;
        if ack_error(&reply).is_some() {
            return Err(Failure::new(
                format!("le message nº {i} de Bob en moins de 5 s passe"),
                show_ack(&reply),
            ));
        }
    }
    let refused = tab_2
        .emit_with_ack("new message", chat_args(&ctx, "un de trop"), WAIT)
        .await?;
    let sentence = ack_error(&refused).unwrap_or_default();
    let wait = sentence
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse::<u64>().ok())
        .rfind(|n| (1..=5).contains(n));
    if wait.is_none() || !sentence.to_lowercase().contains("réessayez dans") {
        return Err(Failure::new(
            "le sixième message en 5 s : accusé { \"error\" } « … réessayez dans N s » (N de 1 à 5)",
            show_ack(&refused),
        ));
    }
    for i in 1..=4 {
        let text = format!("message {i}");
        expect_authored(&ctx, &mut alice, "Bob", &text, "les messages permis").await?;
    }
    alice
        .expect_nothing(Duration::from_millis(400), "le message de trop ne part pas")
        .await?;
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

/// Un texte de plus de 1 000 caractères : une erreur, rien ne part ; 1 000
/// passent.
pub(crate) async fn length_limit(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx.start().await?;
    let url = server.url();
    let bob = join_account(&url, "Bob", Transport::WebSocket).await?;
    let mut alice = join_account(&url, "Alice", Transport::WebSocket).await?;
    expect_online(&mut alice, &["Alice", "Bob"], "Alice et Bob").await?;
    let longest = "é".repeat(1_000);
    let reply = bob
        .emit_with_ack("new message", chat_args(&ctx, &longest), WAIT)
        .await?;
    if reply.first().and_then(|r| r.get("id")).is_none() {
        return Err(Failure::new(
            "un message de 1 000 caractères passe",
            show_ack(&reply),
        ));
    }
    expect_authored(&ctx, &mut alice, "Bob", &longest, "1 000 caractères").await?;
    let too_long = "é".repeat(1_001);
    for (event, args) in [
        ("new message", chat_args(&ctx, &too_long)),
        (
            "private message",
            vec![json!({ "to": "Alice", "text": too_long })],
        ),
    ] {
        let reply = bob.emit_with_ack(event, args, WAIT).await?;
        let Some(error) = ack_error(&reply) else {
            return Err(Failure::new(
                format!("« {event} » de 1 001 caractères : accusé {{ \"error\" }}"),
                show_ack(&reply),
            ));
        };
        // La longueur, écrite à la française (espace fine entre les milliers).
        if !error.contains("1\u{202f}001") {
            return Err(Failure::new(
                "la phrase dit la longueur du message, «\u{a0}1\u{202f}001\u{a0}»",
                error,
            ));
        }
    }
    for (event, args) in [
        ("new message", chat_args(&ctx, "   ")),
        (
            "private message",
            vec![json!({ "to": "Alice", "text": " " })],
        ),
    ] {
        let reply = bob.emit_with_ack(event, args, WAIT).await?;
        if ack_error(&reply).is_none() {
            return Err(Failure::new(
                format!("«\u{a0}{event}\u{a0}» fait d'espaces\u{a0}: accusé {{ \"error\" }}"),
                show_ack(&reply),
            ));
        }
    }
    alice
        .expect_nothing(
            Duration::from_millis(400),
            "rien de trop long ni de vide ne part",
        )
        .await
}

/// Exercice 14 : un modérateur échappe à la limite de débit (huit messages
/// en moins de 5 s passent), pas à celle de longueur ; les autres restent
/// limités.
pub(crate) async fn moderators_unlimited(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx.start_with(&[("FLOOD_LIMIT", "")]).await?;
    let url = server.url();
    let modo = join_account(&url, MODERATOR, Transport::WebSocket).await?;
    let bob = join_account(&url, "Bob", Transport::WebSocket).await?;
    for i in 1..=8 {
        let reply = modo
            .emit_with_ack("new message", vec![json!(format!("annonce {i}"))], WAIT)
            .await?;
        if reply.first().and_then(|r| r.get("id")).is_none() {
            return Err(Failure::new(
                format!("le message nº {i} du modérateur, en moins de 5 s, passe"),
                show_ack(&reply),
            ));
        }
    }
    let reply = modo
        .emit_with_ack("new message", vec![json!("é".repeat(1_001))], WAIT)
        .await?;
    if ack_error(&reply).is_none() {
        return Err(Failure::new(
            "un message de 1 001 caractères du modérateur est refusé",
            show_ack(&reply),
        ));
    }
    for i in 1..=6 {
        let reply = bob
            .emit_with_ack("new message", vec![json!(format!("bob {i}"))], WAIT)
            .await?;
        let refused = ack_error(&reply).is_some();
        if refused != (i == 6) {
            return Err(Failure::new(
                "Bob, qui n'est pas modérateur, reste limité : ses 5 premiers messages passent, le sixième est refusé",
                format!("message nº {i} : {reply:?}"),
            ));
        }
    }
    Ok(())
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Les secondes depuis 1970 d'une date RFC 3339 en UTC
/// (`2026-12-03T14:32:05Z`, avec ou sans fraction de seconde).
fn rfc3339_seconds(text: &str) -> Option<u64> {
    let text = text.strip_suffix('Z')?;
    let (date, time) = text.split_once('T')?;
    let mut date = date.split('-').map(|n| n.parse::<i64>().ok());
    let (y, m, d) = (date.next()??, date.next()??, date.next()??);
    let time = time.split('.').next()?;
    let mut time = time.split(':').map(|n| n.parse::<i64>().ok());
    let (h, min, s) = (time.next()??, time.next()??, time.next()??);
    // Les jours depuis 1970 (algorithme « days from civil »).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    u64::try_from(days * 86_400 + h * 3_600 + min * 60 + s).ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn rfc3339_dates_are_read() {
        assert_eq!(super::rfc3339_seconds("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            super::rfc3339_seconds("2026-12-03T14:32:05.5Z"),
            Some(1_796_308_325)
        );
        assert_eq!(super::rfc3339_seconds("pas une date"), None);
    }
}
