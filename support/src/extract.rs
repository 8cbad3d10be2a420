//! Des extracteurs qui refusent les données invalides… en le disant.
//!
//! `Data<String>` de socketioxide ignore en silence un évènement dont la
//! donnée n'est pas une chaîne : le gestionnaire n'est simplement pas appelé.
//! Pour un débutant, un message qui disparaît sans bruit est un piège. Ces
//! extracteurs font le même tri, mais écrivent une ligne d'avertissement en
//! français dans le terminal. Le client reste connecté.

use std::fmt;
use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde_json::Value as Json;
use socketioxide::adapter::Adapter;
use socketioxide::extract::{Event, TryData};
use socketioxide::handler::FromMessageParts;
use socketioxide::socket::Socket;
use socketioxide_core::Value;

/// Longueur maximale d'un nom de salon, en caractères.
pub const MAX_ROOM_NAME_CHARS: usize = 64;

// ANCHOR: text_type
/// Le texte d'un message : l'argument de `socket.emit('new message', texte)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text(pub String);
// ANCHOR_END: text_type

/// Un nom de salon valide : une chaîne non vide d'au plus
/// [`MAX_ROOM_NAME_CHARS`] caractères.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Room(pub String);

/// Un message pour un salon : `socket.emit('new message', salon, texte)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomMessage {
    pub room: String,
    pub text: String,
}

// ANCHOR: rejected
/// L'évènement a été refusé ; l'avertissement est déjà écrit. Le texte
/// (`to_string()`) dit pourquoi, en une phrase, pour l'accusé de réception.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected(pub String);

impl fmt::Display for Rejected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Rejected {}
// ANCHOR_END: rejected

// ANCHOR: validate
/// Ce qu'une donnée d'évènement doit dire pour devenir un extracteur : comment
/// serde lit ses arguments, et comment les vérifier. Un seul contrat pour
/// les cinq types de ce fichier ; l'extraction elle-même, commune, est dans
/// [`extract`].
pub(crate) trait Validate: Sized {
    /// Les arguments tels que serde les lit : `Json` pour une seule donnée,
    /// `(Json, Json)` pour deux (`socket.emit('new message', salon, texte)`).
    type Args: DeserializeOwned;

    /// La valeur, ou la raison du refus, qui continue la phrase « … ignoré,
    /// car … » (`None` : les arguments manquent ou n'ont pas la bonne forme).
    fn validate(args: Option<Self::Args>) -> Result<Self, String>;
}
// ANCHOR_END: validate

// ANCHOR: text
impl Validate for Text {
    type Args = Json;
    fn validate(data: Option<Json>) -> Result<Self, String> {
        match data {
            Some(Json::String(text)) => printable("le texte", text).map(Text),
            other => Err(wrong("la donnée", "un texte", other.as_ref())),
        }
    }
}
// ANCHOR_END: text

impl Validate for Room {
    type Args = Json;
    fn validate(data: Option<Json>) -> Result<Self, String> {
        check_room(data.as_ref()).map(Room)
    }
}

// ANCHOR: room_message
impl Validate for RoomMessage {
    type Args = (Json, Json);
    fn validate(args: Option<(Json, Json)>) -> Result<Self, String> {
        let Some((room, text)) = args else {
            return Err("il faut deux données, un nom de salon puis un texte".to_owned());
        };
        let room = check_room(Some(&room))?;
        match text {
            Json::String(text) => Ok(RoomMessage {
                room,
                text: printable("le texte", text)?,
            }),
            other => Err(wrong("la seconde donnée", "un texte", Some(&other))),
        }
    }
}
// ANCHOR_END: room_message

/// Un message privé : `socket.emit('private message', { to, text })`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrivateMessage {
    /// Le pseudo du destinataire, tel que l'expéditeur l'a écrit.
    pub to: String,
    pub text: String,
}

impl Validate for PrivateMessage {
    type Args = Json;
    fn validate(data: Option<Json>) -> Result<Self, String> {
        let field = |name: &str| data.as_ref().and_then(|d| d.get(name));
        match (field("to"), field("text")) {
            (Some(Json::String(to)), Some(Json::String(text))) => Ok(PrivateMessage {
                to: printable("le destinataire", to.clone())?,
                text: printable("le texte", text.clone())?,
            }),
            _ if !matches!(data, Some(Json::Object(_))) => {
                Err(wrong("la donnée", "un objet { to, text }", data.as_ref()))
            }
            _ => Err(
                "« to » (le pseudo du destinataire) et « text » doivent être des textes".to_owned(),
            ),
        }
    }
}

/// « En train d'écrire » ou non : `socket.emit('typing', true)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Typing(pub bool);

impl Validate for Typing {
    type Args = Json;
    fn validate(data: Option<Json>) -> Result<Self, String> {
        match data {
            Some(Json::Bool(typing)) => Ok(Typing(typing)),
            other => Err(wrong("la donnée", "true ou false", other.as_ref())),
        }
    }
}

// ANCHOR: extract
/// L'extraction commune : lire le nom de l'évènement et ses arguments, les
/// faire vérifier par `T`, et, en cas de refus, écrire l'avertissement.
fn extract<A: Adapter, T: Validate>(
    s: &Arc<Socket<A>>,
    v: &mut Value,
    ack: &Option<i64>,
) -> Result<T, Rejected> {
    let event = event_name(s, v, ack);
    let TryData(args) =
        TryData::<T::Args>::from_message_parts(s, v, ack).unwrap_or_else(|never| match never {});
    T::validate(args.ok()).map_err(|why| reject(s, &event, &why))
}

/// Chaque type qui remplit [`Validate`] devient un extracteur de
/// socketioxide (`FromMessageParts`), par la même fonction [`extract`].
/// Une macro, parce que Rust refuse un `impl<T: Validate> FromMessageParts
/// for T` : le trait et `T` seraient tous deux étrangers à ce crate.
macro_rules! extractors {
    ($($name:ty),+) => {$(
        impl<A: Adapter> FromMessageParts<A> for $name {
            type Error = Rejected;
            fn from_message_parts(
                s: &Arc<Socket<A>>,
                v: &mut Value,
                ack: &Option<i64>,
            ) -> Result<Self, Rejected> {
                extract(s, v, ack)
            }
        }
    )+};
}

extractors!(Text, Room, RoomMessage, PrivateMessage, Typing);
// ANCHOR_END: extract

fn event_name<A: Adapter>(s: &Arc<Socket<A>>, v: &mut Value, ack: &Option<i64>) -> String {
    Event::from_message_parts(s, v, ack)
        .map(|Event(name)| name)
        .unwrap_or_else(|_| "?".to_owned())
}

fn check_room(data: Option<&Json>) -> Result<String, String> {
    match data {
        Some(Json::String(name)) if name.trim().is_empty() => {
            Err("le nom de salon est vide".to_owned())
        }
        Some(Json::String(name)) if name.chars().count() > MAX_ROOM_NAME_CHARS => Err(format!(
            "le nom de salon dépasse {MAX_ROOM_NAME_CHARS} caractères"
        )),
        Some(Json::String(name)) => printable("le nom de salon", name.clone()),
        other => Err(wrong("le nom de salon", "un texte", other)),
    }
}

fn commands_terminal(c: char) -> bool {
    c.is_control() && c != '\t'
}

/// `text`, ou le refus qui nomme son premier caractère de contrôle (autre
/// que la tabulation) par son code, jamais écrit tel quel : « le texte
/// contient un caractère de contrôle (U+001B) ».
///
/// Le serveur écrit les textes de ses clients dans son terminal
/// (`println!("message: {msg}")`) : un U+001B y commence une séquence qui
/// change les couleurs, déplace le curseur, efface l'écran ; un U+000D
/// réécrit la ligne ; un U+000A (retour à la ligne) commence une ligne
/// que l'on prendrait pour une ligne du serveur (« Bob s'est
/// déconnecté »). Le texte ne doit pas commander le terminal de celui
/// qui fait tourner le chat, ni y parler à sa place. (La page n'envoie
/// jamais de retour à la ligne : son champ de saisie n'a qu'une ligne.)
/// Les extracteurs de ce module l'appellent ; les chapitres 11 et 15, qui
/// lisent eux-mêmes leurs arguments, aussi.
pub fn printable(subject: &str, text: String) -> Result<String, String> {
    match text.chars().find(|&c| commands_terminal(c)) {
        Some(c) => Err(format!(
            "{subject} contient un caractère de contrôle (U+{:04X})",
            u32::from(c)
        )),
        None => Ok(text),
    }
}

/// La raison d'un refus, quand `data` n'est pas ce qu'on attendait :
/// « la donnée manque », « la donnée est un nombre, et non un texte ».
/// Elle continue la ligne « … ignoré, car … » et, avec une majuscule, fait
/// la phrase d'un accusé de réception.
fn wrong(subject: &str, expected: &str, data: Option<&Json>) -> String {
    let what = match data {
        None | Some(Json::Null) => return format!("{subject} manque"),
        Some(Json::Bool(_)) => "un booléen",
        Some(Json::Number(_)) => "un nombre",
        Some(Json::String(_)) => "un texte",
        Some(Json::Array(_)) => "un tableau",
        Some(Json::Object(_)) => "un objet",
    };
    format!("{subject} est {what}, et non {expected}")
}

// ANCHOR: checked
/// Le même tri que `T`, sans jamais faire sauter le gestionnaire : il reçoit
/// `Ok(valeur)` ou `Err(refus)`. Utile quand le gestionnaire doit répondre
/// même à une donnée invalide (un accusé de réception que le client attend).
#[derive(Debug)]
pub struct Checked<T>(pub Result<T, Rejected>);

impl<A: Adapter, T: FromMessageParts<A, Error = Rejected>> FromMessageParts<A> for Checked<T> {
    type Error = std::convert::Infallible;
    fn from_message_parts(
        s: &Arc<Socket<A>>,
        v: &mut Value,
        ack: &Option<i64>,
    ) -> Result<Self, Self::Error> {
        Ok(Checked(T::from_message_parts(s, v, ack)))
    }
}
// ANCHOR_END: checked

// ANCHOR: reject
fn reject<A: Adapter>(s: &Arc<Socket<A>>, event: &str, why: &str) -> Rejected {
    println!(
        "Avertissement : évènement « {event} » du client {} ignoré, car {why}.",
        s.id
    );
    Rejected(sentence(why))
}
// ANCHOR_END: reject

/// `why` en phrase : une majuscule au début, un point à la fin.
fn sentence(why: &str) -> String {
    let mut chars = why.chars();
    match chars.next() {
        Some(first) => format!("{}{}.", first.to_uppercase(), chars.as_str()),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_refused_except_tab() {
        for text in [
            "\u{1b}[31mrouge",
            "deux\nlignes",
            "a\u{7}",
            "ligne\rréécrite",
            "\u{0}",
            "\u{9b}2J",
        ] {
            let Err(why) = printable("le texte", text.to_owned()) else {
                panic!("{text:?} accepté");
            };
            assert!(why.contains("U+"), "{why}");
            assert!(!why.chars().any(char::is_control), "{why:?}");
        }
        for text in ["a\tb", "Ève 🙂", "", "«\u{a0}ok\u{a0}»"] {
            assert_eq!(printable("le texte", text.to_owned()).as_deref(), Ok(text));
        }
    }
}
