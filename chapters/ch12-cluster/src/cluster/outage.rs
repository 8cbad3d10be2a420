//! Après une panne de Redis : renvoyer à chacun la liste « online » de tout
//! le chat.
//!
//! Pourquoi : pendant une panne, un départ n'est annoncé qu'aux clients de
//! son processus (`presence.rs`), et les listes des autres processus le
//! montrent encore. Redis revenu, le guetteur de `upkeep.rs` appelle
//! [`Outage::tick`] à chaque tour, qui renvoie la liste quand chaque
//! processus a eu le temps de revenir.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use socketioxide_core::Sid;

use super::nicknames::REFRESH_EVERY;
use super::upkeep::WATCH_EVERY;
use super::{ClusterIo, ClusterNicknames};

/// Après une panne de Redis, le temps d'attendre avant de renvoyer la liste
/// « online » : que chaque processus ait réécrit les clés de ses pseudos
/// (un Redis relancé peut être vide) et soit de nouveau abonné.
const SETTLE: Duration = Duration::from_secs(REFRESH_EVERY.as_secs() + WATCH_EVERY.as_secs());

/// Où en est le guetteur avec les pannes de Redis.
#[derive(Default)]
pub(super) struct Outage {
    /// Redis était perdu au tour précédent.
    lost: bool,
    /// Depuis quand Redis est revenu, tant que la liste n'a pas été renvoyée.
    back_since: Option<Instant>,
}

impl Outage {
    /// Un tour du guetteur ; `lost` : Redis est-il perdu ? Redis revenu
    /// depuis [`SETTLE`], renvoie la liste aux clients de ce processus.
    pub(super) async fn tick(&mut self, lost: bool, io: &ClusterIo, nicknames: &ClusterNicknames) {
        if lost {
            self.back_since = None;
        } else if self.lost {
            self.back_since = Some(Instant::now());
        }
        self.lost = lost;
        if self
            .back_since
            .is_some_and(|since| since.elapsed() >= SETTLE)
            && resend_online(io, nicknames).await
        {
            self.back_since = None;
        }
    }
}

/// Renvoie aux clients de ce processus la liste « online » de tout le chat.
/// Un processus qui ne répond pas encore rendrait une liste incomplète :
/// rend faux sans rien envoyer, et le guetteur réessaie au tour suivant.
async fn resend_online(io: &ClusterIo, nicknames: &ClusterNicknames) -> bool {
    let Ok(sockets) = io.fetch_sockets().await else {
        return false;
    };
    let live: HashSet<Sid> = sockets.into_iter().map(|s| s.data().id).collect();
    let online = nicknames.online(&live).await;
    io.local().emit("online", &online).await.ok();
    true
}
