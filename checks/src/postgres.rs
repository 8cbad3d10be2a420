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

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use tokio::process::{Child, Command};

use crate::Failure;

mod bin;
mod process;
mod sandbox;

pub use bin::{PgBin, find_or_skip};
use process::{Launch, Stop};
use sandbox::{RunAs, free_port, temp_dir, unprivileged_user};

/// Le temps laissé à PostgreSQL pour accepter des connexions, ou pour
/// s'arrêter.
const LIMIT: Duration = Duration::from_secs(20);

/// L'utilisateur et la base créés pour le chat.
const USER: &str = "chat";
const DATABASE: &str = "chat";

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
}
