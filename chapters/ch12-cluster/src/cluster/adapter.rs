//! L'adaptateur du chapitre 12 : celui de socketioxide-redis, avec la
//! garantie de tous les chapitres pour les remises.
//!
//! L'adaptateur Redis de socketioxide fait deux choses à chaque diffusion :
//! il la publie dans Redis pour les autres processus, et il la remet aux
//! clients de ce processus. Chaque processus qui reçoit la publication la
//! remet à son tour à ses clients. Dans les deux cas, la remise se fait
//! d'un seul geste : un client dont la file d'envoi est pleine saute le
//! message sans que personne ne le sache.
//!
//! [`ReliableRedisAdapter`] garde l'adaptateur Redis pour tout ce qui passe
//! entre processus (publier, demander la liste des clients, compter les
//! processus…) : ce fichier lui confie tout, sauf les diffusions, que
//! `delivery.rs` remet lui-même, client par client.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use socketioxide::adapter::Emitter;
use socketioxide_core::adapter::errors::BroadcastError;
use socketioxide_core::adapter::{
    BroadcastOptions, CoreAdapter, CoreLocalAdapter, DefinedAdapter, RemoteSocketData, Room,
    RoomParam,
};
use socketioxide_core::packet::Packet;
use socketioxide_redis::{CustomRedisAdapter, RedisAdapterCtr};

use super::RedisBus;
use super::delivery::{Deliver, PREFIX, deliver};
use support::SlowClients;

/// L'adaptateur Redis de socketioxide, tel quel.
pub(super) type Inner = CustomRedisAdapter<Emitter, RedisBus>;

/// Ce qu'il faut pour construire l'adaptateur de chaque espace de noms.
pub struct ClusterState {
    pub(super) ctr: RedisAdapterCtr<RedisBus>,
    pub(super) bus: RedisBus,
}

// ANCHOR: adapter
/// L'adaptateur Redis, avec des remises qui ne sautent personne en silence.
pub struct ReliableRedisAdapter {
    pub(super) inner: Arc<Inner>,
    pub(super) bus: RedisBus,
    pub(super) slow: SlowClients,
    /// `socket.io-request#/#` : où publier une diffusion pour tous.
    pub(super) req_chan: String,
}
// ANCHOR_END: adapter

impl DefinedAdapter for ReliableRedisAdapter {}

impl CoreAdapter<Emitter> for ReliableRedisAdapter {
    type Error = <Inner as CoreAdapter<Emitter>>::Error;
    type State = ClusterState;
    type AckStream = <Inner as CoreAdapter<Emitter>>::AckStream;
    type InitRes = <Inner as CoreAdapter<Emitter>>::InitRes;

    // ANCHOR: new
    fn new(state: &ClusterState, local: CoreLocalAdapter<Emitter>) -> Self {
        let req_chan = format!("{PREFIX}-request#{}#", local.path());
        let uid = local.server_id();
        let inner = Arc::new(Inner::new(&state.ctr, local));
        let slow = SlowClients::default();
        let deliver: Deliver = {
            let (inner, slow) = (Arc::downgrade(&inner), slow.clone());
            Arc::new(move |packet, opts| deliver(&inner, &slow, packet, opts))
        };
        state
            .bus
            .on_remote_broadcast(req_chan.clone(), uid, deliver);
        Self {
            inner,
            bus: state.bus.clone(),
            slow,
            req_chan,
        }
    }
    // ANCHOR_END: new

    fn init(self: Arc<Self>, on_success: impl FnOnce() + Send + 'static) -> Self::InitRes {
        self.inner.clone().init(on_success)
    }

    fn get_local(&self) -> &CoreLocalAdapter<Emitter> {
        self.inner.get_local()
    }

    /// Publier pour les autres processus, puis remettre ici, client par
    /// client (`delivery.rs`).
    async fn broadcast(
        &self,
        packet: Packet,
        opts: BroadcastOptions,
    ) -> Result<(), BroadcastError> {
        self.publish_then_deliver(packet, opts).await
    }

    fn broadcast_with_ack(
        &self,
        packet: Packet,
        opts: BroadcastOptions,
        timeout: Option<Duration>,
    ) -> impl Future<Output = Result<Self::AckStream, Self::Error>> + Send {
        self.inner.broadcast_with_ack(packet, opts, timeout)
    }

    fn close(&self) -> impl Future<Output = Result<(), Self::Error>> + Send {
        self.inner.close()
    }

    fn server_count(&self) -> impl Future<Output = Result<u16, Self::Error>> + Send {
        self.inner.server_count()
    }

    fn add_sockets(
        &self,
        opts: BroadcastOptions,
        rooms: impl RoomParam,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send {
        self.inner.add_sockets(opts, rooms)
    }

    fn del_sockets(
        &self,
        opts: BroadcastOptions,
        rooms: impl RoomParam,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send {
        self.inner.del_sockets(opts, rooms)
    }

    fn disconnect_socket(
        &self,
        opts: BroadcastOptions,
    ) -> impl Future<Output = Result<(), BroadcastError>> + Send {
        self.inner.disconnect_socket(opts)
    }

    fn rooms(
        &self,
        opts: BroadcastOptions,
    ) -> impl Future<Output = Result<Vec<Room>, Self::Error>> + Send {
        self.inner.rooms(opts)
    }

    fn fetch_sockets(
        &self,
        opts: BroadcastOptions,
    ) -> impl Future<Output = Result<Vec<RemoteSocketData>, Self::Error>> + Send {
        self.inner.fetch_sockets(opts)
    }
}
