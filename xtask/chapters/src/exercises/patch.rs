//! Les solutions : pour chaque exercice, les seules lignes qu'il change,
//! en diff unifié (`exercices/solutions/exNN-….diff`) sur l'exercice tel
//! que son chapitre le donne. Appliqué ici au contexte exact : une ligne du
//! chapitre changée près de la solution la fait refuser ; une ligne
//! ajoutée ailleurs ne fait que la décaler.

use similar::TextDiff;

use super::starter::Files;

/// Le nombre de lignes de contexte autour de chaque changement.
const CONTEXT: usize = 3;

/// Un morceau (« hunk ») d'un diff : sa ligne de départ dans l'ancien
/// fichier (1 pour la première), ses lignes (`' '`, `'-'` ou `'+'`, texte).
struct Hunk {
    header: String,
    old_start: usize,
    lines: Vec<(char, String)>,
}

impl Hunk {
    fn side(&self, keep: char) -> Vec<&str> {
        self.lines
            .iter()
            .filter(|(tag, _)| *tag == ' ' || *tag == keep)
            .map(|(_, text)| text.as_str())
            .collect()
    }
}

/// Le diff lu fichier par fichier : `src/main.rs` → `main.rs`.
fn parse(diff: &str) -> Result<Vec<(String, Vec<Hunk>)>, String> {
    let mut files: Vec<(String, Vec<Hunk>)> = Vec::new();
    for (n, line) in diff.lines().enumerate() {
        let number = n + 1;
        if line.starts_with("--- ") {
            continue;
        } else if let Some(name) = line.strip_prefix("+++ ") {
            let name = name.split('\t').next().unwrap_or(name);
            let name = name.strip_prefix("b/").unwrap_or(name);
            let name = name.strip_prefix("src/").unwrap_or(name);
            files.push((name.to_owned(), Vec::new()));
        } else if line.starts_with("@@ ") {
            let start = line
                .strip_prefix("@@ -")
                .and_then(|rest| rest.split([',', ' ']).next())
                .and_then(|n| n.parse::<usize>().ok())
                .ok_or_else(|| format!("ligne {number} : en-tête de morceau illisible"))?;
            let hunks = &mut files
                .last_mut()
                .ok_or_else(|| format!("ligne {number} : un morceau avant tout « +++ fichier »"))?
                .1;
            hunks.push(Hunk {
                header: line.to_owned(),
                old_start: start,
                lines: Vec::new(),
            });
        } else if let Some(hunk) = files.last_mut().and_then(|f| f.1.last_mut()) {
            let tag = line.chars().next().unwrap_or(' ');
            if !matches!(tag, ' ' | '-' | '+') {
                return Err(format!(
                    "ligne {number} : « {line} » n'est pas une ligne de diff"
                ));
            }
            hunk.lines
                .push((tag, line.get(1..).unwrap_or("").to_owned()));
        } else if !line.trim().is_empty() {
            return Err(format!(
                "ligne {number} : « {line} » avant le premier morceau"
            ));
        }
    }
    Ok(files)
}

/// Applique `diff` à `files`, morceau par morceau, au contexte exact (le
/// plus près possible de la ligne annoncée). L'erreur nomme le fichier et
/// le morceau qui ne s'applique plus.
pub fn apply(files: &mut Files, diff: &str) -> Result<(), String> {
    for (name, hunks) in parse(diff)? {
        let text = files
            .get(&name)
            .ok_or_else(|| format!("src/{name} n'est pas un fichier de l'exercice"))?;
        let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
        // Le décalage entre l'ancien fichier et le nouveau, jusqu'ici.
        let mut shift: isize = 0;
        let mut from = 0;
        for hunk in &hunks {
            let (old, new) = (hunk.side('-'), hunk.side('+'));
            let expected = (hunk.old_start.max(1) - 1).saturating_add_signed(shift);
            let fits = |at: &usize| {
                lines
                    .get(*at..*at + old.len())
                    .is_some_and(|window| window.iter().zip(&old).all(|(a, b)| a == b))
            };
            let at = (from..=lines.len())
                .filter(fits)
                .min_by_key(|at| at.abs_diff(expected))
                .filter(|_| !old.is_empty())
                .ok_or_else(|| {
                    format!(
                        "src/{name}, morceau « {} » : ses lignes de contexte (à partir de « {} ») \
                         ne sont plus dans le fichier",
                        hunk.header,
                        old.first().copied().unwrap_or("").trim()
                    )
                })?;
            lines.splice(at..at + old.len(), new.iter().map(|l| (*l).to_owned()));
            shift = at as isize - (hunk.old_start as isize - 1) + new.len() as isize
                - old.len() as isize;
            from = at + new.len();
        }
        files.insert(name, lines.join("\n") + "\n");
    }
    Ok(())
}

/// Le diff unifié qui mène de `before` à `after` (fichiers sous `src/`).
pub fn make(before: &Files, after: &Files) -> String {
    let mut diff = String::new();
    for (name, old) in before {
        let new = after.get(name).map(String::as_str).unwrap_or(old);
        if new == old {
            continue;
        }
        let text = TextDiff::from_lines(old.as_str(), new);
        let path = format!("src/{name}");
        diff.push_str(
            &text
                .unified_diff()
                .context_radius(CONTEXT)
                .header(&format!("a/{path}"), &format!("b/{path}"))
                .to_string(),
        );
    }
    diff
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(main: &str) -> Files {
        Files::from([("main.rs".to_owned(), main.to_owned())])
    }

    #[test]
    fn a_diff_is_made_then_applied_even_after_lines_move() {
        let before = files("a\nb\nc\nd\ne\nf\ng\n");
        let after = files("a\nb\nc\nd\nE\nf\ng\n");
        let diff = make(&before, &after);
        assert!(
            diff.starts_with("--- a/src/main.rs\n+++ b/src/main.rs\n@@ "),
            "{diff}"
        );
        // Deux lignes ajoutées au début, loin du changement : il s'applique.
        let mut moved = files("0\n1\na\nb\nc\nd\ne\nf\ng\n");
        apply(&mut moved, &diff).expect("le diff s'applique");
        assert_eq!(moved["main.rs"], "0\n1\na\nb\nc\nd\nE\nf\ng\n");
    }

    #[test]
    fn a_changed_context_line_is_refused() {
        let diff = make(&files("a\nb\nc\nd\n"), &files("a\nb\nX\nd\n"));
        let mut changed = files("a\nB\nc\nd\n");
        let error = apply(&mut changed, &diff).expect_err("le contexte a changé");
        assert!(
            error.contains("src/main.rs") && error.contains("@@"),
            "{error}"
        );
    }
}
