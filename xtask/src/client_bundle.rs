//! `cargo xtask client-bundle` (en cours d'écriture).

pub fn run(_args: &[String]) -> Result<(), String> {
    Err("cette commande n'est pas encore écrite.".to_owned())
}
