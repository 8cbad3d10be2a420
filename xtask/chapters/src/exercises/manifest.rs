//! Le `Cargo.toml` d'un exercice, produit depuis celui de son chapitre.

use std::path::Path;

use checks::exercises::Exercise;

use super::starter::read;

/// Le `Cargo.toml` de l'exercice : celui du chapitre, avec le nom de
/// l'exercice et une description qui dit quoi faire ; sans les
/// `[dev-dependencies]` (les tests du chapitre ne sont pas copiés) ni les
/// `[package.metadata…]` (pour le livre), commentaires qui les annoncent
/// compris.
pub fn manifest(root: &Path, exercise: &Exercise) -> Result<String, String> {
    let path = root
        .join("chapters")
        .join(exercise.chapter)
        .join("Cargo.toml");
    let text = read(root, &path)?;
    let mut todo_files: Vec<String> = Vec::new();
    for todo in exercise.todos {
        let file = format!("src/{}", todo.file);
        if !todo_files.contains(&file) {
            todo_files.push(file);
        }
    }
    let description = format!(
        "description = \"Exercice du chapitre {}\u{a0}: modifiez {}, puis lancez cargo xtask \
         exercices {}.\"",
        exercise.chapter,
        todo_files.join(" et "),
        exercise.short()
    );
    let mut out: Vec<String> = Vec::new();
    let (mut section, mut renamed) = (String::new(), false);
    for line in text.lines() {
        if line.starts_with('[') {
            section = line.trim().to_owned();
            if dropped(&section) {
                while out.last().is_some_and(|l| l.starts_with('#')) {
                    out.pop();
                }
            }
        }
        if dropped(&section) {
            continue;
        }
        let doubled = line.is_empty() && out.last().is_some_and(|l| l.is_empty());
        if doubled {
            continue;
        }
        if section == "[package]" && line.starts_with("name = ") {
            out.push(format!("name = \"{}\"", exercise.id));
            renamed = true;
        } else {
            out.push(line.to_owned());
        }
        if section == "[package]" && line.starts_with("version = ") {
            out.push(description.clone());
        }
    }
    if !renamed {
        return Err(format!(
            "{} : chapters/{}/Cargo.toml n'a pas de ligne `name = …` dans [package].",
            exercise.id, exercise.chapter
        ));
    }
    while out.last().is_some_and(|l| l.is_empty()) {
        out.pop();
    }
    Ok(out.join("\n") + "\n")
}

/// Les sections du `Cargo.toml` du chapitre que l'exercice ne reprend pas.
fn dropped(section: &str) -> bool {
    section == "[dev-dependencies]" || section.starts_with("[package.metadata")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_manifest_is_the_chapter_s_without_its_tests_and_book_metadata() {
        let exercise = &checks::exercises::EXERCISES[11];
        let root = tempfile::tempdir().expect("un dossier temporaire");
        let chapter = root.path().join("chapters").join(exercise.chapter);
        std::fs::create_dir_all(&chapter).expect("dossier");
        let text = "[package]\nname = \"ch12-cluster\"\nversion = \"0.1.0\"\nedition.workspace = true\n\n\
                    # Pour le livre.\n[package.metadata.cours]\nbase = \"ch09-pseudos\"\n\n\
                    [dependencies]\n# Redis.\nredis.workspace = true\n\n\
                    [dev-dependencies]\nchecks.workspace = true\n\n[lints]\nworkspace = true\n";
        std::fs::write(chapter.join("Cargo.toml"), text).expect("Cargo.toml");
        let manifest = manifest(root.path(), exercise).expect("le Cargo.toml de l'exercice");
        let description = manifest.lines().nth(3).unwrap_or_default();
        assert_eq!(
            manifest.replace(description, "…"),
            format!(
                "[package]\nname = \"{}\"\nversion = \"0.1.0\"\n…\nedition.workspace = true\n\n\
                 [dependencies]\n# Redis.\nredis.workspace = true\n\n[lints]\nworkspace = true\n",
                exercise.id
            )
        );
        assert!(
            description.contains("src/messages.rs") && description.contains("ex12"),
            "{description}"
        );
    }
}
