//! Produit chaque variante cassée depuis son chapitre (`build/variants.rs`,
//! `build/derive.rs`) dans `OUT_DIR/<variante>/`. Une variante dont un
//! changement ne s'applique plus reçoit à la place un `main.rs` fait d'un
//! `compile_error!` : son binaire ne compile pas, et l'erreur dit la
//! variante, le fichier et le texte qui manque.

#[path = "build/derive.rs"]
mod derive;
#[path = "build/variants.rs"]
mod variants;

use std::path::{Path, PathBuf};

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let root = derive::normalize(&manifest.join("../.."));
    let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default());
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=build");
    println!(
        "cargo::rerun-if-changed={}",
        root.join("chapters").display()
    );
    for variant in variants::VARIANTS {
        let dir = out.join(variant.name);
        let files = derive::derive(&root, variant, &dir).unwrap_or_else(|why| {
            let main = format!("compile_error!({why:?});\nfn main() {{}}\n");
            [(dir.join("main.rs"), main)].into_iter().collect()
        });
        if let Err(e) = write(&dir, &files) {
            println!("cargo::error=variante {}\u{a0}: {e}", variant.name);
        }
    }
}

/// Remplace le dossier `dir` par `files`.
fn write(dir: &Path, files: &derive::Files) -> std::io::Result<()> {
    if dir.exists() {
        std::fs::remove_dir_all(dir)?;
    }
    for (path, text) in files {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, text)?;
    }
    Ok(())
}
