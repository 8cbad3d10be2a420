//! L'exercice tel qu'il est donné, produit depuis son chapitre : aucun
//! fichier d'exercice n'est écrit à la main, chacun vient des fichiers du
//! chapitre et de l'énoncé rangé dans `checks::exercises::EXERCISES`. Rien
//! de tout cela n'est dans git : la copie de l'étudiant est créée par
//! `cargo xtask exercices` (`files.rs`).
//!
//! Son `Cargo.toml` est celui du chapitre, renommé, sans les dépendances
//! de ses tests ni ses métadonnées pour le livre (`manifest`).
//!
//! Pour chaque fichier donné (`main.rs`, et ceux de `Exercise::files`) : les
//! lignes `// ANCHOR…` du livre sont retirées et les `TODO` posés à leur
//! place ; dans `main.rs`, l'en-tête `//!` du chapitre devient celui de
//! l'exercice, et chaque module que l'exercice ne donne pas est lu dans le
//! chapitre par un `#[path = "../../../chapters/…"]`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use checks::exercises::{Exercise, Place};

use super::manifest::manifest;

// La lecture des `mod x;` et des `#[path]`, écrite une fois pour les deux
// générateurs de code tiré des chapitres : celui-ci et celui des variantes
// cassées (`checks/broken/build.rs`).
#[path = "../../../../checks/broken/build/modules.rs"]
mod modules;
pub use modules::normalize;
use modules::{module_name, path_attribute};

/// Les fichiers d'un exercice tel qu'il est donné : chemin sous `src/`,
/// contenu.
pub type Files = BTreeMap<String, String>;

/// L'exercice entier tel qu'il est donné : ses fichiers `src/…` et son
/// `Cargo.toml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Given {
    pub files: Files,
    pub manifest: String,
}

/// Produit l'exercice entier depuis son chapitre (`generate` et `manifest`).
pub fn given(root: &Path, exercise: &Exercise) -> Result<Given, String> {
    Ok(Given {
        files: generate(root, exercise)?,
        manifest: manifest(root, exercise)?,
    })
}

/// La largeur des commentaires écrits par le générateur.
const WIDTH: usize = 80;

/// Produit les fichiers `src/…` de l'exercice depuis son chapitre, sous
/// `root` (la racine du dépôt).
pub fn generate(root: &Path, exercise: &Exercise) -> Result<Files, String> {
    let src = root.join("chapters").join(exercise.chapter).join("src");
    let main = read(root, &src.join("main.rs"))?;
    let modules = modules(&main, &src);
    let mut files = Files::new();
    for name in std::iter::once("main.rs").chain(exercise.files.iter().copied()) {
        let (text, path) = if name == "main.rs" {
            (main.clone(), src.join("main.rs"))
        } else {
            let module = name.trim_end_matches(".rs");
            let path = modules
                .iter()
                .find(|m| m.name == module)
                .map(|m| m.file.clone())
                .ok_or_else(|| {
                    format!(
                        "{} : chapters/{}/src/main.rs ne déclare plus le module `{module}` \
                         que l'exercice donne (`files` dans checks/src/exercises.rs).",
                        exercise.id, exercise.chapter
                    )
                })?;
            (read(root, &path)?, path)
        };
        let mut lines = without_anchors(&text);
        for todo in exercise.todos.iter().filter(|t| t.file == name) {
            let shown = path.strip_prefix(root).unwrap_or(&path).display();
            insert_todo(&mut lines, exercise, todo.place, todo.text).map_err(|missing| {
                format!(
                    "{} : la ligne qui contient « {missing} » est introuvable dans {shown} : \
                         le TODO « {} » n'a plus de place. Corrigez sa `place` dans \
                         checks/src/exercises.rs (exercice {}).",
                    exercise.id,
                    todo.text,
                    exercise.number()
                )
            })?;
        }
        if name == "main.rs" {
            lines = with_header(lines, exercise);
            lines = with_paths(lines, exercise, &modules, root);
        }
        files.insert(name.to_owned(), lines.join("\n") + "\n");
    }
    for todo in exercise.todos {
        if !files.contains_key(todo.file) {
            return Err(format!(
                "{} : le TODO « {} » va dans {}, qui n'est pas donné à l'étudiant.",
                exercise.id, todo.text, todo.file
            ));
        }
    }
    Ok(files)
}

/// Les fichiers sous `src` tels qu'ils sont sur le disque (vide si le
/// dossier n'existe pas ; un fichier illisible en UTF-8 compte comme vide).
pub fn on_disk(src: &Path) -> Files {
    fn walk(base: &Path, dir: &Path, found: &mut Files) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(base, &path, found);
            } else {
                let name = path.strip_prefix(base).unwrap_or(&path);
                let name = name.to_string_lossy().replace('\\', "/");
                found.insert(name, std::fs::read_to_string(&path).unwrap_or_default());
            }
        }
    }
    let mut found = Files::new();
    walk(src, src, &mut found);
    found
}

pub(super) fn read(root: &Path, path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| {
        let shown = path.strip_prefix(root).unwrap_or(path).display();
        format!("impossible de lire {shown} : {e}")
    })
}

/// Les lignes sans les ancres du livre (`// ANCHOR: x`, `// ANCHOR_END: x`),
/// sans ligne vide doublée là où une ancre est partie, ni à la fin.
fn without_anchors(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut removed = false;
    for line in text.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("// ANCHOR:") || trimmed.starts_with("// ANCHOR_END:") {
            removed = true;
            continue;
        }
        let doubled = line.is_empty() && lines.last().is_some_and(|l| l.is_empty());
        if !(removed && doubled) {
            lines.push(line.to_owned());
        }
        removed = false;
    }
    while lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    lines
}

/// Pose `// TODO (exercice N) : text` avant ou après la ligne désignée ;
/// rend le texte introuvable sinon.
fn insert_todo(
    lines: &mut Vec<String>,
    exercise: &Exercise,
    place: Place,
    text: &str,
) -> Result<(), String> {
    let (steps, after) = match place {
        Place::Before(steps) => (steps, false),
        Place::After(steps) => (steps, true),
    };
    let mut at = 0;
    for step in steps {
        at += lines[at..]
            .iter()
            .position(|l| l.contains(step))
            .ok_or_else(|| (*step).to_owned())?;
    }
    let indent: String = lines[at].chars().take_while(|c| *c == ' ').collect();
    let todo = format!("TODO (exercice {}) : {text}", exercise.number());
    let comment = wrap(&todo, &format!("{indent}// "));
    let at = if after { at + 1 } else { at };
    lines.splice(at..at, comment);
    Ok(())
}

/// L'en-tête `//!` du chapitre remplacé par celui de l'exercice.
fn with_header(lines: Vec<String>, exercise: &Exercise) -> Vec<String> {
    let short = exercise.short();
    let mut header = vec![
        format!(
            "//! # Exercice {} (chapitre {})",
            exercise.number(),
            exercise.chapter
        ),
        "//!".to_owned(),
    ];
    header.extend(wrap(
        &format!(
            "Ce crate est une copie du serveur du chapitre : le chapitre lui-même \
             reste intact. {}",
            exercise.statement
        ),
        "//! ",
    ));
    header.push("//!".to_owned());
    header.extend(wrap(
        &format!(
            "Vérifier : `cargo xtask exercices {short}` ; un indice : \
             `cargo xtask exercices --indice {short}` ; tout effacer et repartir \
             de l'original : `cargo xtask exercices --recommencer {short}`."
        ),
        "//! ",
    ));
    header.extend(lines.into_iter().skip_while(|l| l.starts_with("//!")));
    header
}

/// Un module déclaré par `mod x;` dans le `main.rs` du chapitre.
struct Module {
    name: String,
    /// Son fichier, d'après `#[path]`, `x.rs` ou `x/mod.rs`.
    file: PathBuf,
}

/// Les modules du `main.rs` du chapitre (dossier `src`).
fn modules(main: &str, src: &Path) -> Vec<Module> {
    let lines: Vec<&str> = main.lines().collect();
    let mut found = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(name) = module_name(line) else {
            continue;
        };
        let file = match i.checked_sub(1).and_then(|p| path_attribute(lines[p])) {
            Some(path) => normalize(&src.join(path)),
            None if src.join(format!("{name}.rs")).is_file() => src.join(format!("{name}.rs")),
            None => src.join(name).join("mod.rs"),
        };
        found.push(Module {
            name: name.to_owned(),
            file,
        });
    }
    found
}

/// Chaque module que l'exercice ne donne pas est lu dans le chapitre : son
/// `#[path]` désigne le fichier depuis `exercices/exNN-…/src/`. Un
/// commentaire le dit, avant la première déclaration.
fn with_paths(
    lines: Vec<String>,
    exercise: &Exercise,
    modules: &[Module],
    root: &Path,
) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut first = None;
    for line in lines {
        let module = module_name(&line).and_then(|name| modules.iter().find(|m| m.name == name));
        let Some(module) = module else {
            out.push(line);
            continue;
        };
        if out.last().is_some_and(|l| path_attribute(l).is_some()) {
            out.pop();
        }
        if !exercise
            .files
            .contains(&format!("{}.rs", module.name).as_str())
        {
            let relative = module.file.strip_prefix(root).unwrap_or(&module.file);
            let relative = relative.to_string_lossy().replace('\\', "/");
            first.get_or_insert(out.len());
            out.push(format!("#[path = \"../../../{relative}\"]"));
        }
        out.push(line);
    }
    if let Some(mut at) = first {
        // Au-dessus des commentaires et attributs de la première déclaration.
        while at > 0 && (out[at - 1].starts_with("// ") || out[at - 1].starts_with("#[")) {
            at -= 1;
        }
        let only = if exercise.files.is_empty() {
            " : seul ce fichier-ci est à modifier"
        } else {
            ""
        };
        let text = format!(
            "Les modules que l'exercice ne vous donne pas sont ceux du chapitre, \
             lus là où ils sont (`#[path]`, comme au chapitre 10){only}."
        );
        out.splice(at..at, wrap(&text, "// "));
    }
    out
}

/// `text` coupé en lignes de `WIDTH` caractères au plus, chacune précédée de
/// `prefix` ; un passage entre accents graves (`` `…` ``) n'est pas coupé,
/// ni une espace insécable. Celles-ci deviennent des espaces ordinaires :
/// les commentaires du code n'en ont pas.
fn wrap(text: &str, prefix: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    let mut glue = false;
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        // La ponctuation double ne commence pas une ligne, « n'en finit pas.
        let punctuation = [":", ";", "!", "?", "»"]
            .iter()
            .any(|p| word.starts_with(p));
        match words.last_mut() {
            Some(last) if glue || punctuation => {
                last.push(' ');
                last.push_str(word);
            }
            _ => words.push(word.to_owned()),
        }
        let last = words.last().map(String::as_str).unwrap_or("");
        glue = last.matches('`').count() % 2 == 1 || last.ends_with('«');
    }
    let mut lines = Vec::new();
    let mut line = prefix.to_owned();
    for word in &words {
        let empty = line.len() == prefix.len();
        if !empty && line.chars().count() + 1 + word.chars().count() > WIDTH {
            lines.push(std::mem::replace(&mut line, prefix.to_owned()));
        }
        if line.len() > prefix.len() {
            line.push(' ');
        }
        line.push_str(word);
    }
    lines.push(line);
    lines
        .into_iter()
        .map(|l| l.replace(['\u{a0}', '\u{202f}'], " "))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_go_and_no_blank_line_is_doubled() {
        let text = "a\n\n// ANCHOR: x\n\nb\n    // ANCHOR_END: x\nc\n\n// ANCHOR_END: all\n";
        assert_eq!(without_anchors(text), ["a", "", "b", "c"]);
    }

    #[test]
    fn code_spans_are_not_cut() {
        let lines = wrap(
            "Vérifier : `cargo xtask exercices ex01` ; un indice : `cargo xtask exercices --indice ex01` ; fin.",
            "//! ",
        );
        assert_eq!(
            lines,
            [
                "//! Vérifier : `cargo xtask exercices ex01` ; un indice :",
                "//! `cargo xtask exercices --indice ex01` ; fin."
            ]
        );
    }

    #[test]
    fn paths_are_resolved_from_the_chapter() {
        let src = Path::new("/r/chapters/ch10-prive/src");
        let main = "#[path = \"../../ch09-pseudos/src/presence.rs\"]\nmod presence;\npub mod x;\n";
        let found = modules(main, src);
        assert_eq!(found[0].name, "presence");
        assert_eq!(
            found[0].file,
            Path::new("/r/chapters/ch09-pseudos/src/presence.rs")
        );
        assert_eq!(
            found[1].file,
            Path::new("/r/chapters/ch10-prive/src/x/mod.rs")
        );
    }

    #[test]
    fn a_chapter_that_loses_a_todo_line_names_the_exercise_and_the_line() {
        let exercise = &checks::exercises::EXERCISES[4];
        let root = tempfile::tempdir().expect("un dossier temporaire");
        let src = root
            .path()
            .join("chapters")
            .join(exercise.chapter)
            .join("src");
        std::fs::create_dir_all(&src).expect("dossier");
        std::fs::write(src.join("main.rs"), "//! Chapitre\n\nfn main() {}\n").expect("main.rs");
        let error = generate(root.path(), exercise).expect_err("la ligne du TODO manque");
        assert!(error.contains(exercise.id), "{error}");
        assert!(error.contains("socket.broadcast().emit"), "{error}");
        assert!(error.contains("checks/src/exercises.rs"), "{error}");
    }
}
