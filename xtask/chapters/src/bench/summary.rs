//! Les mesures d'une série, lues par serveur et par scénario : médianes,
//! maximums, sommes. Le tableau (`report.rs`), la grappe (`cluster.rs`) et
//! le graphique (`plot.rs`) les lisent tous trois ici.

use serde_json::Value;

use super::format::median;
use super::{Scenario, Server};

/// Médianes par (serveur, scénario, mesure) ; sommes pour les compteurs.
pub(super) struct Summary {
    runs: Vec<Value>,
}

impl Summary {
    pub(super) fn values(&self, server: Server, scenario: Scenario, pointer: &str) -> Vec<f64> {
        self.runs
            .iter()
            .filter(|r| r["server"] == server.key() && r["scenario"] == scenario.key())
            .filter_map(|r| r["result"].pointer(pointer).and_then(Value::as_f64))
            .collect()
    }
    pub(super) fn median(&self, server: Server, scenario: Scenario, pointer: &str) -> Option<f64> {
        median(&self.values(server, scenario, pointer))
    }
    pub(super) fn max(&self, server: Server, scenario: Scenario, pointer: &str) -> Option<f64> {
        self.values(server, scenario, pointer)
            .into_iter()
            .reduce(f64::max)
    }
    pub(super) fn sum(&self, server: Server, scenario: Scenario, pointer: &str) -> f64 {
        self.values(server, scenario, pointer).iter().sum()
    }
    /// Au moins une mesure de ce scénario, réussie ou non, dans la série
    /// (une série plus ancienne que le scénario n'en a pas).
    pub(super) fn played(&self, scenario: Scenario) -> bool {
        self.runs.iter().any(|r| r["scenario"] == scenario.key())
    }
    pub(super) fn failures(&self, server: Server) -> usize {
        self.runs
            .iter()
            .filter(|r| r["server"] == server.key() && r.get("error").is_some())
            .count()
    }
    /// Le temps pris par d'autres processus pendant les mesures (médiane,
    /// en cœurs) : une machine occupée se voit.
    pub(super) fn machine_noise(&self) -> Option<f64> {
        let other: Vec<f64> = self
            .runs
            .iter()
            .filter_map(|r| {
                r["result"]
                    .pointer("/cpu/other_cores")
                    .and_then(Value::as_f64)
            })
            .collect();
        median(&other)
    }
    /// Pertes silencieuses, doublons, désordre : sur toutes les mesures de
    /// livraison de ce serveur.
    pub(super) fn integrity(&self, server: Server) -> (f64, f64, f64) {
        let mut t = (0.0, 0.0, 0.0);
        for s in [
            Scenario::Rate,
            Scenario::Saturate,
            Scenario::Stalled,
            Scenario::Senders,
            Scenario::Cluster,
        ] {
            t.0 += self.sum(server, s, "/lost");
            t.1 += self.sum(server, s, "/duplicates");
            t.2 += self.sum(server, s, "/out_of_order");
        }
        t
    }
}

pub(super) fn summarize(runs: &[Value], _servers: &[Server]) -> Summary {
    Summary {
        runs: runs.to_vec(),
    }
}
