//! Un récepteur des scénarios (a) et (b) : il lit ce que le serveur lui
//! remet, note l'ordre, les pertes, les doublons et le retard de chaque
//! message, et dit à l'émetteur où il en est (pour sa fenêtre).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::sync::watch;

use crate::sio::{Client, OP_CLOSE, OP_TEXT};
use crate::stats::{Histogram, SeqTracker};
use crate::{now_ns, sio};

/// Un récepteur qui a quitté la partie (déconnecté par le serveur, erreur).
pub(super) const GONE: u64 = u64::MAX;
/// Quand un récepteur a reçu la dernière annonce de présence (`online`,
/// `user joined`), en nanosecondes depuis le début (voir [`now_ns`]).
pub(super) static LAST_PRESENCE_NS: AtomicU64 = AtomicU64::new(0);

/// Ce qu'un récepteur a vu.
#[derive(Default)]
pub(super) struct Received {
    pub(super) seq: SeqTracker,
    pub(super) latency_us: Histogram,
    pub(super) last_at_ns: u64,
    /// Déconnecté par le serveur (paquet `41`, trame close, fin de flux).
    pub(super) disconnected: bool,
    pub(super) error: Option<String>,
    pub(super) unexpected: u64,
}

/// Un récepteur. `progress[index]` suit ce qu'il a reçu (pour la fenêtre de
/// l'émetteur). Un récepteur « bloqué » (`gate`) ne lit rien avant que la
/// porte s'ouvre, puis lit tout ce qui l'attend et s'arrête après `IDLE` sans
/// rien recevoir.
pub(super) async fn receive(
    mut client: Client,
    progress: Option<(Arc<Vec<AtomicU64>>, usize)>,
    mut stop: watch::Receiver<bool>,
    gate: Option<watch::Receiver<bool>>,
) -> Received {
    const IDLE: Duration = Duration::from_secs(3);
    let mut r = Received::default();
    let mut pong = false;
    let stalled = gate.is_some();
    if let Some(mut gate) = gate {
        // Ne rien lire : la file d'envoi du serveur pour ce client se remplit.
        if gate.wait_for(|open| *open).await.is_err() {
            return r;
        }
    }
    loop {
        let read = tokio::select! {
            biased;
            _ = stop.changed(), if !stalled => break,
            read = tokio::time::timeout(IDLE, client.fill()) => match read {
                Ok(read) => read,
                Err(_) if stalled => break,
                Err(_) => continue,
            },
        };
        match read {
            Ok(0) => {
                r.disconnected = true;
                break;
            }
            Ok(_) => {}
            Err(e) => {
                r.disconnected = true;
                r.error = Some(e.to_string());
                break;
            }
        }
        let arrived = now_ns();
        loop {
            let frame = match client.parse_frame() {
                Ok(Some(f)) => f,
                Ok(None) => break,
                Err(e) => {
                    r.error = Some(e.to_string());
                    r.disconnected = true;
                    break;
                }
            };
            let (op, range) = frame;
            let payload = client.payload(range);
            match op {
                OP_TEXT => {
                    if let Some((seq, ts)) = sio::parse_message(payload) {
                        if r.seq.record(seq) {
                            r.latency_us.record(arrived.saturating_sub(ts) / 1_000);
                            r.last_at_ns = arrived;
                        } else {
                            r.unexpected += 1;
                        }
                    } else if sio::is_presence(payload) {
                        // Arrivées, départs, liste « online » (chapitres 9
                        // et suivants) : pas des messages du chat.
                        LAST_PRESENCE_NS.fetch_max(arrived, Ordering::Relaxed);
                    } else if payload == b"2" {
                        pong = true;
                    } else if payload.starts_with(b"41") || payload.starts_with(b"1") {
                        r.disconnected = true;
                    } else {
                        r.unexpected += 1;
                    }
                }
                OP_CLOSE => r.disconnected = true,
                _ => {}
            }
        }
        if r.disconnected {
            break;
        }
        if pong {
            pong = false;
            if client.send_text(b"3").await.is_err() {
                r.disconnected = true;
                break;
            }
        }
        if let Some((progress, index)) = &progress {
            progress[*index].store(r.seq.received, Ordering::Relaxed);
        }
    }
    if r.disconnected
        && let Some((progress, index)) = &progress
    {
        progress[*index].store(GONE, Ordering::Relaxed);
    }
    r
}
