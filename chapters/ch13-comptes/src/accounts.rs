//! Les comptes, côté HTTP : des routes axum à côté de Socket.IO.
//!
//! - `POST /api/signup` crée un compte et ouvre une session ;
//! - `POST /api/login` ouvre une session ;
//! - `GET /api/me` dit qui est connecté ;
//! - `POST /api/logout` termine les sessions du compte et déconnecte tous
//!   ses onglets.
//!
//! Chaque refus répond `{ "error": "<phrase en français>" }`, jamais une
//! erreur 500 pour une requête mal formée.

// ANCHOR: all
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};
use support::{nickname_from_auth, nickname_key};

use crate::SocketIo;
use crate::presence::room_of;
use crate::session::{account_of, clear_cookie, fingerprint, new_token, over_https, set_cookie};
use crate::store::{Account, Store, StoreError};

/// Longueur minimale d'un mot de passe, en caractères.
pub const MIN_PASSWORD_CHARS: usize = 8;
/// Longueur maximale : hacher coûte cher, on ne hache pas un roman.
const MAX_PASSWORD_CHARS: usize = 256;
/// Au-delà de tant d'échecs en une minute pour un pseudo, on attend.
const MAX_FAILURES: usize = 5;
const FAILURE_WINDOW: Duration = Duration::from_secs(60);

/// Ce que les routes partagent.
#[derive(Clone)]
struct Web {
    store: Store,
    io: SocketIo,
    failures: Arc<Failures>,
    /// L'empreinte d'un mot de passe quelconque : vérifiée quand le pseudo
    /// n'existe pas, pour que la réponse prenne le même temps.
    decoy: Arc<String>,
}

// ANCHOR: routes
/// Les quatre routes, prêtes à être ajoutées au `Router` du chat.
pub fn routes(store: Store, io: SocketIo) -> Result<Router, String> {
    let decoy = hash_now("un mot de passe qui ne sert à rien")?;
    let web = Web {
        store,
        io,
        failures: Arc::default(),
        decoy: Arc::new(decoy),
    };
    Ok(Router::new()
        .route("/api/signup", post(signup))
        .route("/api/login", post(login))
        .route("/api/me", get(me))
        .route("/api/logout", post(logout))
        .with_state(web))
}
// ANCHOR_END: routes

// ANCHOR: signup
async fn signup(State(web): State<Web>, headers: HeaderMap, body: Bytes) -> Response {
    let (pseudo, password) = match credentials(&body) {
        Ok(both) => both,
        Err(why) => return refuse(StatusCode::BAD_REQUEST, &why),
    };
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return refuse(
            StatusCode::BAD_REQUEST,
            &format!(
                "Le mot de passe est trop court\u{a0}: {MIN_PASSWORD_CHARS}\u{a0}caractères au moins."
            ),
        );
    }
    // Hacher prend exprès du temps et de la mémoire (c'est ce qui ralentit
    // qui voudrait essayer des millions de mots de passe) : sur un fil à
    // part, comme une écriture SQLite au chapitre 11.
    let Ok(Ok(hash)) = tokio::task::spawn_blocking(move || hash_now(&password)).await else {
        return refuse(StatusCode::INTERNAL_SERVER_ERROR, UNAVAILABLE);
    };
    let account = Account {
        key: nickname_key(&pseudo),
        pseudo,
    };
    match web.store.create_account(account.clone(), hash).await {
        Ok(()) => {
            println!("Nouveau compte\u{a0}: {}", account.pseudo);
            open_session(&web, account, StatusCode::CREATED, over_https(&headers)).await
        }
        Err(StoreError::Taken) => refuse(
            StatusCode::CONFLICT,
            &format!(
                "Le pseudo «\u{a0}{}\u{a0}» est déjà pris\u{a0}: choisissez-en un autre.",
                account.pseudo
            ),
        ),
        Err(StoreError::Failed(why)) => {
            println!("Compte non créé\u{a0}: {why}");
            refuse(StatusCode::INTERNAL_SERVER_ERROR, UNAVAILABLE)
        }
    }
}
// ANCHOR_END: signup

// ANCHOR: login
async fn login(State(web): State<Web>, headers: HeaderMap, body: Bytes) -> Response {
    let (pseudo, password) = match credentials(&body) {
        Ok(both) => both,
        Err(why) => return refuse(StatusCode::BAD_REQUEST, &why),
    };
    let key = nickname_key(&pseudo);
    if let Some(wait) = web.failures.wait(&key) {
        return refuse(
            StatusCode::TOO_MANY_REQUESTS,
            &format!("Trop d'essais manqués pour ce pseudo\u{a0}: réessayez dans {wait}\u{a0}s."),
        );
    }
    let (account, hash) = match web.store.find_account(key.clone()).await {
        Ok(Some((account, hash))) => (Some(account), hash),
        // Pseudo inconnu : on vérifie quand même une empreinte, pour que la
        // réponse ne soit pas plus rapide (sinon, le temps de réponse
        // dirait quels pseudos existent).
        Ok(None) => (None, web.decoy.to_string()),
        Err(why) => {
            println!("Connexion impossible\u{a0}: {why}");
            return refuse(StatusCode::INTERNAL_SERVER_ERROR, UNAVAILABLE);
        }
    };
    let matches = tokio::task::spawn_blocking(move || verify_now(&password, &hash))
        .await
        .unwrap_or(false);
    match account {
        Some(account) if matches => {
            web.failures.forget(&key);
            open_session(&web, account, StatusCode::OK, over_https(&headers)).await
        }
        // Pseudo inconnu ou mauvais mot de passe : la même phrase, pour ne
        // pas dire à un inconnu quels comptes existent.
        _ => {
            web.failures.record(&key);
            println!("Connexion manquée pour le pseudo «\u{a0}{pseudo}\u{a0}»");
            refuse(
                StatusCode::UNAUTHORIZED,
                "Pseudo ou mot de passe incorrect.",
            )
        }
    }
}
// ANCHOR_END: login

// ANCHOR: me
async fn me(State(web): State<Web>, headers: HeaderMap) -> Response {
    match account_of(&headers, &web.store).await {
        Ok(Some(account)) => json_reply(StatusCode::OK, &json!({ "pseudo": account.pseudo })),
        Ok(None) => refuse(StatusCode::UNAUTHORIZED, "Vous n'êtes pas connecté."),
        Err(_) => refuse(StatusCode::INTERNAL_SERVER_ERROR, UNAVAILABLE),
    }
}
// ANCHOR_END: me

// ANCHOR: logout
/// Se déconnecter termine *toutes* les sessions du compte, puis ferme
/// chacun de ses onglets, avec la raison (`logged out`) que la page affiche.
async fn logout(State(web): State<Web>, headers: HeaderMap) -> Response {
    if let Ok(Some(account)) = account_of(&headers, &web.store).await {
        if let Err(why) = web.store.end_sessions(account.key.clone()).await {
            println!("Déconnexion impossible\u{a0}: {why}");
            return refuse(StatusCode::INTERNAL_SERVER_ERROR, UNAVAILABLE);
        }
        println!("{} se déconnecte de partout", account.pseudo);
        let tabs = web.io.to(room_of(&account.key));
        tabs.emit(
            "logged out",
            "Vous êtes déconnecté\u{a0}: la session a été fermée depuis l'un de vos onglets.",
        )
        .await
        .ok();
        web.io.to(room_of(&account.key)).disconnect().await.ok();
    }
    (
        StatusCode::NO_CONTENT,
        [(header::SET_COOKIE, clear_cookie(over_https(&headers)))],
    )
        .into_response()
}
// ANCHOR_END: logout

/// Une session neuve pour `account` : son identifiant part dans un cookie,
/// son empreinte dans la base.
async fn open_session(web: &Web, account: Account, status: StatusCode, secure: bool) -> Response {
    let Ok(token) = new_token() else {
        return refuse(StatusCode::INTERNAL_SERVER_ERROR, UNAVAILABLE);
    };
    if let Err(why) = web
        .store
        .start_session(fingerprint(&token), account.key)
        .await
    {
        println!("Session non ouverte\u{a0}: {why}");
        return refuse(StatusCode::INTERNAL_SERVER_ERROR, UNAVAILABLE);
    }
    let mut reply = json_reply(status, &json!({ "pseudo": account.pseudo }));
    if let Ok(cookie) = set_cookie(&token, secure).parse() {
        reply.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    reply
}

// ANCHOR: credentials
/// Lit `{ "pseudo": …, "password": … }` ; le pseudo suit les règles du
/// chapitre 9. L'erreur est la phrase à renvoyer.
fn credentials(body: &[u8]) -> Result<(String, String), String> {
    let Ok(body) = serde_json::from_slice::<Value>(body) else {
        return Err(
            "Requête mal formée\u{a0}: envoyez un objet JSON avec «\u{a0}pseudo\u{a0}» et «\u{a0}password\u{a0}»."
                .to_owned(),
        );
    };
    let pseudo = nickname_from_auth(Some(&body)).map_err(|e| e.to_string())?;
    match body.get("password") {
        Some(Value::String(password)) if password.chars().count() > MAX_PASSWORD_CHARS => {
            Err(format!(
                "Le mot de passe est trop long\u{a0}: {MAX_PASSWORD_CHARS}\u{a0}caractères au plus."
            ))
        }
        Some(Value::String(password)) => Ok((pseudo, password.clone())),
        None | Some(Value::Null) => Err("Écrivez un mot de passe.".to_owned()),
        Some(_) => Err("Le mot de passe doit être un texte.".to_owned()),
    }
}
// ANCHOR_END: credentials

// ANCHOR: argon2
/// L'empreinte Argon2id d'un mot de passe, avec un sel tiré au hasard, au
/// format PHC (`$argon2id$v=19$m=…`) : l'algorithme, ses réglages et le sel
/// voyagent avec elle.
fn hash_now(password: &str) -> Result<String, String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|e| format!("le hachage du mot de passe a échoué\u{a0}: {e}"))
}

/// `password` correspond-il à l'empreinte `hash` ?
fn verify_now(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|hash| {
        Argon2::default()
            .verify_password(password.as_bytes(), &hash)
            .is_ok()
    })
}
// ANCHOR_END: argon2

// ANCHOR: failures
/// Les échecs de connexion récents, par pseudo.
#[derive(Default)]
struct Failures(Mutex<HashMap<String, Vec<Instant>>>);

impl Failures {
    /// Le nombre de secondes à attendre, si ce pseudo a déjà manqué
    /// [`MAX_FAILURES`] fois dans la dernière minute.
    fn wait(&self, key: &str) -> Option<u64> {
        let failures = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let recent = failures.get(key)?;
        let oldest = recent.iter().rev().nth(MAX_FAILURES - 1)?;
        let left = FAILURE_WINDOW.checked_sub(oldest.elapsed())?;
        Some(left.as_secs() + 1)
    }

    fn record(&self, key: &str) {
        let mut failures = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        // Oublier les échecs de plus d'une minute, pour tous les pseudos :
        // la table ne grandit pas sans fin.
        failures.retain(|_, times| {
            times.retain(|t| t.elapsed() < FAILURE_WINDOW);
            !times.is_empty()
        });
        failures
            .entry(key.to_owned())
            .or_default()
            .push(Instant::now());
    }

    fn forget(&self, key: &str) {
        let mut failures = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        failures.remove(key);
    }
}
// ANCHOR_END: failures

const UNAVAILABLE: &str =
    "Le serveur n'a pas pu traiter la demande\u{a0}; réessayez dans un instant.";

fn refuse(status: StatusCode, why: &str) -> Response {
    json_reply(status, &json!({ "error": why }))
}

fn json_reply(status: StatusCode, body: &Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        body.to_string(),
    )
        .into_response()
}
// ANCHOR_END: all
