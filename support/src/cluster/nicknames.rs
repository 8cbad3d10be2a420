//! Les pseudos, partagés par tous les processus : dans Redis.
//!
//! Chaque pseudo pris est une clé Redis `chat:pseudo:<pseudo en minuscules>`
//! dont la valeur dit quel client la tient. `SET … NX` ne l'écrit que si
//! elle n'existe pas : Redis exécute les commandes une par une, donc de deux
//! processus qui demandent « Alice » au même instant, un seul l'obtient.
//!
//! La clé expire d'elle-même après [`NICKNAME_TTL`] ; le processus qui la
//! tient la prolonge toutes les [`REFRESH_EVERY`]. Un processus tué ne la
//! prolonge plus : le pseudo de ses clients redevient libre au plus tard
//! [`NICKNAME_TTL`] après sa mort. Après un redémarrage de Redis (vide), chaque
//! processus réécrit les pseudos de ses clients au tour suivant.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::Duration;

use redis::aio::ConnectionManager;
use socketioxide_core::Sid;

use super::RedisBus;
use crate::{NicknameError, nickname_key};

/// Durée de vie d'une clé de pseudo sans nouvelles de son processus.
pub const NICKNAME_TTL: Duration = Duration::from_secs(10);

/// Tous les combien un processus prolonge les pseudos de ses clients.
pub const REFRESH_EVERY: Duration = Duration::from_secs(3);

const PREFIX: &str = "chat:pseudo:";

/// Pourquoi une connexion est refusée : un pseudo invalide ou pris, ou
/// Redis injoignable (on ne peut pas savoir si le pseudo est libre).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    Nickname(NicknameError),
    RedisUnavailable,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::Nickname(e) => e.fmt(f),
            Refusal::RedisUnavailable => f.write_str(
                "Le serveur ne peut pas vérifier les pseudos pour l'instant (Redis injoignable) : réessayez dans un moment.",
            ),
        }
    }
}

impl Refusal {
    /// La raison en quelques mots, pour la ligne du terminal.
    pub fn reason(&self) -> String {
        match self {
            Refusal::Nickname(e) => e.reason(),
            Refusal::RedisUnavailable => "Redis injoignable, pseudo impossible à vérifier".into(),
        }
    }
}

impl From<NicknameError> for Refusal {
    fn from(e: NicknameError) -> Refusal {
        Refusal::Nickname(e)
    }
}

/// Le registre des pseudos de tout le chat.
pub struct ClusterNicknames {
    bus: RedisBus,
    /// L'identifiant de ce processus dans le chat (celui de ses canaux
    /// Redis), connu une fois le serveur Socket.IO construit (voir
    /// [`ClusterNicknames::bind`]).
    server: OnceLock<String>,
    /// Les pseudos des clients de *ce* processus : client → (clé, valeur, pseudo).
    local: Mutex<HashMap<Sid, Held>>,
}

/// Un pseudo pris, lu dans Redis.
#[derive(Debug, Clone)]
pub struct Entry {
    pub server: String,
    pub sid: Sid,
    pub pseudo: String,
}

/// Trie des pseudos sans tenir compte des majuscules.
pub fn sorted(mut pseudos: Vec<String>) -> Vec<String> {
    pseudos.sort_by_key(|pseudo| (nickname_key(pseudo), pseudo.clone()));
    pseudos
}

#[derive(Clone)]
struct Held {
    key: String,
    token: String,
    pseudo: String,
}

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

    /// Réserve `pseudo` pour le client `sid` dans tout le chat.
    pub async fn claim(&self, pseudo: &str, sid: Sid) -> Result<(), Refusal> {
        let pseudo = pseudo.trim().to_owned();
        let key = format!("{PREFIX}{}", nickname_key(&pseudo));
        let token = format!("{}\n{sid}\n{pseudo}", self.server());
        let set: Option<String> = redis::cmd("SET")
            .arg(&key)
            .arg(&token)
            .arg("NX")
            .arg("PX")
            .arg(millis(NICKNAME_TTL))
            .query_async(
                &mut self
                    .bus
                    .connection_now()
                    .map_err(|_| Refusal::RedisUnavailable)?,
            )
            .await
            .map_err(|_| Refusal::RedisUnavailable)?;
        if set.is_none() {
            return Err(NicknameError::Taken(pseudo).into());
        }
        self.lock().insert(sid, Held { key, token, pseudo });
        Ok(())
    }

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
                "Attention : Redis injoignable, le pseudo « {} » restera pris au plus {} s.",
                held.pseudo,
                NICKNAME_TTL.as_secs()
            );
        }
        Some(held.pseudo)
    }

    /// Le pseudo d'un client de ce processus.
    pub fn of(&self, sid: Sid) -> Option<String> {
        self.lock().get(&sid).map(|held| held.pseudo.clone())
    }

    /// Les clients de ce processus qui ont un pseudo.
    pub fn local_clients(&self) -> Vec<Sid> {
        self.lock().keys().copied().collect()
    }

    /// Les pseudos des clients `live` (de tous les processus), triés sans
    /// tenir compte des majuscules. Redis injoignable : ceux de ce
    /// processus seulement.
    pub async fn online(&self, live: &HashSet<Sid>) -> Vec<String> {
        let entries = match self.bus.connection_now() {
            Ok(conn) => self.entries_on(conn).await,
            Err(e) => Err(e),
        };
        let pseudos = match entries {
            Ok(entries) => entries
                .into_iter()
                .filter(|entry| live.contains(&entry.sid))
                .map(|entry| entry.pseudo)
                .collect(),
            Err(_) => self
                .lock()
                .iter()
                .filter(|(sid, _)| live.contains(sid))
                .map(|(_, held)| held.pseudo.clone())
                .collect::<Vec<_>>(),
        };
        sorted(pseudos)
    }

    /// Tous les pseudos pris dans Redis, avec leur client et leur processus
    /// (Redis perdu : attend son retour, voir [`RedisBus::connection`]).
    pub async fn entries(&self) -> redis::RedisResult<Vec<Entry>> {
        self.entries_on(self.bus.connection()).await
    }

    async fn entries_on(&self, conn: ConnectionManager) -> redis::RedisResult<Vec<Entry>> {
        Ok(all_tokens(conn)
            .await?
            .into_iter()
            .filter_map(|token| {
                let mut parts = token.splitn(3, '\n');
                let server = parts.next()?.to_owned();
                let sid = parts.next()?.parse().ok()?;
                let pseudo = parts.next()?.to_owned();
                Some(Entry {
                    server,
                    sid,
                    pseudo,
                })
            })
            .collect())
    }

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

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Sid, Held>> {
        self.local.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Les valeurs de toutes les clés de pseudos (`SCAN`, puis `MGET`).
async fn all_tokens(mut conn: ConnectionManager) -> redis::RedisResult<Vec<String>> {
    let mut keys: Vec<String> = Vec::new();
    let mut cursor: u64 = 0;
    loop {
        let (next, batch): (u64, Vec<String>) = redis::cmd("SCAN")
            .arg(cursor)
            .arg("MATCH")
            .arg(format!("{PREFIX}*"))
            .arg("COUNT")
            .arg(1000)
            .query_async(&mut conn)
            .await?;
        keys.extend(batch);
        if next == 0 {
            break;
        }
        cursor = next;
    }
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let values: Vec<Option<String>> = redis::cmd("MGET").arg(&keys).query_async(&mut conn).await?;
    Ok(values.into_iter().flatten().collect())
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}
