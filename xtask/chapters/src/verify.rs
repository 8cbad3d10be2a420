//! `cargo xtask verify [CHAPITRE…]` : le « Pour tester » de chaque chapitre,
//! joué de l'extérieur par de vrais clients, avec un verdict par vérification.
//!
//! Les vérifications sont celles du crate `checks`, les mêmes que lance
//! `cargo test` : une seule implémentation.

use std::time::{Duration, Instant};

use checks::{CHAPTERS, Check, Outcome, Report};
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};

use crate::french::{count, decimal};

pub fn run(args: &[String]) -> Result<(), String> {
    let chapters = select_chapters(args)?;
    println!(
        "Compilation de {}…",
        count(chapters.len(), "chapitre", "chapitres")
    );
    let binaries = crate::build::chapter_binaries(&chapters)?;

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("impossible de démarrer tokio : {e}"))?;

    let started = Instant::now();
    let bars = MultiProgress::new();
    let style =
        ProgressStyle::with_template("{spinner} {prefix:<15} {bar:24} {pos:>2}/{len} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("█▌ ");
    let reports: Vec<Report> = runtime.block_on(async {
        let tasks: Vec<_> = chapters
            .iter()
            .map(|&chapter| {
                let checks = checks::scenarios::checks_for(chapter);
                let bar = bars.add(ProgressBar::new(checks.len() as u64));
                bar.set_style(style.clone());
                bar.set_prefix(chapter);
                bar.enable_steady_tick(Duration::from_millis(120));
                let binary = binaries[chapter].clone();
                tokio::spawn(async move {
                    let report =
                        checks::run_chapter(chapter, &binary, &checks, |outcome: &Outcome| {
                            bar.inc(1);
                            if outcome.result.is_err() {
                                bar.set_message(format!("✗ {}", outcome.check.id));
                            }
                        })
                        .await;
                    let verdict = if report.passed() { "✓" } else { "✗" };
                    bar.finish_with_message(verdict);
                    report
                })
            })
            .collect();
        let mut reports = Vec::new();
        for task in tasks {
            match task.await {
                Ok(report) => reports.push(report),
                Err(e) => eprintln!("Erreur : une vérification s'est interrompue : {e}"),
            }
        }
        reports
    });
    bars.clear().ok();

    print_details(&reports);
    print_summary(&reports, started.elapsed());
    // Un chapitre sans rapport (vérification interrompue) échoue aussi.
    let failed = reports.iter().filter(|r| !r.passed()).count() + chapters.len() - reports.len();
    if failed > 0 {
        let verb = if failed > 1 {
            "ne tiennent pas leurs promesses"
        } else {
            "ne tient pas ses promesses"
        };
        return Err(format!(
            "{} sur {} {verb} (détails ci-dessus).",
            count(failed, "chapitre", "chapitres"),
            chapters.len()
        ));
    }
    Ok(())
}

/// « ch05 », « ch05-broadcast », « 5 » ou rien (tous les chapitres).
pub(crate) fn select_chapters(args: &[String]) -> Result<Vec<&'static str>, String> {
    if args.is_empty() {
        return Ok(CHAPTERS.to_vec());
    }
    let mut chosen = Vec::new();
    for arg in args {
        let chapter = checks::find_chapter(arg).ok_or_else(|| {
            format!(
                "chapitre inconnu : « {arg} ». Chapitres : {} (ou leur numéro, comme « 5 »).",
                CHAPTERS.join(", ")
            )
        })?;
        if !chosen.contains(&chapter) {
            chosen.push(chapter);
        }
    }
    Ok(chosen)
}

fn print_details(reports: &[Report]) {
    for report in reports {
        println!("\n{}", report.chapter);
        for outcome in &report.outcomes {
            print_outcome(outcome);
        }
    }
}

fn print_outcome(Outcome { check, result, .. }: &Outcome) {
    let Check { description, .. } = check;
    match result {
        Ok(()) => println!("  ✓ {description}"),
        Err(failure) => {
            println!("  ✗ {description}");
            for line in failure.to_string().lines() {
                println!("      {line}");
            }
        }
    }
}

fn print_summary(reports: &[Report], elapsed: Duration) {
    println!("\n| Chapitre        | Vérifications | Résultat |");
    println!("|-----------------|---------------|----------|");
    for report in reports {
        let total = report.outcomes.len();
        let failed = report.failures().count();
        let verdict = if failed == 0 {
            "✓".to_owned()
        } else {
            format!("✗ {}", count(failed, "échec", "échecs"))
        };
        println!(
            "| {:<15} | {:>6}/{:<6} | {verdict:<8} |",
            report.chapter,
            total - failed,
            total
        );
    }
    println!("\nDurée : {} s", decimal(elapsed.as_secs_f64(), 1));
}
