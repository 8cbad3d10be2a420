//! Un serveur PostgreSQL jetable pour les tests.
//!
//! Chaque test lance son propre `postgres` : une base neuve (`initdb`) dans
//! un dossier temporaire, un port libre, l'utilisateur `chat` sans mot de
//! passe (`--auth=trust`, acceptable parce que le serveur n'écoute que sur
//! 127.0.0.1), et aucune écriture forcée sur le disque (`fsync=off`…) : la
//! base disparaît avec le test. Le serveur s'arrête avec sa valeur, même si
//! le test échoue.
//!
//! PostgreSQL refuse de tourner sous root. Lancé par root (un conteneur de
//! CI), il tourne sous le compte `postgres` (créé par le paquet Debian), à
//! défaut sous `nobody` : le processus lancé est `postgres` lui-même (pas
//! un intermédiaire comme `runuser`), les signaux d'arrêt lui parviennent
//! donc directement.
//!
//! Sans PostgreSQL, un test peut être sauté avec un message visible
//! ([`find_or_skip`]) ; en CI (`CI` ou `REQUIRE_POSTGRES=1`), c'est une
//! erreur.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use tokio::net::TcpListener;
use tokio::process::{Child, Command};

use crate::Failure;

/// Le temps laissé à PostgreSQL pour accepter des connexions, ou pour
/// s'arrêter.
const LIMIT: Duration = Duration::from_secs(20);

/// L'utilisateur et la base créés pour le chat.
const USER: &str = "chat";
const DATABASE: &str = "chat";

/// Le dossier des programmes de PostgreSQL (`initdb`, `postgres`,
/// `pg_isready`, `createdb`, `pg_dump`).
#[derive(Debug, Clone)]
pub struct PgBin {
    dir: PathBuf,
}

impl PgBin {
    /// Cherche PostgreSQL : la variable `PG_BIN` (un dossier), la version la
    /// plus récente de `/usr/lib/postgresql/*/bin` (Debian), puis le `PATH`
    /// (Homebrew sous macOS).
    pub fn find() -> Result<PgBin, Failure> {
        locate().map_err(|why| Failure::new(missing(), why))
    }

    /// Le dossier trouvé.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Le chemin de `name` dans ce dossier ; s'il n'y est pas, le nom seul,
    /// cherché dans le `PATH` au lancement.
    pub fn program(&self, name: &str) -> PathBuf {
        let path = self
            .dir
            .join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
        if path.is_file() {
            path
        } else {
            PathBuf::from(name)
        }
    }
}

/// PostgreSQL trouvé, ou `None` après un message bien visible ; en CI (`CI`
/// ou `REQUIRE_POSTGRES=1`), son absence fait échouer le test.
pub fn find_or_skip(test: &str) -> Option<PgBin> {
    match locate() {
        Ok(bin) => Some(bin),
        Err(why) => {
            assert!(
                !required(),
                "{test} : {why}, et la variable CI (ou REQUIRE_POSTGRES=1) interdit de \
                 sauter ce test. Installez-le : apt-get install -y postgresql"
            );
            // Directement sur la sortie d'erreur : `eprintln!` serait capturé
            // par `cargo test` et resterait invisible pour un test réussi.
            let _ = writeln!(
                std::io::stderr(),
                "\n*** {test} : test avec PostgreSQL NON LANCÉ : {why}. \
                 Pour le lancer : apt-get install -y postgresql sous Debian ou \
                 Ubuntu, brew install postgresql sous macOS, ou PG_BIN=<dossier \
                 de postgres> (la variable CI ou REQUIRE_POSTGRES=1 fait de cette \
                 absence une erreur). ***"
            );
            None
        }
    }
}

/// Le dossier de PostgreSQL, ou pourquoi il est introuvable.
fn locate() -> Result<PgBin, String> {
    let postgres = format!("postgres{}", std::env::consts::EXE_SUFFIX);
    let initdb = format!("initdb{}", std::env::consts::EXE_SUFFIX);
    if let Some(dir) = std::env::var_os("PG_BIN").map(PathBuf::from) {
        if dir.join(&postgres).is_file() && dir.join(&initdb).is_file() {
            return Ok(PgBin { dir });
        }
        return Err(format!(
            "PG_BIN={} ne contient pas {postgres} et {initdb}",
            dir.display()
        ));
    }
    // Debian : /usr/lib/postgresql/15/bin, /usr/lib/postgresql/16/bin…
    let debian = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry
                .file_name()
                .to_str()?
                .split('.')
                .map(|n| n.parse::<u32>().ok())
                .collect::<Option<Vec<u32>>>()?;
            let bin = entry.path().join("bin");
            (bin.join(&postgres).is_file() && bin.join(&initdb).is_file()).then_some((version, bin))
        })
        .max();
    if let Some((_, dir)) = debian {
        return Ok(PgBin { dir });
    }
    // Le PATH : Homebrew n'y met que des liens ; le vrai dossier, à côté
    // du programme `postgres`, a aussi `pg_isready` et `createdb`.
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .find(|dir| dir.join(&postgres).is_file() && dir.join(&initdb).is_file());
    if let Some(dir) = on_path {
        let dir = std::fs::canonicalize(dir.join(&postgres))
            .ok()
            .and_then(|p| p.parent().map(Path::to_path_buf))
            .unwrap_or(dir);
        return Ok(PgBin { dir });
    }
    Err("PostgreSQL est introuvable (ni PG_BIN, ni /usr/lib/postgresql/*/bin, ni initdb et postgres dans le PATH)".to_owned())
}

/// L'absence de PostgreSQL est-elle une erreur ?
fn required() -> bool {
    std::env::var_os("CI").is_some() || std::env::var("REQUIRE_POSTGRES").is_ok_and(|v| v == "1")
}

/// Ce qu'il faut pour lancer les tests avec PostgreSQL, dit à l'étudiant.
fn missing() -> String {
    let why = if required() {
        "requis en CI (CI ou REQUIRE_POSTGRES=1)"
    } else {
        "test non fait sur ce poste"
    };
    format!(
        "PostgreSQL est installé ({why}) : sudo apt-get install postgresql sous Debian ou Ubuntu, brew install postgresql sous macOS, WSL sous Windows ; ou PG_BIN=<dossier de postgres>"
    )
}

/// Le compte sous lequel tournent `initdb` et `postgres` quand les tests
/// sont lancés par root.
#[derive(Debug, Clone, Copy)]
struct RunAs {
    uid: u32,
    gid: u32,
}

/// `None` hors de root : les programmes tournent sous l'utilisateur
/// courant.
fn unprivileged_user() -> Result<Option<RunAs>, Failure> {
    #[cfg(unix)]
    {
        use nix::unistd::{User, geteuid};
        if !geteuid().is_root() {
            return Ok(None);
        }
        for name in ["postgres", "nobody"] {
            if let Ok(Some(user)) = User::from_name(name) {
                return Ok(Some(RunAs {
                    uid: user.uid.as_raw(),
                    gid: user.gid.as_raw(),
                }));
            }
        }
        Err(Failure::new(
            "un compte sans privilèges (postgres ou nobody) pour PostgreSQL, qui refuse de tourner sous root",
            "aucun des deux n'existe",
        ))
    }
    #[cfg(not(unix))]
    {
        Ok(None)
    }
}

/// Un dossier temporaire où `run_as` peut écrire.
fn temp_dir(run_as: Option<RunAs>) -> Result<tempfile::TempDir, Failure> {
    let expected = "un dossier temporaire pour PostgreSQL";
    let mut builder = tempfile::Builder::new();
    builder.prefix("postgres-");
    let Some(user) = run_as else {
        return builder
            .tempdir()
            .map_err(|e| Failure::new(expected, e.to_string()));
    };
    // Sous root, `TMPDIR` peut être un dossier que `postgres` ne peut pas
    // traverser ; /tmp l'est toujours. Le dossier, créé en 0700, est donné
    // à `postgres`.
    #[cfg(unix)]
    {
        let dir = builder
            .tempdir_in("/tmp")
            .map_err(|e| Failure::new(expected, e.to_string()))?;
        std::os::unix::fs::chown(dir.path(), Some(user.uid), Some(user.gid)).map_err(|e| {
            Failure::new(
                format!("{} est donné au compte de PostgreSQL", dir.path().display()),
                e.to_string(),
            )
        })?;
        Ok(dir)
    }
    #[cfg(not(unix))]
    {
        let _ = user;
        builder
            .tempdir()
            .map_err(|e| Failure::new(expected, e.to_string()))
    }
}

/// Un port libre de 127.0.0.1 : on en demande un au système, puis on le
/// rend.
async fn free_port() -> Result<u16, Failure> {
    let listener = TcpListener::bind(("127.0.0.1", 0))
        .await
        .map_err(|e| Failure::new("un port libre pour PostgreSQL", e.to_string()))?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| Failure::new("un port libre pour PostgreSQL", e.to_string()))
}

/// Pourquoi `postgres` n'a pas démarré.
enum Launch {
    /// Il s'est arrêté aussitôt : sans doute le port, pris entre-temps.
    Exited(Failure),
    Failed(Failure),
}

impl Launch {
    fn failure(self) -> Failure {
        match self {
            Launch::Exited(failure) | Launch::Failed(failure) => failure,
        }
    }
}

/// Un `postgres` lancé par les tests, arrêté avec sa valeur.
pub struct PostgresServer {
    bin: PgBin,
    run_as: Option<RunAs>,
    /// `None` une fois arrêté.
    child: Option<Child>,
    port: u16,
    /// Le dossier de la base (`data/`), de la socket Unix et du journal ;
    /// déclaré en dernier : effacé après l'arrêt du serveur.
    dir: tempfile::TempDir,
}

impl PostgresServer {
    /// Cherche PostgreSQL ([`PgBin::find`]), puis le lance
    /// ([`PostgresServer::start_with`]).
    pub async fn start() -> Result<PostgresServer, Failure> {
        let bin = PgBin::find()?;
        PostgresServer::start_with(&bin).await
    }

    /// Crée une base neuve, lance `postgres` sur un port libre, attend
    /// qu'il accepte les connexions, puis crée la base `chat`.
    ///
    /// Le port est libre quand on le demande, mais un autre test lancé en
    /// même temps peut le prendre avant PostgreSQL : celui-ci s'arrête alors
    /// aussitôt, et l'on recommence sur un autre port.
    pub async fn start_with(bin: &PgBin) -> Result<PostgresServer, Failure> {
        let run_as = unprivileged_user()?;
        let dir = temp_dir(run_as)?;
        let mut server = PostgresServer {
            bin: bin.clone(),
            run_as,
            child: None,
            port: 0,
            dir,
        };
        server.init_db().await?;
        let mut tries = 0;
        loop {
            tries += 1;
            server.port = free_port().await?;
            match server.launch().await {
                Ok(()) => break,
                Err(Launch::Exited(_)) if tries < 5 => {}
                Err(launch) => return Err(launch.failure()),
            }
        }
        server.create_db().await?;
        Ok(server)
    }

    /// L'adresse de la base `chat`, à donner au programme testé.
    pub fn url(&self) -> String {
        self.url_of(DATABASE)
    }

    /// Le port de PostgreSQL, le même après [`PostgresServer::restart`].
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Le numéro du processus `postgres` principal, tant qu'il tourne.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().and_then(Child::id)
    }

    /// Le dossier de la base.
    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// Les dernières lignes du journal de PostgreSQL, pour un rapport
    /// d'échec.
    pub fn log_tail(&self) -> Vec<String> {
        let log = std::fs::read_to_string(self.log_path()).unwrap_or_default();
        let lines: Vec<String> = log.lines().map(str::to_owned).collect();
        let skip = lines.len().saturating_sub(12);
        lines[skip..].to_vec()
    }

    /// PostgreSQL accepte-t-il les connexions (`pg_isready`) ?
    pub async fn accepts_connections(&self) -> bool {
        let mut command = Command::new(self.bin.program("pg_isready"));
        command
            .args(["-q", "-h", "127.0.0.1", "-p", &self.port.to_string()])
            .args(["-U", USER, "-t", "2"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true);
        tokio::time::timeout(Duration::from_secs(5), command.status())
            .await
            .is_ok_and(|status| status.is_ok_and(|s| s.success()))
    }

    /// Arrête PostgreSQL (arrêt « fast » : SIGINT, les connexions sont
    /// coupées, les données écrites) et attend sa fin. Sans effet s'il est
    /// déjà arrêté.
    pub async fn stop(&mut self) -> Result<(), Failure> {
        self.shut_down(Stop::Fast).await
    }

    /// Relance PostgreSQL sur la même base et le même port (après
    /// [`PostgresServer::stop`], ou en l'arrêtant d'abord), et attend qu'il
    /// accepte les connexions.
    pub async fn restart(&mut self) -> Result<(), Failure> {
        self.stop().await?;
        self.launch().await.map_err(Launch::failure)
    }

    /// Arrête PostgreSQL d'un coup, comme une panne (arrêt « immediate » :
    /// SIGQUIT, sans point de reprise), et efface sa base.
    pub async fn kill(mut self) {
        let _ = self.shut_down(Stop::Immediate).await;
    }

    fn log_path(&self) -> PathBuf {
        self.dir.path().join("postgres.log")
    }

    fn failure(&self, expected: impl Into<String>, seen: impl Into<String>) -> Failure {
        let mut failure = Failure::new(expected, seen);
        failure.server_output = self.log_tail();
        failure
    }

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
    async fn init_db(&self) -> Result<(), Failure> {
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
    async fn create_db(&self) -> Result<(), Failure> {
        self.create_database(DATABASE).await.map(drop)
    }

    /// Crée une base vide de plus, `name` (lettres minuscules, chiffres et
    /// `_`), avec `createdb` connecté en TCP comme le sera le chat, et rend
    /// son adresse (même serveur, même utilisateur `chat`).
    pub async fn create_database(&self, name: &str) -> Result<String, Failure> {
        let expected = format!("createdb crée la base {name}");
        let output = Command::new(self.bin.program("createdb"))
            .args(["-h", "127.0.0.1", "-p", &self.port.to_string()])
            .args(["-U", USER, name])
            .stdin(Stdio::null())
            .kill_on_drop(true)
            .output()
            .await
            .map_err(|e| self.failure(expected.clone(), e.to_string()))?;
        if output.status.success() {
            return Ok(self.url_of(name));
        }
        let stderr = String::from_utf8_lossy(&output.stderr);
        Err(self.failure(
            expected,
            format!("il a échoué ({}) : {}", output.status, stderr.trim()),
        ))
    }

    /// Tout ce que garde la base `name`, en texte (`pg_dump` : schéma et
    /// données), pour y chercher ce qui ne doit pas y être écrit.
    pub async fn dump(&self, name: &str) -> Result<String, Failure> {
        let expected = format!("pg_dump lit la base {name}");
        let output = Command::new(self.bin.program("pg_dump"))
            .args(["-h", "127.0.0.1", "-p", &self.port.to_string()])
            .args(["-U", USER, name])
            .stdin(Stdio::null())
            .kill_on_drop(true)
            .output()
            .await
            .map_err(|e| self.failure(expected.clone(), e.to_string()))?;
        if output.status.success() {
            return Ok(String::from_utf8_lossy(&output.stdout).into_owned());
        }
        let stderr = String::from_utf8_lossy(&output.stderr);
        Err(self.failure(
            expected,
            format!("il a échoué ({}) : {}", output.status, stderr.trim()),
        ))
    }

    /// L'adresse de la base `name` de ce serveur.
    fn url_of(&self, name: &str) -> String {
        format!("postgres://{USER}@127.0.0.1:{}/{name}", self.port)
    }

    /// Lance `postgres` sur `self.port` et attend qu'il accepte les
    /// connexions.
    async fn launch(&mut self) -> Result<(), Launch> {
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
    async fn shut_down(&mut self, stop: Stop) -> Result<(), Failure> {
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
enum Stop {
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
