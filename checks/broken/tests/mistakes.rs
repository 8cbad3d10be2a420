//! Chaque chapitre cassé échoue à la vérification qui le concerne, avec un
//! message qui nomme l'erreur : la preuve que `cargo xtask verify` et
//! `cargo test` peuvent échouer, et qu'ils disent pourquoi.

use std::path::Path;

use checks::{Ctx, run_check, scenarios::checks_for};

/// Une erreur d'étudiant : le programme cassé, la vérification qui doit
/// échouer, et ce que son message doit dire.
struct Mistake {
    chapter: &'static str,
    binary: &'static str,
    check: &'static str,
    phrase: &'static str,
}

const MISTAKES: &[Mistake] = &[
    Mistake {
        chapter: "ch05-broadcast",
        binary: env!("CARGO_BIN_EXE_ch05-uses-io-emit"),
        check: "broadcast",
        phrase: "l'émetteur a reçu son propre message : avec broadcast, il ne devrait pas",
    },
    Mistake {
        chapter: "ch05-broadcast",
        binary: env!("CARGO_BIN_EXE_ch05-spawned-handler"),
        check: "order",
        phrase: "est arrivé en position",
    },
    Mistake {
        chapter: "ch05-broadcast",
        binary: env!("CARGO_BIN_EXE_ch05-listen-after-await"),
        check: "emit_in_connect",
        phrase: "message: dès la connexion n°0",
    },
    Mistake {
        chapter: "ch06-clients",
        binary: env!("CARGO_BIN_EXE_ch06-no-disconnect"),
        check: "disconnect_count",
        phrase: "« #clients connectés après déconnexion : 2 »",
    },
    Mistake {
        chapter: "ch04-io-emit",
        binary: env!("CARGO_BIN_EXE_ch04-slide-io-emit-msg"),
        check: "io_emit",
        phrase: "il n'a rien reçu",
    },
    Mistake {
        chapter: "ch03-emit",
        binary: env!("CARGO_BIN_EXE_ch03-wrong-event"),
        check: "message_log",
        phrase: "le serveur affiche « message: Bonjour",
    },
    Mistake {
        chapter: "ch03-emit",
        binary: env!("CARGO_BIN_EXE_ch03-silent-data"),
        check: "bad_payload",
        phrase: "un avertissement pour « new message » avec [42]",
    },
    Mistake {
        chapter: "ch07-rooms",
        binary: env!("CARGO_BIN_EXE_ch07-no-room1"),
        check: "rooms_on_connect",
        phrase: "« Rooms de <id> : room1 » à la connexion",
    },
    Mistake {
        chapter: "ch01-static",
        binary: env!("CARGO_BIN_EXE_ch01-own-listener"),
        check: "ready_line",
        phrase: "« Adresse du serveur : http://localhost:<port> »",
    },
    Mistake {
        chapter: "ch08-acks",
        binary: env!("CARGO_BIN_EXE_ch08-no-ack-on-bad-input"),
        check: "ack_bad_payload",
        phrase: "le gestionnaire n'a jamais répondu",
    },
    Mistake {
        chapter: "ch09-pseudos",
        binary: env!("CARGO_BIN_EXE_ch09-case-sensitive-nickname"),
        check: "nickname_refusals",
        phrase: "les pseudos sont comparés en tenant compte des majuscules",
    },
    Mistake {
        chapter: "ch10-prive",
        binary: env!("CARGO_BIN_EXE_ch10-private-to-all"),
        check: "private_delivery",
        phrase: "un message privé n'arrive qu'à son destinataire : il a été envoyé à tous",
    },
    Mistake {
        chapter: "ch11-historique",
        binary: env!("CARGO_BIN_EXE_ch11-no-unique-index"),
        check: "retry_once",
        phrase: "le même clientOffset est accusé deux fois avec le même numéro",
    },
    Mistake {
        chapter: "ch12-cluster",
        binary: env!("CARGO_BIN_EXE_ch12-local-nicknames"),
        check: "cluster_nickname_taken",
        phrase: "est refusée (connect_error)",
    },
    Mistake {
        chapter: "ch12-cluster",
        binary: env!("CARGO_BIN_EXE_ch12-stock-adapter"),
        check: "cluster_slow_receiver",
        phrase: "trop lent",
    },
    Mistake {
        chapter: "ch13-comptes",
        binary: env!("CARGO_BIN_EXE_ch13-any-origin"),
        check: "handshake_session",
        phrase: "depuis la page d'un autre site (Origin)",
    },
    Mistake {
        chapter: "ch14-moderation",
        binary: env!("CARGO_BIN_EXE_ch14-flood-per-tab"),
        check: "flood_limit",
        phrase: "le sixième message en 5",
    },
];

/// Lance la vérification sur le programme cassé ; `None` si elle échoue
/// comme prévu, sinon ce qui ne va pas.
async fn try_mistake(mistake: &Mistake) -> Option<String> {
    let Some(check) = checks_for(mistake.chapter)
        .into_iter()
        .find(|c| c.id == mistake.check)
    else {
        return Some(format!(
            "{} n'a pas de vérification « {} »",
            mistake.chapter, mistake.check
        ));
    };
    let outcome = run_check(check, Ctx::new(mistake.chapter, Path::new(mistake.binary))).await;
    match outcome.result {
        Ok(()) => Some(format!(
            "« {} » aurait dû échouer sur {}",
            mistake.check, mistake.binary
        )),
        // Les espaces insécables du message comptent comme des espaces.
        Err(failure) if plain(&failure.to_string()).contains(mistake.phrase) => None,
        Err(failure) => Some(format!(
            "le message d'échec de « {} » devrait contenir « {} » :\n{failure}",
            mistake.check, mistake.phrase
        )),
    }
}

fn plain(text: &str) -> String {
    text.replace(['\u{a0}', '\u{202f}'], " ")
}

/// Toutes les erreurs sont essayées en même temps : chacune attend en vain
/// une ligne ou un message jusqu'au délai des vérifications.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_mistake_fails_with_a_message_that_names_it() {
    let problems: Vec<String> = futures_util::future::join_all(MISTAKES.iter().map(try_mistake))
        .await
        .into_iter()
        .flatten()
        .collect();
    assert!(problems.is_empty(), "\n{}", problems.join("\n\n"));
}
