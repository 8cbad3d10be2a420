//! Le pilote Redis de l'adaptateur : comment les processus se parlent.
//!
//! socketioxide-redis publie chaque diffusion sur un canal Redis
//! (`PUBLISH`) et écoute les canaux des autres (`SUBSCRIBE`) ; le *pilote*
//! est la pièce qui parle à Redis. Celui du crate a deux défauts pour un
//! chat : il ne se reconnecte pas (Redis redémarré, plus rien ne passe
//! entre les processus jusqu'à leur redémarrage), et il jette en silence un
//! message reçu quand sa file est pleine. [`RedisBus`] fait le même travail
//! sur un `ConnectionManager` de redis-rs, qui se reconnecte tout seul et se
//! réabonne à ses canaux ; ce que Redis lui pousse arrive dans `inbox.rs`.
//!
//! Redis perdu, [`RedisBus::publish`] échoue *aussitôt* au lieu d'attendre
//! les essais de reconnexion (environ 5 s par message) : les clients d'un
//! même processus discutent alors à vitesse normale. Le pilote lance une
//! tâche qui frappe à la porte (`upkeep.rs`) jusqu'au retour de Redis, qui
//! se voit au réabonnement.

use std::convert::Infallible;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, PoisonError};
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{AsyncCommands, PushInfo, RedisError};
use socketioxide_core::Uid;
use socketioxide_redis::drivers::{ChanItem, Driver, MessageStream};
use tokio::sync::mpsc;

use super::delivery::Deliver;
use super::inbox::{Handlers, Remote, RemoteDelivery, on_push};

// ANCHOR: bus
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
        tokio::spawn(super::upkeep::knock(conn.clone(), Arc::downgrade(&lost)));
        Ok(RedisBus {
            conn,
            handlers,
            remote,
            lost,
        })
    }
    // ANCHOR_END: bus

    /// La connexion, pour d'autres commandes. Redis perdu, une commande
    /// attend les essais de reconnexion avant d'échouer : c'est ce qu'il
    /// faut aux tâches de fond.
    pub fn connection(&self) -> ConnectionManager {
        self.conn.clone()
    }

    /// Redis répond-il à `PING` (en 1 s au plus) ? Pour une route de santé.
    #[allow(dead_code)] // Sert au chapitre 15 (`/health`).
    pub async fn ping(&self) -> bool {
        let mut conn = self.connection();
        let cmd = redis::cmd("PING");
        let ping = cmd.query_async::<String>(&mut conn);
        matches!(
            tokio::time::timeout(std::time::Duration::from_secs(1), ping).await,
            Ok(Ok(_))
        )
    }

    // ANCHOR: now
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
    // ANCHOR_END: now

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
        // Redis perdu : l'abonnement est parti avec la connexion. Attendre
        // son retour ferait durer l'arrêt (Ctrl+C) de plusieurs secondes.
        self.connection_now()?.unsubscribe(chan).await?;
        Ok(())
    }

    async fn num_serv(&self, chan: &str) -> Result<u16, Self::Error> {
        server_count(&mut self.connection_now()?, chan).await
    }
}

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
