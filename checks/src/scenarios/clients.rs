//! Chapitre 6 : qui est connecté.

use crate::client::show_lines;
use futures_util::future::join_all;

use super::*;
use crate::client::{Client, Transport};
use crate::proxy::Proxy;
use crate::{Ctx, Failure};

pub(super) async fn client_info(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx.start().await?;
    let mut clients = Vec::new();
    for (i, transport) in Transport::BOTH.into_iter().enumerate() {
        clients.push(connect(&ctx, &server.url(), transport, transport.label()).await?);
        let count_line = format!("#clients connectés : {}", i + 1);
        server.expect_line(&count_line, 1).await?;
        let lines = server.log().stdout();
        let at = lines.iter().position(|l| *l == count_line).unwrap_or(0);
        let id_line = lines.get(at.wrapping_sub(2)).cloned().unwrap_or_default();
        let ip_line = lines.get(at.wrapping_sub(1)).cloned().unwrap_or_default();
        let id = id_line
            .strip_prefix("Un client vient de se connecter. Son ID : ")
            .unwrap_or("");
        if id.len() < 8 || id.contains(' ') {
            return Err(Failure::new(
                "« Un client vient de se connecter. Son ID : <id> », juste avant l'adresse IP",
                format!("« {id_line} »"),
            ));
        }
        if ip_line != "Adresse IP du client : 127.0.0.1" {
            return Err(Failure::new(
                "« Adresse IP du client : 127.0.0.1 » (l'adresse de la connexion), juste avant le nombre de clients",
                format!("« {ip_line} »"),
            ));
        }
    }
    Ok(())
}

pub(super) async fn disconnect_count(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx.start().await?;
    let mut clients = connect_many(&ctx, &server.url(), 3, "onglet ").await?;
    server.expect_line("#clients connectés : 3", 1).await?;
    let last = clients.pop();
    // Deux onglets fermés en même temps.
    join_all(clients.into_iter().map(Client::disconnect)).await;
    let prefix = "#clients connectés après déconnexion : ";
    let lines = server.expect_prefix(prefix, 2).await.map_err(|mut f| {
        f.expected = format!("« {prefix}2 » puis « {prefix}1 » quand deux onglets se ferment");
        f
    })?;
    let mut counts: Vec<&str> = lines.iter().map(|l| &l[prefix.len()..]).collect();
    counts.sort_unstable();
    if counts != ["1", "2"] {
        return Err(Failure::new(
            format!("« {prefix}2 » et « {prefix}1 » (le client parti n'est plus compté)"),
            show_lines(&lines),
        ));
    }
    if let Some(last) = last {
        last.disconnect().await;
    }
    server.expect_line(&format!("{prefix}0"), 1).await
}

pub(super) async fn vanished_client(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx
        // Un battement de cœur court, mais pas au point qu'un client ralenti
        // par une machine chargée manque sa poignée de main.
        .start_with(&[("PING_INTERVAL_MS", "2000"), ("PING_TIMEOUT_MS", "2000")])
        .await?;
    let _stays = connect(&ctx, &server.url(), Transport::WebSocket, "présent").await?;
    let proxy = Proxy::start(server.port()).await?;
    let _gone = connect(&ctx, &proxy.url(), Transport::WebSocket, "disparu").await?;
    server.expect_line("#clients connectés : 2", 1).await?;
    proxy.freeze();
    server
        .expect_line("#clients connectés après déconnexion : 1", 1)
        .await
}
