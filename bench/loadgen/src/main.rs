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
//! loadgen --port 3000,3001 --pid 1234,1235 --scenario saturate --clients 1000 --nicknames
//! ```
//!
//! Plusieurs ports (et les pids des processus) séparés par des virgules :
//! les clients sont répartis entre les serveurs à tour de rôle, l'émetteur
//! sur le premier ; mémoire et temps processeur sont additionnés.
//! `--nicknames` : chaque client envoie un pseudo unique dans la poignée de
//! main (`auth: { pseudo }`, chapitres 9 et suivants).

mod procfs;
mod sio;
mod stats;

use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::json;
use tokio::sync::{Semaphore, mpsc, watch};
use tokio::task::JoinSet;

use sio::{Client, OP_CLOSE, OP_PING, OP_TEXT};
use stats::{Histogram, SeqTracker};

/// Un récepteur qui a quitté la partie (déconnecté par le serveur, erreur).
const GONE: u64 = u64::MAX;
/// Quand un récepteur a reçu la dernière annonce de présence (`online`,
/// `user joined`), en nanosecondes depuis le début (voir [`now_ns`]).
static LAST_PRESENCE_NS: AtomicU64 = AtomicU64::new(0);
/// Poignées de main menées en même temps.
const CONNECT_CONCURRENCY: usize = 64;
/// Limite absolue d'un scénario : au-delà, on arrête et on le dit.
const MAX_CLIENTS: usize = 20_000;
const MAX_SECONDS: f64 = 120.0;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Scenario {
    Rate,
    Saturate,
    Idle,
}

#[derive(Debug)]
struct Args {
    ports: Vec<u16>,
    pids: Vec<u32>,
    scenario: Scenario,
    clients: usize,
    rate: f64,
    seconds: f64,
    window: u64,
    drain: f64,
    settle: f64,
    stalled: usize,
    nicknames: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        ports: Vec::new(),
        pids: Vec::new(),
        scenario: Scenario::Rate,
        clients: 1000,
        rate: 100.0,
        seconds: 10.0,
        window: 100,
        drain: 30.0,
        settle: 2.0,
        stalled: 0,
        nicknames: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} attend une valeur"));
        let bad = |v: &str| format!("valeur invalide pour {flag} : « {v} »");
        match flag.as_str() {
            "--port" => {
                let v = value()?;
                args.ports = v
                    .split(',')
                    .map(|p| p.parse().ok().filter(|&p: &u16| p != 0))
                    .collect::<Option<_>>()
                    .ok_or_else(|| bad(&v))?;
            }
            "--pid" => {
                let v = value()?;
                args.pids = v
                    .split(',')
                    .map(|p| p.parse().ok())
                    .collect::<Option<_>>()
                    .ok_or_else(|| bad(&v))?;
            }
            "--scenario" => {
                let v = value()?;
                args.scenario = match v.as_str() {
                    "rate" => Scenario::Rate,
                    "saturate" => Scenario::Saturate,
                    "idle" => Scenario::Idle,
                    _ => return Err(bad(&v)),
                }
            }
            "--clients" => {
                let v = value()?;
                args.clients = v.parse().map_err(|_| bad(&v))?;
            }
            "--rate" => {
                let v = value()?;
                args.rate = v.parse().map_err(|_| bad(&v))?;
            }
            "--seconds" => {
                let v = value()?;
                args.seconds = v.parse().map_err(|_| bad(&v))?;
            }
            "--window" => {
                let v = value()?;
                args.window = v.parse().map_err(|_| bad(&v))?;
            }
            "--drain" => {
                let v = value()?;
                args.drain = v.parse().map_err(|_| bad(&v))?;
            }
            "--settle" => {
                let v = value()?;
                args.settle = v.parse().map_err(|_| bad(&v))?;
            }
            "--stalled" => {
                let v = value()?;
                args.stalled = v.parse().map_err(|_| bad(&v))?;
            }
            "--nicknames" => args.nicknames = true,
            other => return Err(format!("option inconnue : « {other} »")),
        }
    }
    if args.ports.is_empty() {
        return Err("--port est obligatoire".into());
    }
    let min_clients = if args.scenario == Scenario::Idle {
        1
    } else {
        2
    };
    if !(min_clients..=MAX_CLIENTS).contains(&args.clients) {
        return Err(format!(
            "--clients doit être entre {min_clients} et {MAX_CLIENTS}"
        ));
    }
    for (name, v) in [
        ("--seconds", args.seconds),
        ("--drain", args.drain),
        ("--settle", args.settle),
    ] {
        if !(v > 0.0 && v <= MAX_SECONDS) {
            return Err(format!("{name} doit être entre 0 et {MAX_SECONDS} s"));
        }
    }
    if args.stalled + 2 > args.clients && args.stalled > 0 {
        return Err("--stalled doit laisser au moins un récepteur actif".into());
    }
    if !(args.rate > 0.0 && args.rate <= 100_000.0) || args.window == 0 {
        return Err("--rate et --window doivent être positifs".into());
    }
    Ok(args)
}

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

/// Ce que consomment le serveur, le générateur et la machine entière
/// pendant une phase mesurée.
struct CpuMeter {
    server_pids: Vec<String>,
    server: f64,
    own: f64,
    machine: f64,
    at: Instant,
}

impl CpuMeter {
    fn start(pids: &[u32]) -> Self {
        let server_pids: Vec<String> = pids.iter().map(u32::to_string).collect();
        Self {
            server: servers_cpu(&server_pids).unwrap_or(0.0),
            own: procfs::cpu_seconds("self").unwrap_or(0.0),
            machine: procfs::machine_busy_seconds().unwrap_or(0.0),
            at: Instant::now(),
            server_pids,
        }
    }

    /// Cœurs occupés en moyenne : (serveur, générateur, autres processus).
    fn stop(&self) -> serde_json::Value {
        let wall = self.at.elapsed().as_secs_f64().max(1e-3);
        let server = servers_cpu(&self.server_pids).map(|s| s - self.server);
        let own = procfs::cpu_seconds("self").map(|s| s - self.own);
        let machine = procfs::machine_busy_seconds().map(|s| s - self.machine);
        let other = match (machine, server, own) {
            (Some(m), Some(s), Some(o)) => Some((m - s - o).max(0.0)),
            _ => None,
        };
        json!({
            "wall_s": wall,
            "server_cores": server.map(|s| s / wall),
            "loadgen_cores": own.map(|s| s / wall),
            "other_cores": other.map(|s| s / wall),
        })
    }
}

/// Le temps processeur de tous les processus serveurs ; `None` sans pid ou
/// si l'un d'eux est illisible.
fn servers_cpu(pids: &[String]) -> Option<f64> {
    if pids.is_empty() {
        return None;
    }
    pids.iter().map(|p| procfs::cpu_seconds(p)).sum()
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

/// Mémoire de tous les processus serveurs, en Kio : (résidente, pic),
/// additionnées ; `None` sans pid ou si l'un d'eux est illisible.
fn memory(pids: &[u32]) -> (Option<u64>, Option<u64>) {
    let all: Option<Vec<(u64, u64)>> = pids.iter().map(|&p| procfs::memory_kib(p)).collect();
    match all {
        Some(all) if !all.is_empty() => (
            Some(all.iter().map(|m| m.0).sum()),
            Some(all.iter().map(|m| m.1).sum()),
        ),
        _ => (None, None),
    }
}

/// Scénario (c) : N clients connectés qui ne disent rien.
async fn idle(args: &Args, addrs: &[SocketAddr]) -> Result<serde_json::Value, String> {
    let (rss_before, _) = memory(&args.pids);
    let cpu = CpuMeter::start(&args.pids);
    // Les clients restent connectés (et répondent aux pings) le temps que
    // le serveur se stabilise.
    let (stop_tx, stop_rx) = watch::channel(false);
    let (mut set, connect_time) = connect_all(args, addrs, args.clients, move |_, client| {
        let stop = stop_rx.clone();
        async move {
            let (mut client, mut stop) = (client, stop);
            loop {
                tokio::select! {
                    _ = stop.changed() => return true,
                    read = client.fill() => {
                        if !matches!(read, Ok(n) if n > 0) {
                            return false;
                        }
                        if handle_control_frames(&mut client).await.is_err() {
                            return false;
                        }
                    }
                }
            }
        }
    })
    .await?;
    tokio::time::sleep(Duration::from_secs_f64(args.settle)).await;
    let (rss_after, peak) = memory(&args.pids);
    let cpu = cpu.stop();
    stop_tx.send(true).ok();
    let mut still_connected = 0;
    while let Some(joined) = set.join_next().await {
        if joined.ok().flatten().unwrap_or(false) {
            still_connected += 1;
        }
    }
    let per_conn = match (rss_before, rss_after) {
        (Some(b), Some(a)) => Some((a as f64 - b as f64) / args.clients as f64),
        _ => None,
    };
    Ok(json!({
        "scenario": "idle",
        "clients": args.clients,
        "connect_s": connect_time.as_secs_f64(),
        "still_connected": still_connected,
        "rss_before_kib": rss_before,
        "rss_after_kib": rss_after,
        "rss_per_conn_kib": per_conn,
        "peak_rss_kib": peak,
        "cpu": cpu,
    }))
}

/// Répond aux pings d'un client qui n'attend rien d'autre.
async fn handle_control_frames(client: &mut Client) -> std::io::Result<()> {
    while let Some((op, range)) = client.parse_frame()? {
        match op {
            OP_TEXT if client.payload(range.clone()) == b"2" => client.send_text(b"3").await?,
            OP_PING => {
                let p = client.payload(range).to_vec();
                client.send_pong(&p).await?;
            }
            OP_CLOSE => {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::ConnectionAborted,
                    "fermé",
                ));
            }
            _ => {}
        }
    }
    Ok(())
}

/// Ce qu'un récepteur a vu.
#[derive(Default)]
struct Received {
    seq: SeqTracker,
    latency_us: Histogram,
    last_at_ns: u64,
    /// Déconnecté par le serveur (paquet `41`, trame close, fin de flux).
    disconnected: bool,
    error: Option<String>,
    unexpected: u64,
}

/// Un récepteur. `progress[index]` suit ce qu'il a reçu (pour la fenêtre de
/// l'émetteur). Un récepteur « bloqué » (`gate`) ne lit rien avant que la
/// porte s'ouvre, puis lit tout ce qui l'attend et s'arrête après `IDLE` sans
/// rien recevoir.
async fn receive(
    mut client: Client,
    progress: Option<(Arc<Vec<AtomicU64>>, usize)>,
    mut stop: watch::Receiver<bool>,
    gate: Option<watch::Receiver<bool>>,
) -> Received {
    const IDLE: Duration = Duration::from_secs(3);
    let mut r = Received::default();
    let mut pong = false;
    let stalled = gate.is_some();
    if let Some(mut gate) = gate {
        // Ne rien lire : la file d'envoi du serveur pour ce client se remplit.
        if gate.wait_for(|open| *open).await.is_err() {
            return r;
        }
    }
    loop {
        let read = tokio::select! {
            biased;
            _ = stop.changed(), if !stalled => break,
            read = tokio::time::timeout(IDLE, client.fill()) => match read {
                Ok(read) => read,
                Err(_) if stalled => break,
                Err(_) => continue,
            },
        };
        match read {
            Ok(0) => {
                r.disconnected = true;
                break;
            }
            Ok(_) => {}
            Err(e) => {
                r.disconnected = true;
                r.error = Some(e.to_string());
                break;
            }
        }
        let arrived = now_ns();
        loop {
            let frame = match client.parse_frame() {
                Ok(Some(f)) => f,
                Ok(None) => break,
                Err(e) => {
                    r.error = Some(e.to_string());
                    r.disconnected = true;
                    break;
                }
            };
            let (op, range) = frame;
            let payload = client.payload(range);
            match op {
                OP_TEXT => {
                    if let Some((seq, ts)) = sio::parse_message(payload) {
                        if r.seq.record(seq) {
                            r.latency_us.record(arrived.saturating_sub(ts) / 1_000);
                            r.last_at_ns = arrived;
                        } else {
                            r.unexpected += 1;
                        }
                    } else if sio::is_presence(payload) {
                        // Arrivées, départs, liste « online » (chapitres 9
                        // et suivants) : pas des messages du chat.
                        LAST_PRESENCE_NS.fetch_max(arrived, Ordering::Relaxed);
                    } else if payload == b"2" {
                        pong = true;
                    } else if payload.starts_with(b"41") || payload.starts_with(b"1") {
                        r.disconnected = true;
                    } else {
                        r.unexpected += 1;
                    }
                }
                OP_CLOSE => r.disconnected = true,
                _ => {}
            }
        }
        if r.disconnected {
            break;
        }
        if pong {
            pong = false;
            if client.send_text(b"3").await.is_err() {
                r.disconnected = true;
                break;
            }
        }
        if let Some((progress, index)) = &progress {
            progress[*index].store(r.seq.received, Ordering::Relaxed);
        }
    }
    if r.disconnected
        && let Some((progress, index)) = &progress
    {
        progress[*index].store(GONE, Ordering::Relaxed);
    }
    r
}

/// Scénarios (a) et (b) : un émetteur, N - 1 récepteurs.
async fn fan_out(args: &Args, addrs: &[SocketAddr]) -> Result<serde_json::Value, String> {
    let connect_started = Instant::now();
    let active = args.clients - args.stalled - 1;
    let progress: Arc<Vec<AtomicU64>> = Arc::new((0..active).map(|_| AtomicU64::new(0)).collect());
    let (stop_tx, stop_rx) = watch::channel(false);
    let (gate_tx, gate_rx) = watch::channel(false);
    let receivers_progress = progress.clone();
    let receivers_stop = stop_rx.clone();
    let (mut set, _) = connect_all(args, addrs, active, move |i, client| {
        receive(
            client,
            Some((receivers_progress.clone(), i)),
            receivers_stop.clone(),
            None,
        )
    })
    .await?;
    // L'émetteur en dernier, sur le premier serveur : il ne lit rien, et ne
    // reçoit ainsi presque rien (au plus sa propre liste « online »).
    let sender_auth = nickname(args, "emetteur", 0);
    let mut sender = Client::connect(addrs[0], sender_auth.as_deref())
        .await
        .map_err(|e| format!("émetteur : {e}"))?;
    let connect_time = connect_started.elapsed();
    // Les clients bloqués : un tampon TCP minuscule, et ils ne lisent pas.
    let mut stalled_set = JoinSet::new();
    for i in 0..args.stalled {
        let auth = nickname(args, "b", i);
        let client = Client::connect_with(addrs[i % addrs.len()], Some(4096), auth.as_deref())
            .await
            .map_err(|e| format!("client bloqué {i} : {e}"))?;
        stalled_set.spawn(receive(
            client,
            None,
            stop_rx.clone(),
            Some(gate_rx.clone()),
        ));
    }
    let receivers = active + args.stalled;
    // Laisser le serveur finir d'installer les gestionnaires de tous.
    tokio::time::sleep(Duration::from_millis(300)).await;
    // Avec des pseudos, chaque arrivée envoie la liste « online » à tous :
    // attendre que ce flot se taise (rien depuis 500 ms, 60 s au plus), pour
    // mesurer le chat et non les connexions.
    let quiet_deadline = Instant::now() + Duration::from_secs(60);
    while args.nicknames && Instant::now() < quiet_deadline {
        let last = LAST_PRESENCE_NS.load(Ordering::Relaxed);
        if now_ns().saturating_sub(last) > 500_000_000 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let min_progress = |progress: &[AtomicU64]| -> Option<u64> {
        progress
            .iter()
            .map(|p| p.load(Ordering::Relaxed))
            .filter(|&p| p != GONE)
            .min()
    };

    let cpu = CpuMeter::start(&args.pids);
    let first_send_ns = now_ns();
    let deadline = Instant::now() + Duration::from_secs_f64(args.seconds);
    let mut sent: u64 = 0;
    let mut frames = Vec::with_capacity(64 * 1024);
    let send_error = match args.scenario {
        Scenario::Rate => {
            let total = (args.rate * args.seconds).round() as u64;
            let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / args.rate));
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
            let mut err = None;
            while sent < total {
                tick.tick().await;
                frames.clear();
                sio::encode_text_frame(&mut frames, sio::message_packet(sent, now_ns()).as_bytes());
                if let Err(e) = sender.send_raw(&frames).await {
                    err = Some(e.to_string());
                    break;
                }
                sent += 1;
            }
            err
        }
        Scenario::Saturate => {
            let mut err = None;
            while Instant::now() < deadline {
                let Some(min) = min_progress(&progress) else {
                    err = Some("tous les récepteurs sont partis".to_owned());
                    break;
                };
                let room = (min + args.window).saturating_sub(sent).min(64);
                if room == 0 {
                    tokio::time::sleep(Duration::from_millis(1)).await;
                    continue;
                }
                frames.clear();
                let ts = now_ns();
                for k in 0..room {
                    sio::encode_text_frame(
                        &mut frames,
                        sio::message_packet(sent + k, ts).as_bytes(),
                    );
                }
                if let Err(e) = sender.send_raw(&frames).await {
                    err = Some(e.to_string());
                    break;
                }
                sent += room;
            }
            err
        }
        Scenario::Idle => None,
    };
    let send_s = (now_ns() - first_send_ns) as f64 / 1e9;

    // Attendre que chaque récepteur encore là ait tout reçu.
    let drain_deadline = Instant::now() + Duration::from_secs_f64(args.drain);
    let mut drained = false;
    while Instant::now() < drain_deadline {
        match min_progress(&progress) {
            Some(min) if min < sent => tokio::time::sleep(Duration::from_millis(5)).await,
            _ => {
                drained = true;
                break;
            }
        }
    }
    let cpu = cpu.stop();
    let (_, peak) = memory(&args.pids);
    // Les clients bloqués lisent enfin ce qui les attend.
    gate_tx.send(true).ok();
    let mut stalled_results = Vec::new();
    while let Some(joined) = stalled_set.join_next().await {
        stalled_results.push(joined.map_err(|e| format!("tâche bloquée : {e}"))?);
    }
    stop_tx.send(true).ok();
    drop(sender);

    let mut latency = Histogram::default();
    let (mut unique, mut duplicates, mut out_of_order, mut lost_silently) =
        (0u64, 0u64, 0u64, 0u64);
    let (mut disconnected, mut undelivered_after_disconnect, mut unexpected) = (0u64, 0u64, 0u64);
    let mut last_at_ns = first_send_ns;
    let mut errors = Vec::new();
    let (mut stalled_disconnected, mut stalled_delivered) = (0u64, 0u64);
    for r in &stalled_results {
        stalled_delivered += r.seq.unique();
        if r.disconnected {
            stalled_disconnected += 1;
        }
    }
    let mut results: Vec<(bool, Received)> =
        stalled_results.into_iter().map(|r| (true, r)).collect();
    while let Some(joined) = set.join_next().await {
        if let Some(r) = joined.map_err(|e| format!("tâche réceptrice : {e}"))? {
            results.push((false, r));
        }
    }
    for (stalled, r) in results {
        // Débit et latence : les récepteurs actifs seulement. Pertes,
        // doublons, désordre : tous.
        if !stalled {
            latency.merge(&r.latency_us);
            unique += r.seq.unique();
            last_at_ns = last_at_ns.max(r.last_at_ns);
        }
        duplicates += r.seq.duplicates;
        out_of_order += r.seq.out_of_order;
        unexpected += r.unexpected;
        if r.disconnected {
            // Ce qui manque *avant* la déconnexion est une perte silencieuse ;
            // ce qui vient après, le client le sait (il a été déconnecté).
            disconnected += 1;
            lost_silently += r.seq.gaps();
            undelivered_after_disconnect += r.seq.tail(sent);
            if let Some(e) = r.error {
                errors.push(e);
            }
        } else {
            lost_silently += r.seq.lost(sent);
        }
    }
    errors.sort();
    errors.dedup();
    errors.truncate(5);
    let duration_s = (last_at_ns.saturating_sub(first_send_ns)) as f64 / 1e9;
    let ms = |p: f64| latency.percentile(p).map(|us| us as f64 / 1000.0);
    Ok(json!({
        "scenario": if args.scenario == Scenario::Rate { "rate" } else { "saturate" },
        "clients": args.clients,
        "stalled": args.stalled,
        "stalled_disconnected": stalled_disconnected,
        "stalled_delivered": stalled_delivered,
        "receivers": receivers,
        "connect_s": connect_time.as_secs_f64(),
        "sent": sent,
        "send_s": send_s,
        "send_error": send_error,
        "expected": sent * active as u64,
        "delivered": unique,
        "duplicates": duplicates,
        "out_of_order": out_of_order,
        "lost": lost_silently,
        "disconnected": disconnected,
        "undelivered_after_disconnect": undelivered_after_disconnect,
        "unexpected": unexpected,
        "drained": drained,
        "errors": errors,
        "duration_s": duration_s,
        "deliveries_per_s": if duration_s > 0.0 { unique as f64 / duration_s } else { 0.0 },
        "latency_ms": {
            "p50": ms(50.0), "p90": ms(90.0), "p99": ms(99.0),
            "max": latency.count().gt(&0).then(|| latency.max() as f64 / 1000.0),
        },
        "peak_rss_kib": peak,
        "cpu": cpu,
    }))
}
