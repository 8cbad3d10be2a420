//! Chapitre 3 cassé : le serveur écoute `new-message` alors que la page
//! émet `new message`. Rien ne s'affiche.
//!
//! Le programme est `chapters/ch03-emit` tel qu'il est, sauf ce
//! qui fait cette erreur : `build.rs` le produit depuis les fichiers du
//! chapitre et les changements rangés dans `build/variants.rs`.

include!(concat!(env!("OUT_DIR"), "/ch03-wrong-event/main.rs"));
