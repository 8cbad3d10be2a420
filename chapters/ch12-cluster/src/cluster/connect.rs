//! Joindre Redis et construire le serveur Socket.IO sur l'adaptateur Redis.
//!
//! Pourquoi ici plutôt que dans `main.rs` : sans Redis, pas de chat
//! partagé, et l'étudiant doit le lire en français, adresse comprise (et non
//! une erreur de redis-rs). Le serveur garde les réglages de tous les
//! chapitres ([`support::socket_io_builder`]) ; seul l'adaptateur change.

use std::sync::Arc;
use std::time::Duration;

use socketioxide_redis::{RedisAdapterConfig, RedisAdapterCtr};

use super::adapter::ClusterState;
use super::inbox::BUS_BUFFER;
use super::{Cluster, ClusterAdapter, ClusterIo, ClusterLayer, ClusterNicknames, RedisBus};

/// L'adresse de Redis quand `REDIS_URL` n'est pas donnée.
pub const DEFAULT_REDIS_URL: &str = "redis://127.0.0.1:6379";

// ANCHOR: connect
/// Se connecte à Redis (`REDIS_URL`) et construit le serveur Socket.IO.
/// Redis injoignable : la phrase en français à afficher (elle nomme
/// l'adresse et dit comment démarrer Redis).
///
/// L'état du serveur (`State<T>`, chapitre 6) contient le registre des
/// pseudos, qui a besoin de Redis : `state` le fabrique à partir du
/// registre, une fois Redis joint.
pub async fn connect<T: Clone + Send + Sync + 'static>(
    state: impl FnOnce(Arc<ClusterNicknames>) -> T,
) -> Result<Cluster, String> {
    let bus = connect_bus().await?;
    let nicknames = Arc::new(ClusterNicknames::new(bus.clone()));
    let (layer, io) = build(&bus, state(nicknames.clone()));
    nicknames.bind(io.config().server_id.to_string());
    Ok(Cluster {
        layer,
        io,
        nicknames,
        bus,
    })
}
// ANCHOR_END: connect

/// Comme [`connect`], avec l'état de son choix (`State<T>` dans les
/// gestionnaires) et sans registre de pseudos : le chapitre 15 tient sa
/// présence lui-même.
#[allow(dead_code)] // Sert au chapitre 15, qui reprend ce dossier.
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

// ANCHOR: build
/// Le serveur Socket.IO des chapitres, sur l'adaptateur Redis.
fn build<T: Clone + Send + Sync + 'static>(bus: &RedisBus, state: T) -> (ClusterLayer, ClusterIo) {
    let config = RedisAdapterConfig::new()
        .with_stream_buffer(BUS_BUFFER)
        .with_request_timeout(Duration::from_secs(2));
    let adapter = ClusterState {
        ctr: RedisAdapterCtr::new_with_driver(bus.clone(), config),
        bus: bus.clone(),
    };
    support::socket_io_builder()
        .with_state(state)
        .with_adapter::<ClusterAdapter>(adapter)
        .build_layer()
}
// ANCHOR_END: build

/// redis-rs ne parle RESP3 (nécessaire aux abonnements de l'adaptateur)
/// que si l'adresse le demande, en minuscules : `?protocol=resp3`.
pub(super) fn with_resp3(url: &str) -> String {
    if url.to_ascii_lowercase().contains("protocol=") {
        url.to_owned()
    } else if url.contains('?') {
        format!("{url}&protocol=resp3")
    } else {
        format!("{url}?protocol=resp3")
    }
}
