//! Les tâches de fond d'un processus : prolonger les pseudos de ses
//! clients, guetter les processus disparus (lancées par `main.rs`), et
//! frapper à la porte de Redis perdu (lancée par le pilote, `bus.rs`, donc
//! aussi au chapitre 15).
//!
//! Pourquoi : une clé de pseudo expire si personne ne la prolonge
//! (`nicknames.rs`) ; c'est ce qui libère les pseudos d'un processus tué.
//! Mais un processus tué ne dit pas non plus au revoir : ses clients
//! resteraient dans la liste « online » des autres. Redis, lui, voit sa
//! connexion se fermer, et le processus n'est plus abonné à son canal
//! (`PUBSUB CHANNELS`) : chaque processus regarde cette liste toutes les
//! [`WATCH_EVERY`], et renvoie `online` à ses clients quand un processus
//! qui tenait des pseudos a disparu.

use std::collections::HashSet;
use std::sync::Weak;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use redis::aio::ConnectionManager;

use super::Cluster;
use super::nicknames::REFRESH_EVERY;
use super::outage::Outage;
use super::roster::{Entry, sorted};

/// Tous les combien un processus regarde si un autre a disparu.
pub const WATCH_EVERY: Duration = Duration::from_secs(1);

/// Le canal où chaque processus écoute les demandes des autres.
pub(super) const REQUEST_CHANNEL: &str = "socket.io-request#/#";

impl Cluster {
    // ANCHOR: upkeep
    /// Deux tâches de fond : prolonger les pseudos de ce processus, et
    /// renvoyer `online` aux clients de ce processus quand un autre
    /// processus disparaît (arrêté ou tué : ses clients ne sont plus là pour
    /// dire au revoir).
    pub fn spawn_upkeep(&self) {
        let (io, nicknames) = (self.io.clone(), self.nicknames.clone());
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(REFRESH_EVERY);
            loop {
                tick.tick().await;
                // À l'arrêt, `io` perd ses espaces de noms : ne plus y toucher.
                if support::is_stopping() {
                    return;
                }
                let connected = |sid| io.get_socket(sid).is_some();
                if nicknames.refresh(connected).await.is_err() {
                    // Redis perdu : le pilote le dit déjà.
                }
            }
        });
        let (io, nicknames) = (self.io.clone(), self.nicknames.clone());
        let mut conn = self.bus.connection();
        tokio::spawn(async move {
            let mut watch = Watch::default();
            let mut outage = Outage::default();
            let mut tick = tokio::time::interval(WATCH_EVERY);
            loop {
                tick.tick().await;
                if support::is_stopping() {
                    return;
                }
                // Redis revenu après une panne : la liste de tout le chat.
                let lost = nicknames.bus.connection_now().is_err();
                outage.tick(lost, &io, &nicknames).await;
                let (Ok(servers), Ok(entries)) =
                    (live_servers(&mut conn).await, nicknames.entries().await)
                else {
                    continue;
                };
                if let Some(online) = watch.update(&servers, entries) {
                    println!(
                        "Un autre processus du chat s'est arrêté\u{a0}: ses clients quittent la liste «\u{a0}online\u{a0}»."
                    );
                    io.local().emit("online", &online).await.ok();
                }
            }
        });
    }
    // ANCHOR_END: upkeep
}

/// Ce que le guetteur a vu au tour précédent.
#[derive(Default)]
pub(super) struct Watch {
    /// Les processus disparus dont les clients ont déjà été retirés.
    gone: HashSet<String>,
    /// Les processus absents une fois (une reconnexion à Redis peut les
    /// cacher un instant : on attend un second tour pour conclure).
    missing: HashSet<String>,
}

impl Watch {
    // ANCHOR: watch
    /// Un tour : la liste `online` à renvoyer si un processus qui tenait des
    /// pseudos a disparu depuis le tour précédent.
    pub(super) fn update(
        &mut self,
        servers: &HashSet<String>,
        entries: Vec<Entry>,
    ) -> Option<Vec<String>> {
        let holders: HashSet<String> = entries.iter().map(|e| e.server.clone()).collect();
        let absent: HashSet<String> = holders.difference(servers).cloned().collect();
        let newly_gone: Vec<String> = absent
            .iter()
            .filter(|s| self.missing.contains(*s) && !self.gone.contains(*s))
            .cloned()
            .collect();
        self.gone.retain(|s| holders.contains(s));
        self.gone.extend(newly_gone.iter().cloned());
        self.missing = absent;
        if newly_gone.is_empty() {
            return None;
        }
        let alive = entries
            .into_iter()
            .filter(|e| servers.contains(&e.server))
            .map(|e| e.pseudo)
            .collect();
        Some(sorted(alive))
    }
    // ANCHOR_END: watch
}

/// Les identifiants des processus vivants : chacun est abonné à son propre
/// canal `socket.io-request#/#<identifiant>#` (`PUBSUB CHANNELS`).
async fn live_servers(conn: &mut ConnectionManager) -> redis::RedisResult<HashSet<String>> {
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

/// Tous les combien frapper à la porte de Redis perdu.
const KNOCK_EVERY: Duration = Duration::from_millis(250);

// ANCHOR: knock
/// Redis perdu, le `ConnectionManager` essaie de se reconnecter quelques
/// secondes, puis attend qu'une commande le relance. Les publications
/// échouent sans lui en envoyer (voir `connection_now`) : sans cette tâche,
/// le retour de Redis ne se verrait qu'à la prochaine commande d'un autre
/// morceau du chat, parfois des dizaines de secondes plus tard, et un
/// processus resterait isolé pendant que l'autre parle déjà à Redis. Elle
/// s'arrête avec le pilote.
pub(super) async fn knock(mut conn: ConnectionManager, lost: Weak<AtomicBool>) {
    loop {
        tokio::time::sleep(KNOCK_EVERY).await;
        let Some(lost) = lost.upgrade() else {
            return;
        };
        if support::is_stopping() {
            return;
        }
        if lost.load(Ordering::SeqCst) {
            // Échoue tant que Redis est absent ; chaque échec relance une
            // série d'essais de reconnexion.
            let ping = redis::cmd("PING");
            let answer = ping.query_async::<String>(&mut conn);
            tokio::time::timeout(Duration::from_secs(1), answer)
                .await
                .ok();
        }
    }
}
// ANCHOR_END: knock
