//! Les serveurs mesurés : compilés en release, Node.js préparé (`npm ci`),
//! lancés avec assez de descripteurs de fichiers ; la description de la
//! machine.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::cargo;
use super::format::fmt;

/// Compile `packages` en release ; renvoie leurs exécutables, dans l'ordre.
pub(super) fn build_release(root: &Path, packages: &[&str]) -> Result<Vec<PathBuf>, String> {
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
pub(super) fn prepare_node(root: &Path) -> Option<String> {
    let found = Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        println!(
            "Node.js est introuvable (commande « node ») : la comparaison n'est pas faite, seul le \
             serveur Rust (et le relais de référence) est mesuré. Installez Node.js 18 ou plus \
             pour comparer."
        );
        return None;
    }
    let dir = root.join("bench/node");
    if !node_modules_complete(&dir) {
        println!("Installation des dépendances Node (npm ci dans bench/node)…");
        let status = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&dir)
            .status();
        if !matches!(status, Ok(s) if s.success()) {
            println!(
                "« npm ci » a échoué dans bench/node : la comparaison avec Node n'est pas faite, seul \
                 Rust est mesuré."
            );
            return None;
        }
    }
    Some("node".to_owned())
}

/// Chaque dépendance de `bench/node/package.json` est-elle dans
/// `node_modules` ? (Un `node_modules` d'avant l'ajout d'une dépendance ne
/// suffit pas : `npm ci` le refait.)
fn node_modules_complete(dir: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(dir.join("package.json")) else {
        return false;
    };
    let Ok(package) = serde_json::from_str::<Value>(&text) else {
        return false;
    };
    let Some(deps) = package["dependencies"].as_object() else {
        return false;
    };
    deps.keys().all(|name| {
        dir.join("node_modules")
            .join(name)
            .join("package.json")
            .exists()
    })
}

/// `redis-server` est-il installé ? Sans lui, le scénario grappe n'est pas mesuré
/// (et on le dit).
pub(super) fn redis_available() -> bool {
    Command::new("redis-server")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Un `redis-server` neuf sur un port libre, sans rien écrire sur le disque ;
/// arrêté quand il est abandonné. Neuf à chaque mesure : aucun pseudo
/// réservé par la mesure d'avant.
pub(super) struct RedisServer {
    child: Child,
    port: u16,
}

impl RedisServer {
    pub(super) fn start() -> Result<RedisServer, String> {
        let port = TcpListener::bind(("127.0.0.1", 0))
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .map_err(|e| format!("pas de port libre pour Redis : {e}"))?;
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("impossible de lancer redis-server : {e}"))?;
        let redis = RedisServer { child, port };
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if started.elapsed() > Duration::from_secs(10) {
                return Err(format!(
                    "redis-server ne répond pas sur le port {port} après 10 s"
                ));
            }
            thread::sleep(Duration::from_millis(20));
        }
        Ok(redis)
    }

    pub(super) fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

/// Une commande lancée avec autant de descripteurs de fichiers que le
/// système le permet (5 000 clients : 10 000 sockets de part et d'autre).
pub(super) fn with_open_files_limit(argv: &[String]) -> Command {
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg(r#"ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$@""#)
        .arg("sh")
        .args(argv);
    command
}

pub(super) fn today() -> String {
    Command::new("date")
        .arg("+%Y-%m-%d")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .filter(|s| !s.is_empty())
        .map(|iso| in_french(&iso))
        .unwrap_or_else(|| "?".to_owned())
}

/// « 2026-12-02 » → « 2 décembre 2026 » (une date ISO n'a rien à faire dans
/// la prose du livre).
fn in_french(iso: &str) -> String {
    const MONTHS: [&str; 12] = [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ];
    let parts: Vec<&str> = iso.split('-').collect();
    match parts.as_slice() {
        [year, month, day] => {
            let month = month
                .parse::<usize>()
                .ok()
                .and_then(|m| MONTHS.get(m.wrapping_sub(1)));
            let day = day.parse::<u32>().ok();
            match (day, month) {
                (Some(1), Some(month)) => format!("1er\u{a0}{month} {year}"),
                (Some(day), Some(month)) => format!("{day}\u{a0}{month} {year}"),
                _ => iso.to_owned(),
            }
        }
        _ => iso.to_owned(),
    }
}

#[cfg(test)]
mod date_tests {
    #[test]
    fn a_date_reads_in_french() {
        assert_eq!(super::in_french("2026-12-02"), "2\u{a0}décembre 2026");
        assert_eq!(super::in_french("2027-05-01"), "1er\u{a0}mai 2027");
        assert_eq!(super::in_french("n'importe"), "n'importe");
    }
}

pub(super) fn command_line(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

pub(super) fn describe_machine(node: Option<&str>) -> Value {
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
        "{cores}\u{a0}cœurs ({model}), {} Gio de mémoire, {kernel}, {rustc}{}",
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_modules_missing_a_new_dependency_is_incomplete() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let write = |path: &str, text: &str| {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap_or(dir.path())).ok();
            std::fs::write(path, text).ok();
        };
        write(
            "package.json",
            r#"{"dependencies": {"socket.io": "~4.8.1", "@socket.io/redis-adapter": "^8.3.0"}}"#,
        );
        assert!(!node_modules_complete(dir.path()));
        write("node_modules/socket.io/package.json", "{}");
        assert!(!node_modules_complete(dir.path()));
        write("node_modules/@socket.io/redis-adapter/package.json", "{}");
        assert!(node_modules_complete(dir.path()));
    }
}
