//! Chapitre 8 cassé : l'extracteur `Text` (au lieu de `Checked<Text>`)
//! refuse une donnée invalide en sautant le gestionnaire… et l'accusé de
//! réception avec lui. Le client qui attend sa réponse reste bloqué jusqu'au
//! délai.
//!
//! Le programme est `chapters/ch08-acks` tel qu'il est, sauf ce
//! qui fait cette erreur : `build.rs` le produit depuis les fichiers du
//! chapitre et les changements rangés dans `build/variants.rs`.

include!(concat!(
    env!("OUT_DIR"),
    "/ch08-no-ack-on-bad-input/main.rs"
));
