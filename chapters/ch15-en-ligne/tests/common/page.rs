//! Une page du chat, en Rust, qui fait ce que fait `client-socket.js` :
//! elle se (re)connecte avec `auth.serverOffset`, envoie ses messages un à
//! un avec leur `clientOffset`, renvoie le même message tant qu'il n'est
//! pas enregistré, et garde ceux qu'elle reçoit, dans l'ordre. Quand son
//! processus tombe, elle se reconnecte à l'autre, comme nginx l'y
//! enverrait.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use checks::client::{Client, Transport};
use serde_json::{Value, json};

use super::{parse_message, tab};

/// Ce qu'une page a vécu, pour le rapport.
#[derive(Debug, Default, Clone)]
pub struct Report {
    pub name: String,
    /// Les numéros reçus, dans l'ordre de réception.
    pub seen: Vec<i64>,
    /// Ses messages : (clientOffset, numéro accusé).
    pub acked: Vec<(String, i64)>,
    /// Combien de fois elle s'est reconnectée.
    pub reconnections: usize,
    /// La plus longue attente entre une déconnexion et la reconnexion.
    pub longest_outage: Duration,
    /// Les refus reçus (`connect_error` avec une raison, `logged out`…).
    pub refusals: Vec<String>,
    /// Les accusés d'erreur « réessayez » (base en panne).
    pub retried: usize,
    /// Les envois restés sans accusé (connexion tombée).
    pub timeouts: usize,
    /// Un défaut vu en route (numéro reçu deux fois, ou en désordre).
    pub defects: Vec<String>,
}

/// Une page : son compte, les processus qu'elle peut joindre.
pub struct Page {
    pub name: String,
    pub cookie: String,
    pub ports: Vec<u16>,
    pub transport: Transport,
}

impl Page {
    /// Envoie `count` messages, un toutes les `every`, puis attend d'avoir
    /// reçu au moins jusqu'au numéro que `done` finit par donner.
    pub async fn run(
        self,
        count: usize,
        every: Duration,
        sending_over: Arc<AtomicBool>,
        goal: Arc<tokio::sync::watch::Receiver<i64>>,
    ) -> Report {
        let mut report = Report {
            name: self.name.clone(),
            ..Report::default()
        };
        let mut pending: std::collections::VecDeque<(String, String)> = (0..count)
            .map(|i| {
                (
                    format!("{}-{i}", self.name),
                    format!("{} dit {i}", self.name),
                )
            })
            .collect();
        let mut which = 0;
        let mut last = 0i64;
        let mut client: Option<Client> = None;
        let mut lost_at: Option<Instant> = None;
        let started = Instant::now();
        let mut next_send = Instant::now();
        loop {
            // Connecté ? Sinon, se (re)connecter, au processus suivant si
            // celui-ci ne répond pas.
            if client.as_ref().is_none_or(|c| !c.is_connected()) {
                if client.take().is_some() && lost_at.is_none() {
                    lost_at = Some(Instant::now());
                }
                let port = self.ports[which % self.ports.len()];
                match tab(port, &self.cookie, last, &self.name, self.transport).await {
                    Ok(c) => {
                        if let Some(at) = lost_at.take() {
                            report.reconnections += 1;
                            report.longest_outage = report.longest_outage.max(at.elapsed());
                        }
                        client = Some(c);
                    }
                    Err(failure) => {
                        if failure.seen.contains("connect_error") || failure.seen.contains("refus")
                        {
                            report.refusals.push(failure.seen.clone());
                        }
                        which += 1;
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                }
                continue;
            }
            let Some(c) = client.as_mut() else { continue };
            // Ce qui est arrivé.
            while let Some(args) = c.next(Duration::from_millis(1)).await {
                match parse_message(&args) {
                    Some((_, _, id)) if id > last => {
                        last = id;
                        report.seen.push(id);
                    }
                    Some((_, _, id)) => report.defects.push(format!(
                        "numéro {id} reçu après {last} (doublon ou désordre)"
                    )),
                    None => report.defects.push(format!("message illisible : {args:?}")),
                }
            }
            while let Some((event, args)) = c.next_any_event(Duration::from_millis(0)).await {
                if event == "logged out" || event == "kicked" {
                    report.refusals.push(format!("{event} {args:?}"));
                }
            }
            // Envoyer le suivant, s'il est temps.
            if let Some((offset, text)) = pending.front().cloned()
                && Instant::now() >= next_send
            {
                let args = vec![json!(text), json!(offset)];
                match c
                    .emit_with_ack("new message", args, Duration::from_secs(5))
                    .await
                {
                    Ok(reply) => match reply.first() {
                        Some(Value::Object(o)) if o.get("id").is_some_and(Value::is_i64) => {
                            let id = o.get("id").and_then(Value::as_i64).unwrap_or(0);
                            report.acked.push((offset, id));
                            pending.pop_front();
                            next_send = Instant::now() + every;
                        }
                        Some(Value::Object(o)) if o.get("retry") == Some(&Value::Bool(true)) => {
                            report.retried += 1;
                            next_send = Instant::now() + Duration::from_millis(300);
                        }
                        other => {
                            report.defects.push(format!("accusé inattendu : {other:?}"));
                            pending.pop_front();
                        }
                    },
                    // Pas d'accusé en 5 s : la connexion est tombée sans
                    // que le client Rust le voie (celle d'un processus tué,
                    // dont il ne remarque pas toujours la fermeture) ; on se
                    // reconnecte, comme le ferait le battement de cœur de la
                    // page, et le même message repartira.
                    Err(_) => {
                        report.timeouts += 1;
                        client = None;
                        lost_at.get_or_insert_with(Instant::now);
                    }
                }
                continue;
            }
            if pending.is_empty()
                && sending_over.load(Ordering::SeqCst)
                && last >= *goal.borrow()
                && *goal.borrow() > 0
            {
                return report;
            }
            if started.elapsed() > Duration::from_secs(120) {
                report.defects.push(format!(
                    "pas fini en 120 s : {} messages à envoyer, dernier numéro reçu {last}, attendu {}, \
                     connectée : {}, envois sans accusé : {}",
                    pending.len(),
                    *goal.borrow(),
                    client.as_ref().is_some_and(Client::is_connected),
                    report.timeouts
                ));
                return report;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}
