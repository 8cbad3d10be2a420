//! `cargo xtask bench [--vs-node] [--quick]` : la vitesse du chat, mesurée sur
//! la machine de l'étudiant.
//!
//! Trois serveurs, compilés en `--release` et relancés à neuf pour chaque
//! mesure : le chapitre 5 (`ch05-broadcast`), le même chapitre écrit en
//! Node.js (Express + socket.io 4.8, `bench/node/`, avec `--vs-node`) et un
//! relais WebSocket nu (`bench/relay/`), le plafond de ce que permet le
//! transport seul. Le générateur de charge (`bench/loadgen/`) joue quatre
//! scénarios contre chacun, en alternance (A B C A B C…, trois répétitions),
//! et l'on garde la médiane. Le temps processeur du serveur, du générateur et
//! du reste de la machine est relevé à chaque mesure : une machine occupée
//! par autre chose se voit.
//!
//! Sortie : un tableau Markdown (affiché, et écrit dans l'annexe du livre
//! `book/src/annexe-performances.md`), un graphique SVG
//! (`book/src/images/bench-resultats.svg`) et le détail de chaque mesure dans
//! `target/bench/`. Avec `--quick`, quelques clients et quelques secondes :
//! de quoi vérifier que tout marche, rien n'est écrit dans le livre.
//!
//! La boucle de l'étudiant est mesurée aussi : compilation à froid de
//! `ch05-broadcast` (profil `dev`), puis le temps entre la modification de
//! `main.rs` et le serveur qui répond de nouveau.

use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant, SystemTime};

use serde_json::{Value, json};

use crate::french::count;
use crate::repository_root;

const HELP: &str = "\
Utilisation : cargo xtask bench [--vs-node] [--quick] [--reps N]

  --vs-node   compare avec le même chapitre en Node.js (Express + socket.io 4.8)
  --quick     quelques clients, quelques secondes : vérifie que tout marche
              (rien n'est écrit dans le livre)
  --reps N    répétitions de chaque mesure (3 par défaut, 1 avec --quick)
  --report F  refait tableau, annexe et graphique depuis un results.json
";

const ANNEX: &str = "book/src/annexe-performances.md";
const PLOT: &str = "book/src/images/bench-resultats.svg";
const BEGIN: &str = "<!-- bench:début (écrit par cargo xtask bench) -->";
const END: &str = "<!-- bench:fin -->";
/// Temps maximal d'une mesure (connexions, envoi, vidange comprises).
const RUN_TIMEOUT: Duration = Duration::from_secs(240);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Server {
    Rust,
    Node,
    Relay,
}

impl Server {
    fn label(self) -> &'static str {
        match self {
            Server::Rust => "Rust (ch05-broadcast)",
            Server::Node => "Node (socket.io 4.8)",
            Server::Relay => "Relais nu (plafond)",
        }
    }
    fn key(self) -> &'static str {
        match self {
            Server::Rust => "rust",
            Server::Node => "node",
            Server::Relay => "relay",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scenario {
    /// (a) 1 000 clients, un émetteur à 100 messages/s pendant 10 s.
    Rate,
    /// (b) 1 000 clients, un émetteur aussi vite que possible (fenêtre bornée).
    Saturate,
    /// (b′) saturation avec quelques clients bloqués qui ne lisent plus.
    Stalled,
    /// (c) 5 000 clients inactifs.
    Idle,
}

const SCENARIOS: [Scenario; 4] = [
    Scenario::Rate,
    Scenario::Saturate,
    Scenario::Stalled,
    Scenario::Idle,
];

impl Scenario {
    fn key(self) -> &'static str {
        match self {
            Scenario::Rate => "rate",
            Scenario::Saturate => "saturate",
            Scenario::Stalled => "stalled",
            Scenario::Idle => "idle",
        }
    }

    fn loadgen_args(self, quick: bool) -> Vec<String> {
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
            (Scenario::Idle, false) => &["--scenario", "idle", "--clients", "5000"],
            (Scenario::Idle, true) => &["--scenario", "idle", "--clients", "200"],
        };
        args.iter().map(|s| (*s).to_owned()).collect()
    }
}

struct Options {
    vs_node: bool,
    quick: bool,
    reps: usize,
    /// Refaire le tableau, l'annexe et le graphique d'une mesure déjà faite.
    report: Option<PathBuf>,
}

fn parse(args: &[String]) -> Result<Option<Options>, String> {
    let mut options = Options {
        vs_node: false,
        quick: false,
        reps: 0,
        report: None,
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--vs-node" => options.vs_node = true,
            "--quick" => options.quick = true,
            "--reps" => {
                let n = it.next().and_then(|n| n.parse().ok()).filter(|&n| n > 0);
                options.reps =
                    n.ok_or("--reps attend un nombre entier strictement positif (1, 2, 3…).")?;
            }
            "--report" => {
                let file = it
                    .next()
                    .ok_or("--report attend un fichier results.json.")?;
                options.report = Some(PathBuf::from(file));
            }
            "-h" | "--help" => {
                print!("{HELP}");
                return Ok(None);
            }
            other => return Err(format!("option inconnue : « {other} ».\n\n{HELP}")),
        }
    }
    if options.reps == 0 {
        options.reps = if options.quick { 1 } else { 3 };
    }
    Ok(Some(options))
}

pub fn run(args: &[String]) -> Result<(), String> {
    let Some(options) = parse(args)? else {
        return Ok(());
    };
    let root = repository_root();
    let out_dir = target_dir(&root).join("bench");
    std::fs::create_dir_all(&out_dir).map_err(|e| format!("{}: {e}", out_dir.display()))?;
    if let Some(file) = &options.report {
        let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
        let raw: Value =
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", file.display()))?;
        let options = Options {
            vs_node: raw["options"]["vs_node"].as_bool().unwrap_or(true),
            quick: raw["options"]["quick"].as_bool().unwrap_or(false),
            reps: raw["options"]["reps"].as_u64().unwrap_or(3) as usize,
            report: None,
        };
        let runs: Vec<Value> = raw["runs"].as_array().cloned().unwrap_or_default();
        let servers: Vec<Server> = [Server::Rust, Server::Node, Server::Relay]
            .into_iter()
            .filter(|sv| runs.iter().any(|r| r["server"] == sv.key()))
            .collect();
        return publish(
            &root,
            &out_dir,
            &options,
            &servers,
            runs,
            &raw["student_loop"],
            &raw["machine"],
        );
    }

    println!("Compilation en mode release (ch05-broadcast, loadgen, relay)…");
    let binaries = build_release(&root, &["ch05-broadcast", "loadgen", "relay"])?;
    let loadgen = binaries[1].clone();

    let mut servers = vec![Server::Rust];
    let node = if options.vs_node {
        prepare_node(&root)
    } else {
        None
    };
    if node.is_some() {
        servers.push(Server::Node);
    }
    servers.push(Server::Relay);

    let command_of = |server: Server| -> Vec<String> {
        match server {
            Server::Rust => vec![binaries[0].display().to_string()],
            Server::Relay => vec![binaries[2].display().to_string()],
            Server::Node => vec![
                node.clone().unwrap_or_else(|| "node".to_owned()),
                root.join("bench/node/server.js").display().to_string(),
            ],
        }
    };

    // A B C A B C… : chaque répétition passe par tous les serveurs, chaque
    // mesure sur un processus neuf.
    let total = options.reps * SCENARIOS.len() * servers.len();
    let mut runs: Vec<Value> = Vec::new();
    let mut done = 0;
    for rep in 1..=options.reps {
        for scenario in SCENARIOS {
            for &server in &servers {
                done += 1;
                print!(
                    "[{done}/{total}] répétition {rep}, scénario {}, {} … ",
                    scenario.key(),
                    server.label()
                );
                flush();
                let result = measure(
                    &command_of(server),
                    &loadgen,
                    &scenario.loadgen_args(options.quick),
                );
                let mut record = json!({
                    "server": server.key(),
                    "scenario": scenario.key(),
                    "rep": rep,
                });
                match result {
                    Ok((mut value, slow_lines)) => {
                        add_cpu_per_delivery(&mut value);
                        println!("{}", one_line(&value));
                        record["result"] = value;
                        record["slow_lines"] = json!(slow_lines);
                    }
                    Err(e) => {
                        println!("échec : {e}");
                        record["error"] = json!(e);
                    }
                }
                runs.push(record);
            }
        }
    }

    let student = student_loop(&root, options.quick)?;
    let machine = describe_machine(node.as_deref());

    publish(
        &root, &out_dir, &options, &servers, runs, &student, &machine,
    )
}

/// Le tableau (affiché et écrit), le graphique, le détail en JSON.
fn publish(
    root: &Path,
    out_dir: &Path,
    options: &Options,
    servers: &[Server],
    mut runs: Vec<Value>,
    student: &Value,
    machine: &Value,
) -> Result<(), String> {
    for run in &mut runs {
        if let Some(result) = run.get_mut("result") {
            add_cpu_per_delivery(result);
        }
    }
    let summary = summarize(&runs, servers);
    let table = french(&markdown(
        &summary, servers, student, machine, options, &runs,
    ));
    println!("\n{table}");

    let raw = json!({
        "options": { "vs_node": options.vs_node, "quick": options.quick, "reps": options.reps },
        "machine": machine,
        "student_loop": student,
        "runs": runs,
    });
    if options.report.is_none() {
        write(
            &out_dir.join("results.json"),
            &serde_json::to_string_pretty(&raw).unwrap_or_default(),
        )?;
    }
    write(&out_dir.join("table.md"), &table)?;
    let svg = plot(&summary, servers);
    if options.quick {
        write(&out_dir.join("bench-resultats.svg"), &svg)?;
        println!(
            "Mode --quick : rien n'est écrit dans le livre ; résultats dans {}.",
            out_dir.display()
        );
    } else {
        write(&root.join(PLOT), &svg)?;
        update_annex(&root.join(ANNEX), &table)?;
        println!("Tableau écrit dans {ANNEX}, graphique dans {PLOT}.");
    }
    Ok(())
}

fn flush() {
    use std::io::Write;
    std::io::stdout().flush().ok();
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
}

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned())
}

/// Compile `packages` en release ; renvoie leurs exécutables, dans l'ordre.
fn build_release(root: &Path, packages: &[&str]) -> Result<Vec<PathBuf>, String> {
    let mut command = Command::new(cargo());
    command
        .current_dir(root)
        .args(["build", "--release", "--bins"])
        .arg("--message-format=json-render-diagnostics")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    for p in packages {
        command.args(["-p", p]);
    }
    let output = command
        .output()
        .map_err(|e| format!("impossible de lancer cargo build : {e}"))?;
    if !output.status.success() {
        return Err("la compilation a échoué (voir ci-dessus).".to_owned());
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    packages
        .iter()
        .map(|name| {
            stdout
                .lines()
                .filter_map(|l| serde_json::from_str::<Value>(l).ok())
                .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == *name)
                .find_map(|m| m["executable"].as_str().map(PathBuf::from))
                .ok_or_else(|| format!("cargo n'a pas produit l'exécutable de {name}."))
        })
        .collect()
}

/// Vérifie Node.js et installe `bench/node/node_modules` si besoin
/// (`npm ci`). Renvoie la commande `node`, ou `None` (et le dit) si la
/// comparaison est impossible.
fn prepare_node(root: &Path) -> Option<String> {
    let found = Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        println!(
            "Node.js est introuvable (commande « node ») : la comparaison est sautée, seul le \
             serveur Rust (et le relais de référence) est mesuré. Installez Node.js 18 ou plus \
             pour comparer."
        );
        return None;
    }
    let dir = root.join("bench/node");
    if !dir.join("node_modules/socket.io").exists() {
        println!("Installation des dépendances Node (npm ci dans bench/node)…");
        let status = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&dir)
            .status();
        if !matches!(status, Ok(s) if s.success()) {
            println!(
                "« npm ci » a échoué dans bench/node : la comparaison avec Node est sautée, seul \
                 Rust est mesuré."
            );
            return None;
        }
    }
    Some("node".to_owned())
}

/// Une commande lancée avec autant de descripteurs de fichiers que le
/// système le permet (5 000 clients : 10 000 sockets de part et d'autre).
fn with_open_files_limit(argv: &[String]) -> Command {
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg(r#"ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$@""#)
        .arg("sh")
        .args(argv);
    command
}

/// Un serveur neuf, le générateur de charge contre lui, puis l'arrêt.
/// Renvoie la ligne JSON du générateur et le nombre de lignes « trop lent »
/// écrites par le serveur.
fn measure(server: &[String], loadgen: &Path, args: &[String]) -> Result<(Value, u64), String> {
    let mut child = with_open_files_limit(server)
        .env("PORT", "0")
        .env("HOST", "127.0.0.1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("impossible de lancer {} : {e}", server.join(" ")))?;
    let result = drive(&mut child, loadgen, args);
    child.kill().ok();
    child.wait().ok();
    result
}

fn drive(child: &mut Child, loadgen: &Path, args: &[String]) -> Result<(Value, u64), String> {
    let stdout = child.stdout.take().ok_or("pas de sortie standard")?;
    let mut stderr = child.stderr.take().ok_or("pas de sortie d'erreur")?;
    thread::spawn(move || {
        let mut sink = String::new();
        stderr.read_to_string(&mut sink).ok();
    });
    // La ligne « prêt », puis tout le reste lu (sinon le tuyau se remplit et
    // le serveur bloque) ; on compte les déconnexions de clients trop lents.
    let (ready_tx, ready_rx) = mpsc::channel();
    let slow = Arc::new(AtomicU64::new(0));
    let slow_count = slow.clone();
    thread::spawn(move || {
        let mut ready = Some(ready_tx);
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if let Some(port) = line
                .strip_prefix("Adresse du serveur : http://localhost:")
                .and_then(|p| p.trim().parse::<u16>().ok())
                && let Some(tx) = ready.take()
            {
                tx.send(port).ok();
            }
            if line.contains("trop lent") {
                slow_count.fetch_add(1, Ordering::Relaxed);
            }
        }
    });
    let port = ready_rx
        .recv_timeout(Duration::from_secs(20))
        .map_err(|_| "le serveur n'a pas affiché sa ligne « Adresse du serveur » en 20 s")?;
    thread::sleep(Duration::from_millis(200));

    let mut argv = vec![loadgen.display().to_string()];
    argv.extend(["--port".to_owned(), port.to_string()]);
    argv.extend(["--pid".to_owned(), child.id().to_string()]);
    argv.extend(args.iter().cloned());
    let mut gen_child = with_open_files_limit(&argv)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("impossible de lancer loadgen : {e}"))?;
    let mut out = gen_child.stdout.take().ok_or("pas de sortie standard")?;
    let mut err = gen_child.stderr.take().ok_or("pas de sortie d'erreur")?;
    let out_thread = thread::spawn(move || {
        let mut s = String::new();
        out.read_to_string(&mut s).ok();
        s
    });
    let err_thread = thread::spawn(move || {
        let mut s = String::new();
        err.read_to_string(&mut s).ok();
        s
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = gen_child.try_wait().map_err(|e| e.to_string())? {
            break status;
        }
        if started.elapsed() > RUN_TIMEOUT {
            gen_child.kill().ok();
            gen_child.wait().ok();
            return Err(format!("loadgen dépasse {} s", RUN_TIMEOUT.as_secs()));
        }
        thread::sleep(Duration::from_millis(50));
    };
    let stdout = out_thread.join().unwrap_or_default();
    let stderr = err_thread.join().unwrap_or_default();
    if !status.success() {
        return Err(format!("loadgen : {}", stderr.trim()));
    }
    let value: Value = serde_json::from_str(stdout.trim())
        .map_err(|e| format!("sortie de loadgen illisible ({e}) : {stdout}"))?;
    // Laisser le serveur écrire ses dernières lignes.
    thread::sleep(Duration::from_millis(100));
    Ok((value, slow.load(Ordering::Relaxed)))
}

/// Le temps processeur du serveur par livraison, en nanosecondes : une
/// mesure de son efficacité qui dépend peu de ce que font les autres
/// processus (à l'inverse du débit, qui baisse quand on lui prend un cœur).
fn add_cpu_per_delivery(v: &mut Value) {
    let f = |p: &str| v.pointer(p).and_then(Value::as_f64);
    if let (Some(cores), Some(wall), Some(delivered)) =
        (f("/cpu/server_cores"), f("/cpu/wall_s"), f("/delivered"))
        && delivered > 0.0
    {
        v["server_ns_per_delivery"] = json!(cores * wall / delivered * 1e9);
    }
}

fn one_line(v: &Value) -> String {
    let f = |p: &str| v.pointer(p).and_then(Value::as_f64);
    let cpu = match (f("/cpu/server_cores"), f("/cpu/other_cores")) {
        (Some(s), Some(o)) => format!(
            ", CPU serveur {}, autres {}",
            fmt(Some(s), 2),
            fmt(Some(o), 2)
        ),
        _ => String::new(),
    };
    match v["scenario"].as_str() {
        Some("idle") => format!(
            "{} Kio/connexion, connexion en {} s{cpu}",
            fmt(f("/rss_per_conn_kib"), 1),
            fmt(f("/connect_s"), 2)
        ),
        _ => format!(
            "{} livraisons/s, p99 {} ms, perdus {}, désordre {}{cpu}",
            thousands(f("/deliveries_per_s").unwrap_or(0.0)),
            fmt(f("/latency_ms/p99"), 1),
            v["lost"],
            v["out_of_order"]
        ),
    }
}

// ---------------------------------------------------------------------------
// Médianes et tableau

/// La médiane (moyenne des deux du milieu pour un nombre pair de valeurs).
fn median(values: &[f64]) -> Option<f64> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    })
}

/// Médianes par (serveur, scénario, mesure) ; sommes pour les compteurs.
struct Summary {
    runs: Vec<Value>,
}

impl Summary {
    fn values(&self, server: Server, scenario: Scenario, pointer: &str) -> Vec<f64> {
        self.runs
            .iter()
            .filter(|r| r["server"] == server.key() && r["scenario"] == scenario.key())
            .filter_map(|r| r["result"].pointer(pointer).and_then(Value::as_f64))
            .collect()
    }
    fn median(&self, server: Server, scenario: Scenario, pointer: &str) -> Option<f64> {
        median(&self.values(server, scenario, pointer))
    }
    fn max(&self, server: Server, scenario: Scenario, pointer: &str) -> Option<f64> {
        self.values(server, scenario, pointer)
            .into_iter()
            .reduce(f64::max)
    }
    fn sum(&self, server: Server, scenario: Scenario, pointer: &str) -> f64 {
        self.values(server, scenario, pointer).iter().sum()
    }
    fn failures(&self, server: Server) -> usize {
        self.runs
            .iter()
            .filter(|r| r["server"] == server.key() && r.get("error").is_some())
            .count()
    }
    /// Pertes silencieuses, doublons, désordre : sur toutes les mesures de
    /// livraison de ce serveur.
    fn integrity(&self, server: Server) -> (f64, f64, f64) {
        let mut t = (0.0, 0.0, 0.0);
        for s in [Scenario::Rate, Scenario::Saturate, Scenario::Stalled] {
            t.0 += self.sum(server, s, "/lost");
            t.1 += self.sum(server, s, "/duplicates");
            t.2 += self.sum(server, s, "/out_of_order");
        }
        t
    }
}

fn summarize(runs: &[Value], _servers: &[Server]) -> Summary {
    Summary {
        runs: runs.to_vec(),
    }
}

fn thousands(x: f64) -> String {
    let n = x.round() as i64;
    let s = n.abs().to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push('\u{202f}');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

fn fmt(x: Option<f64>, decimals: usize) -> String {
    match x {
        Some(x) => format!("{x:.decimals$}").replace('.', ","),
        None => "—".to_owned(),
    }
}

fn ratio(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) if b > 0.0 => Some(a / b),
        _ => None,
    }
}

fn markdown(
    s: &Summary,
    servers: &[Server],
    student: &Value,
    machine: &Value,
    options: &Options,
    runs: &[Value],
) -> String {
    use Scenario::*;
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
            let r = if higher_is_better {
                ratio(rust, other)
            } else {
                ratio(other, rust)
            };
            match (r, percent) {
                (Some(r), true) => format!("{} %", fmt(Some(r * 100.0), 0)),
                (Some(r), false) => format!("{} ×", fmt(Some(r), 1)),
                (None, _) => "—".to_owned(),
            }
        };
        if has_node {
            let _ = write!(t, " {} |", show_ratio(get(Server::Node), false));
        }
        let _ = writeln!(t, " {} |", show_ratio(get(Server::Relay), true));
    };
    let per_s = |x: Option<f64>| x.map(thousands).unwrap_or_else(|| "—".to_owned());
    let ms = |x: Option<f64>| format!("{} ms", fmt(x, 1));
    let kib = |x: Option<f64>| format!("{} Kio", fmt(x, 1));
    let secs = |x: Option<f64>| format!("{} s", fmt(x, 2));
    let mib = |x: Option<f64>| format!("{} Mio", fmt(x.map(|k| k / 1024.0), 0));

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
        &|x| format!("{} ns", x.map(thousands).unwrap_or_else(|| "—".to_owned())),
        false,
    );
    row(
        format!("{rate} : temps processeur du serveur par livraison"),
        &|sv| s.median(sv, Rate, "/server_ns_per_delivery"),
        &|x| format!("{} ns", x.map(thousands).unwrap_or_else(|| "—".to_owned())),
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
        let _ = write!(t, " {} / {} / {} |", l, d, o);
    }
    t.push_str(&" |".repeat(usize::from(has_node) + 1));
    t.push('\n');
    let _ = write!(
        t,
        "| {stalled} : clients bloqués déconnectés (sur toutes les mesures) |"
    );
    for &server in servers {
        let _ = write!(
            t,
            " {} / {} |",
            s.sum(server, Stalled, "/stalled_disconnected"),
            s.sum(server, Stalled, "/stalled")
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
    let noise = median(
        &s.runs
            .iter()
            .filter_map(|r| {
                r["result"]
                    .pointer("/cpu/other_cores")
                    .and_then(Value::as_f64)
            })
            .collect::<Vec<_>>(),
    );
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
    let failures: usize = servers.iter().map(|&sv| s.failures(sv)).sum();
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

    // La boucle de l'étudiant.
    let _ = writeln!(
        t,
        "\nLa boucle de l'étudiant (`ch05-broadcast`, profil `dev`) :\n"
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
        "- `main.rs` modifié → recompilé : {} s, → serveur de nouveau prêt : {} s (médiane de {}).",
        fmt(student["rebuild_s"].as_f64(), 2),
        fmt(student["edit_to_ready_s"].as_f64(), 2),
        count(
            usize::try_from(student["tries"].as_u64().unwrap_or(0)).unwrap_or(0),
            "essai",
            "essais"
        )
    );

    // Les objectifs.
    let _ = writeln!(t, "\nObjectifs du ticket, sur cette mesure :\n");
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
    let _ = runs;
    t
}

/// La typographie française du livre (vérifiée par `cargo xtask book`) :
/// espace insécable avant `: ; ! ?` et `»`, après `«`, espace fine
/// insécable entre les groupes de chiffres. Le code en ligne n'est pas
/// touché.
fn french(text: &str) -> String {
    const NBSP: char = '\u{a0}';
    const THIN: char = '\u{202f}';
    let mut out = String::with_capacity(text.len());
    for (n, line) in text.split('\n').enumerate() {
        if n > 0 {
            out.push('\n');
        }
        let chars: Vec<char> = line.chars().collect();
        let mut code = false;
        for (i, &c) in chars.iter().enumerate() {
            if c == '`' {
                code = !code;
            }
            if c != ' ' || code {
                out.push(c);
                continue;
            }
            let next = chars.get(i + 1).copied();
            let prev = i.checked_sub(1).map(|p| chars[p]);
            let thousands = prev.is_some_and(|p| p.is_ascii_digit())
                && chars.len() >= i + 4
                && chars[i + 1..i + 4].iter().all(char::is_ascii_digit)
                && chars.get(i + 4).is_none_or(|d| !d.is_ascii_digit());
            let before_mark = matches!(next, Some(':' | ';' | '?' | '»'))
                || (next == Some('!') && chars.get(i + 2) != Some(&'['));
            out.push(if before_mark || prev == Some('«') {
                NBSP
            } else if thousands {
                THIN
            } else {
                ' '
            });
        }
    }
    out
}

fn options_label(scenario: Scenario, quick: bool) -> String {
    match (scenario, quick) {
        (Scenario::Rate, false) => "(a) 1 000 clients, 100 msg/s".into(),
        (Scenario::Rate, true) => "(a) 50 clients, 100 msg/s".into(),
        (Scenario::Saturate, false) => "(b) 1 000 clients, saturation".into(),
        (Scenario::Saturate, true) => "(b) 50 clients, saturation".into(),
        (Scenario::Stalled, false) => "(b′) 100 clients dont 5 bloqués".into(),
        (Scenario::Stalled, true) => "(b′) 20 clients dont 2 bloqués".into(),
        (Scenario::Idle, false) => "(c) 5 000 clients inactifs".into(),
        (Scenario::Idle, true) => "(c) 200 clients inactifs".into(),
    }
}

fn today() -> String {
    Command::new("date")
        .arg("+%Y-%m-%d")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "?".to_owned())
}

fn command_line(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

fn describe_machine(node: Option<&str>) -> Value {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split(':').nth(1))
        .map(|s| s.trim().to_owned())
        .unwrap_or_else(|| "processeur inconnu".to_owned());
    let cores = thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    let mem_gib = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|k| k.parse::<f64>().ok())
        })
        .map(|k| k / 1024.0 / 1024.0);
    let kernel = command_line("uname", &["-sr"]).unwrap_or_default();
    let rustc = command_line("rustc", &["--version"]).unwrap_or_default();
    let node_version = node.and_then(|n| command_line(n, &["--version"]));
    let summary = format!(
        "{cores} cœurs ({model}), {} Gio de mémoire, {kernel}, {rustc}{}",
        fmt(mem_gib, 0),
        node_version
            .as_ref()
            .map(|v| format!(", Node.js {v}"))
            .unwrap_or_default()
    );
    json!({
        "cpu": model, "cores": cores, "memory_gib": mem_gib, "kernel": kernel,
        "rustc": rustc, "node": node_version, "summary": summary,
    })
}

// ---------------------------------------------------------------------------
// La boucle de l'étudiant

fn student_loop(root: &Path, quick: bool) -> Result<Value, String> {
    let main_rs = root.join("chapters/ch05-broadcast/src/main.rs");
    let mut cold = None;
    if !quick {
        println!("Compilation à froid de ch05-broadcast (dossier target vide)…");
        let cold_dir = target_dir(root).join("bench-cold");
        std::fs::remove_dir_all(&cold_dir).ok();
        let t = Instant::now();
        cargo_build_dev(root, Some(&cold_dir))?;
        cold = Some(t.elapsed().as_secs_f64());
        std::fs::remove_dir_all(&cold_dir).ok();
    }
    // La cible habituelle, à jour, puis : modifier main.rs, recompiler,
    // relancer jusqu'à la ligne « prêt ».
    let binary = cargo_build_dev(root, None)?;
    let tries = if quick { 1 } else { 3 };
    let (mut rebuilds, mut readies) = (Vec::new(), Vec::new());
    for _ in 0..tries {
        touch(&main_rs)?;
        let t = Instant::now();
        cargo_build_dev(root, None)?;
        let rebuilt = t.elapsed().as_secs_f64();
        wait_ready(&binary)?;
        rebuilds.push(rebuilt);
        readies.push(t.elapsed().as_secs_f64());
    }
    let value = json!({
        "cold_build_s": cold,
        "rebuild_s": median(&rebuilds),
        "edit_to_ready_s": median(&readies),
        "tries": tries,
        "all_rebuilds_s": rebuilds,
        "all_edit_to_ready_s": readies,
    });
    println!(
        "Boucle de l'étudiant : recompilation {} s, serveur prêt {} s après la modification.",
        fmt(value["rebuild_s"].as_f64(), 2),
        fmt(value["edit_to_ready_s"].as_f64(), 2)
    );
    Ok(value)
}

fn cargo_build_dev(root: &Path, target: Option<&Path>) -> Result<PathBuf, String> {
    let mut command = Command::new(cargo());
    command
        .current_dir(root)
        .args(["build", "-p", "ch05-broadcast", "--bin", "ch05-broadcast"])
        .arg("--message-format=json-render-diagnostics")
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    if let Some(dir) = target {
        command.env("CARGO_TARGET_DIR", dir);
    }
    let output = command
        .output()
        .map_err(|e| format!("impossible de lancer cargo build : {e}"))?;
    if !output.status.success() {
        return Err("cargo build -p ch05-broadcast a échoué.".to_owned());
    }
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find_map(|m| {
            (m["reason"] == "compiler-artifact" && m["target"]["name"] == "ch05-broadcast")
                .then(|| m["executable"].as_str().map(PathBuf::from))
                .flatten()
        })
        .ok_or_else(|| "cargo n'a pas produit l'exécutable de ch05-broadcast.".to_owned())
}

/// « Modifie » `main.rs` sans en changer le contenu : sa date suffit à cargo.
fn touch(path: &Path) -> Result<(), String> {
    let file = std::fs::File::options()
        .append(true)
        .open(path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    file.set_modified(SystemTime::now())
        .map_err(|e| format!("{}: {e}", path.display()))
}

fn wait_ready(binary: &Path) -> Result<(), String> {
    let mut child = Command::new(binary)
        .env("PORT", "0")
        .env("HOST", "127.0.0.1")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("impossible de lancer {} : {e}", binary.display()))?;
    let stdout = child.stdout.take().ok_or("pas de sortie standard")?;
    let mut lines = BufReader::new(stdout).lines();
    let ready = lines.any(|l| {
        l.map(|l| l.starts_with("Adresse du serveur : "))
            .unwrap_or(false)
    });
    child.kill().ok();
    child.wait().ok();
    if ready {
        Ok(())
    } else {
        Err("ch05-broadcast ne s'est pas mis en écoute.".to_owned())
    }
}

// ---------------------------------------------------------------------------
// L'annexe et le graphique

fn update_annex(path: &Path, table: &str) -> Result<(), String> {
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

/// Trois panneaux de barres horizontales, un par mesure, un serveur par
/// barre. Du SVG écrit à la main : pas de dépendance, et un texte que mdBook
/// affiche tel quel.
fn plot(s: &Summary, servers: &[Server]) -> String {
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
    };
    let (width, label_w, bar_h, gap) = (760.0, 200.0, 22.0, 6.0);
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

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even_series() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(median(&[f64::NAN]), None);
        assert_eq!(median(&[]), None);
    }

    #[test]
    fn french_typography_in_generated_text() {
        assert_eq!(
            french("(a) 1 000 clients : p99 ; « bruit » ! `a : b` ![img](x)"),
            "(a) 1\u{202f}000 clients\u{a0}: p99\u{a0}; «\u{a0}bruit\u{a0}»\u{a0}! `a : b` ![img](x)"
        );
        assert_eq!(
            french("| 15 / 15 | 8,3 × | 10 000 000 |"),
            "| 15 / 15 | 8,3 × | 10\u{202f}000\u{202f}000 |"
        );
    }

    #[test]
    fn thousands_are_separated() {
        assert_eq!(thousands(1_624_000.4), "1\u{202f}624\u{202f}000");
        assert_eq!(thousands(999.0), "999");
    }

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
