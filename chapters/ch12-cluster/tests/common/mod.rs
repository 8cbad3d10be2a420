//! Ce que les tests du chapitre 12 dans Chromium partagent : un vrai
//! `redis-server` (ou un message bien visible s'il manque), un processus du
//! chapitre relié à lui.

// Chaque fichier de tests n'utilise pas tout.
#![allow(dead_code)]

use std::ffi::OsStr;

use browser::{Error, Result, Server};
use checks::redis::RedisServer;

pub const PROGRAM: &str = env!("CARGO_BIN_EXE_ch12-cluster");

/// Lance le `redis-server` du test ; `Ok(None)` s'il n'est pas installé et
/// que rien ne l'exige (`CI`, `REQUIRE_REDIS=1`) : le test s'arrête alors là,
/// un message bien visible l'a dit (`checks::redis`, commun à tous les tests).
pub async fn redis_or_skip(test: &str) -> Result<Option<RedisServer>> {
    RedisServer::start_or_skip(test)
        .await
        .map_err(|failure| Error::new(format!("{test} : Redis n'a pas pu démarrer.\n{failure}")))
}

/// Lance un processus du chapitre sur un port libre, relié au Redis `url`.
pub async fn start(url: &str, test: &str) -> Result<Server> {
    Server::start_with_env(PROGRAM, &[("REDIS_URL", OsStr::new(url))])
        .await
        .map_err(|e| e.context(test))
}

/// Lance un processus du chapitre sur le port `port`, relié au Redis `url`
/// (pour le relancer à la même adresse).
pub async fn start_on(url: &str, port: u16, test: &str) -> Result<Server> {
    let port = port.to_string();
    let env: [(&str, &OsStr); 2] = [("REDIS_URL", OsStr::new(url)), ("PORT", OsStr::new(&port))];
    Server::start_with_env(PROGRAM, &env)
        .await
        .map_err(|e| e.context(test))
}

/// Un port libre, choisi ici.
pub fn free_port(test: &str) -> Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")
        .map_err(|e| Error::new(format!("{test} : aucun port libre : {e}")))?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| Error::new(format!("{test} : port inconnu : {e}")))
}
