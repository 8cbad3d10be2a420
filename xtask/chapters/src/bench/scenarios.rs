//! Les serveurs mesurés et les scénarios joués contre eux.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Server {
    /// Le chapitre 5, celui du cours.
    Rust,
    /// Le chapitre 5 sur un seul fil (`bench/one-thread/`) : ce que coûte,
    /// ou rapporte, le runtime multi-fil du cours.
    OneThread,
    /// Le chapitre 5 écrit naïvement (`bench/naive/`) : tokio multi-fil,
    /// socketioxide seul, gestionnaire `async` ordinaire.
    Naive,
    /// Le chapitre 5 en Node.js (`bench/node/server.js`).
    Node,
    /// Un relais WebSocket nu (`bench/relay/`) : le plafond du transport.
    Relay,
    /// Le chapitre 9 (pseudos), un seul processus : la référence du
    /// scénario grappe.
    Ch09,
    /// Le chapitre 12, deux processus reliés par Redis.
    Ch12,
    /// Le chapitre 9 en Node.js sur deux processus, `@socket.io/redis-adapter`
    /// (`bench/node/cluster.js`).
    NodeCluster,
}

impl Server {
    pub(super) const ALL: [Server; 8] = [
        Server::Rust,
        Server::OneThread,
        Server::Naive,
        Server::Node,
        Server::Relay,
        Server::Ch09,
        Server::Ch12,
        Server::NodeCluster,
    ];

    pub(super) fn label(self) -> &'static str {
        match self {
            Server::Rust => "Rust (ch05-broadcast)",
            Server::OneThread => "Rust sur un fil (ch05, current_thread)",
            Server::Naive => "Naïf multi-fil (socketioxide seul)",
            Server::Node => "Node (socket.io 4.8)",
            Server::Relay => "Relais nu (plafond)",
            Server::Ch09 => "Rust, un processus (ch09-pseudos)",
            Server::Ch12 => "Rust, deux processus (ch12-cluster)",
            Server::NodeCluster => "Node, deux processus (redis-adapter)",
        }
    }

    pub(super) fn key(self) -> &'static str {
        match self {
            Server::Rust => "rust",
            Server::OneThread => "one-thread",
            Server::Naive => "naive",
            Server::Node => "node",
            Server::Relay => "relay",
            Server::Ch09 => "ch09",
            Server::Ch12 => "ch12",
            Server::NodeCluster => "node-cluster",
        }
    }

    /// Les serveurs du scénario grappe, à part dans le tableau.
    pub(super) fn is_cluster(self) -> bool {
        matches!(self, Server::Ch09 | Server::Ch12 | Server::NodeCluster)
    }

    /// Processus lancés pour une mesure.
    pub(super) fn processes(self) -> usize {
        match self {
            Server::Ch12 | Server::NodeCluster => 2,
            _ => 1,
        }
    }

    /// Ce serveur a besoin d'un `redis-server` (neuf à chaque mesure).
    pub(super) fn needs_redis(self) -> bool {
        matches!(self, Server::Ch12 | Server::NodeCluster)
    }

    /// Les scénarios joués contre ce serveur.
    pub(super) fn plays(self, scenario: Scenario) -> bool {
        match self {
            Server::Rust | Server::OneThread | Server::Node | Server::Relay => {
                scenario != Scenario::Cluster
            }
            // Le naïf ne sert qu'à montrer le désordre : là où l'on envoie.
            Server::Naive => matches!(
                scenario,
                Scenario::Rate | Scenario::Saturate | Scenario::Senders
            ),
            Server::Ch09 | Server::Ch12 | Server::NodeCluster => scenario == Scenario::Cluster,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Scenario {
    /// (a) 1 000 clients, un émetteur à 100 messages/s pendant 10 s.
    Rate,
    /// (b) 1 000 clients, un émetteur aussi vite que possible (fenêtre bornée).
    Saturate,
    /// (b′) saturation avec quelques clients bloqués qui ne lisent plus.
    Stalled,
    /// (c) 5 000 clients inactifs.
    Idle,
    /// (e) 1 000 clients dont 100 émetteurs, chacun avec un seul message en
    /// route (le suivant part quand le précédent est arrivé chez tous).
    Senders,
    /// (d) 1 000 clients avec pseudos répartis entre les processus, un
    /// émetteur aussi vite que possible (fenêtre bornée).
    Cluster,
}

pub(super) const SCENARIOS: [Scenario; 6] = [
    Scenario::Rate,
    Scenario::Saturate,
    Scenario::Stalled,
    Scenario::Senders,
    Scenario::Idle,
    Scenario::Cluster,
];

impl Scenario {
    pub(super) fn key(self) -> &'static str {
        match self {
            Scenario::Cluster => "cluster",
            Scenario::Rate => "rate",
            Scenario::Saturate => "saturate",
            Scenario::Stalled => "stalled",
            Scenario::Idle => "idle",
            Scenario::Senders => "senders",
        }
    }

    pub(super) fn loadgen_args(self, quick: bool) -> Vec<String> {
        let args: &[&str] = match (self, quick) {
            (Scenario::Rate, false) => &[
                "--scenario",
                "rate",
                "--clients",
                "1000",
                "--rate",
                "100",
                "--seconds",
                "10",
            ],
            (Scenario::Rate, true) => &[
                "--scenario",
                "rate",
                "--clients",
                "50",
                "--rate",
                "100",
                "--seconds",
                "2",
            ],
            (Scenario::Saturate, false) => &[
                "--scenario",
                "saturate",
                "--clients",
                "1000",
                "--seconds",
                "10",
                "--window",
                "100",
            ],
            (Scenario::Saturate, true) => &[
                "--scenario",
                "saturate",
                "--clients",
                "50",
                "--seconds",
                "2",
                "--window",
                "100",
            ],
            (Scenario::Stalled, false) => &[
                "--scenario",
                "saturate",
                "--clients",
                "100",
                "--seconds",
                "10",
                "--window",
                "100",
                "--stalled",
                "5",
            ],
            (Scenario::Stalled, true) => &[
                "--scenario",
                "saturate",
                "--clients",
                "20",
                "--seconds",
                "2",
                "--window",
                "100",
                "--stalled",
                "2",
            ],
            (Scenario::Cluster, false) => &[
                "--scenario",
                "saturate",
                "--clients",
                "1000",
                "--seconds",
                "10",
                "--window",
                "100",
                "--nicknames",
            ],
            (Scenario::Cluster, true) => &[
                "--scenario",
                "saturate",
                "--clients",
                "50",
                "--seconds",
                "2",
                "--window",
                "100",
                "--nicknames",
            ],
            (Scenario::Senders, false) => &[
                "--scenario",
                "senders",
                "--clients",
                "1000",
                "--senders",
                "100",
                "--seconds",
                "10",
            ],
            (Scenario::Senders, true) => &[
                "--scenario",
                "senders",
                "--clients",
                "50",
                "--senders",
                "10",
                "--seconds",
                "2",
            ],
            (Scenario::Idle, false) => &["--scenario", "idle", "--clients", "5000"],
            (Scenario::Idle, true) => &["--scenario", "idle", "--clients", "200"],
        };
        args.iter().map(|s| (*s).to_owned()).collect()
    }
}

pub(super) fn options_label(scenario: Scenario, quick: bool) -> String {
    match (scenario, quick) {
        (Scenario::Rate, false) => "(a) 1 000 clients, 100 msg/s".into(),
        (Scenario::Rate, true) => "(a) 50 clients, 100 msg/s".into(),
        (Scenario::Saturate, false) => "(b) 1 000 clients, saturation".into(),
        (Scenario::Saturate, true) => "(b) 50 clients, saturation".into(),
        (Scenario::Stalled, false) => "(b′) 100 clients dont 5 bloqués".into(),
        (Scenario::Stalled, true) => "(b′) 20 clients dont 2 bloqués".into(),
        (Scenario::Idle, false) => "(c) 5 000 clients inactifs".into(),
        (Scenario::Idle, true) => "(c) 200 clients inactifs".into(),
        (Scenario::Cluster, false) => "(d) 1 000 clients avec pseudos, saturation".into(),
        (Scenario::Cluster, true) => "(d) 50 clients avec pseudos, saturation".into(),
        (Scenario::Senders, false) => "(e) 1 000 clients dont 100 émetteurs".into(),
        (Scenario::Senders, true) => "(e) 50 clients dont 10 émetteurs".into(),
    }
}
