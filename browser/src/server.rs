//! Le programme d'un chapitre, lancé comme le ferait un étudiant, mais sur un
//! port libre : `PORT=0 cargo run -p chNN-…`.

use std::path::Path;
use std::sync::Arc;

use checks::{OutputLog, READY, ready_port, spawn_command};
use tokio::process::{Child, Command};

use crate::group::Group;
use crate::{Error, Result, bail, poll, timeouts};

/// Le serveur d'un chapitre en marche. Il est tué quand cette valeur est
/// détruite, y compris quand un test échoue ou panique.
pub struct Server {
    program: String,
    port: u16,
    /// Ce qu'il écrit, lu par le harnais commun (`checks::server`).
    output: Arc<OutputLog>,
    child: Child,
    _group: Group,
}

impl Server {
    /// Lance `program` (le chemin d'un binaire de chapitre) avec `PORT=0` et
    /// `HOST=127.0.0.1`, et attend sa ligne « Adresse du serveur : … ».
    pub async fn start(program: impl AsRef<Path>) -> Result<Self> {
        Self::start_with_env(program, &[]).await
    }

    /// Relance `program` à l'adresse d'un serveur arrêté (`port`), avec en
    /// plus `env` : une page restée ouverte doit s'y reconnecter seule.
    pub async fn start_on_port(
        program: impl AsRef<Path>,
        port: u16,
        env: &[(&str, &std::ffi::OsStr)],
    ) -> Result<Self> {
        let port = port.to_string();
        let mut env = env.to_vec();
        env.push(("PORT", std::ffi::OsStr::new(&port)));
        Self::start_with_env(program, &env).await
    }

    /// Comme [`Server::start`], avec en plus les variables d'environnement
    /// `env`, passées après `PORT=0` et `HOST=127.0.0.1` : elles peuvent les
    /// remplacer. Par exemple `[("DATABASE", fichier), ("PORT", "4123")]`
    /// pour relancer un chapitre sur la même base et à la même adresse.
    pub async fn start_with_env(
        program: impl AsRef<Path>,
        env: &[(&str, &std::ffi::OsStr)],
    ) -> Result<Self> {
        let path = program.as_ref();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.display().to_string());
        // Son propre groupe de processus, tué avec le test (voir `Group`).
        let group = Group::new(None)?;
        let mut command = Command::new(path);
        group
            .attach(&mut command)
            .env("PORT", "0")
            .env("HOST", "127.0.0.1")
            .envs(env.iter().copied());
        let (child, output) = spawn_command(command)
            .map_err(|e| Error::new(format!("impossible de lancer {}: {e}", path.display())))?;
        let mut server = Self {
            program: name,
            port: 0,
            output,
            child,
            _group: group,
        };
        let (_, ready) = server
            .wait_line_timeout(
                0,
                "la ligne « Adresse du serveur : … »",
                timeouts::start(),
                |l| l.starts_with(READY),
            )
            .await?;
        server.port = match ready_port(&ready) {
            Some(port) => port,
            None => bail!(
                "{} : ligne « prêt » inattendue : « {ready} » (on attendait le vrai port)",
                server.program
            ),
        };
        Ok(server)
    }

    /// Arrête le serveur comme un étudiant, d'un Ctrl+C (`SIGINT` ; ailleurs
    /// qu'Unix, le processus est tué), attend qu'il ait fini et renvoie tout
    /// ce qu'il a écrit sur sa sortie standard, jusqu'à sa dernière ligne.
    pub async fn stop(mut self) -> Result<Vec<String>> {
        #[cfg(unix)]
        {
            use nix::sys::signal::{Signal, kill};
            use nix::unistd::Pid;
            if let Some(pid) = self.child.id().and_then(|pid| i32::try_from(pid).ok()) {
                kill(Pid::from_raw(pid), Signal::SIGINT).map_err(|e| {
                    Error::new(format!(
                        "{} : impossible d'envoyer Ctrl+C : {e}",
                        self.program
                    ))
                })?;
            }
        }
        #[cfg(not(unix))]
        self.child
            .start_kill()
            .map_err(|e| Error::new(format!("{} : impossible de l'arrêter : {e}", self.program)))?;
        let waited = tokio::time::timeout(timeouts::wait(), self.child.wait()).await;
        if !matches!(waited, Ok(Ok(_))) {
            return Err(self.explain(
                0,
                &format!(
                    "{} ne s'est pas arrêté {} s après Ctrl+C",
                    self.program,
                    timeouts::wait().as_secs()
                ),
            ));
        }
        // Le processus fini, sa sortie se ferme : attendre la dernière ligne lue.
        poll(timeouts::wait(), || async {
            Ok(if self.output.stdout_closed() {
                Ok(())
            } else {
                Err(())
            })
        })
        .await?
        .map_err(|()| Error::new(format!("{} : sa sortie reste ouverte", self.program)))?;
        Ok(self.lines())
    }

    /// L'identifiant du processus du serveur.
    pub fn pid(&self) -> Option<u32> {
        self.child.id()
    }

    /// Le nom du programme (pour les messages).
    pub fn name(&self) -> &str {
        &self.program
    }

    /// Le port choisi par le système.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// L'adresse de la page, `http://127.0.0.1:<port>/`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }

    /// Toutes les lignes écrites sur la sortie standard jusqu'ici.
    pub fn lines(&self) -> Vec<String> {
        self.output.stdout()
    }

    /// Le nombre de lignes écrites jusqu'ici : une marque à passer à
    /// [`Server::wait_line`] ou [`Server::lines_since`].
    pub fn mark(&self) -> usize {
        self.output.stdout_len()
    }

    /// Les lignes écrites depuis la marque `since`.
    pub fn lines_since(&self, since: usize) -> Vec<String> {
        self.output.stdout_since(since)
    }

    /// Attend, à partir de la ligne `since`, une ligne qui vérifie `matches`.
    /// Renvoie son numéro et son texte ; sinon une erreur qui cite `what`, les
    /// lignes reçues et la sortie d'erreur du serveur.
    pub async fn wait_line(
        &self,
        since: usize,
        what: &str,
        matches: impl Fn(&str) -> bool,
    ) -> Result<(usize, String)> {
        self.wait_line_timeout(since, what, timeouts::wait(), matches)
            .await
    }

    /// Comme [`Server::wait_line`], pour une ligne exactement égale à `line`.
    pub async fn wait_exact(&self, since: usize, line: &str) -> Result<usize> {
        let what = format!("la ligne « {line} »");
        self.wait_line(since, &what, |l| l == line)
            .await
            .map(|(n, _)| n)
    }

    async fn wait_line_timeout(
        &self,
        since: usize,
        what: &str,
        timeout: std::time::Duration,
        matches: impl Fn(&str) -> bool,
    ) -> Result<(usize, String)> {
        let found = poll(timeout, || async {
            // Fermée avant d'avoir lu : aucune ligne ne peut plus venir.
            let closed = self.output.stdout_closed();
            let hit = self
                .output
                .stdout_since(since)
                .into_iter()
                .enumerate()
                .find(|(_, l)| matches(l))
                .map(|(n, l)| (since + n, l));
            match hit {
                Some(hit) => Ok(Ok(hit)),
                None if closed => Err(Error::new("sa sortie standard est fermée".to_owned())),
                None => Ok(Err(())),
            }
        })
        .await;
        match found {
            Ok(Ok(hit)) => Ok(hit),
            Ok(Err(())) => Err(self.explain(
                since,
                &format!(
                    "{} n'a pas écrit {what} en {} s",
                    self.program,
                    timeout.as_secs()
                ),
            )),
            Err(e) => Err(self.explain(
                since,
                &format!(
                    "{} n'a pas écrit {what} et s'est arrêté ({e})",
                    self.program
                ),
            )),
        }
    }

    /// Un message d'erreur suivi de ce que le serveur a écrit depuis `since`.
    pub fn explain(&self, since: usize, message: &str) -> Error {
        let lines = self.lines_since(since);
        let stderr = self.output.stderr();
        let end = if message.ends_with(['.', '!', '?', ')']) {
            ""
        } else {
            "."
        };
        let mut text = format!("{message}{end}\nSortie du serveur depuis le début de l'étape :");
        if lines.is_empty() {
            text.push_str(" (rien)");
        }
        for line in lines {
            text.push_str("\n  | ");
            text.push_str(&line);
        }
        if !stderr.is_empty() {
            text.push_str("\nSa sortie d'erreur :");
            for line in stderr {
                text.push_str("\n  ! ");
                text.push_str(&line);
            }
        }
        Error::new(text)
    }
}
