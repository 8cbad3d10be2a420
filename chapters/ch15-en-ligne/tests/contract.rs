//! Le contrat du chapitre, vérifié de l'extérieur : le programme est lancé
//! comme un étudiant le lance, avec un PostgreSQL et un Redis jetables
//! (une base neuve par lancement), puis interrogé par de vraies requêtes
//! HTTP et de vrais clients Socket.IO qui joignent leur cookie de session.
//! Les vérifications sont celles de `cargo xtask verify` (crate `checks`).

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contract() {
    checks::assert_chapter("ch15-en-ligne", env!("CARGO_BIN_EXE_ch15-en-ligne")).await;
}
