//! Trouver PostgreSQL sur le poste (`PG_BIN`, Debian, `PATH`), ou dire
//! comment l'installer ; sans lui, un test est sauté avec un message
//! visible, sauf en CI où c'est une erreur.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::Failure;

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
pub(super) fn missing() -> String {
    let why = if required() {
        "requis en CI (CI ou REQUIRE_POSTGRES=1)"
    } else {
        "test non fait sur ce poste"
    };
    format!(
        "PostgreSQL est installé ({why}) : sudo apt-get install postgresql sous Debian ou Ubuntu, brew install postgresql sous macOS, WSL sous Windows ; ou PG_BIN=<dossier de postgres>"
    )
}
