//! Chapitre 5 sans `in_order` autour du gestionnaire des messages :
//! socketioxide lance chaque message dans sa propre tâche, et deux tâches
//! d'un même client peuvent s'exécuter sur deux cœurs à la fois. Les
//! messages d'un client se doublent en route.
//!
//! Le programme est `chapters/ch05-broadcast` tel qu'il est, sauf ce
//! qui fait cette erreur : `build.rs` le produit depuis les fichiers du
//! chapitre et les changements rangés dans `build/variants.rs`.

include!(concat!(env!("OUT_DIR"), "/ch05-spawned-handler/main.rs"));
