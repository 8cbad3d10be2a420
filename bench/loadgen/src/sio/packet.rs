//! Les paquets Socket.IO du chat : un `new message` numéroté et horodaté
//! (écrit par l'émetteur, relu par chaque récepteur), et les annonces de
//! présence à laisser passer. Lus octet par octet, sans JSON.
//!
//! Le texte d'un message : `<n> <horodatage> Salut tout le monde !` quand un
//! seul client parle (scénarios (a) à (d)), `<n> <horodatage> <émetteur>
//! Salut tout le monde !` quand plusieurs parlent (scénario (e)), chacun
//! numérotant ses messages à partir de 0.

use super::find;

/// Ce que le chat envoie : `42["new message","<n> <horodatage> <texte>"]`
/// (chapitres 3 à 8), ou `42["new message",{"from":…,"text":"<n> <horodatage>
/// <texte>"}]` (chapitres 9 et suivants, et Node avec Redis).
pub const EVENT_PREFIX: &[u8] = b"42[\"new message\",";
/// Le champ du texte dans un message avec son auteur.
const TEXT_FIELD: &[u8] = b"\"text\":\"";

/// Le texte d'un message numéroté `seq`, horodaté `ts` (en nanosecondes).
pub fn message_packet(seq: u64, ts: u64) -> String {
    format!("42[\"new message\",\"{seq} {ts} Salut tout le monde !\"]")
}

/// Le message numéro `seq` de l'émetteur numéro `sender` (scénario (e)).
pub fn message_packet_from(sender: usize, seq: u64, ts: u64) -> String {
    format!("42[\"new message\",\"{seq} {ts} {sender} Salut tout le monde !\"]")
}

/// Un `new message` relu : son numéro, son horodatage et son émetteur
/// (0 quand le texte ne le dit pas : un seul client parle).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    pub seq: u64,
    pub ts: u64,
    pub sender: usize,
}

/// Lit le numéro et l'horodatage d'un `new message` ; `None` si le paquet
/// n'en est pas un. Voir [`parse_stamp`] pour l'émetteur.
pub fn parse_message(packet: &[u8]) -> Option<(u64, u64)> {
    parse_stamp(packet).map(|s| (s.seq, s.ts))
}

/// Lit numéro, horodatage et émetteur d'un `new message` ; `None` si le
/// paquet n'en est pas un.
pub fn parse_stamp(packet: &[u8]) -> Option<Stamp> {
    let rest = packet.strip_prefix(EVENT_PREFIX)?;
    let rest = match rest.first()? {
        b'"' => &rest[1..],
        b'{' => &rest[find(rest, TEXT_FIELD)? + TEXT_FIELD.len()..],
        _ => return None,
    };
    let (seq, rest) = parse_u64(rest)?;
    let rest = rest.strip_prefix(b" ")?;
    let (ts, rest) = parse_u64(rest)?;
    // Un troisième nombre, s'il y en a un, est l'émetteur.
    let sender = rest
        .strip_prefix(b" ")
        .and_then(parse_u64)
        .and_then(|(n, _)| usize::try_from(n).ok())
        .unwrap_or(0);
    Some(Stamp { seq, ts, sender })
}

/// Une annonce de présence (`user joined`, `user left`, `online`) : ni un
/// message du chat, ni une anomalie.
pub fn is_presence(packet: &[u8]) -> bool {
    [
        &b"42[\"user joined\","[..],
        b"42[\"user left\",",
        b"42[\"online\",",
    ]
    .iter()
    .any(|p| packet.starts_with(p))
}

fn parse_u64(s: &[u8]) -> Option<(u64, &[u8])> {
    let digits = s.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 || digits > 19 {
        return None;
    }
    let mut v: u64 = 0;
    for &d in &s[..digits] {
        v = v * 10 + u64::from(d - b'0');
    }
    Some((v, &s[digits..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_round_trip() {
        let p = message_packet(42, 1_234_567_890_123);
        assert_eq!(parse_message(p.as_bytes()), Some((42, 1_234_567_890_123)));
        assert_eq!(parse_message(b"42[\"other\",\"1 2\"]"), None);
        assert_eq!(parse_message(b"2"), None);
        assert_eq!(parse_message(b"42[\"new message\",\"x 2\"]"), None);
    }

    #[test]
    fn message_with_its_author() {
        let p = b"42[\"new message\",{\"from\":\"c12\",\"text\":\"7 99 Salut tout le monde !\"}]";
        assert_eq!(parse_message(p), Some((7, 99)));
        let p = b"42[\"new message\",{\"text\":\"8 100 Salut\",\"from\":\"c1\"}]";
        assert_eq!(parse_message(p), Some((8, 100)));
        assert_eq!(
            parse_message(b"42[\"new message\",{\"from\":\"c1\"}]"),
            None
        );
        assert!(is_presence(b"42[\"online\",[\"c1\",\"c2\"]]"));
        assert!(is_presence(b"42[\"user joined\",\"c3\"]"));
        assert!(!is_presence(b"42[\"new message\",\"1 2 x\"]"));
    }

    #[test]
    fn message_with_its_sender() {
        let p = message_packet_from(37, 5, 1_000);
        let stamp = Stamp {
            seq: 5,
            ts: 1_000,
            sender: 37,
        };
        assert_eq!(parse_stamp(p.as_bytes()), Some(stamp));
        assert_eq!(parse_message(p.as_bytes()), Some((5, 1_000)));
        // Un seul émetteur : le texte ne le nomme pas, c'est le numéro 0.
        let p = message_packet(5, 1_000);
        assert_eq!(parse_stamp(p.as_bytes()).map(|s| s.sender), Some(0));
        // Chapitres 9 et suivants : le texte dans `{"from":…,"text":…}`.
        let p = b"42[\"new message\",{\"from\":\"c3\",\"text\":\"8 100 12 Salut\"}]";
        assert_eq!(parse_stamp(p).map(|s| (s.seq, s.sender)), Some((8, 12)));
    }
}
