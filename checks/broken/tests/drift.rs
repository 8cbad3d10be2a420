//! Les variantes cassées qui reprennent les fichiers d'un chapitre (son
//! `main.rs`, et le module où elles mettent leur erreur) n'en diffèrent que
//! par l'erreur qu'elles montrent : un changement fait au chapitre doit y
//! être reporté, sinon elles prouvent quelque chose sur un chapitre qui
//! n'existe plus.

use std::path::{Path, PathBuf};

/// Un fichier d'une variante cassée : son chemin sous
/// `checks/broken/src/bin/`, le fichier du chapitre qu'il reprend (sous
/// `chapters/`), et ses seules différences (texte de la variante → texte du
/// chapitre, écrits sans espaces : rustfmt peut couper une ligne autrement).
struct Derived {
    broken: &'static str,
    chapter: &'static str,
    changes: &'static [(&'static str, &'static str)],
}

const DERIVED: &[Derived] = &[
    Derived {
        broken: "ch13-any-origin.rs",
        chapter: "ch13-comptes/src/main.rs",
        changes: &[],
    },
    // Le chapitre 14 cassé : son `main.rs` est celui du chapitre, l'erreur
    // est dans sa copie de `messages.rs`.
    Derived {
        broken: "ch14-flood-per-tab/main.rs",
        chapter: "ch14-moderation/src/main.rs",
        changes: &[],
    },
    Derived {
        broken: "ch14-flood-per-tab/messages.rs",
        chapter: "ch14-moderation/src/messages.rs",
        changes: &[
            (
                ".and_then(|Text(msg)|{chat.moderation.allow(&socket.id.to_string(),&msg).map(|()|msg)});",
                ".and_then(|Text(msg)|chat.moderation.allow(&account.key,&msg).map(|()|msg));",
            ),
            (
                "chat.moderation.allow(&socket.id.to_string(),text)",
                "chat.moderation.allow(&account.key,text)",
            ),
        ],
    },
];

fn root() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.join("../..")
}

/// Le code sans commentaires ni espaces : pour un `main.rs`, à partir de
/// `use std::process::ExitCode;` (les déclarations de modules, qui
/// diffèrent par leurs chemins, restent avant) ; pour un autre module, tout
/// son code.
fn body(text: &str) -> String {
    let start = text.find("use std::process::ExitCode;").unwrap_or(0);
    text[start..]
        .lines()
        .map(str::trim)
        .filter(|l| !l.starts_with("//"))
        .flat_map(str::chars)
        .filter(|c| !c.is_whitespace())
        .collect()
}

#[test]
fn broken_variants_follow_their_chapter() {
    let mut problems = Vec::new();
    for derived in DERIVED {
        let read = |p: PathBuf| std::fs::read_to_string(&p).unwrap_or_default();
        let mut broken = body(&read(
            root().join("checks/broken/src/bin").join(derived.broken),
        ));
        for (from, to) in derived.changes {
            assert!(
                broken.contains(from),
                "{} ne contient plus « {from} » : l'erreur qu'elle montre a changé",
                derived.broken
            );
            broken = broken.replace(from, to);
        }
        let chapter = body(&read(root().join("chapters").join(derived.chapter)));
        if broken.is_empty() || broken != chapter {
            problems.push(format!(
                "checks/broken/src/bin/{} ne reprend plus chapters/{}\u{a0}: reportez-y le \
                 changement du chapitre",
                derived.broken, derived.chapter
            ));
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

/// Une variante en dossier (`ch14-flood-per-tab/`) : chacun de ses fichiers
/// est comparé au chapitre, sinon une copie de plus y dériverait sans bruit.
#[test]
fn every_file_of_a_variant_folder_is_compared() {
    let mut missing = Vec::new();
    let folders = DERIVED.iter().filter_map(|d| d.broken.split_once('/'));
    for (folder, _) in folders {
        let dir = root().join("checks/broken/src/bin").join(folder);
        let entries = std::fs::read_dir(&dir).expect("le dossier de la variante");
        for entry in entries.flatten() {
            let file = format!("{folder}/{}", entry.file_name().to_string_lossy());
            if !DERIVED.iter().any(|d| d.broken == file) && !missing.contains(&file) {
                missing.push(file);
            }
        }
    }
    assert!(
        missing.is_empty(),
        "fichiers de variantes comparés à aucun fichier de chapitre (ajoutez-les à DERIVED)\u{a0}: {}",
        missing.join(", ")
    );
}
