//! Un groupe de processus qui ne survit pas au test.
//!
//! chromedriver, Chromium (et ses processus de rendu) ou le serveur d'un
//! chapitre entrent dans un groupe de processus à eux. Le groupe meurt :
//!
//! - quand le [`Group`] est détruit (fin du test, échec, panique) : un seul
//!   `SIGKILL` au groupe entier ;
//! - quand le processus du test meurt sans rien détruire (Ctrl+C, `SIGKILL`,
//!   délai de la CI dépassé) : le groupe a un gardien, `sh -c 'read …'`, dont
//!   l'entrée standard est un tube tenu par le test. Le test mort, le tube se
//!   ferme, `read` rend la main et le gardien arrête son groupe, efface le
//!   dossier temporaire qu'on lui a confié (le profil de Chromium), puis se
//!   tue avec les retardataires.

//!
//! Ailleurs qu'Unix (Windows), il n'y a pas de groupe de processus : chaque
//! processus est arrêté quand sa valeur est détruite (`kill_on_drop`).

pub(crate) use imp::Group;

#[cfg(unix)]
mod imp {
    use std::path::Path;
    use std::process::Stdio;

    use nix::sys::signal::{Signal, killpg};
    use nix::unistd::Pid;
    use tokio::process::{Child, ChildStdin, Command};

    use crate::{Error, Result};

    /// Le gardien : attend la fin de son entrée standard ; puis `SIGTERM` au
    /// groupe (qu'il ignore lui-même), efface le dossier `$1` s'il y en a un, et
    /// `SIGKILL` au groupe, lui compris.
    const WATCHDOG: &str = r#"read -r _
trap '' TERM
kill -TERM 0
sleep 1
if [ -n "$1" ]; then rm -rf -- "$1"; fi
kill -KILL 0"#;

    /// Un groupe de processus, tué à la destruction de la valeur ou à la mort du
    /// processus du test.
    pub(crate) struct Group {
        id: Pid,
        // Le tube vers le gardien : tant qu'il est ouvert, le gardien attend.
        _pipe: Option<ChildStdin>,
        _watchdog: Child,
    }

    impl Group {
        /// Crée le groupe (avec son gardien). `cleanup` : un dossier que le
        /// gardien efface si le test meurt sans l'avoir fait.
        pub(crate) fn new(cleanup: Option<&Path>) -> Result<Self> {
            let mut watchdog = Command::new("sh")
                .args(["-c", WATCHDOG, "gardien"])
                .arg(cleanup.map(Path::as_os_str).unwrap_or_default())
                .stdin(Stdio::piped())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .process_group(0)
                .kill_on_drop(true)
                .spawn()
                .map_err(|e| Error::new(format!("impossible de lancer sh : {e}")))?;
            let id = watchdog
                .id()
                .and_then(|pid| i32::try_from(pid).ok())
                .ok_or_else(|| Error::new("le gardien des processus s'est arrêté aussitôt"))?;
            Ok(Self {
                id: Pid::from_raw(id),
                _pipe: watchdog.stdin.take(),
                _watchdog: watchdog,
            })
        }

        /// Le numéro du groupe.
        pub(crate) fn id(&self) -> i32 {
            self.id.as_raw()
        }

        /// Fait entrer le processus lancé par `command` dans le groupe.
        pub(crate) fn attach<'a>(&self, command: &'a mut Command) -> &'a mut Command {
            command.process_group(self.id())
        }
    }

    impl Drop for Group {
        fn drop(&mut self) {
            let _ = killpg(self.id, Signal::SIGKILL);
        }
    }
}

#[cfg(not(unix))]
mod imp {
    use std::path::Path;

    use tokio::process::Command;

    use crate::Result;

    /// Sans groupe de processus : rien à faire de plus que `kill_on_drop`.
    pub(crate) struct Group;

    impl Group {
        pub(crate) fn new(_cleanup: Option<&Path>) -> Result<Self> {
            Ok(Group)
        }

        pub(crate) fn id(&self) -> i32 {
            0
        }

        pub(crate) fn attach<'a>(&self, command: &'a mut Command) -> &'a mut Command {
            command
        }
    }
}
