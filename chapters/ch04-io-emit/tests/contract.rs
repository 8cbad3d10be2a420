//! Le contrat du chapitre (`book/src/annexe-contrat.md`), vérifié de l'extérieur :
//! le programme est lancé comme un étudiant le lance, puis interrogé par de
//! vrais clients Socket.IO et des requêtes HTTP. Les vérifications sont
//! celles de `cargo xtask verify` (crate `checks`).

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contract() {
    checks::assert_chapter("ch04-io-emit", env!("CARGO_BIN_EXE_ch04-io-emit")).await;
}
