//! `cargo xtask exercices [EXERCICE…] | --indice EXERCICE | --recommencer
//! EXERCICE | --regenerer` : faire, vérifier, passer au suivant, à la
//! manière de rustlings.
//!
//! Chaque exercice est un crate, `exercices/exNN-…/`, copie du serveur de
//! son chapitre produite depuis le chapitre lui-même (`starter.rs`). Ces
//! copies ne sont pas dans git : comme `rustlings init`, la première
//! commande qui en a besoin les crée (`files::create_missing`), et aucune ne
//! les récrit ensuite sans le demander. La commande compile chaque
//! exercice, le lance et le vérifie de l'extérieur comme `verify` le fait
//! pour les chapitres, puis dit ce qui est fait et quel est le prochain
//! exercice. Rien n'est enregistré : la progression est recalculée depuis
//! le code à chaque fois.

mod build;
#[cfg(test)]
mod dev_check;
mod files;
mod manifest;
mod patch;
mod starter;

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use checks::exercises::{EXERCISES, Exercise, find_exercise};
use checks::{Outcome, Report};
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};

use crate::french::{count, decimal};
use crate::repository_root;

pub fn run(args: &[String]) -> Result<(), String> {
    match args {
        [flag, name] if flag == "--indice" => {
            let exercise = exercise(name)?;
            create_missing()?;
            files::print_hint(exercise)
        }
        [flag, name] if flag == "--recommencer" => files::reset(exercise(name)?),
        [flag] if flag == "--regenerer" => files::regenerate_all(),
        [flag, ..] if flag.starts_with("--") => Err(format!(
            "option inconnue ou incomplète : « {} ». Utilisation : cargo xtask exercices [EXERCICE…], \
             --indice EXERCICE, --recommencer EXERCICE ou --regenerer (après un changement de \
             chapitre : récrit les solutions, et les copies de exercices/ si vous le \
             confirmez).",
            args.join(" ")
        )),
        _ => {
            let chosen = if args.is_empty() {
                EXERCISES.iter().collect()
            } else {
                let mut chosen: Vec<&Exercise> = Vec::new();
                for name in args {
                    let found = exercise(name)?;
                    if !chosen.iter().any(|e| e.id == found.id) {
                        chosen.push(found);
                    }
                }
                chosen.sort_by_key(|e| e.number());
                chosen
            };
            create_missing()?;
            check(&chosen, args.is_empty())
        }
    }
}

/// Crée depuis leur chapitre les exercices qui n'ont pas encore de dossier
/// dans `exercices/`, et le dit.
fn create_missing() -> Result<(), String> {
    let root = repository_root();
    let created = files::create_missing(&root, &files::copies(&root))?;
    files::announce(&created);
    Ok(())
}

fn exercise(name: &str) -> Result<&'static Exercise, String> {
    find_exercise(name).ok_or_else(|| {
        let ids: Vec<&str> = EXERCISES.iter().map(|e| e.id).collect();
        format!(
            "exercice inconnu : « {name} ». Exercices : {} (ou leur numéro, comme « ex05 » ou « 5 »).",
            ids.join(", ")
        )
    })
}

/// Où en est un exercice.
pub(crate) enum Verdict {
    /// Il ne compile pas : la première erreur du compilateur.
    DoesNotCompile(String),
    Checked(Report),
}

impl Verdict {
    pub(crate) fn solved(&self) -> bool {
        matches!(self, Verdict::Checked(report) if report.passed())
    }
}

fn check(chosen: &[&'static Exercise], all: bool) -> Result<(), String> {
    let root = repository_root();
    println!(
        "Compilation de {}…",
        count(chosen.len(), "exercice", "exercices")
    );
    // La durée affichée compte tout : compilation et vérifications.
    let started = Instant::now();
    let packages: Vec<String> = chosen.iter().map(|e| e.id.to_owned()).collect();
    let mut built = build::build(&root.join("Cargo.toml"), &packages, None)?;
    let binaries: Vec<(&'static Exercise, build::Built)> = chosen
        .iter()
        .map(|e| (*e, built.remove(e.id).unwrap_or_else(|| Err(String::new()))))
        .collect();
    let mut compile_errors = Vec::new();
    let verdicts = run_checks(binaries, &mut compile_errors, true)?;
    print_table(&verdicts);
    for (exercise, errors) in compile_errors.iter().take(1) {
        println!("\nErreurs de compilation de {} :\n{errors}", exercise.id);
    }
    print_first_failures(&verdicts);
    print_summary(&verdicts, all, started.elapsed());
    // Ce qui reste n'est pas une erreur, mais du travail : « À faire », et
    // un code de sortie non nul, que la CI d'un formateur peut lire.
    unsolved(&verdicts).map_err(|left| {
        println!("À faire\u{a0}: {left}");
        String::new()
    })
}

/// Un code de sortie non nul tant qu'un exercice demandé n'est pas fait :
/// la CI d'un formateur peut s'en servir.
fn unsolved(verdicts: &[(&'static Exercise, Verdict)]) -> Result<(), String> {
    let left: Vec<&str> = verdicts
        .iter()
        .filter(|(_, v)| !v.solved())
        .map(|(e, _)| e.id)
        .collect();
    match left.len() {
        0 => Ok(()),
        1 => Err(format!("{} n'est pas encore fait.", left[0])),
        n => Err(format!(
            "{n} exercices ne sont pas encore faits ({}).",
            left.join(", ")
        )),
    }
}

/// Vérifie chaque exercice compilé (tous en même temps) ; rend les verdicts
/// dans l'ordre donné. Les erreurs de compilation sont rangées à part.
pub(crate) fn run_checks(
    binaries: Vec<(&'static Exercise, build::Built)>,
    compile_errors: &mut Vec<(&'static Exercise, String)>,
    show_progress: bool,
) -> Result<Vec<(&'static Exercise, Verdict)>, String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("impossible de démarrer tokio : {e}"))?;
    let bars = MultiProgress::new();
    if !show_progress {
        bars.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let style =
        ProgressStyle::with_template("{spinner} {prefix:<20} {bar:24} {pos:>2}/{len} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("█▌ ");
    let mut verdicts: HashMap<usize, Verdict> = HashMap::new();
    let mut tasks = Vec::new();
    for (i, (exercise, built)) in binaries.iter().enumerate() {
        match built {
            Err(errors) => {
                compile_errors.push((*exercise, errors.clone()));
                verdicts.insert(i, Verdict::DoesNotCompile(build::first_error(errors)));
            }
            Ok(binary) => tasks.push((i, *exercise, binary.clone())),
        }
    }
    runtime.block_on(async {
        let handles: Vec<_> = tasks
            .into_iter()
            .map(
                |(i, exercise, binary): (usize, &'static Exercise, PathBuf)| {
                    let checks = (exercise.checks)();
                    let bar = bars.add(ProgressBar::new(checks.len() as u64));
                    bar.set_style(style.clone());
                    bar.set_prefix(exercise.id);
                    bar.enable_steady_tick(Duration::from_millis(120));
                    let handle = tokio::spawn(async move {
                        let report = checks::run_chapter(
                            exercise.chapter,
                            &binary,
                            &checks,
                            |_: &Outcome| bar.inc(1),
                        )
                        .await;
                        bar.finish_with_message(if report.passed() { "✓" } else { "✗" });
                        report
                    });
                    (i, handle)
                },
            )
            .collect();
        for (i, handle) in handles {
            match handle.await {
                Ok(report) => {
                    verdicts.insert(i, Verdict::Checked(report));
                }
                Err(e) => eprintln!("Erreur : une vérification s'est interrompue : {e}"),
            }
        }
    });
    bars.clear().ok();
    Ok(binaries
        .iter()
        .enumerate()
        .filter_map(|(i, (exercise, _))| verdicts.remove(&i).map(|v| (*exercise, v)))
        .collect())
}

fn print_table(verdicts: &[(&'static Exercise, Verdict)]) {
    println!("\n| Exercice           | Chapitre        | Vérifications | Résultat |");
    println!("|--------------------|-----------------|---------------|----------|");
    for (exercise, verdict) in verdicts {
        let (passed, total) = match verdict {
            Verdict::DoesNotCompile(_) => (0, (exercise.checks)().len()),
            Verdict::Checked(report) => (
                report.outcomes.len() - report.failures().count(),
                report.outcomes.len(),
            ),
        };
        let mark = if verdict.solved() { "✓" } else { "✗" };
        println!(
            "| {:<18} | {:<15} | {:>6}/{:<6} | {mark:<8} |",
            exercise.id, exercise.chapter, passed, total
        );
    }
}

/// Pour chaque exercice pas encore fait : ce qui était attendu en premier,
/// et la commande de l'indice.
fn print_first_failures(verdicts: &[(&'static Exercise, Verdict)]) {
    for (exercise, verdict) in verdicts {
        if verdict.solved() {
            continue;
        }
        println!("\n✗ {} : {}", exercise.id, exercise.summary);
        match verdict {
            Verdict::DoesNotCompile(error) => {
                println!("    le crate ne compile pas : {error}");
            }
            Verdict::Checked(report) => {
                if let Some(outcome) = report.failures().next() {
                    println!("    {}", outcome.check.description);
                    if let Err(failure) = &outcome.result {
                        for line in failure.to_string().lines() {
                            println!("      {line}");
                        }
                    }
                }
            }
        }
        println!(
            "    Indice : cargo xtask exercices --indice {}",
            exercise.short()
        );
    }
}

fn print_summary(verdicts: &[(&'static Exercise, Verdict)], all: bool, elapsed: Duration) {
    let done = verdicts.iter().filter(|(_, v)| v.solved()).count();
    let total = verdicts.len();
    let width = 20;
    let filled = (done * width).checked_div(total).unwrap_or(0);
    println!(
        "\nProgression : [{}{}] {done}/{total} — {} ({} s, compilation comprise)",
        "█".repeat(filled),
        "░".repeat(width - filled),
        count(done, "exercice fait", "exercices faits"),
        decimal(elapsed.as_secs_f64(), 1)
    );
    match verdicts.iter().find(|(_, v)| !v.solved()) {
        Some((next, _)) => println!(
            "Prochain exercice : {} — lisez {} ou lancez `cargo xtask exercices --indice {}`",
            next.id,
            files::where_to_read(next),
            next.short()
        ),
        None if all => println!("Tous les exercices sont faits. Bravo\u{a0}!"),
        None => {
            let ids: Vec<&str> = verdicts.iter().map(|(e, _)| e.id).collect();
            let done = if ids.len() > 1 { "faits" } else { "fait" };
            println!(
                "{} : {done}. `cargo xtask exercices` vérifie tous les autres.",
                ids.join(", ")
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unsolved_exercise_makes_the_command_fail() {
        let exercise = &EXERCISES[0];
        let verdicts = vec![(exercise, Verdict::DoesNotCompile("erreur".to_owned()))];
        let message = unsolved(&verdicts).expect_err("un exercice pas fait : un échec");
        assert!(message.contains(exercise.id), "{message}");
        assert!(unsolved(&[]).is_ok());
    }
}
