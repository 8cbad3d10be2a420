//! La session : un identifiant tiré au hasard, que le navigateur garde dans
//! un cookie et renvoie à chaque requête — aux routes HTTP comme à la
//! poignée de main de Socket.IO, qui est elle-même une requête HTTP.
//!
//! Le même cookie sert donc aux deux : ce module le lit pour les routes
//! (`accounts.rs`) et pour le middleware de connexion de Socket.IO
//! ([`check_session`]).

// ANCHOR: all
use axum::http::{HeaderMap, header};
use sha2::{Digest, Sha256};
use socketioxide::extract::State;

use crate::Chat;
use crate::SocketRef;
use crate::store::{Account, SESSION_SECONDS, Store, StoreError};

/// Le nom du cookie.
pub const COOKIE: &str = "session";

// ANCHOR: token
/// Un identifiant de session neuf : 32 octets du générateur aléatoire du
/// système, écrits en hexadécimal. Impossible à deviner, contrairement à un
/// compteur ou à l'heure.
pub fn new_token() -> Result<String, String> {
    let mut bytes = [0_u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| format!("le générateur aléatoire du système a échoué\u{a0}: {e}"))?;
    Ok(hex(&bytes))
}

/// L'empreinte SHA-256 d'un identifiant : c'est elle que la base garde.
pub fn fingerprint(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}
// ANCHOR_END: token

// ANCHOR: cookie
/// L'en-tête `Set-Cookie` qui confie l'identifiant au navigateur :
/// - `HttpOnly` : le JavaScript de la page ne peut pas le lire (une faille
///   qui injecterait du script ne volerait pas la session) ;
/// - `SameSite=Lax` : le navigateur ne l'envoie pas avec un formulaire
///   posté depuis un autre site ;
/// - `Max-Age` : il l'oublie au bout d'une semaine, comme la base.
///
/// - `Secure`, quand la requête est arrivée en HTTPS ([`over_https`]) : le
///   navigateur ne l'enverra jamais en clair. Pas sur `http://localhost`,
///   où un cookie `Secure` ne serait pas renvoyé.
pub fn set_cookie(token: &str, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{COOKIE}={token}; HttpOnly; SameSite=Lax; Path=/; Max-Age={SESSION_SECONDS}{secure}")
}

/// L'en-tête qui fait oublier le cookie au navigateur.
pub fn clear_cookie(secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{COOKIE}=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0{secure}")
}

/// La requête est-elle arrivée en HTTPS ? Le serveur lui-même ne parle que
/// HTTP : derrière nginx, c'est l'en-tête `X-Forwarded-Proto` qui le dit
/// (voir l'annexe « Mettre en ligne »).
pub fn over_https(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .and_then(|proto| proto.to_str().ok())
        .is_some_and(|proto| proto.eq_ignore_ascii_case("https"))
}

/// L'identifiant lu dans l'en-tête `Cookie` de la requête, s'il y en a un.
pub fn token_from(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|line| line.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, token)| token.to_owned())
        .filter(|token| !token.is_empty())
}

/// Le compte de la session de cette requête ; `None` sans session valable.
pub async fn account_of(headers: &HeaderMap, store: &Store) -> Result<Option<Account>, StoreError> {
    match token_from(headers) {
        Some(token) => store.session_account(fingerprint(&token)).await,
        None => Ok(None),
    }
}
// ANCHOR_END: cookie

// ANCHOR: origin
/// L'en-tête `Origin` d'une requête venue d'une page d'un *autre* site ;
/// `None` s'il est absent (un programme qui n'est pas un navigateur) ou
/// s'il désigne ce serveur-ci (même schéma, même hôte, même port).
pub fn foreign_origin(headers: &HeaderMap) -> Option<String> {
    let origin = headers.get(header::ORIGIN)?.to_str().unwrap_or("?");
    let host = headers
        .get(header::HOST)
        .and_then(|host| host.to_str().ok())
        .unwrap_or("");
    // Derrière nginx en HTTPS, c'est lui qui dit par quel schéma la requête
    // est arrivée.
    let scheme = headers
        .get("x-forwarded-proto")
        .and_then(|proto| proto.to_str().ok())
        .unwrap_or("http");
    let own = format!("{scheme}://{host}");
    (!origin.eq_ignore_ascii_case(&own)).then(|| origin.to_owned())
}
// ANCHOR_END: origin

// ANCHOR: middleware
/// Le middleware de connexion de Socket.IO : l'identité vient du cookie de
/// la poignée de main, et d'elle seule (la donnée `auth` n'est plus lue).
/// Le compte trouvé est rangé dans les extensions de la connexion : les
/// gestionnaires le reçoivent par l'extracteur `Extension<Account>`.
pub async fn check_session(socket: SocketRef, State(chat): State<Chat>) -> Result<(), String> {
    let headers = &socket.req_parts().headers;
    // Le détournement de WebSocket entre sites : une page d'un autre site
    // ouverte dans le même navigateur peut lancer une connexion vers ce
    // serveur, et le navigateur y joint le cookie. Seul `Origin` trahit
    // d'où vient la page.
    if let Some(origin) = foreign_origin(headers) {
        println!("Connexion refusée\u{a0}: une page de «\u{a0}{origin}\u{a0}» n'est pas la nôtre");
        return Err("Connexion refusée\u{a0}: cette page ne vient pas du chat.".to_owned());
    }
    match account_of(headers, &chat.store).await {
        Ok(Some(account)) => {
            socket.extensions.insert(account);
            Ok(())
        }
        Ok(None) => {
            println!("Connexion refusée\u{a0}: pas de session valable");
            Err("Connectez-vous d'abord\u{a0}: votre session est absente ou terminée.".to_owned())
        }
        Err(e) => {
            println!("Connexion refusée\u{a0}: la session n'a pas pu être lue ({e})");
            Err("Le serveur n'a pas pu lire votre session\u{a0}; réessayez.".to_owned())
        }
    }
}
// ANCHOR_END: middleware

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
// ANCHOR_END: all
