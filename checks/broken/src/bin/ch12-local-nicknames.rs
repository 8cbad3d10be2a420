//! Chapitre 12 cassé : l'étudiant branche bien l'adaptateur Redis, mais
//! garde le registre des pseudos du chapitre 9, en mémoire. Chaque
//! processus n'y voit que ses propres clients : « Alice », prise sur le
//! port 3000, est acceptée sur le port 3001.
//!
//! Le programme est `chapters/ch12-cluster` tel qu'il est, sauf ce
//! qui fait cette erreur : `build.rs` le produit depuis les fichiers du
//! chapitre et les changements rangés dans `build/variants.rs`.

include!(concat!(env!("OUT_DIR"), "/ch12-local-nicknames/main.rs"));
