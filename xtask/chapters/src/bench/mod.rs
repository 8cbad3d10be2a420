//! `cargo xtask bench [--vs-node] [--quick]` : la vitesse du chat, mesurée sur
//! la machine de l'étudiant.
//!
//! Les serveurs, compilés en `--release` et relancés à neuf pour chaque
//! mesure : le chapitre 5 (`ch05-broadcast`), le même chapitre écrit
//! naïvement (`bench/naive/` : tokio multi-fil, socketioxide seul, pour
//! montrer le désordre qu'évite la conception du cours), le même chapitre
//! écrit en Node.js (Express + socket.io 4.8, `bench/node/`, avec
//! `--vs-node`) et un relais WebSocket nu (`bench/relay/`), le plafond de ce
//! que permet le transport seul. Le générateur de charge (`bench/loadgen/`)
//! joue cinq scénarios contre chacun (le serveur naïf : les trois qui
//! envoient), en alternance (A B C A B C…, trois répétitions), et l'on garde
//! la médiane. Le scénario (e) fait parler cent clients à la fois, chacun
//! avec un seul message en route ; son tableau est à part (`senders.rs`),
//! avec le temps processeur par livraison et les rapports au même chapitre
//! sur un fil et à Node. Le temps processeur du serveur, du générateur et du reste de
//! la machine est relevé à chaque mesure : une machine occupée par autre
//! chose se voit.
//!
//! Le scénario (d), la grappe, a ses propres serveurs : le chapitre 9
//! (`ch09-pseudos`, un processus), le chapitre 12 (`ch12-cluster`, deux
//! processus) et, avec `--vs-node`, le chapitre 9 en Node sur deux processus
//! avec `@socket.io/redis-adapter` (`bench/node/cluster.js`) ; les deux
//! derniers sur un même `redis-server` lancé pour la mesure et arrêté après.
//!
//! Sortie : un tableau Markdown (affiché, et écrit dans l'annexe du livre
//! `book/src/annexe-performances.md`), un graphique SVG
//! (`book/src/images/bench-resultats.svg`) et le détail de chaque mesure dans
//! `target/bench/`. Avec `--quick`, quelques clients et quelques secondes :
//! de quoi vérifier que tout marche, rien n'est écrit dans le livre.
//!
//! Le cycle de travail de l'étudiant est mesuré aussi : compilation à
//! froid de `ch05-broadcast` (profil de développement, `dev`), puis le temps entre la modification de
//! `main.rs` et le serveur qui répond de nouveau.

mod cluster;
mod format;
mod measure;
mod plot;
mod report;
mod scenarios;
mod senders;
mod servers;
mod student;
mod summary;

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{Value, json};

use crate::repository_root;
use format::french;
use measure::{add_cpu_per_delivery, measure, one_line};
use plot::plot;
use report::{markdown, update_annex};
use scenarios::{SCENARIOS, Scenario, Server};
use servers::{build_release, describe_machine, prepare_node, redis_available};
use student::student_loop;
use summary::summarize;

const HELP: &str = "\
Utilisation : cargo xtask bench [--vs-node] [--quick] [--reps N]

  --vs-node   compare avec le même chapitre en Node.js (Express + socket.io 4.8),
              et le chapitre 12 avec Node sur deux processus (redis-adapter)
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
        let servers: Vec<Server> = Server::ALL
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

    const PACKAGES: [&str; 7] = [
        "ch05-broadcast",
        "loadgen",
        "relay",
        "naive",
        "ch09-pseudos",
        "ch12-cluster",
        "one-thread",
    ];
    println!("Compilation en mode release ({})…", PACKAGES.join(", "));
    let binaries = build_release(&root, &PACKAGES)?;
    let loadgen = binaries[1].clone();

    let node = if options.vs_node {
        prepare_node(&root)
    } else {
        None
    };
    let redis = redis_available();
    if !redis {
        println!(
            "redis-server est introuvable : le chapitre 12 (deux processus reliés par Redis) \
             n'est pas mesuré. Installez-le (paquet Debian redis-server) pour le comparer."
        );
    }
    let servers: Vec<Server> = Server::ALL
        .into_iter()
        .filter(|sv| {
            let node_ok = node.is_some() || !matches!(sv, Server::Node | Server::NodeCluster);
            node_ok && (redis || !sv.needs_redis())
        })
        .collect();

    let command_of = |server: Server| -> Vec<String> {
        let node_script = |script: &str| {
            vec![
                node.clone().unwrap_or_else(|| "node".to_owned()),
                root.join("bench/node").join(script).display().to_string(),
            ]
        };
        let binary = |i: usize| vec![binaries[i].display().to_string()];
        match server {
            Server::Rust => binary(0),
            Server::Relay => binary(2),
            Server::Naive => binary(3),
            Server::Ch09 => binary(4),
            Server::Ch12 => binary(5),
            Server::OneThread => binary(6),
            Server::Node => node_script("server.js"),
            Server::NodeCluster => node_script("cluster.js"),
        }
    };

    // A B C A B C… : chaque répétition passe par tous les serveurs, chaque
    // mesure sur un processus neuf.
    let plays = |scenario: Scenario| servers.iter().filter(move |sv| sv.plays(scenario));
    let total = options.reps * SCENARIOS.iter().map(|&sc| plays(sc).count()).sum::<usize>();
    let mut runs: Vec<Value> = Vec::new();
    let mut done = 0;
    for rep in 1..=options.reps {
        for scenario in SCENARIOS {
            for &server in plays(scenario) {
                done += 1;
                print!(
                    "[{done}/{total}] répétition {rep}, scénario {}, {} … ",
                    scenario.key(),
                    server.label()
                );
                flush();
                let result = measure(
                    &command_of(server),
                    server.processes(),
                    server.needs_redis(),
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
