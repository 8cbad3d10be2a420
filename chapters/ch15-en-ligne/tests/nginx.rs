//! Le chat en ligne derrière le vrai nginx de l'annexe « Mettre en ligne »
//! (`deploy/nginx/chat-en-ligne.conf`, lu sur le disque ; voir
//! `front/mod.rs` pour ce que le test y remplace) : deux processus du
//! chapitre, un vrai PostgreSQL et un vrai Redis.
//!
//! 1. Le serveur du port 80 renvoie tout vers HTTPS (301), sauf les
//!    vérifications de Let's Encrypt.
//! 2. En HTTPS (`openssl s_client`, certificat autosigné) : `/health`
//!    répond 200 ; une inscription pose le cookie de session ; une page de
//!    ce site (`Origin: https://…`) se connecte à Socket.IO en long-polling,
//!    ce qui n'arrive que si nginx transmet `Host` (port compris) et
//!    `X-Forwarded-Proto: https` ; une page d'un autre site est refusée ; la
//!    mise à niveau WebSocket passe (101).
//! 3. Par nginx : un client WebSocket (Alice) et un client long-polling
//!    (Bob) discutent ; un client branché directement sur l'autre
//!    processus reçoit aussi (ip_hash envoie tout ce qui vient de
//!    127.0.0.1 au même processus) ; `/health` répond 200 ; `/metrics`
//!    répond au format de Prometheus depuis 127.0.0.1, et 403 depuis
//!    127.0.0.2 (`allow 127.0.0.1; deny all;`).
//! 4. Le processus qui sert ces clients est tué (SIGKILL) : par nginx,
//!    `/health` répond encore 200, de nouvelles connexions (WebSocket et
//!    long-polling) arrivent à l'autre processus, reçoivent l'historique
//!    et discutent.
//!
//! Sans nginx, PostgreSQL ou Redis, le test n'est pas lancé, et un message
//! visible le dit ; en CI (variable `CI`), c'est une erreur.

mod common;
mod front;

use std::path::Path;
use std::time::Duration;

use checks::client::{Client, Transport};
use checks::server::Server;
use checks::{Failure, WAIT, http, nginx};
use common::{Stack, parse_message, signup, stack_or_skip, tab};
use front::{Front, https};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const TEST: &str = "ch15-en-ligne (nginx)";

/// Le `fail_timeout` du fichier de l'annexe.
const FAIL_TIMEOUT: Duration = Duration::from_secs(5);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deux_processus_derriere_nginx_en_https() {
    let Some(program) = nginx::find_or_skip(TEST) else {
        return;
    };
    let stack = match stack_or_skip(TEST).await {
        Ok(Some(stack)) => stack,
        Ok(None) => return,
        Err(failure) => panic!("{TEST} : {failure}"),
    };
    if let Err(failure) = scenario(&stack, &program).await {
        panic!("{TEST} : {failure}");
    }
}

/// Deux ports libres, choisis ici pour les écrire dans la configuration.
fn free_ports() -> [u16; 2] {
    [nginx::free_port(), nginx::free_port()]
}

async fn scenario(stack: &Stack, program: &Path) -> Result<(), Failure> {
    let [a, b] = free_ports();
    let mut processes = [Some(stack.process(a).await?), Some(stack.process(b).await?)];
    let front = Front::start(program, TEST, a, b)?;
    let explain = |mut failure: Failure, processes: &[Option<Server>; 2]| {
        for (name, process) in ["A", "B"].iter().zip(processes) {
            if let Some(process) = process {
                failure.server_output.push(format!("— processus {name} :"));
                failure.server_output.extend(process.log().tail(15));
            }
        }
        failure.seen = format!("{}\n{}", failure.seen, front.nginx.error_log());
        failure
    };

    let outcome = async {
        redirects_to_https(&front).await?;
        if let (Some(tls), Some(openssl)) = (front.tls, &front.openssl) {
            over_tls(openssl, tls).await?;
        }
        Ok(())
    }
    .await;
    outcome.map_err(|f| explain(f, &processes))?;

    // Par nginx, en HTTP simple (le même bloc `server` que HTTPS).
    let outcome = before_the_crash(&front, &processes).await;
    let (serving, last) = outcome.map_err(|f| explain(f, &processes))?;

    // Le processus qui servait les clients de nginx est tué.
    if let Some(process) = processes[serving].take() {
        process.kill().await;
    }
    let outcome = after_the_crash(&front, &processes, serving, last).await;
    outcome.map_err(|f| explain(f, &processes))?;

    for process in processes.into_iter().flatten() {
        process.stop().await?;
    }
    Ok(())
}

/// Le port 80 : une redirection définitive vers la même adresse en HTTPS ;
/// les vérifications de Let's Encrypt n'en sont pas.
async fn redirects_to_https(front: &Front) -> Result<(), Failure> {
    let reply = http::get(front.redirect, "/api/me?x=1").await?;
    let location = reply.header("location").unwrap_or_default().to_owned();
    if reply.status != 301 || location != "https://localhost/api/me?x=1" {
        return Err(Failure::new(
            "le port 80 répond 301 vers https://localhost/api/me?x=1 (même chemin, en HTTPS)",
            format!("{} ; Location : « {location} »", reply.status),
        ));
    }
    let acme = http::get(front.redirect, "/.well-known/acme-challenge/essai").await?;
    if acme.status == 301 {
        return Err(Failure::new(
            "les vérifications de Let's Encrypt (/.well-known/acme-challenge/) restent en HTTP",
            "elles sont renvoyées vers HTTPS (301)",
        ));
    }
    Ok(())
}

/// HTTPS, de bout en bout, par `openssl s_client`.
async fn over_tls(openssl: &Path, tls: u16) -> Result<(), Failure> {
    let host = format!("localhost:{tls}");
    let request = |method: &str, target: &str, headers: &[(&str, &str)], body: &str| {
        let extra: String = headers
            .iter()
            .map(|(k, v)| format!("{k}: {v}\r\n"))
            .collect();
        format!(
            "{method} {target} HTTP/1.0\r\nHost: {host}\r\n{extra}Content-Length: {}\r\n\r\n{body}",
            body.len()
        )
    };

    let health = https(openssl, tls, &request("GET", "/health", &[], ""), false).await?;
    if health.status != 200 || !health.body.contains("base\u{a0}: ok") {
        return Err(Failure::new(
            "GET /health en HTTPS répond 200 « base : ok »",
            format!("{} « {} »", health.status, health.body),
        ));
    }

    let body = json!({ "pseudo": "Tess", "password": common::PASSWORD }).to_string();
    let json_type = [("Content-Type", "application/json")];
    let signed = https(
        openssl,
        tls,
        &request("POST", "/api/signup", &json_type, &body),
        false,
    )
    .await?;
    let cookie = signed
        .header("set-cookie")
        .and_then(|line| line.split(';').next())
        .filter(|pair| pair.starts_with("session="))
        .map(str::to_owned)
        .ok_or_else(|| {
            Failure::new(
                "l'inscription en HTTPS pose le cookie de session",
                format!("{} {:?} « {} »", signed.status, signed.headers, signed.body),
            )
        })?;

    // Arrivé en HTTPS, le cookie est `Secure` : le navigateur ne
    // l'enverra jamais en clair (nginx dit le schéma par X-Forwarded-Proto).
    let attributes = signed.header("set-cookie").unwrap_or_default();
    if !attributes
        .split(';')
        .any(|a| a.trim().eq_ignore_ascii_case("secure"))
    {
        return Err(Failure::new(
            "le cookie de session posé en HTTPS porte l'attribut Secure",
            format!("Set-Cookie\u{a0}: {attributes}"),
        ));
    }

    // Une page de ce site, en HTTPS : son Origin est https://localhost:<port>.
    // Le chat l'accepte s'il voit le même schéma et le même hôte, donc si
    // nginx lui transmet X-Forwarded-Proto: https et Host avec le port.
    let own = format!("https://{host}");
    let accepted = polling_connect(openssl, tls, &request, &cookie, &own).await?;
    if !accepted.iter().any(|p| p.starts_with("40{")) {
        return Err(Failure::new(
            format!("une page de « {own} » se connecte à Socket.IO à travers HTTPS (paquet 40)"),
            format!("{accepted:?}"),
        ));
    }
    let foreign = "https://ailleurs.example";
    let refused = polling_connect(openssl, tls, &request, &cookie, foreign).await?;
    if !refused
        .iter()
        .any(|p| p.starts_with("44{") && p.contains("Connexion refusée"))
    {
        return Err(Failure::new(
            format!("une page de « {foreign} » est refusée (paquet 44, « Connexion refusée »)"),
            format!("{refused:?}"),
        ));
    }

    // La mise à niveau WebSocket, à travers TLS.
    let upgrade = format!(
        "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: {host}\r\n\
         Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nOrigin: {own}\r\nCookie: {cookie}\r\n\r\n"
    );
    let switched = https(openssl, tls, &upgrade, true).await?;
    if switched.status != 101 {
        return Err(Failure::new(
            "la mise à niveau WebSocket passe à travers HTTPS (101 Switching Protocols)",
            format!("{} {:?}", switched.status, switched.headers),
        ));
    }
    Ok(())
}

/// Une connexion Socket.IO en long-polling, à la main : la poignée de main
/// d'Engine.IO, le paquet de connexion (`40`), puis les paquets reçus (le
/// séparateur d'Engine.IO est U+001E), parmi lesquels la réponse du chat :
/// `40{…}` (acceptée) ou `44{…}` (refusée).
async fn polling_connect(
    openssl: &Path,
    tls: u16,
    request: &impl Fn(&str, &str, &[(&str, &str)], &str) -> String,
    cookie: &str,
    origin: &str,
) -> Result<Vec<String>, Failure> {
    let headers = [("Cookie", cookie), ("Origin", origin)];
    let open = https(
        openssl,
        tls,
        &request("GET", "/socket.io/?EIO=4&transport=polling", &headers, ""),
        false,
    )
    .await?;
    let sid = open
        .body
        .split("\"sid\":\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .ok_or_else(|| {
            Failure::new(
                "la poignée de main du long-polling en HTTPS donne un sid",
                format!("{} « {} »", open.status, open.body),
            )
        })?
        .to_owned();
    let target = format!("/socket.io/?EIO=4&transport=polling&sid={sid}");
    let posted = https(
        openssl,
        tls,
        &request("POST", &target, &headers, "40"),
        false,
    )
    .await?;
    if posted.status != 200 {
        return Err(Failure::new(
            "le paquet de connexion (POST 40) passe en HTTPS",
            format!("{} « {} »", posted.status, posted.body),
        ));
    }
    let reply = https(openssl, tls, &request("GET", &target, &headers, ""), false).await?;
    Ok(reply.body.split('\u{1e}').map(str::to_owned).collect())
}

/// Les clients de nginx discutent ; rend l'indice du processus qui les
/// sert et le numéro du dernier message.
async fn before_the_crash(
    front: &Front,
    processes: &[Option<Server>; 2],
) -> Result<(usize, i64), Failure> {
    let alice = signup(front.plain, "Alice").await?;
    let bob = signup(front.plain, "Bob").await?;
    let origin = front.url();
    let mut wendy = page(
        front.plain,
        &alice,
        0,
        "Alice",
        Transport::WebSocket,
        &origin,
    )
    .await?;
    let mut paul = page(front.plain, &bob, 0, "Bob", Transport::Polling, &origin).await?;
    let serving = serving(processes, "Alice")?;
    let other = processes[1 - serving]
        .as_ref()
        .ok_or_else(|| Failure::new("l'autre processus tourne", "il manque"))?;
    // Carole, branchée directement sur l'autre processus (sans nginx).
    let carole = signup(other.port(), "Carole").await?;
    let mut direct = tab(other.port(), &carole, 0, "Carole", Transport::WebSocket).await?;

    let said = [
        say(&wendy, "Alice", "bonjour en WebSocket par nginx", "a-1").await?,
        say(&paul, "Bob", "bonjour en long-polling par nginx", "b-1").await?,
    ];
    for client in [&mut wendy, &mut paul, &mut direct] {
        receive(client, &said).await?;
    }

    // /health et /metrics, par nginx.
    let health = http::get(front.plain, "/health").await?;
    if health.status != 200 {
        return Err(Failure::new(
            "GET /health par nginx répond 200",
            format!("{} « {} »", health.status, health.text()),
        ));
    }
    let metrics = http::get(front.plain, "/metrics").await?;
    let text = metrics.text();
    let prometheus = metrics
        .header("content-type")
        .is_some_and(|t| t.starts_with("text/plain; version=0.0.4"));
    // Les deux messages sont passés par le même processus, celui de /metrics.
    if metrics.status != 200
        || !prometheus
        || !text.contains("# TYPE chat_messages_stored_total counter\n")
        || !text.contains("\nchat_messages_stored_total 2\n")
    {
        return Err(Failure::new(
            "GET /metrics par nginx depuis 127.0.0.1 : 200, format texte de Prometheus, \
             chat_messages_stored_total 2 (le processus qui a reçu les deux messages)",
            format!("{} {:?} « {text} »", metrics.status, metrics.headers),
        ));
    }
    let elsewhere = get_from([127, 0, 0, 2], front.plain, "/metrics").await?;
    if !elsewhere.starts_with("HTTP/1.1 403") {
        return Err(Failure::new(
            "GET /metrics par nginx depuis 127.0.0.2 : 403 (allow 127.0.0.1; deny all;)",
            elsewhere.lines().next().unwrap_or_default().to_owned(),
        ));
    }
    let health_elsewhere = get_from([127, 0, 0, 2], front.plain, "/health").await?;
    if !health_elsewhere.starts_with("HTTP/1.1 200") {
        return Err(Failure::new(
            "GET /health par nginx depuis 127.0.0.2 : 200 (seul /metrics est réservé)",
            health_elsewhere
                .lines()
                .next()
                .unwrap_or_default()
                .to_owned(),
        ));
    }
    wendy.disconnect().await;
    paul.disconnect().await;
    Ok((serving, said[1].2))
}

/// Après la mort du processus qui les servait, les clients de nginx
/// reviennent, sur l'autre : l'historique, puis de nouveaux messages.
async fn after_the_crash(
    front: &Front,
    processes: &[Option<Server>; 2],
    dead: usize,
    last: i64,
) -> Result<(), Failure> {
    let survivor = processes[1 - dead]
        .as_ref()
        .ok_or_else(|| Failure::new("l'autre processus tourne", "il manque"))?;
    // Une requête du long-polling de Bob, en cours au moment de la panne,
    // a déjà fait mettre le processus mort de côté (max_fails=1) : on
    // attend la fin de ces 5 s (fail_timeout=5s), pour que nginx essaie de
    // nouveau le processus mort à la prochaine requête (nginx compte en
    // secondes entières : 2 s de marge).
    tokio::time::sleep(FAIL_TIMEOUT + Duration::from_secs(2)).await;
    // Chaque requête passe, même la première, qui trouve le processus mort
    // (proxy_next_upstream) ; après cet échec, nginx le laisse de côté
    // (max_fails=1) : un seul essai vers lui.
    let refused_before = refused_connections(front);
    for _ in 0..5 {
        let health = http::get(front.plain, "/health").await?;
        if health.status != 200 {
            return Err(Failure::new(
                "GET /health par nginx répond 200 quand un processus est mort (l'autre répond), \
                 dès la première requête",
                format!("{} « {} »", health.status, health.text()),
            ));
        }
    }
    let tries = refused_connections(front) - refused_before;
    if tries != 1 {
        return Err(Failure::new(
            "après la panne, 5 requêtes de suite : nginx essaie une seule fois le processus \
             mort, puis le laisse de côté 5 s (max_fails=1 fail_timeout=5s)",
            format!("{tries} essais refusés vers lui"),
        ));
    }
    let origin = front.url();
    let alice = signup(front.plain, "Alice2").await?;
    let bob = signup(front.plain, "Bob2").await?;
    let before = connections(survivor, "Alice2");
    // Alice reprend où elle en était ; Bob, tout neuf, reçoit tout l'historique.
    let mut wendy = page(
        front.plain,
        &alice,
        last,
        "Alice2",
        Transport::WebSocket,
        &origin,
    )
    .await?;
    let mut paul = page(front.plain, &bob, 0, "Bob2", Transport::Polling, &origin).await?;
    if connections(survivor, "Alice2") <= before {
        return Err(Failure::new(
            "la nouvelle connexion d'Alice2 par nginx arrive au processus survivant",
            format!("ses lignes : {:?}", survivor.log().tail(10)),
        ));
    }
    let history: Vec<(String, String, i64)> = {
        let mut got = Vec::new();
        while got.len() < 2 {
            match paul.next(WAIT).await.as_deref().and_then(parse_message) {
                Some(message) => got.push(message),
                None => break,
            }
        }
        got
    };
    let texts: Vec<&str> = history.iter().map(|(_, t, _)| t.as_str()).collect();
    if texts
        != [
            "bonjour en WebSocket par nginx",
            "bonjour en long-polling par nginx",
        ]
    {
        return Err(Failure::new(
            "Bob2, nouveau venu par nginx, reçoit d'abord les deux messages d'avant la panne",
            format!("{history:?}"),
        ));
    }
    let said = [
        say(&wendy, "Alice2", "toujours là en WebSocket", "a-2").await?,
        say(&paul, "Bob2", "toujours là en long-polling", "b-2").await?,
    ];
    for client in [&mut wendy, &mut paul] {
        receive(client, &said).await?;
    }
    Ok(())
}

/// Combien de fois nginx a trouvé un processus fermé (connexion refusée),
/// d'après son journal.
fn refused_connections(front: &Front) -> usize {
    front
        .nginx
        .error_log()
        .matches("connect() failed (111")
        .count()
}

/// Un onglet par nginx, avec son cookie et l'Origin d'une page de ce site
/// (un navigateur en joint un à une poignée de main WebSocket seule, ou
/// venue d'un autre site) : le chat compare Origin et Host.
async fn page(
    port: u16,
    cookie: &str,
    offset: i64,
    name: &str,
    transport: Transport,
    origin: &str,
) -> Result<Client, Failure> {
    Client::open_with_headers(
        &format!("http://127.0.0.1:{port}"),
        transport,
        name,
        None,
        Some(json!({ "serverOffset": offset })),
        &[
            ("Cookie".to_owned(), cookie.to_owned()),
            ("Origin".to_owned(), origin.to_owned()),
        ],
    )
    .await
}

/// Combien de fois `pseudo` s'est connecté à `process`.
fn connections(process: &Server, pseudo: &str) -> usize {
    let prefix = format!("{pseudo} vient de se connecter (");
    process
        .log()
        .stdout()
        .iter()
        .filter(|l| l.starts_with(&prefix))
        .count()
}

/// Le processus (0 ou 1) auquel nginx a envoyé `pseudo`.
fn serving(processes: &[Option<Server>; 2], pseudo: &str) -> Result<usize, Failure> {
    let seen: Vec<usize> = processes
        .iter()
        .map(|p| p.as_ref().map_or(0, |p| connections(p, pseudo)))
        .collect();
    match seen.as_slice() {
        [1, 0] => Ok(0),
        [0, 1] => Ok(1),
        _ => Err(Failure::new(
            format!("{pseudo} connecté une fois, à un seul des deux processus"),
            format!("connexions vues : {seen:?}"),
        )),
    }
}

/// Envoie un message avec son clientOffset et attend son numéro.
async fn say(
    client: &Client,
    from: &str,
    text: &str,
    offset: &str,
) -> Result<(String, String, i64), Failure> {
    let reply = client
        .emit_with_ack(
            "new message",
            vec![json!(text), json!(offset)],
            Duration::from_secs(10),
        )
        .await?;
    match reply
        .first()
        .and_then(|r| r.get("id"))
        .and_then(Value::as_i64)
    {
        Some(id) => Ok((from.to_owned(), text.to_owned(), id)),
        None => Err(Failure::new(
            format!("« {text} » est enregistré (accusé {{ id }})"),
            format!("{reply:?}"),
        )),
    }
}

/// `client` reçoit `said`, une fois chacun, dans l'ordre des numéros.
async fn receive(client: &mut Client, said: &[(String, String, i64)]) -> Result<(), Failure> {
    let mut expected = said.to_vec();
    expected.sort_by_key(|(_, _, id)| *id);
    let mut got = Vec::new();
    while got.len() < expected.len() {
        match client.next(WAIT).await {
            Some(args) => got.push(parse_message(&args).ok_or_else(|| {
                Failure::new("un message ({ from, text }, id)", format!("{args:?}"))
            })?),
            None => break,
        }
    }
    if got != expected {
        return Err(Failure::new(
            format!(
                "{} ({}) reçoit {expected:?}, dans l'ordre des numéros",
                client.name,
                client.transport.label()
            ),
            format!("{got:?}"),
        ));
    }
    Ok(())
}

/// `GET target` envoyé depuis l'adresse `from` (127.0.0.2 est aussi la
/// machine elle-même, mais ce n'est pas 127.0.0.1 pour nginx) ; rend la
/// réponse brute.
async fn get_from(from: [u8; 4], port: u16, target: &str) -> Result<String, Failure> {
    let what = format!("une réponse à GET {target} envoyé depuis {from:?}");
    let fail = |e: std::io::Error| Failure::new(what.clone(), e.to_string());
    let exchange = async {
        let socket = tokio::net::TcpSocket::new_v4().map_err(fail)?;
        socket
            .bind(std::net::SocketAddr::from((from, 0)))
            .map_err(fail)?;
        let mut stream = socket
            .connect(std::net::SocketAddr::from(([127, 0, 0, 1], port)))
            .await
            .map_err(fail)?;
        let request =
            format!("GET {target} HTTP/1.1\r\nHost: localhost:{port}\r\nConnection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).await.map_err(fail)?;
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).await.map_err(fail)?;
        Ok(String::from_utf8_lossy(&raw).into_owned())
    };
    tokio::time::timeout(Duration::from_secs(10), exchange)
        .await
        .map_err(|_| Failure::new(what.clone(), "pas de réponse en 10 s"))?
}
