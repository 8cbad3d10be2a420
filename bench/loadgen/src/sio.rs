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
//!
//! Ce fichier tient la connexion ; les trames WebSocket sont dans
//! [`websocket`], les paquets du chat (`new message`, présence) dans
//! [`packet`].

use std::io;
use std::net::SocketAddr;
use std::ops::Range;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

mod packet;
mod websocket;

pub use packet::{is_presence, message_packet, message_packet_from, parse_message, parse_stamp};
use websocket::{Frames, encode_frame};
pub use websocket::{OP_CLOSE, OP_PING, OP_TEXT, encode_text_frame};

/// Taille initiale du tampon de lecture d'un client.
const READ_BUFFER: usize = 16 * 1024;

/// Une connexion WebSocket ouverte, espace de noms `/` rejoint.
pub struct Client {
    stream: TcpStream,
    frames: Frames,
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

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
