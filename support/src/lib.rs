//! # `support` : ce que chaque chapitre utilise sans avoir à le relire
//!
//! Les chapitres (`chapters/chNN-…/src/main.rs`) montrent le code du cours :
//! les appels à axum et à Socket.IO. Tout ce qui se répète d'un chapitre à
//! l'autre et n'apprend rien de neuf vit ici, une seule fois :
//!
//! Toute son API publique, une ligne chacune :
//!
//! - [`listen`], [`listen_with`] : lire `PORT` et `HOST`, afficher la ligne
//!   « Adresse du serveur », servir `/socket.io/socket.io.js`, expliquer les
//!   erreurs en français, s'arrêter proprement (Ctrl+C, SIGTERM) ;
//! - [`reserve_port`] : réserver le port avant d'ouvrir une base, pour ne
//!   rien créer quand il est pris ;
//! - [`is_stopping`] : vrai pendant cet arrêt (un départ n'est plus annoncé) ;
//! - [`socket_io`], [`socket_io_with_state`] : le serveur Socket.IO des
//!   chapitres, réglé comme celui de Node, sans ou avec un état partagé ;
//! - [`SocketIo`], [`SocketRef`], [`AckSender`] : ses types, tels que les
//!   reçoivent les gestionnaires (le `socket.on` de `SocketRef` ne perd pas
//!   un évènement émis dès la connexion) ;
//! - [`ReliableAdapter`] : son adaptateur, qui déconnecte un client trop lent
//!   au lieu de lui faire manquer un message en silence ;
//! - [`socket_io_builder`], [`SlowClients`] : ses réglages avant le choix de
//!   l'adaptateur, et ses remises client par client, pour un autre
//!   adaptateur (celui de Redis, au chapitre 12) ;
//! - [`MAX_PAYLOAD_BYTES`], [`SEND_BUFFER_PACKETS`] : ses deux limites (taille
//!   d'un message reçu, file d'envoi d'un client) ;
//! - [`in_order`], [`InOrder`] : les évènements d'un client traités un par
//!   un, dans l'ordre d'arrivée, sur tous les cœurs ;
//! - [`Text`], [`Room`], [`RoomMessage`], [`PrivateMessage`], [`Typing`] :
//!   les données des évènements, refusées en français quand elles sont
//!   invalides ; [`Checked`] et [`Rejected`] : recevoir ce refus pour le
//!   dire au client ; [`MAX_ROOM_NAME_CHARS`] ;
//! - [`nickname_from_auth`], [`nickname_key`], [`NicknameError`],
//!   [`MAX_NICKNAME_CHARS`] : lire et comparer un pseudo (le réserver est la
//!   leçon du chapitre 9, dans le chapitre) ;
//! - [`client_ip`] : l'adresse IP réelle du client ;
//! - [`client_dir`], [`repository_root`] : retrouver `client/` et la racine du
//!   dépôt depuis n'importe quel dossier de travail.
//!
//! Le chat sur plusieurs processus reliés par Redis est la leçon du
//! chapitre 12 : il vit dans le chapitre (`chapters/ch12-cluster/src/cluster/`),
//! et `support` ne dépend pas de Redis.

mod adapter;
mod early;
mod extract;
mod in_order;
mod nickname;
mod server;
mod shutdown;
mod socket;

use std::path::{Path, PathBuf};
use std::time::Duration;

pub use adapter::{ReliableAdapter, SlowClients};
pub use extract::{
    Checked, MAX_ROOM_NAME_CHARS, PrivateMessage, Rejected, Room, RoomMessage, Text, Typing,
    printable,
};
pub use in_order::{InOrder, in_order};
pub use nickname::{MAX_NICKNAME_CHARS, NicknameError, nickname_from_auth, nickname_key, of};
pub use server::{listen, listen_with, reserve_port};
pub use shutdown::is_stopping;
pub use socket::SocketRef;

/// Le serveur Socket.IO des chapitres (voir [`socket_io`]).
pub type SocketIo = socketioxide::SocketIo<ReliableAdapter>;

/// L'accusé de réception qu'un client attend (le rappel passé en dernier à
/// `socket.emit`, ou la promesse de `emitWithAck`) : `ack.send(&réponse)`.
pub type AckSender = socketioxide::extract::AckSender<ReliableAdapter>;

/// Taille maximale d'un message reçu, en octets : 1 Mo, la valeur par défaut
/// de Socket.IO pour Node (`maxHttpBufferSize`). Un client qui envoie plus est
/// déconnecté, en WebSocket comme en long-polling.
pub const MAX_PAYLOAD_BYTES: u64 = 1_000_000;

/// Nombre de paquets qu'un client peut avoir en attente d'envoi. Au-delà, il
/// est trop lent pour suivre : il est déconnecté plutôt que de perdre des
/// messages en silence (voir [`ReliableAdapter`]).
pub const SEND_BUFFER_PACKETS: usize = 8_192;

/// Tampon de lecture WebSocket de chaque client, en octets (4 Kio par défaut
/// dans socketioxide). Il grandit à la demande pour un grand message ; un
/// client qui ne fait qu'écouter n'en a pas besoin. Avec des milliers de
/// clients inactifs, ces octets par client comptent plus que quelques
/// lectures de plus pour un long message.
const WS_READ_BUFFER_BYTES: usize = 256;

/// Le dossier `client/<chapitre>` du dépôt, quel que soit le dossier d'où l'on
/// lance `cargo run`.
///
/// Le chemin est calculé à la compilation à partir de l'emplacement de ce
/// crate (`CARGO_MANIFEST_DIR`) : `cargo run -p ch01-static` marche depuis la
/// racine du dépôt comme depuis `chapters/ch05-broadcast/src`.
pub fn client_dir(chapter: &str) -> PathBuf {
    repository_root().join("client").join(chapter)
}

/// La racine du dépôt (le dossier qui contient `support/`).
pub fn repository_root() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.parent().unwrap_or(here).to_path_buf()
}

/// Un serveur Socket.IO prêt à l'emploi, l'équivalent de
/// `new Server(server)` en Node.
///
/// Réglages (les mêmes pour tous les chapitres) :
/// - taille maximale d'un message : [`MAX_PAYLOAD_BYTES`], appliquée aux deux
///   transports (socketioxide ne l'applique d'office qu'au long-polling) ;
/// - battement de cœur : un `ping` toutes les 25 s, réponse attendue sous
///   20 s, comme Node. Les tests raccourcissent ces délais avec les variables
///   d'environnement `PING_INTERVAL_MS` et `PING_TIMEOUT_MS` ;
/// - un client trop lent est déconnecté, jamais privé d'un message en
///   silence ([`ReliableAdapter`]).
///
/// Renvoie la couche à donner à axum (`.layer(layer)`) et le serveur `io`.
/// Une variable d'environnement invalide arrête le programme avec une phrase
/// en français.
pub fn socket_io() -> (
    socketioxide::layer::SocketIoLayer<ReliableAdapter>,
    SocketIo,
) {
    finish(socket_io_builder())
}

/// Comme [`socket_io`], avec un état partagé : chaque gestionnaire le reçoit
/// par l'extracteur `State<T>` (`socketioxide::extract::State`), comme une
/// route axum reçoit le sien. `T` est cloné à chaque extraction : mettez-y
/// des `Arc`.
pub fn socket_io_with_state<T: Clone + Send + Sync + 'static>(
    state: T,
) -> (
    socketioxide::layer::SocketIoLayer<ReliableAdapter>,
    SocketIo,
) {
    finish(socket_io_builder().with_state(state))
}

fn finish(
    builder: socketioxide::SocketIoBuilder,
) -> (
    socketioxide::layer::SocketIoLayer<ReliableAdapter>,
    SocketIo,
) {
    let server = adapter::ServerHandle::default();
    let (layer, io) = builder
        .with_adapter::<ReliableAdapter>(server.clone())
        .build_layer();
    // L'adaptateur retrouve les clients par le serveur (voir `adapter.rs`).
    server.set(io.clone()).ok();
    (layer, io)
}

/// Les réglages de [`socket_io`], avant le choix de l'adaptateur (le
/// chapitre 12 y branche Redis).
pub fn socket_io_builder() -> socketioxide::SocketIoBuilder {
    let ping_interval = duration_from_env("PING_INTERVAL_MS", Duration::from_secs(25));
    let ping_timeout = duration_from_env("PING_TIMEOUT_MS", Duration::from_secs(20));
    let max_message = usize::try_from(MAX_PAYLOAD_BYTES).unwrap_or(usize::MAX);
    socketioxide::SocketIo::builder()
        .max_payload(MAX_PAYLOAD_BYTES)
        .ws_max_message_size(max_message)
        .ws_max_frame_size(max_message)
        .max_buffer_size(SEND_BUFFER_PACKETS)
        .ws_read_buffer_size(WS_READ_BUFFER_BYTES)
        .ping_interval(ping_interval)
        .ping_timeout(ping_timeout)
}

/// L'adresse IP du client, lue sur la connexion TCP elle-même : c'est ce que
/// donne `socket.handshake.address` en Node.
pub fn client_ip(socket: &SocketRef) -> String {
    socket
        .req_parts()
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|info| info.0.ip().to_canonical().to_string())
        .unwrap_or_else(|| "inconnue".to_owned())
}

fn duration_from_env(name: &str, default: Duration) -> Duration {
    let Ok(text) = std::env::var(name) else {
        return default;
    };
    match text.trim().parse::<u64>() {
        Ok(ms) if ms > 0 => Duration::from_millis(ms),
        _ => server::fail(&format!(
            "{name} doit être une durée en millisecondes (un entier strictement positif), et non « {text} »."
        )),
    }
}
