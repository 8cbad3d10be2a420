//! Scénario (c) : N clients connectés qui ne disent rien. Mesure ce que
//! coûte une connexion ouverte (mémoire, processeur des pings).

use std::net::SocketAddr;
use std::time::Duration;

use serde_json::json;
use tokio::sync::watch;

use crate::args::Args;
use crate::connect_all;
use crate::meter::{CpuMeter, memory};
use crate::sio::{Client, OP_CLOSE, OP_PING, OP_TEXT};

/// Scénario (c) : N clients connectés qui ne disent rien.
pub(crate) async fn idle(args: &Args, addrs: &[SocketAddr]) -> Result<serde_json::Value, String> {
    let (rss_before, _) = memory(&args.pids);
    let cpu = CpuMeter::start(&args.pids);
    // Les clients restent connectés (et répondent aux pings) le temps que
    // le serveur se stabilise.
    let (stop_tx, stop_rx) = watch::channel(false);
    let (mut set, connect_time) = connect_all(args, addrs, args.clients, move |_, client| {
        let stop = stop_rx.clone();
        async move {
            let (mut client, mut stop) = (client, stop);
            loop {
                tokio::select! {
                    _ = stop.changed() => return true,
                    read = client.fill() => {
                        if !matches!(read, Ok(n) if n > 0) {
                            return false;
                        }
                        if handle_control_frames(&mut client).await.is_err() {
                            return false;
                        }
                    }
                }
            }
        }
    })
    .await?;
    tokio::time::sleep(Duration::from_secs_f64(args.settle)).await;
    let (rss_after, peak) = memory(&args.pids);
    let cpu = cpu.stop();
    stop_tx.send(true).ok();
    let mut still_connected = 0;
    while let Some(joined) = set.join_next().await {
        if joined.ok().flatten().unwrap_or(false) {
            still_connected += 1;
        }
    }
    let per_conn = match (rss_before, rss_after) {
        (Some(b), Some(a)) => Some((a as f64 - b as f64) / args.clients as f64),
        _ => None,
    };
    Ok(json!({
        "scenario": "idle",
        "clients": args.clients,
        "connect_s": connect_time.as_secs_f64(),
        "still_connected": still_connected,
        "rss_before_kib": rss_before,
        "rss_after_kib": rss_after,
        "rss_per_conn_kib": per_conn,
        "peak_rss_kib": peak,
        "cpu": cpu,
    }))
}

/// Répond aux pings d'un client qui n'attend rien d'autre.
async fn handle_control_frames(client: &mut Client) -> std::io::Result<()> {
    while let Some((op, range)) = client.parse_frame()? {
        match op {
            OP_TEXT if client.payload(range.clone()) == b"2" => client.send_text(b"3").await?,
            OP_PING => {
                let p = client.payload(range).to_vec();
                client.send_pong(&p).await?;
            }
            OP_CLOSE => {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::ConnectionAborted,
                    "fermé",
                ));
            }
            _ => {}
        }
    }
    Ok(())
}
