//! Le pilote Redis de l'adaptateur : comment les processus se parlent.
//!
//! socketioxide-redis publie chaque diffusion sur un canal Redis
//! (`PUBLISH`) et écoute les canaux des autres (`SUBSCRIBE`) ; le *pilote*
//! est la pièce qui parle à Redis. Celui du crate a deux défauts pour un
//! chat : il ne se reconnecte pas (Redis redémarré, plus rien ne passe
//! entre les processus jusqu'à leur redémarrage), et il jette en silence un
//! message reçu quand sa file est pleine. [`RedisBus`] fait le même travail
//! sur un `ConnectionManager` de redis-rs, qui se reconnecte tout seul et se
//! réabonne à ses canaux, et dit dans le terminal ce qu'il ne peut pas
//! garantir.
//!
//! Deux choses de plus :
//! - Redis perdu, [`RedisBus::publish`] échoue *aussitôt* au lieu
//!   d'attendre les essais de reconnexion (environ 5 s par message) : les
//!   clients d'un même processus discutent alors à vitesse normale ; les
//!   tâches de fond (`spawn_upkeep`) continuent de frapper à la porte, et
//!   le retour de Redis se voit au réabonnement ;
//! - une diffusion venue d'un autre processus n'est pas confiée à
//!   l'adaptateur (qui sauterait en silence un client à la file pleine) :
//!   elle est remise ici, client par client, comme au chapitre 5 (voir
//!   `super::adapter`).

use std::collections::{HashMap, HashSet};
use std::convert::Infallible;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{AsyncCommands, FromRedisValue, PushInfo, PushKind, RedisError};
use socketioxide_core::Uid;
use socketioxide_core::adapter::BroadcastFlags;
use socketioxide_core::adapter::remote_packet::{RequestIn, RequestTypeIn};
use socketioxide_redis::drivers::{ChanItem, Driver, MessageStream};
use tokio::sync::mpsc;

use super::adapter::Deliver;

/// Paquets reçus d'autres processus qui peuvent attendre d'être distribués
/// aux clients de celui-ci. Au-delà (un processus bloqué pendant que les
/// autres parlent), le paquet est perdu pour tous ses clients, et le
/// terminal le dit.
pub const BUS_BUFFER: usize = 1 << 16;

type Handlers = Arc<RwLock<HashMap<String, mpsc::Sender<ChanItem>>>>;

/// Les diffusions venues d'autres processus, remises par ce pilote : une
/// entrée par espace de noms (son canal de demandes).
type Remote = Arc<RwLock<Vec<RemoteDelivery>>>;

struct RemoteDelivery {
    /// `socket.io-request#/#` : le canal de demandes de l'espace de noms.
    req_chan: String,
    /// Ce processus (ses propres demandes lui reviennent : on les ignore).
    uid: Uid,
    deliver: Deliver,
}

/// Le pilote : une connexion Redis (RESP3) partagée, qui se rétablit seule.
#[derive(Clone)]
pub struct RedisBus {
    conn: ConnectionManager,
    handlers: Handlers,
    remote: Remote,
    /// Redis perdu (depuis l'annonce de la déconnexion jusqu'au
    /// réabonnement).
    lost: Arc<AtomicBool>,
}

impl RedisBus {
    /// Se connecte à Redis. Les messages des canaux auxquels on s'abonne
    /// arrivent par la fonction donnée à `set_push_sender`.
    pub async fn connect(client: redis::Client) -> redis::RedisResult<RedisBus> {
        let handlers: Handlers = Arc::default();
        let remote: Remote = Arc::default();
        let lost = Arc::new(AtomicBool::new(false));
        let (for_push, remote_for_push, lost_for_push) =
            (handlers.clone(), remote.clone(), lost.clone());
        let config = ConnectionManagerConfig::new()
            .set_push_sender(move |msg: PushInfo| {
                on_push(msg, &for_push, &remote_for_push, &lost_for_push);
                Ok::<(), Infallible>(())
            })
            .set_automatic_resubscription()
            .set_connection_timeout(Some(Duration::from_secs(2)))
            .set_response_timeout(Some(Duration::from_secs(2)))
            .set_min_delay(Duration::from_millis(100))
            .set_max_delay(Duration::from_secs(1));
        let conn = ConnectionManager::new_with_config(client, config).await?;
        Ok(RedisBus {
            conn,
            handlers,
            remote,
            lost,
        })
    }

    /// La connexion, pour d'autres commandes. Redis perdu, une commande
    /// attend les essais de reconnexion avant d'échouer : c'est ce qu'il
    /// faut aux tâches de fond, qui doivent le voir revenir.
    pub fn connection(&self) -> ConnectionManager {
        self.conn.clone()
    }

    /// Redis répond-il à `PING` (en 1 s au plus) ? Pour une route de santé.
    pub async fn ping(&self) -> bool {
        let mut conn = self.connection();
        let cmd = redis::cmd("PING");
        let ping = cmd.query_async::<String>(&mut conn);
        matches!(
            tokio::time::timeout(std::time::Duration::from_secs(1), ping).await,
            Ok(Ok(_))
        )
    }

    /// La connexion si Redis est là ; sinon une erreur, tout de suite : un
    /// gestionnaire d'évènement ne fait pas attendre son client.
    pub fn connection_now(&self) -> redis::RedisResult<ConnectionManager> {
        if self.lost.load(Ordering::SeqCst) {
            Err(RedisError::from(std::io::Error::new(
                std::io::ErrorKind::NotConnected,
                "connexion à Redis perdue, en attente de son retour",
            )))
        } else {
            Ok(self.conn.clone())
        }
    }

    /// Confie à ce pilote les diffusions que les autres processus publient
    /// sur `req_chan` : `deliver` les remet aux clients de ce processus.
    pub(super) fn on_remote_broadcast(&self, req_chan: String, uid: Uid, deliver: Deliver) {
        self.remote
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .push(RemoteDelivery {
                req_chan,
                uid,
                deliver,
            });
    }
}

/// Un message poussé par Redis : un paquet d'un autre processus, ou la
/// nouvelle d'une connexion perdue ou rétablie.
fn on_push(msg: PushInfo, handlers: &Handlers, remote: &Remote, lost: &AtomicBool) {
    match msg.kind {
        PushKind::Disconnection if !lost.swap(true, Ordering::SeqCst) => {
            println!(
                "Attention : connexion à Redis perdue. Ce serveur continue de servir ses propres clients ; les messages ne passent plus vers les autres processus jusqu'au retour de Redis."
            );
        }
        PushKind::Subscribe if lost.swap(false, Ordering::SeqCst) => {
            println!("Redis est de retour : les messages passent de nouveau entre les processus.");
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
                    "Attention : un paquet venu d'un autre processus est perdu pour les clients de celui-ci (plus de {BUS_BUFFER} paquets en attente)."
                );
            }
        }
        _ => {}
    }
}

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

impl Driver for RedisBus {
    type Error = redis::RedisError;

    async fn publish(&self, chan: String, val: Vec<u8>) -> Result<(), Self::Error> {
        self.connection_now()?
            .publish::<_, _, redis::Value>(chan, val)
            .await?;
        Ok(())
    }

    async fn subscribe(
        &self,
        chan: String,
        size: usize,
    ) -> Result<MessageStream<ChanItem>, Self::Error> {
        let (tx, rx) = mpsc::channel(size);
        self.handlers
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(chan.clone(), tx);
        self.conn.clone().subscribe(chan.as_str()).await?;
        Ok(MessageStream::new(rx))
    }

    async fn unsubscribe(&self, chan: String) -> Result<(), Self::Error> {
        self.handlers
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&chan);
        self.conn.clone().unsubscribe(chan).await?;
        Ok(())
    }

    async fn num_serv(&self, chan: &str) -> Result<u16, Self::Error> {
        server_count(&mut self.connection_now()?, chan).await
    }
}

/// Le canal où chaque processus écoute les demandes des autres.
const REQUEST_CHANNEL: &str = "socket.io-request#/#";

/// Le nombre de processus abonnés au canal `chan` (`PUBSUB NUMSUB`) : Redis
/// le sait dès qu'une connexion se ferme, même celle d'un processus tué.
pub async fn server_count(conn: &mut ConnectionManager, chan: &str) -> redis::RedisResult<u16> {
    let (_, count): (String, u16) = redis::cmd("PUBSUB")
        .arg("NUMSUB")
        .arg(chan)
        .query_async(conn)
        .await?;
    Ok(count)
}

/// Les identifiants des processus vivants : chacun est abonné à son propre
/// canal `socket.io-request#/#<identifiant>#` (`PUBSUB CHANNELS`).
pub async fn live_servers(conn: &mut ConnectionManager) -> redis::RedisResult<HashSet<String>> {
    let channels: Vec<String> = redis::cmd("PUBSUB")
        .arg("CHANNELS")
        .arg(format!("{REQUEST_CHANNEL}*"))
        .query_async(conn)
        .await?;
    Ok(channels
        .iter()
        .filter_map(|c| c.strip_prefix(REQUEST_CHANNEL)?.strip_suffix('#'))
        .filter(|uid| !uid.is_empty())
        .map(str::to_owned)
        .collect())
}
