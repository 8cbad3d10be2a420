//! Un vrai client Socket.IO (le crate `rust_socketio`), comme un onglet.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use futures_util::FutureExt;
use rust_socketio::asynchronous::{Client as SioClient, ClientBuilder};
use rust_socketio::{Event, Payload, TransportType};
use serde_json::Value;
use tokio::sync::{mpsc, watch};

use crate::{Failure, WAIT};

mod exchange;
mod show;

pub use show::{message_text, show, show_ack, show_event, show_lines};

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

/// Un client connecté, qui range les `new message` reçus dans l'ordre, et
/// à part les autres évènements (`user joined`, `online`…).
pub struct Client {
    inner: SioClient,
    received: mpsc::UnboundedReceiver<Vec<Value>>,
    events: mpsc::UnboundedReceiver<(String, Vec<Value>)>,
    /// Les évènements déjà lus mais pas encore demandés (voir [`Client::next_event`]).
    pending: VecDeque<(String, Vec<Value>)>,
    connected: watch::Receiver<bool>,
    /// Le plus grand numéro de message reçu (chapitres 11 et 15 : le second
    /// argument de `new message`, ou l'`id` d'un accusé), noté dès
    /// l'arrivée, lu ou non.
    latest_id: Arc<AtomicI64>,
    pub name: String,
    pub transport: Transport,
}

/// Ce que le client envoie dans la poignée de main (`io({ auth })`).
pub type Auth = Option<Value>;

/// Ce qu'un client fait dès qu'il est connecté, dans son propre rappel
/// `connect` (comme `socket.on('connect', …)` côté navigateur).
pub type OnConnect =
    Box<dyn Fn(SioClient) -> futures_util::future::BoxFuture<'static, ()> + Send + Sync>;

impl Client {
    /// Se connecte à `url` et attend que le serveur ait accepté la connexion.
    pub async fn connect(url: &str, transport: Transport, name: &str) -> Result<Client, Failure> {
        Self::connect_with(url, transport, name, None).await
    }

    /// Comme [`Client::connect`], avec `auth` dans la poignée de main
    /// (`io({ auth: { pseudo } })`).
    pub async fn connect_auth(
        url: &str,
        transport: Transport,
        name: &str,
        auth: Value,
    ) -> Result<Client, Failure> {
        Self::open(url, transport, name, None, Some(auth)).await
    }

    /// Se connecte avec `auth` en attendant un refus (`connect_error`) ;
    /// renvoie le `message` du refus.
    pub async fn connect_refused(
        url: &str,
        transport: Transport,
        auth: Value,
    ) -> Result<String, Failure> {
        Self::connect_refused_with_headers(url, transport, auth, &[]).await
    }

    /// Comme [`Client::connect_refused`], avec des en-têtes HTTP joints à
    /// la poignée de main.
    pub async fn connect_refused_with_headers(
        url: &str,
        transport: Transport,
        auth: Value,
        headers: &[(String, String)],
    ) -> Result<String, Failure> {
        Self::refused_in("/", url, transport, auth, headers).await
    }

    /// Comme [`Client::connect_refused_with_headers`], dans l'espace de
    /// noms `namespace`.
    pub async fn refused_in(
        namespace: &str,
        url: &str,
        transport: Transport,
        auth: Value,
        headers: &[(String, String)],
    ) -> Result<String, Failure> {
        let (error_tx, mut error_rx) = mpsc::unbounded_channel();
        let (state_tx, mut connected) = watch::channel(false);
        let shown = auth.to_string();
        let mut builder = ClientBuilder::new(url).namespace(namespace);
        for (name, value) in headers {
            builder = builder.opening_header(name.as_str(), value.as_str());
        }
        let client = builder
            .transport_type(transport_type(transport))
            .reconnect(false)
            .auth(auth)
            .on(Event::Error, move |payload, _| {
                error_tx.send(payload_text(&payload)).ok();
                async {}.boxed()
            })
            .on(Event::Connect, move |_, _| {
                state_tx.send_replace(true);
                async {}.boxed()
            })
            .connect()
            .await
            .map_err(|e| {
                Failure::new(
                    format!("le client avec auth {shown} joint le serveur"),
                    format!("erreur : {e}"),
                )
            })?;
        let refused = tokio::time::timeout(WAIT, async {
            loop {
                tokio::select! {
                    error = error_rx.recv() => match error {
                        Some(text) => {
                            if let Some(data) = text.strip_prefix(CONNECT_ERROR_PREFIX) {
                                break Some(connect_error_message(data));
                            }
                        }
                        None => break None,
                    },
                    changed = connected.changed() => {
                        if changed.is_err() || *connected.borrow() {
                            break None;
                        }
                    }
                }
            }
        })
        .await;
        client.disconnect().await.ok();
        match refused {
            Ok(Some(message)) => Ok(message),
            Ok(None) => Err(Failure::new(
                format!("la connexion avec auth {shown} est refusée (connect_error)"),
                "elle a été acceptée",
            )),
            Err(_) => Err(Failure::new(
                format!("la connexion avec auth {shown} est refusée (connect_error)"),
                "ni refus ni acceptation",
            )),
        }
    }

    /// Comme [`Client::connect`], avec un rappel exécuté à la connexion.
    pub async fn connect_with(
        url: &str,
        transport: Transport,
        name: &str,
        on_connect: Option<OnConnect>,
    ) -> Result<Client, Failure> {
        Self::open(url, transport, name, on_connect, None).await
    }

    /// La forme complète : un rappel à la connexion et `auth` facultatifs.
    pub async fn open(
        url: &str,
        transport: Transport,
        name: &str,
        on_connect: Option<OnConnect>,
        auth: Auth,
    ) -> Result<Client, Failure> {
        Self::open_with_headers(url, transport, name, on_connect, auth, &[]).await
    }

    /// Comme [`Client::open`], avec des en-têtes HTTP joints à la poignée
    /// de main (le cookie de session du chapitre 13, un `Origin`…).
    pub async fn open_with_headers(
        url: &str,
        transport: Transport,
        name: &str,
        on_connect: Option<OnConnect>,
        auth: Auth,
        headers: &[(String, String)],
    ) -> Result<Client, Failure> {
        Self::open_in("/", url, transport, name, on_connect, auth, headers).await
    }

    /// Comme [`Client::open_with_headers`], dans l'espace de noms
    /// `namespace` (`io('/admin')` dans la page).
    pub async fn open_in(
        namespace: &str,
        url: &str,
        transport: Transport,
        name: &str,
        on_connect: Option<OnConnect>,
        auth: Auth,
        headers: &[(String, String)],
    ) -> Result<Client, Failure> {
        let (tx, received) = mpsc::unbounded_channel();
        let (events_tx, events) = mpsc::unbounded_channel();
        let (state_tx, mut connected) = watch::channel(false);
        let state_tx = std::sync::Arc::new(state_tx);
        let closed_tx = state_tx.clone();
        let on_connect = on_connect.map(std::sync::Arc::new);
        let latest_id = Arc::new(AtomicI64::new(0));
        let noted = latest_id.clone();
        let mut builder = ClientBuilder::new(url)
            .namespace(namespace)
            .transport_type(transport_type(transport))
            .reconnect(false)
            .on("new message", move |payload, _| {
                if let Payload::Text(args) = payload {
                    if let Some(id) = args.get(1).and_then(Value::as_i64) {
                        noted.fetch_max(id, Ordering::Relaxed);
                    }
                    tx.send(args).ok();
                }
                async {}.boxed()
            })
            .on_any(move |event, payload, _| {
                if let (Event::Custom(name), Payload::Text(args)) = (event, payload)
                    && name != "new message"
                {
                    events_tx.send((name, args)).ok();
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
        if let Some(auth) = auth {
            builder = builder.auth(auth);
        }
        for (name, value) in headers {
            builder = builder.opening_header(name.as_str(), value.as_str());
        }
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
                    format!("erreur : {e}"),
                )
            })?;
        tokio::time::timeout(WAIT, connected.wait_for(|c| *c))
            .await
            .ok()
            .and_then(Result::ok)
            .ok_or_else(|| {
                Failure::new(
                    format!(
                        "le serveur accepte le client {name} ({}) dans l'espace de noms « / »",
                        transport.label()
                    ),
                    "aucune confirmation de connexion",
                )
            })?;
        Ok(Client {
            inner,
            received,
            events,
            pending: VecDeque::new(),
            connected,
            latest_id,
            name: name.to_owned(),
            transport,
        })
    }

    /// Le compteur du plus grand numéro de message reçu, partagé : il
    /// continue d'avancer à chaque message qui arrive.
    pub fn latest_id(&self) -> Arc<AtomicI64> {
        self.latest_id.clone()
    }
}

fn transport_type(transport: Transport) -> TransportType {
    match transport {
        Transport::WebSocket => TransportType::Websocket,
        Transport::Polling => TransportType::Polling,
    }
}

/// Ce que `rust_socketio` met devant les données d'un `connect_error`.
const CONNECT_ERROR_PREFIX: &str = "Received an ConnectError frame: ";

/// Le `message` d'un `connect_error` (`{"message": "…"}`), ou ses données
/// brutes si elles ont une autre forme.
fn connect_error_message(data: &str) -> String {
    serde_json::from_str::<Value>(data)
        .ok()
        .and_then(|v| v.get("message").and_then(Value::as_str).map(str::to_owned))
        .unwrap_or_else(|| data.to_owned())
}

fn payload_text(payload: &Payload) -> String {
    match payload {
        Payload::Text(values) => values
            .iter()
            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
            .collect::<Vec<_>>()
            .join(" "),
        #[allow(deprecated)]
        Payload::String(text) => text.clone(),
        Payload::Binary(_) => String::new(),
    }
}
