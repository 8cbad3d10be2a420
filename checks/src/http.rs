//! Des requêtes HTTP envoyées telles quelles, sans rien normaliser : un
//! navigateur ou un client HTTP retirerait `..` du chemin avant de l'envoyer,
//! on veut justement voir ce que fait le serveur quand on ne le retire pas.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::Failure;

/// Une réponse HTTP.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    /// La valeur d'un en-tête (nom insensible à la casse).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Le corps, en texte.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// `GET <target>` sur `127.0.0.1:<port>`, le chemin envoyé octet pour octet.
pub async fn get(port: u16, target: &str) -> Result<Response, Failure> {
    request(port, "GET", target, "").await
}

/// `POST <target>` avec `body` (texte) sur `127.0.0.1:<port>`.
pub async fn post(port: u16, target: &str, body: &str) -> Result<Response, Failure> {
    request(port, "POST", target, body).await
}

async fn request(port: u16, method: &str, target: &str, body: &str) -> Result<Response, Failure> {
    send(port, method, target, &[], body).await
}

/// Une requête `method target` avec des en-têtes en plus (`Cookie`…).
pub async fn send(
    port: u16,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Result<Response, Failure> {
    let what = format!("{method} {target}");
    let fail = |e: String| Failure::new(format!("une réponse HTTP à {what}"), e);
    let exchange = async {
        let mut stream = TcpStream::connect(("127.0.0.1", port))
            .await
            .map_err(|e| fail(format!("connexion impossible : {e}")))?;
        // Un corps sans type dit est du texte ; un type donné dans `headers`
        // n'est pas doublé (le serveur ne lirait que le premier).
        let typed = headers
            .iter()
            .any(|(name, _)| name.eq_ignore_ascii_case("content-type"));
        let length = match (method, typed) {
            ("GET", _) => String::new(),
            (_, true) => format!("Content-Length: {}\r\n", body.len()),
            (_, false) => format!(
                "Content-Type: text/plain;charset=UTF-8\r\nContent-Length: {}\r\n",
                body.len()
            ),
        };
        let extra: String = headers
            .iter()
            .map(|(name, value)| format!("{name}: {value}\r\n"))
            .collect();
        let request = format!(
            "{method} {target} HTTP/1.1\r\nHost: localhost:{port}\r\n{length}{extra}Connection: close\r\n\r\n{body}"
        );
        stream
            .write_all(request.as_bytes())
            .await
            .map_err(|e| fail(format!("envoi impossible : {e}")))?;
        let mut raw = Vec::new();
        stream
            .read_to_end(&mut raw)
            .await
            .map_err(|e| fail(format!("lecture impossible : {e}")))?;
        parse(&raw).ok_or_else(|| fail("réponse illisible".to_owned()))
    };
    tokio::time::timeout(Duration::from_secs(10), exchange)
        .await
        .map_err(|_| fail("pas de réponse en 10 s".to_owned()))?
}

fn parse(raw: &[u8]) -> Option<Response> {
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&raw[..split]).ok()?;
    let mut lines = head.split("\r\n");
    let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    let chunked = headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    if chunked {
        body = dechunk(&body)?;
    }
    Some(Response {
        status,
        headers,
        body,
    })
}

fn dechunk(mut data: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = data.windows(2).position(|w| w == b"\r\n")?;
        let size_text = std::str::from_utf8(&data[..line_end]).ok()?;
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        data = &data[line_end + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(data.get(..size)?);
        data = data.get(size + 2..)?;
    }
}
