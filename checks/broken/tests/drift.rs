//! Les variantes cassées ne dérivent pas de leur chapitre : `build.rs` les
//! produit depuis les fichiers du chapitre, tels qu'ils sont, et leurs
//! seuls changements (`build/variants.rs`). Un changement qui ne s'applique
//! plus arrête la compilation, avec la variante, le fichier et le texte qui
//! manque ; ces tests vérifient cette mécanique (`build/derive.rs`), et que
//! nul binaire de `src/bin/` n'est une copie qui échapperait à la règle.

#[path = "../build/derive.rs"]
mod derive;
#[path = "../build/variants.rs"]
mod variants;

use std::path::{Path, PathBuf};

use derive::{Change, Miss, Variant, derive, replace_once};
use variants::VARIANTS;

fn root() -> PathBuf {
    derive::normalize(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."))
}

#[test]
fn a_change_is_found_whatever_the_spaces_and_the_comment_lines() {
    let chapter = "fn main() {\n    socket\n        // Tout le monde, sauf lui.\n        .broadcast()\n        .emit(\"new message\", &msg);\n}\n";
    let broken = replace_once(
        chapter,
        "socket.broadcast().emit(\"new message\", &msg)",
        "io.emit(\"new message\", &msg)",
    );
    assert_eq!(
        broken.as_deref(),
        Ok("fn main() {\n    io.emit(\"new message\", &msg);\n}\n")
    );
}

#[test]
fn a_text_absent_repeated_or_empty_is_refused() {
    let chapter = "a(1);\nb(2);\na(1);\n";
    assert_eq!(replace_once(chapter, "c(3);", ""), Err(Miss::Absent));
    assert_eq!(replace_once(chapter, "a(1);", ""), Err(Miss::Repeated(2)));
    assert_eq!(replace_once(chapter, " // rien\n", ""), Err(Miss::Empty));
    assert_eq!(
        replace_once(chapter, "b( 2 );", "").as_deref(),
        Ok("a(1);\n\na(1);\n")
    );
}

/// L'erreur que donne la compilation quand le chapitre a changé : la
/// variante, le fichier, le texte qui manque, et où le corriger.
#[test]
fn a_text_the_chapter_no_longer_has_names_the_variant_the_file_and_the_text() {
    let variant = Variant {
        name: "ch05-essai",
        chapter: "ch05-broadcast",
        changes: &[Change {
            file: "src/main.rs",
            from: "socket.broadcast().emit(\"nouveau message\", &msg)",
            to: "",
        }],
    };
    let error = derive(&root(), &variant, Path::new("/nulle/part")).expect_err("le texte manque");
    for expected in [
        "variante ch05-essai",
        "chapters/ch05-broadcast/src/main.rs ne contient plus",
        "«\u{a0}socket.broadcast().emit(\"nouveau message\", &msg)\u{a0}»",
        "checks/broken/build/variants.rs",
    ] {
        assert!(
            error.contains(expected),
            "« {expected} » manque dans\u{a0}: {error}"
        );
    }
}

/// Un fichier changé qu'aucun module du chapitre ne déclare : son
/// changement ne sert plus, c'est une erreur.
#[test]
fn a_changed_file_the_chapter_no_longer_uses_is_an_error() {
    let variant = Variant {
        name: "ch10-essai",
        chapter: "ch10-prive",
        changes: &[Change {
            file: "../ch09-pseudos/src/main.rs",
            from: "mod presence;",
            to: "",
        }],
    };
    let error = derive(&root(), &variant, Path::new("/nulle/part")).expect_err("inutile");
    assert!(
        error.contains(
            "chapters/ch09-pseudos/src/main.rs n'est plus un module de chapters/ch10-prive"
        ),
        "{error}"
    );
}

/// Les modules inchangés sont lus dans le chapitre ; le fichier changé est
/// une copie, sans les tests du chapitre (ils testent ce que la variante
/// casse).
#[test]
fn unchanged_modules_are_read_in_the_chapter_and_changed_ones_copied() {
    let root = root();
    let variant = VARIANTS
        .iter()
        .find(|v| v.name == "ch09-case-sensitive-nickname")
        .expect("la variante du chapitre 9");
    let out = Path::new("/sortie/ch09-case-sensitive-nickname");
    let files = derive(&root, variant, out).expect("la variante se produit");
    let main = &files[&out.join("main.rs")];
    let presence = root.join("chapters/ch09-pseudos/src/presence.rs");
    let copy = out.join("ch09-pseudos/src/registry.rs");
    assert!(
        main.contains(&format!(
            "#[path = {:?}]\nmod presence;",
            presence.to_string_lossy()
        )),
        "{main}"
    );
    assert!(
        main.contains(&format!(
            "#[path = {:?}]\nmod registry;",
            copy.to_string_lossy()
        )),
        "{main}"
    );
    assert!(
        !main.contains("//!"),
        "include! refuse l'en-tête //!\u{a0}: {main}"
    );
    let registry = &files[&copy];
    assert!(registry.contains("let key = pseudo.trim().to_owned();"));
    assert!(!registry.contains("mod tests;"), "{registry}");
    assert_eq!(files.len(), 2, "{:?}", files.keys());
}

/// Chaque binaire de `src/bin/` est une variante de `build/variants.rs`,
/// qui inclut son `main.rs` produit (une copie écrite à la main dériverait
/// sans bruit), et chacune a sa vérification dans `tests/mistakes.rs`.
#[test]
fn every_binary_is_a_derived_variant_with_its_mistake() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mistakes =
        std::fs::read_to_string(manifest.join("tests/mistakes.rs")).expect("tests/mistakes.rs");
    let mut problems = Vec::new();
    let mut seen = Vec::new();
    for entry in std::fs::read_dir(manifest.join("src/bin"))
        .expect("src/bin")
        .flatten()
    {
        let path = entry.path();
        let file = entry.file_name().to_string_lossy().into_owned();
        let Some(name) = file.strip_suffix(".rs").filter(|_| path.is_file()) else {
            problems.push(format!(
                "src/bin/{file}\u{a0}: une variante tient en un fichier, qui inclut son main.rs produit"
            ));
            continue;
        };
        // Sans espaces : rustfmt coupe la ligne d'un nom long.
        let text: String = std::fs::read_to_string(&path)
            .unwrap_or_default()
            .split_whitespace()
            .collect();
        let include = format!("include!(concat!(env!(\"OUT_DIR\"),\"/{name}/main.rs\"));");
        if !VARIANTS.iter().any(|v| v.name == name) {
            problems.push(format!(
                "src/bin/{file}\u{a0}: aucune variante {name} dans build/variants.rs"
            ));
        } else if !text.contains(&include) {
            problems.push(format!(
                "src/bin/{file} n'inclut pas la variante produite (OUT_DIR/{name}/main.rs)"
            ));
        }
        if !mistakes.contains(&format!("CARGO_BIN_EXE_{name}\"")) {
            problems.push(format!(
                "src/bin/{file} n'a pas sa vérification dans tests/mistakes.rs"
            ));
        }
        seen.push(name.to_owned());
    }
    for variant in VARIANTS {
        if !seen.iter().any(|s| s == variant.name) {
            problems.push(format!(
                "la variante {0} n'a pas de src/bin/{0}.rs",
                variant.name
            ));
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}
