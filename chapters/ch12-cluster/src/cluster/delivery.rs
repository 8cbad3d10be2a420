//! Les diffusions du chapitre 12 : publier pour les autres processus, puis
//! remettre ici, client par client.
//!
//! Pourquoi ne pas laisser faire l'adaptateur de socketioxide-redis : il
//! remet d'un seul geste, et un client à la file pleine saute le message en
//! silence. Ici, comme [`support::ReliableAdapter`], chaque dépôt refusé
//! désigne son client ([`support::SlowClients`]), qui est déclaré trop lent
//! (une ligne dans le terminal) et déconnecté. Pour une diffusion venue
//! d'ailleurs, c'est le pilote ([`super::RedisBus`], `inbox.rs`) qui appelle
//! [`deliver`], avant l'adaptateur.

use std::sync::{Arc, Weak};

use socketioxide_core::adapter::errors::{AdapterError, BroadcastError};
use socketioxide_core::adapter::remote_packet::{RequestOut, RequestTypeOut};
use socketioxide_core::adapter::{BroadcastFlags, BroadcastOptions, CoreAdapter};
use socketioxide_core::packet::Packet;
use socketioxide_redis::drivers::Driver;
use support::SlowClients;

use super::adapter::{Inner, ReliableRedisAdapter};

/// Remet une diffusion aux clients de ce processus.
pub(super) type Deliver = Arc<dyn Fn(Packet, BroadcastOptions) + Send + Sync>;

/// Le préfixe des canaux Redis de l'adaptateur (celui par défaut).
pub(super) const PREFIX: &str = "socket.io";

// ANCHOR: broadcast
impl ReliableRedisAdapter {
    /// Publier pour les autres processus, puis remettre ici, client par
    /// client.
    pub(super) async fn publish_then_deliver(
        &self,
        packet: Packet,
        opts: BroadcastOptions,
    ) -> Result<(), BroadcastError> {
        if opts.has_flag(BroadcastFlags::Volatile) {
            // « volatile » : perdre un paquet est alors le comportement voulu.
            return self.inner.broadcast(packet, opts).await;
        }
        let uid = self.inner.get_local().server_id();
        if !opts.is_local(uid) {
            let chan = match opts.server_id {
                Some(server) => format!("{}{server}#", self.req_chan),
                None => self.req_chan.clone(),
            };
            let request = RequestOut::new(uid, RequestTypeOut::Broadcast(&packet), &opts);
            let bytes = rmp_serde::to_vec(&request).map_err(adapter_error)?;
            self.bus.publish(chan, bytes).await.map_err(adapter_error)?;
        }
        deliver(&Arc::downgrade(&self.inner), &self.slow, packet, opts);
        Ok(())
    }
}
// ANCHOR_END: broadcast

// ANCHOR: deliver
/// Dépose `packet` chez chaque client de ce processus visé par `opts`, un
/// par un ; ceux dont la file est pleine sont déconnectés.
pub(super) fn deliver(
    inner: &Weak<Inner>,
    slow: &SlowClients,
    packet: Packet,
    opts: BroadcastOptions,
) {
    let Some(adapter) = inner.upgrade() else {
        return;
    };
    for sid in slow.deliver(adapter.get_local(), packet, opts) {
        let inner = inner.clone();
        slow.disconnect(sid, move |sid| match inner.upgrade() {
            Some(adapter) => adapter
                .get_local()
                .disconnect_socket(BroadcastOptions::new(sid))
                .is_ok(),
            // L'espace de noms est fermé : le client aussi.
            None => true,
        });
    }
}
// ANCHOR_END: deliver

fn adapter_error(e: impl std::error::Error + Send + 'static) -> BroadcastError {
    BroadcastError::Adapter(AdapterError::from(
        Box::new(e) as Box<dyn std::error::Error + Send>
    ))
}
