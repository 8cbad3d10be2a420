//! Le processus `postgres` lui-même : la commande (sous le bon compte),
//! `initdb`, le lancement et l'attente de « prêt », puis l'arrêt par signal
//! (« fast » ou « immediate »), y compris quand la valeur disparaît.

use std::process::Stdio;
use std::time::{Duration, Instant};

use tokio::process::{Child, Command};

use super::bin::missing;
use super::{DATABASE, LIMIT, PostgresServer, USER};
use crate::Failure;

/// Pourquoi `postgres` n'a pas démarré.
pub(super) enum Launch {
    /// Il s'est arrêté aussitôt : sans doute le port, pris entre-temps.
    Exited(Failure),
    Failed(Failure),
}

impl Launch {
    pub(super) fn failure(self) -> Failure {
        match self {
            Launch::Exited(failure) | Launch::Failed(failure) => failure,
        }
    }
}

impl PostgresServer {
    /// `program`, sous le compte sans privilèges si les tests tournent
    /// sous root.
    fn server_command(&self, program: &str) -> Command {
        let mut command = Command::new(self.bin.program(program));
        command
            .current_dir(self.dir.path())
            .stdin(Stdio::null())
            .kill_on_drop(true);
        #[cfg(unix)]
        if let Some(user) = self.run_as {
            command.uid(user.uid).gid(user.gid);
        }
        #[cfg(not(unix))]
        let _ = self.run_as;
        command
    }

    /// `initdb` : une base neuve dans `data/`, l'administrateur `chat`
    /// sans mot de passe.
    pub(super) async fn init_db(&self) -> Result<(), Failure> {
        let output = self
            .server_command("initdb")
            .arg("-D")
            .arg(self.data_dir())
            .args(["-U", USER, "--auth=trust", "-E", "UTF8", "--locale=C"])
            .arg("--no-sync")
            .output()
            .await
            .map_err(|e| Failure::new(missing(), format!("initdb introuvable ({e})")))?;
        if output.status.success() {
            return Ok(());
        }
        let mut failure = Failure::new(
            "initdb crée une base neuve",
            format!("il a échoué ({})", output.status),
        );
        failure.server_output = String::from_utf8_lossy(&output.stderr)
            .lines()
            .map(str::to_owned)
            .collect();
        Err(failure)
    }

    /// `createdb chat`, connecté en TCP comme le sera le chat.
    pub(super) async fn create_db(&self) -> Result<(), Failure> {
        self.create_database(DATABASE).await.map(drop)
    }

    /// Lance `postgres` sur `self.port` et attend qu'il accepte les
    /// connexions.
    pub(super) async fn launch(&mut self) -> Result<(), Launch> {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.log_path())
            .and_then(|log| Ok((log.try_clone()?, log)))
            .map_err(|e| Launch::Failed(Failure::new("le journal de PostgreSQL", e.to_string())))?;
        let child = self
            .server_command("postgres")
            .arg("-D")
            .arg(self.data_dir())
            .args(["-p", &self.port.to_string()])
            .arg("-k")
            .arg(self.dir.path())
            .args(["-c", "listen_addresses=127.0.0.1"])
            .args(["-c", "fsync=off"])
            .args(["-c", "synchronous_commit=off"])
            .args(["-c", "full_page_writes=off"])
            .stdout(log.0)
            .stderr(log.1)
            .spawn()
            .map_err(|e| {
                Launch::Failed(Failure::new(
                    missing(),
                    format!("postgres introuvable ({e})"),
                ))
            })?;
        self.child = Some(child);
        match self.wait_ready().await {
            Ok(()) => Ok(()),
            Err(launch) => {
                let _ = self.shut_down(Stop::Immediate).await;
                Err(launch)
            }
        }
    }

    async fn wait_ready(&mut self) -> Result<(), Launch> {
        let port = self.port;
        let started = Instant::now();
        loop {
            let Some(child) = self.child.as_mut() else {
                return Err(Launch::Failed(Failure::new(
                    format!("postgres démarre sur le port {port}"),
                    "il n'a pas été lancé",
                )));
            };
            if let Ok(Some(status)) = child.try_wait() {
                self.child = None;
                return Err(Launch::Exited(self.failure(
                    format!("postgres démarre sur le port {port}"),
                    format!("il s'est arrêté aussitôt ({status}) : port déjà pris ?"),
                )));
            }
            // `pg_isready` ne suffit pas : ce pourrait être un autre serveur
            // sur ce port. Notre `postgres` doit aussi s'y dire prêt.
            let pid = child.id();
            if self.says_ready(pid) && self.accepts_connections().await {
                return Ok(());
            }
            if started.elapsed() > LIMIT {
                return Err(Launch::Failed(self.failure(
                    format!("PostgreSQL accepte les connexions sur le port {port}"),
                    format!("rien après {} s", LIMIT.as_secs()),
                )));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// `data/postmaster.pid` : le numéro du processus, puis (huitième
    /// ligne) son état, `ready` quand il écoute.
    fn says_ready(&self, pid: Option<u32>) -> bool {
        let Ok(text) = std::fs::read_to_string(self.data_dir().join("postmaster.pid")) else {
            return false;
        };
        let lines: Vec<&str> = text.lines().map(str::trim).collect();
        let ours = pid.is_some_and(|pid| lines.first() == Some(&pid.to_string().as_str()));
        ours && lines.get(7).is_none_or(|status| *status == "ready")
    }

    /// Envoie le signal de `stop` au processus principal, qui arrête les
    /// autres, et attend sa fin (au plus 20 s, puis il est tué).
    pub(super) async fn shut_down(&mut self, stop: Stop) -> Result<(), Failure> {
        let Some(mut child) = self.child.take() else {
            return Ok(());
        };
        if let Ok(Some(_)) = child.try_wait() {
            return Ok(());
        }
        signal(&mut child, stop);
        if tokio::time::timeout(LIMIT, child.wait()).await.is_ok() {
            return Ok(());
        }
        child.kill().await.ok();
        Err(self.failure(
            format!("PostgreSQL s'arrête après {}", stop.name()),
            format!("il tournait encore après {} s : tué", LIMIT.as_secs()),
        ))
    }
}

impl Drop for PostgresServer {
    /// Arrêt « immediate » : le processus principal arrête les autres avant
    /// de finir. PostgreSQL tue lui-même, après 5 s, ceux qui traînent ;
    /// s'il n'a pas fini en 10 s, il est tué (ses derniers processus
    /// s'arrêtent en voyant sa fin).
    fn drop(&mut self) {
        let Some(child) = self.child.as_mut() else {
            return;
        };
        if !matches!(child.try_wait(), Ok(None)) {
            return;
        }
        signal(child, Stop::Immediate);
        let deadline = Instant::now() + Duration::from_secs(10);
        while matches!(child.try_wait(), Ok(None)) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        if matches!(child.try_wait(), Ok(None)) {
            child.start_kill().ok();
            let _ = child.try_wait();
        }
    }
}

/// Les arrêts de PostgreSQL.
#[derive(Debug, Clone, Copy)]
pub(super) enum Stop {
    /// SIGINT : connexions coupées, données écrites, puis fin.
    Fast,
    /// SIGQUIT : fin immédiate, comme une panne.
    Immediate,
}

impl Stop {
    fn name(self) -> &'static str {
        match self {
            Stop::Fast => "SIGINT",
            Stop::Immediate => "SIGQUIT",
        }
    }
}

/// Envoie le signal de `stop` à `child` ; ailleurs qu'Unix, le processus est
/// tué.
fn signal(child: &mut Child, stop: Stop) {
    #[cfg(unix)]
    {
        use nix::sys::signal::Signal;
        let sent = match stop {
            Stop::Fast => Signal::SIGINT,
            Stop::Immediate => Signal::SIGQUIT,
        };
        let pid = child.id().and_then(|pid| i32::try_from(pid).ok());
        if let Some(pid) = pid
            && nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), sent).is_ok()
        {
            return;
        }
    }
    let _ = stop;
    child.start_kill().ok();
}
