//! Se déconnecter ferme aussi la page des modérateurs : son pouvoir venait
//! de la même session.

use serde_json::json;

use super::{MODERATOR, ack_error};
use crate::client::{Client, Transport};
use crate::scenarios::accounts::{expect_status, join_account, post, session_for};
use crate::{Ctx, Failure, WAIT};

/// Le modérateur se déconnecte depuis le chat : sa page `/admin`, ouverte
/// avec la même session, est fermée, et une nouvelle connexion à `/admin`
/// avec l'ancien cookie est refusée.
pub(crate) async fn logout_closes_admin(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx.start().await?;
    let url = server.url();
    let cookie = session_for(&url, MODERATOR).await?;
    let headers = [("Cookie".to_owned(), cookie.clone())];
    let mut admin = Client::open_in(
        "/admin",
        &url,
        Transport::WebSocket,
        "page des modérateurs",
        None,
        None,
        &headers,
    )
    .await?;
    // Bob, que la page ouverte à tort pourrait encore exclure.
    let _bob = join_account(&url, "Bob", Transport::WebSocket).await?;
    let reply = post(server.port(), "/api/logout", "", Some(&cookie)).await?;
    expect_status(&reply, 204, "POST /api/logout du modérateur")?;
    if !admin.wait_closed(WAIT).await {
        // Encore ouverte : elle exclut encore, sans session.
        let reply = admin
            .emit_with_ack(
                "kick",
                vec![json!({ "pseudo": "Bob", "reason": "essai" })],
                WAIT,
            )
            .await;
        return Err(Failure::new(
            "la page des modérateurs est fermée quand le modérateur se déconnecte",
            format!(
                "elle est encore ouverte, et « kick » y répond {}",
                match reply {
                    Ok(reply) => match ack_error(&reply) {
                        Some(error) => format!("une erreur : {error}"),
                        None => format!("sans erreur : {reply:?}"),
                    },
                    Err(failure) => failure.to_string(),
                }
            ),
        ));
    }
    let message =
        Client::refused_in("/admin", &url, Transport::WebSocket, json!({}), &headers).await?;
    if !message.ends_with('.') {
        return Err(Failure::new(
            "/admin avec le cookie d'une session fermée : un refus en français",
            message,
        ));
    }
    Ok(())
}
