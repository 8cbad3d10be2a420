//! Les gestes des clients du test de reprise : un onglet par nginx, un
//! message et son accusé, ce que chacun reçoit, quel processus sert qui, et
//! une requête venue d'une autre adresse.

use std::time::Duration;

use checks::client::{Client, Transport};
use checks::server::Server;
use checks::stack::{parse_message, tab_with_headers};
use checks::{Failure, WAIT};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Un onglet par nginx, avec son cookie et l'Origin d'une page de ce site
/// (un navigateur en joint un à une poignée de main WebSocket seule, ou
/// venue d'un autre site) : le chat compare Origin et Host.
pub async fn page(
    port: u16,
    cookie: &str,
    offset: i64,
    name: &str,
    transport: Transport,
    origin: &str,
) -> Result<Client, Failure> {
    tab_with_headers(port, cookie, offset, name, transport, &[("Origin", origin)]).await
}

/// Combien de fois `pseudo` s'est connecté à `process`.
pub fn connections(process: &Server, pseudo: &str) -> usize {
    let prefix = format!("{pseudo} vient de se connecter (");
    process
        .log()
        .stdout()
        .iter()
        .filter(|l| l.starts_with(&prefix))
        .count()
}

/// Le processus (0 ou 1) auquel nginx a envoyé `pseudo`.
pub fn serving(processes: &[Option<Server>; 2], pseudo: &str) -> Result<usize, Failure> {
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
pub async fn say(
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
pub async fn receive(client: &mut Client, said: &[(String, String, i64)]) -> Result<(), Failure> {
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
pub async fn get_from(from: [u8; 4], port: u16, target: &str) -> Result<String, Failure> {
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
