//! Ce qu'un client connecté fait : envoyer (avec ou sans accusé), attendre
//! un évènement ou un `new message`, vérifier qu'il n'arrive rien, se
//! déconnecter. À part de la connexion (`client.rs`) : c'est ce que les
//! scénarios appellent à chaque ligne.

use std::sync::atomic::Ordering;
use std::time::Duration;

use futures_util::FutureExt;
use rust_socketio::Payload;
use serde_json::Value;

use super::{Client, message_text, show};
use crate::{Failure, WAIT};

impl Client {
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
