//! Chapitre 1 cassé : il lie lui-même son port (`TcpListener::bind`) au lieu
//! de `support::listen`, et annonce son adresse à sa façon : la ligne
//! attendue, « Adresse du serveur : http://localhost:<port> », n'est jamais
//! écrite.
//!
//! Le programme est `chapters/ch01-static` tel qu'il est, sauf ce
//! qui fait cette erreur : `build.rs` le produit depuis les fichiers du
//! chapitre et les changements rangés dans `build/variants.rs`.

include!(concat!(env!("OUT_DIR"), "/ch01-own-listener/main.rs"));
