//! Chapitre 9 cassé : le registre range les pseudos tels quels, sans les
//! mettre en minuscules. « ALICE » entre alors que « Alice » est là.
//!
//! Le programme est `chapters/ch09-pseudos` tel qu'il est, sauf ce
//! qui fait cette erreur : `build.rs` le produit depuis les fichiers du
//! chapitre et les changements rangés dans `build/variants.rs`.

include!(concat!(
    env!("OUT_DIR"),
    "/ch09-case-sensitive-nickname/main.rs"
));
