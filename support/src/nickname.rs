//! Les règles d'un pseudo, communes aux chapitres 9 à 14 : un texte de 1 à
//! [`MAX_NICKNAME_CHARS`] caractères, sans les espaces du début et de la
//! fin, sans caractère de contrôle ni caractère invisible
//! ([`is_hidden_char`]), comparé sans tenir compte des majuscules ni des
//! façons d'écrire un même caractère ([`nickname_key`]), et la phrase
//! française de chaque refus ([`NicknameError`]).
//!
//! Le registre des pseudos pris, lui, est la leçon du chapitre 9 : il vit
//! dans `chapters/ch09-pseudos/src/registry.rs`.

use std::fmt;

use serde_json::Value as Json;
use unicode_normalization::UnicodeNormalization;

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
    /// Un caractère de contrôle ou invisible (voir [`is_hidden_char`]).
    HiddenChar(char),
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
                "Le pseudo est trop long : {MAX_NICKNAME_CHARS} caractères au plus."
            ),
            // Le caractère est nommé par son code (U+0007), jamais écrit tel
            // quel : c'est justement lui qu'on ne veut pas voir passer.
            NicknameError::HiddenChar(c) => write!(
                f,
                "Le pseudo contient {} ({}) : n'écrivez que des caractères visibles.",
                hidden_kind(*c),
                code_point(*c)
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
            NicknameError::HiddenChar(c) => {
                format!("pseudo avec {} ({})", hidden_kind(*c), code_point(*c))
            }
            NicknameError::Taken(pseudo) => format!("pseudo « {pseudo} » déjà pris"),
        }
    }
}

/// Lit le pseudo dans la donnée `auth` de la poignée de main
/// (`io({ auth: { pseudo } })`) : un texte de 1 à [`MAX_NICKNAME_CHARS`]
/// caractères, espaces du début et de la fin retirés, sans caractère de
/// contrôle ni caractère invisible ([`is_hidden_char`]).
///
/// Le pseudo rendu est en forme composée (NFC) : « é » peut arriver écrit
/// d'un seul caractère (U+00E9) ou de deux (« e » suivi de l'accent U+0301,
/// comme le font certains claviers et copier-coller) ; les deux donnent le
/// même pseudo, de la même longueur.
pub fn nickname_from_auth(auth: Option<&Json>) -> Result<String, NicknameError> {
    let pseudo: String = match auth.and_then(|auth| auth.get("pseudo")) {
        None | Some(Json::Null) => return Err(NicknameError::Missing),
        Some(Json::String(pseudo)) => pseudo.trim().nfc().collect(),
        Some(_) => return Err(NicknameError::NotText),
    };
    if pseudo.is_empty() {
        Err(NicknameError::Empty)
    } else if pseudo.chars().count() > MAX_NICKNAME_CHARS {
        Err(NicknameError::TooLong)
    } else if let Some(c) = pseudo.chars().find(|&c| is_hidden_char(c)) {
        Err(NicknameError::HiddenChar(c))
    } else {
        Ok(pseudo)
    }
}

/// Un caractère refusé dans un pseudo, parce qu'il ne se voit pas ou qu'il
/// agit sur l'écran au lieu de s'y afficher :
///
/// - les caractères de contrôle (catégorie Unicode Cc, [`char::is_control`]) :
///   NUL, sonnerie (U+0007), échappement (U+001B) qui commence les
///   séquences ANSI d'un terminal (couleurs, curseur), retour à la ligne… ;
/// - les caractères de format, invisibles (catégorie Cf) : espace sans
///   largeur (U+200B), liants sans largeur (U+200C, U+200D), U+2060, U+FEFF,
///   trait d'union conditionnel (U+00AD), et les commandes de sens
///   d'écriture (U+202A à U+202E, U+2066 à U+2069) qui retournent le texte
///   qui suit ; « Ève » suivi d'un U+200B ressemble à « Ève » sans l'être ;
/// - les séparateurs de ligne et de paragraphe (U+2028, U+2029) ;
/// - les caractères de remplissage coréens (U+115F, U+1160, U+3164, U+FFA0),
///   des lettres qui ne dessinent rien : un pseudo fait d'eux seuls
///   paraîtrait vide.
///
/// La bibliothèque standard ne donne pas la catégorie Unicode d'un
/// caractère (hors [`char::is_control`]) : la liste des caractères Cf est
/// écrite ici (Unicode 15).
pub fn is_hidden_char(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            // Format (Cf).
            '\u{ad}'
                | '\u{600}'..='\u{605}'
                | '\u{61c}'
                | '\u{6dd}'
                | '\u{70f}'
                | '\u{890}'..='\u{891}'
                | '\u{8e2}'
                | '\u{180e}'
                | '\u{200b}'..='\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{206f}'
                | '\u{feff}'
                | '\u{fff9}'..='\u{fffb}'
                | '\u{110bd}'
                | '\u{110cd}'
                | '\u{13430}'..='\u{1343f}'
                | '\u{1bca0}'..='\u{1bca3}'
                | '\u{1d173}'..='\u{1d17a}'
                | '\u{e0001}'
                | '\u{e0020}'..='\u{e007f}'
                // Séparateurs de ligne et de paragraphe (Zl, Zp).
                | '\u{2028}'
                | '\u{2029}'
                // Remplissages coréens.
                | '\u{115f}'
                | '\u{1160}'
                | '\u{3164}'
                | '\u{ffa0}'
        )
}

/// « un caractère de contrôle » ou « un caractère invisible ».
fn hidden_kind(c: char) -> &'static str {
    if c.is_control() {
        "un caractère de contrôle"
    } else {
        "un caractère invisible"
    }
}

/// Le code d'un caractère, à la manière d'Unicode : `U+200B`.
fn code_point(c: char) -> String {
    format!("U+{:04X}", u32::from(c))
}

/// « de Bob », mais « d'Alice » : l'élision devant une voyelle ou un h,
/// pour les phrases du terminal qui nomment l'auteur d'un message.
pub fn of(pseudo: &str) -> String {
    let first = pseudo.chars().next().map(|c| c.to_lowercase().to_string());
    match first {
        Some(c) if "aeiouyhàâäéèêëîïôöùûü".contains(c.as_str()) => {
            format!("d'{pseudo}")
        }
        _ => format!("de {pseudo}"),
    }
}

/// La forme d'un pseudo qui sert à les comparer : en minuscules, chaque
/// caractère ramené à sa forme de base (normalisation Unicode NFKC).
/// « Alice », « ALICE » et « Ａｌｉｃｅ » (lettres pleine chasse, d'un clavier
/// japonais ou chinois) ont la même clé : l'un ne peut pas se faire passer
/// pour l'autre. Les sosies d'une autre écriture (le « а » cyrillique) ne
/// sont pas rapprochés : il y faudrait une table des confusions.
pub fn nickname_key(pseudo: &str) -> String {
    let base: String = pseudo.trim().nfkc().collect();
    base.to_lowercase().nfkc().collect()
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

    #[test]
    fn un_pseudo_garde_une_seule_forme() {
        // « Hélène » avec les accents à part (e + U+0301) : 8 caractères
        // reçus, 6 gardés, comme écrit d'un seul tenant.
        let decomposed = "He\u{301}le\u{300}ne";
        assert_eq!(decomposed.chars().count(), 8);
        let auth = json!({ "pseudo": decomposed });
        assert_eq!(nickname_from_auth(Some(&auth)), Ok("Hélène".to_owned()));
        assert_eq!(nickname_key(decomposed), nickname_key("HÉLÈNE"));
        // Pleine chasse : même clé que les lettres ordinaires.
        assert_eq!(nickname_key("Ａｌｉｃｅ"), "alice");
        assert_eq!(nickname_key(" ALICE "), "alice");
        // Des pseudos différents gardent des clés différentes.
        assert_ne!(nickname_key("Zoé"), nickname_key("Zoe"));
        assert_ne!(nickname_key("\u{430}lice"), nickname_key("alice"));
    }

    #[test]
    fn les_caracteres_de_controle_et_invisibles_sont_refuses() {
        let cases = [
            ("Alice\u{7}\u{1b}[31mROUGE", '\u{7}'),
            ("a<b>\u{0}", '\u{0}'),
            ("Ali\nce", '\n'),
            ("\u{200b}", '\u{200b}'),
            ("Ève\u{200b}", '\u{200b}'),
            ("Zo\u{200d}é", '\u{200d}'),
            ("Zo\u{200c}é", '\u{200c}'),
            ("\u{2060}Zoé", '\u{2060}'),
            ("\u{feff}Zoé", '\u{feff}'),
            ("Zoé\u{202e}olleh", '\u{202e}'),
            ("Zoé\u{2066}x\u{2069}", '\u{2066}'),
            ("\u{3164}", '\u{3164}'),
            ("Zoé\u{2028}Bob", '\u{2028}'),
        ];
        for (pseudo, hidden) in cases {
            let auth = json!({ "pseudo": pseudo });
            assert_eq!(
                nickname_from_auth(Some(&auth)),
                Err(NicknameError::HiddenChar(hidden)),
                "{pseudo:?}"
            );
        }
    }

    #[test]
    fn le_refus_nomme_le_caractere_sans_l_ecrire() {
        let error = NicknameError::HiddenChar('\u{1b}');
        assert_eq!(
            error.to_string(),
            "Le pseudo contient un caractère de contrôle (U+001B)\u{a0}: n'écrivez que des caractères visibles."
        );
        assert_eq!(
            error.reason(),
            "pseudo avec un caractère de contrôle (U+001B)"
        );
        let error = NicknameError::HiddenChar('\u{200b}');
        assert!(error.to_string().contains("invisible (U+200B)"));
        for text in [error.to_string(), error.reason()] {
            assert!(!text.chars().any(is_hidden_char), "{text:?}");
        }
    }

    #[test]
    fn les_pseudos_visibles_restent_acceptes() {
        // Accents, espaces au milieu (même insécables), autres écritures,
        // émoji simples : rien d'invisible.
        for pseudo in [
            "Ève",
            "Jean Paul",
            "Jean\u{a0}Paul",
            "Łukasz",
            "Зоя",
            "سارا",
            "李雷",
            "🦀 Ferris",
        ] {
            let auth = json!({ "pseudo": pseudo });
            assert_eq!(nickname_from_auth(Some(&auth)), Ok(pseudo.to_owned()));
        }
    }
}
