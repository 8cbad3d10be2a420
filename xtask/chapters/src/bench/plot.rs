//! Le graphique SVG de l'annexe.

use std::fmt::Write as _;

use super::format::{fmt, thousands};
use super::summary::Summary;
use super::{Scenario, Server};

/// Trois panneaux de barres horizontales, un par mesure, un serveur par
/// barre. Du SVG écrit à la main : pas de dépendance, et un texte que mdBook
/// affiche tel quel.
pub(super) fn plot(s: &Summary, servers: &[Server]) -> String {
    let main: Vec<Server> = servers
        .iter()
        .copied()
        .filter(|sv| !sv.is_cluster())
        .collect();
    let servers = &main[..];
    use Scenario::*;
    struct Panel {
        title: &'static str,
        scenario: Scenario,
        pointer: &'static str,
        decimals: Option<usize>,
    }
    let panels = [
        Panel {
            title: "Livraisons par seconde en saturation (plus = mieux)",
            scenario: Saturate,
            pointer: "/deliveries_per_s",
            decimals: None,
        },
        Panel {
            title: "Latence p99 à 100 messages/s, en ms (moins = mieux)",
            scenario: Rate,
            pointer: "/latency_ms/p99",
            decimals: Some(1),
        },
        Panel {
            title: "Mémoire par connexion inactive, en Kio (moins = mieux)",
            scenario: Idle,
            pointer: "/rss_per_conn_kib",
            decimals: Some(1),
        },
    ];
    let colors = |server: Server| match server {
        Server::Rust => "#b7410e",
        Server::Node => "#3c873a",
        Server::Relay => "#7a7a7a",
        Server::Naive => "#d9a441",
        Server::OneThread => "#e08a5c",
        // Pas dans ce graphique (scénario grappe, tableau à part).
        Server::Ch09 | Server::Ch12 | Server::NodeCluster => "#4a6fa5",
    };
    let (width, label_w, bar_h, gap) = (840.0, 270.0, 22.0, 6.0);
    let panel_h = 34.0 + servers.len() as f64 * (bar_h + gap) + 14.0;
    let height = panel_h * panels.len() as f64 + 10.0;
    let mut svg = String::new();
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="13">"#
    );
    let _ = writeln!(
        svg,
        r##"<rect width="100%" height="100%" fill="#ffffff"/>"##
    );
    for (i, panel) in panels.iter().enumerate() {
        let (title, scenario, pointer) = (panel.title, panel.scenario, panel.pointer);
        let y0 = i as f64 * panel_h + 10.0;
        let _ = writeln!(
            svg,
            r#"<text x="10" y="{:.0}" font-weight="bold">{}</text>"#,
            y0 + 16.0,
            escape(title)
        );
        let values: Vec<Option<f64>> = servers
            .iter()
            .map(|&sv| s.median(sv, scenario, pointer))
            .collect();
        let max = values.iter().flatten().copied().fold(0.0, f64::max);
        for (j, (&server, value)) in servers.iter().zip(&values).enumerate() {
            let y = y0 + 28.0 + j as f64 * (bar_h + gap);
            let _ = writeln!(
                svg,
                r#"<text x="{:.0}" y="{:.0}" text-anchor="end">{}</text>"#,
                label_w - 8.0,
                y + bar_h * 0.7,
                escape(server.label())
            );
            let avail = width - label_w - 110.0;
            let w = match value {
                Some(v) if max > 0.0 => (v / max * avail).max(1.0),
                _ => 0.0,
            };
            let _ = writeln!(
                svg,
                r#"<rect x="{label_w:.0}" y="{y:.0}" width="{w:.1}" height="{bar_h:.0}" fill="{}"/>"#,
                colors(server)
            );
            let text = match (value, panel.decimals) {
                (Some(v), Some(d)) => fmt(Some(*v), d),
                (Some(v), None) => thousands(*v),
                (None, _) => "non mesuré".to_owned(),
            };
            let _ = writeln!(
                svg,
                r#"<text x="{:.1}" y="{:.0}">{}</text>"#,
                label_w + w + 6.0,
                y + bar_h * 0.7,
                escape(&text)
            );
        }
    }
    svg.push_str("</svg>\n");
    svg
}

pub(super) fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
