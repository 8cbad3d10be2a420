//! # Les vérifications des exercices
//!
//! Chaque chapitre du livre finit par un exercice ; chacun a son propre
//! crate, `exercices/exNN-…/`, une copie du serveur du chapitre où
//! l'étudiant travaille, créée depuis le chapitre par la première commande
//! `cargo xtask exercices` (elle n'est pas dans git). [`EXERCISES`] les
//! liste dans l'ordre du cours, avec leurs vérifications : les mêmes
//! clients et les mêmes messages d'échec que pour les chapitres, lancés par
//! `cargo xtask exercices`.
//!
//! Une vérification d'exercice doit échouer sur le crate tel qu'il est
//! donné et passer avec la solution (`exercices/solutions/…`) : le test
//! `every_starter_fails_and_every_solution_passes` de `xtask-chapters` le
//! prouve pour chacune.

mod multi;
mod single;

use crate::Check;

/// `text` avec des espaces ordinaires à la place des espaces insécables :
/// pour comparer une ligne ou un message écrit par l'étudiant (qui tape
/// « Dossier servi : » avec une espace ordinaire, ou insécable) à celle
/// qu'attend une vérification.
pub(crate) fn plain(text: &str) -> String {
    text.replace(['\u{a0}', '\u{202f}'], " ")
}

/// Où va un commentaire `TODO` dans le fichier du chapitre : avant ou
/// après la première ligne qui contient le dernier texte donné, cherché à
/// partir de la ligne qui contient le précédent (`&["\"join\"",
/// "print_rooms"]` : le premier `print_rooms` après `"join"`).
#[derive(Debug, Clone, Copy)]
pub enum Place {
    Before(&'static [&'static str]),
    After(&'static [&'static str]),
}

/// Un commentaire `// TODO (exercice N) : …` de l'exercice tel qu'il est
/// donné, posé avec l'indentation de la ligne qu'il désigne.
#[derive(Debug, Clone, Copy)]
pub struct Todo {
    /// Le fichier, sous `src/` (`main.rs`, ou l'un de [`Exercise::files`]).
    pub file: &'static str,
    pub place: Place,
    /// Le texte, après « TODO (exercice N) : ».
    pub text: &'static str,
}

/// Un exercice : son crate, son chapitre, son énoncé et ses vérifications.
///
/// Les fichiers donnés à l'étudiant ne sont écrits nulle part à la main :
/// `xtask-chapters` les produit depuis ceux du chapitre, l'énoncé
/// ([`Exercise::statement`]) en tête de `main.rs` et les [`Exercise::todos`]
/// à leur place (à la première commande `cargo xtask exercices`, et par
/// `--recommencer`).
#[derive(Debug, Clone, Copy)]
pub struct Exercise {
    /// Le nom du crate et de son dossier (`ex05-auteur`).
    pub id: &'static str,
    /// Le chapitre dont il copie le serveur.
    pub chapter: &'static str,
    /// Ce qu'il demande, en une phrase.
    pub summary: &'static str,
    /// L'indice propre à l'exercice, quand la section « Exercice » du livre
    /// n'en donne pas pour lui ; vide : `cargo xtask exercices --indice` lit
    /// celui du livre.
    pub hint: &'static str,
    /// L'énoncé, en tête du `main.rs` donné, en un paragraphe (le
    /// générateur le coupe en lignes).
    pub statement: &'static str,
    /// Les fichiers du chapitre donnés à l'étudiant en plus de `main.rs`
    /// (`presence.rs`) ; les autres modules sont lus dans le chapitre
    /// (`#[path]`).
    pub files: &'static [&'static str],
    pub todos: &'static [Todo],
    pub checks: fn() -> Vec<Check>,
}

impl Exercise {
    /// « ex05 ».
    pub fn short(&self) -> &'static str {
        &self.id[..4]
    }

    /// Le numéro de l'exercice (5 pour `ex05-auteur`).
    pub fn number(&self) -> u8 {
        self.id.get(2..4).and_then(|n| n.parse().ok()).unwrap_or(0)
    }
}

macro_rules! check {
    ($path:path, $id:ident, $description:expr) => {
        Check {
            id: stringify!($id),
            description: $description,
            run: |ctx| Box::pin($path(ctx)),
            limit: crate::CHECK_LIMIT,
        }
    };
}

/// Les exercices, dans l'ordre du cours.
pub const EXERCISES: [Exercise; 15] = [
    Exercise {
        id: "ex01-dossier",
        chapter: "ch01-static",
        summary: "afficher « Dossier servi : <dossier> » avant la ligne « Adresse du serveur »",
        hint: "",
        statement: "Faites afficher au serveur, juste avant la ligne « Adresse du serveur », le dossier qu'il sert : `Dossier servi : /chemin/absolu/client/ch01-static`.",
        files: &[],
        todos: &[Todo {
            file: "main.rs",
            place: Place::Before(&["// `app.listen("]),
            text: "afficher « Dossier servi : <dossier> » ici, avant la ligne « Adresse du serveur ».",
        }],
        checks: || {
            vec![
                check!(
                    single::folder_line,
                    folder_line,
                    "Avant « Adresse du serveur », le serveur affiche « Dossier servi : <chemin absolu de client/ch01-static> »"
                ),
                check!(
                    single::page_served,
                    page_served,
                    "GET / renvoie toujours la page du chat"
                ),
            ]
        },
    },
    Exercise {
        id: "ex02-identifiant",
        chapter: "ch02-connect",
        summary: "afficher « Son ID : <identifiant> » après chaque connexion",
        hint: "",
        statement: "Après « Un client vient de se connecter », faites afficher une deuxième ligne `Son ID : <identifiant du client>`.",
        files: &[],
        todos: &[Todo {
            file: "main.rs",
            place: Place::After(&["println!(\"Un client vient de se connecter\");"]),
            text: "afficher « Son ID : <identifiant> ».",
        }],
        checks: || {
            vec![check!(
                single::id_line,
                id_line,
                "Après chaque « Un client vient de se connecter », une ligne « Son ID : <identifiant> », un identifiant différent par client"
            )]
        },
    },
    Exercise {
        id: "ex03-longueur",
        chapter: "ch03-emit",
        summary: "afficher la longueur de chaque message en caractères et en octets",
        hint: "",
        statement: "Après la ligne `message: …`, faites afficher la longueur du message : `4 caractères, 5 octets` pour « café », `1 caractère, 2 octets` pour « é ».",
        files: &[],
        todos: &[Todo {
            file: "main.rs",
            place: Place::After(&["println!(\"message: {msg}\");"]),
            text: "afficher « 4 caractères, 5 octets » pour « café ».",
        }],
        checks: || {
            vec![check!(
                single::length_line,
                length_line,
                "Après « message: café », la ligne « 4 caractères, 5 octets » ; après « message: é », « 1 caractère, 2 octets »"
            )]
        },
    },
    Exercise {
        id: "ex04-accuse",
        chapter: "ch04-io-emit",
        summary: "renvoyer « (bien reçu par le serveur) » à l'émetteur seul",
        hint: "",
        statement: "En plus de la diffusion à tous, renvoyez à l'émetteur seul le message « (bien reçu par le serveur) ».",
        files: &[],
        todos: &[Todo {
            file: "main.rs",
            place: Place::After(&["io.emit(\"new message\", &msg)"]),
            text: "envoyer « (bien reçu par le serveur) » à l'émetteur seul.",
        }],
        checks: || {
            vec![check!(
                multi::sender_notice,
                sender_notice,
                "L'émetteur reçoit son message et « (bien reçu par le serveur) » ; les autres onglets, le message seul"
            )]
        },
    },
    Exercise {
        id: "ex05-auteur",
        chapter: "ch05-broadcast",
        summary: "diffuser « <identifiant de l'émetteur> : <texte> » aux autres",
        hint: "",
        statement: "Faites précéder chaque message diffusé de l'identifiant de son émetteur : les autres reçoivent `<identifiant> : <texte>`.",
        files: &[],
        todos: &[Todo {
            file: "main.rs",
            place: Place::Before(&["socket.broadcast().emit(\"new message\""]),
            text: "diffuser « <identifiant> : <texte> ».",
        }],
        checks: || {
            vec![check!(
                multi::author_prefix,
                author_prefix,
                "Les autres onglets reçoivent « <identifiant> : <texte> », le même identifiant pour un même émetteur ; l'émetteur ne reçoit rien ; le terminal garde « message: <texte> »"
            )]
        },
    },
    Exercise {
        id: "ex06-depart",
        chapter: "ch06-clients",
        summary: "envoyer « Un client est parti » à ceux qui restent",
        hint: "",
        statement: "Quand un client part, envoyez à ceux qui restent le message « Un client est parti ».",
        files: &[],
        todos: &[Todo {
            file: "main.rs",
            place: Place::After(&["après déconnexion"]),
            text: "envoyer « Un client est parti » à ceux qui restent.",
        }],
        checks: || {
            vec![check!(
                multi::leave_notice,
                leave_notice,
                "Quand un client part, chacun des autres reçoit « Un client est parti » (une fois), et le compte des clients reste juste"
            )]
        },
    },
    Exercise {
        id: "ex07-entree",
        chapter: "ch07-rooms",
        summary: "prévenir les membres d'un salon de l'arrivée d'un client",
        hint: "",
        statement: "Quand un client entre dans un salon, prévenez les autres membres de ce salon : (salon, « Un client vient d'entrer »), rien pour celui qui entre.",
        files: &[],
        todos: &[Todo {
            file: "main.rs",
            place: Place::After(&["\"join\"", "print_rooms(&socket);"]),
            text: "prévenir les autres membres du salon avec (salon, « Un client vient d'entrer »).",
        }],
        checks: || {
            vec![check!(
                multi::join_notice,
                join_notice,
                "Quand un client entre dans room2, ses autres membres reçoivent (\"room2\", \"Un client vient d'entrer\") ; celui qui entre et les autres clients, rien"
            )]
        },
    },
    Exercise {
        id: "ex08-destinataires",
        chapter: "ch08-acks",
        summary: "ajouter à l'accusé le nombre de destinataires : { \"id\": n, \"to\": 2 }",
        hint: "",
        statement: "Ajoutez à l'accusé le nombre de clients à qui le message a été relayé : `{ \"id\": 3, \"to\": 2 }`.",
        files: &[],
        todos: &[Todo {
            file: "main.rs",
            place: Place::Before(&["ack.send(&json!({ \"id\": id })"]),
            text: "ajouter « to », le nombre de clients à qui le message a été relayé.",
        }],
        checks: || {
            vec![check!(
                multi::ack_recipients,
                ack_recipients,
                "L'accusé est { \"id\": n, \"to\": <nombre de clients qui ont reçu le message> } : 0 quand l'émetteur est seul, 2 avec deux autres onglets"
            )]
        },
    },
    Exercise {
        id: "ex09-reserves",
        chapter: "ch09-pseudos",
        summary: "réserver les pseudos « admin » et « serveur », quelle que soit leur casse",
        hint: "",
        statement: "Réservez les pseudos « admin » et « serveur », quelle que soit leur casse : le travail est dans `src/presence.rs`.",
        files: &["presence.rs"],
        todos: &[Todo {
            file: "presence.rs",
            place: Place::Before(&["support::nickname_from_auth("]),
            text: "refuser « admin » et « serveur », quelle que soit leur casse, avec « Le pseudo « Admin » est réservé. », avant `claim`.",
        }],
        checks: || {
            vec![check!(
                single::reserved_nicknames,
                reserved_nicknames,
                "« Admin », « serveur » ou « SERVEUR » sont refusés avec « Le pseudo « … » est réservé. » et une ligne « Connexion refusée : … » ; « Alice » et « administrateur » sont acceptés"
            )]
        },
    },
    Exercise {
        id: "ex10-qui",
        chapter: "ch10-prive",
        summary: "la commande « /qui », qui répond à son auteur seul la liste des pseudos en ligne",
        hint: "",
        statement: "La commande `/qui` : un message « /qui » n'est pas relayé ; son auteur seul reçoit `{ \"from\": \"serveur\", \"text\": \"En ligne : Alice, Bob\" }` (la liste « online », séparée par des virgules).",
        files: &[],
        todos: &[Todo {
            file: "main.rs",
            place: Place::Before(&["println!(\"message: {msg}\");"]),
            text: "« /qui » ne part pas aux autres ; son auteur seul reçoit { \"from\": \"serveur\", \"text\": \"En ligne : Alice, Bob\" }.",
        }],
        checks: || {
            vec![check!(
                multi::who_command,
                who_command,
                "« /qui » n'est pas relayé ; son auteur seul reçoit { \"from\": \"serveur\", \"text\": \"En ligne : <pseudos triés, séparés par des virgules>\" } ; un message ordinaire part toujours aux autres"
            )]
        },
    },
    Exercise {
        id: "ex11-plus-anciens",
        chapter: "ch11-historique",
        summary: "l'évènement « history » : les 20 messages d'avant un numéro, pour un bouton « Messages plus anciens »",
        hint: "",
        statement: "Ajoutez l'évènement `history` : le client envoie un numéro `before` (`socket.emitWithAck('history', 26)`), le serveur répond par l'accusé avec les 20 messages qui précèdent ce numéro, du plus ancien au plus récent, chacun comme `[texte, numéro]` : de quoi faire un bouton « Messages plus anciens ».",
        files: &["store.rs"],
        todos: &[Todo {
            file: "main.rs",
            place: Place::Before(&["history::catch_up("]),
            text: "écouter « history » (un numéro `before`) et répondre par l'accusé avec les 20 messages d'avant, dans l'ordre.",
        }],
        checks: || {
            vec![check!(
                single::older_messages,
                older_messages,
                "« history » avec un numéro : l'accusé rend les 20 messages d'avant (ou moins), du plus ancien au plus récent, comme [texte, numéro]"
            )]
        },
    },
    Exercise {
        id: "ex12-qui-partout",
        chapter: "ch12-cluster",
        summary: "la commande « /qui » sur plusieurs processus : la liste couvre tout le chat, pas seulement ce processus",
        hint: "",
        statement: "La commande `/qui`, comme à l'exercice 10, mais sur plusieurs processus : un message « /qui » n'est pas relayé ; son auteur seul reçoit `{ \"from\": \"serveur\", \"text\": \"En ligne : Alice, Bob\" }`, la liste de *tout* le chat, quel que soit le processus de chacun. Le travail est dans `src/messages.rs` (et un mot dans `src/presence.rs`). Redis est requis, comme pour le chapitre.",
        files: &["messages.rs", "presence.rs"],
        todos: &[Todo {
            file: "messages.rs",
            place: Place::Before(&["println!(\"message: {msg}\");"]),
            text: "« /qui » ne part pas aux autres ; son auteur seul reçoit { \"from\": \"serveur\", \"text\": \"En ligne : Alice, Bob\" }, la liste de tout le chat.",
        }],
        checks: || {
            vec![check!(
                multi::who_everywhere,
                who_everywhere,
                "Alice sur un processus, Bob sur l'autre : « /qui » n'est pas relayé ; Alice seule reçoit { \"from\": \"serveur\", \"text\": \"En ligne : Alice, bob\" }"
            )]
        },
    },
    Exercise {
        id: "ex13-en-ligne",
        chapter: "ch13-comptes",
        summary: "la route GET /api/online : la liste « online » en JSON pour un compte connecté, 401 sinon",
        hint: "",
        statement: "Ajoutez la route `GET /api/online` : avec une session valable, 200 et la liste « online » en JSON (`[\"Alice\",\"Bob\"]`, chaque compte une fois, triée comme celle de Socket.IO) ; sans session, 401 et `{ \"error\": <phrase en français> }`, comme `GET /api/me`.",
        files: &[],
        todos: &[Todo {
            file: "main.rs",
            place: Place::Before(&["// Les routes des comptes"]),
            text: "la route GET /api/online.",
        }],
        checks: || {
            vec![check!(
                crate::scenarios::accounts::online_route,
                online_route,
                "GET /api/online : sans session, 401 et { \"error\" } ; avec, [\"Alice\",\"bob\"] (chaque compte une fois, trié), puis [\"Alice\"] après le départ de bob"
            )]
        },
    },
    Exercise {
        id: "ex14-moderateurs",
        chapter: "ch14-moderation",
        summary: "les modérateurs échappent à la limite de débit, pas à celle de longueur",
        hint: "",
        statement: "Les modérateurs échappent à la limite de débit : un modérateur peut envoyer plus de 5 messages en 5 s (pour répondre à une salle entière), mais reste soumis à la limite de longueur et, comme les autres, ses messages trop longs sont refusés. Le travail est dans `src/messages.rs`.",
        files: &["messages.rs"],
        todos: &[Todo {
            file: "messages.rs",
            place: Place::Before(&["let checked = msg"]),
            text: "un modérateur n'est pas soumis à la limite de débit (mais l'est à celle de longueur).",
        }],
        checks: || {
            vec![check!(
                crate::scenarios::moderation::moderators_unlimited,
                moderators_unlimited,
                "Un modérateur envoie 8 messages en moins de 5 s : tous passent ; 1 001 caractères restent refusés ; Bob reste limité à 5"
            )]
        },
    },
    Exercise {
        id: "ex15-qui-en-ligne",
        chapter: "ch15-en-ligne",
        summary: "la route GET /api/online : { \"online\": [pseudos] } de tout le chat pour une personne connectée, 401 sinon",
        hint: "",
        statement: "Ajoutez la route `GET /api/online` : pour une personne connectée (cookie de session valable), 200 et `{ \"online\": [pseudos] }`, la liste « En ligne » de tout le chat ; sans session valable, 401 et `{ \"error\": <phrase en français> }`.",
        files: &[],
        todos: &[Todo {
            file: "main.rs",
            place: Place::Before(&["let app = web::routes("]),
            text: "la route GET /api/online, pour une personne connectée.",
        }],
        checks: || {
            vec![check!(
                crate::scenarios::online::online_everywhere,
                online_everywhere,
                "Deux processus : GET /api/online sans session, 401 et { \"error\" } ; Alice sur A, bob sur B : A répond { \"online\": [\"Alice\",\"bob\"] }, puis [\"Alice\"] après le départ de bob"
            )]
        },
    },
];

/// Retrouve un exercice d'après « ex05 », « ex05-auteur », « 5 » ou « 05 ».
pub fn find_exercise(name: &str) -> Option<&'static Exercise> {
    let name = name.trim().trim_end_matches('/');
    let name = name.rsplit('/').next().unwrap_or(name);
    let number = name
        .strip_prefix("ex")
        .unwrap_or(name)
        .parse::<u8>()
        .ok()
        .filter(|_| !name.is_empty());
    EXERCISES
        .iter()
        .find(|exercise| exercise.id == name || number == Some(exercise.number()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exercises_are_found_by_name_or_number() {
        for name in ["ex05", "ex05-auteur", "5", "05", "exercices/ex05-auteur/"] {
            assert_eq!(find_exercise(name).map(|e| e.id), Some("ex05-auteur"));
        }
        assert!(find_exercise("ex42").is_none());
        assert!(find_exercise("").is_none());
    }

    #[test]
    fn every_exercise_has_checks_and_a_known_chapter() {
        for (i, exercise) in EXERCISES.iter().enumerate() {
            assert_eq!(usize::from(exercise.number()), i + 1, "{}", exercise.id);
            assert!(!(exercise.checks)().is_empty(), "{}", exercise.id);
            assert!(
                crate::CHAPTERS.contains(&exercise.chapter),
                "{}",
                exercise.id
            );
        }
    }
}
