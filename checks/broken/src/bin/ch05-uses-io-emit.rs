//! Chapitre 5 où `socket.broadcast().emit` est devenu `io.emit` :
//! l'émetteur reçoit son propre message.
//!
//! Le programme est `chapters/ch05-broadcast` tel qu'il est, sauf ce
//! qui fait cette erreur : `build.rs` le produit depuis les fichiers du
//! chapitre et les changements rangés dans `build/variants.rs`.

include!(concat!(env!("OUT_DIR"), "/ch05-uses-io-emit/main.rs"));
