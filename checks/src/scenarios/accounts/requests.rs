//! Les requêtes que la page n'envoie jamais : une autre méthode, un autre
//! type de corps, un corps démesuré. Chaque refus reste une phrase en JSON.

use super::*;
use crate::http::{self, Response};
use crate::{Ctx, Failure};

/// Un refus en JSON, avec une phrase en français (une espace, un point).
fn expect_sentence(reply: &Response, status: u16, what: &str) -> Result<(), Failure> {
    expect_status(reply, status, what)?;
    match error_of(reply) {
        Some(error) if error.contains(' ') && error.ends_with('.') => Ok(()),
        _ => Err(Failure::new(
            format!("{what} : {{ \"error\": <phrase en français> }}"),
            reply.text(),
        )),
    }
}

/// `GET /api/login`, `DELETE /api/me` : 405 avec `Allow` et une phrase ;
/// une connexion en `text/plain` (ce qu'un formulaire d'un autre site peut
/// envoyer sans rien demander) : 415, et aucune session ; un corps de
/// 3 Mo : 413.
pub(crate) async fn odd_requests(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx.start().await?;
    let port = server.port();
    for (method, path, allowed) in [("GET", "/api/login", "POST"), ("DELETE", "/api/me", "GET")] {
        let what = format!("{method} {path}");
        let reply = http::send(port, method, path, &[], "").await?;
        expect_sentence(&reply, 405, &what)?;
        if !reply.header("allow").is_some_and(|a| a.contains(allowed)) {
            return Err(Failure::new(
                format!("{what} : l'en-tête Allow nomme {allowed}"),
                format!("{:?}", reply.header("allow")),
            ));
        }
    }
    post(port, "/api/signup", &credentials("Alice", PASSWORD), None).await?;
    let what = "POST /api/login en text/plain (formulaire d'un autre site)";
    let reply = http::send(
        port,
        "POST",
        "/api/login",
        &[("Content-Type", "text/plain")],
        &credentials("Alice", PASSWORD),
    )
    .await?;
    expect_sentence(&reply, 415, what)?;
    if let Some(cookie) = reply.header("set-cookie") {
        return Err(Failure::new(
            format!("{what} : aucune session ouverte"),
            cookie.to_owned(),
        ));
    }
    let huge = format!(
        "{{\"pseudo\":\"Zoé\",\"password\":\"{}\"}}",
        "x".repeat(3_000_000)
    );
    let reply = post(port, "/api/signup", &huge, None).await?;
    expect_sentence(&reply, 413, "POST /api/signup avec un corps de 3 Mo")
}
