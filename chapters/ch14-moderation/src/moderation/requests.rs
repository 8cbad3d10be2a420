//! Les demandes des modérateurs (`kick`, `mute`), lues et vérifiées avant
//! toute décision : un pseudo, une raison ou une durée, ou la phrase qui
//! dit ce qui ne va pas. À part, parce qu'elles ne touchent pas à l'état de
//! la modération : ce ne sont que des données JSON à lire.

// ANCHOR: all
use serde_json::Value;

/// La plus longue mise en silence : un jour.
pub const MAX_MUTE_MINUTES: u64 = 1_440;

/// Une demande d'exclusion, `{ pseudo, reason }` : le pseudo et la raison,
/// ou la phrase qui dit ce qui manque.
pub fn kick_request(data: &Value) -> Result<(String, String), String> {
    match (text_field(data, "pseudo"), text_field(data, "reason")) {
        (Some(pseudo), Some(reason)) => {
            Ok((visible("Le pseudo", pseudo)?, visible("La raison", reason)?))
        }
        _ => Err("Attendu\u{a0}: { pseudo, reason }, deux textes.".to_owned()),
    }
}

/// Une demande de silence, `{ pseudo, minutes }` : le pseudo et la durée
/// (0 : rendre la parole), ou la phrase qui dit ce qui ne va pas.
pub fn mute_request(data: &Value) -> Result<(String, u64), String> {
    let minutes = data.get("minutes").and_then(Value::as_u64);
    let (Some(pseudo), Some(minutes)) = (text_field(data, "pseudo"), minutes) else {
        return Err(
            "Attendu\u{a0}: { pseudo, minutes }, un texte et un nombre entier de minutes."
                .to_owned(),
        );
    };
    if minutes > MAX_MUTE_MINUTES {
        return Err(format!(
            "{MAX_MUTE_MINUTES}\u{a0}minutes au plus (un jour)."
        ));
    }
    Ok((visible("Le pseudo", pseudo)?, minutes))
}

/// `text`, ou le refus qui nomme son premier caractère de contrôle par son
/// code (`support::printable`, la règle des messages depuis le chapitre 3).
/// Un modérateur est authentifié, mais son texte s'écrit dans le terminal
/// et dans les pages : une séquence comme `ESC [2J` effacerait l'écran.
fn visible(what: &str, text: String) -> Result<String, String> {
    support::printable(what, text)
        .map_err(|why| format!("{why}\u{a0}: n'écrivez que des caractères visibles."))
}

/// Le champ texte `name` d'un objet, sans ses espaces, s'il n'est pas vide.
fn text_field(data: &Value, name: &str) -> Option<String> {
    let text = data.get(name)?.as_str()?.trim();
    (!text.is_empty()).then(|| text.to_owned())
}
// ANCHOR_END: all
