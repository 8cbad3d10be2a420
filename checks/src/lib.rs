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

mod ctx;
mod run;

pub mod client;
pub mod exercises;
pub mod http;
pub mod nginx;
pub mod postgres;
pub mod proxy;
pub mod redis;
pub mod scenarios;
pub mod server;
pub mod stack;

use std::fmt;
use std::time::Duration;

pub use client::{Client, Transport};
pub use ctx::Ctx;
pub use run::{
    CHECK_LIMIT, Check, LONG_CHECK_LIMIT, Outcome, PARALLEL_CHECKS, Report, assert_chapter,
    run_chapter, run_check,
};
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
