//! Les fichiers d'un exercice : son indice (lu dans le livre), sa copie
//! d'origine (`exercices/.origine/`) et la remise à zéro.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use checks::exercises::Exercise;

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

/// `--recommencer` : remet le crate de l'exercice tel qu'il a été donné,
/// après confirmation (« o » sur l'entrée standard).
pub fn reset(exercise: &Exercise) -> Result<(), String> {
    let root = repository_root();
    let original = root.join("exercices").join(".origine").join(exercise.id);
    let work = root.join("exercices").join(exercise.id);
    if !original.is_dir() {
        return Err(format!(
            "la copie d'origine {} est introuvable : rien n'est effacé.",
            original.display()
        ));
    }
    print!(
        "Effacer votre travail dans exercices/{} et repartir de l'original ? [o/N] ",
        exercise.id
    );
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
    if !matches!(
        answer.trim().to_lowercase().as_str(),
        "o" | "oui" | "y" | "yes"
    ) {
        println!("Rien n'est effacé.");
        return Ok(());
    }
    if work.exists() {
        std::fs::remove_dir_all(&work)
            .map_err(|e| format!("impossible d'effacer {} : {e}", work.display()))?;
    }
    copy_dir(&original, &work)?;
    println!(
        "exercices/{} est revenu à l'original. Vérifier : cargo xtask exercices {}",
        exercise.id,
        exercise.short()
    );
    Ok(())
}

/// Copie le dossier `from` (et tout ce qu'il contient) en `to`.
pub fn copy_dir(from: &Path, to: &Path) -> Result<(), String> {
    std::fs::create_dir_all(to)
        .map_err(|e| format!("impossible de créer {} : {e}", to.display()))?;
    let entries = std::fs::read_dir(from)
        .map_err(|e| format!("impossible de lire {} : {e}", from.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("impossible de lire {} : {e}", from.display()))?;
        let path = entry.path();
        let target = to.join(entry.file_name());
        if path.is_dir() {
            copy_dir(&path, &target)?;
        } else {
            std::fs::copy(&path, &target)
                .map_err(|e| format!("impossible de copier {} : {e}", path.display()))?;
        }
    }
    Ok(())
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
