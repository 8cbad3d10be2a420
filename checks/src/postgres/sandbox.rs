//! Ce qu'il faut à un PostgreSQL avant de démarrer : un compte sans
//! privilèges quand les tests tournent sous root, un dossier jetable à son
//! nom, un port libre.

use tokio::net::TcpListener;

use crate::Failure;

/// Le compte sous lequel tournent `initdb` et `postgres` quand les tests
/// sont lancés par root.
#[derive(Debug, Clone, Copy)]
pub(super) struct RunAs {
    pub(super) uid: u32,
    pub(super) gid: u32,
}

/// `None` hors de root : les programmes tournent sous l'utilisateur
/// courant.
pub(super) fn unprivileged_user() -> Result<Option<RunAs>, Failure> {
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
pub(super) fn temp_dir(run_as: Option<RunAs>) -> Result<tempfile::TempDir, Failure> {
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
pub(super) async fn free_port() -> Result<u16, Failure> {
    let listener = TcpListener::bind(("127.0.0.1", 0))
        .await
        .map_err(|e| Failure::new("un port libre pour PostgreSQL", e.to_string()))?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| Failure::new("un port libre pour PostgreSQL", e.to_string()))
}
