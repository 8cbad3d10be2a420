//! `loadgen` : le générateur de charge de `cargo xtask bench`.
//!
//! Il connecte N clients Socket.IO (WebSocket) à un serveur de chat déjà
//! lancé, joue un scénario, et écrit une ligne JSON de résultats sur la
//! sortie standard. Il ne parle qu'à 127.0.0.1 (ou localhost) et s'arrête
//! toujours de lui-même : nombre de messages et durées bornés.
//!
//! ```text
//! loadgen --port 3000 --pid 1234 --scenario rate --clients 1000 --rate 100 --seconds 10
//! loadgen --port 3000 --pid 1234 --scenario saturate --clients 1000 --seconds 10 --window 100
//! loadgen --port 3000 --pid 1234 --scenario idle --clients 5000
//! loadgen --port 3000 --pid 1234 --scenario senders --clients 1000 --senders 100 --seconds 10
//! loadgen --port 3000,3001 --pid 1234,1235 --scenario saturate --clients 1000 --nicknames
//! ```
//!
//! Plusieurs ports (et les pids des processus) séparés par des virgules :
//! les clients sont répartis entre les serveurs à tour de rôle, l'émetteur
//! sur le premier ; mémoire et temps processeur sont additionnés.
//! `--nicknames` : chaque client envoie un pseudo unique dans la poignée de
//! main (`auth: { pseudo }`, chapitres 9 et suivants).

mod args;
mod fan_out;
mod idle;
mod meter;
mod procfs;
mod senders;
mod sio;
mod stats;

use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use tokio::sync::{Semaphore, mpsc};
use tokio::task::JoinSet;

use args::{Args, Scenario, parse_args};
use fan_out::fan_out;
use idle::idle;
use senders::many_senders;
use sio::Client;

/// Poignées de main menées en même temps.
const CONNECT_CONCURRENCY: usize = 64;

/// Les nanosecondes écoulées depuis le début du programme : l'horodatage mis
/// dans chaque message (émetteur et récepteurs partagent la même horloge).
fn now_ns() -> u64 {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    let epoch = *EPOCH.get_or_init(Instant::now);
    u64::try_from(epoch.elapsed().as_nanos()).unwrap_or(u64::MAX)
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("loadgen : {e}");
            return ExitCode::from(2);
        }
    };
    now_ns();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("loadgen : impossible de démarrer tokio : {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(args)) {
        Ok(result) => {
            println!("{result}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("loadgen : {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> Result<serde_json::Value, String> {
    if let Some(limit) = procfs::open_files_limit()
        && limit < args.clients as u64 + 64
    {
        return Err(format!(
            "trop peu de descripteurs de fichiers ({limit}) pour {} clients : `ulimit -n {}`",
            args.clients,
            args.clients + 1024
        ));
    }
    let addrs: Vec<SocketAddr> = args
        .ports
        .iter()
        .map(|&port| SocketAddr::from((Ipv4Addr::LOCALHOST, port)))
        .collect();
    match args.scenario {
        Scenario::Idle => idle(&args, &addrs).await,
        Scenario::Rate | Scenario::Saturate => fan_out(&args, &addrs).await,
        Scenario::Senders => many_senders(&args, &addrs).await,
    }
}

/// Le pseudo du client numéro `i` (`--nicknames`) : unique, court.
fn nickname(args: &Args, prefix: &str, i: usize) -> Option<String> {
    args.nicknames.then(|| format!("{prefix}{i}"))
}

/// Connecte `n` clients, répartis entre `addrs` à tour de rôle, et lance
/// `work` sur chacun dès qu'il est connecté : un client lit tout de suite ce
/// que le serveur lui envoie (arrivées des autres, liste « online »), sans
/// quoi sa file d'envoi déborderait pendant les connexions suivantes. Rend
/// les tâches une fois tous connectés, et le temps qu'il a fallu.
async fn connect_all<T, F, Fut>(
    args: &Args,
    addrs: &[SocketAddr],
    n: usize,
    work: F,
) -> Result<(JoinSet<Option<T>>, Duration), String>
where
    F: Fn(usize, Client) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let started = Instant::now();
    let permits = Arc::new(Semaphore::new(CONNECT_CONCURRENCY));
    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut set = JoinSet::new();
    for i in 0..n {
        let permits = permits.clone();
        let addr = addrs[i % addrs.len()];
        let auth = nickname(args, "c", i);
        let (tx, work) = (tx.clone(), work.clone());
        set.spawn(async move {
            let permit = permits.acquire_owned().await;
            let connect = Client::connect(addr, auth.as_deref());
            let client = match tokio::time::timeout(Duration::from_secs(30), connect).await {
                Ok(Ok(client)) => client,
                Ok(Err(e)) => {
                    tx.send(Err(format!("client {i} : {e}"))).ok();
                    return None;
                }
                Err(_) => {
                    tx.send(Err(format!("client {i} : connexion trop longue (30 s)")))
                        .ok();
                    return None;
                }
            };
            drop(permit);
            tx.send(Ok(())).ok();
            Some(work(i, client).await)
        });
    }
    drop(tx);
    for _ in 0..n {
        match rx.recv().await {
            Some(Ok(())) => {}
            Some(Err(e)) => {
                set.abort_all();
                return Err(e);
            }
            None => return Err("tâche de connexion interrompue".to_owned()),
        }
    }
    Ok((set, started.elapsed()))
}
