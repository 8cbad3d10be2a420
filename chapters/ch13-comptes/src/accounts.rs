//! Les comptes, côté HTTP : des routes axum à côté de Socket.IO.
//!
//! - `POST /api/signup` crée un compte et ouvre une session ;
//! - `POST /api/login` ouvre une session ;
//! - `GET /api/me` dit qui est connecté ;
//! - `POST /api/logout` termine les sessions du compte et déconnecte tous
//!   ses onglets.
//!
//! Ce module assemble les quatre routes et tient les deux qui lisent le
//! cookie ; les deux qui reçoivent un mot de passe sont dans `login.rs`.
//! Chaque refus répond `{ "error": "<phrase en français>" }`, jamais une
//! erreur 500 pour une requête mal formée.

// ANCHOR: all
use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

use crate::SocketIo;
use crate::login::{login, signup};
use crate::passwords;
use crate::presence::room_of;
use crate::session::{account_of, clear_cookie, fingerprint, new_token, over_https, set_cookie};
use crate::store::{Account, Store};
use crate::throttle::Attempts;

/// Ce que les routes partagent.
#[derive(Clone)]
pub struct Web {
    pub store: Store,
    pub io: SocketIo,
    /// Le frein aux essais de mots de passe (`throttle.rs`).
    pub attempts: Arc<Attempts>,
    /// L'empreinte d'un mot de passe quelconque : vérifiée quand le pseudo
    /// n'existe pas, pour que la réponse prenne le même temps.
    pub decoy: Arc<String>,
}

// ANCHOR: routes
/// Les quatre routes, prêtes à être ajoutées au `Router` du chat.
pub fn routes(store: Store, io: SocketIo) -> Result<Router, String> {
    let decoy = passwords::decoy()?;
    let web = Web {
        attempts: Arc::new(Attempts::new(&store)),
        store,
        io,
        decoy: Arc::new(decoy),
    };
    Ok(Router::new()
        .route("/api/signup", post(signup))
        .route("/api/login", post(login))
        .route("/api/me", get(me))
        .route("/api/logout", post(logout))
        .method_not_allowed_fallback(not_allowed)
        .with_state(web))
}
// ANCHOR_END: routes

/// Une méthode que la route n'accepte pas (`GET /api/login`, l'adresse
/// ouverte dans le navigateur) : 405, avec une phrase comme tout refus ;
/// axum ajoute l'en-tête `Allow`, qui dit les méthodes acceptées.
async fn not_allowed(method: Method, uri: Uri) -> Response {
    refuse(
        StatusCode::METHOD_NOT_ALLOWED,
        &format!("{} n'accepte pas la méthode {method}.", uri.path()),
    )
}

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
    let account = match account_of(&headers, &web.store).await {
        Ok(account) => account,
        // La base ne répond pas : impossible de savoir quelle session
        // fermer. On le dit, et le cookie reste, pour réessayer ; répondre
        // « déconnecté » laisserait la session ouverte sans le dire.
        Err(_) => {
            println!("Déconnexion impossible\u{a0}: la session n'a pas pu être lue");
            return refuse(StatusCode::INTERNAL_SERVER_ERROR, UNAVAILABLE);
        }
    };
    if let Some(account) = account {
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
        // La page des modérateurs (`/admin`, à partir du chapitre 14) entre
        // elle aussi dans la salle du compte : fermée de même.
        if let Some(admin) = web.io.of("/admin") {
            admin.to(room_of(&account.key)).disconnect().await.ok();
        }
    }
    (
        StatusCode::NO_CONTENT,
        [(header::SET_COOKIE, clear_cookie(over_https(&headers)))],
    )
        .into_response()
}
// ANCHOR_END: logout

/// Une session neuve pour `account` : son identifiant part dans un cookie,
/// son empreinte dans la base. L'inscription et la connexion finissent
/// toutes deux ici.
pub async fn open_session(
    web: &Web,
    account: Account,
    status: StatusCode,
    secure: bool,
) -> Response {
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

/// La phrase d'une panne du serveur (base, hachage, hasard) : le détail va
/// dans le terminal, pas au navigateur.
pub const UNAVAILABLE: &str =
    "Le serveur n'a pas pu traiter la demande\u{a0}; réessayez dans un instant.";

/// Un refus : `{ "error": why }`, avec son statut.
pub fn refuse(status: StatusCode, why: &str) -> Response {
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
