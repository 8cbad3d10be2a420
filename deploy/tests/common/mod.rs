//! Ce que les tests du déploiement partagent : les programmes des
//! chapitres (compilés par ce crate, voir `src/lib.rs`), et le chat en
//! ligne du chapitre 15 derrière nginx (`deploy/nginx/chat-en-ligne.conf`),
//! monté à l'identique par `https.rs` et `failover.rs`.
//!
//! Le reste vient du harnais commun, `checks` : le lancement d'un programme
//! et sa ligne « prêt » (`checks::server`), nginx et ses remplacements
//! (`checks::nginx`), PostgreSQL, Redis et les comptes (`checks::stack`).

// Chaque fichier de tests n'utilise pas tout.
#![allow(dead_code)]

use std::path::Path;

use checks::Failure;
use checks::nginx::{self, Front};
use checks::server::Server;
use checks::stack::Stack;

/// Le programme du chapitre 5 (`ch05-broadcast`).
pub const CH05: &str = env!("CARGO_BIN_EXE_deploy-ch05");
/// Le programme du chapitre 12 (`ch12-cluster`).
pub const CH12: &str = env!("CARGO_BIN_EXE_deploy-ch12");
/// Le programme du chapitre 15 (`ch15-en-ligne`).
pub const CH15: &str = env!("CARGO_BIN_EXE_deploy-ch15");

/// Deux processus du chapitre 15, un vrai PostgreSQL et un vrai Redis, et
/// nginx devant eux avec le fichier de l'annexe. Les champs sont rangés
/// dans l'ordre où ils s'arrêtent : nginx, les processus, puis la base et
/// Redis.
pub struct Online {
    pub front: Front,
    /// A et B ; `None` une fois arrêté ou tué.
    pub processes: [Option<Server>; 2],
    pub stack: Stack,
}

impl Online {
    /// Lance le tout ; `None` si nginx, PostgreSQL ou Redis manque et que
    /// rien ne l'exige (un message visible l'a dit). Un échec au lancement
    /// fait échouer le test.
    pub async fn start_or_skip(test: &str) -> Option<Online> {
        let program = nginx::find_or_skip(test)?;
        let stack = match Stack::start_or_skip(test, Path::new(CH15)).await {
            Ok(Some(stack)) => stack,
            Ok(None) => return None,
            Err(failure) => panic!("{test} : {failure}"),
        };
        let started = async {
            // Deux ports libres, choisis ici pour les écrire dans la
            // configuration.
            let [a, b] = [nginx::free_port(), nginx::free_port()];
            let processes = [Some(stack.process(a).await?), Some(stack.process(b).await?)];
            let front = Front::start(&program, test, a, b)?;
            Ok::<_, Failure>((processes, front))
        };
        match started.await {
            Ok((processes, front)) => Some(Online {
                front,
                processes,
                stack,
            }),
            Err(failure) => panic!("{test} : {failure}"),
        }
    }

    /// L'échec, avec la fin du journal de chaque processus encore en
    /// marche et celui de nginx.
    pub fn explain(&self, mut failure: Failure) -> Failure {
        for (name, process) in ["A", "B"].iter().zip(&self.processes) {
            if let Some(process) = process {
                failure.server_output.push(format!("— processus {name} :"));
                failure.server_output.extend(process.log().tail(15));
            }
        }
        failure.seen = format!("{}\n{}", failure.seen, self.front.nginx.error_log());
        failure
    }

    /// Arrête les processus encore en marche (SIGTERM) et vérifie qu'ils
    /// s'arrêtent ; nginx, la base et Redis s'arrêtent avec `self`.
    pub async fn stop(mut self) -> Result<(), Failure> {
        for process in self.processes.iter_mut().filter_map(Option::take) {
            process.stop().await?;
        }
        Ok(())
    }
}
