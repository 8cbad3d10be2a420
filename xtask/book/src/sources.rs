//! La typographie française hors du livre : le README, et les messages
//! qu'affichent les chapitres et les crates `support`, `checks` et `xtask`
//! (les chaînes de caractères de leur code, hors tests et hors
//! commentaires).
//!
//! Les règles sont celles de la prose du livre (espaces insécables), plus
//! deux fautes propres aux messages : « client(s) » au lieu de l'accord, et
//! un nombre décimal formaté par Rust (`{:.1}`), qui s'affiche avec un point
//! au lieu d'une virgule. Les lignes de journal dont le contrat des
//! chapitres (`book/src/annexe-contrat.md`) fixe le texte (« Adresse du
//! serveur : … ») gardent leurs espaces ordinaires, comme dans le cours
//! d'origine : les scripts les reconnaissent ainsi.

use std::fs;
use std::path::{Path, PathBuf};

use super::gate::{lines_outside_code, ordinary_space_in_prose, prose_segments};

mod literals;

use literals::shown_literals;

/// Les dossiers dont les messages s'affichent à l'étudiant ou au formateur
/// (`chapters` : tous les chapitres).
pub const CRATES: [&str; 4] = ["support", "checks", "xtask", "chapters"];

/// Les morceaux de lignes de journal fixés par le contrat des chapitres
/// (`book/src/annexe-contrat.md`), écrits avec des espaces ordinaires exprès.
/// `…` y tient la place d'un mot sans espace (un identifiant, `{}`, `<id>`).
const FIXED_LOG_LINES: [&str; 7] = [
    "Adresse du serveur : ",
    "Son ID : ",
    "Adresse IP du client : ",
    "#clients connectés : ",
    "#clients connectés après déconnexion : ",
    "Rooms de … :",
    "message pour … :",
];

/// Vérifie le README et les chaînes des crates de [`CRATES`] sous `root`.
/// Chaque faute est signalée `fichier:ligne`, chemin relatif à `root`.
pub fn check(root: &Path, problems: &mut Vec<String>) {
    let readme = root.join("README.md");
    if let Ok(text) = fs::read_to_string(&readme) {
        for (number, line) in lines_outside_code(&text) {
            for why in faults(line, line, false) {
                problems.push(format!("README.md:{} : {why}", number + 1));
            }
        }
    }
    for name in CRATES {
        let mut files = Vec::new();
        rust_files(&root.join(name), &mut files);
        files.sort();
        for file in files {
            let Ok(text) = fs::read_to_string(&file) else {
                continue;
            };
            let shown = file.strip_prefix(root).unwrap_or(&file);
            let shown = shown.to_string_lossy().replace('\\', "/");
            for (line, why) in check_rust_source(&text) {
                problems.push(format!("{shown}:{line} : {why}"));
            }
        }
    }
}

/// Les fichiers `.rs` d'un dossier, sauf `target/`, les dossiers `tests/`
/// et les fichiers `tests.rs` (des tests, que l'étudiant ne lit pas à
/// l'écran).
fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        if path.is_dir() {
            if name != "target" && name != "tests" {
                rust_files(&path, found);
            }
        } else if path.extension().is_some_and(|e| e == "rs") && name != "tests.rs" {
            found.push(path);
        }
    }
}

/// Les fautes des chaînes d'un fichier Rust : (numéro de ligne, explication).
/// Une requête SQL (`SELECT … WHERE id > ?1`), reconnue à son premier mot :
/// ce n'est pas du français.
fn is_sql(text: &str) -> bool {
    let first = text.split_whitespace().next().unwrap_or("");
    [
        "SELECT", "INSERT", "UPDATE", "DELETE", "CREATE", "PRAGMA", "BEGIN", "COMMIT",
    ]
    .contains(&first)
}

/// Les fautes des chaînes d'un fichier Rust : (numéro de ligne, explication).
pub fn check_rust_source(text: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for literal in shown_literals(text) {
        // Un séparateur sans lettres (`split_once(" : ")`, qui découpe une
        // ligne de journal fixée) est du code ; un format (`"{} : {}"`) non.
        if !literal
            .text
            .contains(|c: char| c.is_alphabetic() || c == '{')
            || is_sql(&literal.text)
        {
            continue;
        }
        for (offset, line) in literal.text.split('\n').enumerate() {
            for why in faults(&accept_fixed_log_lines(line), line, true) {
                found.push((literal.line + offset, why));
            }
        }
    }
    found
}

/// Ce qui ne va pas dans une ligne de texte (`line`, vérifiée ; `shown`,
/// citée dans le message). `in_code` : la ligne vient d'une chaîne Rust (où
/// `{:.1}` est un format).
fn faults(line: &str, shown: &str, in_code: bool) -> Vec<String> {
    let mut faults = Vec::new();
    if let Some(excerpt) = ordinary_space_in_prose(line) {
        // Toute la ligne si elle est courte : plus facile à retrouver.
        let shown = shown.trim();
        let excerpt = if shown.chars().count() <= 100 {
            shown.to_owned()
        } else {
            excerpt
        };
        faults.push(format!(
            "espace ordinaire là où la typographie française veut une espace insécable \
             (U+00A0 ou U+202F) : « {excerpt} »"
        ));
    }
    if let Some(word) = parenthesized_plural(line) {
        faults.push(format!(
            "« {word} » : accordez plutôt le mot avec le nombre (« 1 chapitre », « 2 chapitres »)"
        ));
    }
    if in_code
        && let Some(spec) = prose_segments(line)
            .into_iter()
            .find_map(decimal_point_format)
    {
        faults.push(format!(
            "« {spec} » affiche un nombre décimal avec un point : en français, une virgule \
             (« 12,3 s »)"
        ));
    }
    faults
}

/// Accepte les espaces ordinaires des morceaux fixés par le contrat des
/// chapitres : elles deviennent insécables dans la copie vérifiée (le reste de la ligne
/// est vérifié, et cité, tel quel).
fn accept_fixed_log_lines(line: &str) -> String {
    let protect = |text: &str| text.replace(' ', "\u{a0}");
    let mut line = line.to_owned();
    for fixed in FIXED_LOG_LINES {
        match fixed.split_once('…') {
            None => line = line.replace(fixed, &protect(fixed)),
            Some((before, after)) => {
                while let Some(start) = line.find(before) {
                    let rest = &line[start + before.len()..];
                    let word = rest.find(' ').unwrap_or(rest.len());
                    let end = if rest[word..].starts_with(after) {
                        start + before.len() + word + after.len()
                    } else {
                        start + before.len()
                    };
                    let protected = protect(&line[start..end]);
                    line.replace_range(start..end, &protected);
                }
            }
        }
    }
    line
}

/// Un mot suivi de « (s) », « (e) » ou « (es) » : « chapitre(s) ».
pub fn parenthesized_plural(line: &str) -> Option<String> {
    for marker in ["(s)", "(e)", "(es)"] {
        let mut from = 0;
        while let Some(at) = line[from..].find(marker) {
            let at = from + at;
            let word: String = line[..at]
                .chars()
                .rev()
                .take_while(|c| c.is_alphabetic())
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            if !word.is_empty() {
                return Some(format!("{word}{marker}"));
            }
            from = at + marker.len();
        }
    }
    None
}

/// Un format Rust à précision fixe (`{:.1}`, `{x:>6.2}`) : Rust l'affiche
/// toujours avec un point décimal (`{:.0}`, sans décimale, n'en a pas).
pub fn decimal_point_format(line: &str) -> Option<String> {
    let mut rest = line;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        if let Some(escaped) = after.strip_prefix('{') {
            rest = escaped;
            continue;
        }
        let Some(close) = after.find('}') else {
            break;
        };
        let inner = &after[..close];
        if let Some((_, spec)) = inner.split_once(':')
            && let Some((_, precision)) = spec.split_once('.')
            && !precision.is_empty()
            && precision.chars().all(|c| c.is_ascii_digit())
            && !precision.trim_start_matches('0').is_empty()
        {
            return Some(format!("{{{inner}}}"));
        }
        rest = &after[close + 1..];
    }
    None
}

#[cfg(test)]
mod tests;
