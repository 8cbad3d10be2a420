//! Les déclarations de modules d'un fichier Rust, lues ligne à ligne : le
//! nom d'un `mod x;`, le chemin d'un `#[path = "…"]`, et un chemin sans ses
//! `..`. Sans dépendance, pour être inclus par `#[path]` là où l'on produit
//! du code depuis un chapitre : les variantes cassées (`derive.rs`) et les
//! exercices (`xtask/chapters/src/exercises/starter.rs`).

use std::path::{Component, Path, PathBuf};

/// `x` pour une ligne `mod x;`, `pub mod x;` ou `pub(crate) mod x;` (sans
/// indentation : une déclaration dans un bloc `mod y { … }` n'est pas lue).
pub fn module_name(line: &str) -> Option<&str> {
    let line = line
        .strip_prefix("pub(crate) ")
        .or_else(|| line.strip_prefix("pub(super) "))
        .or_else(|| line.strip_prefix("pub "))
        .unwrap_or(line);
    line.strip_prefix("mod ")?.strip_suffix(';')
}

/// Le chemin d'une ligne `#[path = "…"]`.
pub fn path_attribute(line: &str) -> Option<&str> {
    line.trim().strip_prefix("#[path = \"")?.strip_suffix("\"]")
}

/// `a/b/../c` → `a/c`.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}
