//! Le tableau du scénario (e) : cent clients qui parlent à la fois, chacun
//! avec un seul message en route, contre les serveurs du scénario (b). Le
//! débit, et à côté le temps processeur par livraison : sur deux cœurs, le
//! générateur prend au serveur une part de ses cœurs, et le temps par
//! livraison en dépend bien moins que le débit.

use std::fmt::Write as _;

use super::format::{better, fmt, ratio_cell, thousands};
use super::scenarios::options_label;
use super::summary::Summary;
use super::{Scenario, Server};

/// Le tableau, précédé d'une phrase ; une phrase seule si la série n'a pas
/// joué le scénario (une série plus ancienne que lui).
pub(super) fn senders_table(s: &Summary, servers: &[Server], quick: bool) -> String {
    let label = options_label(Scenario::Senders, quick);
    if !s.played(Scenario::Senders) {
        return format!("\n{label} : pas mesuré dans cette série.\n");
    }
    let servers: Vec<Server> = servers
        .iter()
        .copied()
        .filter(|sv| !sv.is_cluster() && sv.plays(Scenario::Senders))
        .collect();
    // Les rapports : face au même chapitre sur un fil, et face à Node.
    let others: Vec<(Server, &str)> = [
        (Server::OneThread, "Rust / un fil"),
        (Server::Node, "Rust / Node"),
    ]
    .into_iter()
    .filter(|(sv, _)| servers.contains(sv))
    .collect();
    let mut t = String::new();
    let _ = writeln!(
        t,
        "\n{label} : chaque émetteur envoie son message suivant dès que le précédent est \
         arrivé chez tous les autres clients. Le générateur partage les cœurs du serveur : \
         le temps processeur par livraison se lit à côté du débit.\n"
    );
    let _ = write!(t, "| Mesure |");
    for sv in &servers {
        let _ = write!(t, " {} |", sv.label());
    }
    for (_, name) in &others {
        let _ = write!(t, " {name} |");
    }
    t.push_str("\n|---|");
    t.push_str(&"---:|".repeat(servers.len() + others.len()));
    t.push('\n');

    let get = |sv: Server, p: &str| s.median(sv, Scenario::Senders, p);
    // Le débit : plus, c'est mieux ; le temps et la latence : moins.
    let rows = [
        (
            "Livraisons par seconde",
            "/deliveries_per_s",
            Unit::PerSecond,
        ),
        (
            "Temps processeur du serveur par livraison",
            "/server_ns_per_delivery",
            Unit::Nanoseconds,
        ),
        ("Latence p50", "/latency_ms/p50", Unit::Milliseconds),
        ("Latence p99", "/latency_ms/p99", Unit::Milliseconds),
    ];
    for (name, pointer, unit) in rows {
        let _ = write!(t, "| {name} |");
        for &sv in &servers {
            let _ = write!(t, " {} |", unit.show(get(sv, pointer)));
        }
        let rust = get(Server::Rust, pointer);
        for &(other, _) in &others {
            let r = better(rust, get(other, pointer), unit == Unit::PerSecond);
            let _ = write!(t, " {} |", ratio_cell(r, false));
        }
        t.push('\n');
    }
    let blank = " |".repeat(others.len());
    let _ = write!(
        t,
        "| CPU : serveur / générateur / autres processus (cœurs) |"
    );
    for &sv in &servers {
        let _ = write!(
            t,
            " {} / {} / {} |",
            fmt(get(sv, "/cpu/server_cores"), 2),
            fmt(get(sv, "/cpu/loadgen_cores"), 2),
            fmt(get(sv, "/cpu/other_cores"), 2)
        );
    }
    let _ = writeln!(t, "{blank}");
    let _ = write!(
        t,
        "| Perdues en silence / en double / en désordre (toutes mesures) |"
    );
    for &sv in &servers {
        let sum = |p: &str| thousands(s.sum(sv, Scenario::Senders, p));
        let _ = write!(
            t,
            " {} / {} / {} |",
            sum("/lost"),
            sum("/duplicates"),
            sum("/out_of_order")
        );
    }
    let _ = writeln!(t, "{blank}");
    t
}

/// L'unité d'une ligne du tableau.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Unit {
    PerSecond,
    Nanoseconds,
    Milliseconds,
}

impl Unit {
    /// Une valeur et son unité ; un tiret seul si elle manque.
    fn show(self, x: Option<f64>) -> String {
        let Some(x) = x else {
            return "—".to_owned();
        };
        match self {
            Unit::PerSecond => thousands(x),
            Unit::Nanoseconds => format!("{} ns", thousands(x)),
            Unit::Milliseconds => format!("{} ms", fmt(Some(x), 1)),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::super::summary::summarize;
    use super::*;

    fn run(server: Server, per_s: f64, ns: f64, lost: u64) -> Value {
        json!({
            "server": server.key(),
            "scenario": "senders",
            "rep": 1,
            "result": {
                "deliveries_per_s": per_s,
                "server_ns_per_delivery": ns,
                "latency_ms": { "p50": 2.0, "p99": 8.0 },
                "cpu": { "server_cores": 1.2, "loadgen_cores": 0.5, "other_cores": 0.1 },
                "lost": lost, "duplicates": 0, "out_of_order": 0,
            },
        })
    }

    fn line<'a>(table: &'a str, start: &str) -> &'a str {
        table
            .lines()
            .find(|l| l.starts_with(start))
            .unwrap_or_else(|| panic!("pas de ligne « {start} » dans\n{table}"))
    }

    #[test]
    fn the_chapter_is_compared_to_one_thread_and_to_node() {
        let servers = [Server::Rust, Server::OneThread, Server::Node, Server::Ch09];
        let runs = [
            run(Server::Rust, 200_000.0, 1_000.0, 0),
            run(Server::OneThread, 400_000.0, 500.0, 0),
            run(Server::Node, 50_000.0, 4_000.0, 3),
        ];
        let table = senders_table(&summarize(&runs, &servers), &servers, false);
        assert!(
            table.contains("(e) 1\u{202f}000 clients dont 100 émetteurs"),
            "{table}"
        );
        // Les serveurs du scénario (b), pas ceux de la grappe ; deux rapports.
        assert!(!table.contains(Server::Ch09.label()), "{table}");
        assert!(line(&table, "| Mesure |").ends_with("| Rust / un fil | Rust / Node |"));
        assert_eq!(
            line(&table, "| Livraisons par seconde |"),
            "| Livraisons par seconde | 200\u{202f}000 | 400\u{202f}000 | 50\u{202f}000 \
             | 0,5\u{a0}× | 4,0\u{a0}× |"
        );
        // Moins de temps processeur, c'est mieux : le rapport s'inverse.
        assert!(
            line(&table, "| Temps processeur").ends_with(
                "| 1\u{202f}000\u{a0}ns | 500\u{a0}ns | 4\u{202f}000\u{a0}ns | 0,5\u{a0}× | 4,0\u{a0}× |"
            )
        );
        assert!(line(&table, "| Perdues").ends_with("| 0 / 0 / 0 | 0 / 0 / 0 | 3 / 0 / 0 | | |"));
        assert!(line(&table, "| CPU").contains("| 1,20 / 0,50 / 0,10 |"));
    }

    #[test]
    fn without_node_there_is_no_node_column() {
        let servers = [Server::Rust, Server::OneThread];
        let runs = [run(Server::Rust, 2.0, 1.0, 0)];
        let table = senders_table(&summarize(&runs, &servers), &servers, true);
        assert!(
            table.contains("(e) 50 clients dont 10 émetteurs"),
            "{table}"
        );
        assert!(line(&table, "| Mesure |").ends_with("| Rust / un fil |"));
        // Un serveur sans mesure : des tirets, pas des zéros.
        assert!(line(&table, "| Latence p99 |").ends_with("| 8,0\u{a0}ms | — | — |"));
    }

    #[test]
    fn an_older_series_says_it_did_not_play_the_scenario() {
        let servers = [Server::Rust];
        let mut old = run(Server::Rust, 1.0, 1.0, 0);
        old["scenario"] = json!("saturate");
        let table = senders_table(&summarize(&[old], &servers), &servers, false);
        assert_eq!(
            table,
            "\n(e) 1\u{202f}000 clients dont 100 émetteurs\u{a0}: pas mesuré dans cette série.\n"
        );
    }
}
