//! L'annexe « le contrat de chaque chapitre » (`book/src/annexe-contrat.md`)
//! face au dossier `chapters/` : chaque crate de chapitre y a sa section, un
//! chapitre n'y est marqué « à venir » que tant que son crate n'existe pas,
//! et un chapitre qu'elle nomme sans le marquer existe.
//!
//! Une section, c'est un titre qui nomme le crate (`### ch08-acks`), ou la
//! première cellule d'une ligne de tableau (`| ch01-static | … |`) : la
//! première partie du cours tient un chapitre par ligne de tableau.

use std::collections::BTreeSet;
use std::path::Path;

use mdbook_driver::MDBook;

use super::gate::lines_outside_code;
use super::pages::{is_chapter_name, pages};

/// La page du contrat, relative à `book/src/`.
pub const PAGE: &str = "annexe-contrat.md";

/// La marque d'un chapitre dont le contrat précède le code.
pub const UPCOMING: &str = "à venir";

/// Vérifie la page du contrat du livre `book` face aux crates de `chapters/`.
pub fn check(book: &MDBook, crates: &[String], problems: &mut Vec<String>) {
    let pages = pages(book);
    let Some((_, content)) = pages.iter().find(|(path, _)| path == Path::new(PAGE)) else {
        problems.push(format!(
            "le livre n'a pas la page {PAGE}, le contrat de chaque chapitre : créez \
             book/src/{PAGE} et ajoutez-la à book/src/SUMMARY.md"
        ));
        return;
    };
    check_contract(content, crates, problems);
}

/// Vérifie le texte `content` de la page du contrat face à `crates`.
pub fn check_contract(content: &str, crates: &[String], problems: &mut Vec<String>) {
    let mut named = BTreeSet::new();
    for (number, line) in lines_outside_code(content) {
        let Some(place) = section_place(line) else {
            continue;
        };
        let upcoming = place.contains(UPCOMING);
        for name in chapter_names(place) {
            let exists = crates.contains(&name);
            if exists && upcoming {
                problems.push(format!(
                    "{PAGE}, ligne {} : le chapitre {name} est marqué « {UPCOMING} », mais \
                     son crate chapters/{name} existe : retirez la marque",
                    number + 1
                ));
            } else if !exists && !upcoming {
                problems.push(format!(
                    "{PAGE}, ligne {} : {name} n'est pas un crate de chapters/ : corrigez \
                     le nom, ou marquez le chapitre « {UPCOMING} »",
                    number + 1
                ));
            }
            named.insert(name);
        }
    }
    for name in crates {
        if !named.contains(name) {
            problems.push(format!(
                "le chapitre chapters/{name} n'a pas de section dans book/src/{PAGE} : \
                 ajoutez un titre (ou une ligne de tableau) qui le nomme, avec ce qu'il promet"
            ));
        }
    }
}

/// Là où une ligne peut ouvrir la section d'un chapitre : le texte d'un
/// titre, ou la première cellule d'une ligne de tableau.
fn section_place(line: &str) -> Option<&str> {
    let line = line.trim_start();
    if line.starts_with('#') {
        return Some(line.trim_start_matches('#'));
    }
    let row = line.strip_prefix('|')?;
    row.split('|').next()
}

/// Les noms de chapitre (`chNN-nom`) écrits dans `text`.
pub fn chapter_names(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    for (at, _) in text.match_indices("ch") {
        let glued = text[..at]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '-' || c == '_');
        if glued {
            continue;
        }
        let name: String = text[at..]
            .chars()
            .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-')
            .collect();
        let name = name.trim_end_matches('-');
        if is_chapter_name(name) {
            names.push(name.to_owned());
        }
    }
    names
}
