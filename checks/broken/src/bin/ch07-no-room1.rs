//! Chapitre 7 qui oublie `socket.join("room1")` à la connexion.
//!
//! Le programme est `chapters/ch07-rooms` tel qu'il est, sauf ce
//! qui fait cette erreur : `build.rs` le produit depuis les fichiers du
//! chapitre et les changements rangés dans `build/variants.rs`.

include!(concat!(env!("OUT_DIR"), "/ch07-no-room1/main.rs"));
