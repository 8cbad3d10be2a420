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
//! processus…), mais fait lui-même les remises, client par client, comme
//! [`crate::ReliableAdapter`] : un dépôt refusé désigne son client, qui est
//! déclaré trop lent (une ligne dans le terminal) et déconnecté. Pour une
//! diffusion venue d'ailleurs, c'est le pilote ([`super::RedisBus`]) qui la
//! lui confie, avant l'adaptateur.

use std::future::Future;
use std::sync::{Arc, Weak};
use std::time::Duration;

use socketioxide::adapter::Emitter;
use socketioxide_core::adapter::errors::{AdapterError, BroadcastError};
use socketioxide_core::adapter::remote_packet::{RequestOut, RequestTypeOut};
use socketioxide_core::adapter::{
    BroadcastFlags, BroadcastOptions, CoreAdapter, CoreLocalAdapter, DefinedAdapter,
    RemoteSocketData, Room, RoomParam,
};
use socketioxide_core::packet::Packet;
use socketioxide_redis::drivers::Driver;
use socketioxide_redis::{CustomRedisAdapter, RedisAdapterCtr};

use super::RedisBus;
use crate::adapter::SlowClients;

/// L'adaptateur Redis de socketioxide, tel quel.
type Inner = CustomRedisAdapter<Emitter, RedisBus>;

/// Remet une diffusion aux clients de ce processus.
pub(super) type Deliver = Arc<dyn Fn(Packet, BroadcastOptions) + Send + Sync>;

/// Le préfixe des canaux Redis de l'adaptateur (celui par défaut).
const PREFIX: &str = "socket.io";

/// Ce qu'il faut pour construire l'adaptateur de chaque espace de noms.
pub struct ClusterState {
    pub(super) ctr: RedisAdapterCtr<RedisBus>,
    pub(super) bus: RedisBus,
}

/// L'adaptateur Redis, avec des remises qui ne sautent personne en silence.
pub struct ReliableRedisAdapter {
    inner: Arc<Inner>,
    bus: RedisBus,
    slow: SlowClients,
    /// `socket.io-request#/#` : où publier une diffusion pour tous.
    req_chan: String,
}

impl DefinedAdapter for ReliableRedisAdapter {}

impl CoreAdapter<Emitter> for ReliableRedisAdapter {
    type Error = <Inner as CoreAdapter<Emitter>>::Error;
    type State = ClusterState;
    type AckStream = <Inner as CoreAdapter<Emitter>>::AckStream;
    type InitRes = <Inner as CoreAdapter<Emitter>>::InitRes;

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

    fn init(self: Arc<Self>, on_success: impl FnOnce() + Send + 'static) -> Self::InitRes {
        self.inner.clone().init(on_success)
    }

    fn get_local(&self) -> &CoreLocalAdapter<Emitter> {
        self.inner.get_local()
    }

    /// Publier pour les autres processus, puis remettre ici, client par
    /// client.
    async fn broadcast(
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

/// Dépose `packet` chez chaque client de ce processus visé par `opts`, un
/// par un ; ceux dont la file est pleine sont déconnectés.
fn deliver(inner: &Weak<Inner>, slow: &SlowClients, packet: Packet, opts: BroadcastOptions) {
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

fn adapter_error(e: impl std::error::Error + Send + 'static) -> BroadcastError {
    BroadcastError::Adapter(AdapterError::from(
        Box::new(e) as Box<dyn std::error::Error + Send>
    ))
}
