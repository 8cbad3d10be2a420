//! Les routes HTTP des comptes, les secrets, la limite des essais manqués
//! et les sessions qui survivent au redémarrage.

use serde_json::json;

use super::*;
use crate::client::Transport;
use crate::http::{self, Response};
use crate::{Ctx, Failure, WAIT};

/// S'inscrire, se connecter, qui suis-je : les réponses et le cookie.
pub(crate) async fn accounts_http(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx.start().await?;
    let port = server.port();
    let signup = post(port, "/api/signup", &credentials(" Alice ", PASSWORD), None).await?;
    expect_status(&signup, 201, "une inscription valable")?;
    if body_json(&signup) != json!({ "pseudo": "Alice" }) {
        return Err(Failure::new(
            "l'inscription répond { \"pseudo\": \"Alice\" } (sans les espaces)",
            signup.text(),
        ));
    }
    let set_cookie = signup.header("set-cookie").unwrap_or_default().to_owned();
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        if !set_cookie.split(';').any(|a| a.trim() == attribute) {
            return Err(Failure::new(
                format!("le cookie de session porte {attribute}"),
                format!("Set-Cookie : {set_cookie}"),
            ));
        }
    }
    let cookie = cookie_of(&signup)
        .ok_or_else(|| Failure::new("un cookie « session » à l'inscription", set_cookie.clone()))?;
    let who = me(port, &cookie).await?;
    expect_status(&who, 200, "GET /api/me avec le cookie de l'inscription")?;
    if body_json(&who) != json!({ "pseudo": "Alice" }) {
        return Err(Failure::new(
            "GET /api/me répond { \"pseudo\": \"Alice\" }",
            who.text(),
        ));
    }
    let login = post(port, "/api/login", &credentials("alice", PASSWORD), None).await?;
    expect_status(
        &login,
        200,
        "une connexion avec le bon mot de passe (pseudo en minuscules)",
    )?;
    if cookie_of(&login).is_none() || body_json(&login) != json!({ "pseudo": "Alice" }) {
        return Err(Failure::new(
            "la connexion répond { \"pseudo\": \"Alice\" } avec un cookie de session",
            login.text(),
        ));
    }
    let anonymous = http::get(port, "/api/me").await?;
    expect_status(&anonymous, 401, "GET /api/me sans cookie")?;
    let forged = me(port, "session=0123456789abcdef").await?;
    expect_status(&forged, 401, "GET /api/me avec un identifiant inventé")?;

    let taken = post(port, "/api/signup", &credentials("ALICE", PASSWORD), None).await?;
    expect_status(
        &taken,
        409,
        "une inscription sous un pseudo pris (en majuscules)",
    )?;
    let look_alike = post(
        port,
        "/api/signup",
        &credentials("Ａｌｉｃｅ", PASSWORD),
        None,
    )
    .await?;
    expect_status(
        &look_alike,
        409,
        "une inscription sous un pseudo pris, écrit en lettres pleine chasse (« Ａｌｉｃｅ »)",
    )?;
    let wrong = post(
        port,
        "/api/login",
        &credentials("Alice", "pas le bon"),
        None,
    )
    .await?;
    expect_status(&wrong, 401, "un mauvais mot de passe")?;
    let unknown = post(port, "/api/login", &credentials("Personne", PASSWORD), None).await?;
    expect_status(&unknown, 401, "un pseudo inconnu")?;
    if error_of(&wrong) != error_of(&unknown) {
        return Err(Failure::new(
            "un pseudo inconnu et un mauvais mot de passe reçoivent la même phrase (rien ne dit quels comptes existent)",
            format!("{:?} et {:?}", error_of(&wrong), error_of(&unknown)),
        ));
    }
    let bad_bodies = [
        (
            "/api/signup",
            "pas du JSON",
            "un corps qui n'est pas du JSON",
        ),
        (
            "/api/signup",
            "{\"password\":\"assez long\"}",
            "sans pseudo",
        ),
        ("/api/signup", "{\"pseudo\":\"Zoé\"}", "sans mot de passe"),
        (
            "/api/signup",
            "{\"pseudo\":\"Zoé\",\"password\":12345678}",
            "un mot de passe qui n'est pas un texte",
        ),
        (
            "/api/signup",
            "{\"pseudo\":\"Zoé\",\"password\":\"court\"}",
            "un mot de passe de moins de 8 caractères",
        ),
        (
            "/api/signup",
            "{\"pseudo\":\"   \",\"password\":\"assez long\"}",
            "un pseudo vide",
        ),
        ("/api/login", "[1,2,3]", "une connexion avec un tableau"),
    ];
    for (path, body, what) in bad_bodies {
        let reply = post(port, path, body, None).await?;
        expect_status(&reply, 400, &format!("POST {path} avec {what}"))?;
    }
    // Les règles du pseudo du chapitre 9 : ni caractère de contrôle (ici une
    // séquence ANSI, qui colorerait le terminal du serveur), ni caractère
    // invisible (« Ève » suivi d'un espace sans largeur imiterait « Ève »).
    let hidden = [
        (
            "Zoé\u{1b}[31mROUGE",
            "un pseudo avec un caractère de contrôle (U+001B)",
            "contrôle",
        ),
        (
            "Ève\u{200b}",
            "un pseudo avec un espace sans largeur (U+200B)",
            "invisible",
        ),
    ];
    for (pseudo, what, keyword) in hidden {
        let reply = post(port, "/api/signup", &credentials(pseudo, PASSWORD), None).await?;
        let what = format!("POST /api/signup avec {what}");
        expect_status(&reply, 400, &what)?;
        if !error_of(&reply).is_some_and(|e| e.contains(keyword)) {
            return Err(Failure::new(
                format!("{what} : la phrase dit pourquoi (« {keyword} »)"),
                reply.text(),
            ));
        }
    }
    Ok(())
}

/// Le mot de passe n'est écrit nulle part en clair : ni dans la base (une
/// empreinte Argon2id au format PHC), ni dans le terminal ; l'identifiant
/// de session non plus.
pub(crate) async fn secrets_kept(ctx: Ctx) -> Result<(), Failure> {
    let (key, database) = ctx.shared_database().await?;
    let server = ctx.start_with(&[(key, &database)]).await?;
    let cookie = session_for(&server.url(), "Secrète").await?;
    let _tab = open_tab(&server.url(), &cookie, Transport::WebSocket, "Secrète").await?;
    let wrong = post(
        server.port(),
        "/api/login",
        &credentials("Secrète", "mauvais-secret-42"),
        None,
    )
    .await?;
    expect_status(&wrong, 401, "un mauvais mot de passe")?;
    let token = cookie.trim_start_matches("session=").to_owned();
    let log = server.shared_log();
    server.stop().await?;
    log.wait_finished(WAIT).await;
    let printed = [log.stdout(), log.stderr()].concat().join("\n");
    for secret in [PASSWORD, "mauvais-secret-42", token.as_str()] {
        if printed.contains(secret) {
            return Err(Failure::new(
                "le terminal ne montre jamais un mot de passe ni un identifiant de session",
                format!("« {secret} » y est écrit"),
            ));
        }
    }
    // SQLite : le fichier et son journal ; PostgreSQL (chapitre 15) : ce
    // que `pg_dump` en sort.
    let stored = if key == "DATABASE_URL" {
        ctx.dump_database(&database).await?
    } else {
        let mut bytes = Vec::new();
        for suffix in ["", "-wal"] {
            let file = format!("{database}{suffix}");
            bytes.extend(std::fs::read(&file).unwrap_or_default());
        }
        String::from_utf8_lossy(&bytes).into_owned()
    };
    if stored.contains(PASSWORD) || stored.contains(&token) {
        return Err(Failure::new(
            "la base ne garde ni le mot de passe ni l'identifiant de session en clair",
            "l'un des deux y est écrit",
        ));
    }
    if !stored.contains("$argon2id$") {
        return Err(Failure::new(
            "la base garde une empreinte Argon2id au format PHC ($argon2id$…)",
            "aucune empreinte de cette forme",
        ));
    }
    Ok(())
}

/// Cinq échecs en une minute pour un pseudo : les essais suivants reçoivent
/// 429 et le temps d'attente, même avec le bon mot de passe ; un autre
/// pseudo n'est pas touché ; dix essais simultanés n'en font pas vérifier
/// plus de cinq.
pub(crate) async fn login_throttle(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx.start().await?;
    let port = server.port();
    session_for(&server.url(), "Cible").await?;
    session_for(&server.url(), "Voisin").await?;
    for attempt in 1..=5 {
        let reply = post(
            port,
            "/api/login",
            &credentials("cible", "devine-moi"),
            None,
        )
        .await?;
        expect_status(&reply, 401, &format!("l'essai manqué nº {attempt}"))?;
    }
    let locked = post(port, "/api/login", &credentials("Cible", PASSWORD), None).await?;
    expect_status(
        &locked,
        429,
        "un sixième essai dans la minute, même avec le bon mot de passe",
    )?;
    let sentence = error_of(&locked).unwrap_or_default();
    let wait = sentence
        .split_whitespace()
        .filter_map(|word| word.parse::<u64>().ok())
        .next();
    if !wait.is_some_and(|s| (1..=60).contains(&s)) || !sentence.contains("s.") {
        return Err(Failure::new(
            "la phrase du refus donne l'attente en secondes (entre 1 et 60)",
            sentence,
        ));
    }
    let other = post(port, "/api/login", &credentials("Voisin", PASSWORD), None).await?;
    expect_status(&other, 200, "un autre pseudo se connecte pendant ce temps")?;
    session_for(&server.url(), "Rafale").await?;
    wrong_tries_at_once(&[port], "Rafale").await
}

/// Dix mauvais mots de passe envoyés au même instant pour `pseudo`, tour à
/// tour à chacun des `ports` : cinq sont vérifiés (401), les cinq autres
/// attendent (429). Un essai doit compter dès qu'il commence : compté à
/// son échec, chacun lirait le compteur avant que le premier échoue.
pub(crate) async fn wrong_tries_at_once(ports: &[u16], pseudo: &str) -> Result<(), Failure> {
    let body = credentials(pseudo, "devine-moi");
    let tries = (0..10).map(|i| post(ports[i % ports.len()], "/api/login", &body, None));
    let mut statuses = Vec::new();
    for reply in futures_util::future::join_all(tries).await {
        statuses.push(reply?.status);
    }
    let checked = statuses.iter().filter(|&&s| s == 401).count();
    let held = statuses.iter().filter(|&&s| s == 429).count();
    if checked == 5 && held == 5 {
        return Ok(());
    }
    Err(Failure::new(
        format!(
            "dix essais manqués au même instant pour «\u{a0}{pseudo}\u{a0}»\u{a0}: cinq reçoivent 401, les cinq autres 429"
        ),
        format!("statuts reçus\u{a0}: {statuses:?}"),
    ))
}

/// Un redémarrage ne déconnecte personne : la session est dans la base.
pub(crate) async fn sessions_survive_restart(ctx: Ctx) -> Result<(), Failure> {
    let (key, database) = ctx.shared_database().await?;
    let server = ctx.start_with(&[(key, &database)]).await?;
    let cookie = session_for(&server.url(), "Fidèle").await?;
    server.stop().await?;
    let server = ctx.start_with(&[(key, &database)]).await?;
    let who = me(server.port(), &cookie).await?;
    expect_status(
        &who,
        200,
        "GET /api/me après un redémarrage, avec le cookie d'avant",
    )?;
    open_tab(&server.url(), &cookie, Transport::WebSocket, "Fidèle")
        .await
        .map(|_| ())
}

/// Exercice 13 : `GET /api/online`, la liste « online » pour un compte
/// connecté ; 401 et une phrase sans session.
pub(crate) async fn online_route(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx.start().await?;
    let url = server.url();
    let port = server.port();
    let anonymous = http::get(port, "/api/online").await?;
    expect_status(&anonymous, 401, "GET /api/online sans session")?;
    let cookie = session_for(&url, "Alice").await?;
    let _alice = open_tab(&url, &cookie, Transport::WebSocket, "Alice").await?;
    let bob = join_account(&url, "bob", Transport::Polling).await?;
    let _second_tab = open_tab(&url, &cookie, Transport::WebSocket, "Alice (2)").await?;
    let list = |reply: &Response| body_json(reply);
    let online = http::send(port, "GET", "/api/online", &[("Cookie", &cookie)], "").await?;
    expect_status(&online, 200, "GET /api/online avec une session")?;
    if list(&online) != json!(["Alice", "bob"]) {
        return Err(Failure::new(
            "GET /api/online répond [\"Alice\",\"bob\"] (chaque compte une fois, trié)",
            online.text(),
        ));
    }
    bob.disconnect().await;
    server.expect_line("bob s'est déconnecté", 1).await?;
    let online = http::send(port, "GET", "/api/online", &[("Cookie", &cookie)], "").await?;
    if list(&online) != json!(["Alice"]) {
        return Err(Failure::new(
            "après le départ de bob, GET /api/online répond [\"Alice\"]",
            online.text(),
        ));
    }
    Ok(())
}
