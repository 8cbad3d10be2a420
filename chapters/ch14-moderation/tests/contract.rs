//! Le contrat du chapitre, vérifié de l'extérieur : les vérifications du
//! chapitre 13 (comptes, sessions, onglets), plus celles de la modération
//! (`/admin`, exclure, réduire au silence, limites). Ce sont celles de
//! `cargo xtask verify` (crate `checks`).

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contract() {
    checks::assert_chapter("ch14-moderation", env!("CARGO_BIN_EXE_ch14-moderation")).await;
}
