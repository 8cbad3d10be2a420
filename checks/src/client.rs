//! Un vrai client Socket.IO (le crate `rust_socketio`), comme un onglet.

use std::time::Duration;

use futures_util::FutureExt;
use rust_socketio::asynchronous::{Client as SioClient, ClientBuilder};
use rust_socketio::{Event, Payload, TransportType};
use serde_json::Value;
use tokio::sync::{mpsc, watch};

use crate::{Failure, WAIT};

/// Le transport utilisé par un client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    WebSocket,
    Polling,
}

impl Transport {
    /// Les deux transports, pour faire chaque essai avec l'un et l'autre.
    pub const BOTH: [Transport; 2] = [Transport::WebSocket, Transport::Polling];

    /// Alterne les transports : le `i`-ème client d'un groupe.
    pub fn nth(i: usize) -> Transport {
        Self::BOTH[i % 2]
    }

    pub fn label(self) -> &'static str {
        match self {
            Transport::WebSocket => "WebSocket",
            Transport::Polling => "long-polling",
        }
    }
}

/// Un client connecté, qui range les `new message` reçus dans l'ordre.
pub struct Client {
    inner: SioClient,
    received: mpsc::UnboundedReceiver<Vec<Value>>,
    connected: watch::Receiver<bool>,
    pub name: String,
    pub transport: Transport,
}

/// Ce qu'un client fait dès qu'il est connecté, dans son propre rappel
/// `connect` (comme `socket.on('connect', …)` côté navigateur).
pub type OnConnect =
    Box<dyn Fn(SioClient) -> futures_util::future::BoxFuture<'static, ()> + Send + Sync>;

impl Client {
    /// Se connecte à `url` et attend que le serveur ait accepté la connexion.
    pub async fn connect(url: &str, transport: Transport, name: &str) -> Result<Client, Failure> {
        Self::connect_with(url, transport, name, None).await
    }

    /// Comme [`Client::connect`], avec un rappel exécuté à la connexion.
    pub async fn connect_with(
        url: &str,
        transport: Transport,
        name: &str,
        on_connect: Option<OnConnect>,
    ) -> Result<Client, Failure> {
        let (tx, received) = mpsc::unbounded_channel();
        let (state_tx, mut connected) = watch::channel(false);
        let state_tx = std::sync::Arc::new(state_tx);
        let closed_tx = state_tx.clone();
        let on_connect = on_connect.map(std::sync::Arc::new);
        let builder = ClientBuilder::new(url)
            .transport_type(match transport {
                Transport::WebSocket => TransportType::Websocket,
                Transport::Polling => TransportType::Polling,
            })
            .reconnect(false)
            .on("new message", move |payload, _| {
                if let Payload::Text(args) = payload {
                    tx.send(args).ok();
                }
                async {}.boxed()
            })
            .on(Event::Connect, move |_, client| {
                state_tx.send_replace(true);
                match &on_connect {
                    Some(callback) => callback(client),
                    None => async {}.boxed(),
                }
            })
            .on(Event::Close, move |_, _| {
                closed_tx.send_replace(false);
                async {}.boxed()
            });
        let inner = tokio::time::timeout(WAIT, builder.connect())
            .await
            .map_err(|_| {
                Failure::new(
                    format!("le client {name} ({}) se connecte", transport.label()),
                    "pas de réponse du serveur",
                )
            })?
            .map_err(|e| {
                Failure::new(
                    format!("le client {name} ({}) se connecte", transport.label()),
                    format!("erreur : {e}"),
                )
            })?;
        tokio::time::timeout(WAIT, connected.wait_for(|c| *c))
            .await
            .ok()
            .and_then(Result::ok)
            .ok_or_else(|| {
                Failure::new(
                    format!(
                        "le serveur accepte le client {name} ({}) dans l'espace de noms « / »",
                        transport.label()
                    ),
                    "aucune confirmation de connexion",
                )
            })?;
        Ok(Client {
            inner,
            received,
            connected,
            name: name.to_owned(),
            transport,
        })
    }

    /// `socket.emit(event, ...args)`
    pub async fn emit(&self, event: &str, args: Vec<Value>) -> Result<(), Failure> {
        self.inner
            .emit(event, Payload::Text(args))
            .await
            .map_err(|e| {
                Failure::new(
                    format!("le client {} envoie « {event} »", self.name),
                    format!("erreur : {e}"),
                )
            })
    }

    /// `socket.emit('new message', text)`
    pub async fn send_text(&self, text: &str) -> Result<(), Failure> {
        self.emit("new message", vec![Value::String(text.to_owned())])
            .await
    }

    /// Le prochain `new message` reçu (ses arguments), ou `None` après `wait`.
    pub async fn next(&mut self, wait: Duration) -> Option<Vec<Value>> {
        tokio::time::timeout(wait, self.received.recv())
            .await
            .ok()
            .flatten()
    }

    /// Attend le prochain `new message` et vérifie ses arguments.
    pub async fn expect(&mut self, args: &[Value], why: &str) -> Result<(), Failure> {
        match self.next(WAIT).await {
            Some(got) if got == args => Ok(()),
            Some(got) => Err(Failure::new(
                format!("{} reçoit {} ({why})", self.name, show(args)),
                format!("il a reçu {}", show(&got)),
            )),
            None => Err(Failure::new(
                format!("{} reçoit {} ({why})", self.name, show(args)),
                "il n'a rien reçu".to_owned(),
            )),
        }
    }

    /// Vérifie que rien n'arrive pendant `wait`.
    pub async fn expect_nothing(&mut self, wait: Duration, why: &str) -> Result<(), Failure> {
        match self.next(wait).await {
            None => Ok(()),
            Some(got) => Err(Failure::new(
                why.to_owned(),
                format!("{} a reçu {}", self.name, show(&got)),
            )),
        }
    }

    /// Le client est-il encore connecté ?
    pub fn is_connected(&self) -> bool {
        *self.connected.borrow()
    }

    /// Attend que le serveur ferme la connexion.
    pub async fn wait_closed(&mut self, wait: Duration) -> bool {
        tokio::time::timeout(wait, self.connected.wait_for(|c| !*c))
            .await
            .map(|r| r.is_ok())
            .unwrap_or(false)
    }

    /// Se déconnecte proprement, comme un onglet que l'on ferme.
    pub async fn disconnect(self) {
        self.inner.disconnect().await.ok();
    }
}

/// Une liste d'arguments, lisible dans un message d'erreur.
pub fn show(args: &[Value]) -> String {
    let text = args
        .iter()
        .map(|v| {
            let s = v.to_string();
            if s.len() > 60 {
                format!("{}…", &s[..s.floor_char_boundary(57)])
            } else {
                s
            }
        })
        .collect::<Vec<_>>()
        .join(", ");
    format!("[{text}]")
}
