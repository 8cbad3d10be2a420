//! Les tests des morceaux du dossier qui se vérifient sans Redis : l'adresse
//! (`connect.rs`) et le guetteur des processus disparus (`upkeep.rs`). Le
//! reste, avec de vrais processus et un vrai Redis, est vérifié par
//! `cargo xtask verify ch12`.

use std::collections::HashSet;

use socketioxide_core::Sid;

use super::connect::with_resp3;
use super::roster::Entry;
use super::upkeep::Watch;

#[test]
fn l_adresse_demande_resp3_une_seule_fois() {
    assert_eq!(
        with_resp3("redis://127.0.0.1:6379"),
        "redis://127.0.0.1:6379?protocol=resp3"
    );
    assert_eq!(
        with_resp3("redis://h:1/0?db=1"),
        "redis://h:1/0?db=1&protocol=resp3"
    );
    assert_eq!(
        with_resp3("redis://h?protocol=resp3"),
        "redis://h?protocol=resp3"
    );
}

fn entry(server: &str, pseudo: &str) -> Entry {
    Entry {
        server: server.to_owned(),
        sid: Sid::new(),
        pseudo: pseudo.to_owned(),
    }
}

#[test]
fn un_processus_disparu_deux_tours_de_suite_sort_ses_clients_une_fois() {
    let mut watch = Watch::default();
    let both: HashSet<String> = ["A".to_owned(), "B".to_owned()].into();
    let only_a: HashSet<String> = ["A".to_owned()].into();
    let entries = || vec![entry("A", "bob"), entry("B", "Alice"), entry("A", "chloé")];
    assert_eq!(watch.update(&both, entries()), None);
    // Absent une fois : peut-être une reconnexion à Redis.
    assert_eq!(watch.update(&only_a, entries()), None);
    assert_eq!(
        watch.update(&only_a, entries()),
        Some(vec!["bob".to_owned(), "chloé".to_owned()])
    );
    // Déjà dit : pas de nouvelle liste.
    assert_eq!(watch.update(&only_a, entries()), None);
}

#[test]
fn un_processus_revenu_apres_un_tour_ne_fait_rien() {
    let mut watch = Watch::default();
    let both: HashSet<String> = ["A".to_owned(), "B".to_owned()].into();
    let only_a: HashSet<String> = ["A".to_owned()].into();
    let entries = || vec![entry("A", "bob"), entry("B", "Alice")];
    assert_eq!(watch.update(&only_a, entries()), None);
    assert_eq!(watch.update(&both, entries()), None);
    assert_eq!(watch.update(&both, entries()), None);
}
