//! Ce que reçoivent l'inscription et la connexion (`login.rs`) : le corps
//! de la requête, lu et vérifié avant tout calcul coûteux. Chaque erreur
//! est un statut et la phrase à renvoyer.

// ANCHOR: all
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode, header};
use serde_json::Value;
use support::{NicknameError, nickname_from_auth};

/// Longueur maximale d'un mot de passe : hacher coûte cher, on ne hache pas
/// un roman.
const MAX_PASSWORD_CHARS: usize = 256;

// ANCHOR: credentials
/// Le corps d'une requête, ou pourquoi axum n'a pas pu le lire (plus de
/// 2\u{a0}Mo, la limite par défaut d'axum, ou connexion coupée) : le refus
/// reste alors une phrase en JSON, au lieu de la réponse en anglais d'axum.
pub type Body = Result<Bytes, BytesRejection>;

/// Lit `{ "pseudo": …, "password": … }` ; le pseudo suit les règles du
/// chapitre 9. L'erreur est le statut et la phrase à renvoyer.
pub fn credentials(
    headers: &HeaderMap,
    body: Body,
) -> Result<(String, String), (StatusCode, String)> {
    // Seulement du JSON, annoncé comme tel : un formulaire d'un autre site
    // peut envoyer ici du `text/plain` sans rien demander au navigateur, et
    // connecter le visiteur au compte d'un autre (la page, elle, envoie
    // `application/json`, que le navigateur ne laisse pas un autre site
    // envoyer sans permission).
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/json"));
    if !json {
        return Err((
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Envoyez un objet JSON, avec l'en-tête Content-Type\u{a0}: application/json."
                .to_owned(),
        ));
    }
    let body = body.map_err(|rejection| {
        let why = match rejection.status() {
            StatusCode::PAYLOAD_TOO_LARGE => "Requête trop volumineuse\u{a0}: 2\u{a0}Mo au plus.",
            _ => "Requête illisible\u{a0}: le corps n'a pas pu être lu.",
        };
        (rejection.status(), why.to_owned())
    })?;
    let bad = |why: String| (StatusCode::BAD_REQUEST, why);
    let Ok(body) = serde_json::from_slice::<Value>(&body) else {
        return Err(bad(
            "Requête mal formée\u{a0}: envoyez un objet JSON avec «\u{a0}pseudo\u{a0}» et «\u{a0}password\u{a0}»."
                .to_owned(),
        ));
    };
    let pseudo = nickname_from_auth(Some(&body)).map_err(|e| match e {
        // La phrase du chapitre 9 parle de se connecter ; ici, on peut
        // aussi s'inscrire.
        NicknameError::Missing => bad("Écrivez un pseudo.".to_owned()),
        e => bad(e.to_string()),
    })?;
    match body.get("password") {
        Some(Value::String(password)) if password.chars().count() > MAX_PASSWORD_CHARS => {
            Err(bad(format!(
                "Le mot de passe est trop long\u{a0}: {MAX_PASSWORD_CHARS}\u{a0}caractères au plus."
            )))
        }
        Some(Value::String(password)) => Ok((pseudo, password.clone())),
        None | Some(Value::Null) => Err(bad("Écrivez un mot de passe.".to_owned())),
        Some(_) => Err(bad("Le mot de passe doit être un texte.".to_owned())),
    }
}
// ANCHOR_END: credentials
// ANCHOR_END: all
