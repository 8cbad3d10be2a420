//! Ce que les tests du chapitre 15 partagent : un vrai PostgreSQL et un
//! vrai Redis, lancés pour le test (ou un message bien visible s'ils
//! manquent, une erreur en CI), des processus du chapitre reliés à eux, et
//! des comptes.

// Chaque fichier de tests n'utilise pas tout.
#![allow(dead_code)]

pub mod page;

use std::io::Write as _;
use std::sync::{Arc, Mutex};

use checks::client::{Client, Transport};
use checks::postgres::PostgresServer;
use checks::redis::RedisServer;
use checks::server::{OutputLog, Server};
use checks::{Failure, http};
use serde_json::{Value, json};

pub const PROGRAM: &str = env!("CARGO_BIN_EXE_ch15-en-ligne");

/// Le mot de passe des comptes des tests.
pub const PASSWORD: &str = "cheval-agrafe-correct";

/// La base et Redis d'un test.
pub struct Stack {
    pub pg: PostgresServer,
    pub redis: RedisServer,
    logs: Mutex<Vec<Arc<OutputLog>>>,
}

/// Redis est exigé en CI (`CI`) ou quand `REQUIRE_REDIS=1` le demande.
fn redis_required() -> bool {
    std::env::var_os("CI").is_some() || std::env::var("REQUIRE_REDIS").is_ok_and(|v| v == "1")
}

/// Lance PostgreSQL et Redis ; `Ok(None)` si l'un manque et que rien ne
/// l'exige (un message visible l'a dit).
pub async fn stack_or_skip(test: &str) -> Result<Option<Stack>, Failure> {
    let Some(bin) = checks::postgres::find_or_skip(test) else {
        return Ok(None);
    };
    let redis = match RedisServer::start().await {
        Ok(redis) => redis,
        Err(missing)
            if missing.seen.starts_with("redis-server introuvable") && !redis_required() =>
        {
            let _ = writeln!(
                std::io::stderr(),
                "\n*** {test} : test NON LANCÉ : {}. Pour le lancer : apt-get install \
                 redis-server (CI ou REQUIRE_REDIS=1 fait de cette absence une erreur). ***",
                missing.seen
            );
            return Ok(None);
        }
        Err(failure) => return Err(failure),
    };
    let pg = PostgresServer::start_with(&bin).await?;
    Ok(Some(Stack {
        pg,
        redis,
        logs: Mutex::default(),
    }))
}

impl Stack {
    /// Un processus du chapitre sur `port` (0 : un port libre), relié à la
    /// base et à Redis.
    pub async fn process(&self, port: u16) -> Result<Server, Failure> {
        self.process_with(port, &[]).await
    }

    /// Comme [`Stack::process`], avec d'autres variables d'environnement.
    pub async fn process_with(&self, port: u16, env: &[(&str, &str)]) -> Result<Server, Failure> {
        let (db, redis, port) = (self.pg.url(), self.redis.url(), port.to_string());
        let mut all = vec![
            ("DATABASE_URL", db.as_str()),
            ("REDIS_URL", redis.as_str()),
            ("PORT", port.as_str()),
            ("FLOOD_LIMIT", "1000000"),
        ];
        all.extend_from_slice(env);
        Server::start(std::path::Path::new(PROGRAM), &all, &self.logs).await
    }

    /// Une connexion à la base, pour regarder ce qui y est écrit.
    pub async fn db(&self) -> Result<sqlx::PgPool, Failure> {
        sqlx::PgPool::connect(&self.pg.url())
            .await
            .map_err(|e| Failure::new("une connexion à la base du test", e.to_string()))
    }
}

/// Crée le compte `pseudo` sur le processus du port `port` ; rend son
/// cookie de session (`session=…`).
pub async fn signup(port: u16, pseudo: &str) -> Result<String, Failure> {
    let body = json!({ "pseudo": pseudo, "password": PASSWORD }).to_string();
    let response = http::send(
        port,
        "POST",
        "/api/signup",
        &[("Content-Type", "application/json")],
        &body,
    )
    .await?;
    let cookie = response
        .header("set-cookie")
        .and_then(|line| line.split(';').next())
        .map(str::trim)
        .filter(|pair| pair.starts_with("session="))
        .map(str::to_owned);
    match (response.status, cookie) {
        (201, Some(cookie)) => Ok(cookie),
        (status, _) => Err(Failure::new(
            format!("l'inscription de {pseudo} répond 201 avec un cookie"),
            format!("{status} {}", response.text()),
        )),
    }
}

/// Un onglet de `name`, connecté au processus `port` avec son cookie, qui
/// a vu les messages jusqu'au numéro `offset`.
pub async fn tab(
    port: u16,
    cookie: &str,
    offset: i64,
    name: &str,
    transport: Transport,
) -> Result<Client, Failure> {
    Client::open_with_headers(
        &format!("http://127.0.0.1:{port}"),
        transport,
        name,
        None,
        Some(json!({ "serverOffset": offset })),
        &[("Cookie".to_owned(), cookie.to_owned())],
    )
    .await
}

/// `({ from, text }, id)` → `(from, text, id)`.
pub fn parse_message(args: &[Value]) -> Option<(String, String, i64)> {
    match args {
        [body, Value::Number(id)] => Some((
            body.get("from")?.as_str()?.to_owned(),
            body.get("text")?.as_str()?.to_owned(),
            id.as_i64()?,
        )),
        _ => None,
    }
}
