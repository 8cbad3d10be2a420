//! Le vrai nginx de l'annexe « Mettre en ligne »
//! (`deploy/nginx/chat-en-ligne.conf`, lu sur le disque) devant deux
//! processus du chapitre 15, pour les tests du déploiement
//! (`deploy/tests/`) et le test du chapitre dans Chromium
//! (`chapters/ch15-en-ligne/tests/browser.rs`).
//!
//! Le test remplace seulement ce qui dépend de la machine :
//! - `listen 80;` (le serveur qui renvoie vers HTTPS) : un port libre ;
//! - `listen 443 ssl;` : un port libre, en TLS, avec un certificat
//!   autosigné fait pour le test par `openssl req` à la place de celui de
//!   Let's Encrypt ;
//! - les deux `127.0.0.1:300x` : les ports des deux processus.
//!
//! Et il ajoute une chose : une deuxième écoute, en HTTP simple, au *même*
//! bloc `server` que HTTPS. Les clients Socket.IO des tests (le crate
//! `rust_socketio`, par [`crate::client`]) et le Chromium des tests
//! n'acceptent pas un certificat autosigné ; par cette écoute, ils passent
//! par exactement les mêmes réglages que la production (relais, en-têtes,
//! WebSocket, `ip_hash`, reprise sur l'autre processus, `/metrics`
//! réservé), le chiffrement en moins. Plutôt que de faire relayer le
//! serveur du port 80, ce qui ne testerait plus sa redirection : celle-ci
//! est vérifiée telle quelle, et TLS l'est par `openssl s_client`
//! ([`https`]).
//!
//! Sans `openssl`, le serveur HTTPS perd son `ssl` et ses deux lignes de
//! certificat (un message visible le dit ; en CI, c'est une erreur :
//! `openssl` vient avec le paquet `postgresql`, par `ssl-cert`).

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::Failure;
use crate::nginx::{self, Nginx};

/// Le fichier de l'annexe.
pub const SITE: &str = "chat-en-ligne.conf";

const CERTIFICATE: &str = "/etc/letsencrypt/live/chat.example.fr/fullchain.pem";
const KEY: &str = "/etc/letsencrypt/live/chat.example.fr/privkey.pem";

/// nginx en marche devant deux processus.
pub struct Front {
    pub nginx: Nginx,
    /// Le serveur `listen 80;` : la redirection vers HTTPS.
    pub redirect: u16,
    /// Le serveur `listen 443 ssl;`, en TLS ; `None` sans `openssl`.
    pub tls: Option<u16>,
    /// Le même serveur, en HTTP simple (l'écoute ajoutée par le test).
    pub plain: u16,
    /// `openssl`, pour parler TLS au serveur HTTPS.
    pub openssl: Option<PathBuf>,
    /// Le certificat autosigné et sa clé.
    _certificate: Option<tempfile::TempDir>,
}

impl Front {
    /// Lance nginx avec le fichier de l'annexe, devant les processus des
    /// ports `a` et `b`.
    pub fn start(program: &Path, test: &str, a: u16, b: u16) -> Result<Front, Failure> {
        let openssl = openssl_or_skip(test);
        let (redirect, plain) = (nginx::free_port(), nginx::free_port());
        let site = nginx::site(SITE);
        let site = nginx::replace(
            &site,
            "listen 80;",
            &format!("listen 127.0.0.1:{redirect};"),
        );
        let site = nginx::replace(&site, "127.0.0.1:3000", &format!("127.0.0.1:{a}"));
        let site = nginx::replace(&site, "127.0.0.1:3001", &format!("127.0.0.1:{b}"));
        let plain_listen = format!(
            "# Ajouté par le test : le même serveur en HTTP simple.\n    \
             listen 127.0.0.1:{plain};"
        );
        let (site, tls, certificate) = match &openssl {
            Some(openssl) => {
                let dir = self_signed(openssl)?;
                let tls = nginx::free_port();
                let cert = dir.path().join("cert.pem");
                let key = dir.path().join("key.pem");
                let site = nginx::replace(
                    &site,
                    "listen 443 ssl;",
                    &format!("listen 127.0.0.1:{tls} ssl;\n    {plain_listen}"),
                );
                let site = nginx::replace(&site, CERTIFICATE, &cert.to_string_lossy());
                let site = nginx::replace(&site, KEY, &key.to_string_lossy());
                (site, Some(tls), Some(dir))
            }
            None => {
                let site = nginx::replace(&site, "listen 443 ssl;", &plain_listen);
                let site = nginx::replace(&site, &format!("ssl_certificate {CERTIFICATE};"), "");
                let site = nginx::replace(&site, &format!("ssl_certificate_key {KEY};"), "");
                (site, None, None)
            }
        };
        Ok(Front {
            nginx: Nginx::start(program, &site, plain),
            redirect,
            tls,
            plain,
            openssl,
            _certificate: certificate,
        })
    }

    /// `http://127.0.0.1:<écoute HTTP simple>`
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.plain)
    }
}

/// `openssl` : la variable `OPENSSL`, puis le `PATH`. Absent : `None` après
/// un message bien visible, ou une panique en CI.
fn openssl_or_skip(test: &str) -> Option<PathBuf> {
    let from_env = std::env::var_os("OPENSSL").map(PathBuf::from);
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|dir| dir.join("openssl"));
    let found = from_env.into_iter().chain(on_path).find(|p| p.is_file());
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "{test} : openssl est introuvable, et la variable CI interdit de tester \
             nginx sans HTTPS. Installez-le : apt-get install -y openssl"
        );
        let _ = writeln!(
            std::io::stderr(),
            "\n*** {test} : openssl est introuvable : le serveur HTTPS de nginx est \
             testé SANS TLS (ni certificat ni chiffrement). Pour le tester en entier : \
             apt-get install -y openssl. ***"
        );
    }
    found
}

/// Un certificat autosigné pour `localhost`, valable un jour, et sa clé,
/// dans un dossier temporaire.
fn self_signed(openssl: &Path) -> Result<tempfile::TempDir, Failure> {
    let dir = tempfile::tempdir()
        .map_err(|e| Failure::new("un dossier temporaire pour le certificat", e.to_string()))?;
    let output = std::process::Command::new(openssl)
        .args(["req", "-x509", "-newkey", "rsa:2048", "-nodes"])
        .args(["-subj", "/CN=localhost", "-days", "1"])
        .arg("-keyout")
        .arg(dir.path().join("key.pem"))
        .arg("-out")
        .arg(dir.path().join("cert.pem"))
        .stdin(Stdio::null())
        .output()
        .map_err(|e| Failure::new("openssl req fait un certificat autosigné", e.to_string()))?;
    if !output.status.success() {
        return Err(Failure::new(
            "openssl req fait un certificat autosigné",
            String::from_utf8_lossy(&output.stderr).into_owned(),
        ));
    }
    Ok(dir)
}

/// Une réponse HTTP lue à travers TLS.
#[derive(Debug)]
pub struct TlsResponse {
    pub status: u16,
    /// Les en-têtes, nom en minuscules.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl TlsResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Envoie `request` (une requête HTTP entière, lignes finies par `\r\n`)
/// au port TLS `port` par `openssl s_client`, comme le ferait un
/// navigateur qui accepte le certificat autosigné. Lit la réponse jusqu'à
/// ce que nginx ferme la connexion, ou jusqu'à la fin de ses en-têtes si
/// `headers_only` (un WebSocket reste ouvert).
pub async fn https(
    openssl: &Path,
    port: u16,
    request: &str,
    headers_only: bool,
) -> Result<TlsResponse, Failure> {
    let first_line = request.lines().next().unwrap_or_default().to_owned();
    let what = format!("une réponse HTTPS à « {first_line} » (port {port})");
    let mut child = tokio::process::Command::new(openssl)
        .args(["s_client", "-quiet", "-servername", "localhost", "-connect"])
        .arg(format!("127.0.0.1:{port}"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| Failure::new(what.clone(), format!("openssl s_client : {e}")))?;
    // `-quiet` lit la réponse jusqu'au bout même après la fin de l'entrée.
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(request.as_bytes())
            .await
            .map_err(|e| Failure::new(what.clone(), format!("envoi impossible : {e}")))?;
    }
    let mut stdout = child
        .stdout
        .take()
        .ok_or_else(|| Failure::new(what.clone(), "pas de sortie standard"))?;
    let mut raw = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), async {
        let mut chunk = [0_u8; 4096];
        loop {
            match stdout.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => raw.extend_from_slice(&chunk[..n]),
            }
            if headers_only && raw.windows(4).any(|w| w == b"\r\n\r\n") {
                return;
            }
        }
    })
    .await;
    child.start_kill().ok();
    let mut stderr = String::new();
    if let Some(mut err) = child.stderr.take() {
        let _ = tokio::time::timeout(Duration::from_secs(2), err.read_to_string(&mut stderr)).await;
    }
    child.wait().await.ok();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let parsed = parse(&text);
    match (read, parsed) {
        (_, Some(response)) => Ok(response),
        (Err(_), None) => Err(Failure::new(
            what,
            format!("pas de réponse en 10 s ; lu : « {text} » ; openssl : {stderr}"),
        )),
        (Ok(()), None) => Err(Failure::new(
            what,
            format!("réponse illisible : « {text} » ; openssl : {stderr}"),
        )),
    }
}

fn parse(text: &str) -> Option<TlsResponse> {
    let (head, body) = text.split_once("\r\n\r\n")?;
    let mut lines = head.split("\r\n");
    let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    Some(TlsResponse {
        status,
        headers,
        body: body.to_owned(),
    })
}
