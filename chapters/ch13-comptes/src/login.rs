//! S'inscrire et se connecter : les deux routes qui reçoivent un mot de
//! passe (`POST /api/signup` et `POST /api/login`). La lecture de leur
//! corps est dans `login/credentials.rs`. Toutes deux finissent par ouvrir
//! une session (`accounts.rs`).

// ANCHOR: all
// Lire le corps des deux routes : un fichier à part, `login/credentials.rs`.
// `#[path]` : les chapitres 14 et 15 reprennent ce fichier, son module se
// trouve ainsi où qu'il soit compilé.
#[path = "login/credentials.rs"]
mod credentials;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use support::nickname_key;

use self::credentials::{Body, credentials};

use crate::accounts::{UNAVAILABLE, Web, open_session, refuse};
use crate::passwords::{hash_now, verify_now};
use crate::session::over_https;
use crate::store::{Account, StoreError};

/// Longueur minimale d'un mot de passe, en caractères.
pub const MIN_PASSWORD_CHARS: usize = 8;

// ANCHOR: signup
pub async fn signup(State(web): State<Web>, headers: HeaderMap, body: Body) -> Response {
    let (pseudo, password) = match credentials(&headers, body) {
        Ok(both) => both,
        Err((status, why)) => return refuse(status, &why),
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
pub async fn login(State(web): State<Web>, headers: HeaderMap, body: Body) -> Response {
    let (pseudo, password) = match credentials(&headers, body) {
        Ok(both) => both,
        Err((status, why)) => return refuse(status, &why),
    };
    let key = nickname_key(&pseudo);
    // L'essai est compté avant la vérification (`throttle.rs`).
    if let Err(wait) = web.attempts.try_once(&key).await {
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
            web.attempts.forget(&key).await;
            open_session(&web, account, StatusCode::OK, over_https(&headers)).await
        }
        // Pseudo inconnu ou mauvais mot de passe : la même phrase, pour ne
        // pas dire à un inconnu quels comptes existent. L'essai reste
        // compté.
        _ => {
            println!("Connexion manquée pour le pseudo «\u{a0}{pseudo}\u{a0}»");
            refuse(
                StatusCode::UNAUTHORIZED,
                "Pseudo ou mot de passe incorrect.",
            )
        }
    }
}
// ANCHOR_END: login

// ANCHOR_END: all
