//! Ce que l'exploitation regarde : `/health` (le processus peut-il servir ?)
//! et `/metrics` (des compteurs au format texte de Prometheus).
//!
//! Une sonde de surveillance interroge `/health` ; un outil comme
//! Prometheus lit `/metrics` toutes les quelques secondes et en tire des
//! courbes.

// ANCHOR: all
use std::fmt::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;

use crate::cluster::RedisBus;
use crate::presence::Presence;
use crate::store::Store;

/// Les compteurs de ce processus, depuis son démarrage.
#[derive(Default)]
pub struct Metrics {
    /// Messages enregistrés (les renvois d'un message déjà là non compris).
    pub stored: AtomicU64,
    /// Messages refusés : mal formés, trop longs, trop nombreux.
    pub refused: AtomicU64,
    /// Écritures ratées : la base n'a pas répondu ou a refusé.
    pub failed: AtomicU64,
}

impl Metrics {
    /// Un de plus à `counter`.
    pub fn count(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }
}

#[derive(Clone)]
struct Ops {
    store: Store,
    redis: RedisBus,
    presence: Arc<Presence>,
    metrics: Arc<Metrics>,
}

/// Les deux routes, à ajouter au `Router` du chat.
pub fn routes(
    store: Store,
    redis: RedisBus,
    presence: Arc<Presence>,
    metrics: Arc<Metrics>,
) -> Router {
    let ops = Ops {
        store,
        redis,
        presence,
        metrics,
    };
    Router::new()
        .route("/health", get(health))
        .route("/metrics", get(metrics_text))
        .with_state(ops)
}

// ANCHOR: health
/// 200 si la base et Redis répondent, 503 sinon. Qui l'interroge : une
/// sonde de surveillance, un répartiteur de charge qui sait le faire (un
/// nginx simple ne le fait pas : il ne voit que les connexions refusées),
/// l'étape d'un redémarrage progressif qui attend le 200 avant de passer
/// au processus suivant.
async fn health(State(ops): State<Ops>) -> impl IntoResponse {
    // Une seconde au plus pour chacun : une sonde qui attend trop longtemps
    // conclut d'elle-même à la panne.
    let database = tokio::time::timeout(Duration::from_secs(1), ops.store.ping());
    let (database, redis) = tokio::join!(database, ops.redis.ping());
    let database = matches!(database, Ok(true));
    let state = |ok: bool| if ok { "ok" } else { "injoignable" };
    let body = format!(
        "base\u{a0}: {}\nredis\u{a0}: {}\n",
        state(database),
        state(redis)
    );
    let status = if database && redis {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        body,
    )
}
// ANCHOR_END: health

// ANCHOR: metrics
/// Le format texte de Prometheus : pour chaque mesure, son aide, son type
/// et sa valeur.
async fn metrics_text(State(ops): State<Ops>) -> impl IntoResponse {
    let m = &ops.metrics;
    let lines = [
        (
            "chat_connected_accounts",
            "gauge",
            "Personnes en ligne dans tout le chat, vues par ce processus.",
            ops.presence.count() as u64,
        ),
        (
            "chat_messages_stored_total",
            "counter",
            "Messages enregistrés par ce processus.",
            m.stored.load(Ordering::Relaxed),
        ),
        (
            "chat_messages_refused_total",
            "counter",
            "Messages refusés (mal formés, trop longs, trop nombreux).",
            m.refused.load(Ordering::Relaxed),
        ),
        (
            "chat_writes_failed_total",
            "counter",
            "Écritures ratées : la base n'a pas répondu.",
            m.failed.load(Ordering::Relaxed),
        ),
    ];
    let mut text = String::new();
    for (name, kind, help, value) in lines {
        let _ = write!(
            text,
            "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}\n"
        );
    }
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        text,
    )
}
// ANCHOR_END: metrics
// ANCHOR_END: all
