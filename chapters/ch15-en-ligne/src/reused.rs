//! Les modules repris tels quels des chapitres précédents : leur code vit
//! une seule fois, dans le chapitre qui l'enseigne, et `#[path]` le lit là
//! où il est (chemins relatifs à ce dossier-ci).
//!
//! `main.rs` les nomme à la racine du crate (`use reused::{…}`) : entre eux,
//! ils se trouvent comme dans leur chapitre, par `crate::session`,
//! `crate::store`… (`store.rs`, lui, est celui de ce chapitre, sur
//! PostgreSQL : mêmes fonctions, autre base).

// Chapitre 12 : le dossier `cluster/`, l'adaptateur et le pilote Redis. Son
// registre des pseudos ne sert pas ici (la présence est dans `presence.rs`).
#[allow(dead_code, unused_imports)]
#[path = "../../ch12-cluster/src/cluster/mod.rs"]
pub mod cluster;
// Les modules repris nomment `crate::SocketRef`, `crate::SocketIo` et
// `crate::AckSender` : ici, ce sont les types de l'adaptateur Redis.
pub use cluster::{ClusterAck as AckSender, ClusterIo as SocketIo, ClusterSocket as SocketRef};

// Chapitre 13 : les comptes, les mots de passe, la session ; `private.rs`
// vient des chapitres 10 et 13. Le frein aux essais, lui, a son propre
// `throttle.rs` ici : il compte dans la base.
#[path = "../../ch13-comptes/src/accounts.rs"]
pub mod accounts;
#[path = "../../ch13-comptes/src/login.rs"]
pub mod login;
#[path = "../../ch13-comptes/src/passwords.rs"]
pub mod passwords;
#[path = "../../ch13-comptes/src/private.rs"]
pub mod private;
#[path = "../../ch13-comptes/src/session.rs"]
pub mod session;

// Chapitre 14 : les règles servent ici, mais pas leur mémoire : silences et
// débit se gardent dans la base (`mutes.rs`, `flood.rs`).
#[allow(dead_code)]
#[path = "../../ch14-moderation/src/moderation.rs"]
pub mod moderation;
