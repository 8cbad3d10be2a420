//! Chapitre 14 cassé : la limite de débit compte par onglet (`socket.id`)
//! au lieu de compter par compte. Avec deux onglets, on écrit deux fois
//! plus.
//!
//! Le programme est `chapters/ch14-moderation` tel qu'il est, sauf ce
//! qui fait cette erreur : `build.rs` le produit depuis les fichiers du
//! chapitre et les changements rangés dans `build/variants.rs`.

include!(concat!(env!("OUT_DIR"), "/ch14-flood-per-tab/main.rs"));
