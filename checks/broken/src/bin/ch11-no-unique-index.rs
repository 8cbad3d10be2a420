//! Chapitre 11 cassé : la table n'a pas d'index unique sur
//! `client_offset`, et l'insertion ne vérifie rien. Un message renvoyé par
//! le client (`retries`, accusé perdu) est enregistré et envoyé une
//! deuxième fois, sous un nouveau numéro.
//!
//! Le programme est `chapters/ch11-historique` tel qu'il est, sauf ce
//! qui fait cette erreur : `build.rs` le produit depuis les fichiers du
//! chapitre et les changements rangés dans `build/variants.rs`.

include!(concat!(env!("OUT_DIR"), "/ch11-no-unique-index/main.rs"));
