//! Chapitre 3 cassé : `Data<String>` au lieu de `Text`. Une donnée qui
//! n'est pas un texte disparaît sans un mot dans le terminal.
//!
//! Le programme est `chapters/ch03-emit` tel qu'il est, sauf ce
//! qui fait cette erreur : `build.rs` le produit depuis les fichiers du
//! chapitre et les changements rangés dans `build/variants.rs`.

include!(concat!(env!("OUT_DIR"), "/ch03-silent-data/main.rs"));
