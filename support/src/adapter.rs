//! Un adaptateur Socket.IO qui ne perd jamais un message en silence.
//!
//! socketioxide garde, pour chaque client, une file de paquets à envoyer de
//! taille bornée. Quand un client lit moins vite qu'on ne lui écrit, sa file se
//! remplit et l'adaptateur par défaut abandonne le paquet : ce client a un trou
//! dans sa conversation, et personne ne le sait.
//!
//! [`ReliableAdapter`] dépose le message dans la file de chaque destinataire,
//! un par un : un dépôt refusé (file pleine) désigne son client. Celui-ci est
//! marqué « trop lent » : le serveur l'écrit dans le terminal, ne lui envoie
//! plus rien et le déconnecte dès que possible. Il ne manque donc jamais un
//! message au milieu d'une conversation : il les reçoit tous, ou il est
//! déconnecté (et le client JavaScript se reconnecte).
//!
//! Un dépôt par destinataire veut dire un encodage par destinataire : c'est
//! le prix de la garantie sur le runtime multi-fil, où les files se vident
//! sur un autre cœur *pendant* la diffusion. Sur un seul fil
//! (`current_thread`), rien ne se vide pendant ce code synchrone : la voie
//! rapide encode une fois, dépose partout, et ne retrouve les clients aux
//! files pleines (en les *sondant*, voir [`is_full`]) que si la diffusion dit
//! qu'il y en a. L'annexe « Performances » mesure les deux.

use std::collections::HashSet;
use std::convert::Infallible;
use std::future::{self, Future};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::Duration;

use socketioxide::SendError;
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
    /// Le serveur, pour retrouver un client à partir de son identifiant
    /// (renseigné par [`crate::socket_io`] juste après sa création).
    io: ServerHandle,
    /// Les clients trop lents, exclus des diffusions jusqu'à leur départ.
    too_slow: SlowClients,
}

/// Le serveur Socket.IO, une fois construit.
pub type ServerHandle = Arc<OnceLock<crate::SocketIo>>;

impl CoreAdapter<Emitter> for ReliableAdapter {
    type Error = Infallible;
    type State = ServerHandle;
    type AckStream = <Emitter as SocketEmitter>::AckStream;
    type InitRes = ();

    fn new(io: &Self::State, local: CoreLocalAdapter<Emitter>) -> Self {
        Self {
            local: Arc::new(local),
            io: io.clone(),
            too_slow: SlowClients::default(),
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
        let mut newly_slow = Vec::new();
        if self.too_slow.is_empty() && on_one_thread() {
            // Voie rapide : un seul encodage, une seule diffusion.
            let Err(errors) = self.local.broadcast(packet, opts.clone()) else {
                return future::ready(Ok(()));
            };
            let full = errors
                .iter()
                .filter(|e| matches!(e, SocketError::InternalChannelFull))
                .count();
            if full > 0 {
                newly_slow = self
                    .local
                    .sockets(opts)
                    .into_iter()
                    .filter(|&sid| self.is_full(sid))
                    .collect();
                if newly_slow.len() < full {
                    let missed = if full == 1 {
                        "1 client n'a".to_owned()
                    } else {
                        format!("{full} clients n'ont")
                    };
                    println!(
                        "Attention : {missed} pas reçu un message (file d'envoi pleine), et le serveur n'a pu en retrouver que {}.",
                        newly_slow.len()
                    );
                }
            }
        } else {
            newly_slow = self.too_slow.deliver(&self.local, packet, opts);
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
    /// La file d'envoi du client `sid` est-elle pleine ? On le sonde en lui
    /// émettant une [`Probe`] : `emit` réserve d'abord une place dans la file
    /// (et échoue si elle est pleine), puis encode la donnée, ce qui échoue
    /// toujours pour une sonde. Rien n'est donc jamais envoyé.
    fn is_full(&self, sid: Sid) -> bool {
        let socket = self
            .io
            .get()
            .and_then(|io| io.of(&**self.local.path()))
            .and_then(|ns| ns.get_socket(sid));
        socket.is_some_and(|socket| {
            matches!(
                socket.emit("", &Probe),
                Err(SendError::Socket(SocketError::InternalChannelFull))
            )
        })
    }

    fn disconnect_slow_client(&self, sid: Sid) {
        let local = self.local.clone();
        self.too_slow.disconnect(sid, move |sid| {
            local.disconnect_socket(BroadcastOptions::new(sid)).is_ok()
        });
    }
}

/// Les clients jugés trop lents : exclus des diffusions, puis déconnectés.
/// Partagé par [`ReliableAdapter`] et l'adaptateur Redis du chapitre 12
/// (`chapters/ch12-cluster/src/cluster/`), qui remet de la même façon les
/// messages venus des autres processus.
#[derive(Clone, Default)]
pub struct SlowClients(Arc<Mutex<HashSet<Sid>>>);

impl SlowClients {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashSet<Sid>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }

    /// Dépose `packet` dans la file de chaque destinataire de `opts`, un par
    /// un, en sautant les clients trop lents qui attendent leur
    /// déconnexion : chaque refus (file pleine) désigne son client. Rend les
    /// clients qui viennent de refuser un dépôt.
    pub fn deliver(
        &self,
        local: &CoreLocalAdapter<Emitter>,
        packet: Packet,
        opts: BroadcastOptions,
    ) -> Vec<Sid> {
        let receivers = local.sockets(opts);
        let too_slow = self.lock();
        let mut newly_slow = Vec::new();
        for sid in receivers {
            if too_slow.contains(&sid) {
                continue;
            }
            let sent = local.broadcast(packet.clone(), BroadcastOptions::new(sid));
            if let Err(errors) = sent
                && errors
                    .iter()
                    .any(|e| matches!(e, SocketError::InternalChannelFull))
            {
                newly_slow.push(sid);
            }
        }
        newly_slow
    }

    /// Exclut `sid` des diffusions, le dit dans le terminal, et le
    /// déconnecte (`disconnect`) dès que sa file d'envoi a de la place pour
    /// le paquet de déconnexion (ou que le battement de cœur l'a déjà
    /// fermé). `disconnect` rend `true` une fois le client déconnecté.
    pub fn disconnect(&self, sid: Sid, disconnect: impl Fn(Sid) -> bool + Send + 'static) {
        let first_time = self.lock().insert(sid);
        if !first_time {
            return;
        }
        println!(
            "Client {sid} trop lent : sa file d'envoi est pleine, il est déconnecté plutôt que de manquer un message sans le savoir (il pourra se reconnecter)."
        );
        let too_slow = self.clone();
        tokio::spawn(async move {
            while !disconnect(sid) {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            too_slow.lock().remove(&sid);
        });
    }
}

/// Le serveur tourne-t-il sur un seul fil (`#[tokio::main(flavor =
/// "current_thread")]`) ? Alors aucune file ne se vide pendant une diffusion.
fn on_one_thread() -> bool {
    tokio::runtime::Handle::try_current()
        .is_ok_and(|rt| rt.runtime_flavor() == tokio::runtime::RuntimeFlavor::CurrentThread)
}

/// Une donnée qui refuse toujours d'être encodée : voir [`ReliableAdapter::is_full`].
struct Probe;

impl serde::Serialize for Probe {
    fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
        Err(serde::ser::Error::custom("sonde : jamais envoyée"))
    }
}
