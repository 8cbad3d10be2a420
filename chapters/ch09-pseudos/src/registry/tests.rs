//! Les tests du registre des pseudos (`cargo test -p ch09-pseudos`) : la
//! casse, deux demandes simultanées, l'ordre de la liste. Ils sont à part
//! pour que `registry.rs` ne montre que le registre.

use super::*;

#[test]
fn un_pseudo_pris_l_est_quelle_que_soit_la_casse() {
    let names = Nicknames::default();
    let (a, b) = (Sid::new(), Sid::new());
    assert!(names.claim("Alice", a, |_| true).is_ok());
    assert_eq!(
        names.claim("ALICE", b, |_| true),
        Err(NicknameError::Taken("ALICE".to_owned()))
    );
    assert_eq!(names.release(a), Some("Alice".to_owned()));
    assert!(names.claim("alice", b, |_| true).is_ok());
    assert_eq!(names.release(a), None, "a n'a plus de pseudo");
    assert_eq!(names.of(b), Some("alice".to_owned()));
}

#[test]
fn deux_demandes_simultanees_un_seul_gagnant() {
    let names = std::sync::Arc::new(Nicknames::default());
    let winners: usize = (0..16)
        .map(|i| {
            let names = names.clone();
            std::thread::spawn(move || {
                let pseudo = if i % 2 == 0 { "bob" } else { "BOB" };
                names.claim(pseudo, Sid::new(), |_| true).is_ok()
            })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|t| usize::from(t.join().unwrap_or(false)))
        .sum();
    assert_eq!(winners, 1);
}

#[test]
fn la_liste_est_triee_sans_tenir_compte_des_majuscules() {
    let names = Nicknames::default();
    for pseudo in ["chloé", "Bob", "alice"] {
        assert!(names.claim(pseudo, Sid::new(), |_| true).is_ok());
    }
    assert_eq!(names.online(), ["alice", "Bob", "chloé"]);
}
