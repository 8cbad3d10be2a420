//! Un chat sur plusieurs processus, par Redis (chapitre 12).
//!
//! [`connect`] construit le serveur Socket.IO des chapitres (mêmes réglages
//! que [`crate::socket_io`]) avec l'adaptateur Redis de socketioxide et le
//! pilote [`RedisBus`] ; [`ClusterNicknames`] tient les pseudos de tout le
//! chat ; [`Cluster::spawn_upkeep`] prolonge les pseudos de ce processus et prévient
//! ses clients quand un autre processus disparaît.

mod adapter;
mod bus;
mod nicknames;

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use socketioxide_core::Sid;
use socketioxide_redis::{RedisAdapterConfig, RedisAdapterCtr};

pub use adapter::{ClusterState, ReliableRedisAdapter};
pub use bus::{BUS_BUFFER, RedisBus};
pub use nicknames::{ClusterNicknames, Entry, NICKNAME_TTL, REFRESH_EVERY, Refusal, sorted};

/// L'adaptateur Redis de socketioxide, sur notre pilote, avec des remises
/// qui ne sautent aucun client en silence (voir `adapter.rs`).
pub type ClusterAdapter = ReliableRedisAdapter;
/// Le serveur Socket.IO du chapitre 12.
pub type ClusterIo = socketioxide::SocketIo<ClusterAdapter>;
/// La connexion d'un client, au chapitre 12.
pub type ClusterSocket = socketioxide::extract::SocketRef<ClusterAdapter>;
/// L'accusé de réception, au chapitre 12.
pub type ClusterAck = socketioxide::extract::AckSender<ClusterAdapter>;
/// La couche à donner à axum.
pub type ClusterLayer = socketioxide::layer::SocketIoLayer<ClusterAdapter>;

/// L'adresse de Redis quand `REDIS_URL` n'est pas donnée.
pub const DEFAULT_REDIS_URL: &str = "redis://127.0.0.1:6379";

/// Tous les combien un processus regarde si un autre a disparu.
pub const WATCH_EVERY: Duration = Duration::from_secs(1);

/// Ce que [`connect`] rend.
pub struct Cluster {
    pub layer: ClusterLayer,
    pub io: ClusterIo,
    pub nicknames: Arc<ClusterNicknames>,
    bus: RedisBus,
}

/// Se connecte à Redis (`REDIS_URL`) et construit le serveur Socket.IO.
/// Redis injoignable : la phrase en français à afficher (elle nomme
/// l'adresse et dit comment démarrer Redis).
pub async fn connect() -> Result<Cluster, String> {
    let bus = connect_bus().await?;
    // Le registre des pseudos est l'état du serveur : chaque gestionnaire
    // le reçoit par l'extracteur `State<Arc<ClusterNicknames>>`.
    let nicknames = Arc::new(ClusterNicknames::new(bus.clone()));
    let (layer, io) = build(&bus, nicknames.clone());
    nicknames.bind(io.config().server_id.to_string());
    Ok(Cluster {
        layer,
        io,
        nicknames,
        bus,
    })
}

/// Comme [`connect`], avec l'état de son choix (`State<T>` dans les
/// gestionnaires) et sans registre de pseudos : le chapitre 15 tient sa
/// présence lui-même.
pub async fn connect_with_state<T: Clone + Send + Sync + 'static>(
    state: T,
) -> Result<(ClusterLayer, ClusterIo, RedisBus), String> {
    let bus = connect_bus().await?;
    let (layer, io) = build(&bus, state);
    Ok((layer, io, bus))
}

/// Le pilote Redis, après un premier essai de connexion.
async fn connect_bus() -> Result<RedisBus, String> {
    let shown = std::env::var("REDIS_URL").unwrap_or_else(|_| DEFAULT_REDIS_URL.to_owned());
    let url = with_resp3(&shown);
    let client = redis::Client::open(url.as_str()).map_err(|e| {
        format!("REDIS_URL doit être une adresse Redis comme {DEFAULT_REDIS_URL}, et non «\u{a0}{shown}\u{a0}» ({e}).")
    })?;
    let unreachable = |why: String| {
        format!(
            "impossible de joindre Redis à l'adresse {shown} ({why}). Démarrez-le dans un autre terminal avec la commande redis-server, ou donnez son adresse dans REDIS_URL."
        )
    };
    // Un premier essai, court : le gestionnaire de connexion, lui,
    // réessaierait longtemps avant d'abandonner.
    match tokio::time::timeout(
        Duration::from_secs(3),
        client.get_multiplexed_async_connection(),
    )
    .await
    {
        Ok(Ok(_)) => {}
        Ok(Err(e)) => return Err(unreachable(e.to_string())),
        Err(_) => return Err(unreachable("pas de réponse en 3\u{a0}s".to_owned())),
    }
    RedisBus::connect(client)
        .await
        .map_err(|e| unreachable(e.to_string()))
}

/// Le serveur Socket.IO des chapitres, sur l'adaptateur Redis.
fn build<T: Clone + Send + Sync + 'static>(bus: &RedisBus, state: T) -> (ClusterLayer, ClusterIo) {
    let config = RedisAdapterConfig::new()
        .with_stream_buffer(BUS_BUFFER)
        .with_request_timeout(Duration::from_secs(2));
    let adapter = ClusterState {
        ctr: RedisAdapterCtr::new_with_driver(bus.clone(), config),
        bus: bus.clone(),
    };
    crate::builder()
        .with_state(state)
        .with_adapter::<ClusterAdapter>(adapter)
        .build_layer()
}

/// redis-rs ne parle RESP3 (nécessaire aux abonnements de l'adaptateur)
/// que si l'adresse le demande, en minuscules : `?protocol=resp3`.
fn with_resp3(url: &str) -> String {
    if url.to_ascii_lowercase().contains("protocol=") {
        url.to_owned()
    } else if url.contains('?') {
        format!("{url}&protocol=resp3")
    } else {
        format!("{url}?protocol=resp3")
    }
}

/// Les clients connectés à tous les processus. Redis injoignable : ceux de
/// ce processus.
pub async fn live_clients(io: &ClusterIo) -> HashSet<Sid> {
    match io.fetch_sockets().await {
        Ok(sockets) => sockets.into_iter().map(|s| s.data().id).collect(),
        Err(_) => io.local().sockets().into_iter().map(|s| s.id).collect(),
    }
}

/// Les autres clients connectés à tous les processus, vus par `socket`.
/// Redis injoignable : ceux de ce processus. (Passer par le client et non
/// par `io` : à l'arrêt du serveur, `io` n'a déjà plus d'espace de noms.)
pub async fn other_clients(socket: &ClusterSocket) -> HashSet<Sid> {
    match socket.broadcast().fetch_sockets().await {
        Ok(sockets) => sockets.into_iter().map(|s| s.data().id).collect(),
        Err(_) => socket
            .broadcast()
            .local()
            .sockets()
            .into_iter()
            .map(|s| s.id)
            .collect(),
    }
}

impl Cluster {
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
                if crate::is_stopping() {
                    return;
                }
                let connected = |sid| io.get_socket(sid).is_some();
                if nicknames.refresh(connected).await.is_err() {
                    // Redis perdu : le pilote le dit déjà.
                }
            }
        });
        let (io, nicknames, mut conn) = (
            self.io.clone(),
            self.nicknames.clone(),
            self.bus.connection(),
        );
        tokio::spawn(async move {
            let mut watch = Watch::default();
            let mut tick = tokio::time::interval(WATCH_EVERY);
            loop {
                tick.tick().await;
                if crate::is_stopping() {
                    return;
                }
                let (Ok(servers), Ok(entries)) = (
                    bus::live_servers(&mut conn).await,
                    nicknames.entries().await,
                ) else {
                    continue;
                };
                if let Some(online) = watch.update(&servers, entries) {
                    println!(
                        "Un autre processus du chat s'est arrêté : ses clients quittent la liste « online »."
                    );
                    io.local().emit("online", &online).await.ok();
                }
            }
        });
    }
}

/// Ce que le guetteur a vu au tour précédent.
#[derive(Default)]
struct Watch {
    /// Les processus disparus dont les clients ont déjà été retirés.
    gone: HashSet<String>,
    /// Les processus absents une fois (une reconnexion à Redis peut les
    /// cacher un instant : on attend un second tour pour conclure).
    missing: HashSet<String>,
}

impl Watch {
    /// Un tour : la liste `online` à renvoyer si un processus qui tenait des
    /// pseudos a disparu depuis le tour précédent.
    fn update(&mut self, servers: &HashSet<String>, entries: Vec<Entry>) -> Option<Vec<String>> {
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn l_adresse_demande_resp3_une_seule_fois() {
        assert_eq!(
            with_resp3("redis://127.0.0.1:6379"),
            "redis://127.0.0.1:6379?protocol=resp3"
        );
        assert_eq!(
            with_resp3("redis://h:1/0?db=1"),
            "redis://h:1/0?db=1&protocol=resp3"
        );
        assert_eq!(
            with_resp3("redis://h?protocol=resp3"),
            "redis://h?protocol=resp3"
        );
    }

    fn entry(server: &str, pseudo: &str) -> Entry {
        Entry {
            server: server.to_owned(),
            sid: Sid::new(),
            pseudo: pseudo.to_owned(),
        }
    }

    #[test]
    fn un_processus_disparu_deux_tours_de_suite_sort_ses_clients_une_fois() {
        let mut watch = Watch::default();
        let both: HashSet<String> = ["A".to_owned(), "B".to_owned()].into();
        let only_a: HashSet<String> = ["A".to_owned()].into();
        let entries = || vec![entry("A", "bob"), entry("B", "Alice"), entry("A", "chloé")];
        assert_eq!(watch.update(&both, entries()), None);
        // Absent une fois : peut-être une reconnexion à Redis.
        assert_eq!(watch.update(&only_a, entries()), None);
        assert_eq!(
            watch.update(&only_a, entries()),
            Some(vec!["bob".to_owned(), "chloé".to_owned()])
        );
        // Déjà dit : pas de nouvelle liste.
        assert_eq!(watch.update(&only_a, entries()), None);
    }

    #[test]
    fn un_processus_revenu_apres_un_tour_ne_fait_rien() {
        let mut watch = Watch::default();
        let both: HashSet<String> = ["A".to_owned(), "B".to_owned()].into();
        let only_a: HashSet<String> = ["A".to_owned()].into();
        let entries = || vec![entry("A", "bob"), entry("B", "Alice")];
        assert_eq!(watch.update(&only_a, entries()), None);
        assert_eq!(watch.update(&both, entries()), None);
        assert_eq!(watch.update(&both, entries()), None);
    }
}
