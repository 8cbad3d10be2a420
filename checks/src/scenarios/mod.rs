//! Les vérifications elles-mêmes : le « Pour tester » du cours, plus ce que
//! promet le contrat des chapitres (`book/src/annexe-contrat.md` : mauvaises
//! données, ordre des messages, arrêt propre…). Un module par thème :
//!
//! - [`serving`] : la page et les fichiers statiques (tous les chapitres) ;
//! - [`lifecycle`] : démarrer, refuser un mauvais réglage, s'arrêter ;
//! - [`socket`] : la connexion Socket.IO et les messages reçus par le serveur ;
//! - [`delivery`] : qui reçoit quoi, dans quel ordre, sans rien perdre ;
//! - [`clients`] (chapitre 6) et [`rooms`] (chapitre 7) ;
//! - [`acks`] : les accusés de réception (chapitres 8 à 10) ;
//! - [`pseudos`] : les pseudos et la présence (chapitres 9 et 10) ;
//! - [`private`] : les messages privés et « en train d'écrire » (chapitre 10) ;
//! - [`history`] : l'historique dans SQLite (chapitre 11) ;
//! - [`cluster`] : plusieurs processus sur un même Redis (chapitre 12) ;
//! - [`accounts`] et [`moderation`] : les comptes (chapitres 13 à 15) et
//!   la modération (chapitres 14 et 15) ;
//! - [`online`] : le chat en ligne, sur PostgreSQL et Redis (chapitre 15).
//!
//! [`checks_for`] dit lesquelles s'appliquent à un chapitre ; les fonctions
//! de [`common`] disent ce qui change d'un chapitre à l'autre.

pub(crate) mod accounts;
mod acks;
mod clients;
mod cluster;
mod common;
mod delivery;
mod history;
mod lifecycle;
mod logs;
pub(crate) mod moderation;
pub(crate) mod online;
mod private;
mod pseudos;
mod rooms;
mod serving;
mod socket;

use serde_json::json;

use crate::Check;
use accounts::*;
use acks::*;
use clients::*;
use cluster::*;
pub(crate) use common::*;
use delivery::*;
use history::*;
use lifecycle::*;
use logs::*;
use moderation::*;
use online::*;
use private::*;
use pseudos::*;
use rooms::*;
use serving::*;
use socket::*;

macro_rules! check {
    ($id:ident, $description:expr) => {
        check!($id, $description, crate::CHECK_LIMIT)
    };
    ($id:ident, $description:expr, $limit:expr) => {
        Check {
            id: stringify!($id),
            description: $description,
            run: |ctx| Box::pin($id(ctx)),
            limit: $limit,
        }
    };
}

/// Les vérifications qui s'appliquent à un chapitre, dans l'ordre du cours.
pub fn checks_for(chapter: &str) -> Vec<Check> {
    let n = crate::chapter_number(chapter);
    let mut checks = vec![
        check!(
            ready_line,
            "Le serveur démarre et affiche « Adresse du serveur : http://localhost:<port> » avec le vrai port"
        ),
        check!(
            index_page,
            "GET / renvoie la page du chat : titre « Socket.io », liste #messages, formulaire #form avec #input et le bouton « Envoyer »"
        ),
        check!(
            static_files,
            "Le dossier client est servi tel qu'il est sur le disque : une modification se voit sans recompiler, et le navigateur revalide sa copie (Cache-Control: no-cache) au lieu de garder la page d'un autre chapitre"
        ),
        check!(not_found, "Une adresse inconnue répond 404"),
        check!(
            no_traversal,
            "Aucun fichier hors du dossier client n'est servi (/../Cargo.toml et ses variantes encodées)"
        ),
        check!(
            port_taken,
            "Port déjà pris : une phrase claire en français, qui propose PORT=…, et un code de sortie non nul, sans avoir rien créé (pas de base de données)"
        ),
        check!(
            bad_settings,
            "PORT ou HOST invalide : une phrase claire en français et un code de sortie non nul, sans panique"
        ),
    ];
    // Envoyer un signal à un autre programme n'existe que sous Unix.
    if cfg!(unix) {
        checks.push(check!(
            graceful_stop,
            if matches!(n, 11 | 13 | 14) {
                "Ctrl+C ou SIGTERM ferme les connexions, puis la base (plus de fichier -wal), et le programme se termine avec le code 0"
            } else {
                "Ctrl+C ou SIGTERM ferme les connexions et le programme se termine avec le code 0"
            }
        ));
    }
    if n >= 2 {
        checks.extend([
            check!(client_bundle, "GET /socket.io/socket.io.js renvoie le client JavaScript officiel de Socket.IO 4.x"),
            check!(connect_log, "Chaque onglet qui se connecte (WebSocket ou long-polling) fait afficher « Un client vient de se connecter »"),
        ]);
    }
    if n >= 3 {
        checks.extend([
            check!(message_log, "Un message envoyé par le formulaire s'affiche dans le terminal : « message: <texte> »"),
            check!(bad_payload, "Un « new message » qui n'est pas un texte (nombre, objet, tableau, rien), ou dont le texte contient un caractère de contrôle (séquence ANSI, retour à la ligne), est ignoré avec un avertissement qui ne l'écrit pas ; son auteur reste connecté"),
            check!(oversized, "Un message plus gros que la limite (1 Mo) déconnecte son auteur ; les autres clients et le serveur continuent"),
        ]);
    }
    match n {
        4 | 11 | 15.. => checks.push(check!(io_emit, "Un message envoyé depuis un onglet s'affiche dans tous les onglets, y compris celui de l'émetteur")),
        5 | 6 | 8..=10 | 12..=14 => checks.push(check!(broadcast, "Un message envoyé depuis un onglet s'affiche dans tous les autres onglets, mais pas dans celui de l'émetteur")),
        _ => {}
    }
    if n >= 4 {
        checks.extend([
            check!(order, "1 000 messages envoyés d'affilée arrivent tous, une seule fois chacun, dans l'ordre d'envoi"),
            check!(many_clients, "200 clients connectés en même temps reçoivent chacun le message"),
            check!(emit_in_connect, "Un message émis dès la connexion (dans le rappel « connect » du client) n'est pas perdu"),
            check!(client_leaves, "Un client qui part (onglet fermé, ou tué sans fermer) ne fait rien perdre aux autres"),
        ]);
        checks.push(check!(slow_receiver, "Un client trop lent ne manque jamais un message en silence : il est déconnecté et le serveur le dit ; les autres reçoivent tout", crate::LONG_CHECK_LIMIT));
    }
    if matches!(n, 8..=10 | 12..) {
        checks.extend([
            check!(ack_ids, "L'accusé de réception d'un message est { \"id\": n } : 1 pour le premier, puis un de plus par message relayé, avec ou sans accusé"),
            check!(ack_bad_payload, "Une donnée invalide avec accusé : rien n'est relayé, un avertissement, et l'accusé répond { \"error\": <phrase en français> }"),
            check!(ack_order, "1 000 messages avec accusé : numéros strictement croissants, et les autres reçoivent tout dans l'ordre, même quand un autre client parle en même temps"),
        ]);
    }
    if matches!(n, 9 | 10 | 12) {
        checks.extend([
            check!(nickname_refusals, "Un pseudo absent, qui n'est pas un texte, vide, de plus de 32 caractères, avec un caractère de contrôle ou invisible (U+0007, U+200B) ou déjà pris (même en majuscules, en lettres pleine chasse ou avec un accent à part) est refusé avant la connexion, avec une phrase en français et une ligne dans le terminal"),
            check!(presence_join, "À l'arrivée : « <pseudo> vient de se connecter (<id>) », « user joined » aux autres, puis « online » à tous, trié sans tenir compte des majuscules"),
            check!(presence_leave, "Au départ : « <pseudo> s'est déconnecté », « user left » puis « online » aux autres, et le pseudo est libre aussitôt"),
            check!(message_author, "Un message part aux autres avec son auteur : { from, text }"),
            check!(nickname_race, "Dix onglets demandent le même pseudo au même instant : un seul l'obtient"),
            check!(nickname_freed, "Un onglet tué ou gelé (battement de cœur sans réponse) libère son pseudo et sort de la liste « online »"),
            check!(stop_says_who_leaves, "Ctrl+C ou SIGTERM : chaque client connecté part comme s'il fermait son onglet (« <pseudo> s'est déconnecté ») avant la fin du programme"),
        ]);
    }
    if n >= 13 {
        checks.extend([
            check!(presence_join, "À l'arrivée : « <pseudo> vient de se connecter (<id>) », « user joined » aux autres, puis « online » à tous, trié sans tenir compte des majuscules"),
            check!(presence_leave, "Au départ : « <pseudo> s'est déconnecté », « user left » puis « online » aux autres, et le compte peut revenir aussitôt"),
            if n >= 15 {
                check!(message_author, "Un message part à tous avec son auteur et son numéro : ({ from, text }, id)")
            } else {
                check!(message_author, "Un message part aux autres avec son auteur : { from, text }")
            },
            check!(stop_says_who_leaves, "Ctrl+C ou SIGTERM : chaque client connecté part comme s'il fermait son onglet (« <pseudo> s'est déconnecté ») avant la fin du programme"),
            check!(accounts_http, "POST /api/signup, /api/login et GET /api/me : 201 ou 200 avec { pseudo } et un cookie HttpOnly, SameSite=Lax ; pseudo pris 409 ; inconnu et mauvais mot de passe, la même phrase en 401 ; corps mal formé, pseudo avec un caractère de contrôle ou invisible ou mot de passe trop court, 400 en français"),
            check!(secrets_kept, "Ni le mot de passe ni l'identifiant de session n'apparaissent dans le terminal ou dans la base, qui garde une empreinte Argon2id"),
            check!(login_throttle, "Cinq essais manqués en une minute pour un pseudo : les suivants reçoivent 429 et l'attente en secondes, même avec le bon mot de passe ; les autres pseudos passent ; dix essais envoyés au même instant : cinq vérifiés, cinq refusés"),
            check!(handshake_session, "La poignée de main lit le cookie et lui seul : sans session, avec une session inventée ou depuis une autre origine, refus en français et une ligne au terminal ; auth ne change pas l'auteur"),
            check!(sessions_survive_restart, "Relancé sur la même base, le serveur reconnaît les sessions ouvertes avant"),
            check!(one_person_many_tabs, "Une personne dans deux onglets : un seul « user joined », un nom dans « online », ses messages vont à son autre onglet, « user left » après le dernier"),
            check!(private_all_tabs, "Un message privé arrive à tous les onglets du destinataire et aux autres onglets de l'expéditeur, à personne d'autre ; à un absent, un refus"),
            check!(odd_requests, "Une autre méthode (GET /api/login, DELETE /api/me)\u{a0}: 405 avec Allow\u{a0}; une connexion en text/plain, comme d'un formulaire d'un autre site\u{a0}: 415 sans session\u{a0}; un corps de 3\u{a0}Mo\u{a0}: 413\u{a0}; chaque fois une phrase en JSON"),
            check!(logout_everywhere, "POST /api/logout : 204 et cookie effacé ; chaque onglet du compte reçoit « logged out » puis est déconnecté, les autres voient le départ ; plus aucune session du compte ne sert"),
        ]);
    }
    if n >= 14 {
        checks.extend([
            check!(admin_access, "/admin : refusé sans session et à qui n'est pas dans MODERATORS, en français et avec une ligne au terminal ; un modérateur reçoit aussitôt « users »"),
            check!(logout_closes_admin, "Le modérateur se déconnecte depuis le chat\u{a0}: sa page /admin, ouverte avec la même session, est fermée, et l'ancien cookie n'y entre plus"),
            check!(admin_users, "« users » suit chaque arrivée et chaque départ : chaque compte une fois, avec son nombre d'onglets et muted_until, trié sans tenir compte des majuscules"),
            check!(kick, "« kick » : chaque onglet du compte reçoit « kicked » avec la raison puis est déconnecté, l'accusé est { \"ok\": true }, les autres voient le départ ; personne sous ce pseudo, donnée invalide, raison vide ou de plus de 200\u{a0}caractères, pseudo ou raison avec un caractère de contrôle : une erreur"),
            check!(mute, "« mute » : l'accusé donne la fin (RFC 3339) ; jusque-là, messages à tous et privés refusés avec la fin et le temps qui reste, rien ne part ; minutes : 0 rend la parole ; hors de 0 à 1 440 ou pseudo avec un caractère de contrôle, une erreur"),
        ]);
    }
    if n >= 14 {
        checks.extend([
            check!(flood_limit, "Par défaut, 5 messages en 5 s par compte, tous onglets confondus : le sixième reçoit « réessayez dans N s » et ne part pas ; un autre compte n'est pas gêné"),
            check!(length_limit, "Un texte de plus de 1\u{202f}000\u{a0}caractères, ou fait d'espaces, à tous ou en privé\u{a0}: une erreur, rien ne part\u{a0}; 1\u{202f}000 passent"),
        ]);
    }
    if n >= 15 {
        checks.extend([
            check!(history_replay, "À la connexion, auth.serverOffset fait renvoyer chaque message de numéro plus grand, dans l'ordre, en ({ from, text }, numéro) ; absent : tout ; invalide : un avertissement, et tout"),
            check!(missed_while_away, "Un client déconnecté pendant que les autres parlent reçoit, en revenant avec son dernier numéro, exactement ce qu'il a manqué"),
            check!(survives_restart, "Les messages survivent à l'arrêt du serveur : relancé sur la même base, il renvoie l'historique et continue la numérotation"),
            check!(retry_once, "Le même clientOffset envoyé deux fois : enregistré et envoyé une fois, accusé deux fois avec le même numéro"),
            check!(offset_per_account, "Un renvoi se reconnaît à son auteur et à son clientOffset : le clientOffset d'un message d'Alice repris par Bob donne un autre message, pas l'accusé d'Alice"),
            check!(ack_lost, "Connexion coupée entre l'enregistrement et l'accusé : le nouvel essai (même clientOffset) n'enregistre ni ne diffuse rien de plus, et reçoit le même numéro"),
            check!(history_bad_input, "Un texte ou un clientOffset qui n'est pas un texte, ou un texte avec un caractère de contrôle (nommé par son code) : un avertissement, rien d'enregistré, un accusé { \"error\": … }"),
            check!(history_order, "1 000 messages envoyés d'affilée arrivent dans l'ordre ; un client arrivé au milieu reçoit l'historique puis la suite, sans trou ni doublon ; les accusés ont des numéros croissants"),
            check!(health, "GET /health répond 200 quand PostgreSQL et Redis répondent, 503 quand Redis est arrêté (un message privé est alors refusé par une phrase en français), puis 200 de nouveau quand il revient"),
            check!(structured_logs, "LOG_FORMAT=json\u{a0}: chaque évènement est aussi une ligne JSON sur la sortie d'erreur (heure, niveau, module, phrase, champs à part\u{a0}: le compte, le numéro du message, la raison d'un refus)\u{a0}; la sortie standard garde ses lignes\u{a0}; ni mot de passe ni session\u{a0}; un format ou un niveau inconnu est refusé en français"),
            check!(metrics, "GET /metrics répond au format texte de Prometheus : chat_connected_accounts compte les comptes en ligne, chat_messages_stored_total et chat_messages_refused_total suivent les messages enregistrés et refusés"),
            check!(processes_share, "Deux processus sur la même base et le même Redis : un message envoyé sur A arrive aux onglets de B avec le même numéro, 200 d'affilée dans l'ordre, et l'historique de B contient les messages de A"),
            check!(processes_flood, "Deux processus : la limite de débit compte les messages d'un compte sur tous les processus (5 en 5 s en tout, avec un onglet sur chacun) ; un autre compte n'est pas gêné"),
            check!(processes_admin, "Deux processus\u{a0}: le modérateur sur A voit les onglets de B, y réduit au silence et rend la parole, et exclut un compte de A et de B à la fois"),
            check!(processes_login, "Deux processus : cinq essais manqués pour un pseudo, répartis entre A et B, suffisent pour que les suivants reçoivent 429 sur l'un comme sur l'autre ; dix essais simultanés sur les deux : cinq vérifiés"),
            check!(late_process, "Un processus qui démarre quand Alice est déjà en ligne par un autre écrit d'abord son adresse, puis «\u{a0}Déjà en ligne dans le chat\u{a0}: Alice\u{a0}», sans «\u{a0}Alice est en ligne\u{a0}»\u{a0}; qui arrive par un processus qui vient de démarrer y est annoncé («\u{a0}Bob est en ligne\u{a0}»)"),
            check!(processes_presence, "Deux processus : « user joined », « user left » et « online » couvrent tout le chat, une personne avec un onglet sur chacun compte une fois, un message privé passe de A à B"),
            check!(redis_long_outage, "Deux processus, Redis arrêté 7\u{a0}s puis relancé\u{a0}: sans qu'on interroge /health, chacun le retrouve seul, un message privé passe de nouveau de A à B et de B à A en 4\u{a0}s au plus, et personne ne voit partir qui est resté"),
            check!(database_missing, "PostgreSQL injoignable ou base absente au démarrage : une phrase en français qui nomme l'adresse, sans jamais montrer le mot de passe, et un code de sortie non nul"),
            check!(database_outage, "PostgreSQL arrêté : « new message » reçoit { \"error\", \"retry\": true }, jamais { \"id\" }, rien ne part et /health répond 503 ; relancé, le même clientOffset est enregistré une fois et remis à tous"),
        ]);
    }
    if n == 10 {
        checks.extend([
            check!(private_delivery, "Un message privé n'arrive qu'au client de ce pseudo (sans tenir compte des majuscules) ; l'accusé est { \"ok\": true }"),
            check!(private_refusals, "Un message privé à personne, à soi-même ou mal formé : accusé { \"error\": … } en français, rien n'est remis"),
            check!(typing, "« typing » avec true ou false part aux autres avec son auteur ; toute autre donnée est ignorée avec un avertissement"),
            check!(typing_is_volatile, "« typing » part en volatile : il ne remplit pas la file d'un client gelé, qui reçoit ensuite tous les messages"),
        ]);
    }
    if n == 11 {
        checks.extend([
            check!(history_replay, "À la connexion, auth.serverOffset fait renvoyer chaque message de numéro plus grand, dans l'ordre, en (texte, numéro) ; absent : tout ; invalide : un avertissement, et tout"),
            check!(missed_while_away, "Un client déconnecté pendant que les autres parlent reçoit, en revenant avec son dernier numéro, exactement ce qu'il a manqué"),
            check!(survives_restart, "Les messages survivent à l'arrêt du serveur : relancé sur le même fichier, il renvoie l'historique et continue la numérotation"),
            check!(retry_once, "Le même clientOffset envoyé deux fois : enregistré et envoyé une fois, accusé deux fois avec le même numéro"),
            check!(ack_lost, "Connexion coupée entre l'enregistrement et l'accusé : le nouvel essai (même clientOffset) n'enregistre ni ne diffuse rien de plus, et reçoit le même numéro"),
            check!(history_bad_input, "Un texte ou un clientOffset qui n'est pas un texte, ou un texte avec un caractère de contrôle (nommé par son code) : un avertissement, rien d'enregistré, un accusé { \"error\": … }"),
            check!(history_order, "1 000 messages envoyés d'affilée arrivent dans l'ordre ; un client arrivé au milieu reçoit l'historique puis la suite, sans trou ni doublon ; les accusés ont des numéros croissants"),
            check!(write_refused, "Une écriture refusée en cours de route (la base verrouillée par un autre programme) : aucun accusé, pour que la page renvoie le message (retries), la raison en français dans le terminal, rien de diffusé ; renvoyé une fois la base libre, le message passe, une fois"),
            check!(bad_database, "Une base impossible à ouvrir (dossier absent, chemin qui est un dossier, fichier en lecture seule) : une phrase en français qui nomme le fichier, code de sortie non nul"),
        ]);
    }
    if n == 12 {
        checks.extend([
            check!(cluster_crossing, "Deux processus sur un même Redis : 1 000 messages envoyés d'affilée sur A arrivent sur B (WebSocket et long-polling) une fois chacun, dans l'ordre, puis dans l'autre sens"),
            check!(cluster_presence, "« user joined », « user left » et « online » couvrent les deux processus ; un pseudo libéré sur B se reprend sur A"),
            check!(cluster_nickname_taken, "Un pseudo pris sur A est refusé sur B (même en majuscules), avec une ligne dans le terminal de B"),
            check!(cluster_nickname_race, "Dix clients, cinq sur A et cinq sur B, demandent le même pseudo au même instant : un seul l'obtient"),
            check!(cluster_process_stopped, "Un processus arrêté (SIGTERM) dit qui part avec lui ; l'autre annonce leur départ (« user left », puis « online ») et leurs pseudos sont libres aussitôt"),
            check!(cluster_process_killed, "Un processus tué : ses clients sortent de la liste « online » de l'autre, qui le dit dans son terminal, et peuvent y revenir aussitôt avec leur pseudo"),
            check!(cluster_slow_receiver, "Un client gelé sur B reçoit les messages venus de A sans trou, puis B le déclare trop lent et le déconnecte ; le témoin de B reçoit tout", crate::LONG_CHECK_LIMIT),
            check!(redis_restart, "Redis tué puis relancé : les processus le disent, servent encore leurs propres clients sans les faire attendre (accusé et remise en moins de 2 s, dix messages de suite) et leur annoncent un départ ; Redis revenu, les messages passent de nouveau entre eux sans les relancer, et chacun reçoit la liste « online » de tout le chat"),
            check!(redis_missing, "Redis absent au démarrage : une phrase en français qui nomme l'adresse et redis-server, un code de sortie non nul, sans panique"),
        ]);
    }
    if n == 6 {
        checks.extend([
            check!(client_info, "À la connexion : l'ID du client, son adresse IP, puis « #clients connectés : <n> »"),
            check!(disconnect_count, "À la déconnexion : « #clients connectés après déconnexion : <n> », sans compter le client parti"),
            check!(vanished_client, "Un client disparu sans fermer (réseau coupé) est compté parti après le délai du battement de cœur"),
        ]);
    }
    if n == 7 {
        checks.extend([
            check!(rooms_on_connect, "À la connexion, le client entre dans room1 et le serveur affiche « Rooms de <id> : room1 »"),
            check!(join_leave, "« join » et « leave » font entrer dans un salon et en sortir ; le serveur affiche les salons du client à chaque fois"),
            check!(room_message, "Un message envoyé à un salon n'arrive qu'à ses membres (l'émetteur compris s'il en est membre)"),
            check!(bad_room, "Un nom de salon invalide (pas un texte, vide, plus de 64 caractères) est ignoré avec un avertissement ; la connexion est gardée"),
        ]);
    }
    checks
}
