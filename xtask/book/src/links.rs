//! Les liens internes du livre construit : chaque `href` et chaque `src`
//! relatifs des pages HTML mènent à un fichier du livre et, s'ils visent une
//! ancre (`page.html#section`), à un `id` qui existe dans cette page.
//!
//! On vérifie le HTML produit plutôt que le Markdown : c'est ce que le
//! lecteur clique, après les inclusions et la réécriture des liens `.md`.

use std::collections::{BTreeSet, HashMap};
use std::fs;
use std::path::{Component, Path, PathBuf};

/// Ajoute à `problems` un message par lien cassé.
pub fn check(build_dir: &Path, problems: &mut Vec<String>) {
    let pages = crate::walk::files(build_dir, "html");
    let mut ids: HashMap<PathBuf, BTreeSet<String>> = HashMap::new();
    let mut seen = BTreeSet::new();

    for page in &pages {
        let relative = page.strip_prefix(build_dir).unwrap_or(page);
        // `print.html` reprend toutes les pages (ses liens sont déjà vérifiés
        // page par page) ; `404.html` est servie depuis n'importe quelle
        // adresse, avec une base absolue.
        if relative == Path::new("print.html") || relative == Path::new("404.html") {
            continue;
        }
        let Ok(html) = fs::read_to_string(page) else {
            continue;
        };
        let source = markdown_name(relative);
        for link in attribute_values(&html, &["href", "src"]) {
            if let Some(problem) = check_link(build_dir, page, &link, &mut ids) {
                let message = format!("{source} : {problem}");
                if seen.insert(message.clone()) {
                    problems.push(message);
                }
            }
        }
    }
}

/// Le nom de la page Markdown dont vient une page HTML, pour les messages.
fn markdown_name(html: &Path) -> String {
    let shown = html.with_extension("md");
    shown.display().to_string()
}

/// Les valeurs des attributs nommés, lues dans les balises seulement : le
/// texte d'un bloc de code (`&lt;script src="…"&gt;`) n'est pas un lien, ni
/// le contenu d'un `<script>` ou d'un `<style>`.
pub fn attribute_values(html: &str, names: &[&str]) -> Vec<String> {
    let mut values = Vec::new();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        rest = &rest[open..];
        if let Some(comment) = rest.strip_prefix("<!--") {
            rest = comment.find("-->").map_or("", |end| &comment[end + 3..]);
            continue;
        }
        let Some(len) = tag_length(rest) else {
            break;
        };
        let tag = &rest[1..len - 1];
        rest = &rest[len..];
        let name: String = tag
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        for (attribute, value) in attributes(tag) {
            if names.contains(&attribute.as_str()) {
                values.push(decode_entities(&value));
            }
        }
        if name == "script" || name == "style" {
            let closing = format!("</{name}");
            rest = rest.find(&closing).map_or("", |end| &rest[end..]);
        }
    }
    values
}

/// La longueur d'une balise qui commence `text` (de `<` à `>` inclus), les
/// `>` entre guillemets ne comptant pas.
fn tag_length(text: &str) -> Option<usize> {
    let mut quote = None;
    for (at, c) in text.char_indices().skip(1) {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '>') => return Some(at + 1),
            (None, _) => {}
        }
    }
    None
}

/// Les attributs `nom="valeur"` (ou entre apostrophes) d'une balise.
fn attributes(tag: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut rest = tag;
    while let Some(eq) = rest.find('=') {
        let name: String = rest[..eq]
            .trim_end()
            .rsplit(|c: char| c.is_whitespace())
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        let after = rest[eq + 1..].trim_start();
        let Some(quote) = after.chars().next().filter(|c| *c == '"' || *c == '\'') else {
            rest = &rest[eq + 1..];
            continue;
        };
        let Some(len) = after[1..].find(quote) else {
            break;
        };
        found.push((name, after[1..1 + len].to_owned()));
        rest = &after[1 + len + 1..];
    }
    found
}

fn decode_entities(value: &str) -> String {
    value
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let (Some(high), Some(low)) = (hex(bytes.get(i + 1)), hex(bytes.get(i + 2)))
        {
            out.push(high * 16 + low);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(byte: Option<&u8>) -> Option<u8> {
    let digit = char::from(*byte?).to_digit(16)?;
    u8::try_from(digit).ok()
}

fn is_external(link: &str) -> bool {
    let lower = link.to_ascii_lowercase();
    lower.starts_with("//")
        || lower.contains("{{")
        || ["http:", "https:", "mailto:", "data:", "javascript:", "tel:"]
            .iter()
            .any(|scheme| lower.starts_with(scheme))
}

fn check_link(
    build_dir: &Path,
    page: &Path,
    link: &str,
    ids: &mut HashMap<PathBuf, BTreeSet<String>>,
) -> Option<String> {
    if link.is_empty() || is_external(link) {
        return None;
    }
    let (path_part, fragment) = match link.split_once('#') {
        Some((path, fragment)) => (path, Some(fragment)),
        None => (link, None),
    };
    let path_part = path_part.split('?').next().unwrap_or_default();

    let target = if path_part.is_empty() {
        page.to_path_buf()
    } else {
        let decoded = percent_decode(path_part);
        let base = if decoded.starts_with('/') {
            build_dir.to_path_buf()
        } else {
            page.parent().unwrap_or(build_dir).to_path_buf()
        };
        match normalize(&base.join(decoded.trim_start_matches('/'))) {
            Some(target) if target.starts_with(build_dir) => target,
            _ => return Some(format!("le lien « {link} » sort du livre")),
        }
    };
    let target = if target.is_dir() {
        target.join("index.html")
    } else {
        target
    };
    if !target.is_file() {
        return Some(format!(
            "le lien « {link} » mène à un fichier qui n'existe pas dans le livre"
        ));
    }

    let fragment = fragment.map(percent_decode).unwrap_or_default();
    if fragment.is_empty() || target.extension().is_none_or(|e| e != "html") {
        return None;
    }
    let known = ids.entry(target.clone()).or_insert_with(|| {
        fs::read_to_string(&target)
            .map(|html| attribute_values(&html, &["id"]).into_iter().collect())
            .unwrap_or_default()
    });
    if known.contains(&fragment) {
        None
    } else {
        let shown = target.strip_prefix(build_dir).unwrap_or(&target);
        Some(format!(
            "le lien « {link} » vise l'ancre « #{fragment} », qui n'existe pas dans {}",
            markdown_name(shown)
        ))
    }
}

/// Résout `.` et `..` sans toucher au disque ; `None` si le chemin remonte
/// au-delà de sa racine.
fn normalize(path: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    Some(out)
}
