//! Les sections « Ce qui a changé » : un diff lisible entre un chapitre et le
//! précédent, calculé à partir des fichiers eux-mêmes à chaque construction du
//! livre. Personne ne le tape, il ne peut donc pas mentir.
//!
//! Pour le chapitre `chNN-nom`, le fichier `book/generated/chNN-nom.diff.md`
//! compare au chapitre dont il part : le précédent, sauf si son `Cargo.toml`
//! en nomme un autre (`[package.metadata.cours]`, `base = "ch05-broadcast"` :
//! la deuxième partie repart parfois d'un chapitre plus ancien). Il compare :
//! - le code du serveur montré dans le livre (l'ancre `all` de `main.rs`) ;
//! - chaque fichier du dossier `client/` du chapitre (page HTML, script).
//!
//! Les lignes d'ancre (`ANCHOR:` / `ANCHOR_END:`) sont retirées : elles ne
//! servent qu'au livre.

use std::collections::BTreeSet;
use std::fs;

use similar::TextDiff;

use super::Layout;

/// Écrit un fichier de diff par chapitre (sauf le premier, qui n'a pas de
/// prédécesseur) et efface ceux des chapitres qui n'existent plus.
pub fn generate(layout: &Layout, crates: &[String]) -> Result<(), String> {
    let dir = layout.generated();
    fs::create_dir_all(&dir)
        .map_err(|e| format!("impossible de créer le dossier {} : {e}", dir.display()))?;

    let mut written = BTreeSet::new();
    for pair in crates.windows(2) {
        let [previous, current] = pair else {
            continue;
        };
        let previous = base_of(layout, current, crates).unwrap_or_else(|| previous.clone());
        let text = chapter_diff(layout, &previous, current);
        let name = format!("{current}.diff.md");
        let path = dir.join(&name);
        if fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            fs::write(&path, &text)
                .map_err(|e| format!("impossible d'écrire {} : {e}", path.display()))?;
        }
        written.insert(name);
    }

    if let Ok(entries) = fs::read_dir(&dir) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.ends_with(".diff.md") && !written.contains(&name) {
                fs::remove_file(entry.path()).map_err(|e| {
                    format!("impossible d'effacer {} : {e}", entry.path().display())
                })?;
            }
        }
    }
    Ok(())
}

/// Le chapitre dont part `current`, s'il le nomme dans son `Cargo.toml`
/// (`base = "…"` dans `[package.metadata.cours]`) et qu'il existe.
pub fn base_of(layout: &Layout, current: &str, crates: &[String]) -> Option<String> {
    let base = cours_metadata(layout, current, "base")?;
    crates.iter().find(|c| **c == base).cloned()
}

/// Le dossier de `client/` que sert `chapter` : le sien, ou celui que
/// nomme son `Cargo.toml` (`client = "…"`, le chapitre 12 garde la page du 9).
fn client_of(layout: &Layout, chapter: &str) -> String {
    cours_metadata(layout, chapter, "client").unwrap_or_else(|| chapter.to_owned())
}

/// La valeur de `key` dans la section `[package.metadata.cours]` du
/// `Cargo.toml` de `chapter`.
fn cours_metadata(layout: &Layout, chapter: &str, key: &str) -> Option<String> {
    let manifest = fs::read_to_string(layout.chapters.join(chapter).join("Cargo.toml")).ok()?;
    let mut in_section = false;
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            in_section = line == "[package.metadata.cours]";
        } else if in_section
            && let Some(value) = line.strip_prefix(key)
            && let Some(value) = value.trim_start().strip_prefix('=')
        {
            return Some(value.trim().trim_matches('"').to_owned());
        }
    }
    None
}

/// Le Markdown qui décrit ce qui change de `previous` à `current`.
pub fn chapter_diff(layout: &Layout, previous: &str, current: &str) -> String {
    let mut out = String::from(
        "<!-- Généré par `cargo xtask book` à partir des fichiers des chapitres : ne pas modifier à la main. -->\n\n",
    );

    let server = |name: &str| {
        let path = layout.chapters.join(name).join("src").join("main.rs");
        fs::read_to_string(path)
            .ok()
            .map(|text| shown_code(&text, "all"))
    };
    section(
        &mut out,
        "Serveur",
        &format!("chapters/{current}/src/main.rs"),
        &format!("chapters/{previous}/src/main.rs"),
        &format!("chapters/{current}/src/main.rs"),
        server(previous),
        server(current),
    );

    let (previous_client, current_client) =
        (client_of(layout, previous), client_of(layout, current));
    let mut files = BTreeSet::new();
    for name in [&previous_client, &current_client] {
        if let Ok(entries) = fs::read_dir(layout.client.join(name)) {
            for entry in entries.flatten() {
                if entry.path().is_file() {
                    files.insert(entry.file_name().to_string_lossy().into_owned());
                }
            }
        }
    }
    // La page d'abord, puis les scripts : l'ordre dans lequel on les lit.
    let mut files: Vec<String> = files.into_iter().collect();
    files.sort_by_key(|f| (!f.ends_with(".html"), f.clone()));
    for file in files {
        let read = |name: &str| {
            fs::read_to_string(layout.client.join(name).join(&file))
                .ok()
                .map(|text| without_anchors(&text))
        };
        let label = if file.ends_with(".html") {
            "Page"
        } else {
            "Script du client"
        };
        section(
            &mut out,
            label,
            &format!("client/{current_client}/{file}"),
            &format!("client/{previous_client}/{file}"),
            &format!("client/{current_client}/{file}"),
            read(&previous_client),
            read(&current_client),
        );
    }
    out
}

fn section(
    out: &mut String,
    label: &str,
    shown: &str,
    old_name: &str,
    new_name: &str,
    old: Option<String>,
    new: Option<String>,
) {
    match (old, new) {
        (None, None) => {}
        (Some(_), None) => {
            out.push_str(&format!(
                "**{label}** (`{shown}`)\u{a0}: fichier supprimé.\n\n"
            ));
        }
        (old, Some(new)) if old.as_deref() == Some(new.as_str()) => {
            out.push_str(&format!(
                "**{label}** (`{shown}`)\u{a0}: aucun changement.\n\n"
            ));
        }
        (old, Some(new)) => {
            let created = old.is_none();
            let old = old.unwrap_or_default();
            let diff = TextDiff::from_lines(old.as_str(), new.as_str());
            let old_header = if created {
                "(nouveau fichier)"
            } else {
                old_name
            };
            let mut unified = diff
                .unified_diff()
                .context_radius(3)
                .header(old_header, new_name)
                .to_string();
            if !unified.ends_with('\n') {
                unified.push('\n');
            }
            let note = if created { ", nouveau fichier" } else { "" };
            out.push_str(&format!(
                "**{label}** (`{shown}`{note})\u{a0}:\n\n```diff\n{unified}```\n\n"
            ));
        }
    }
}

/// Les lignes que le livre montre : celles de l'ancre `anchor` si elle
/// existe, tout le fichier sinon ; sans les lignes d'ancre.
fn shown_code(text: &str, anchor: &str) -> String {
    let start = format!("ANCHOR: {anchor}");
    let end = format!("ANCHOR_END: {anchor}");
    let lines: Vec<&str> = text.lines().collect();
    let from = lines.iter().position(|l| l.contains(&start));
    let to = lines.iter().rposition(|l| l.contains(&end));
    let region = match (from, to) {
        (Some(from), Some(to)) if from < to => &lines[from + 1..to],
        _ => &lines[..],
    };
    without_anchors(&region.join("\n"))
}

fn without_anchors(text: &str) -> String {
    let mut kept = String::new();
    for line in text.lines() {
        if !line.contains("ANCHOR:") && !line.contains("ANCHOR_END:") {
            kept.push_str(line);
            kept.push('\n');
        }
    }
    kept
}
