//! Chapitre 15 : les pannes. Une base absente au démarrage (une phrase
//! claire, pas de panique), puis arrêtée et relancée pendant que le chat
//! tourne (rien n'est perdu ni diffusé deux fois) ; Redis arrêté longtemps
//! puis relancé (chaque processus le retrouve seul, et vite).

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::watch::{read_metrics, wait_health};
use super::*;
use crate::client::Transport;
use crate::client::show_ack;
use crate::scenarios::accounts::join_account;
use crate::scenarios::history::{send_stored, tab};
use crate::scenarios::lifecycle::{check_clean_error, run_to_exit};
use crate::scenarios::pseudos::expect_online;
use crate::{Ctx, Failure, WAIT};

/// Une base injoignable ou absente au démarrage : une phrase qui nomme
/// l'adresse (sans son mot de passe), un code de sortie non nul, pas de
/// panique.
pub(crate) async fn database_missing(ctx: Ctx) -> Result<(), Failure> {
    const SECRET: &str = "mot-de-passe-a-ne-pas-montrer";
    let port = crate::redis::free_port().await?;
    let nobody = format!("postgres://chat@127.0.0.1:{port}/chat");
    let live = ctx.fresh_database_url().await?;
    let server = live
        .rsplit_once('/')
        .map_or(live.as_str(), |(base, _)| base);
    let absent = format!("{server}/absente");
    let cases = [
        (
            nobody.clone(),
            nobody,
            "rien n'écoute à cette adresse".to_owned(),
        ),
        (
            format!("postgres://chat:{SECRET}@127.0.0.1:{port}/chat"),
            format!("127.0.0.1:{port}"),
            "une adresse avec un mot de passe, où rien n'écoute".to_owned(),
        ),
        (
            absent.clone(),
            absent.clone(),
            format!("{absent}, une base qui n'existe pas"),
        ),
    ];
    for (url, shown, what) in cases {
        let env = [
            ("DATABASE_URL", url.as_str()),
            ("PORT", "0"),
            ("HOST", "127.0.0.1"),
        ];
        let (code, output) = run_to_exit(&ctx, &env).await?;
        check_clean_error(
            &format!("DATABASE_URL : {what}"),
            code,
            &output,
            &[&shown, "Erreur"],
        )?;
        if output.contains(SECRET) {
            return Err(Failure::new(
                "le mot de passe de DATABASE_URL n'est jamais affiché",
                output,
            ));
        }
    }
    Ok(())
}

/// PostgreSQL arrêté pendant que le chat tourne : pas d'accusé de succès
/// pour un message qui n'est pas enregistré, mais `{ error, retry: true }`,
/// rien ne part, `/health` répond 503 ; PostgreSQL relancé, le même envoi
/// (même clientOffset) est enregistré une fois et remis à tous.
pub(crate) async fn database_outage(ctx: Ctx) -> Result<(), Failure> {
    const TEXT: &str = "pendant la panne";
    let server = ctx.start().await?;
    let url = server.url();
    let mut author = tab(&ctx, &url, "Alice", json!(0)).await?;
    let mut witness = tab(&ctx, &url, "Bob", json!(0)).await?;
    let before = send_stored(&author, "avant la panne", "panne-1").await?;
    expect_posted(
        &mut witness,
        "Alice",
        "avant la panne",
        before,
        "PostgreSQL répond",
    )
    .await?;
    expect_posted(
        &mut author,
        "Alice",
        "avant la panne",
        before,
        "son propre message",
    )
    .await?;

    ctx.stop_postgres().await?;
    for attempt in 1..=2 {
        let ack = author
            .emit_with_ack("new message", vec![json!(TEXT), json!("panne-2")], ACK_WAIT)
            .await?;
        let retry = matches!(ack.as_slice(), [reply]
            if reply.get("error").is_some_and(Value::is_string)
                && reply.get("retry") == Some(&json!(true))
                && reply.get("id").is_none());
        if !retry {
            return Err(Failure::new(
                format!(
                    "PostgreSQL arrêté, essai nº {attempt} : l'accusé est {{ \"error\": <phrase>, \"retry\": true }}, sans numéro"
                ),
                show_ack(&ack),
            ));
        }
    }
    witness
        .expect_nothing(
            SILENCE,
            "rien ne part tant que le message n'est pas enregistré",
        )
        .await?;
    author
        .expect_nothing(SILENCE, "l'auteur ne reçoit pas un message non enregistré")
        .await?;
    server
        .log()
        .wait_for(
            "une ligne « Message de <pseudo> non enregistré : <raison> »",
            1,
            |l| l.starts_with("Message d") && l.contains("non enregistré"),
            WAIT,
        )
        .await?;
    wait_health(&server, 503, "PostgreSQL arrêté").await?;
    let values = read_metrics(&server).await?;
    let failed = values
        .get("chat_writes_failed_total")
        .copied()
        .unwrap_or(0.0);
    if failed < 1.0 {
        return Err(Failure::new(
            "/metrics : chat_writes_failed_total compte les écritures ratées pendant la panne",
            format!("il vaut {failed}"),
        ));
    }

    ctx.restart_postgres().await?;
    wait_health(&server, 200, "PostgreSQL relancé").await?;
    // Le même envoi, comme la page qui réessaie : il passe dès que le
    // chat a retrouvé la base.
    let started = Instant::now();
    let id = loop {
        let ack = author
            .emit_with_ack("new message", vec![json!(TEXT), json!("panne-2")], ACK_WAIT)
            .await?;
        let id = ack
            .first()
            .and_then(|r| r.get("id"))
            .and_then(Value::as_i64);
        let retry = ack.first().and_then(|r| r.get("retry")) == Some(&json!(true));
        match id {
            Some(id) => break id,
            None if retry && started.elapsed() < WAIT => {
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            None => {
                return Err(Failure::new(
                    "PostgreSQL relancé, le même envoi reçoit { \"id\": <numéro> }",
                    show_ack(&ack),
                ));
            }
        }
    };
    if id <= before {
        return Err(Failure::new(
            format!("le message enregistré après la panne a un numéro plus grand que {before}"),
            format!("{id}"),
        ));
    }
    let why = "PostgreSQL relancé, le message part, une fois";
    expect_posted(&mut witness, "Alice", TEXT, id, why).await?;
    expect_posted(&mut author, "Alice", TEXT, id, why).await?;
    let again = send_stored(&author, TEXT, "panne-2").await?;
    if again != id {
        return Err(Failure::new(
            format!("renvoyé encore, le message garde son numéro {id}"),
            format!("{again}"),
        ));
    }
    witness
        .expect_nothing(SILENCE, "le témoin reçoit le message une seule fois")
        .await?;
    let mut late = tab(&ctx, &url, "Chloé", json!(before)).await?;
    let why = "l'historique après « avant la panne » ne contient que lui";
    expect_posted(&mut late, "Alice", TEXT, id, why).await?;
    late.expect_nothing(SILENCE, why).await
}

/// Plus long que les essais de reconnexion du pilote Redis (quelques
/// secondes) : après, seule une commande relance la connexion.
const LONG_OUTAGE: Duration = Duration::from_secs(7);

/// Le délai permis, après le retour de Redis, pour qu'un message privé passe
/// de nouveau d'un processus à l'autre.
const BACK_WITHIN: Duration = Duration::from_secs(4);

/// Deux processus, Redis arrêté plus longtemps que les essais de
/// reconnexion, puis relancé : sans qu'on interroge `/health` (qui touche
/// Redis), chacun le retrouve seul, et un message privé d'Alice (sur A) à
/// Bob (sur B) passe de nouveau en quelques secondes, dans les deux sens.
pub(crate) async fn redis_long_outage(ctx: Ctx) -> Result<(), Failure> {
    let (key, database) = ctx.shared_database().await?;
    let env = [(key, database.as_str())];
    let a = ctx.start_with(&env).await?;
    let b = ctx.start_with(&env).await?;
    let mut alice = join_account(&a.url(), "Alice", Transport::WebSocket).await?;
    let mut bob = join_account(&b.url(), "Bob", Transport::WebSocket).await?;
    expect_online(&mut alice, &["Alice", "Bob"], "Bob est sur B").await?;
    let Some(port) = ctx.kill_redis().await else {
        return Err(Failure::new("un Redis à arrêter", "aucun Redis lancé"));
    };
    tokio::time::sleep(LONG_OUTAGE).await;
    ctx.restart_redis(port).await?;
    let back = Instant::now();
    honest_acks(&alice, &mut bob, back).await?;
    // Dans l'autre sens, une fois Redis retrouvé : tout passe.
    honest_acks(&bob, &mut alice, Instant::now()).await?;
    // Ni pendant la panne (la liste ne bouge pas) ni au retour (chaque
    // processus retrouve Redis en quelques dixièmes de seconde), personne
    // ne voit l'autre partir.
    for (tab, other) in [(&mut alice, "Bob"), (&mut bob, "Alice")] {
        let why = format!(
            "Redis arrêté puis relancé\u{a0}: {} ne reçoit pas «\u{a0}user left\u{a0}» pour {other}, resté connecté",
            tab.name
        );
        tab.expect_no_event("user left", Duration::from_millis(1_500), &why)
            .await?;
    }
    Ok(())
}

/// Pendant le retour de Redis, `from` écrit à `to` toutes les 50 ms,
/// jusqu'à [`BACK_WITHIN`] après `back` : chaque message accusé
/// `{ ok: true }` arrive à `to`, et lui seul (un refus n'a rien remis) ; les
/// derniers sont accusés (le chat a retrouvé Redis).
async fn honest_acks(
    from: &crate::client::Client,
    to: &mut crate::client::Client,
    back: Instant,
) -> Result<(), Failure> {
    let ok = [json!({ "ok": true })];
    let (mut acked, mut refused, mut last_ok) = (Vec::new(), 0, false);
    let mut n = 0;
    while back.elapsed() < BACK_WITHIN {
        let text = format!("retour nº\u{a0}{n}");
        n += 1;
        let message = json!({ "to": to.name, "text": text });
        let reply = from
            .emit_with_ack("private message", vec![message], WAIT)
            .await?;
        last_ok = reply == ok;
        if last_ok {
            acked.push(text);
        } else {
            refused += 1;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    if !last_ok {
        return Err(Failure::new(
            format!(
                "Redis arrêté {}\u{a0}s puis relancé\u{a0}: en {}\u{a0}s au plus, les messages privés ({} → {}) reçoivent de nouveau {{ \"ok\": true }}",
                LONG_OUTAGE.as_secs(),
                BACK_WITHIN.as_secs(),
                from.name,
                to.name
            ),
            format!("{refused} refus sur {n}, le dernier compris"),
        ));
    }
    let mut received = Vec::new();
    while let Some(args) = to.next_event("private message", SILENCE).await {
        received.extend(
            args.first()
                .and_then(|m| m.get("text"))
                .and_then(|t| t.as_str())
                .map(str::to_owned),
        );
    }
    if received != acked {
        let missing: Vec<&String> = acked.iter().filter(|t| !received.contains(t)).collect();
        return Err(Failure::new(
            format!(
                "pendant le retour de Redis, {} reçoit exactement les messages privés accusés {{ \"ok\": true }}, dans l'ordre ({} sur {n})",
                to.name,
                acked.len()
            ),
            format!(
                "{} reçus\u{a0}; accusés mais jamais reçus\u{a0}: {missing:?}",
                received.len()
            ),
        ));
    }
    Ok(())
}
