//! Pourquoi une connexion est refusée au chapitre 12.
//!
//! Au chapitre 9, un refus était un pseudo invalide ou pris. Les pseudos
//! vivant maintenant dans Redis, un troisième cas apparaît : Redis ne
//! répond pas, et personne ne peut dire si le pseudo est libre. Le client
//! le lit en français, comme les deux autres.

use std::fmt;

use support::NicknameError;

/// Pourquoi une connexion est refusée : un pseudo invalide ou pris, ou
/// Redis injoignable (on ne peut pas savoir si le pseudo est libre).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    Nickname(NicknameError),
    RedisUnavailable,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::Nickname(e) => e.fmt(f),
            Refusal::RedisUnavailable => f.write_str(
                "Le serveur ne peut pas vérifier les pseudos pour l'instant (Redis injoignable)\u{a0}: réessayez dans un moment.",
            ),
        }
    }
}

impl Refusal {
    /// La raison en quelques mots, pour la ligne du terminal.
    pub fn reason(&self) -> String {
        match self {
            Refusal::Nickname(e) => e.reason(),
            Refusal::RedisUnavailable => "Redis injoignable, pseudo impossible à vérifier".into(),
        }
    }
}

impl From<NicknameError> for Refusal {
    fn from(e: NicknameError) -> Refusal {
        Refusal::Nickname(e)
    }
}
