//! Une mesure : un serveur neuf, le générateur de charge contre lui, le
//! temps processeur relevé.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::RUN_TIMEOUT;
use super::format::{fmt, thousands};
use super::servers::{RedisServer, with_open_files_limit};

/// Un serveur neuf (`processes` processus de la même commande, et un
/// `redis-server` neuf s'il en faut un), le générateur de charge contre lui,
/// puis l'arrêt. Renvoie la ligne JSON du générateur et le nombre de lignes
/// « trop lent » écrites par le serveur.
pub(super) fn measure(
    server: &[String],
    processes: usize,
    redis: bool,
    loadgen: &Path,
    args: &[String],
) -> Result<(Value, u64), String> {
    let redis = if redis {
        Some(RedisServer::start()?)
    } else {
        None
    };
    let mut children = Vec::new();
    let mut result = Ok(());
    for _ in 0..processes {
        let mut command = with_open_files_limit(server);
        command
            .env("PORT", "0")
            .env("HOST", "127.0.0.1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(redis) = &redis {
            command.env("REDIS_URL", redis.url());
        }
        match command.spawn() {
            Ok(child) => children.push(child),
            Err(e) => {
                result = Err(format!("impossible de lancer {} : {e}", server.join(" ")));
                break;
            }
        }
    }
    let result = result.and_then(|()| drive(&mut children, loadgen, args));
    for child in &mut children {
        child.kill().ok();
        child.wait().ok();
    }
    drop(redis);
    result
}

/// Attend la ligne « prêt » d'un processus serveur et lit ensuite tout ce
/// qu'il écrit (sinon le tuyau se remplit et le serveur bloque), en
/// comptant les déconnexions de clients trop lents. Rend son port.
fn watch_server(child: &mut Child, slow: &Arc<AtomicU64>) -> Result<u16, String> {
    let stdout = child.stdout.take().ok_or("pas de sortie standard")?;
    let mut stderr = child.stderr.take().ok_or("pas de sortie d'erreur")?;
    thread::spawn(move || {
        let mut sink = String::new();
        stderr.read_to_string(&mut sink).ok();
    });
    let (ready_tx, ready_rx) = mpsc::channel();
    let slow_count = slow.clone();
    thread::spawn(move || {
        let mut ready = Some(ready_tx);
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if let Some(port) = checks::ready_port(&line)
                && let Some(tx) = ready.take()
            {
                tx.send(port).ok();
            }
            if line.contains("trop lent") {
                slow_count.fetch_add(1, Ordering::Relaxed);
            }
        }
    });
    ready_rx.recv_timeout(Duration::from_secs(20)).map_err(|_| {
        "le serveur n'a pas affiché sa ligne « Adresse du serveur » en 20 s".to_owned()
    })
}

fn drive(children: &mut [Child], loadgen: &Path, args: &[String]) -> Result<(Value, u64), String> {
    let slow = Arc::new(AtomicU64::new(0));
    let mut ports = Vec::new();
    for child in children.iter_mut() {
        ports.push(watch_server(child, &slow)?.to_string());
    }
    let pids: Vec<String> = children.iter().map(|c| c.id().to_string()).collect();
    thread::sleep(Duration::from_millis(200));

    let mut argv = vec![loadgen.display().to_string()];
    argv.extend(["--port".to_owned(), ports.join(",")]);
    argv.extend(["--pid".to_owned(), pids.join(",")]);
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
pub(super) fn add_cpu_per_delivery(v: &mut Value) {
    let f = |p: &str| v.pointer(p).and_then(Value::as_f64);
    if let (Some(cores), Some(wall), Some(delivered)) =
        (f("/cpu/server_cores"), f("/cpu/wall_s"), f("/delivered"))
        && delivered > 0.0
    {
        v["server_ns_per_delivery"] = json!(cores * wall / delivered * 1e9);
    }
}

pub(super) fn one_line(v: &Value) -> String {
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
            "{} livraisons/s, p99 {} ms, perdus {}, doublés {}, désordre {}{cpu}{}",
            thousands(f("/deliveries_per_s").unwrap_or(0.0)),
            fmt(f("/latency_ms/p99"), 1),
            v["lost"],
            v["duplicates"],
            v["out_of_order"],
            f("/server_ns_per_delivery").map_or_else(String::new, |ns| format!(
                ", {} ns de CPU serveur par livraison",
                thousands(ns)
            ))
        ),
    }
}
