//! Les pages du livre face au dépôt : une page par chapitre, avec les
//! sections et les éléments promis par l'avant-propos ; des pages
//! d'ouverture qui comptent et listent les chapitres du dossier `chapters/`.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use mdbook_driver::MDBook;
use mdbook_driver::book::BookItem;

use super::gate::lines_outside_code;

/// Les sections d'une page de chapitre, dans l'ordre du cours.
pub const SECTIONS: [&str; 7] = [
    "Objectif",
    "Le code",
    "Ce qui a changé",
    "Comprendre",
    "Pour tester",
    "Pièges",
    "Exercice",
];

/// Les crates de chapitre : les dossiers de `chapters/` qui ont un
/// `Cargo.toml`, triés par nom (donc dans l'ordre du cours).
pub fn chapter_crates(chapters: &Path) -> Result<Vec<String>, String> {
    let entries = fs::read_dir(chapters)
        .map_err(|e| format!("impossible de lire le dossier {} : {e}", chapters.display()))?;
    let mut crates = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| format!("lecture de {} : {e}", chapters.display()))?;
        if entry.path().join("Cargo.toml").is_file() {
            crates.push(entry.file_name().to_string_lossy().into_owned());
        }
    }
    crates.sort();
    Ok(crates)
}

/// Un nom de page qui désigne un chapitre : `chNN-…`.
pub fn is_chapter_name(stem: &str) -> bool {
    let bytes = stem.as_bytes();
    bytes.len() > 5
        && stem.starts_with("ch")
        && bytes[2].is_ascii_digit()
        && bytes[3].is_ascii_digit()
        && bytes[4] == b'-'
}

/// Les pages du livre (celles de `SUMMARY.md`) : chemin relatif à `src/` et
/// contenu brut.
pub fn pages(book: &MDBook) -> Vec<(PathBuf, &str)> {
    book.iter()
        .filter_map(|item| match item {
            BookItem::Chapter(chapter) => chapter
                .path
                .as_ref()
                .map(|path| (path.clone(), chapter.content.as_str())),
            _ => None,
        })
        .collect()
}

fn stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Une page par crate, un crate par page de chapitre, aucune page hors du
/// sommaire, et les sections du cours dans l'ordre.
pub fn check_pages(book: &MDBook, src: &Path, crates: &[String], problems: &mut Vec<String>) {
    let pages = pages(book);

    for name in crates {
        match pages.iter().find(|(path, _)| stem(path) == *name) {
            None => problems.push(format!(
                "le chapitre chapters/{name} n'a pas de page dans le livre : créez \
                 book/src/{name}.md et ajoutez-la à book/src/SUMMARY.md"
            )),
            Some((path, content)) => {
                let main = format!("chapters/{name}/src/main.rs");
                if !content.contains(&main) {
                    problems.push(format!(
                        "la page {} n'inclut pas le code de son crate : il y manque \
                         {{{{#include ../../{main}:all}}}}",
                        path.display()
                    ));
                }
                check_sections(path, content, problems);
                check_parts(path, content, problems);
            }
        }
    }

    for (path, _) in &pages {
        let name = stem(path);
        if is_chapter_name(&name) && !crates.contains(&name) {
            problems.push(format!(
                "la page {} n'a pas de crate chapters/{name} : renommez-la comme son \
                 crate, ou retirez-la du livre",
                path.display()
            ));
        }
    }

    let listed: BTreeSet<PathBuf> = pages.iter().map(|(path, _)| src.join(path)).collect();
    for file in crate::walk::files(src, "md") {
        let is_summary = file.file_name().is_some_and(|n| n == "SUMMARY.md");
        if !is_summary && !listed.contains(&file) {
            let shown = file.strip_prefix(src).unwrap_or(&file);
            problems.push(format!(
                "la page {} n'est pas dans SUMMARY.md : aucun lecteur ne la trouvera",
                shown.display()
            ));
        }
    }
}

/// Les titres de niveau 2 d'une page, hors blocs de code.
fn level2_headings(content: &str) -> Vec<String> {
    let mut headings = Vec::new();
    for (_, line) in lines_outside_code(content) {
        if let Some(title) = line.strip_prefix("## ") {
            // Un identifiant explicite (`## Titre {#id}`) ne compte pas.
            let title = match title.rfind(" {#") {
                Some(at) if title.trim_end().ends_with('}') => &title[..at],
                _ => title,
            };
            headings.push(title.trim().to_owned());
        }
    }
    headings
}

fn check_sections(path: &Path, content: &str, problems: &mut Vec<String>) {
    let found: Vec<String> = level2_headings(content)
        .into_iter()
        .filter(|h| SECTIONS.contains(&h.as_str()))
        .collect();
    if found != SECTIONS {
        let quote = |list: &mut dyn Iterator<Item = &str>| {
            list.map(|s| format!("« {s} »"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let found = if found.is_empty() {
            "aucune".to_owned()
        } else {
            quote(&mut found.iter().map(String::as_str))
        };
        problems.push(format!(
            "la page {} doit avoir les sections (titres « ## ») {} dans cet ordre, une fois \
             chacune ; elle a : {found}",
            path.display(),
            quote(&mut SECTIONS.into_iter()),
        ));
    }
}

/// Ce que l'avant-propos promet dans chaque page de chapitre, en plus des
/// sections : le texte qui l'ouvre, et son nom pour le message.
pub const PAGE_PARTS: [(&str, &str); 5] = [
    (
        "**Où travailler, comment vérifier.**",
        "le paragraphe « Où travailler, comment vérifier. » de l'exercice",
    ),
    (
        "<summary>Indice</summary>",
        "l'indice replié (<summary>Indice</summary>)",
    ),
    (
        "<summary>Solution</summary>",
        "la solution repliée (<summary>Solution</summary>)",
    ),
    (
        "> **Différences avec la version Node**",
        "l'encadré « > **Différences avec la version Node** »",
    ),
    (
        "<summary>Notes pour l'enseignant",
        "les notes repliées « Notes pour l'enseignant »",
    ),
];

fn check_parts(path: &Path, content: &str, problems: &mut Vec<String>) {
    for (marker, what) in PAGE_PARTS {
        if !content.contains(marker) {
            problems.push(format!(
                "la page {} n'a pas {what}, que l'avant-propos promet à chaque page de chapitre",
                path.display()
            ));
        }
    }
}

/// Les pages qui présentent le cours : chacune doit nommer chaque
/// chapitre (sa table), sans en oublier un quand le cours grandit.
pub const TABLES: [&str; 2] = ["book/src/introduction.md", "README.md"];

/// Les pages qui peuvent dire combien il y a de chapitres.
pub const FRAMING: [&str; 5] = [
    "book/src/avant-propos.md",
    "book/src/introduction.md",
    "book/src/mise-en-place.md",
    "README.md",
    "book/book.toml",
];

/// Les tables des pages d'ouverture nomment chaque chapitre de `chapters/`,
/// et un nombre écrit devant « chapitres » (« les sept chapitres ») est
/// celui des crates de `chapters/`.
pub fn check_framing(root: &Path, crates: &[String], problems: &mut Vec<String>) {
    for page in TABLES {
        let Ok(text) = fs::read_to_string(root.join(page)) else {
            problems.push(format!("{page} est illisible"));
            continue;
        };
        for name in crates {
            if !text.contains(name.as_str()) {
                problems.push(format!(
                    "{page} ne nomme pas le chapitre {name} : ajoutez-le à sa table des chapitres"
                ));
            }
        }
    }
    for page in FRAMING {
        let Ok(text) = fs::read_to_string(root.join(page)) else {
            continue;
        };
        for count in chapter_counts(&text) {
            if count != crates.len() {
                problems.push(format!(
                    "{page} parle de {count} chapitres ; le dossier chapters/ en a {}",
                    crates.len()
                ));
            }
        }
    }
}

/// Les nombres écrits juste devant le mot « chapitres » (en chiffres ou en
/// lettres) : « les sept chapitres » → 7.
pub fn chapter_counts(text: &str) -> Vec<usize> {
    const WORDS: [&str; 21] = [
        "zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix",
        "onze", "douze", "treize", "quatorze", "quinze", "seize", "dix-sept", "dix-huit",
        "dix-neuf", "vingt",
    ];
    let words: Vec<String> = text
        .split(|c: char| c.is_whitespace())
        .map(|w| {
            w.trim_matches(|c: char| !c.is_alphanumeric() && c != '-')
                .to_lowercase()
        })
        .collect();
    words
        .windows(2)
        .filter(|pair| pair[1] == "chapitres")
        .filter_map(|pair| {
            pair[0]
                .parse::<usize>()
                .ok()
                .or_else(|| WORDS.iter().position(|w| *w == pair[0]))
        })
        .collect()
}
