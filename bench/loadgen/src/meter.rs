//! Ce que consomme une phase mesurée : le temps processeur du serveur, du
//! générateur et du reste de la machine, et la mémoire des serveurs. Lu
//! dans `/proc` (voir `procfs.rs`) ; chaque scénario s'en sert.

use std::time::Instant;

use serde_json::json;

use crate::procfs;

/// Ce que consomment le serveur, le générateur et la machine entière
/// pendant une phase mesurée.
pub(crate) struct CpuMeter {
    server_pids: Vec<String>,
    server: f64,
    own: f64,
    machine: f64,
    at: Instant,
}

impl CpuMeter {
    pub(crate) fn start(pids: &[u32]) -> Self {
        let server_pids: Vec<String> = pids.iter().map(u32::to_string).collect();
        Self {
            server: servers_cpu(&server_pids).unwrap_or(0.0),
            own: procfs::cpu_seconds("self").unwrap_or(0.0),
            machine: procfs::machine_busy_seconds().unwrap_or(0.0),
            at: Instant::now(),
            server_pids,
        }
    }

    /// Cœurs occupés en moyenne : (serveur, générateur, autres processus).
    pub(crate) fn stop(&self) -> serde_json::Value {
        let wall = self.at.elapsed().as_secs_f64().max(1e-3);
        let server = servers_cpu(&self.server_pids).map(|s| s - self.server);
        let own = procfs::cpu_seconds("self").map(|s| s - self.own);
        let machine = procfs::machine_busy_seconds().map(|s| s - self.machine);
        let other = match (machine, server, own) {
            (Some(m), Some(s), Some(o)) => Some((m - s - o).max(0.0)),
            _ => None,
        };
        json!({
            "wall_s": wall,
            "server_cores": server.map(|s| s / wall),
            "loadgen_cores": own.map(|s| s / wall),
            "other_cores": other.map(|s| s / wall),
        })
    }
}

/// Le temps processeur de tous les processus serveurs ; `None` sans pid ou
/// si l'un d'eux est illisible.
fn servers_cpu(pids: &[String]) -> Option<f64> {
    if pids.is_empty() {
        return None;
    }
    pids.iter().map(|p| procfs::cpu_seconds(p)).sum()
}

/// Mémoire de tous les processus serveurs, en Kio : (résidente, pic),
/// additionnées ; `None` sans pid ou si l'un d'eux est illisible.
pub(crate) fn memory(pids: &[u32]) -> (Option<u64>, Option<u64>) {
    let all: Option<Vec<(u64, u64)>> = pids.iter().map(|&p| procfs::memory_kib(p)).collect();
    match all {
        Some(all) if !all.is_empty() => (
            Some(all.iter().map(|m| m.0).sum()),
            Some(all.iter().map(|m| m.1).sum()),
        ),
        _ => (None, None),
    }
}
