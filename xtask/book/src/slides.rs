//! Un chapitre se lit comme une diapositive : son `main.rs` tient en une
//! page projetée, et chacun de ses modules se garde en tête d'une lecture.
//!
//! Ce qu'on compte : les lignes de code, c'est-à-dire ni les lignes vides
//! ni les commentaires (ceux-ci expliquent, on ne veut pas les économiser).
//! Les limites : 45 lignes pour le `main.rs` des chapitres ch01 à ch08 (les
//! sept du diaporama, et le premier de la deuxième partie), 60 à partir du
//! ch09 ; 120 pour tout autre fichier `.rs` d'un chapitre, tests compris.

use std::fs;
use std::path::Path;

/// Lignes de code d'un `main.rs` des chapitres ch01 à ch08.
pub const MAIN_PART_ONE: usize = 45;
/// Lignes de code d'un `main.rs` à partir du chapitre 9.
pub const MAIN_LATER: usize = 60;
/// Lignes de code de tout autre fichier d'un chapitre.
pub const MODULE: usize = 120;

/// Les lignes de code d'un texte Rust : ni vides, ni commentaires `//`.
pub fn code_lines(text: &str) -> usize {
    text.lines()
        .map(str::trim_start)
        .filter(|line| !line.is_empty() && !line.starts_with("//"))
        .count()
}

/// Vérifie chaque fichier `.rs` de `chapters/<crate>/src/`.
pub fn check(chapters: &Path, crates: &[String], problems: &mut Vec<String>) {
    for name in crates {
        let src = chapters.join(name).join("src");
        for file in crate::walk::files(&src, "rs") {
            let Ok(text) = fs::read_to_string(&file) else {
                continue;
            };
            let relative = file.strip_prefix(&src).unwrap_or(&file);
            let is_main = relative == Path::new("main.rs");
            let limit = match (is_main, chapter_number(name)) {
                (true, Some(1..=8)) => MAIN_PART_ONE,
                (true, _) => MAIN_LATER,
                (false, _) => MODULE,
            };
            let count = code_lines(&text);
            if count > limit {
                let shown = relative.to_string_lossy().replace('\\', "/");
                let advice = if is_main {
                    "une diapositive\u{a0}: déplacez une étape dans un module"
                } else {
                    "un module qu'on garde en tête\u{a0}: découpez-le par sujet"
                };
                problems.push(format!(
                    "chapters/{name}/src/{shown}\u{a0}: {count} lignes de code, au-delà de {limit} ({advice})"
                ));
            }
        }
    }
}

/// `ch07-rooms` → 7.
fn chapter_number(name: &str) -> Option<u32> {
    name.strip_prefix("ch")?.get(..2)?.parse().ok()
}
