//! Chapitre 13 cassé : la poignée de main ne vérifie plus `Origin`. Une
//! page d'un autre site, ouverte dans le même navigateur, peut ouvrir une
//! connexion au nom de l'utilisateur (son cookie part avec la poignée de
//! main).
//!
//! Le programme est `chapters/ch13-comptes` tel qu'il est, sauf ce
//! qui fait cette erreur : `build.rs` le produit depuis les fichiers du
//! chapitre et les changements rangés dans `build/variants.rs`.

include!(concat!(env!("OUT_DIR"), "/ch13-any-origin/main.rs"));
