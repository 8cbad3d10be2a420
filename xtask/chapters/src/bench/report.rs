//! Le résumé des mesures (médianes par serveur et scénario), le tableau
//! Markdown et l'annexe du livre.

use std::fmt::Write as _;
use std::path::Path;

use serde_json::Value;

use super::cluster::cluster_table;
use super::format::{better, fmt, ratio_cell, thousands};
use super::scenarios::options_label;
use super::senders::senders_table;
use super::servers::today;
use super::summary::Summary;
use super::{BEGIN, END, Options, SCENARIOS, Scenario, Server, write};
use crate::french::count;

mod goals;

use goals::{goals, student_cycle};

pub(super) fn markdown(
    s: &Summary,
    servers: &[Server],
    student: &Value,
    machine: &Value,
    options: &Options,
    runs: &[Value],
) -> String {
    use Scenario::*;
    let all = servers;
    // Le scénario grappe a son propre tableau, ses propres serveurs.
    let main: Vec<Server> = all.iter().copied().filter(|sv| !sv.is_cluster()).collect();
    let servers = &main[..];
    let has_node = servers.contains(&Server::Node);
    let mut t = String::new();
    let head: Vec<&str> = servers.iter().map(|s| s.label()).collect();
    let _ = writeln!(
        t,
        "Mesuré le {} sur {} ; médiane de {}{}.\n",
        today(),
        machine["summary"].as_str().unwrap_or("?"),
        count(options.reps, "répétition", "répétitions"),
        if options.quick {
            ", mode --quick (petits effectifs)"
        } else {
            ""
        }
    );
    let _ = write!(t, "| Mesure | {} |", head.join(" | "));
    if has_node {
        t.push_str(" Rust / Node |");
    }
    t.push_str(" Rust / relais |\n|---|");
    for _ in 0..servers.len() + usize::from(has_node) + 1 {
        t.push_str("---:|");
    }
    t.push('\n');

    let (sat, rate, idle, stalled) = (
        options_label(Saturate, options.quick),
        options_label(Rate, options.quick),
        options_label(Idle, options.quick),
        options_label(Stalled, options.quick),
    );
    // Une ligne : valeurs par serveur, puis les rapports.
    let mut row = |label: String,
                   get: &dyn Fn(Server) -> Option<f64>,
                   show: &dyn Fn(Option<f64>) -> String,
                   higher_is_better: bool| {
        let _ = write!(t, "| {label} |");
        for &server in servers {
            let _ = write!(t, " {} |", show(get(server)));
        }
        let rust = get(Server::Rust);
        let show_ratio = |other: Option<f64>, percent: bool| {
            ratio_cell(better(rust, other, higher_is_better), percent)
        };
        if has_node {
            let _ = write!(t, " {} |", show_ratio(get(Server::Node), false));
        }
        let _ = writeln!(t, " {} |", show_ratio(get(Server::Relay), true));
    };
    let per_s = |x: Option<f64>| x.map(thousands).unwrap_or_else(|| "—".to_owned());
    // Une valeur et son unité ; un tiret seul, sans unité, si elle manque.
    let unit = |x: Option<f64>, decimals: usize, symbol: &str| {
        x.map_or_else(
            || "—".to_owned(),
            |x| format!("{} {symbol}", fmt(Some(x), decimals)),
        )
    };
    let ms = |x: Option<f64>| unit(x, 1, "ms");
    let kib = |x: Option<f64>| unit(x, 1, "Kio");
    let secs = |x: Option<f64>| unit(x, 2, "s");
    let mib = |x: Option<f64>| unit(x.map(|k| k / 1024.0), 0, "Mio");

    row(
        format!("{sat} : livraisons par seconde"),
        &|sv| s.median(sv, Saturate, "/deliveries_per_s"),
        &per_s,
        true,
    );
    row(
        format!("{sat} : latence p99"),
        &|sv| s.median(sv, Saturate, "/latency_ms/p99"),
        &ms,
        false,
    );
    for (p, name) in [
        ("p50", "p50"),
        ("p90", "p90"),
        ("p99", "p99"),
        ("max", "max"),
    ] {
        let pointer = format!("/latency_ms/{p}");
        row(
            format!("{rate} : latence {name}"),
            &|sv| s.median(sv, Rate, &pointer),
            &ms,
            false,
        );
    }
    row(
        format!("{idle} : mémoire par connexion"),
        &|sv| s.median(sv, Idle, "/rss_per_conn_kib"),
        &kib,
        false,
    );
    row(
        format!("{idle} : temps pour tout connecter"),
        &|sv| s.median(sv, Idle, "/connect_s"),
        &secs,
        false,
    );
    row(
        format!("{idle} : pic de mémoire (RSS)"),
        &|sv| s.median(sv, Idle, "/peak_rss_kib"),
        &mib,
        false,
    );
    row(
        format!("{sat} : pic de mémoire (RSS)"),
        &|sv| s.median(sv, Saturate, "/peak_rss_kib"),
        &mib,
        false,
    );
    row(
        format!("{sat} : temps processeur du serveur par livraison"),
        &|sv| s.median(sv, Saturate, "/server_ns_per_delivery"),
        &|x| x.map_or_else(|| "—".to_owned(), |x| format!("{} ns", thousands(x))),
        false,
    );
    row(
        format!("{rate} : temps processeur du serveur par livraison"),
        &|sv| s.median(sv, Rate, "/server_ns_per_delivery"),
        &|x| x.map_or_else(|| "—".to_owned(), |x| format!("{} ns", thousands(x))),
        false,
    );
    row(
        format!("{stalled} : livraisons par seconde (clients actifs)"),
        &|sv| s.median(sv, Stalled, "/deliveries_per_s"),
        &per_s,
        true,
    );

    // Lignes sans rapport : intégrité et bruit.
    let _ = write!(
        t,
        "| Livraisons perdues en silence / en double / en désordre (toutes mesures) |"
    );
    for &server in servers {
        let (l, d, o) = s.integrity(server);
        let _ = write!(
            t,
            " {} / {} / {} |",
            thousands(l),
            thousands(d),
            thousands(o)
        );
    }
    t.push_str(&" |".repeat(usize::from(has_node) + 1));
    t.push('\n');
    let _ = write!(
        t,
        "| {stalled} : clients bloqués déconnectés (sur toutes les mesures) |"
    );
    for &server in servers {
        if !server.plays(Stalled) {
            t.push_str(" — |");
            continue;
        }
        let _ = write!(
            t,
            " {} / {} |",
            thousands(s.sum(server, Stalled, "/stalled_disconnected")),
            thousands(s.sum(server, Stalled, "/stalled"))
        );
    }
    t.push_str(&" |".repeat(usize::from(has_node) + 1));
    t.push('\n');
    let _ = write!(
        t,
        "| CPU pendant la saturation : serveur / générateur / autres processus (cœurs) |"
    );
    for &server in servers {
        let _ = write!(
            t,
            " {} / {} / {} |",
            fmt(s.median(server, Saturate, "/cpu/server_cores"), 2),
            fmt(s.median(server, Saturate, "/cpu/loadgen_cores"), 2),
            fmt(s.median(server, Saturate, "/cpu/other_cores"), 2)
        );
    }
    t.push_str(&" |".repeat(usize::from(has_node) + 1));
    t.push('\n');
    let _ = write!(
        t,
        "| Bruit : CPU des autres processus, pire mesure (cœurs) |"
    );
    for &server in servers {
        let worst = SCENARIOS
            .iter()
            .filter_map(|&sc| s.max(server, sc, "/cpu/other_cores"))
            .reduce(f64::max);
        let _ = write!(t, " {} |", fmt(worst, 2));
    }
    t.push_str(&" |".repeat(usize::from(has_node) + 1));
    t.push('\n');
    naive_note(&mut t, s, servers);
    t.push_str(&cluster_table(s, all, options.quick));
    t.push_str(&senders_table(s, all, options.quick));
    let noise = s.machine_noise();
    if let Some(noise) = noise.filter(|&n| n > 0.3) {
        let _ = writeln!(
            t,
            "\n**Machine occupée** : d'autres processus ont pris {} {} en médiane pendant \
             les mesures. Le débit et la latence en souffrent (le temps processeur par livraison \
             beaucoup moins) : relancez sur une machine au repos pour des chiffres nets.",
            fmt(Some(noise), 2),
            // « 1,5 cœur », « 2 cœurs » : le pluriel commence à deux.
            if noise >= 2.0 { "cœurs" } else { "cœur" }
        );
    }
    let failures: usize = all.iter().map(|&sv| s.failures(sv)).sum();
    if failures > 0 {
        let _ = writeln!(
            t,
            "\n**{} {}** : voir `target/bench/results.json`.",
            count(failures, "mesure", "mesures"),
            if failures > 1 {
                "ont échoué"
            } else {
                "a échoué"
            }
        );
    }

    // Le cycle de travail de l'étudiant, puis les objectifs du cours.
    student_cycle(&mut t, student);
    goals(&mut t, s, student);
    let _ = runs;
    t
}

/// Le désordre du serveur naïf face au chapitre 5 (ticket 13) : la garantie
/// d'ordre vient de la conception, pas de la chance.
fn naive_note(t: &mut String, s: &Summary, servers: &[Server]) {
    if !servers.contains(&Server::Naive) || s.failures(Server::Naive) > 0 {
        return;
    }
    let (_, _, naive) = s.integrity(Server::Naive);
    let (_, _, rust) = s.integrity(Server::Rust);
    let delivered: f64 = [Scenario::Rate, Scenario::Saturate]
        .iter()
        .map(|&sc| s.sum(Server::Naive, sc, "/delivered"))
        .sum();
    let share = if delivered > 0.0 {
        format!(
            " ({}\u{a0}% des livraisons)",
            fmt(Some(naive / delivered * 100.0), 1)
        )
    } else {
        String::new()
    };
    let _ = writeln!(
        t,
        "\nLe même chapitre 5 écrit naïvement (`#[tokio::main]` multi-fil, socketioxide seul, \
         gestionnaire `async` ordinaire) livre {} {}{share} ; le chapitre 5 du cours : {}. \
         L'ordre vient de la conception (un message à la fois par client), pas de la chance.",
        thousands(naive),
        if naive >= 2.0 {
            "messages en désordre"
        } else {
            "message en désordre"
        },
        thousands(rust)
    );
}

pub(super) fn update_annex(path: &Path, table: &str) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let (Some(start), Some(end)) = (text.find(BEGIN), text.find(END)) else {
        return Err(format!(
            "{} : marqueurs « {BEGIN} » et « {END} » introuvables.",
            path.display()
        ));
    };
    if end < start {
        return Err(format!("{} : marqueurs dans le désordre.", path.display()));
    }
    let updated = format!("{}{BEGIN}\n\n{table}\n{}", &text[..start], &text[end..]);
    write(path, &updated)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn annex_block_is_replaced_between_markers() {
        let dir = std::env::temp_dir().join(format!("bench-annex-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap_or_default();
        let path = dir.join("annexe.md");
        let text = format!("# Titre\n\n{BEGIN}\nvieux\n{END}\n\nSuite\n");
        std::fs::write(&path, text).unwrap_or_default();
        update_annex(&path, "| neuf |").unwrap_or_default();
        let updated = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(updated.contains("| neuf |"));
        assert!(!updated.contains("vieux"));
        assert!(updated.starts_with("# Titre") && updated.ends_with("Suite\n"));
        std::fs::remove_dir_all(&dir).ok();
    }
}
