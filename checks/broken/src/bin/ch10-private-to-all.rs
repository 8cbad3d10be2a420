//! Chapitre 10 cassé : le message privé part à tout le monde
//! (`socket.broadcast()` au lieu de `socket.to(room_of(&recipient))`).
//!
//! Le programme est `chapters/ch10-prive` tel qu'il est, sauf ce
//! qui fait cette erreur : `build.rs` le produit depuis les fichiers du
//! chapitre et les changements rangés dans `build/variants.rs`.

include!(concat!(env!("OUT_DIR"), "/ch10-private-to-all/main.rs"));
