//! Un chapitre lancé comme un processus, tel qu'un étudiant le lance.
//!
//! La seule façon de lancer un chapitre et de lire sa ligne « prêt » :
//! les vérifications ([`Server`]), les tests dans Chromium (`browser`, qui
//! met le processus dans son propre groupe avant [`spawn_command`]) et les
//! bancs d'essai de `xtask` ([`ready_port`]) passent tous par ici.

use std::collections::HashMap;
use std::path::Path;
use std::process::{ExitStatus, Stdio};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::Notify;

use crate::{Failure, WAIT};

/// Le début de la ligne « prêt » que chaque chapitre écrit une fois son
/// port ouvert (le contrat la veut avec des espaces ordinaires).
pub const READY: &str = "Adresse du serveur : http://localhost:";

/// Le port d'une ligne « prêt », s'il y est en entier et n'est pas 0.
pub fn ready_port(line: &str) -> Option<u16> {
    line.strip_prefix(READY)?
        .trim()
        .trim_end_matches('/')
        .parse()
        .ok()
        .filter(|&port| port != 0)
}

/// Ce qu'un processus a écrit, ligne par ligne, au fil de l'eau.
#[derive(Default)]
pub struct OutputLog {
    stdout: Mutex<Vec<String>>,
    stderr: Mutex<Vec<String>>,
    changed: Notify,
    /// Combien des deux sorties (standard, erreur) ont été lues jusqu'au bout.
    finished: std::sync::atomic::AtomicUsize,
    /// La sortie standard a été lue jusqu'au bout (le programme est fini).
    stdout_closed: std::sync::atomic::AtomicBool,
}

impl OutputLog {
    /// Attend que les deux sorties du programme soient lues jusqu'au bout
    /// (après sa fin), au plus `wait` ; `false` si ce n'est pas le cas.
    pub async fn wait_finished(&self, wait: std::time::Duration) -> bool {
        let deadline = tokio::time::Instant::now() + wait;
        while self.finished.load(std::sync::atomic::Ordering::SeqCst) < 2 {
            if tokio::time::Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        true
    }

    /// Les lignes écrites sur la sortie standard jusqu'ici.
    pub fn stdout(&self) -> Vec<String> {
        self.stdout
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Les lignes de la sortie standard à partir de la `since`-ième.
    pub fn stdout_since(&self, since: usize) -> Vec<String> {
        self.stdout
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(since..)
            .map(<[String]>::to_vec)
            .unwrap_or_default()
    }

    /// Le nombre de lignes de la sortie standard jusqu'ici.
    pub fn stdout_len(&self) -> usize {
        self.stdout
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    /// Vrai quand la sortie standard est fermée : plus aucune ligne ne viendra.
    pub fn stdout_closed(&self) -> bool {
        self.stdout_closed.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Les lignes écrites sur la sortie d'erreur jusqu'ici.
    pub fn stderr(&self) -> Vec<String> {
        self.stderr
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Les dernières lignes des deux sorties, pour un rapport d'échec.
    pub fn tail(&self, n: usize) -> Vec<String> {
        let mut lines = self.stdout();
        lines.extend(self.stderr().into_iter().map(|l| format!("(stderr) {l}")));
        let skip = lines.len().saturating_sub(n);
        lines.split_off(skip)
    }

    /// Attend que `count` lignes de la sortie standard vérifient `matches`.
    pub async fn wait_for(
        &self,
        what: &str,
        count: usize,
        matches: impl Fn(&str) -> bool,
        timeout: Duration,
    ) -> Result<Vec<String>, Failure> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let changed = self.changed.notified();
            let found: Vec<String> = self
                .stdout()
                .into_iter()
                .filter(|line| matches(line))
                .collect();
            if found.len() >= count {
                return Ok(found);
            }
            if tokio::time::timeout_at(deadline, changed).await.is_err() {
                let seen = if found.is_empty() {
                    "aucune ligne de ce genre".to_owned()
                } else {
                    format!(
                        "{} seulement : {}",
                        crate::plural(found.len(), "ligne", "lignes"),
                        crate::client::show_lines(&found)
                    )
                };
                return Err(Failure::new(
                    format!("le serveur affiche {what} ({count} fois)"),
                    seen,
                ));
            }
        }
    }

    fn push(&self, stderr: bool, line: String) {
        let lines = if stderr { &self.stderr } else { &self.stdout };
        lines
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(line);
        self.changed.notify_waiters();
    }
}

/// Un chapitre en cours d'exécution.
pub struct Server {
    child: Child,
    port: u16,
    log: Arc<OutputLog>,
    /// Vrai pour un chapitre à comptes (13 et suivants) : un client s'y
    /// inscrit et se connecte avec son cookie de session, au lieu de donner
    /// un pseudo dans `auth`.
    pub accounts: bool,
}

/// Lance `binary` avec les variables d'environnement données ; renvoie le
/// processus et ce qu'il écrit, sans attendre la ligne « prêt ».
pub fn spawn(
    binary: &Path,
    env: &HashMap<String, String>,
) -> Result<(Child, Arc<OutputLog>), Failure> {
    let mut command = Command::new(binary);
    command.envs(env).env_remove("RUST_BACKTRACE");
    spawn_command(command).map_err(|e| {
        Failure::new(
            format!("le programme {} démarre", binary.display()),
            format!("impossible de le lancer\u{a0}: {e}"),
        )
    })
}

/// Lance `command`, déjà préparée (programme, variables, groupe de
/// processus…), et lit ses deux sorties ligne par ligne ; le processus est
/// tué si `Child` est détruit.
pub fn spawn_command(mut command: Command) -> std::io::Result<(Child, Arc<OutputLog>)> {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()?;
    let log = Arc::new(OutputLog::default());
    if let Some(out) = child.stdout.take() {
        tokio::spawn(pump(out, log.clone(), false));
    }
    if let Some(err) = child.stderr.take() {
        tokio::spawn(pump(err, log.clone(), true));
    }
    Ok((child, log))
}

async fn pump(stream: impl AsyncRead + Unpin, log: Arc<OutputLog>, stderr: bool) {
    let mut lines = BufReader::new(stream).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        log.push(stderr, line);
    }
    if !stderr {
        log.stdout_closed
            .store(true, std::sync::atomic::Ordering::SeqCst);
    }
    log.finished
        .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    log.changed.notify_waiters();
}

impl Server {
    /// Lance le chapitre sur `PORT=0` et attend sa ligne « Adresse du serveur ».
    pub async fn start(
        binary: &Path,
        extra_env: &[(&str, &str)],
        logs: &Mutex<Vec<Arc<OutputLog>>>,
    ) -> Result<Server, Failure> {
        let mut env: HashMap<String, String> = HashMap::new();
        env.insert("PORT".into(), "0".into());
        env.insert("HOST".into(), "127.0.0.1".into());
        for (k, v) in extra_env {
            env.insert((*k).into(), (*v).into());
        }
        let (mut child, log) = spawn(binary, &env)?;
        logs.lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(log.clone());
        let what = format!("«\u{a0}{READY}<port>\u{a0}»");
        let ready = tokio::select! {
            found = log.wait_for(&what, 1, |l| l.starts_with(READY), WAIT) => found?,
            status = child.wait() => {
                let mut failure = Failure::new(
                    format!("le serveur démarre et affiche «\u{a0}{READY}<port>\u{a0}»"),
                    format!("il s'est arrêté avant ({})", describe_status(status.ok())),
                );
                // Ce qu'il a dit en partant (sa phrase d'erreur) : le temps
                // que ses dernières lignes soient lues.
                tokio::time::sleep(Duration::from_millis(200)).await;
                failure.server_output = log.tail(10);
                return Err(failure);
            }
        };
        let line = ready.first().cloned().unwrap_or_default();
        let port = ready_port(&line).ok_or_else(|| {
            Failure::new(
                format!("exactement «\u{a0}{READY}<port>\u{a0}» avec le vrai port"),
                format!("«\u{a0}{line}\u{a0}»"),
            )
        })?;
        Ok(Server {
            child,
            port,
            log,
            accounts: false,
        })
    }

    /// Ce que le serveur écrit, à garder pour le lire après son arrêt.
    pub fn shared_log(&self) -> Arc<OutputLog> {
        self.log.clone()
    }

    /// Le port sur lequel le serveur écoute.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `http://127.0.0.1:<port>`
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Ce que le serveur a écrit.
    pub fn log(&self) -> &OutputLog {
        &self.log
    }

    /// Attend que le serveur affiche `count` fois une ligne exactement égale à `line`.
    pub async fn expect_line(&self, line: &str, count: usize) -> Result<(), Failure> {
        self.log
            .wait_for(&format!("« {line} »"), count, |l| l == line, WAIT)
            .await
            .map(drop)
    }

    /// Attend `count` lignes qui commencent par `prefix` ; les renvoie.
    pub async fn expect_prefix(&self, prefix: &str, count: usize) -> Result<Vec<String>, Failure> {
        self.log
            .wait_for(
                &format!("une ligne « {prefix}… »"),
                count,
                |l| l.starts_with(prefix),
                WAIT,
            )
            .await
    }

    /// Le serveur tourne-t-il encore ?
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Tue le processus (SIGKILL : une panne, pas un arrêt) et attend sa fin.
    pub async fn kill(mut self) {
        self.child.start_kill().ok();
        self.child.wait().await.ok();
    }

    /// Demande l'arrêt comme le ferait un gestionnaire de services (SIGTERM ;
    /// ailleurs qu'Unix, le processus est tué) et attend la fin.
    pub async fn stop(self) -> Result<ExitStatus, Failure> {
        self.stop_with(StopSignal::Terminate).await
    }

    /// Envoie `signal` (Ctrl+C ou SIGTERM ; ailleurs qu'Unix, le processus
    /// est tué) et attend la fin.
    pub async fn stop_with(mut self, signal: StopSignal) -> Result<ExitStatus, Failure> {
        #[cfg(unix)]
        {
            use nix::sys::signal::Signal;
            if let Some(pid) = self.child.id() {
                let pid = nix::unistd::Pid::from_raw(i32::try_from(pid).unwrap_or(i32::MAX));
                let sent = match signal {
                    StopSignal::Terminate => Signal::SIGTERM,
                    StopSignal::Interrupt => Signal::SIGINT,
                };
                nix::sys::signal::kill(pid, sent).map_err(|e| {
                    Failure::new(
                        format!("le signal {} est envoyé", signal.name()),
                        format!("échec : {e}"),
                    )
                })?;
            }
        }
        #[cfg(not(unix))]
        {
            let _ = signal;
            self.child.start_kill().ok();
        }
        match tokio::time::timeout(Duration::from_secs(10), self.child.wait()).await {
            Ok(Ok(status)) => Ok(status),
            Ok(Err(e)) => Err(Failure::new("le serveur s'arrête", format!("erreur : {e}"))),
            Err(_) => {
                self.child.start_kill().ok();
                Err(Failure::new(
                    format!(
                        "le serveur s'arrête dans les 10 s qui suivent {}",
                        signal.name()
                    ),
                    "il tourne encore",
                ))
            }
        }
    }
}

/// Les deux façons de demander l'arrêt d'un chapitre.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopSignal {
    /// SIGTERM, ce qu'envoie un gestionnaire de services.
    Terminate,
    /// SIGINT, ce qu'envoie Ctrl+C dans le terminal.
    Interrupt,
}

impl StopSignal {
    /// Le nom du signal, pour les messages.
    pub fn name(self) -> &'static str {
        match self {
            StopSignal::Terminate => "SIGTERM",
            StopSignal::Interrupt => "Ctrl+C (SIGINT)",
        }
    }
}

/// « code 0 », « code 1 », « tué par un signal »…
pub fn describe_status(status: Option<ExitStatus>) -> String {
    match status.and_then(|s| s.code()) {
        Some(code) => format!("code de sortie {code}"),
        None => "tué par un signal".to_owned(),
    }
}
