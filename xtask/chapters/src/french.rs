//! Écrire les nombres à la française dans les messages : l'accord (« 1
//! chapitre », « 2 chapitres » plutôt que « chapitre(s) ») et la virgule
//! décimale (« 12,3 s »).

/// `n` suivi du mot accordé : singulier pour 0 et 1, pluriel au-delà
/// (celle des vérifications, pour qu'il n'y ait qu'une règle).
pub use checks::plural as count;

/// `x` avec `digits` décimales et une virgule : `decimal(12.34, 1)` donne
/// « 12,3 ».
pub fn decimal(x: f64, digits: usize) -> String {
    format!("{x:.digits$}").replace('.', ",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_agree_with_their_number() {
        assert_eq!(count(0, "échec", "échecs"), "0\u{a0}échec");
        assert_eq!(count(1, "chapitre", "chapitres"), "1\u{a0}chapitre");
        assert_eq!(count(7, "chapitre", "chapitres"), "7\u{a0}chapitres");
    }

    #[test]
    fn decimals_use_a_comma() {
        assert_eq!(decimal(12.34, 1), "12,3");
        assert_eq!(decimal(0.5, 2), "0,50");
        assert_eq!(decimal(3.0, 0), "3");
    }
}
