//! [`SocketRef`] : la connexion d'un client, celle de socketioxide, dont
//! `socket.on(…)` garde aussi le gestionnaire pour un évènement arrivé avant
//! lui (voir `early.rs`). Tout le reste (`emit`, `join`, `id`,
//! `extensions`…) est celui de socketioxide, par `Deref`.

use std::borrow::Cow;
use std::convert::Infallible;
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use socketioxide::SocketError;
use socketioxide::adapter::Adapter;
use socketioxide::extract::SocketRef as Inner;
use socketioxide::handler::{
    FromConnectParts, FromDisconnectParts, FromMessageParts, MessageHandler, Value,
};
use socketioxide::socket::{DisconnectReason, Socket};

use crate::ReliableAdapter;
use crate::early::Early;

/// La connexion d'un client, telle que la reçoivent les gestionnaires
/// d'évènements : c'est le `socket` de `io.on('connection', (socket) => …)`.
pub struct SocketRef<A: Adapter = ReliableAdapter>(Inner<A>);

impl<A: Adapter> SocketRef<A> {
    /// `socket.on('nom', gestionnaire)` : appelé à chaque évènement `nom` de
    /// ce client. Comme celui de socketioxide ; en plus, un évènement que le
    /// client émet avant cet appel (dès la confirmation de connexion) lui
    /// parvient quand même, si l'appel est fait avant le premier `.await`
    /// du gestionnaire de connexion.
    pub fn on<H, T>(&self, event: impl Into<Cow<'static, str>>, handler: H)
    where
        H: MessageHandler<A, T> + Clone,
        T: Send + Sync + 'static,
    {
        let event = event.into();
        if let Some(early) = self.0.extensions.get::<Early<A>>() {
            early.remember(&event, handler.clone());
        }
        self.0.on(event, handler);
    }

    /// Ferme la connexion de ce client (`socket.disconnect()`).
    pub fn disconnect(self) -> Result<(), SocketError> {
        self.0.disconnect()
    }
}

impl<A: Adapter> Deref for SocketRef<A> {
    type Target = Socket<A>;
    fn deref(&self) -> &Socket<A> {
        &self.0
    }
}

impl<A: Adapter> Clone for SocketRef<A> {
    fn clone(&self) -> Self {
        SocketRef(self.0.clone())
    }
}

impl<A: Adapter> PartialEq for SocketRef<A> {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

impl<A: Adapter> fmt::Debug for SocketRef<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl<A: Adapter> From<Inner<A>> for SocketRef<A> {
    fn from(inner: Inner<A>) -> Self {
        SocketRef(inner)
    }
}

impl<A: Adapter> From<Arc<Socket<A>>> for SocketRef<A> {
    fn from(socket: Arc<Socket<A>>) -> Self {
        SocketRef(Inner::from(socket))
    }
}

impl<A: Adapter> FromConnectParts<A> for SocketRef<A> {
    type Error = Infallible;
    fn from_connect_parts(s: &Arc<Socket<A>>, auth: &Option<Value>) -> Result<Self, Infallible> {
        Inner::from_connect_parts(s, auth).map(SocketRef)
    }
}

impl<A: Adapter> FromMessageParts<A> for SocketRef<A> {
    type Error = Infallible;
    fn from_message_parts(
        s: &Arc<Socket<A>>,
        v: &mut Value,
        ack_id: &Option<i64>,
    ) -> Result<Self, Infallible> {
        Inner::from_message_parts(s, v, ack_id).map(SocketRef)
    }
}

impl<A: Adapter> FromDisconnectParts<A> for SocketRef<A> {
    type Error = Infallible;
    fn from_disconnect_parts(
        s: &Arc<Socket<A>>,
        reason: DisconnectReason,
    ) -> Result<Self, Infallible> {
        Inner::from_disconnect_parts(s, reason).map(SocketRef)
    }
}
