//! Chapitre 6 sans le gestionnaire `on_disconnect` : rien n'est affiché
//! quand un client part, et le compteur ne redescend jamais.
//!
//! Le programme est `chapters/ch06-clients` tel qu'il est, sauf ce
//! qui fait cette erreur : `build.rs` le produit depuis les fichiers du
//! chapitre et les changements rangés dans `build/variants.rs`.

include!(concat!(env!("OUT_DIR"), "/ch06-no-disconnect/main.rs"));
