//! Les trames WebSocket, lues sur place dans un tampon (sans copie ni
//! allocation par message) et écrites masquées comme le fait tout client.
//! Seulement ce dont le chat a besoin : texte, fermeture, ping et pong.

use std::io;
use std::ops::Range;

use super::invalid;

/// Une trame plus grande est refusée (le chat n'en envoie pas).
const MAX_FRAME: usize = 4 * 1024 * 1024;

pub const OP_TEXT: u8 = 1;
pub const OP_CLOSE: u8 = 8;
pub const OP_PING: u8 = 9;

/// Le tampon de lecture : les octets reçus, découpés en trames sur place.
pub struct Frames {
    buf: Vec<u8>,
    start: usize,
    end: usize,
}

impl Frames {
    pub fn new(capacity: usize) -> Self {
        Self {
            buf: vec![0; capacity.max(16)],
            start: 0,
            end: 0,
        }
    }

    /// Les octets reçus et pas encore découpés.
    pub fn pending(&self) -> &[u8] {
        &self.buf[self.start..self.end]
    }

    /// Oublie les `n` premiers octets en attente.
    pub fn consume(&mut self, n: usize) {
        self.start = (self.start + n).min(self.end);
    }

    /// La place libre où lire les prochains octets (jamais vide).
    pub fn spare(&mut self) -> &mut [u8] {
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        } else if self.end == self.buf.len() {
            if self.start > 0 {
                self.buf.copy_within(self.start..self.end, 0);
                self.end -= self.start;
                self.start = 0;
            } else {
                let len = self.buf.len() * 2;
                self.buf.resize(len, 0);
            }
        }
        &mut self.buf[self.end..]
    }

    /// `n` octets viennent d'être écrits dans [`Frames::spare`].
    pub fn filled(&mut self, n: usize) {
        self.end = (self.end + n).min(self.buf.len());
    }

    /// Découpe la prochaine trame complète : son code et la plage de ses
    /// données (à lire avec [`Frames::payload`]). `None` s'il faut lire
    /// davantage.
    pub fn parse_frame(&mut self) -> io::Result<Option<(u8, Range<usize>)>> {
        let avail = &self.buf[self.start..self.end];
        if avail.len() < 2 {
            return Ok(None);
        }
        let fin = avail[0] & 0x80 != 0;
        let op = avail[0] & 0x0f;
        let masked = avail[1] & 0x80 != 0;
        let (len, header) = match avail[1] & 0x7f {
            126 => {
                if avail.len() < 4 {
                    return Ok(None);
                }
                (usize::from(u16::from_be_bytes([avail[2], avail[3]])), 4)
            }
            127 => {
                if avail.len() < 10 {
                    return Ok(None);
                }
                let mut b = [0u8; 8];
                b.copy_from_slice(&avail[2..10]);
                let len = u64::from_be_bytes(b);
                (usize::try_from(len).unwrap_or(usize::MAX), 10)
            }
            n => (usize::from(n), 2),
        };
        if masked {
            return Err(invalid("trame masquée envoyée par le serveur"));
        }
        if !fin || op == 0 {
            return Err(invalid("trame fragmentée (non prise en charge)"));
        }
        if len > MAX_FRAME {
            return Err(invalid(format!("trame de {len} octets")));
        }
        if avail.len() < header + len {
            if self.start + header + len > self.buf.len() && self.start > 0 {
                // Faire de la place pour la fin de la trame.
                self.buf.copy_within(self.start..self.end, 0);
                self.end -= self.start;
                self.start = 0;
            }
            if header + len > self.buf.len() {
                self.buf.resize(header + len, 0);
            }
            return Ok(None);
        }
        let from = self.start + header;
        self.start = from + len;
        Ok(Some((op, from..from + len)))
    }

    /// Les données d'une trame rendue par [`Frames::parse_frame`].
    pub fn payload(&self, range: Range<usize>) -> &[u8] {
        &self.buf[range]
    }
}

/// Ajoute à `out` une trame texte masquée contenant `payload`.
pub fn encode_text_frame(out: &mut Vec<u8>, payload: &[u8]) {
    encode_frame(out, 0x01, payload);
}

pub(super) fn encode_frame(out: &mut Vec<u8>, op: u8, payload: &[u8]) {
    // La clé de masquage n'a pas à être secrète ici : on parle à un serveur
    // local, sans proxy à tromper.
    const KEY: [u8; 4] = [0x37, 0xfa, 0x21, 0x3d];
    out.push(0x80 | op);
    let len = payload.len();
    if len < 126 {
        out.push(0x80 | len as u8);
    } else if len <= usize::from(u16::MAX) {
        out.push(0x80 | 126);
        out.extend_from_slice(&(len as u16).to_be_bytes());
    } else {
        out.push(0x80 | 127);
        out.extend_from_slice(&(len as u64).to_be_bytes());
    }
    out.extend_from_slice(&KEY);
    out.extend(payload.iter().enumerate().map(|(i, b)| b ^ KEY[i % 4]));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sio::message_packet;

    /// Une trame serveur (non masquée).
    fn server_frame(op: u8, payload: &[u8]) -> Vec<u8> {
        let mut out = vec![0x80 | op];
        match payload.len() {
            n @ 0..=125 => out.push(n as u8),
            n @ 126..=65_535 => {
                out.push(126);
                out.extend_from_slice(&(n as u16).to_be_bytes());
            }
            n => {
                out.push(127);
                out.extend_from_slice(&(n as u64).to_be_bytes());
            }
        }
        out.extend_from_slice(payload);
        out
    }

    /// Donne `bytes` au tampon par morceaux de `chunk` octets et rend les
    /// trames découpées.
    fn split(bytes: &[u8], chunk: usize) -> io::Result<Vec<(u8, Vec<u8>)>> {
        let mut frames = Frames::new(16);
        let mut out = Vec::new();
        let mut fed = 0;
        loop {
            while let Some((op, range)) = frames.parse_frame()? {
                out.push((op, frames.payload(range).to_vec()));
            }
            if fed == bytes.len() {
                return Ok(out);
            }
            let spare = frames.spare();
            let n = spare.len().min(chunk).min(bytes.len() - fed);
            spare[..n].copy_from_slice(&bytes[fed..fed + n]);
            frames.filled(n);
            fed += n;
        }
    }

    #[test]
    fn frames_are_cut_whatever_the_read_sizes() {
        let payloads: Vec<Vec<u8>> = vec![
            b"2".to_vec(),
            message_packet(7, 42).into_bytes(),
            vec![b'x'; 126],
            vec![b'y'; 70_000],
            Vec::new(),
        ];
        let mut bytes = Vec::new();
        for p in &payloads {
            bytes.extend(server_frame(OP_TEXT, p));
        }
        bytes.extend(server_frame(OP_PING, b"ping"));
        for chunk in [1, 2, 3, 7, 100, 4096, usize::MAX] {
            let frames = split(&bytes, chunk).unwrap_or_default();
            assert_eq!(frames.len(), payloads.len() + 1, "morceaux de {chunk}");
            for (got, want) in frames.iter().zip(&payloads) {
                assert_eq!((got.0, &got.1), (OP_TEXT, want), "morceaux de {chunk}");
            }
            assert_eq!(frames[payloads.len()], (OP_PING, b"ping".to_vec()));
        }
    }

    #[test]
    fn masked_or_fragmented_server_frames_are_refused() {
        let mut masked = server_frame(OP_TEXT, b"abc");
        masked[1] |= 0x80;
        masked.splice(2..2, [0, 0, 0, 0]);
        assert!(split(&masked, 100).is_err());
        let mut fragment = server_frame(OP_TEXT, b"abc");
        fragment[0] &= 0x7f;
        assert!(split(&fragment, 100).is_err());
    }

    #[test]
    fn frames_are_masked_with_the_right_length() {
        for len in [0usize, 5, 125, 126, 65_535, 65_536] {
            let payload = vec![b'a'; len];
            let mut out = Vec::new();
            encode_text_frame(&mut out, &payload);
            let header = match len {
                0..=125 => 2,
                126..=65_535 => 4,
                _ => 10,
            } + 4;
            assert_eq!(out.len(), header + len);
            assert_eq!(out[0], 0x81);
            assert_eq!(out[1] & 0x80, 0x80);
            let key = &out[header - 4..header];
            let unmasked: Vec<u8> = out[header..]
                .iter()
                .enumerate()
                .map(|(i, b)| b ^ key[i % 4])
                .collect();
            assert_eq!(unmasked, payload);
        }
    }
}
