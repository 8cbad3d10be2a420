//! Les règles d'un pseudo, communes aux chapitres 9 à 14 : un texte de 1 à
//! [`MAX_NICKNAME_CHARS`] caractères, sans les espaces du début et de la
//! fin, comparé sans tenir compte des majuscules ([`nickname_key`]), et la
//! phrase française de chaque refus ([`NicknameError`]).
//!
//! Le registre des pseudos pris, lui, est la leçon du chapitre 9 : il vit
//! dans `chapters/ch09-pseudos/src/registry.rs`.

use std::fmt;

use serde_json::Value as Json;

/// Longueur maximale d'un pseudo, en caractères (pas en octets : « é » compte
/// pour un).
pub const MAX_NICKNAME_CHARS: usize = 32;

/// Pourquoi un pseudo est refusé. Le texte (`to_string()`) est la phrase
/// française que la page affiche (`connect_error`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NicknameError {
    Missing,
    NotText,
    Empty,
    TooLong,
    Taken(String),
}

impl fmt::Display for NicknameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NicknameError::Missing => f.write_str("Choisissez un pseudo avant de vous connecter."),
            NicknameError::NotText => f.write_str("Le pseudo doit être un texte."),
            NicknameError::Empty => {
                f.write_str("Le pseudo est vide : écrivez au moins un caractère.")
            }
            NicknameError::TooLong => write!(
                f,
                "Le pseudo est trop long : {MAX_NICKNAME_CHARS} caractères au plus."
            ),
            NicknameError::Taken(pseudo) => write!(
                f,
                "Le pseudo « {pseudo} » est déjà pris : choisissez-en un autre."
            ),
        }
    }
}

impl std::error::Error for NicknameError {}

impl NicknameError {
    /// La raison en quelques mots, pour la ligne du terminal
    /// (« Connexion refusée : pseudo vide »).
    pub fn reason(&self) -> String {
        match self {
            NicknameError::Missing => "pas de pseudo".to_owned(),
            NicknameError::NotText => "pseudo qui n'est pas un texte".to_owned(),
            NicknameError::Empty => "pseudo vide".to_owned(),
            NicknameError::TooLong => {
                format!("pseudo de plus de {MAX_NICKNAME_CHARS} caractères")
            }
            NicknameError::Taken(pseudo) => format!("pseudo « {pseudo} » déjà pris"),
        }
    }
}

/// Lit le pseudo dans la donnée `auth` de la poignée de main
/// (`io({ auth: { pseudo } })`) : un texte de 1 à [`MAX_NICKNAME_CHARS`]
/// caractères, espaces du début et de la fin retirés.
pub fn nickname_from_auth(auth: Option<&Json>) -> Result<String, NicknameError> {
    let pseudo = match auth.and_then(|auth| auth.get("pseudo")) {
        None | Some(Json::Null) => return Err(NicknameError::Missing),
        Some(Json::String(pseudo)) => pseudo.trim(),
        Some(_) => return Err(NicknameError::NotText),
    };
    if pseudo.is_empty() {
        Err(NicknameError::Empty)
    } else if pseudo.chars().count() > MAX_NICKNAME_CHARS {
        Err(NicknameError::TooLong)
    } else {
        Ok(pseudo.to_owned())
    }
}

/// La forme d'un pseudo qui sert à les comparer : en minuscules.
pub fn nickname_key(pseudo: &str) -> String {
    pseudo.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn un_pseudo_valide_est_nettoye() {
        let auth = json!({ "pseudo": "  Zoé  " });
        assert_eq!(nickname_from_auth(Some(&auth)), Ok("Zoé".to_owned()));
    }

    #[test]
    fn les_pseudos_invalides_sont_refuses_avec_leur_raison() {
        assert_eq!(nickname_from_auth(None), Err(NicknameError::Missing));
        let cases = [
            (json!({}), NicknameError::Missing),
            (json!({ "pseudo": 42 }), NicknameError::NotText),
            (json!({ "pseudo": "   " }), NicknameError::Empty),
            (json!({ "pseudo": "é".repeat(33) }), NicknameError::TooLong),
        ];
        for (auth, error) in cases {
            assert_eq!(nickname_from_auth(Some(&auth)), Err(error));
        }
        let longest = json!({ "pseudo": "é".repeat(32) });
        assert!(nickname_from_auth(Some(&longest)).is_ok());
    }
}
