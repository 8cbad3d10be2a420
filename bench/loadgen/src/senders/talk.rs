//! Un client du scénario (e). Il lit tout ce que le serveur lui remet et
//! suit chaque émetteur à part ; s'il est lui-même émetteur, il envoie son
//! message suivant dès que le précédent est arrivé chez tous les autres
//! clients (un seul message en route par émetteur).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use tokio::sync::{Notify, watch};

use super::tally::{Heard, PerSender};
use crate::sio::{Client, OP_CLOSE, OP_TEXT};
use crate::stats::Histogram;
use crate::{now_ns, sio};

/// Un message que tous n'ont pas reçu au bout de ce temps arrête son
/// émetteur (un client coupé, un serveur qui perd des messages).
const MESSAGE_TIMEOUT: Duration = Duration::from_secs(10);

/// Ce que partagent tous les clients.
pub(super) struct Shared {
    /// Livraisons distinctes des messages de chaque émetteur, tous
    /// récepteurs confondus.
    delivered: Vec<AtomicU64>,
    /// Réveille un émetteur quand son dernier message est arrivé chez tous.
    wake: Vec<Notify>,
    /// Destinataires de chaque message : tous les clients sauf son auteur.
    audience: u64,
    /// Émetteurs qui ont fini (temps écoulé et dernier message arrivé, ou
    /// arrêtés par une erreur).
    pub(super) finished: AtomicUsize,
}

impl Shared {
    pub(super) fn new(senders: usize, clients: usize) -> Self {
        Self {
            delivered: (0..senders).map(|_| AtomicU64::new(0)).collect(),
            wake: (0..senders).map(|_| Notify::new()).collect(),
            audience: clients as u64 - 1,
            finished: AtomicUsize::new(0),
        }
    }

    /// Le message `sent - 1` de l'émetteur `s` est-il arrivé chez tous ?
    fn all_heard(&self, s: usize, sent: u64) -> bool {
        self.delivered[s].load(Ordering::Acquire) >= sent * self.audience
    }

    /// Une livraison de plus d'un message de `s` ; la dernière attendue
    /// réveille l'émetteur.
    fn heard(&self, s: usize) {
        let n = self.delivered[s].fetch_add(1, Ordering::AcqRel) + 1;
        if n.is_multiple_of(self.audience) {
            self.wake[s].notify_one();
        }
    }
}

/// Ce qu'un client a vu, et, s'il est émetteur, ce qu'il a envoyé.
#[derive(Default)]
pub(super) struct Talked {
    pub(super) me: Option<usize>,
    pub(super) heard: PerSender,
    pub(super) latency_us: Histogram,
    pub(super) last_at_ns: u64,
    pub(super) unexpected: u64,
    /// Déconnecté par le serveur (paquet `41`, trame close, fin de flux).
    pub(super) disconnected: bool,
    pub(super) error: Option<String>,
    pub(super) sent: u64,
    pub(super) send_error: Option<String>,
}

/// Où en est un client émetteur.
#[derive(Clone, Copy)]
enum Role {
    /// Un client qui ne fait que recevoir.
    Listener,
    /// Un émetteur qui attend le départ.
    Ready,
    /// Un émetteur dont le dernier message, envoyé à cet instant, n'est pas
    /// encore arrivé chez tous.
    Waiting(Instant),
    /// Un émetteur qui a fini (compté dans [`Shared::finished`]).
    Done,
}

/// Un client ; émetteur numéro `me` s'il y en a un. `start` donne l'heure
/// de fin des envois : les émetteurs partent ensemble quand elle arrive.
pub(super) async fn talk(
    mut client: Client,
    me: Option<usize>,
    senders: usize,
    shared: Arc<Shared>,
    mut start: watch::Receiver<Option<Instant>>,
    mut stop: watch::Receiver<bool>,
) -> Talked {
    let mut t = Talked {
        me,
        heard: PerSender::new(senders),
        ..Talked::default()
    };
    let mut role = if me.is_some() {
        Role::Ready
    } else {
        Role::Listener
    };
    let mut end = Instant::now();
    loop {
        let since = match role {
            Role::Waiting(since) => Some(since),
            _ => None,
        };
        let read = tokio::select! {
            biased;
            _ = stop.changed() => break,
            at = async { start.wait_for(Option::is_some).await.ok().and_then(|at| *at) },
                if matches!(role, Role::Ready) => {
                end = at.unwrap_or_else(Instant::now);
                role = speak(&mut client, &mut t, &shared, end).await;
                continue;
            }
            () = wake(&shared, me), if since.is_some() => {
                if me.is_some_and(|s| shared.all_heard(s, t.sent)) {
                    role = speak(&mut client, &mut t, &shared, end).await;
                }
                continue;
            }
            () = tokio::time::sleep_until(
                (since.unwrap_or_else(Instant::now) + MESSAGE_TIMEOUT).into()
            ), if since.is_some() => {
                t.send_error = Some(format!(
                    "message {} pas reçu par tous en {} s",
                    t.sent.saturating_sub(1),
                    MESSAGE_TIMEOUT.as_secs()
                ));
                role = done(&shared);
                continue;
            }
            read = client.fill() => read,
        };
        match read {
            Ok(0) => t.disconnected = true,
            Ok(_) => read_frames(&mut client, &mut t, &shared).await,
            Err(e) => {
                t.disconnected = true;
                t.error = Some(e.to_string());
            }
        }
        if t.disconnected {
            break;
        }
    }
    // Un émetteur coupé en route a fini, lui aussi.
    if matches!(role, Role::Ready | Role::Waiting(_)) {
        done(&shared);
    }
    t
}

/// Attend le réveil de l'émetteur `me` (jamais pour un simple récepteur).
async fn wake(shared: &Shared, me: Option<usize>) {
    match me {
        Some(s) => shared.wake[s].notified().await,
        None => std::future::pending().await,
    }
}

fn done(shared: &Shared) -> Role {
    shared.finished.fetch_add(1, Ordering::AcqRel);
    Role::Done
}

/// Envoie le message suivant de l'émetteur, ou finit si l'heure est passée.
async fn speak(client: &mut Client, t: &mut Talked, shared: &Shared, end: Instant) -> Role {
    let Some(s) = t.me else {
        return Role::Listener;
    };
    if Instant::now() >= end {
        return done(shared);
    }
    let mut frame = Vec::with_capacity(128);
    sio::encode_text_frame(
        &mut frame,
        sio::message_packet_from(s, t.sent, now_ns()).as_bytes(),
    );
    if let Err(e) = client.send_raw(&frame).await {
        t.send_error = Some(e.to_string());
        return done(shared);
    }
    t.sent += 1;
    Role::Waiting(Instant::now())
}

/// Lit les trames arrivées : messages du chat (suivis par émetteur),
/// présence, pings ; note une coupure dans `t.disconnected`.
async fn read_frames(client: &mut Client, t: &mut Talked, shared: &Shared) {
    let arrived = now_ns();
    let mut pong = false;
    loop {
        let (op, range) = match client.parse_frame() {
            Ok(Some(frame)) => frame,
            Ok(None) => break,
            Err(e) => {
                t.error = Some(e.to_string());
                t.disconnected = true;
                return;
            }
        };
        let payload = client.payload(range);
        match op {
            OP_TEXT => {
                if let Some(stamp) = sio::parse_stamp(payload) {
                    match t.heard.record(stamp.sender, stamp.seq, t.me) {
                        Heard::New => {
                            t.latency_us
                                .record(arrived.saturating_sub(stamp.ts) / 1_000);
                            t.last_at_ns = arrived;
                            shared.heard(stamp.sender);
                        }
                        Heard::Duplicate => {}
                        Heard::Unexpected => t.unexpected += 1,
                    }
                } else if sio::is_presence(payload) {
                    // Arrivées, départs, liste « online » : pas du chat.
                } else if payload == b"2" {
                    pong = true;
                } else if payload.starts_with(b"41") || payload.starts_with(b"1") {
                    t.disconnected = true;
                } else {
                    t.unexpected += 1;
                }
            }
            OP_CLOSE => t.disconnected = true,
            _ => {}
        }
    }
    if pong && !t.disconnected && client.send_text(b"3").await.is_err() {
        t.disconnected = true;
    }
}
