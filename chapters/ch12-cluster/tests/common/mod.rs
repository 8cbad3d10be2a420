//! Ce que les tests du chapitre 12 dans Chromium partagent : un vrai
//! `redis-server` (ou un message bien visible s'il manque), un processus du
//! chapitre relié à lui.

// Chaque fichier de tests n'utilise pas tout.
#![allow(dead_code)]

use std::ffi::OsStr;
use std::io::Write;

use browser::{Error, Result, Server};
use checks::redis::RedisServer;

pub const PROGRAM: &str = env!("CARGO_BIN_EXE_ch12-cluster");

/// Redis est exigé : en CI (`CI`), ou quand `REQUIRE_REDIS=1` le demande.
pub fn redis_required() -> bool {
    std::env::var_os("CI").is_some() || std::env::var("REQUIRE_REDIS").is_ok_and(|v| v == "1")
}

/// Lance le `redis-server` du test ; `Ok(None)` s'il n'est pas installé et
/// que rien ne l'exige : le test s'arrête alors là, un message bien visible
/// l'a dit.
pub async fn redis_or_skip(test: &str) -> Result<Option<RedisServer>> {
    match RedisServer::start().await {
        Ok(redis) => Ok(Some(redis)),
        Err(missing)
            if missing.seen.starts_with("redis-server introuvable") && !redis_required() =>
        {
            // Directement sur la sortie d'erreur : `eprintln!` serait capturé
            // par `cargo test` et resterait invisible pour un test qui réussit.
            let _ = writeln!(
                std::io::stderr(),
                "\n*** {test} : test dans le navigateur NON LANCÉ : {}. \
                 Pour le lancer : apt-get install redis-server \
                 (CI ou REQUIRE_REDIS=1 fait de cette absence une erreur). ***",
                missing.seen
            );
            Ok(None)
        }
        Err(failure) => Err(Error::new(format!(
            "{test} : Redis n'a pas pu démarrer.\n{failure}"
        ))),
    }
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
