//! La fin de l'annexe des performances : le cycle de travail de
//! l'étudiant (modifier, recompiler, relancer) et les objectifs du cours,
//! tenus ou non sur cette mesure. À part du grand tableau (`report.rs`) :
//! ce sont des phrases, pas des colonnes.

use std::fmt::Write as _;

use serde_json::Value;

use super::super::format::{fmt, ratio};
use super::super::summary::Summary;
use super::super::{Scenario, Server};
use crate::french::count;

/// Le cycle de travail de l'étudiant : modifier, recompiler, relancer.
pub(super) fn student_cycle(t: &mut String, student: &Value) {
    let _ = writeln!(
        t,
        "\nLe cycle de travail de l'étudiant (`ch05-broadcast`, profil de développement) :\n"
    );
    if let Some(cold) = student["cold_build_s"].as_f64() {
        let _ = writeln!(
            t,
            "- compilation à froid (`cargo build -p ch05-broadcast`, dossier `target` vide) : {} s ;",
            fmt(Some(cold), 1)
        );
    }
    let _ = writeln!(
        t,
        "- `main.rs` modifié, recompilé en {} s, serveur de nouveau prêt en {} s (médiane de {}).",
        fmt(student["rebuild_s"].as_f64(), 2),
        fmt(student["edit_to_ready_s"].as_f64(), 2),
        count(
            usize::try_from(student["tries"].as_u64().unwrap_or(0)).unwrap_or(0),
            "essai",
            "essais"
        )
    );
}

/// Les objectifs du cours, chacun dit tenu, non tenu ou non mesuré.
pub(super) fn goals(t: &mut String, s: &Summary, student: &Value) {
    use Scenario::*;
    let _ = writeln!(t, "\nLes objectifs du cours, sur cette mesure :\n");
    let check = |ok: Option<bool>| match ok {
        Some(true) => "tenu",
        Some(false) => "**non tenu**",
        None => "non mesuré",
    };
    let rust_sat = s.median(Server::Rust, Saturate, "/deliveries_per_s");
    let node_sat = s.median(Server::Node, Saturate, "/deliveries_per_s");
    let relay_sat = s.median(Server::Relay, Saturate, "/deliveries_per_s");
    let rust_p99 = s.median(Server::Rust, Rate, "/latency_ms/p99");
    let node_p99 = s.median(Server::Node, Rate, "/latency_ms/p99");
    let rust_mem = s.median(Server::Rust, Idle, "/rss_per_conn_kib");
    let node_mem = s.median(Server::Node, Idle, "/rss_per_conn_kib");
    let (lost, dup, ooo) = s.integrity(Server::Rust);
    let edit = student["edit_to_ready_s"].as_f64();
    let goals = [
        (
            format!(
                "débit en saturation ≥ 15 × Node : {} ×",
                fmt(ratio(rust_sat, node_sat), 1)
            ),
            ratio(rust_sat, node_sat).map(|r| r >= 15.0),
        ),
        (
            format!(
                "débit ≥ 75 % du relais nu : {} %",
                fmt(ratio(rust_sat, relay_sat).map(|r| r * 100.0), 0)
            ),
            ratio(rust_sat, relay_sat).map(|r| r >= 0.75),
        ),
        (
            format!(
                "p99 à 100 messages/s ≤ 1/10 de Node : {} ms contre {} ms",
                fmt(rust_p99, 1),
                fmt(node_p99, 1)
            ),
            ratio(rust_p99, node_p99).map(|r| r <= 0.1),
        ),
        (
            format!(
                "mémoire par connexion inactive sous celle de Node : {} Kio contre {} Kio",
                fmt(rust_mem, 1),
                fmt(node_mem, 1)
            ),
            ratio(rust_mem, node_mem).map(|r| r < 1.0),
        ),
        (
            format!(
                "aucune livraison perdue, doublée ou en désordre : {lost} / {dup} / {ooo} (Rust, toutes mesures)"
            ),
            Some(lost == 0.0 && dup == 0.0 && ooo == 0.0 && s.failures(Server::Rust) == 0),
        ),
        (
            format!(
                "`main.rs` modifié → serveur prêt ≤ 3 s : {} s",
                fmt(edit, 2)
            ),
            edit.map(|e| e <= 3.0),
        ),
    ];
    for (text, ok) in goals {
        let _ = writeln!(t, "- {text} — {}", check(ok));
    }
}
