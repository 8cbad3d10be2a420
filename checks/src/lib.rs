//! # Les vérifications des chapitres
//!
//! Chaque chapitre promet un comportement visible de l'extérieur (voir son
//! contrat dans `book/src/annexe-contrat.md`, et sa page « Pour tester » dans
//! le livre). Ce crate le vérifie comme le ferait un étudiant, mais sans se
//! fatiguer : il lance le programme du chapitre sur un port libre, ouvre de
//! vrais clients Socket.IO (WebSocket et long-polling), envoie des requêtes
//! HTTP, lit ce que le serveur affiche, puis l'arrête avec SIGTERM.
//!
//! Le même code sert à `cargo test` (un test par chapitre, dans
//! `chapters/chNN-…/tests/contract.rs`) et à `cargo xtask verify`.

pub mod client;
pub mod exercises;
pub mod http;
pub mod nginx;
pub mod postgres;
pub mod proxy;
pub mod redis;
pub mod scenarios;
pub mod server;

use std::fmt;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

pub use client::{Client, Transport};
pub use server::{OutputLog, READY, Server, ready_port, spawn_command};

/// Le temps d'attente par défaut d'une réponse ou d'une ligne du serveur :
/// large, pour une machine chargée, mais un échec ne bloque jamais.
pub const WAIT: Duration = Duration::from_secs(15);

/// Les chapitres du cours, dans l'ordre.
pub const CHAPTERS: [&str; 15] = [
    "ch01-static",
    "ch02-connect",
    "ch03-emit",
    "ch04-io-emit",
    "ch05-broadcast",
    "ch06-clients",
    "ch07-rooms",
    "ch08-acks",
    "ch09-pseudos",
    "ch10-prive",
    "ch11-historique",
    "ch12-cluster",
    "ch13-comptes",
    "ch14-moderation",
    "ch15-en-ligne",
];

/// Retrouve un chapitre d'après « ch05 », « ch05-broadcast », « 5 » ou « 05 ».
pub fn find_chapter(name: &str) -> Option<&'static str> {
    let name = name.trim().trim_end_matches('/');
    let name = name.rsplit('/').next().unwrap_or(name);
    CHAPTERS.iter().copied().find(|chapter| {
        let number = &chapter[2..4];
        *chapter == name
            || &chapter[..4] == name
            || name.parse::<u8>().ok() == number.parse::<u8>().ok().filter(|_| !name.is_empty())
    })
}

/// Le numéro d'un chapitre (1 pour `ch01-static`).
pub fn chapter_number(chapter: &str) -> u8 {
    chapter.get(2..4).and_then(|n| n.parse().ok()).unwrap_or(0)
}

/// Ce qui était attendu, et ce qui a été vu à la place.
#[derive(Debug, Clone)]
pub struct Failure {
    pub expected: String,
    pub seen: String,
    /// Les dernières lignes affichées par le serveur.
    pub server_output: Vec<String>,
}

impl Failure {
    pub fn new(expected: impl Into<String>, seen: impl Into<String>) -> Failure {
        Failure {
            expected: expected.into(),
            seen: seen.into(),
            server_output: Vec::new(),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "attendu : {}", self.expected)?;
        write!(f, "vu : {}", self.seen)?;
        if !self.server_output.is_empty() {
            write!(f, "\ndernières lignes du serveur :")?;
            for line in &self.server_output {
                write!(f, "\n  | {line}")?;
            }
        }
        Ok(())
    }
}

/// Le contexte d'une vérification : le programme à lancer, et les sorties
/// des serveurs lancés (pour le rapport d'échec).
#[derive(Clone)]
pub struct Ctx {
    pub chapter: &'static str,
    pub binary: PathBuf,
    logs: Arc<Mutex<Vec<Arc<OutputLog>>>>,
    /// Les dossiers jetables des bases SQLite (chapitre 11), effacés avec
    /// le contexte.
    temp_dirs: Arc<Mutex<Vec<tempfile::TempDir>>>,
    /// Le Redis jetable des chapitres 12 et 15, lancé au premier serveur
    /// et arrêté avec le contexte.
    redis: Arc<tokio::sync::Mutex<Option<redis::RedisServer>>>,
    /// Le PostgreSQL jetable du chapitre 15, lancé à la première base
    /// demandée et arrêté avec le contexte ; une base neuve par serveur.
    postgres: Arc<tokio::sync::Mutex<Option<postgres::PostgresServer>>>,
    /// Chapitres 11 et 15 : ce que chaque client de la vérification a déjà
    /// reçu (le plus grand numéro de message), pour qu'un nouveau client
    /// dise avoir vu ce que ses voisins ont vu, comme un onglet rouvert.
    seen: Arc<Mutex<Vec<Arc<std::sync::atomic::AtomicI64>>>>,
}

impl Ctx {
    pub fn new(chapter: &'static str, binary: &Path) -> Ctx {
        Ctx {
            chapter,
            binary: binary.to_path_buf(),
            logs: Arc::default(),
            temp_dirs: Arc::default(),
            redis: Arc::default(),
            postgres: Arc::default(),
            seen: Arc::default(),
        }
    }

    /// Suit désormais ce que `client` reçoit (voir [`Ctx::latest_seen`]).
    pub fn follow(&self, client: &Client) {
        let mut seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
        seen.push(client.latest_id());
    }

    /// Le plus grand numéro de message reçu par un client suivi de cette
    /// vérification, sur n'importe lequel de ses serveurs (0 si aucun).
    pub fn latest_seen(&self) -> i64 {
        let seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
        seen.iter()
            .map(|id| id.load(std::sync::atomic::Ordering::Relaxed))
            .max()
            .unwrap_or(0)
    }

    /// Lance le chapitre sur un port libre et attend qu'il soit prêt.
    pub async fn start(&self) -> Result<Server, Failure> {
        self.start_with(&[]).await
    }

    /// Comme [`Ctx::start`], avec des variables d'environnement en plus.
    /// Aux chapitres 11, 13 et 14, chaque serveur reçoit sa propre base
    /// neuve (`DATABASE`), au chapitre 15 sa propre base PostgreSQL
    /// (`DATABASE_URL`) et le Redis du contexte (`REDIS_URL`), sauf si
    /// `env` les donne.
    pub async fn start_with(&self, env: &[(&str, &str)]) -> Result<Server, Failure> {
        if self.number() >= 15 {
            let has = |name: &str| env.iter().any(|(k, _)| *k == name);
            let mut env = env.to_vec();
            let database;
            if !has("DATABASE_URL") {
                database = self.fresh_database_url().await?;
                env.push(("DATABASE_URL", &database));
            }
            let redis;
            if !has("REDIS_URL") {
                redis = self.redis_url().await?;
                env.push(("REDIS_URL", &redis));
            }
            // Comme au chapitre 14 : un modérateur, et une limite de débit
            // que les vérifications communes ne touchent pas.
            for (name, value) in [("MODERATORS", "Modo"), ("FLOOD_LIMIT", "1000000")] {
                if !has(name) {
                    env.push((name, value));
                }
            }
            let mut server = Server::start(&self.binary, &env, &self.logs).await?;
            server.accounts = true;
            return Ok(server);
        }
        if self.number() >= 13 {
            let mut env = env.to_vec();
            let database;
            if !env.iter().any(|(k, _)| *k == "DATABASE") {
                database = self.fresh_database()?.to_string_lossy().into_owned();
                env.push(("DATABASE", &database));
            }
            // Chapitre 14 : un modérateur, et une limite de débit que les
            // vérifications communes (1 000 messages d'affilée) ne touchent
            // pas ; `flood_limit` vérifie la valeur par défaut.
            if self.number() >= 14 {
                for (name, value) in [("MODERATORS", "Modo"), ("FLOOD_LIMIT", "1000000")] {
                    if !env.iter().any(|(k, _)| *k == name) {
                        env.push((name, value));
                    }
                }
            }
            let mut server = Server::start(&self.binary, &env, &self.logs).await?;
            server.accounts = true;
            return Ok(server);
        }
        if self.number() == 11 && !env.iter().any(|(k, _)| *k == "DATABASE") {
            let database = self.fresh_database()?;
            let database = database.to_string_lossy().into_owned();
            let mut env = env.to_vec();
            env.push(("DATABASE", &database));
            return Server::start(&self.binary, &env, &self.logs).await;
        }
        if self.number() == 12 && !env.iter().any(|(k, _)| *k == "REDIS_URL") {
            let url = self.redis_url().await?;
            let mut env = env.to_vec();
            env.push(("REDIS_URL", &url));
            return Server::start(&self.binary, &env, &self.logs).await;
        }
        Server::start(&self.binary, env, &self.logs).await
    }

    /// L'adresse du Redis de ce contexte (chapitres 12 et 15), lancé au
    /// premier appel.
    pub async fn redis_url(&self) -> Result<String, Failure> {
        let mut redis = self.redis.lock().await;
        if let Some(server) = redis.as_ref() {
            return Ok(server.url());
        }
        let server = redis::RedisServer::start().await?;
        let url = server.url();
        *redis = Some(server);
        Ok(url)
    }

    /// Chapitre 15 : l'adresse d'une base PostgreSQL neuve et vide, sur le
    /// PostgreSQL de ce contexte (lancé au premier appel). Sans PostgreSQL
    /// sur ce poste, un échec qui dit comment l'installer.
    pub async fn fresh_database_url(&self) -> Result<String, Failure> {
        static NEXT: AtomicUsize = AtomicUsize::new(1);
        let mut postgres = self.postgres.lock().await;
        let server = match postgres.take() {
            Some(server) => server,
            None => postgres::PostgresServer::start().await?,
        };
        let server = postgres.insert(server);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        server.create_database(&format!("chat_{n}")).await
    }

    /// Une base neuve à donner à plusieurs lancements (une relance, deux
    /// processus) : la variable et sa valeur, `DATABASE` et un chemin
    /// jusqu'au chapitre 14, `DATABASE_URL` et une adresse au chapitre 15.
    pub async fn shared_database(&self) -> Result<(&'static str, String), Failure> {
        if self.number() >= 15 {
            return Ok(("DATABASE_URL", self.fresh_database_url().await?));
        }
        let path = self.fresh_database()?;
        Ok(("DATABASE", path.to_string_lossy().into_owned()))
    }

    /// Chapitre 15 : arrête le PostgreSQL de ce contexte (arrêt « fast » :
    /// les connexions sont coupées, les données gardées).
    pub async fn stop_postgres(&self) -> Result<(), Failure> {
        match self.postgres.lock().await.as_mut() {
            Some(server) => server.stop().await,
            None => Err(Failure::new(
                "un PostgreSQL à arrêter",
                "aucun PostgreSQL lancé",
            )),
        }
    }

    /// Chapitre 15 : relance le PostgreSQL de ce contexte sur le même port,
    /// avec les mêmes bases.
    pub async fn restart_postgres(&self) -> Result<(), Failure> {
        match self.postgres.lock().await.as_mut() {
            Some(server) => server.restart().await,
            None => Err(Failure::new(
                "un PostgreSQL à relancer",
                "aucun PostgreSQL lancé",
            )),
        }
    }

    /// Chapitre 15 : le contenu de la base d'adresse `url` (`pg_dump`).
    pub async fn dump_database(&self, url: &str) -> Result<String, Failure> {
        let name = url.rsplit('/').next().unwrap_or_default();
        match self.postgres.lock().await.as_ref() {
            Some(server) => server.dump(name).await,
            None => Err(Failure::new(
                format!("la base {name} à lire"),
                "aucun PostgreSQL lancé",
            )),
        }
    }

    /// Le chemin d'une base qui n'existe pas encore, dans un dossier
    /// jetable effacé avec ce contexte.
    pub fn fresh_database(&self) -> Result<PathBuf, Failure> {
        let dir = tempfile::tempdir().map_err(|e| {
            Failure::new(
                "un dossier temporaire pour la base de données",
                e.to_string(),
            )
        })?;
        let path = dir.path().join("chat.db");
        self.temp_dirs
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(dir);
        Ok(path)
    }

    /// Chapitres 12 et 15 : tue le Redis de ce contexte, comme une panne,
    /// et rend son port (pour [`Ctx::restart_redis`]).
    pub async fn kill_redis(&self) -> Option<u16> {
        let server = self.redis.lock().await.take()?;
        let port = server.port();
        server.kill().await;
        Some(port)
    }

    /// Chapitres 12 et 15 : relance un Redis (vide) sur `port`.
    pub async fn restart_redis(&self, port: u16) -> Result<(), Failure> {
        let server = redis::RedisServer::start_on(port).await?;
        *self.redis.lock().await = Some(server);
        Ok(())
    }

    /// Le dossier de `client/` que sert le chapitre : le sien, sauf si son
    /// `Cargo.toml` en nomme un autre (`client = "ch09-pseudos"` dans
    /// `[package.metadata.cours]` : le chapitre 12 garde la page du 9).
    pub fn client_folder(&self) -> String {
        let manifest = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("..")
            .join("chapters")
            .join(self.chapter)
            .join("Cargo.toml");
        let text = std::fs::read_to_string(manifest).unwrap_or_default();
        let mut in_section = false;
        for line in text.lines().map(str::trim) {
            if line.starts_with('[') {
                in_section = line == "[package.metadata.cours]";
            } else if in_section
                && let Some(value) = line.strip_prefix("client")
                && let Some(value) = value.trim_start().strip_prefix('=')
            {
                return value.trim().trim_matches('"').to_owned();
            }
        }
        self.chapter.to_owned()
    }

    /// Le numéro du chapitre vérifié.
    pub fn number(&self) -> u8 {
        chapter_number(self.chapter)
    }

    fn last_lines(&self) -> Vec<String> {
        self.logs
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .first()
            .map(|log| log.tail(12))
            .unwrap_or_default()
    }
}

type CheckFuture = Pin<Box<dyn Future<Output = Result<(), Failure>> + Send>>;

/// Une vérification : ce qu'elle contrôle, dit comme le dirait le cours.
#[derive(Clone, Copy)]
pub struct Check {
    /// Un nom court et stable (`broadcast`, `order`…).
    pub id: &'static str,
    /// Ce qui est vérifié, en français.
    pub description: &'static str,
    pub run: fn(Ctx) -> CheckFuture,
    /// Au-delà, la vérification est déclarée bloquée : une garde, pas une
    /// mesure de vitesse (celle-ci se fait dans `cargo xtask bench`).
    pub limit: Duration,
}

/// La garde ordinaire d'une vérification.
pub const CHECK_LIMIT: Duration = Duration::from_secs(120);
/// La garde des vérifications qui doivent remplir la file d'un client
/// gelé : plus de 10\u{a0}000 messages, chacun enregistré dans
/// PostgreSQL au chapitre 15 avant de partir.
pub const LONG_CHECK_LIMIT: Duration = Duration::from_secs(300);

impl fmt::Debug for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id)
    }
}

/// Le résultat d'une vérification.
#[derive(Debug)]
pub struct Outcome {
    pub check: Check,
    pub result: Result<(), Failure>,
    pub duration: Duration,
}

/// Les résultats de toutes les vérifications d'un chapitre.
#[derive(Debug)]
pub struct Report {
    pub chapter: &'static str,
    pub outcomes: Vec<Outcome>,
}

impl Report {
    pub fn passed(&self) -> bool {
        self.outcomes.iter().all(|o| o.result.is_ok())
    }

    pub fn failures(&self) -> impl Iterator<Item = &Outcome> {
        self.outcomes.iter().filter(|o| o.result.is_err())
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.chapter)?;
        for outcome in &self.outcomes {
            let mark = if outcome.result.is_ok() { "✓" } else { "✗" };
            writeln!(f, "  {mark} {}", outcome.check.description)?;
            if let Err(failure) = &outcome.result {
                for line in failure.to_string().lines() {
                    writeln!(f, "      {line}")?;
                }
            }
        }
        Ok(())
    }
}

/// Combien de vérifications tournent en même temps, tous chapitres
/// confondus (la machine de CI a deux cœurs ; chaque vérification lance son
/// propre serveur).
pub const PARALLEL_CHECKS: usize = 4;

/// Les places de tout le processus. `cargo xtask verify` lance tous les
/// chapitres à la fois : sans limite commune, soixante serveurs se
/// partageaient deux cœurs, et la vérification du client lent n'envoyait
/// plus assez vite pour finir en 2 minutes (vu en CI, dans douze chapitres).
static SLOTS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(PARALLEL_CHECKS);

/// Lance une vérification, avec une limite de temps globale, qui ne court
/// qu'une fois sa place obtenue.
pub async fn run_check(check: Check, ctx: Ctx) -> Outcome {
    // Le sémaphore n'est jamais fermé : `acquire` ne peut échouer.
    let _slot = SLOTS.acquire().await.ok();
    let started = Instant::now();
    let result = match tokio::time::timeout(check.limit, (check.run)(ctx.clone())).await {
        Ok(result) => result,
        Err(_) => Err(Failure::new(
            format!(
                "la vérification se termine en moins de {}\u{a0}minutes",
                check.limit.as_secs() / 60
            ),
            "elle tournait encore",
        )),
    };
    let result = result.map_err(|mut failure| {
        if failure.server_output.is_empty() {
            failure.server_output = ctx.last_lines();
        }
        failure
    });
    Outcome {
        check,
        result,
        duration: started.elapsed(),
    }
}

/// Lance toutes les vérifications d'un chapitre (plusieurs à la fois) et
/// rend leurs résultats dans l'ordre de la liste. `progress` est appelé à la
/// fin de chacune.
pub async fn run_chapter(
    chapter: &'static str,
    binary: &Path,
    checks: &[Check],
    progress: impl Fn(&Outcome) + Send + Sync,
) -> Report {
    use futures_util::StreamExt;
    let outcomes = futures_util::stream::iter(checks.iter().copied())
        .map(|check| {
            let ctx = Ctx::new(chapter, binary);
            async move { tokio::spawn(run_check(check, ctx)).await }
        })
        .buffered(PARALLEL_CHECKS)
        .zip(futures_util::stream::iter(checks.iter().copied()))
        .map(|(joined, check)| {
            let outcome = joined.unwrap_or_else(|e| Outcome {
                check,
                result: Err(Failure::new(
                    "la vérification s'exécute jusqu'au bout",
                    format!("elle a paniqué : {e}"),
                )),
                duration: Duration::ZERO,
            });
            progress(&outcome);
            outcome
        })
        .collect::<Vec<_>>()
        .await;
    Report { chapter, outcomes }
}

/// Pour `chapters/chNN-…/tests/contract.rs` : vérifie tout le chapitre et
/// échoue en listant chaque vérification ratée.
pub async fn assert_chapter(chapter: &'static str, binary: &str) {
    let checks = scenarios::checks_for(chapter);
    assert!(!checks.is_empty(), "aucune vérification pour {chapter}");
    let report = run_chapter(chapter, Path::new(binary), &checks, |_| {}).await;
    println!("{report}");
    assert!(report.passed(), "\n{report}");
}

/// « 1 ligne », « 3 lignes » : le nombre, puis le mot accordé (au
/// singulier pour 0 et 1, comme le veut l'usage français). La seule
/// fonction d'accord du dépôt : `xtask` s'en sert aussi.
pub fn plural(count: usize, one: &str, many: &str) -> String {
    let word = if count > 1 { many } else { one };
    format!("{count}\u{a0}{word}")
}

/// Une durée en secondes, avec une virgule décimale : « 6,2 s ».
pub fn seconds(duration: Duration) -> String {
    let tenths = duration.as_millis().div_ceil(100);
    format!("{},{}\u{a0}s", tenths / 10, tenths % 10)
}
