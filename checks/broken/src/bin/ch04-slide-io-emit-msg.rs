//! Chapitre 4 tel que l'écrit le diaporama : `io.emit(msg)`. Le message
//! devient le *nom* de l'évènement ; la page, qui écoute `new message`, ne
//! reçoit rien.
//!
//! Le programme est `chapters/ch04-io-emit` tel qu'il est, sauf ce
//! qui fait cette erreur : `build.rs` le produit depuis les fichiers du
//! chapitre et les changements rangés dans `build/variants.rs`.

include!(concat!(env!("OUT_DIR"), "/ch04-slide-io-emit-msg/main.rs"));
