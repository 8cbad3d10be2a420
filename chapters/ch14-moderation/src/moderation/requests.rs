//! Les demandes des modérateurs (`kick`, `mute`), lues et vérifiées avant
//! toute décision : un pseudo, une raison ou une durée, ou la phrase qui
//! dit ce qui ne va pas. À part, parce qu'elles ne touchent pas à l'état de
//! la modération : ce ne sont que des données JSON à lire.

// ANCHOR: all
use serde_json::Value;

use super::texts::thousands;

/// La plus longue mise en silence : un jour.
pub const MAX_MUTE_MINUTES: u64 = 1_440;

/// La plus longue raison d'exclusion, en caractères : la personne exclue
/// la lit dans sa page, le terminal l'écrit.
pub const MAX_REASON_CHARS: usize = 200;

/// Une demande d'exclusion, `{ pseudo, reason }` : le pseudo et la raison,
/// ou la phrase qui dit ce qui manque.
pub fn kick_request(data: &Value) -> Result<(String, String), String> {
    let Some(pseudo) = text_field(data, "pseudo") else {
        return Err("Donnez le pseudo de la personne à exclure.".to_owned());
    };
    let Some(reason) = text_field(data, "reason") else {
        return Err(
            "Donnez la raison de l'exclusion\u{a0}: la personne exclue la lira.".to_owned(),
        );
    };
    if reason.chars().count() > MAX_REASON_CHARS {
        return Err(format!(
            "Raison trop longue\u{a0}: {MAX_REASON_CHARS}\u{a0}caractères au plus."
        ));
    }
    Ok((visible("Le pseudo", pseudo)?, visible("La raison", reason)?))
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
            "{}\u{a0}minutes au plus (un jour).",
            thousands(MAX_MUTE_MINUTES as usize)
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
