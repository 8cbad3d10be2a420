//! Chapitre 5 avec une attente (`.await`) avant `socket.on` : un message
//! que le client émet dès la confirmation de connexion arrive pendant cette
//! attente. Personne ne l'écoute encore, et il est perdu sans un mot : la
//! règle « les `socket.on` avant tout `.await` » (chapitre 3) n'est pas une
//! affaire de style.
//!
//! Le programme est `chapters/ch05-broadcast` tel qu'il est, sauf ce
//! qui fait cette erreur : `build.rs` le produit depuis les fichiers du
//! chapitre et les changements rangés dans `build/variants.rs`.

include!(concat!(env!("OUT_DIR"), "/ch05-listen-after-await/main.rs"));
