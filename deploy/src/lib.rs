//! # Le déploiement, essayé pour de vrai
//!
//! Les fichiers de `deploy/` (les sites nginx de `deploy/nginx/`, les
//! services de `deploy/systemd/`) sont ceux que montre l'annexe « Mettre en
//! ligne » du livre. Les tests de ce crate (`deploy/tests/`) lancent le
//! vrai nginx (celui de Debian, `/usr/sbin/nginx`) avec les sites, lus sur
//! le disque, devant les programmes des chapitres (les services systemd,
//! eux, ne sont pas lancés : il y faudrait un systemd) :
//!
//! - `chat.rs` : `chat.conf` devant le chapitre 5, en WebSocket et en
//!   long-polling ;
//! - `cluster.rs` : `chat-cluster.conf` devant deux processus du
//!   chapitre 12 et un vrai Redis, avec et sans `ip_hash` ;
//! - `https.rs` : `chat-en-ligne.conf` devant deux processus du
//!   chapitre 15 (PostgreSQL et Redis réels) : la redirection du port 80,
//!   puis HTTPS de bout en bout (`/health`, le cookie `Secure`, `Origin`,
//!   la mise à niveau WebSocket) ;
//! - `failover.rs` : le même fichier, côté exploitation : le chat à
//!   travers nginx, `/health`, `/metrics` réservé à la machine, puis la
//!   reprise par l'autre processus quand l'un meurt.
//!
//! Sans nginx (ou sans PostgreSQL, Redis, selon le test), un test n'est pas
//! lancé, et un message bien visible le dit ; en CI (variable `CI`), c'est
//! une erreur. Le harnais est celui de tous les tests : le crate `checks`
//! (le lancement d'un programme et sa ligne « prêt », nginx, PostgreSQL,
//! Redis, les clients Socket.IO).
//!
//! Ce crate ne contient pas de code à lui : ce fichier n'est que sa
//! documentation.
//!
//! ## Les programmes des chapitres
//!
//! Un test d'intégration ne peut pas lancer `cargo build -p ch15-en-ligne`
//! lui-même : le `cargo test` qui l'a lancé tient le verrou du dossier
//! `target/`, et le second cargo l'attendrait sans fin. Un autre dossier
//! `target/` recompilerait toutes les dépendances (sqlx, socketioxide…), et
//! cargo stable ne sait pas dépendre de l'exécutable d'un autre crate
//! (les « artifact dependencies » sont encore instables).
//!
//! Alors `Cargo.toml` déclare trois exécutables, `deploy-ch05`,
//! `deploy-ch12` et `deploy-ch15`, dont le `path` est le `src/main.rs` du
//! chapitre, avec les dépendances de ces chapitres. Le code vit une seule
//! fois, dans son chapitre ; il est compilé une seconde fois ici (le
//! chapitre seul : ses dépendances sont déjà compilées pour lui), et
//! `cargo test -p deploy` donne à ses tests le chemin de chacun par
//! `CARGO_BIN_EXE_deploy-chNN`. Ce que cela ne change pas :
//!
//! - le dossier `client/` que sert un chapitre : `support::client_dir` le
//!   trouve d'après l'emplacement du crate `support`, pas celui du crate
//!   qui compile le chapitre ;
//! - les modules repris par `#[path]` (le chapitre 15 reprend ceux des
//!   chapitres 12 à 14) : un chemin relatif au fichier qui le déclare ;
//! - `CARGO_CRATE_NAME`, que le journal du chapitre 15 (`logs.rs`) compare
//!   au module de chaque évènement : il vaut ici `deploy_ch15` des deux
//!   côtés ;
//! - les noms : `deploy-chNN` n'entre en collision avec aucun exécutable
//!   du dépôt, et `cargo xtask book` (qui compte les lignes des fichiers
//!   sous `chapters/`) ne voit pas ce crate.
