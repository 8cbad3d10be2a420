//! Les vérifications faites sur les sources du livre, avant la construction.

use std::fs;
use std::path::Path;

use mdbook_driver::MDBook;

use crate::pages::pages;

/// Les lignes d'une page hors blocs de code, avec leur indice (à partir de 0).
pub fn lines_outside_code(content: &str) -> Vec<(usize, &str)> {
    let mut lines = Vec::new();
    let mut fence: Option<Fence> = None;
    for (number, line) in content.lines().enumerate() {
        if let Some(open) = &fence {
            if open.is_closed_by(line) {
                fence = None;
            }
        } else if let Some(opened) = Fence::open(line) {
            fence = Some(opened);
        } else {
            lines.push((number, line));
        }
    }
    lines
}

/// Une directive `{{#include …}}` trouvée dans un texte.
#[derive(Debug, PartialEq, Eq)]
pub struct Include {
    /// Le texte complet, tel qu'écrit.
    pub text: String,
    /// Le fichier, relatif au fichier qui contient la directive.
    pub file: String,
    /// Ce qui suit `:` : une ancre, ou des numéros de lignes.
    pub selector: Option<String>,
}

/// Les directives `include`, `rustdoc_include` et `playground` d'un texte,
/// sauf celles échappées par `\` (que mdBook affiche telles quelles).
pub fn find_includes(content: &str) -> Vec<Include> {
    let mut found = Vec::new();
    let mut rest = content;
    let mut offset = 0;
    while let Some(start) = rest.find("{{") {
        let absolute = offset + start;
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            break;
        };
        let inner = &after[..end];
        let escaped = content[..absolute].ends_with('\\');
        let consumed = start + 2 + end + 2;
        offset += consumed;
        rest = &rest[consumed..];
        if escaped {
            continue;
        }
        let inner = inner.trim_start();
        let Some(directive) = inner.strip_prefix('#') else {
            continue;
        };
        let mut words = directive.split_whitespace();
        let kind = words.next().unwrap_or_default();
        if !matches!(kind, "include" | "rustdoc_include" | "playground") {
            continue;
        }
        let Some(target) = words.next() else {
            continue;
        };
        let (file, selector) = match target.split_once(':') {
            Some((file, selector)) if kind != "playground" => {
                (file.to_owned(), Some(selector.to_owned()))
            }
            _ => (target.to_owned(), None),
        };
        found.push(Include {
            text: format!("{{{{{}}}}}", inner.trim_end()),
            file,
            selector,
        });
    }
    found
}

/// Le nom d'une ancre mdBook sur cette ligne (`ANCHOR: nom` ou
/// `ANCHOR_END: nom`), comme la reconnaît mdBook.
fn anchor_on(line: &str, marker: &str) -> Option<String> {
    let at = line.find(marker)?;
    let name: String = line[at + marker.len()..]
        .trim_start()
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '-')
        .collect();
    (!name.is_empty()).then_some(name)
}

/// Le nombre de lignes entre `ANCHOR: name` et `ANCHOR_END: name`, ou une
/// explication de ce qui manque.
fn anchored_lines(text: &str, name: &str) -> Result<usize, String> {
    let mut inside = false;
    let mut count = 0;
    for line in text.lines() {
        if inside {
            if anchor_on(line, "ANCHOR_END:").as_deref() == Some(name) {
                return if count == 0 {
                    Err(format!("l'ancre « {name} » n'entoure aucune ligne"))
                } else {
                    Ok(count)
                };
            }
            if anchor_on(line, "ANCHOR:").is_none() && anchor_on(line, "ANCHOR_END:").is_none() {
                count += 1;
            }
        } else if anchor_on(line, "ANCHOR:").as_deref() == Some(name) {
            inside = true;
        }
    }
    Err(if inside {
        format!("l'ancre « {name} » est ouverte mais jamais fermée (ANCHOR_END: {name})")
    } else {
        format!("l'ancre « {name} » n'existe pas (il faut une ligne ANCHOR: {name})")
    })
}

/// Vérifie une sélection de lignes `A`, `A:B`, `:B` ou `A:`.
fn check_range(text: &str, selector: &str) -> Result<(), String> {
    let lines = text.lines().count();
    let mut bounds = selector.splitn(2, ':');
    let parse = |s: Option<&str>| -> Result<Option<usize>, String> {
        match s.map(str::trim) {
            None | Some("") => Ok(None),
            Some(n) => n
                .parse::<usize>()
                .map(Some)
                .map_err(|_| format!("« {selector} » n'est ni une ancre ni des numéros de lignes")),
        }
    };
    let start = parse(bounds.next())?;
    let end = parse(bounds.next())?;
    for n in [start, end].into_iter().flatten() {
        if n > lines {
            return Err(format!(
                "la ligne {n} est demandée, le fichier n'en a que {lines}"
            ));
        }
    }
    Ok(())
}

/// Chaque `{{#include}}` désigne un fichier qui existe et, s'il en demande
/// une, une ancre qui existe et n'est pas vide. Les fichiers Markdown inclus
/// sont vérifiés à leur tour.
pub fn check_includes(book: &MDBook, src: &Path, problems: &mut Vec<String>) {
    for (path, content) in pages(book) {
        let base = src.join(path.parent().unwrap_or(Path::new("")));
        check_includes_in(&path.display().to_string(), content, &base, 0, problems);
    }
}

fn check_includes_in(
    page: &str,
    content: &str,
    base: &Path,
    depth: usize,
    problems: &mut Vec<String>,
) {
    for include in find_includes(content) {
        let target = base.join(&include.file);
        let Ok(text) = fs::read_to_string(&target) else {
            problems.push(format!(
                "{page} : {} inclut le fichier {}, qui n'existe pas",
                include.text,
                target.display()
            ));
            continue;
        };
        let checked = match include.selector.as_deref() {
            None | Some("") => Ok(()),
            Some(s) if s.starts_with(|c: char| c.is_ascii_digit() || c == ':') => {
                check_range(&text, s)
            }
            Some(anchor) => anchored_lines(&text, anchor).map(|_| ()),
        };
        if let Err(why) = checked {
            problems.push(format!(
                "{page} : {} : dans {}, {why}",
                include.text,
                target.display()
            ));
        }
        if depth < 10 && target.extension().is_some_and(|e| e == "md") {
            let inner_base = target.parent().unwrap_or(base);
            check_includes_in(page, &text, inner_base, depth + 1, problems);
        }
    }
}

/// Une clôture de bloc de code : ```` ``` ```` ou `~~~`.
struct Fence {
    marker: char,
    len: usize,
    info: String,
}

impl Fence {
    fn open(line: &str) -> Option<Self> {
        let trimmed = line.trim_start();
        let marker = trimmed.chars().next().filter(|c| *c == '`' || *c == '~')?;
        let len = trimmed.chars().take_while(|c| *c == marker).count();
        (len >= 3).then(|| Self {
            marker,
            len,
            info: trimmed[len..].trim().to_owned(),
        })
    }

    fn is_closed_by(&self, line: &str) -> bool {
        let trimmed = line.trim();
        let len = trimmed.chars().take_while(|c| *c == self.marker).count();
        len >= self.len && trimmed.chars().all(|c| c == self.marker)
    }

    fn words(&self) -> Vec<&str> {
        self.info
            .split([',', ' ', '\t'])
            .filter(|w| !w.is_empty())
            .collect()
    }
}

/// Les blocs de code d'une page : (clôture ouvrante, lignes du bloc).
fn code_blocks(content: &str) -> Vec<(Fence, Vec<&str>)> {
    let mut blocks = Vec::new();
    let mut open: Option<(Fence, Vec<&str>)> = None;
    for line in content.lines() {
        match open.take() {
            Some((fence, lines)) if fence.is_closed_by(line) => blocks.push((fence, lines)),
            Some((fence, mut lines)) => {
                lines.push(line);
                open = Some((fence, lines));
            }
            None => open = Fence::open(line).map(|fence| (fence, Vec::new())),
        }
    }
    blocks.extend(open);
    blocks
}

/// Chaque bloc de code dit son langage (rustdoc prendrait un bloc sans
/// langage pour du Rust), et un bloc Rust inclus depuis un crate porte
/// `ignore` : compilé seul, sans ses dépendances, il échouerait ; c'est la
/// construction de l'espace de travail qui le compile.
pub fn check_rust_blocks(book: &MDBook, problems: &mut Vec<String>) {
    for (path, content) in pages(book) {
        for (fence, lines) in code_blocks(content) {
            let words = fence.words();
            let Some(language) = words.first() else {
                problems.push(format!(
                    "{} : un bloc de code n'a pas de langage (rustdoc le prendrait pour du \
                     Rust) : écrivez ```text, ```console, ```js…",
                    path.display()
                ));
                continue;
            };
            let included = lines.iter().any(|l| !find_includes(l).is_empty());
            if *language == "rust" && included && !words.contains(&"ignore") {
                problems.push(format!(
                    "{} : le bloc ```{} inclut du code d'un crate ; marquez-le ```rust,ignore \
                     pour que `mdbook test` ne le compile pas sans ses dépendances",
                    path.display(),
                    fence.info
                ));
            }
        }
    }
}

/// La typographie française de la prose : une espace insécable (U+00A0 ou
/// U+202F), et non une espace ordinaire, avant `: ; ! ?` et `»`, après `«`
/// et entre les groupes de chiffres (`1 000`). Le code (blocs et `code` en ligne), les balises HTML, les adresses
/// des liens et les inclusions ne sont pas de la prose : les lignes qu'affiche
/// un programme s'y citent telles quelles.
pub fn check_typography(book: &MDBook, problems: &mut Vec<String>) {
    for (path, content) in pages(book) {
        for (number, line) in lines_outside_code(content) {
            if let Some(excerpt) = ordinary_space_in_prose(line) {
                problems.push(format!(
                    "{}, ligne {} : espace ordinaire là où la typographie française veut une \
                     espace insécable (U+00A0) : « {excerpt} »",
                    path.display(),
                    number + 1
                ));
            }
        }
    }
}

/// Le morceau de prose fautif de `line`, s'il y en a un.
pub fn ordinary_space_in_prose(line: &str) -> Option<String> {
    for segment in prose_segments(line) {
        let chars: Vec<char> = segment.chars().collect();
        for (i, pair) in chars.windows(2).enumerate() {
            // Une ponctuation collée au mot suivant n'est pas du français :
            // `?1` (SQL), `:id`, `![image]`.
            let glued = chars
                .get(i + 2)
                .is_some_and(|c| c.is_alphanumeric() || *c == '[');
            let wrong = match (pair[0], pair[1]) {
                (' ', '!' | ':' | ';' | '?') => !glued,
                (' ', '»') | ('«', ' ') => true,
                // Les milliers : « 1 000 », avec une espace fine insécable.
                (d, ' ') if d.is_ascii_digit() => is_thousands(&chars[i + 2..]),
                _ => false,
            };
            if wrong {
                let from = i.saturating_sub(20);
                let to = (i + 22).min(chars.len());
                return Some(chars[from..to].iter().collect::<String>().trim().to_owned());
            }
        }
    }
    None
}

/// Vrai si `rest` commence par exactement trois chiffres : un groupe de
/// milliers.
fn is_thousands(rest: &[char]) -> bool {
    rest.len() >= 3
        && rest[..3].iter().all(char::is_ascii_digit)
        && rest.get(3).is_none_or(|c| !c.is_ascii_digit())
}

/// Les morceaux de prose d'une ligne de Markdown : tout sauf le code en
/// ligne, les balises HTML, les adresses de liens et les inclusions.
pub fn prose_segments(line: &str) -> Vec<&str> {
    let mut segments = Vec::new();
    let mut rest = line;
    loop {
        let next = [
            rest.find('`'),
            rest.find('<'),
            rest.find("]("),
            rest.find("{{#"),
        ]
        .into_iter()
        .flatten()
        .min();
        let Some(at) = next else {
            segments.push(rest);
            break;
        };
        segments.push(&rest[..at]);
        let protected = &rest[at..];
        let skip = if protected.starts_with('`') {
            let ticks = protected.chars().take_while(|c| *c == '`').count();
            let closing = "`".repeat(ticks);
            protected[ticks..]
                .find(&closing)
                .map_or(protected.len(), |end| ticks + end + ticks)
        } else if protected.starts_with('<') {
            protected.find('>').map_or(protected.len(), |end| end + 1)
        } else if protected.starts_with("](") {
            protected.find(')').map_or(protected.len(), |end| end + 1)
        } else {
            protected.find("}}").map_or(protected.len(), |end| end + 2)
        };
        rest = &protected[skip..];
    }
    segments
}
