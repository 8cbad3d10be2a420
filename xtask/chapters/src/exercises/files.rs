//! Les fichiers d'un exercice : son indice (lu dans le livre), la remise
//! à zéro (`--recommencer`) et, pour qui change un chapitre, la réécriture
//! de tous les exercices et de leurs solutions (`--regenerer`), depuis leur
//! chapitre.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use checks::exercises::{EXERCISES, Exercise};

use super::{patch, starter};
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

/// `--recommencer` : remet les fichiers `src/` de l'exercice tels qu'ils
/// sont donnés (produits depuis le chapitre, comme `--regenerer`), après
/// confirmation (« o » sur l'entrée standard). `Cargo.toml` reste tel quel.
pub fn reset(exercise: &Exercise) -> Result<(), String> {
    let root = repository_root();
    // Produits avant la question : si le chapitre ne s'y prête plus, rien
    // n'est effacé.
    let files = starter::generate(&root, exercise)?;
    let question = format!(
        "Effacer votre travail dans exercices/{} et repartir de l'original ? [o/N] ",
        exercise.id
    );
    if !confirmed(&question)? {
        println!("Rien n'est effacé.");
        return Ok(());
    }
    write_starter(&root, exercise, &files)?;
    println!(
        "exercices/{} est revenu à l'original. Vérifier : cargo xtask exercices {}",
        exercise.id,
        exercise.short()
    );
    Ok(())
}

/// `--regenerer` (pour qui change un chapitre) : récrit les fichiers `src/`
/// de chaque exercice depuis son chapitre, après confirmation.
pub fn regenerate_all() -> Result<(), String> {
    let root = repository_root();
    let mut all = Vec::new();
    for exercise in &EXERCISES {
        all.push((exercise, starter::generate(&root, exercise)?));
    }
    let question = format!(
        "Récrire les {} exercices (exercices/exNN-…/src) depuis leur chapitre, en effaçant le \
         travail qui y est fait ? [o/N] ",
        EXERCISES.len()
    );
    if !confirmed(&question)? {
        println!("Rien n'est récrit.");
        return Ok(());
    }
    let mut changed = Vec::new();
    for (exercise, files) in &all {
        if write_starter(&root, exercise, files)? {
            changed.push(exercise.id);
        }
    }
    match changed.len() {
        0 => println!("Les exercices étaient déjà à jour."),
        _ => println!("Récrits : {}.", changed.join(", ")),
    }
    // Les solutions suivent : chacune réappliquée à l'exercice récrit, puis
    // récrite avec ses nouveaux numéros de ligne.
    let mut problems = Vec::new();
    for (exercise, given) in &all {
        let path = root
            .join("exercices")
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
        let mut solved = given.clone();
        match patch::apply(&mut solved, &diff) {
            Ok(()) => {
                let fresh = patch::make(given, &solved);
                if fresh != diff {
                    std::fs::write(&path, fresh)
                        .map_err(|e| format!("impossible d'écrire {} : {e}", path.display()))?;
                    println!(
                        "Solution remise à jour : exercices/solutions/{}.diff",
                        exercise.id
                    );
                }
            }
            Err(why) => problems.push(format!(
                "{id} : la solution exercices/solutions/{id}.diff ne s'applique plus ({why}) ; \
                 refaites-la sur exercices/{id}/src, puis écrivez son diff",
                id = exercise.id
            )),
        }
    }
    match problems.is_empty() {
        true => Ok(()),
        false => Err(problems.join("\n")),
    }
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

/// Remplace `exercices/<id>/src` par `files` ; vrai si quelque chose a
/// changé.
fn write_starter(root: &Path, exercise: &Exercise, files: &starter::Files) -> Result<bool, String> {
    let src = root.join("exercices").join(exercise.id).join("src");
    if starter::on_disk(&src) == *files {
        return Ok(false);
    }
    if src.exists() {
        std::fs::remove_dir_all(&src)
            .map_err(|e| format!("impossible d'effacer {} : {e}", src.display()))?;
    }
    for (name, text) in files {
        let path = src.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("impossible de créer {} : {e}", parent.display()))?;
        }
        std::fs::write(&path, text)
            .map_err(|e| format!("impossible d'écrire {} : {e}", path.display()))?;
    }
    Ok(true)
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
