//! Le contexte d'une vérification ([`Ctx`]) : le programme du chapitre à
//! lancer, et tout ce qu'il faut autour de lui (une base SQLite neuve, le
//! Redis et le PostgreSQL jetables, ce que les clients ont déjà reçu). Une
//! vérification ne lance rien elle-même : elle le demande ici.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use crate::{Client, Failure, OutputLog, Server, chapter_number, postgres, redis};

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

    pub(crate) fn last_lines(&self) -> Vec<String> {
        self.logs
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .first()
            .map(|log| log.tail(12))
            .unwrap_or_default()
    }
}
