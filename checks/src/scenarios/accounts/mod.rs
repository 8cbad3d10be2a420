//! Chapitre 13 (et 14) : les comptes et les sessions, vus de l'extérieur —
//! des requêtes HTTP comme celles de la page, puis des clients Socket.IO qui
//! joignent le cookie de session à leur poignée de main.
//!
//! Ce fichier : les gestes communs (s'inscrire, ouvrir un onglet avec son
//! cookie). `routes.rs` : les routes, les secrets, la limite des essais, les
//! sessions. `tabs.rs` : la poignée de main, les onglets, les messages
//! privés, la déconnexion.

mod requests;
mod routes;
mod tabs;

use serde_json::{Value, json};

use crate::client::{Client, Transport};
use crate::http::{self, Response};
use crate::{Failure, Server};

pub(crate) use requests::*;
pub(crate) use routes::*;
pub(crate) use tabs::*;

/// Le mot de passe des comptes créés par les vérifications. Il ne doit
/// jamais apparaître dans le terminal du serveur ni dans la base.
pub(crate) const PASSWORD: &str = "cheval-agrafe-correct";

/// Le port d'une adresse `http://127.0.0.1:<port>`.
pub(super) fn port_of(url: &str) -> u16 {
    url.rsplit(':')
        .next()
        .and_then(|p| p.trim_end_matches('/').parse().ok())
        .unwrap_or(0)
}

/// `POST path` avec un corps JSON et, s'il y en a un, le cookie.
pub(crate) async fn post(
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

pub(super) async fn me(port: u16, cookie: &str) -> Result<Response, Failure> {
    http::send(port, "GET", "/api/me", &[("Cookie", cookie)], "").await
}

/// `session=<identifiant>`, lu dans le `Set-Cookie` d'une réponse.
pub(super) fn cookie_of(response: &Response) -> Option<String> {
    let line = response.header("set-cookie")?;
    let pair = line.split(';').next()?.trim();
    pair.starts_with("session=").then(|| pair.to_owned())
}

pub(crate) fn body_json(response: &Response) -> Value {
    serde_json::from_slice(&response.body).unwrap_or(Value::Null)
}

/// Le `error` d'une réponse de refus, s'il est une phrase.
pub(super) fn error_of(response: &Response) -> Option<String> {
    body_json(response)
        .get("error")
        .and_then(Value::as_str)
        .map(str::to_owned)
}

pub(crate) fn credentials(pseudo: &str, password: &str) -> String {
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
pub(crate) fn expect_status(reply: &Response, status: u16, what: &str) -> Result<(), Failure> {
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

/// `server` : un chapitre à comptes ?
pub(crate) fn has_accounts(server: &Server) -> bool {
    server.accounts
}
