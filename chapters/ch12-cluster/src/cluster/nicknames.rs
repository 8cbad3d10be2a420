//! Les pseudos, partagés par tous les processus : dans Redis.
//!
//! Chaque pseudo pris est une clé Redis `chat:pseudo:<pseudo en minuscules>`
//! dont la valeur dit quel client la tient. `SET … NX` ne l'écrit que si
//! elle n'existe pas : Redis exécute les commandes une par une, donc de deux
//! processus qui demandent « Alice » au même instant, un seul l'obtient.
//!
//! La clé expire d'elle-même après [`NICKNAME_TTL`] ; le processus qui la
//! tient la prolonge toutes les [`REFRESH_EVERY`]. Un processus tué ne la
//! prolonge plus, et n'est plus abonné à son canal Redis (Redis voit sa
//! connexion se fermer) : les pseudos de ses clients sont libres aussitôt
//! (leur page, qui se reconnecte ailleurs derrière nginx, les retrouve), et
//! ses clés disparaissent au plus tard [`NICKNAME_TTL`] après sa mort.
//! Après un redémarrage de Redis (vide), chaque processus réécrit les
//! pseudos de ses clients au tour suivant. Lire la
//! liste de tout le chat : `roster.rs`.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::Duration;

use socketioxide_core::Sid;
use support::{NicknameError, nickname_key};

use super::upkeep::REQUEST_CHANNEL;
use super::{RedisBus, Refusal};

/// Durée de vie d'une clé de pseudo sans nouvelles de son processus.
pub const NICKNAME_TTL: Duration = Duration::from_secs(10);

/// Tous les combien un processus prolonge les pseudos de ses clients.
pub const REFRESH_EVERY: Duration = Duration::from_secs(3);

pub(super) const PREFIX: &str = "chat:pseudo:";

/// Le registre des pseudos de tout le chat.
pub struct ClusterNicknames {
    pub(super) bus: RedisBus,
    /// L'identifiant de ce processus dans le chat (celui de ses canaux
    /// Redis), connu une fois le serveur Socket.IO construit (voir
    /// [`ClusterNicknames::bind`]).
    server: OnceLock<String>,
    /// Les pseudos des clients de *ce* processus : client → (clé, valeur, pseudo).
    local: Mutex<HashMap<Sid, Held>>,
}

#[derive(Clone)]
pub(super) struct Held {
    key: String,
    token: String,
    pub(super) pseudo: String,
}

/// Prend la clé si elle est libre, ou si le processus qui la tient (le début
/// de sa valeur) n'est plus abonné à son canal (`PUBSUB NUMSUB`) : il est
/// mort. Rend 0 si un processus vivant la tient. D'un seul geste, dans
/// Redis : deux demandes au même instant, un seul gagnant.
const CLAIM: &str = "local v = redis.call('GET', KEYS[1]) \
    if v then \
        local server = string.match(v, '^([^\\n]*)\\n') \
        if not server or redis.call('PUBSUB', 'NUMSUB', ARGV[3] .. server .. '#')[2] > 0 then return 0 end \
    end \
    redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1";
/// Efface la clé si elle est toujours à nous (comparer puis effacer, d'un
/// seul geste, dans Redis).
const RELEASE: &str = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end";
/// Prolonge la clé si elle est toujours à nous, et la recrée si elle a
/// disparu (un Redis redémarré à vide). Rend 0 si un autre l'a prise.
const REFRESH: &str = "local v = redis.call('GET', KEYS[1]) if v == false or v == ARGV[1] then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 else return 0 end";

impl ClusterNicknames {
    /// Un registre vide. Le serveur Socket.IO le reçoit comme état : il
    /// existe donc avant lui, et n'apprend qu'ensuite l'identifiant de ce
    /// processus (`bind`).
    pub fn new(bus: RedisBus) -> ClusterNicknames {
        ClusterNicknames {
            bus,
            server: OnceLock::new(),
            local: Mutex::default(),
        }
    }

    /// Donne au registre l'identifiant de ce processus.
    pub(crate) fn bind(&self, server: String) {
        self.server.set(server).ok();
    }

    fn server(&self) -> &str {
        self.server.get().map_or("", String::as_str)
    }

    // ANCHOR: claim
    /// Réserve `pseudo` pour le client `sid` dans tout le chat.
    pub async fn claim(&self, pseudo: &str, sid: Sid) -> Result<(), Refusal> {
        let pseudo = pseudo.trim().to_owned();
        let key = format!("{PREFIX}{}", nickname_key(&pseudo));
        let token = format!("{}\n{sid}\n{pseudo}", self.server());
        let mut conn = self
            .bus
            .connection_now()
            .map_err(|_| Refusal::RedisUnavailable)?;
        let claimed: i64 = redis::Script::new(CLAIM)
            .key(&key)
            .arg(&token)
            .arg(millis(NICKNAME_TTL))
            .arg(REQUEST_CHANNEL)
            .invoke_async(&mut conn)
            .await
            .map_err(|_| Refusal::RedisUnavailable)?;
        if claimed == 0 {
            return Err(NicknameError::Taken(pseudo).into());
        }
        self.lock().insert(sid, Held { key, token, pseudo });
        Ok(())
    }
    // ANCHOR_END: claim

    /// Libère le pseudo du client `sid` (de ce processus) et le rend.
    pub async fn release(&self, sid: Sid) -> Option<String> {
        let held = self.lock().remove(&sid)?;
        let released: redis::RedisResult<i64> = match self.bus.connection_now() {
            Ok(mut conn) => {
                redis::Script::new(RELEASE)
                    .key(&held.key)
                    .arg(&held.token)
                    .invoke_async(&mut conn)
                    .await
            }
            Err(e) => Err(e),
        };
        if released.is_err() {
            println!(
                "Attention\u{a0}: Redis injoignable, le pseudo «\u{a0}{}\u{a0}» restera pris au plus {}\u{a0}s.",
                held.pseudo,
                NICKNAME_TTL.as_secs()
            );
        }
        Some(held.pseudo)
    }

    // ANCHOR: refresh
    /// Prolonge les pseudos des clients de ce processus ; oublie ceux des
    /// clients qui ne sont plus là (`is_connected`).
    pub async fn refresh(&self, is_connected: impl Fn(Sid) -> bool) -> redis::RedisResult<()> {
        let held: Vec<(Sid, Held)> = self
            .lock()
            .iter()
            .map(|(sid, held)| (*sid, held.clone()))
            .collect();
        for (sid, held) in held {
            if !is_connected(sid) {
                self.release(sid).await;
                continue;
            }
            let _: i64 = redis::Script::new(REFRESH)
                .key(&held.key)
                .arg(&held.token)
                .arg(millis(NICKNAME_TTL))
                .invoke_async(&mut self.bus.connection())
                .await?;
        }
        Ok(())
    }
    // ANCHOR_END: refresh

    /// Le pseudo d'un client de ce processus.
    pub fn of(&self, sid: Sid) -> Option<String> {
        self.lock().get(&sid).map(|held| held.pseudo.clone())
    }

    /// Les clients de ce processus qui ont un pseudo.
    pub fn local_clients(&self) -> Vec<Sid> {
        self.lock().keys().copied().collect()
    }

    pub(super) fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Sid, Held>> {
        self.local.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}
