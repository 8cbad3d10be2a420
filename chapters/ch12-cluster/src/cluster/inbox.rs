//! Ce que Redis pousse au pilote : les paquets des autres processus, et la
//! nouvelle d'une connexion perdue ou rétablie.
//!
//! Pourquoi un fichier à part : c'est ici que le pilote tient ses deux
//! promesses de plus que celui de socketioxide-redis. Il dit dans le
//! terminal ce qu'il ne peut pas garantir (Redis perdu, de retour, une file
//! pleine) ; et une diffusion venue d'un autre processus n'est pas confiée
//! à l'adaptateur (qui sauterait en silence un client à la file pleine) :
//! elle est remise ici, client par client, comme au chapitre 5 (voir
//! `delivery.rs`).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, PoisonError, RwLock};

use redis::{FromRedisValue, PushInfo, PushKind};
use socketioxide_core::Uid;
use socketioxide_core::adapter::BroadcastFlags;
use socketioxide_core::adapter::remote_packet::{RequestIn, RequestTypeIn};
use socketioxide_redis::drivers::ChanItem;
use tokio::sync::mpsc;

use super::delivery::Deliver;

/// Paquets reçus d'autres processus qui peuvent attendre d'être distribués
/// aux clients de celui-ci. Au-delà (un processus bloqué pendant que les
/// autres parlent), le paquet est perdu pour tous ses clients, et le
/// terminal le dit.
pub const BUS_BUFFER: usize = 1 << 16;

/// Les canaux auxquels l'adaptateur est abonné, et où lui passer leurs
/// messages.
pub(super) type Handlers = Arc<RwLock<HashMap<String, mpsc::Sender<ChanItem>>>>;

/// Les diffusions venues d'autres processus, remises par ce pilote : une
/// entrée par espace de noms (son canal de demandes).
pub(super) type Remote = Arc<RwLock<Vec<RemoteDelivery>>>;

pub(super) struct RemoteDelivery {
    /// `socket.io-request#/#` : le canal de demandes de l'espace de noms.
    pub(super) req_chan: String,
    /// Ce processus (ses propres demandes lui reviennent : on les ignore).
    pub(super) uid: Uid,
    pub(super) deliver: Deliver,
}

// ANCHOR: push
/// Un message poussé par Redis : un paquet d'un autre processus, ou la
/// nouvelle d'une connexion perdue ou rétablie.
pub(super) fn on_push(msg: PushInfo, handlers: &Handlers, remote: &Remote, lost: &AtomicBool) {
    match msg.kind {
        PushKind::Disconnection if !lost.swap(true, Ordering::SeqCst) => {
            println!(
                "Attention\u{a0}: connexion à Redis perdue. Ce serveur continue de servir ses propres clients\u{a0}; ce qui passe par Redis n'atteint plus les autres processus jusqu'au retour de Redis."
            );
        }
        PushKind::Subscribe if lost.swap(false, Ordering::SeqCst) => {
            println!(
                "Redis est de retour\u{a0}: ce qui passe par Redis atteint de nouveau les autres processus."
            );
        }
        PushKind::Message if msg.data.len() >= 2 => {
            let mut data = msg.data.into_iter();
            let (Some(chan), Some(body)) = (data.next(), data.next()) else {
                return;
            };
            let (Ok(chan), Ok(body)) = (
                String::from_redis_value(chan),
                Vec::<u8>::from_redis_value(body),
            ) else {
                return;
            };
            if delivered_here(&chan, &body, remote) {
                return;
            }
            let handlers = handlers.read().unwrap_or_else(PoisonError::into_inner);
            if let Some(tx) = handlers.get(&chan)
                && tx.try_send((chan, body)).is_err()
            {
                println!(
                    "Attention\u{a0}: un paquet venu d'un autre processus est perdu pour les clients de celui-ci (plus de {BUS_BUFFER} paquets en attente)."
                );
            }
        }
        _ => {}
    }
}
// ANCHOR_END: push

/// Une diffusion d'un autre processus sur un canal de demandes : remise
/// ici, client par client. Rend `false` pour tout le reste (réponses,
/// battements de cœur, diffusions volatiles…), que l'adaptateur traite.
fn delivered_here(chan: &str, body: &[u8], remote: &Remote) -> bool {
    let remote = remote.read().unwrap_or_else(PoisonError::into_inner);
    let Some(entry) = remote.iter().find(|r| {
        chan.strip_prefix(r.req_chan.as_str())
            .is_some_and(|rest| rest.is_empty() || rest == format!("{}#", r.uid))
    }) else {
        return false;
    };
    let Ok(request) = rmp_serde::from_slice::<RequestIn>(body) else {
        return false;
    };
    match (request.r#type, request.opts) {
        (RequestTypeIn::Broadcast(packet), Some(opts))
            if request.node_id != entry.uid && !opts.has_flag(BroadcastFlags::Volatile) =>
        {
            (entry.deliver)(packet, opts);
            true
        }
        _ => false,
    }
}
