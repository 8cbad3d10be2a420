//! Ce que la modération écrit : la limite de longueur d'un message et sa
//! phrase, le refus pendant un silence, et les dates, en RFC 3339 pour les
//! machines (les données JSON) et en « 14 h 32 » pour les gens (les
//! phrases). À part, parce qu'il n'y a là que du texte : aucun état.

// ANCHOR: all
use std::time::SystemTime;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// La longueur maximale d'un message, en caractères.
pub const MAX_TEXT_CHARS: usize = 1_000;

/// Un texte vide (ou fait d'espaces) ou de plus de [`MAX_TEXT_CHARS`]
/// caractères est refusé. La page n'envoie pas de texte vide ; un autre
/// client le pourrait, et tout le monde verrait une ligne sans rien.
pub fn check_length(text: &str) -> Result<(), String> {
    if text.trim().is_empty() {
        return Err("Message vide\u{a0}: il n'est pas parti.".to_owned());
    }
    let chars = text.chars().count();
    if chars > MAX_TEXT_CHARS {
        return Err(format!(
            "Message trop long\u{a0}: 1\u{202f}000\u{a0}caractères au plus (il en a {}).",
            thousands(chars)
        ));
    }
    Ok(())
}

/// Un nombre écrit à la française : `12345` donne « 12 345 », les milliers
/// séparés par une espace fine insécable.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut text = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            text.push('\u{202f}');
        }
        text.push(digit);
    }
    text
}

/// La phrase d'un refus pendant un silence qui dure jusqu'à `until`.
/// L'heure est en UTC (le serveur ne connaît pas le fuseau de chacun) ; le
/// temps qui reste, lui, est le même partout.
pub fn mute_refusal(until: SystemTime) -> String {
    let left = until.duration_since(SystemTime::now()).unwrap_or_default();
    // Arrondi vers le haut : « encore 1 minute » jusqu'à la dernière seconde.
    let minutes = usize::try_from(left.as_secs().div_ceil(60).max(1)).unwrap_or(usize::MAX);
    let unit = if minutes == 1 { "minute" } else { "minutes" };
    format!(
        "Un modérateur vous a réduit au silence jusqu'à {} (UTC), encore {}\u{a0}{unit}\u{a0}: \
         votre message n'est pas parti.",
        clock(until),
        thousands(minutes)
    )
}

/// Une date au format RFC 3339, en UTC (`2026-12-03T14:32:00Z`) : celui
/// des données JSON.
pub fn rfc3339(at: SystemTime) -> String {
    OffsetDateTime::from(at)
        .format(&Rfc3339)
        .unwrap_or_else(|_| "?".to_owned())
}

/// L'heure d'une date, pour une phrase (« 14 h 32 »).
fn clock(at: SystemTime) -> String {
    let at = OffsetDateTime::from(at);
    format!("{}\u{a0}h\u{a0}{:02}", at.hour(), at.minute())
}
// ANCHOR_END: all
