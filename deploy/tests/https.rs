//! `deploy/nginx/chat-en-ligne.conf`, côté HTTPS : le vrai nginx de
//! l'annexe « Mettre en ligne » devant deux processus du chapitre 15, un
//! vrai PostgreSQL et un vrai Redis (voir `checks::nginx::Front` pour ce
//! que le test remplace dans le fichier).
//!
//! 1. Le serveur du port 80 renvoie tout vers HTTPS (301), sauf les
//!    vérifications de Let's Encrypt.
//! 2. En HTTPS (`openssl s_client`, certificat autosigné) : `/health`
//!    répond 200 ; une inscription pose le cookie de session, `Secure` ;
//!    une page de ce site (`Origin: https://…`) se connecte à Socket.IO en
//!    long-polling, ce qui n'arrive que si nginx transmet `Host` (port
//!    compris) et `X-Forwarded-Proto: https` ; une page d'un autre site est
//!    refusée ; la mise à niveau WebSocket passe (101).
//!
//! Sans nginx, PostgreSQL ou Redis, le test n'est pas lancé, et un message
//! visible le dit ; en CI (variable `CI`), c'est une erreur. Sans
//! `openssl`, seul le point 1 est vérifié (message visible ; erreur en CI).

mod common;

use std::path::Path;

use checks::nginx::{Front, https};
use checks::stack::PASSWORD;
use checks::{Failure, http};
use common::Online;
use serde_json::json;

const TEST: &str = "deploy, chat-en-ligne.conf en HTTPS (ch15-en-ligne)";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn port_80_redirects_and_https_reaches_the_chat() {
    let Some(online) = Online::start_or_skip(TEST).await else {
        return;
    };
    let outcome = async {
        redirects_to_https(&online.front).await?;
        if let (Some(tls), Some(openssl)) = (online.front.tls, &online.front.openssl) {
            over_tls(openssl, tls).await?;
        }
        Ok(())
    }
    .await;
    if let Err(failure) = outcome.map_err(|f| online.explain(f)) {
        panic!("{TEST} : {failure}");
    }
    if let Err(failure) = online.stop().await {
        panic!("{TEST} : {failure}");
    }
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

    let body = json!({ "pseudo": "Tess", "password": PASSWORD }).to_string();
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
