//! Les mots de passe : jamais gardés, seulement leur empreinte Argon2id.
//! Calculer une empreinte est lent exprès ; les routes de `login.rs` le
//! font sur un fil à part (`spawn_blocking`).

// ANCHOR: all
use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

// ANCHOR: argon2
/// L'empreinte Argon2id d'un mot de passe, avec un sel tiré au hasard, au
/// format PHC (`$argon2id$v=19$m=…`) : l'algorithme, ses réglages et le sel
/// voyagent avec elle.
pub fn hash_now(password: &str) -> Result<String, String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|e| format!("le hachage du mot de passe a échoué\u{a0}: {e}"))
}

/// `password` correspond-il à l'empreinte `hash` ?
pub fn verify_now(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|hash| {
        Argon2::default()
            .verify_password(password.as_bytes(), &hash)
            .is_ok()
    })
}
// ANCHOR_END: argon2

/// Le leurre : l'empreinte d'un mot de passe que personne n'a, calculée une
/// fois au démarrage. Quand le pseudo n'existe pas, la connexion vérifie
/// quand même celle-ci : elle prend autant de temps qu'avec un vrai compte,
/// et le temps de réponse ne dit pas quels pseudos existent.
pub fn decoy() -> Result<String, String> {
    hash_now("un mot de passe qui ne sert à rien")
}
// ANCHOR_END: all
