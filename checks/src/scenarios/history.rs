//! Chapitre 11 : l'historique dans SQLite (`serverOffset`, `clientOffset`) ;
//! au chapitre 15, le même dans PostgreSQL, avec l'auteur de chaque
//! message : `({ from, text }, numéro)`.

use std::time::Duration;

use serde_json::{Value, json};

use super::*;
use crate::client::{Client, Transport, show, show_ack};
use crate::{Ctx, Failure, WAIT};

mod failures;

pub(super) use failures::{ack_lost, bad_database, write_refused};

const ACK_WAIT: Duration = Duration::from_secs(10);

/// Attend `new message` avec `(text, numéro)` (au chapitre 15 :
/// `({ from, text }, numéro)`) et rend le numéro.
pub(super) async fn expect_stored(
    ctx: &Ctx,
    client: &mut Client,
    text: &str,
    why: &str,
) -> Result<i64, Failure> {
    let shape = if ctx.number() >= 15 {
        format!("({{ from, text: {text:?} }}, <numéro>)")
    } else {
        format!("({text:?}, <numéro>)")
    };
    let expected = format!("{} reçoit {shape} ({why})", client.name);
    let Some(got) = client.next(WAIT).await else {
        return Err(Failure::new(expected, "il n'a rien reçu"));
    };
    let (said, id) = match got.as_slice() {
        [said, id] => (said, id.as_i64()),
        _ => (&Value::Null, None),
    };
    let matches = if ctx.number() >= 15 {
        said.get("text").and_then(Value::as_str) == Some(text)
            && said.get("from").is_some_and(Value::is_string)
    } else {
        said.as_str() == Some(text)
    };
    match id {
        Some(id) if matches => Ok(id),
        _ => Err(Failure::new(expected, format!("il a reçu {}", show(&got)))),
    }
}

/// Un client comme la page : `auth: { serverOffset }` (au chapitre 15,
/// avec le cookie de session du compte `name`).
pub(super) async fn tab(
    ctx: &Ctx,
    url: &str,
    name: &str,
    offset: Value,
) -> Result<Client, Failure> {
    let auth = json!({ "serverOffset": offset });
    tab_with(ctx, url, name, Transport::WebSocket, Some(auth)).await
}

/// Un onglet, avec ou sans `auth` : au chapitre 15, le compte `name`
/// s'inscrit (ou se connecte) d'abord et joint son cookie.
pub(super) async fn tab_with(
    ctx: &Ctx,
    url: &str,
    name: &str,
    transport: Transport,
    auth: Option<Value>,
) -> Result<Client, Failure> {
    if ctx.number() < 15 {
        return Client::open(url, transport, name, None, auth).await;
    }
    let cookie = accounts::session_for(url, name).await?;
    let headers = [("Cookie".to_owned(), cookie)];
    Client::open_with_headers(url, transport, name, None, auth, &headers).await
}

/// Envoie `(text, offset)` avec accusé et rend le numéro accusé.
pub(super) async fn send_stored(client: &Client, text: &str, offset: &str) -> Result<i64, Failure> {
    let ack = client
        .emit_with_ack("new message", vec![json!(text), json!(offset)], ACK_WAIT)
        .await?;
    match ack.as_slice() {
        [reply] if reply.get("id").and_then(Value::as_i64).is_some() => {
            Ok(reply.get("id").and_then(Value::as_i64).unwrap_or_default())
        }
        _ => Err(Failure::new(
            format!("l'accusé de « {text} » est {{ \"id\": <numéro> }}"),
            show_ack(&ack),
        )),
    }
}

/// Reçoit exactement `texts`, dans l'ordre, puis plus rien.
async fn expect_replay(
    ctx: &Ctx,
    client: &mut Client,
    texts: &[&str],
    why: &str,
) -> Result<(), Failure> {
    for text in texts {
        expect_stored(ctx, client, text, why).await?;
    }
    client
        .expect_nothing(SILENCE, &format!("{} : rien d'autre ({why})", client.name))
        .await
}

pub(super) async fn history_replay(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx.start().await?;
    let url = server.url();
    let mut a = tab(&ctx, &url, "auteur", json!(0)).await?;
    let mut ids = Vec::new();
    for text in ["h1", "h2", "h3"] {
        ids.push(send_stored(&a, text, &format!("replay-{text}")).await?);
        expect_stored(&ctx, &mut a, text, "l'émetteur reçoit son message").await?;
    }
    if !ids.windows(2).all(|w| w[0] < w[1]) {
        return Err(Failure::new("des numéros croissants", format!("{ids:?}")));
    }
    let mut b = tab(&ctx, &url, "après h1", json!(ids[0])).await?;
    expect_replay(&ctx, &mut b, &["h2", "h3"], "serverOffset = numéro de h1").await?;
    let mut c = tab_with(&ctx, &url, "sans auth", Transport::Polling, None).await?;
    expect_replay(
        &ctx,
        &mut c,
        &["h1", "h2", "h3"],
        "sans serverOffset : tout",
    )
    .await?;
    let mut d = tab(&ctx, &url, "offset invalide", json!("abc")).await?;
    expect_replay(
        &ctx,
        &mut d,
        &["h1", "h2", "h3"],
        "serverOffset invalide : tout",
    )
    .await?;
    server
        .log()
        .wait_for(
            "un avertissement pour serverOffset = \"abc\"",
            1,
            |l| l.starts_with("Avertissement") && l.contains("serverOffset"),
            WAIT,
        )
        .await?;
    let mut e = tab(&ctx, &url, "négatif", json!(-1)).await?;
    expect_replay(
        &ctx,
        &mut e,
        &["h1", "h2", "h3"],
        "serverOffset négatif : tout",
    )
    .await
}

pub(super) async fn missed_while_away(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx.start().await?;
    let url = server.url();
    let a = tab(&ctx, &url, "bavard", json!(0)).await?;
    let mut b = tab(&ctx, &url, "absent", json!(0)).await?;
    send_stored(&a, "avant", "away-1").await?;
    let seen = expect_stored(&ctx, &mut b, "avant", "connecté").await?;
    b.disconnect().await;
    for (i, text) in ["pendant 1", "pendant 2", "pendant 3"].iter().enumerate() {
        send_stored(&a, text, &format!("away-{}", i + 2)).await?;
    }
    let mut back = tab(&ctx, &url, "revenu", json!(seen)).await?;
    expect_replay(
        &ctx,
        &mut back,
        &["pendant 1", "pendant 2", "pendant 3"],
        "le client revient avec son dernier numéro",
    )
    .await
}

pub(super) async fn survives_restart(ctx: Ctx) -> Result<(), Failure> {
    let (key, database) = ctx.shared_database().await?;
    let env = [(key, database.as_str())];
    let server = ctx.start_with(&env).await?;
    // Le même auteur avant et après (au chapitre 15, le même compte : un
    // renvoi se reconnaît à son auteur et à son clientOffset).
    let a = tab(&ctx, &server.url(), "auteur", json!(0)).await?;
    send_stored(&a, "r1", "restart-1").await?;
    let last = send_stored(&a, "r2", "restart-2").await?;
    drop(a);
    server.stop().await?;

    let server = ctx.start_with(&env).await?;
    let mut b = tab(&ctx, &server.url(), "auteur", json!(0)).await?;
    expect_replay(
        &ctx,
        &mut b,
        &["r1", "r2"],
        "l'historique survit à la relance",
    )
    .await?;
    let next = send_stored(&b, "r3", "restart-3").await?;
    if next <= last {
        return Err(Failure::new(
            format!("après la relance, un numéro plus grand que {last}"),
            format!("{next}"),
        ));
    }
    // Le même clientOffset qu'avant l'arrêt : toujours reconnu.
    let again = send_stored(&b, "r1", "restart-1").await?;
    expect_stored(&ctx, &mut b, "r3", "son propre message").await?;
    b.expect_nothing(SILENCE, "r1 renvoyé après la relance n'est pas réémis")
        .await?;
    if again > last {
        return Err(Failure::new(
            "r1 renvoyé après la relance garde son numéro",
            format!("nouveau numéro {again}"),
        ));
    }
    Ok(())
}

pub(super) async fn retry_once(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx.start().await?;
    let url = server.url();
    let a = tab(&ctx, &url, "qui réessaie", json!(0)).await?;
    let mut witness = tab(&ctx, &url, "témoin", json!(0)).await?;
    let first = send_stored(&a, "une fois", "retry-1").await?;
    let second = send_stored(&a, "une fois", "retry-1").await?;
    if first != second {
        return Err(Failure::new(
            "le même clientOffset est accusé deux fois avec le même numéro",
            format!("{first} puis {second}"),
        ));
    }
    expect_replay(&ctx, &mut witness, &["une fois"], "envoyé une seule fois").await?;
    let mut late = tab(&ctx, &url, "arrivé après", json!(0)).await?;
    expect_replay(&ctx, &mut late, &["une fois"], "enregistré une seule fois").await?;
    let lines = server.log().stdout();
    let line = message_line(&ctx, "une fois");
    let count = lines.iter().filter(|l| **l == line).count();
    if count != 1 {
        return Err(Failure::new(
            format!("« {line} » affiché une fois"),
            format!("{count} fois"),
        ));
    }
    Ok(())
}

/// Chapitre 15 : un renvoi se reconnaît à son auteur **et** à son
/// clientOffset. Bob, qui reprend le clientOffset d'un message d'Alice (un
/// client fait à la main), écrit un autre message : il ne reçoit ni
/// l'accusé ni le numéro de celui d'Alice, et chacun voit les deux.
pub(super) async fn offset_per_account(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx.start().await?;
    let url = server.url();
    let alice = tab(&ctx, &url, "Alice", json!(0)).await?;
    let bob = tab(&ctx, &url, "Bob", json!(0)).await?;
    let mut witness = tab(&ctx, &url, "Chloé", json!(0)).await?;
    let first = send_stored(&alice, "d'Alice", "meme-id").await?;
    expect_stored(&ctx, &mut witness, "d'Alice", "le message d'Alice").await?;
    let second = send_stored(&bob, "de Bob", "meme-id").await?;
    if second == first {
        return Err(Failure::new(
            "Bob, avec le clientOffset d'un message d'Alice, écrit un autre message (un autre numéro)",
            format!(
                "il reçoit le numéro {first}, celui du message d'Alice, et son texte n'est pas enregistré"
            ),
        ));
    }
    expect_stored(&ctx, &mut witness, "de Bob", "le message de Bob").await?;
    Ok(())
}

pub(super) async fn history_bad_input(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx.start().await?;
    let url = server.url();
    let a = tab(&ctx, &url, "maladroit", json!(0)).await?;
    let bad = [
        vec![json!(42), json!("bad-1")],
        vec![json!("texte"), json!(42)],
        vec![json!("texte")],
        vec![json!({ "text": "x" }), json!("bad-2")],
        vec![json!(super::socket::TERMINAL_ESCAPE), json!("bad-3")],
        vec![json!(super::socket::FORGED_LINE), json!("bad-4")],
    ];
    for (i, args) in bad.iter().enumerate() {
        let ack = a
            .emit_with_ack("new message", args.clone(), ACK_WAIT)
            .await?;
        let error = match ack.as_slice() {
            [reply] => reply.get("error").and_then(Value::as_str),
            _ => None,
        };
        // Le caractère de contrôle est nommé par son code, comme ailleurs.
        let named = !args[0].as_str().is_some_and(|t| t.contains('\u{1b}'))
            || error.is_some_and(|e| e.contains("U+001B"));
        if error.is_none() || !named {
            return Err(Failure::new(
                format!(
                    "{}\u{a0}: accusé {{ \"error\": … }}{}",
                    show(args),
                    if named {
                        ""
                    } else {
                        " qui nomme le caractère (U+001B)"
                    }
                ),
                show_ack(&ack),
            ));
        }
        server
            .log()
            .wait_for(
                &format!("un avertissement pour {}", show(args)),
                i + 1,
                |l| l.starts_with("Avertissement"),
                WAIT,
            )
            .await?;
    }
    no_control_in_output(&server)?;
    let mut late = tab(&ctx, &url, "témoin", json!(0)).await?;
    late.expect_nothing(SILENCE, "rien n'a été enregistré")
        .await
}

pub(super) async fn history_order(ctx: Ctx) -> Result<(), Failure> {
    const COUNT: usize = 1_000;
    let server = ctx.start().await?;
    let url = server.url();
    let mut sender = tab(&ctx, &url, "émetteur", json!(0)).await?;
    let mut late = None;
    for i in 0..COUNT {
        send_chat(&ctx, &sender, &format!("n°{i}")).await?;
        if i == COUNT / 2 {
            late = Some(tab(&ctx, &url, "arrivé au milieu", json!(0)).await?);
        }
    }
    expect_sequence(&ctx, &mut sender, COUNT, "n°").await?;
    if let Some(mut late) = late {
        expect_sequence(&ctx, &mut late, COUNT, "n°").await?;
        late.expect_nothing(SILENCE, "aucun doublon").await?;
    }
    let mut after = tab(&ctx, &url, "arrivé après", json!(0)).await?;
    expect_sequence(&ctx, &mut after, COUNT, "n°").await?;
    // Les accusés suivent l'ordre : numéros strictement croissants.
    let mut last = 0;
    for i in 0..20 {
        let id = send_stored(&sender, &format!("accusé {i}"), &format!("order-ack-{i}")).await?;
        if id <= last {
            return Err(Failure::new(
                "des numéros d'accusé strictement croissants",
                format!("{id} après {last}"),
            ));
        }
        last = id;
    }
    Ok(())
}
