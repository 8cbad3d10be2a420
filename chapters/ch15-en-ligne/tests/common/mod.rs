//! Ce que les tests du chapitre 15 partagent : un vrai PostgreSQL et un
//! vrai Redis, lancés pour le test (ou un message bien visible s'ils
//! manquent, une erreur en CI), des processus du chapitre reliés à eux, et
//! des comptes. Le tout vit dans `checks::stack`, que les tests du
//! déploiement (`deploy/tests/`) partagent aussi ; ici, le programme du
//! chapitre et la base vue par sqlx.

// Chaque fichier de tests n'utilise pas tout.
#![allow(dead_code, unused_imports)]

pub mod page;

use checks::Failure;
pub use checks::stack::{PASSWORD, Stack, parse_message, signup, tab};

pub const PROGRAM: &str = env!("CARGO_BIN_EXE_ch15-en-ligne");

/// Lance PostgreSQL et Redis pour le chapitre ; `Ok(None)` si l'un manque
/// et que rien ne l'exige (un message visible l'a dit).
pub async fn stack_or_skip(test: &str) -> Result<Option<Stack>, Failure> {
    Stack::start_or_skip(test, std::path::Path::new(PROGRAM)).await
}

/// Une connexion à la base du test, pour regarder ce qui y est écrit.
pub async fn db(stack: &Stack) -> Result<sqlx::PgPool, Failure> {
    sqlx::PgPool::connect(&stack.pg.url())
        .await
        .map_err(|e| Failure::new("une connexion à la base du test", e.to_string()))
}

/// L'échec d'un test dans Chromium, suivi des dernières lignes de chaque
/// processus nommé : ce qu'ils ont vu au moment de l'échec.
pub fn with_logs(
    test: &str,
    error: impl std::fmt::Display,
    processes: &[(&str, &checks::server::Server)],
) -> browser::Error {
    let mut text = format!("{test} : {error}");
    for (name, process) in processes {
        text.push_str(&format!("\nProcessus {name} :"));
        for line in process.log().tail(20) {
            text.push_str("\n  | ");
            text.push_str(&line);
        }
    }
    browser::Error::new(text)
}
