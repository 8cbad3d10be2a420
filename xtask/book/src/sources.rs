//! La typographie française hors du livre : le README, et les messages
//! qu'affichent les crates `support`, `checks` et `xtask` (les chaînes de
//! caractères de leur code, hors tests et hors commentaires).
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

/// Les crates dont les messages s'affichent à l'étudiant ou au formateur.
pub const CRATES: [&str; 3] = ["support", "checks", "xtask"];

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

/// Une chaîne de caractères du code, telle qu'écrite (séquences
/// d'échappement comprises), et la ligne où elle commence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Literal {
    pub line: usize,
    pub text: String,
}

/// Les morceaux d'un fichier Rust qui comptent ici.
#[derive(Debug)]
enum Token {
    Literal(Literal),
    Ident(String),
    Punct(char),
}

/// Les chaînes d'un fichier Rust qu'un utilisateur peut voir : toutes, sauf
/// celles des commentaires et des éléments de test (`#[cfg(test)]`,
/// `#[test]`, `#[tokio::test]`).
pub fn shown_literals(text: &str) -> Vec<Literal> {
    let tokens = tokenize(text);
    let mut literals = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        if let Some(end) = test_attribute(&tokens, i) {
            i = skip_item(&tokens, end);
            continue;
        }
        if let Token::Literal(literal) = &tokens[i] {
            literals.push(literal.clone());
        }
        i += 1;
    }
    literals
}

/// Si un attribut de test commence en `at` (`#[cfg(test)]`, `#[test]`,
/// `#[tokio::test(…)]`), l'indice qui le suit.
fn test_attribute(tokens: &[Token], at: usize) -> Option<usize> {
    let punct = |i: usize, c: char| matches!(tokens.get(i), Some(Token::Punct(p)) if *p == c);
    let ident = |i: usize| match tokens.get(i) {
        Some(Token::Ident(name)) => Some(name.as_str()),
        _ => None,
    };
    if !punct(at, '#') || !punct(at + 1, '[') {
        return None;
    }
    // #[cfg(test)]
    if ident(at + 2) == Some("cfg")
        && punct(at + 3, '(')
        && ident(at + 4) == Some("test")
        && punct(at + 5, ')')
        && punct(at + 6, ']')
    {
        return Some(at + 7);
    }
    // #[test], #[tokio::test], #[tokio::test(…)] : un chemin qui finit par `test`.
    let mut i = at + 2;
    let mut last = None;
    while let Some(name) = ident(i) {
        last = Some(name);
        i += 1;
        if punct(i, ':') && punct(i + 1, ':') {
            i += 2;
        } else {
            break;
        }
    }
    if last != Some("test") {
        return None;
    }
    let mut depth = 1;
    while i < tokens.len() {
        match tokens[i] {
            Token::Punct('[' | '(') => depth += 1,
            Token::Punct(']' | ')') => {
                depth -= 1;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// L'indice qui suit l'élément commençant en `at` : jusqu'au `;` qui le
/// termine, ou jusqu'à l'accolade qui ferme son corps.
fn skip_item(tokens: &[Token], at: usize) -> usize {
    let mut depth = 0usize;
    for (i, token) in tokens.iter().enumerate().skip(at) {
        match token {
            Token::Punct('{') => depth += 1,
            Token::Punct('}') => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return i + 1;
                }
            }
            Token::Punct(';') if depth == 0 => return i + 1,
            _ => {}
        }
    }
    tokens.len()
}

/// Découpe un fichier Rust : identifiants, ponctuation et chaînes ; les
/// commentaires, caractères (`'"'`) et durées de vie sont laissés de côté.
fn tokenize(text: &str) -> Vec<Token> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut line = 1;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    if chars[i] == '\n' {
                        line += 1;
                    }
                    i += 1;
                }
            }
        } else if c == '"' {
            let start = line;
            let (text, end) = quoted(&chars, i + 1, &mut line);
            tokens.push(Token::Literal(Literal { line: start, text }));
            i = end;
        } else if c == '\'' {
            // Un caractère ('a', '\n', '"') ou une durée de vie ('a).
            if next == Some('\\') {
                i += 3;
                while i < chars.len() && chars[i] != '\'' {
                    i += 1;
                }
                i += 1;
            } else if chars.get(i + 2) == Some(&'\'') {
                i += 3;
            } else {
                i += 1;
            }
        } else if c.is_alphanumeric() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            let raw = matches!(word.as_str(), "r" | "br" | "cr");
            let hashes = chars[i..].iter().take_while(|c| **c == '#').count();
            if raw && chars.get(i + hashes) == Some(&'"') {
                let start_line = line;
                let (text, end) = raw_string(&chars, i + hashes + 1, hashes, &mut line);
                tokens.push(Token::Literal(Literal {
                    line: start_line,
                    text,
                }));
                i = end;
            } else if matches!(word.as_str(), "b" | "c") && chars.get(i) == Some(&'"') {
                let start_line = line;
                let (text, end) = quoted(&chars, i + 1, &mut line);
                tokens.push(Token::Literal(Literal {
                    line: start_line,
                    text,
                }));
                i = end;
            } else {
                tokens.push(Token::Ident(word));
            }
        } else {
            tokens.push(Token::Punct(c));
            i += 1;
        }
    }
    tokens
}

/// Le texte d'une chaîne ordinaire qui commence en `from` (après `"`), et
/// l'indice qui suit le `"` fermant.
fn quoted(chars: &[char], from: usize, line: &mut usize) -> (String, usize) {
    let mut text = String::new();
    let mut i = from;
    while i < chars.len() {
        match chars[i] {
            '"' => return (text, i + 1),
            '\\' => {
                text.push('\\');
                if let Some(&escaped) = chars.get(i + 1) {
                    if escaped == '\n' {
                        *line += 1;
                    }
                    text.push(escaped);
                }
                i += 2;
            }
            c => {
                if c == '\n' {
                    *line += 1;
                }
                text.push(c);
                i += 1;
            }
        }
    }
    (text, chars.len())
}

/// Le texte d'une chaîne brute (`r#"…"#`) qui commence en `from`.
fn raw_string(chars: &[char], from: usize, hashes: usize, line: &mut usize) -> (String, usize) {
    let mut text = String::new();
    let mut i = from;
    while i < chars.len() {
        if chars[i] == '"'
            && chars[i + 1..]
                .iter()
                .take(hashes)
                .filter(|c| **c == '#')
                .count()
                == hashes
        {
            return (text, i + 1 + hashes);
        }
        if chars[i] == '\n' {
            *line += 1;
        }
        text.push(chars[i]);
        i += 1;
    }
    (text, chars.len())
}

#[cfg(test)]
mod tests;
