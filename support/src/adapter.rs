//! Un adaptateur Socket.IO qui ne perd jamais un message en silence.
//!
//! socketioxide garde, pour chaque client, une file de paquets à envoyer de
//! taille bornée. Quand un client lit moins vite qu'on ne lui écrit, sa file se
//! remplit et l'adaptateur par défaut abandonne le paquet : ce client a un trou
//! dans sa conversation, et personne ne le sait.
//!
//! [`ReliableAdapter`] fait la diffusion client par client (le message n'est
//! encodé qu'une fois). Un client dont la file est pleine est marqué « trop
//! lent » : le serveur l'écrit dans le terminal, ne lui envoie plus rien et le
//! déconnecte dès que possible. Il ne manque donc jamais un message au milieu
//! d'une conversation : il les reçoit tous, ou il est déconnecté (et le client
//! JavaScript se reconnecte).

use std::collections::HashSet;
use std::convert::Infallible;
use std::future::{self, Future};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use socketioxide::adapter::Emitter;
use socketioxide_core::Sid;
use socketioxide_core::adapter::errors::{BroadcastError, SocketError};
use socketioxide_core::adapter::{
    BroadcastFlags, BroadcastOptions, CoreAdapter, CoreLocalAdapter, DefinedAdapter, SocketEmitter,
};
use socketioxide_core::packet::Packet;

/// L'adaptateur « en mémoire » de socketioxide, avec une garantie de plus :
/// aucun message perdu sans que le client soit déconnecté.
pub struct ReliableAdapter {
    local: Arc<CoreLocalAdapter<Emitter>>,
    /// Les clients trop lents, exclus des diffusions jusqu'à leur départ.
    too_slow: Arc<Mutex<HashSet<Sid>>>,
}

impl CoreAdapter<Emitter> for ReliableAdapter {
    type Error = Infallible;
    type State = ();
    type AckStream = <Emitter as SocketEmitter>::AckStream;
    type InitRes = ();

    fn new(_state: &Self::State, local: CoreLocalAdapter<Emitter>) -> Self {
        Self {
            local: Arc::new(local),
            too_slow: Arc::default(),
        }
    }

    fn init(self: Arc<Self>, on_success: impl FnOnce() + Send + 'static) -> Self::InitRes {
        on_success();
    }

    fn get_local(&self) -> &CoreLocalAdapter<Emitter> {
        &self.local
    }

    fn broadcast(
        &self,
        packet: Packet,
        opts: BroadcastOptions,
    ) -> impl Future<Output = Result<(), BroadcastError>> + Send {
        if opts.has_flag(BroadcastFlags::Volatile) {
            // « volatile » : perdre un paquet est alors le comportement voulu.
            return future::ready(self.local.broadcast(packet, opts).map_err(Into::into));
        }
        let receivers = self.local.sockets(opts);
        let mut newly_slow = Vec::new();
        {
            let too_slow = self.too_slow.lock().unwrap_or_else(PoisonError::into_inner);
            for sid in receivers {
                if too_slow.contains(&sid) {
                    continue;
                }
                let sent = self
                    .local
                    .broadcast(packet.clone(), BroadcastOptions::new(sid));
                if let Err(errors) = sent
                    && errors
                        .iter()
                        .any(|e| matches!(e, SocketError::InternalChannelFull))
                {
                    newly_slow.push(sid);
                }
            }
        }
        for sid in newly_slow {
            self.disconnect_slow_client(sid);
        }
        future::ready(Ok(()))
    }

    async fn broadcast_with_ack(
        &self,
        packet: Packet,
        opts: BroadcastOptions,
        timeout: Option<Duration>,
    ) -> Result<Self::AckStream, Self::Error> {
        Ok(self.local.broadcast_with_ack(packet, opts, timeout).0)
    }
}

impl DefinedAdapter for ReliableAdapter {}

impl ReliableAdapter {
    /// Exclut `sid` des diffusions et le déconnecte dès que sa file d'envoi a
    /// de la place pour le paquet de déconnexion (ou que le battement de cœur
    /// l'a déjà fermé).
    fn disconnect_slow_client(&self, sid: Sid) {
        let first_time = self
            .too_slow
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(sid);
        if !first_time {
            return;
        }
        println!(
            "Client {sid} trop lent : sa file d'envoi est pleine, il est déconnecté pour ne manquer aucun message (il se reconnectera)."
        );
        let local = self.local.clone();
        let too_slow = self.too_slow.clone();
        tokio::spawn(async move {
            while local.disconnect_socket(BroadcastOptions::new(sid)).is_err() {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            too_slow
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .remove(&sid);
        });
    }
}
