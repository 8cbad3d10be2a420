//! Chapitre 12 cassé : l'adaptateur de socketioxide-redis branché tel
//! quel, comme le montre sa documentation (`CustomRedisAdapter`, ici sur le
//! pilote du cours), au lieu de celui du chapitre, qui remet les messages
//! client par client. Tout semble marcher ; mais un client trop lent sur un
//! processus manque en silence des messages venus d'un autre : personne ne
//! le déconnecte, personne ne le dit.
//!
//! Le programme est `chapters/ch12-cluster` tel qu'il est, sauf ce
//! qui fait cette erreur : `build.rs` le produit depuis les fichiers du
//! chapitre et les changements rangés dans `build/variants.rs`.

include!(concat!(env!("OUT_DIR"), "/ch12-stock-adapter/main.rs"));
