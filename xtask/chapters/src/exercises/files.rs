//! Les fichiers d'un exercice : sa création depuis son chapitre (la
//! première fois que `cargo xtask exercices` en a besoin), son indice (lu
//! dans le livre), la remise à zéro (`--recommencer`) et, pour qui change un
//! chapitre, la réécriture des solutions (`--regenerer`).

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use checks::exercises::{EXERCISES, Exercise};

use super::patch;
use super::starter::{self, Given};
use crate::repository_root;

/// La page du livre de l'exercice, si elle existe.
fn book_page(exercise: &Exercise) -> Option<PathBuf> {
    let page = repository_root()
        .join("book")
        .join("src")
        .join(format!("{}.md", exercise.chapter));
    page.is_file().then_some(page)
}

/// « book/src/ch05-broadcast.md (section « Exercice ») », ou l'en-tête du
/// crate quand la page n'existe pas encore.
pub fn where_to_read(exercise: &Exercise) -> String {
    match book_page(exercise) {
        Some(_) => format!("book/src/{}.md (section « Exercice »)", exercise.chapter),
        None => format!("l'en-tête de exercices/{}/src/main.rs", exercise.id),
    }
}

/// Le bloc « Indice » de la section « Exercice » d'une page du livre.
pub fn hint_in_page(page: &str) -> Option<String> {
    let section = &page[page.find("## Exercice")?..];
    let start = section.find("<summary>Indice</summary>")? + "<summary>Indice</summary>".len();
    let rest = &section[start..];
    let end = rest.find("</details>")?;
    Some(rest[..end].trim().to_owned())
}

pub fn print_hint(exercise: &Exercise) -> Result<(), String> {
    // L'indice propre à l'exercice d'abord (quand le livre en donne un
    // autre, pour un exercice sur la page), sinon celui du livre.
    let from_book = || {
        book_page(exercise)
            .and_then(|page| std::fs::read_to_string(page).ok())
            .and_then(|page| hint_in_page(&page))
    };
    let hint = if exercise.hint.is_empty() {
        from_book().ok_or_else(|| format!("pas d'indice pour {}.", exercise.id))?
    } else {
        exercise.hint.to_owned()
    };
    println!(
        "Indice pour {} ({}) :\n\n{hint}",
        exercise.id, exercise.summary
    );
    println!("\nVérifier : cargo xtask exercices {}", exercise.short());
    Ok(())
}

/// Le dossier des copies de l'étudiant (`exercices/`), sous la racine du
/// dépôt. Elles ne sont pas dans git : `create_missing` les y crée.
pub fn copies(root: &Path) -> PathBuf {
    root.join("exercices")
}

/// Crée, depuis son chapitre, chaque exercice qui n'a pas encore de dossier
/// dans `into` (`exercices/`), et rend ceux qu'il a créés. Un dossier qui
/// existe n'est jamais touché : c'est le travail de l'étudiant.
pub fn create_missing(root: &Path, into: &Path) -> Result<Vec<&'static Exercise>, String> {
    let mut missing = Vec::new();
    for exercise in &EXERCISES {
        if !into.join(exercise.id).exists() {
            // Tous produits avant d'en écrire un : si un chapitre ne s'y
            // prête plus, rien n'est créé à moitié.
            missing.push((exercise, starter::given(root, exercise)?));
        }
    }
    for (exercise, given) in &missing {
        create(into, exercise, given)?;
    }
    Ok(missing.into_iter().map(|(exercise, _)| exercise).collect())
}

/// Dit ce que `create_missing` vient de créer (rien s'il n'a rien créé).
pub fn announce(created: &[&Exercise]) {
    let (Some(first), Some(last)) = (created.first(), created.last()) else {
        return;
    };
    let (what, which) = match created.len() {
        1 => (
            "Exercice créé depuis son chapitre",
            format!("exercices/{}", first.id),
        ),
        2 | 3 => (
            "Exercices créés depuis leur chapitre",
            created
                .iter()
                .map(|e| format!("exercices/{}", e.id))
                .collect::<Vec<_>>()
                .join(", "),
        ),
        n => (
            "Exercices créés depuis leur chapitre",
            format!("{n}, dans exercices/ (de {} à {})", first.id, last.id),
        ),
    };
    println!("{what} : {which}.");
    println!(
        "C'est là que vous travaillez : vos fichiers ne sont jamais récrits, sauf par \
         `cargo xtask exercices --recommencer EXERCICE`, qui demande d'abord.\n"
    );
}

/// Écrit l'exercice dans un dossier à côté de `into`, hors de l'espace de
/// travail, puis le met à sa place d'un coup : interrompue, la création ne
/// laisse pas dans `exercices/` un dossier sans `Cargo.toml` (cargo
/// refuserait alors tout l'espace de travail).
fn create(into: &Path, exercise: &Exercise, given: &Given) -> Result<(), String> {
    let staging = into
        .parent()
        .unwrap_or(into)
        .join(format!(".exercice-{}-en-cours", exercise.id));
    if staging.exists() {
        std::fs::remove_dir_all(&staging)
            .map_err(|e| format!("impossible d'effacer {} : {e}", staging.display()))?;
    }
    write_given(&staging, given)?;
    std::fs::create_dir_all(into)
        .map_err(|e| format!("impossible de créer {} : {e}", into.display()))?;
    let target = into.join(exercise.id);
    std::fs::rename(&staging, &target)
        .map_err(|e| format!("impossible de créer {} : {e}", target.display()))
}

/// `--recommencer` : remet l'exercice tel qu'il est donné (`src/` et
/// `Cargo.toml`, produits depuis le chapitre), après confirmation (« o » sur
/// l'entrée standard). S'il n'existe pas encore, il est simplement créé.
pub fn reset(exercise: &Exercise) -> Result<(), String> {
    let root = repository_root();
    // Produit avant la question : si le chapitre ne s'y prête plus, rien
    // n'est effacé.
    let given = starter::given(&root, exercise)?;
    let dir = copies(&root).join(exercise.id);
    if !dir.exists() {
        create(&copies(&root), exercise, &given)?;
        println!(
            "exercices/{} n'existait pas : il est créé depuis son chapitre. Vérifier : \
             cargo xtask exercices {}",
            exercise.id,
            exercise.short()
        );
        return Ok(());
    }
    let question = format!(
        "Effacer votre travail dans exercices/{} et repartir de l'original ? [o/N] ",
        exercise.id
    );
    if !confirmed(&question)? {
        println!("Rien n'est effacé.");
        return Ok(());
    }
    replace(&dir, &given)?;
    println!(
        "exercices/{} est revenu à l'original. Vérifier : cargo xtask exercices {}",
        exercise.id,
        exercise.short()
    );
    Ok(())
}

/// `--regenerer` (pour qui change un chapitre) : récrit les solutions
/// (`exercices/solutions/*.diff`) sur les exercices que produisent les
/// chapitres ; puis, pour les copies de `exercices/` qui existent et ne sont
/// plus ce que produit leur chapitre, propose de les récrire (après
/// confirmation : c'est peut-être du travail). Les copies absentes seront
/// créées par `cargo xtask exercices`.
pub fn regenerate_all() -> Result<(), String> {
    let root = repository_root();
    let mut all = Vec::new();
    for exercise in &EXERCISES {
        all.push((exercise, starter::given(&root, exercise)?));
    }
    let problems = rewrite_solutions(&root, &all)?;
    let stale: Vec<&(&Exercise, Given)> = all
        .iter()
        .filter(|(exercise, given)| {
            let dir = copies(&root).join(exercise.id);
            dir.exists() && !is_given(&dir, given)
        })
        .collect();
    if stale.is_empty() {
        println!(
            "Les copies de exercices/ qui existent sont ce que produit leur chapitre (les \
             autres seront créées par cargo xtask exercices)."
        );
    } else {
        let ids: Vec<&str> = stale.iter().map(|(e, _)| e.id).collect();
        println!(
            "Ces copies de exercices/ ne sont plus ce que produit leur chapitre : {}.",
            ids.join(", ")
        );
        let question = "Les récrire depuis leur chapitre, en effaçant le travail qui y est \
                        fait ? [o/N] ";
        match confirmed(question) {
            Ok(true) => {
                for (exercise, given) in &stale {
                    replace(&copies(&root).join(exercise.id), given)?;
                }
                println!("Récrites : {}.", ids.join(", "));
            }
            Ok(false) => println!(
                "Elles restent telles quelles. Pour une seule : cargo xtask exercices \
                 --recommencer EXERCICE."
            ),
            Err(why) => println!("Copies laissées telles quelles : {why}"),
        }
    }
    match problems.is_empty() {
        true => Ok(()),
        false => Err(problems.join("\n")),
    }
}

/// Chaque solution réappliquée à l'exercice que produit son chapitre, puis
/// récrite avec ses nouveaux numéros de ligne ; rend celles qui ne
/// s'appliquent plus.
fn rewrite_solutions(root: &Path, all: &[(&Exercise, Given)]) -> Result<Vec<String>, String> {
    let (mut problems, mut rewritten) = (Vec::new(), 0);
    for (exercise, given) in all {
        let path = copies(root)
            .join("solutions")
            .join(format!("{}.diff", exercise.id));
        let Ok(diff) = std::fs::read_to_string(&path) else {
            problems.push(format!(
                "{} : pas de solution ({})",
                exercise.id,
                path.display()
            ));
            continue;
        };
        let mut solved = given.files.clone();
        match patch::apply(&mut solved, &diff) {
            Ok(()) => {
                let fresh = patch::make(&given.files, &solved);
                if fresh != diff {
                    std::fs::write(&path, fresh)
                        .map_err(|e| format!("impossible d'écrire {} : {e}", path.display()))?;
                    println!(
                        "Solution remise à jour : exercices/solutions/{}.diff",
                        exercise.id
                    );
                    rewritten += 1;
                }
            }
            Err(why) => problems.push(format!(
                "{id} : la solution exercices/solutions/{id}.diff ne s'applique plus ({why}) ; \
                 refaites-la sur l'exercice remis à l'original (cargo xtask exercices \
                 --recommencer {short}), puis écrivez son diff",
                id = exercise.id,
                short = exercise.short()
            )),
        }
    }
    if rewritten == 0 && problems.is_empty() {
        println!("Les solutions (exercices/solutions/) étaient déjà à jour.");
    }
    Ok(problems)
}

/// Pose `question` et lit la réponse : vrai pour « o » (ou « oui »).
fn confirmed(question: &str) -> Result<bool, String> {
    print!("{question}");
    std::io::stdout().flush().ok();
    let mut answer = String::new();
    let read = std::io::stdin().lock().read_line(&mut answer);
    match read {
        Ok(0) | Err(_) => {
            println!();
            return Err(
                "aucune réponse (pas d'entrée standard) : rien n'est effacé. Lancez la commande \
                 dans un terminal et répondez « o »."
                    .to_owned(),
            );
        }
        Ok(_) => {}
    }
    Ok(matches!(
        answer.trim().to_lowercase().as_str(),
        "o" | "oui" | "y" | "yes"
    ))
}

/// Vrai si la copie `dir` est exactement l'exercice donné.
fn is_given(dir: &Path, given: &Given) -> bool {
    starter::on_disk(&dir.join("src")) == given.files
        && std::fs::read_to_string(dir.join("Cargo.toml"))
            .ok()
            .as_deref()
            == Some(given.manifest.as_str())
}

/// Remplace `src/` et `Cargo.toml` de la copie `dir` par l'exercice donné.
fn replace(dir: &Path, given: &Given) -> Result<(), String> {
    let src = dir.join("src");
    if src.exists() {
        std::fs::remove_dir_all(&src)
            .map_err(|e| format!("impossible d'effacer {} : {e}", src.display()))?;
    }
    write_given(dir, given)
}

/// Écrit l'exercice donné dans `dir` : `Cargo.toml` et `src/…`.
fn write_given(dir: &Path, given: &Given) -> Result<(), String> {
    let write = |path: &Path, text: &str| {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("impossible de créer {} : {e}", parent.display()))?;
        }
        std::fs::write(path, text)
            .map_err(|e| format!("impossible d'écrire {} : {e}", path.display()))
    };
    for (name, text) in &given.files {
        write(&dir.join("src").join(name), text)?;
    }
    write(&dir.join("Cargo.toml"), &given.manifest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hint_is_read_from_the_exercise_section() {
        let page = "# Titre\n<summary>Indice</summary>\nfaux\n</details>\n## Exercice\n\nFaites…\n\n<details>\n<summary>Indice</summary>\n\nUtilisez `format!`.\n\n</details>\n";
        assert_eq!(hint_in_page(page).as_deref(), Some("Utilisez `format!`."));
        assert_eq!(hint_in_page("## Exercice\nsans indice"), None);
    }
}
