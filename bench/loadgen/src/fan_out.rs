//! Scénarios (a) et (b) : un émetteur, N - 1 récepteurs. L'émetteur envoie
//! à débit fixe (`rate`) ou aussi vite que le permet sa fenêtre
//! (`saturate`) ; chaque récepteur note ce qu'il reçoit, dans quel ordre et
//! avec quel retard (le récepteur est dans [`receive`]).

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::json;
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::args::{Args, Scenario};
use crate::meter::{CpuMeter, memory};
use crate::sio::Client;
use crate::stats::Histogram;
use crate::{connect_all, nickname, now_ns, sio};

mod receive;

use receive::{GONE, LAST_PRESENCE_NS, Received, receive};

/// Scénarios (a) et (b) : un émetteur, N - 1 récepteurs.
pub(crate) async fn fan_out(
    args: &Args,
    addrs: &[SocketAddr],
) -> Result<serde_json::Value, String> {
    let connect_started = Instant::now();
    let active = args.clients - args.stalled - 1;
    let progress: Arc<Vec<AtomicU64>> = Arc::new((0..active).map(|_| AtomicU64::new(0)).collect());
    let (stop_tx, stop_rx) = watch::channel(false);
    let (gate_tx, gate_rx) = watch::channel(false);
    let receivers_progress = progress.clone();
    let receivers_stop = stop_rx.clone();
    let (mut set, _) = connect_all(args, addrs, active, move |i, client| {
        receive(
            client,
            Some((receivers_progress.clone(), i)),
            receivers_stop.clone(),
            None,
        )
    })
    .await?;
    // L'émetteur en dernier, sur le premier serveur : il ne lit rien, et ne
    // reçoit ainsi presque rien (au plus sa propre liste « online »).
    let sender_auth = nickname(args, "emetteur", 0);
    let mut sender = Client::connect(addrs[0], sender_auth.as_deref())
        .await
        .map_err(|e| format!("émetteur : {e}"))?;
    let connect_time = connect_started.elapsed();
    // Les clients bloqués : un tampon TCP minuscule, et ils ne lisent pas.
    let mut stalled_set = JoinSet::new();
    for i in 0..args.stalled {
        let auth = nickname(args, "b", i);
        let client = Client::connect_with(addrs[i % addrs.len()], Some(4096), auth.as_deref())
            .await
            .map_err(|e| format!("client bloqué {i} : {e}"))?;
        stalled_set.spawn(receive(
            client,
            None,
            stop_rx.clone(),
            Some(gate_rx.clone()),
        ));
    }
    let receivers = active + args.stalled;
    // Laisser le serveur finir d'installer les gestionnaires de tous.
    tokio::time::sleep(Duration::from_millis(300)).await;
    // Avec des pseudos, chaque arrivée envoie la liste « online » à tous :
    // attendre que ce flot se taise (rien depuis 500 ms, 60 s au plus), pour
    // mesurer le chat et non les connexions.
    let quiet_deadline = Instant::now() + Duration::from_secs(60);
    while args.nicknames && Instant::now() < quiet_deadline {
        let last = LAST_PRESENCE_NS.load(Ordering::Relaxed);
        if now_ns().saturating_sub(last) > 500_000_000 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let min_progress = |progress: &[AtomicU64]| -> Option<u64> {
        progress
            .iter()
            .map(|p| p.load(Ordering::Relaxed))
            .filter(|&p| p != GONE)
            .min()
    };

    let cpu = CpuMeter::start(&args.pids);
    let first_send_ns = now_ns();
    let deadline = Instant::now() + Duration::from_secs_f64(args.seconds);
    let mut sent: u64 = 0;
    let mut frames = Vec::with_capacity(64 * 1024);
    let send_error = match args.scenario {
        Scenario::Rate => {
            let total = (args.rate * args.seconds).round() as u64;
            let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / args.rate));
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
            let mut err = None;
            while sent < total {
                tick.tick().await;
                frames.clear();
                sio::encode_text_frame(&mut frames, sio::message_packet(sent, now_ns()).as_bytes());
                if let Err(e) = sender.send_raw(&frames).await {
                    err = Some(e.to_string());
                    break;
                }
                sent += 1;
            }
            err
        }
        Scenario::Saturate => {
            let mut err = None;
            while Instant::now() < deadline {
                let Some(min) = min_progress(&progress) else {
                    err = Some("tous les récepteurs sont partis".to_owned());
                    break;
                };
                let room = (min + args.window).saturating_sub(sent).min(64);
                if room == 0 {
                    tokio::time::sleep(Duration::from_millis(1)).await;
                    continue;
                }
                frames.clear();
                let ts = now_ns();
                for k in 0..room {
                    sio::encode_text_frame(
                        &mut frames,
                        sio::message_packet(sent + k, ts).as_bytes(),
                    );
                }
                if let Err(e) = sender.send_raw(&frames).await {
                    err = Some(e.to_string());
                    break;
                }
                sent += room;
            }
            err
        }
        Scenario::Idle | Scenario::Senders => None,
    };
    let send_s = (now_ns() - first_send_ns) as f64 / 1e9;

    // Attendre que chaque récepteur encore là ait tout reçu.
    let drain_deadline = Instant::now() + Duration::from_secs_f64(args.drain);
    let mut drained = false;
    while Instant::now() < drain_deadline {
        match min_progress(&progress) {
            Some(min) if min < sent => tokio::time::sleep(Duration::from_millis(5)).await,
            _ => {
                drained = true;
                break;
            }
        }
    }
    let cpu = cpu.stop();
    let (_, peak) = memory(&args.pids);
    // Les clients bloqués lisent enfin ce qui les attend.
    gate_tx.send(true).ok();
    let mut stalled_results = Vec::new();
    while let Some(joined) = stalled_set.join_next().await {
        stalled_results.push(joined.map_err(|e| format!("tâche bloquée : {e}"))?);
    }
    stop_tx.send(true).ok();
    drop(sender);

    let mut latency = Histogram::default();
    let (mut unique, mut duplicates, mut out_of_order, mut lost_silently) =
        (0u64, 0u64, 0u64, 0u64);
    let (mut disconnected, mut undelivered_after_disconnect, mut unexpected) = (0u64, 0u64, 0u64);
    let mut last_at_ns = first_send_ns;
    let mut errors = Vec::new();
    let (mut stalled_disconnected, mut stalled_delivered) = (0u64, 0u64);
    for r in &stalled_results {
        stalled_delivered += r.seq.unique();
        if r.disconnected {
            stalled_disconnected += 1;
        }
    }
    let mut results: Vec<(bool, Received)> =
        stalled_results.into_iter().map(|r| (true, r)).collect();
    while let Some(joined) = set.join_next().await {
        if let Some(r) = joined.map_err(|e| format!("tâche réceptrice : {e}"))? {
            results.push((false, r));
        }
    }
    for (stalled, r) in results {
        // Débit et latence : les récepteurs actifs seulement. Pertes,
        // doublons, désordre : tous.
        if !stalled {
            latency.merge(&r.latency_us);
            unique += r.seq.unique();
            last_at_ns = last_at_ns.max(r.last_at_ns);
        }
        duplicates += r.seq.duplicates;
        out_of_order += r.seq.out_of_order;
        unexpected += r.unexpected;
        if r.disconnected {
            // Ce qui manque *avant* la déconnexion est une perte silencieuse ;
            // ce qui vient après, le client le sait (il a été déconnecté).
            disconnected += 1;
            lost_silently += r.seq.gaps();
            undelivered_after_disconnect += r.seq.tail(sent);
            if let Some(e) = r.error {
                errors.push(e);
            }
        } else {
            lost_silently += r.seq.lost(sent);
        }
    }
    errors.sort();
    errors.dedup();
    errors.truncate(5);
    let duration_s = (last_at_ns.saturating_sub(first_send_ns)) as f64 / 1e9;
    let ms = |p: f64| latency.percentile(p).map(|us| us as f64 / 1000.0);
    Ok(json!({
        "scenario": if args.scenario == Scenario::Rate { "rate" } else { "saturate" },
        "clients": args.clients,
        "stalled": args.stalled,
        "stalled_disconnected": stalled_disconnected,
        "stalled_delivered": stalled_delivered,
        "receivers": receivers,
        "connect_s": connect_time.as_secs_f64(),
        "sent": sent,
        "send_s": send_s,
        "send_error": send_error,
        "expected": sent * active as u64,
        "delivered": unique,
        "duplicates": duplicates,
        "out_of_order": out_of_order,
        "lost": lost_silently,
        "disconnected": disconnected,
        "undelivered_after_disconnect": undelivered_after_disconnect,
        "unexpected": unexpected,
        "drained": drained,
        "errors": errors,
        "duration_s": duration_s,
        "deliveries_per_s": if duration_s > 0.0 { unique as f64 / duration_s } else { 0.0 },
        "latency_ms": {
            "p50": ms(50.0), "p90": ms(90.0), "p99": ms(99.0),
            "max": latency.count().gt(&0).then(|| latency.max() as f64 / 1000.0),
        },
        "peak_rss_kib": peak,
        "cpu": cpu,
    }))
}
