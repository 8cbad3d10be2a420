//! Chapitre 13 : les comptes et les sessions, vus de l'extérieur — des
//! requêtes HTTP comme celles de la page, puis des clients Socket.IO qui
//! joignent le cookie de session à leur poignée de main.

use std::time::Duration;

use serde_json::{Value, json};

use crate::client::{Client, Transport};
use crate::http::{self, Response};
use crate::scenarios::pseudos::expect_online;
use crate::{Ctx, Failure, Server, WAIT};

/// Le mot de passe des comptes créés par les vérifications. Il ne doit
/// jamais apparaître dans le terminal du serveur ni dans la base.
pub(crate) const PASSWORD: &str = "cheval-agrafe-correct";

/// Le port d'une adresse `http://127.0.0.1:<port>`.
fn port_of(url: &str) -> u16 {
    url.rsplit(':')
        .next()
        .and_then(|p| p.trim_end_matches('/').parse().ok())
        .unwrap_or(0)
}

/// `POST path` avec un corps JSON et, s'il y en a un, le cookie.
async fn post(
    port: u16,
    path: &str,
    body: &str,
    cookie: Option<&str>,
) -> Result<Response, Failure> {
    let mut headers = vec![("Content-Type", "application/json")];
    if let Some(cookie) = cookie {
        headers.push(("Cookie", cookie));
    }
    http::send(port, "POST", path, &headers, body).await
}

async fn me(port: u16, cookie: &str) -> Result<Response, Failure> {
    http::send(port, "GET", "/api/me", &[("Cookie", cookie)], "").await
}

/// `session=<identifiant>`, lu dans le `Set-Cookie` d'une réponse.
fn cookie_of(response: &Response) -> Option<String> {
    let line = response.header("set-cookie")?;
    let pair = line.split(';').next()?.trim();
    pair.starts_with("session=").then(|| pair.to_owned())
}

fn body_json(response: &Response) -> Value {
    serde_json::from_slice(&response.body).unwrap_or(Value::Null)
}

/// Le `error` d'une réponse de refus, s'il est une phrase.
fn error_of(response: &Response) -> Option<String> {
    body_json(response)
        .get("error")
        .and_then(Value::as_str)
        .map(str::to_owned)
}

fn credentials(pseudo: &str, password: &str) -> String {
    json!({ "pseudo": pseudo, "password": password }).to_string()
}

/// Inscrit `pseudo` (ou le connecte, s'il existe déjà) et rend son cookie.
pub(crate) async fn session_for(url: &str, pseudo: &str) -> Result<String, Failure> {
    let port = port_of(url);
    let body = credentials(pseudo, PASSWORD);
    let mut reply = post(port, "/api/signup", &body, None).await?;
    if reply.status == 409 {
        reply = post(port, "/api/login", &body, None).await?;
    }
    match (reply.status, cookie_of(&reply)) {
        (200 | 201, Some(cookie)) => Ok(cookie),
        _ => Err(Failure::new(
            format!("« {pseudo} » s'inscrit ou se connecte, et reçoit un cookie de session"),
            format!("{} {}", reply.status, reply.text()),
        )),
    }
}

/// Un onglet connecté avec ce cookie.
pub(crate) async fn open_tab(
    url: &str,
    cookie: &str,
    transport: Transport,
    name: &str,
) -> Result<Client, Failure> {
    let headers = [("Cookie".to_owned(), cookie.to_owned())];
    Client::open_with_headers(url, transport, name, None, None, &headers).await
}

/// Un compte neuf et son premier onglet.
pub(crate) async fn join_account(
    url: &str,
    pseudo: &str,
    transport: Transport,
) -> Result<Client, Failure> {
    let cookie = session_for(url, pseudo).await?;
    open_tab(url, &cookie, transport, pseudo).await
}

/// Une réponse attendue : le statut, et une phrase `{ "error" }` en
/// français pour un refus.
fn expect_status(reply: &Response, status: u16, what: &str) -> Result<(), Failure> {
    let refusal_ok = status < 400 || error_of(reply).is_some_and(|e| e.ends_with('.'));
    if reply.status == status && refusal_ok {
        return Ok(());
    }
    Err(Failure::new(
        format!(
            "{what} : {status}{}",
            if status >= 400 {
                " et { \"error\": <phrase> }"
            } else {
                ""
            }
        ),
        format!("{} {}", reply.status, reply.text()),
    ))
}

/// S'inscrire, se connecter, qui suis-je : les réponses et le cookie.
pub(super) async fn accounts_http(ctx: Ctx) -> Result<(), Failure> {
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
    Ok(())
}

/// Le mot de passe n'est écrit nulle part en clair : ni dans la base (une
/// empreinte Argon2id au format PHC), ni dans le terminal ; l'identifiant
/// de session non plus.
pub(super) async fn secrets_kept(ctx: Ctx) -> Result<(), Failure> {
    let database = ctx.fresh_database()?;
    let path = database.to_string_lossy().into_owned();
    let server = ctx.start_with(&[("DATABASE", &path)]).await?;
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
    let mut bytes = Vec::new();
    for suffix in ["", "-wal"] {
        let file = format!("{path}{suffix}");
        bytes.extend(std::fs::read(&file).unwrap_or_default());
    }
    let stored = String::from_utf8_lossy(&bytes);
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
/// pseudo n'est pas touché.
pub(super) async fn login_throttle(ctx: Ctx) -> Result<(), Failure> {
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
    expect_status(&other, 200, "un autre pseudo se connecte pendant ce temps")
}

/// La poignée de main : le cookie seul dit qui l'on est. Sans session, ou
/// depuis la page d'un autre site, la connexion est refusée en français.
pub(super) async fn handshake_session(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx.start().await?;
    let url = server.url();
    let refused = |headers: Vec<(String, String)>, why: &'static str| {
        let url = url.clone();
        async move {
            let auth = json!({ "pseudo": "Mallory" });
            let message =
                Client::connect_refused_with_headers(&url, Transport::WebSocket, auth, &headers)
                    .await
                    .map_err(|mut f| {
                        f.expected = format!("{why} : {}", f.expected);
                        f
                    })?;
            if message.trim().is_empty() || message.is_ascii() && !message.contains(' ') {
                return Err(Failure::new(
                    format!("{why} : une phrase en français"),
                    message,
                ));
            }
            Ok::<String, Failure>(message)
        }
    };
    refused(Vec::new(), "sans cookie, avec un pseudo dans auth").await?;
    refused(
        vec![("Cookie".into(), "session=inventee".into())],
        "avec un identifiant de session inventé",
    )
    .await?;
    let cookie = session_for(&url, "Alice").await?;
    let evil = vec![
        ("Cookie".to_owned(), cookie.clone()),
        (
            "Origin".to_owned(),
            "http://site-malveillant.example".to_owned(),
        ),
    ];
    refused(
        evil,
        "avec le bon cookie, depuis la page d'un autre site (Origin)",
    )
    .await?;
    server
        .expect_prefix("Connexion refusée", 3)
        .await
        .map_err(|mut f| {
            f.expected = format!("une ligne par refus dans le terminal : {}", f.expected);
            f
        })?;
    // La même origine que le serveur passe, et `auth` ne change pas qui
    // l'on est.
    let own = vec![
        ("Cookie".to_owned(), cookie.clone()),
        ("Origin".to_owned(), url.clone()),
    ];
    let alice = Client::open_with_headers(
        &url,
        Transport::Polling,
        "Alice",
        None,
        Some(json!({ "pseudo": "Mallory" })),
        &own,
    )
    .await?;
    let mut bob = join_account(&url, "Bob", Transport::WebSocket).await?;
    alice.send_text("c'est bien moi").await?;
    bob.expect(
        &[json!({ "from": "Alice", "text": "c'est bien moi" })],
        "l'auteur vient du cookie, pas de auth",
    )
    .await
}

/// Un redémarrage ne déconnecte personne : la session est dans la base.
pub(super) async fn sessions_survive_restart(ctx: Ctx) -> Result<(), Failure> {
    let database = ctx.fresh_database()?;
    let path = database.to_string_lossy().into_owned();
    let server = ctx.start_with(&[("DATABASE", &path)]).await?;
    let cookie = session_for(&server.url(), "Fidèle").await?;
    server.stop().await?;
    let server = ctx.start_with(&[("DATABASE", &path)]).await?;
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

/// Une personne dans deux onglets est une personne : une arrivée, un
/// départ, un nom dans la liste ; ses autres onglets reçoivent ses messages.
pub(super) async fn one_person_many_tabs(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx.start().await?;
    let url = server.url();
    let mut bob = join_account(&url, "Bob", Transport::WebSocket).await?;
    expect_online(&mut bob, &["Bob"], "seul en ligne").await?;
    let cookie = session_for(&url, "Alice").await?;
    let mut first = open_tab(&url, &cookie, Transport::WebSocket, "Alice (onglet 1)").await?;
    expect_online(&mut bob, &["Alice", "Bob"], "Alice arrive").await?;
    let mut second = open_tab(&url, &cookie, Transport::Polling, "Alice (onglet 2)").await?;
    expect_online(&mut second, &["Alice", "Bob"], "Alice nommée une fois").await?;
    let joined = async {
        let mut count = 0;
        while let Some(args) = bob
            .next_event("user joined", Duration::from_millis(600))
            .await
        {
            if args == [json!("Alice")] {
                count += 1;
            }
        }
        count
    }
    .await;
    if joined != 1 {
        return Err(Failure::new(
            "Bob reçoit « user joined » Alice une fois, au premier onglet",
            format!("{joined} fois"),
        ));
    }
    first.send_text("depuis l'onglet 1").await?;
    let said = [json!({ "from": "Alice", "text": "depuis l'onglet 1" })];
    bob.expect(&said, "un message d'Alice").await?;
    second
        .expect(&said, "l'autre onglet d'Alice reçoit ce qu'elle écrit")
        .await?;
    first
        .expect_nothing(
            Duration::from_millis(400),
            "l'onglet qui écrit ne reçoit pas son message",
        )
        .await?;
    bob.clear_events();
    first.disconnect().await;
    bob.expect_no_event(
        "user left",
        Duration::from_millis(600),
        "Alice a encore un onglet",
    )
    .await?;
    second.disconnect().await;
    match bob.next_event("user left", WAIT).await {
        Some(args) if args == [json!("Alice")] => {}
        other => {
            return Err(Failure::new(
                "Bob reçoit « user left » Alice quand son dernier onglet part",
                format!("{other:?}"),
            ));
        }
    }
    server.expect_line("Alice s'est déconnecté", 1).await?;
    expect_online(&mut bob, &["Bob"], "Alice partie").await
}

/// Un message privé arrive à tous les onglets du destinataire et aux autres
/// onglets de l'expéditeur, à personne d'autre.
pub(super) async fn private_all_tabs(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx.start().await?;
    let url = server.url();
    let alice_cookie = session_for(&url, "Alice").await?;
    let mut alice_1 = open_tab(&url, &alice_cookie, Transport::WebSocket, "Alice 1").await?;
    let mut alice_2 = open_tab(&url, &alice_cookie, Transport::Polling, "Alice 2").await?;
    let bob_cookie = session_for(&url, "Bob").await?;
    let bob_1 = open_tab(&url, &bob_cookie, Transport::WebSocket, "Bob 1").await?;
    let mut bob_2 = open_tab(&url, &bob_cookie, Transport::WebSocket, "Bob 2").await?;
    let mut chloe = join_account(&url, "Chloé", Transport::WebSocket).await?;
    expect_online(&mut chloe, &["Alice", "Bob", "Chloé"], "tous là").await?;
    let reply = bob_1
        .emit_with_ack(
            "private message",
            vec![json!({ "to": "alice", "text": "psst" })],
            WAIT,
        )
        .await?;
    if reply != [json!({ "ok": true })] {
        return Err(Failure::new(
            "l'accusé d'un message privé remis : { \"ok\": true }",
            format!("{reply:?}"),
        ));
    }
    let expected = [json!({ "from": "Bob", "to": "Alice", "text": "psst" })];
    for (tab, why) in [
        (&mut alice_1, "le premier onglet d'Alice"),
        (&mut alice_2, "le second onglet d'Alice"),
        (&mut bob_2, "l'autre onglet de Bob"),
    ] {
        let got = tab.next_event("private message", WAIT).await;
        if got.as_deref() != Some(&expected[..]) {
            return Err(Failure::new(
                format!("{why} reçoit « private message » {}", expected[0]),
                format!("{got:?}"),
            ));
        }
    }
    chloe
        .expect_no_event(
            "private message",
            Duration::from_millis(400),
            "Chloé ne voit rien",
        )
        .await?;
    let reply = bob_1
        .emit_with_ack(
            "private message",
            vec![json!({ "to": "Personne", "text": "allô" })],
            WAIT,
        )
        .await?;
    if !reply
        .first()
        .is_some_and(|r| r.get("error").is_some_and(Value::is_string))
    {
        return Err(Failure::new(
            "un message privé à un pseudo absent : accusé { \"error\": <phrase> }",
            format!("{reply:?}"),
        ));
    }
    Ok(())
}

/// Se déconnecter : 204, le cookie effacé, toutes les sessions du compte
/// finies ; chaque onglet reçoit « logged out » puis est déconnecté ; les
/// autres voient la personne partir.
pub(super) async fn logout_everywhere(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx.start().await?;
    let url = server.url();
    let cookie = session_for(&url, "Alice").await?;
    let other_session = session_for(&url, "Alice").await?;
    let mut tabs = Vec::new();
    for (i, transport) in [Transport::WebSocket, Transport::Polling]
        .into_iter()
        .enumerate()
    {
        tabs.push(open_tab(&url, &cookie, transport, &format!("Alice {}", i + 1)).await?);
    }
    tabs.push(
        open_tab(
            &url,
            &other_session,
            Transport::WebSocket,
            "Alice (autre navigateur)",
        )
        .await?,
    );
    let mut bob = join_account(&url, "Bob", Transport::WebSocket).await?;
    expect_online(&mut bob, &["Alice", "Bob"], "Alice et Bob").await?;
    bob.clear_events();
    let reply = post(server.port(), "/api/logout", "", Some(&cookie)).await?;
    expect_status(&reply, 204, "POST /api/logout avec le cookie")?;
    let cleared = reply.header("set-cookie").unwrap_or_default();
    if !cleared.contains("Max-Age=0") {
        return Err(Failure::new(
            "la déconnexion efface le cookie (Max-Age=0)",
            cleared.to_owned(),
        ));
    }
    for tab in &mut tabs {
        match tab.next_event("logged out", WAIT).await {
            Some(args)
                if args
                    .first()
                    .and_then(Value::as_str)
                    .is_some_and(|r| r.contains(' ')) => {}
            other => {
                return Err(Failure::new(
                    format!(
                        "{} reçoit « logged out » avec une raison en français",
                        tab.name
                    ),
                    format!("{other:?}"),
                ));
            }
        }
        if !tab.wait_closed(WAIT).await {
            return Err(Failure::new(
                format!("{} est déconnecté après « logged out »", tab.name),
                "il est encore connecté",
            ));
        }
    }
    match bob.next_event("user left", WAIT).await {
        Some(args) if args == [json!("Alice")] => {}
        other => {
            return Err(Failure::new(
                "Bob reçoit « user left » Alice",
                format!("{other:?}"),
            ));
        }
    }
    for (session, which) in [
        (&cookie, "de l'onglet qui s'est déconnecté"),
        (&other_session, "de l'autre navigateur"),
    ] {
        expect_status(
            &me(server.port(), session).await?,
            401,
            &format!("GET /api/me avec la session {which}"),
        )?;
        let headers = [("Cookie".to_owned(), session.clone())];
        Client::connect_refused_with_headers(&url, Transport::WebSocket, json!({}), &headers)
            .await
            .map_err(|mut f| {
                f.expected = format!(
                    "la session {which} ne rouvre plus de connexion : {}",
                    f.expected
                );
                f
            })?;
    }
    Ok(())
}

/// `server` : un chapitre à comptes ?
pub(crate) fn has_accounts(server: &Server) -> bool {
    server.accounts
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
