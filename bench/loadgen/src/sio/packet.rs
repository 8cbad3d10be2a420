//! Les paquets Socket.IO du chat : un `new message` numéroté et horodaté
//! (écrit par l'émetteur, relu par chaque récepteur), et les annonces de
//! présence à laisser passer. Lus octet par octet, sans JSON.

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

/// Lit le numéro et l'horodatage d'un `new message` ; `None` si le paquet
/// n'en est pas un.
pub fn parse_message(packet: &[u8]) -> Option<(u64, u64)> {
    let rest = packet.strip_prefix(EVENT_PREFIX)?;
    let rest = match rest.first()? {
        b'"' => &rest[1..],
        b'{' => &rest[find(rest, TEXT_FIELD)? + TEXT_FIELD.len()..],
        _ => return None,
    };
    let (seq, rest) = parse_u64(rest)?;
    let rest = rest.strip_prefix(b" ")?;
    let (ts, _) = parse_u64(rest)?;
    Some((seq, ts))
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
}
