//! Un serveur Redis jetable pour les vérifications des chapitres 12 et 15.
//!
//! Chaque vérification lance son propre `redis-server` sur un port libre,
//! sans rien écrire sur le disque (`--save ''`, `--appendonly no`), et
//! l'arrête à la fin (le processus est tué avec son gardien). Sans
//! `redis-server`, la vérification échoue avec une phrase qui dit comment
//! l'installer : en CI (`CI` ou `REQUIRE_REDIS=1`) comme sur un poste.

use std::io::Write as _;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::process::{Child, Command};

use crate::Failure;

/// Un `redis-server` lancé par les vérifications.
pub struct RedisServer {
    child: Child,
    port: u16,
}

impl RedisServer {
    /// Lance `redis-server` sur un port libre et attend qu'il réponde.
    ///
    /// Le port est libre quand on le demande, mais un autre test lancé en
    /// même temps (un chapitre sur `PORT=0`) peut le prendre avant Redis :
    /// Redis s'arrête alors aussitôt, et l'on recommence sur un autre port.
    pub async fn start() -> Result<RedisServer, Failure> {
        let mut last = None;
        for _ in 0..5 {
            let port = free_port().await?;
            match RedisServer::start_on(port).await {
                Ok(redis) => return Ok(redis),
                Err(failure) => last = Some(failure),
            }
        }
        Err(last.unwrap_or_else(|| Failure::new("redis-server démarre", "cinq essais manqués")))
    }

    /// Pour un test : comme [`RedisServer::start`], mais `Ok(None)` si
    /// `redis-server` n'est pas installé et que rien ne l'exige (`CI` ou
    /// `REQUIRE_REDIS=1`) ; un message bien visible le dit alors. Exigé et
    /// absent, ou installé et en panne : l'échec.
    pub async fn start_or_skip(test: &str) -> Result<Option<RedisServer>, Failure> {
        match RedisServer::start().await {
            Ok(redis) => Ok(Some(redis)),
            Err(missing) if missing.seen.starts_with("redis-server introuvable") && !required() => {
                // Directement sur la sortie d'erreur : `eprintln!` serait capturé
                // par `cargo test` et resterait invisible pour un test réussi.
                let _ = writeln!(
                    std::io::stderr(),
                    "\n*** {test} : test NON LANCÉ : {}. Pour le lancer : apt-get install \
                     redis-server (CI ou REQUIRE_REDIS=1 fait de cette absence une erreur). ***",
                    missing.seen
                );
                Ok(None)
            }
            Err(failure) => Err(failure),
        }
    }

    /// Lance `redis-server` sur `port` (pour le relancer au même endroit).
    pub async fn start_on(port: u16) -> Result<RedisServer, Failure> {
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| Failure::new(missing(), format!("redis-server introuvable ({e})")))?;
        let mut child = child;
        let started = Instant::now();
        // Une connexion qui aboutit ne suffit pas : ce pourrait être un autre
        // programme sur ce port. Redis doit répondre PONG à PING.
        while !answers_ping(port).await {
            if let Ok(Some(status)) = child.try_wait() {
                return Err(Failure::new(
                    format!("redis-server démarre sur le port {port}"),
                    format!("il s'est arrêté aussitôt ({status}) : port déjà pris ?"),
                ));
            }
            if started.elapsed() > Duration::from_secs(10) {
                return Err(Failure::new(
                    format!("redis-server répond sur le port {port}"),
                    "rien après 10 s",
                ));
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        Ok(RedisServer { child, port })
    }

    /// L'adresse à donner au chapitre dans `REDIS_URL`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Tue Redis (comme une panne) et attend sa fin.
    pub async fn kill(mut self) {
        self.child.kill().await.ok();
    }
}

/// Redis est exigé : en CI (`CI`), ou quand `REQUIRE_REDIS=1` le demande.
fn required() -> bool {
    std::env::var_os("CI").is_some() || std::env::var("REQUIRE_REDIS").is_ok_and(|v| v == "1")
}

/// Ce qu'il faut pour vérifier les chapitres 12 et 15, dit à l'étudiant.
fn missing() -> String {
    let why = if required() {
        "requis en CI (CI ou REQUIRE_REDIS=1)"
    } else {
        "vérification des chapitres 12 et 15 non faite sur ce poste"
    };
    format!(
        "redis-server est installé ({why}) : sudo apt-get install redis-server sous Debian ou Ubuntu, brew install redis sous macOS, Memurai ou WSL sous Windows"
    )
}

/// Le serveur du port `port` est-il un Redis qui répond ?
async fn answers_ping(port: u16) -> bool {
    let ping = async {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).await.ok()?;
        stream.write_all(b"PING\r\n").await.ok()?;
        let mut reply = [0u8; 7];
        stream.read_exact(&mut reply).await.ok()?;
        Some(&reply == b"+PONG\r\n")
    };
    tokio::time::timeout(Duration::from_secs(1), ping)
        .await
        .ok()
        .flatten()
        .unwrap_or(false)
}

/// Un port libre sur l'interface de bouclage (127.0.0.1) : on en demande un au système, puis
/// on le rend.
pub async fn free_port() -> Result<u16, Failure> {
    let listener = TcpListener::bind(("127.0.0.1", 0))
        .await
        .map_err(|e| Failure::new("un port libre pour Redis", e.to_string()))?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| Failure::new("un port libre pour Redis", e.to_string()))
}
