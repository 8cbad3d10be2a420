//! Un client Socket.IO minimal (protocole Socket.IO v5 sur Engine.IO v4, en
//! WebSocket seulement), écrit pour la mesure : il lit les trames WebSocket
//! directement dans un tampon, sans copie ni allocation par message, pour que
//! le générateur de charge coûte le moins possible au processeur qu'il
//! partage avec le serveur mesuré.
//!
//! Ce qu'il sait faire : la poignée de main HTTP `Upgrade: websocket`, le
//! paquet `open` d'Engine.IO, la connexion à l'espace de noms `/` (`40`),
//! répondre aux `ping` d'Engine.IO (`2` → `3`) et aux pings WebSocket,
//! émettre un évènement (`42["nom","texte"]`). Ce qu'il ne sait pas faire
//! (long-polling, binaire, trames fragmentées, acquittements) n'est pas
//! utilisé par le chat.

use std::io;
use std::net::SocketAddr;
use std::ops::Range;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Taille initiale du tampon de lecture d'un client.
const READ_BUFFER: usize = 16 * 1024;
/// Une trame plus grande est refusée (le chat n'en envoie pas).
const MAX_FRAME: usize = 4 * 1024 * 1024;

pub const OP_TEXT: u8 = 1;
pub const OP_CLOSE: u8 = 8;
pub const OP_PING: u8 = 9;

/// Une connexion WebSocket ouverte, espace de noms `/` rejoint.
pub struct Client {
    stream: TcpStream,
    frames: Frames,
}

/// Le tampon de lecture : les octets reçus, découpés en trames sur place.
pub struct Frames {
    buf: Vec<u8>,
    start: usize,
    end: usize,
}

fn invalid(msg: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg.into())
}

impl Client {
    /// Se connecte comme `io("http://addr")` le ferait en WebSocket direct.
    /// `auth` : un pseudo à envoyer dans la poignée de main
    /// (`io({ auth: { pseudo } })`, chapitres 9 et suivants).
    pub async fn connect(addr: SocketAddr, auth: Option<&str>) -> io::Result<Client> {
        Self::connect_with(addr, None, auth).await
    }

    /// Comme [`Client::connect`], avec un tampon de réception TCP de
    /// `recv_buffer` octets : un client « bloqué » qui ne lit plus remplit
    /// alors vite la file d'envoi du serveur.
    pub async fn connect_with(
        addr: SocketAddr,
        recv_buffer: Option<u32>,
        auth: Option<&str>,
    ) -> io::Result<Client> {
        let socket = tokio::net::TcpSocket::new_v4()?;
        if let Some(size) = recv_buffer {
            socket.set_recv_buffer_size(size)?;
        }
        let stream = socket.connect(addr).await?;
        stream.set_nodelay(true)?;
        let mut client = Client {
            stream,
            frames: Frames::new(READ_BUFFER),
        };
        let request = format!(
            "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n\
             Host: {addr}\r\n\
             Upgrade: websocket\r\n\
             Connection: Upgrade\r\n\
             Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
             Sec-WebSocket-Version: 13\r\n\r\n"
        );
        client.stream.write_all(request.as_bytes()).await?;
        // La réponse HTTP, jusqu'à la ligne vide.
        let header_end = loop {
            if let Some(i) = find(client.frames.pending(), b"\r\n\r\n") {
                break i + 4;
            }
            if client.fill().await? == 0 {
                return Err(invalid("connexion fermée pendant la poignée de main"));
            }
        };
        let status = &client.frames.pending()[..header_end];
        if !status.starts_with(b"HTTP/1.1 101") {
            let line = String::from_utf8_lossy(status);
            let line = line.lines().next().unwrap_or_default().to_owned();
            return Err(invalid(format!("le serveur refuse le WebSocket : {line}")));
        }
        client.frames.consume(header_end);
        // Engine.IO : le paquet `open` (« 0{"sid":…} »).
        let open = client.next_text().await?;
        if !open.starts_with('0') {
            return Err(invalid(format!("paquet open attendu, reçu « {open} »")));
        }
        // Socket.IO : rejoindre l'espace de noms `/`.
        let connect = match auth {
            // Les pseudos du générateur n'ont rien à échapper en JSON.
            Some(pseudo) => format!("40{{\"pseudo\":\"{pseudo}\"}}"),
            None => "40".to_owned(),
        };
        client.send_text(connect.as_bytes()).await?;
        loop {
            let reply = client.next_text().await?;
            if reply.starts_with("40") {
                return Ok(client);
            }
            if reply == "2" {
                client.send_text(b"3").await?;
                continue;
            }
            // Sur plusieurs cœurs, socketioxide peut déposer une diffusion
            // (`user joined` d'un autre client) dans la file d'un client
            // juste avant son paquet de connexion. Le client JavaScript
            // officiel garde alors l'évènement pour plus tard ; les annonces
            // de présence ne comptent pas dans la mesure : on les ignore.
            if reply.starts_with("42") {
                continue;
            }
            return Err(invalid(format!("connexion à « / » refusée : « {reply} »")));
        }
    }

    /// Le prochain message texte (pour la poignée de main seulement : il
    /// alloue).
    async fn next_text(&mut self) -> io::Result<String> {
        loop {
            if let Some((op, range)) = self.parse_frame()? {
                match op {
                    OP_TEXT => {
                        return Ok(String::from_utf8_lossy(self.payload(range)).into_owned());
                    }
                    OP_CLOSE => return Err(invalid("le serveur a fermé la connexion")),
                    _ => continue,
                }
            }
            if self.fill().await? == 0 {
                return Err(invalid("connexion fermée"));
            }
        }
    }

    /// Lit ce qui est disponible sur la socket ; `Ok(0)` quand elle est close.
    pub async fn fill(&mut self) -> io::Result<usize> {
        let n = self.stream.read(self.frames.spare()).await?;
        self.frames.filled(n);
        Ok(n)
    }

    /// Voir [`Frames::parse_frame`].
    pub fn parse_frame(&mut self) -> io::Result<Option<(u8, Range<usize>)>> {
        self.frames.parse_frame()
    }

    /// Les données d'une trame rendue par [`Client::parse_frame`].
    pub fn payload(&self, range: Range<usize>) -> &[u8] {
        self.frames.payload(range)
    }

    /// Envoie un message texte (une trame masquée, comme tout client).
    pub async fn send_text(&mut self, payload: &[u8]) -> io::Result<()> {
        let mut out = Vec::with_capacity(payload.len() + 14);
        encode_text_frame(&mut out, payload);
        self.stream.write_all(&out).await
    }

    /// Envoie des octets déjà encodés en trames (voir [`encode_text_frame`]).
    pub async fn send_raw(&mut self, frames: &[u8]) -> io::Result<()> {
        self.stream.write_all(frames).await
    }

    /// Répond à un ping WebSocket.
    pub async fn send_pong(&mut self, payload: &[u8]) -> io::Result<()> {
        let mut out = Vec::with_capacity(payload.len() + 14);
        encode_frame(&mut out, 0x0A, payload);
        self.stream.write_all(&out).await
    }
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

fn encode_frame(out: &mut Vec<u8>, op: u8, payload: &[u8]) {
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

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

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
