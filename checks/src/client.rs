//! Un vrai client Socket.IO (le crate `rust_socketio`), comme un onglet.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
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

    /// `socket.emit(event, ...args)`
    pub async fn emit(&self, event: &str, args: Vec<Value>) -> Result<(), Failure> {
        self.inner
            .emit(event, Payload::Text(args))
            .await
            .map_err(|e| {
                Failure::new(
                    format!("le client {} envoie « {event} »", self.name),
                    format!("erreur : {e}"),
                )
            })
    }

    /// `socket.timeout(wait).emitWithAck(event, ...args)` : envoie, puis
    /// attend l'accusé de réception et rend ses arguments.
    ///
    /// `rust_socketio` tire l'identifiant d'un accusé au hasard entre 0 et
    /// 998 : deux envois avec accusé en attente en même temps peuvent se
    /// confondre. On n'en a donc qu'un en attente à la fois.
    pub async fn emit_with_ack(
        &self,
        event: &str,
        args: Vec<Value>,
        wait: Duration,
    ) -> Result<Vec<Value>, Failure> {
        let (ack_tx, ack_rx) = tokio::sync::oneshot::channel();
        let ack_tx = std::sync::Mutex::new(Some(ack_tx));
        let what = format!("le client {} envoie « {event} » avec accusé", self.name);
        self.inner
            .emit_with_ack(event, Payload::Text(args), wait, move |payload, _| {
                let sender = ack_tx
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .take();
                if let (Some(sender), Payload::Text(args)) = (sender, payload) {
                    sender.send(args).ok();
                }
                async {}.boxed()
            })
            .await
            .map_err(|e| Failure::new(what.clone(), format!("erreur : {e}")))?;
        match tokio::time::timeout(wait, ack_rx).await {
            // `rust_socketio` rend les arguments de l'accusé dans un tableau
            // de plus : `[[{"id": 1}]]` pour `[{"id": 1}]`.
            Ok(Ok(mut args)) => {
                let args = match args.as_mut_slice() {
                    [Value::Array(inner)] => std::mem::take(inner),
                    _ => args,
                };
                // `{ "id": n }` : le message n est enregistré (chapitres 11
                // et 15), l'émetteur le sait avant même de le recevoir.
                let id = args.first().and_then(|ack| ack.get("id"));
                if let Some(id) = id.and_then(Value::as_i64) {
                    self.latest_id.fetch_max(id, Ordering::Relaxed);
                }
                Ok(args)
            }
            _ => Err(Failure::new(
                format!("{what} reçoit l'accusé de réception du serveur"),
                format!("aucun accusé en {} s", wait.as_secs()),
            )),
        }
    }

    /// Le prochain évènement `event` reçu (autre que `new message`) ; les
    /// évènements d'autres noms reçus entre-temps restent disponibles.
    pub async fn next_event(&mut self, event: &str, wait: Duration) -> Option<Vec<Value>> {
        if let Some(at) = self.pending.iter().position(|(name, _)| name == event) {
            return self.pending.remove(at).map(|(_, args)| args);
        }
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let (name, args) = tokio::time::timeout_at(deadline, self.events.recv())
                .await
                .ok()
                .flatten()?;
            if name == event {
                return Some(args);
            }
            self.pending.push_back((name, args));
        }
    }

    /// Le prochain évènement reçu (autre que `new message`), quel que soit
    /// son nom.
    pub async fn next_any_event(&mut self, wait: Duration) -> Option<(String, Vec<Value>)> {
        if let Some(event) = self.pending.pop_front() {
            return Some(event);
        }
        tokio::time::timeout(wait, self.events.recv())
            .await
            .ok()
            .flatten()
    }

    /// Attend le prochain évènement `event` et vérifie ses arguments.
    pub async fn expect_event(
        &mut self,
        event: &str,
        args: &[Value],
        why: &str,
    ) -> Result<(), Failure> {
        let expected = format!("{} reçoit « {event} » {} ({why})", self.name, show(args));
        match self.next_event(event, WAIT).await {
            Some(got) if got == args => Ok(()),
            Some(got) => Err(Failure::new(expected, format!("il a reçu {}", show(&got)))),
            None => Err(Failure::new(expected, "il n'a rien reçu")),
        }
    }

    /// Vérifie qu'aucun évènement `event` n'arrive pendant `wait`.
    pub async fn expect_no_event(
        &mut self,
        event: &str,
        wait: Duration,
        why: &str,
    ) -> Result<(), Failure> {
        match self.next_event(event, wait).await {
            None => Ok(()),
            Some(got) => Err(Failure::new(
                why.to_owned(),
                format!("{} a reçu « {event} » {}", self.name, show(&got)),
            )),
        }
    }

    /// Oublie les évènements déjà reçus (autres que `new message`).
    pub fn clear_events(&mut self) {
        self.pending.clear();
        while self.events.try_recv().is_ok() {}
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

    /// Attend le prochain `new message` et rend son texte : l'argument
    /// lui-même (chapitres 3 à 8), le dernier (chapitre 7 : salon, texte) ou
    /// le champ `text` d'un objet (à partir du chapitre 9 : `{ from, text }`).
    pub async fn next_text(&mut self, wait: Duration) -> Option<String> {
        self.next(wait).await.map(|args| message_text(&args))
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

/// Le texte d'un `new message`, quelle que soit sa forme (voir
/// [`Client::next_text`]) ; vide s'il n'y en a pas.
pub fn message_text(args: &[Value]) -> String {
    // Le dernier texte ou objet : au ch11, `(texte, numéro)` finit par le
    // numéro.
    let last = args
        .iter()
        .rev()
        .find(|v| matches!(v, Value::String(_) | Value::Object(_)));
    match last {
        Some(Value::String(text)) => text.clone(),
        Some(Value::Object(fields)) => fields
            .get("text")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned(),
        _ => String::new(),
    }
}

/// Une liste d'arguments, lisible dans un message d'erreur.
pub fn show(args: &[Value]) -> String {
    let text = args.iter().map(show_value).collect::<Vec<_>>().join(", ");
    format!("[{text}]")
}

/// Une valeur JSON, lisible dans un message d'erreur (coupée si elle est
/// longue).
fn show_value(v: &Value) -> String {
    let s = v.to_string();
    if s.len() > 60 {
        format!("{}…", &s[..s.floor_char_boundary(57)])
    } else {
        s
    }
}

/// Ce qu'un accusé de réception a rendu, dit pour un rapport d'échec : son
/// argument seul quand il n'y en a qu'un (« l'accusé vaut {"id":1} », qui se
/// compare à l'objet attendu), sinon la liste de ses arguments, dite comme
/// telle.
pub fn show_ack(args: &[Value]) -> String {
    match args {
        [] => "un accusé sans argument".to_owned(),
        [one] => format!("l'accusé vaut {}", show_value(one)),
        _ => format!("les arguments de l'accusé valent {}", show(args)),
    }
}
