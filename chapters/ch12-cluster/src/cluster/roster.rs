//! La liste « online » de tout le chat, lue dans Redis.
//!
//! Pourquoi Redis et non la mémoire du processus : chaque processus ne
//! connaît que ses propres clients. Les clés `chat:pseudo:…`
//! (`nicknames.rs`) disent, pour tout le chat, quel processus et quel
//! client tiennent chaque pseudo ; la liste garde ceux dont le client est
//! encore connecté.

use std::collections::HashSet;

use redis::aio::ConnectionManager;
use socketioxide_core::Sid;
use support::nickname_key;

use super::ClusterNicknames;
use super::nicknames::PREFIX;

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

impl ClusterNicknames {
    // ANCHOR: online
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
    // ANCHOR_END: online

    /// Tous les pseudos pris dans Redis, avec leur client et leur processus
    /// (Redis perdu : attend son retour, voir [`super::RedisBus::connection`]).
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
