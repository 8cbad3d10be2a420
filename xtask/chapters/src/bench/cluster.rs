//! Le tableau du scénario grappe (d) : le chapitre 12 sur deux processus
//! reliés par Redis, face au chapitre 9 sur un seul et à Node avec
//! `@socket.io/redis-adapter` sur le même Redis.

use std::fmt::Write as _;

use super::format::{fmt, ratio, thousands};
use super::scenarios::options_label;
use super::summary::Summary;
use super::{Scenario, Server};

/// Le tableau, précédé d'une phrase ; vide si aucun serveur du scénario n'a
/// été mesuré.
pub(super) fn cluster_table(s: &Summary, servers: &[Server], quick: bool) -> String {
    let cluster: Vec<Server> = servers
        .iter()
        .copied()
        .filter(|sv| sv.is_cluster())
        .collect();
    if cluster.is_empty() {
        return String::new();
    }
    let mut t = String::new();
    let _ = writeln!(
        t,
        "\n{} : un émetteur, les clients répartis à tour de rôle entre les processus (un seul \
         pour le chapitre 9), un même `redis-server` neuf à chaque mesure pour le chapitre 12 \
         et pour Node.\n",
        options_label(Scenario::Cluster, quick)
    );
    t.push_str(
        "| Serveur | Livraisons par seconde | Par rapport à ch09 | Latence p99 | \
         Perdues / en double / en désordre | CPU des serveurs (cœurs) |\n\
         |---|---:|---:|---:|---:|---:|\n",
    );
    let get = |sv: Server, p: &str| s.median(sv, Scenario::Cluster, p);
    let reference = get(Server::Ch09, "/deliveries_per_s");
    for server in cluster {
        let rate = get(server, "/deliveries_per_s");
        let lost = s.sum(server, Scenario::Cluster, "/lost");
        let dup = s.sum(server, Scenario::Cluster, "/duplicates");
        let ooo = s.sum(server, Scenario::Cluster, "/out_of_order");
        let vs = match ratio(rate, reference) {
            Some(r) => format!("{}\u{a0}%", fmt(Some(r * 100.0), 0)),
            None => "—".to_owned(),
        };
        let p99 = get(server, "/latency_ms/p99").map_or_else(
            || "—".to_owned(),
            |x| format!("{}\u{a0}ms", fmt(Some(x), 1)),
        );
        let _ = writeln!(
            t,
            "| {} | {} | {vs} | {p99} | {} / {} / {} | {} |",
            server.label(),
            rate.map(thousands).unwrap_or_else(|| "—".to_owned()),
            thousands(lost),
            thousands(dup),
            thousands(ooo),
            fmt(get(server, "/cpu/server_cores"), 2),
        );
    }
    t
}
