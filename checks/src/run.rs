//! Lancer les vérifications : ce qu'est une vérification ([`Check`]), son
//! résultat ([`Outcome`]) et celui d'un chapitre ([`Report`]), et le
//! lancement de plusieurs à la fois sans dépasser [`PARALLEL_CHECKS`] dans
//! tout le processus.

use std::fmt;
use std::future::Future;
use std::path::Path;
use std::pin::Pin;
use std::time::{Duration, Instant};

use crate::{Ctx, Failure, scenarios};

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
