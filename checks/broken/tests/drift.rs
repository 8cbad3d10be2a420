//! Les variantes cassées qui reprennent le `main.rs` d'un chapitre n'en
//! diffèrent que par l'erreur qu'elles montrent : un changement fait au
//! chapitre doit y être reporté, sinon elles prouvent quelque chose sur un
//! chapitre qui n'existe plus.

use std::path::{Path, PathBuf};

/// Une variante cassée : son fichier, le chapitre qu'elle reprend, et ses
/// seules différences (texte de la variante → texte du chapitre, écrits
/// sans espaces : rustfmt peut couper une ligne autrement).
struct Derived {
    broken: &'static str,
    chapter: &'static str,
    changes: &'static [(&'static str, &'static str)],
}

const DERIVED: &[Derived] = &[
    Derived {
        broken: "ch13-any-origin.rs",
        chapter: "ch13-comptes",
        changes: &[],
    },
    Derived {
        broken: "ch14-flood-per-tab.rs",
        chapter: "ch14-moderation",
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

/// Le code à partir de `use std::process::ExitCode;` (les déclarations
/// de modules, qui diffèrent par leurs chemins, restent avant), sans
/// commentaires ni espaces.
fn body(text: &str) -> String {
    let start = text
        .find("use std::process::ExitCode;")
        .unwrap_or(text.len());
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
        let chapter = body(&read(
            root()
                .join("chapters")
                .join(derived.chapter)
                .join("src/main.rs"),
        ));
        if broken.is_empty() || broken != chapter {
            problems.push(format!(
                "checks/broken/src/bin/{} ne reprend plus chapters/{}/src/main.rs : reportez-y \
                 le changement du chapitre",
                derived.broken, derived.chapter
            ));
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}
