//! Scénario (e) : N clients, dont `--senders` émetteurs. Chaque émetteur
//! envoie son message suivant dès que le précédent est arrivé chez tous les
//! autres clients (un seul message en route par émetteur), pendant
//! `--seconds` ; chaque client suit à part les messages de chaque émetteur
//! (ordre, pertes, doublons, retard). Le client est dans [`talk`], la
//! comptabilité dans [`tally`].

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use serde_json::json;
use tokio::sync::watch;

use crate::args::Args;
use crate::meter::{CpuMeter, memory};
use crate::stats::Histogram;
use crate::{connect_all, now_ns};

mod talk;
mod tally;

use talk::{Shared, Talked, talk};
use tally::Tally;

/// Scénario (e) : plusieurs émetteurs, un message en route chacun.
pub(crate) async fn many_senders(
    args: &Args,
    addrs: &[SocketAddr],
) -> Result<serde_json::Value, String> {
    let senders = args.senders;
    let shared = Arc::new(Shared::new(senders, args.clients));
    let (start_tx, start_rx) = watch::channel(None);
    let (stop_tx, stop_rx) = watch::channel(false);
    let all = shared.clone();
    // Les émetteurs sont les premiers clients : répartis eux aussi entre les
    // serveurs à tour de rôle.
    let (mut set, connect_time) = connect_all(args, addrs, args.clients, move |i, client| {
        let me = (i < senders).then_some(i);
        talk(
            client,
            me,
            senders,
            all.clone(),
            start_rx.clone(),
            stop_rx.clone(),
        )
    })
    .await?;
    // Laisser le serveur finir d'installer les gestionnaires de tous.
    tokio::time::sleep(Duration::from_millis(300)).await;

    let cpu = CpuMeter::start(&args.pids);
    let first_send_ns = now_ns();
    let end = Instant::now() + Duration::from_secs_f64(args.seconds);
    start_tx.send(Some(end)).ok();
    // Attendre que chaque émetteur ait fini : temps écoulé et dernier
    // message arrivé chez tous (ou arrêté par une erreur).
    let drain_deadline = end + Duration::from_secs_f64(args.drain);
    let mut drained = false;
    while Instant::now() < drain_deadline {
        if shared.finished.load(Ordering::Acquire) >= senders {
            drained = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let send_s = (now_ns() - first_send_ns) as f64 / 1e9;
    let cpu = cpu.stop();
    let (_, peak) = memory(&args.pids);
    stop_tx.send(true).ok();

    let mut clients: Vec<Talked> = Vec::with_capacity(args.clients);
    while let Some(joined) = set.join_next().await {
        if let Some(t) = joined.map_err(|e| format!("tâche cliente : {e}"))? {
            clients.push(t);
        }
    }
    let mut sent = vec![0u64; senders];
    let mut send_errors = Vec::new();
    for t in &clients {
        if let Some(s) = t.me {
            sent[s] = t.sent;
        }
        if let Some(e) = &t.send_error {
            send_errors.push(format!("émetteur {} : {e}", t.me.unwrap_or_default()));
        }
    }
    let mut tally = Tally::default();
    let mut latency = Histogram::default();
    let (mut disconnected, mut unexpected) = (0u64, 0u64);
    let mut last_at_ns = first_send_ns;
    let mut errors = Vec::new();
    for t in &clients {
        t.heard.add_to(&mut tally, &sent, t.me, t.disconnected);
        latency.merge(&t.latency_us);
        last_at_ns = last_at_ns.max(t.last_at_ns);
        unexpected += t.unexpected;
        if t.disconnected {
            disconnected += 1;
            errors.extend(t.error.clone());
        }
    }
    for list in [&mut errors, &mut send_errors] {
        list.sort();
        list.dedup();
        list.truncate(5);
    }
    let total_sent: u64 = sent.iter().sum();
    let duration_s = last_at_ns.saturating_sub(first_send_ns) as f64 / 1e9;
    let ms = |p: f64| latency.percentile(p).map(|us| us as f64 / 1000.0);
    Ok(json!({
        "scenario": "senders",
        "clients": args.clients,
        "senders": senders,
        "connect_s": connect_time.as_secs_f64(),
        "sent": total_sent,
        "sent_per_sender": {
            "min": sent.iter().min(),
            "max": sent.iter().max(),
        },
        "send_s": send_s,
        "send_errors": send_errors,
        "expected": total_sent * (args.clients as u64 - 1),
        "delivered": tally.delivered,
        "duplicates": tally.duplicates,
        "out_of_order": tally.out_of_order,
        "lost": tally.lost,
        "disconnected": disconnected,
        "undelivered_after_disconnect": tally.after_disconnect,
        "unexpected": unexpected,
        "drained": drained,
        "errors": errors,
        "duration_s": duration_s,
        "deliveries_per_s": if duration_s > 0.0 { tally.delivered as f64 / duration_s } else { 0.0 },
        "latency_ms": {
            "p50": ms(50.0), "p90": ms(90.0), "p99": ms(99.0),
            "max": latency.count().gt(&0).then(|| latency.max() as f64 / 1000.0),
        },
        "peak_rss_kib": peak,
        "cpu": cpu,
    }))
}
