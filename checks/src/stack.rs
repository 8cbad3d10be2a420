//! Le chat en ligne (chapitre 15) tel que le lancent ses tests : un vrai
//! PostgreSQL et un vrai Redis, lancés pour le test (ou un message bien
//! visible s'ils manquent, une erreur en CI), des processus du programme
//! reliés à eux, et des comptes.
//!
//! Servi aux tests du chapitre 15 (`chapters/ch15-en-ligne/tests/`) et à
//! ceux du déploiement (`deploy/tests/`), qui lancent le même programme
//! compilé sous un autre nom : d'où le programme donné à
//! [`Stack::start_or_skip`].

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use crate::client::{Client, Transport};
use crate::postgres::PostgresServer;
use crate::redis::RedisServer;
use crate::server::{OutputLog, Server};
use crate::{Failure, http};

/// Le mot de passe des comptes des tests.
pub const PASSWORD: &str = "cheval-agrafe-correct";

/// La base et Redis d'un test, et le programme qu'il lance.
pub struct Stack {
    pub pg: PostgresServer,
    pub redis: RedisServer,
    program: PathBuf,
    logs: Mutex<Vec<Arc<OutputLog>>>,
}

impl Stack {
    /// Lance PostgreSQL et Redis pour les processus de `program` ;
    /// `Ok(None)` si l'un manque et que rien ne l'exige (un message visible
    /// l'a dit).
    pub async fn start_or_skip(test: &str, program: &Path) -> Result<Option<Stack>, Failure> {
        let Some(bin) = crate::postgres::find_or_skip(test) else {
            return Ok(None);
        };
        let Some(redis) = RedisServer::start_or_skip(test).await? else {
            return Ok(None);
        };
        let pg = PostgresServer::start_with(&bin).await?;
        Ok(Some(Stack {
            pg,
            redis,
            program: program.to_path_buf(),
            logs: Mutex::default(),
        }))
    }

    /// Un processus du programme sur `port` (0 : un port libre), relié à la
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
        Server::start(&self.program, &all, &self.logs).await
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
    tab_with_headers(port, cookie, offset, name, transport, &[]).await
}

/// Comme [`tab`], avec des en-têtes de plus (un `Origin`, par exemple).
pub async fn tab_with_headers(
    port: u16,
    cookie: &str,
    offset: i64,
    name: &str,
    transport: Transport,
    headers: &[(&str, &str)],
) -> Result<Client, Failure> {
    let mut all = vec![("Cookie".to_owned(), cookie.to_owned())];
    all.extend(headers.iter().map(|&(k, v)| (k.to_owned(), v.to_owned())));
    Client::open_with_headers(
        &format!("http://127.0.0.1:{port}"),
        transport,
        name,
        None,
        Some(json!({ "serverOffset": offset })),
        &all,
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
