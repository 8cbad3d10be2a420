//! Ce qui change d'un chapitre à l'autre, dit une fois pour toutes les
//! vérifications : la ligne de connexion, la forme d'un `new message`, la
//! façon d'ouvrir un client (pseudo, compte), et quelques aides partagées
//! (plusieurs clients à la fois, la racine du dépôt, le silence attendu).
//! Le module parent les réexporte : `crate::scenarios::connect` reste valable.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures_util::future::join_all;
use serde_json::{Value, json};

use super::{accounts, history};
use crate::WAIT;
use crate::client::{Client, Transport, show};
use crate::{Ctx, Failure};

/// La ligne affichée à chaque connexion (au début, pour ch06 et ch07 qui
/// ajoutent l'identifiant ; à partir du ch09 : « <pseudo> vient de se
/// connecter (<id>) »).
pub(crate) fn is_connect_line(ctx: &Ctx, line: &str) -> bool {
    if has_nicknames(ctx) {
        line.contains(" vient de se connecter (") && line.ends_with(')')
    } else if matches!(ctx.number(), 6 | 7) {
        line.starts_with("Un client vient de se connecter. Son ID : ")
    } else {
        line == "Un client vient de se connecter"
    }
}

/// Les chapitres à pseudos : le ch09, le ch10 et le ch12 (bâti sur le ch09),
/// pas le ch11 (bâti sur le ch08).
pub(crate) fn has_nicknames(ctx: &Ctx) -> bool {
    matches!(ctx.number(), 9 | 10 | 12..)
}

/// Les arguments d'un message de chat (ch07 : le salon `room1` d'abord).
pub(crate) fn chat_args(ctx: &Ctx, text: &str) -> Vec<Value> {
    static OFFSET: AtomicUsize = AtomicUsize::new(1);
    if ctx.number() == 7 {
        vec![json!("room1"), json!(text)]
    } else if matches!(ctx.number(), 11 | 15..) {
        // Ch11 et ch15 : (texte, clientOffset), un clientOffset neuf par
        // message.
        let n = OFFSET.fetch_add(1, Ordering::Relaxed);
        vec![json!(text), json!(format!("checks-{n}"))]
    } else {
        vec![json!(text)]
    }
}

/// La ligne que le serveur affiche pour un message.
pub(crate) fn message_line(ctx: &Ctx, text: &str) -> String {
    if ctx.number() == 7 {
        format!("message pour room1 : {text}")
    } else {
        format!("message: {text}")
    }
}

/// Vérifie que `client` reçoit le message de chat `text` : les mêmes
/// arguments que ceux envoyés jusqu'au chapitre 8, l'objet
/// `{ "from": <pseudo>, "text": <texte> }` à partir du chapitre 9,
/// `(texte, numéro)` au chapitre 11 et `({ from, text }, numéro)` au 15.
pub(crate) async fn expect_chat(
    ctx: &Ctx,
    client: &mut Client,
    text: &str,
    why: &str,
) -> Result<(), Failure> {
    if matches!(ctx.number(), 11 | 15..) {
        return history::expect_stored(ctx, client, text, why)
            .await
            .map(|_| ());
    }
    if ctx.number() < 9 {
        return client.expect(&chat_args(ctx, text), why).await;
    }
    let expected = format!("{} reçoit {{ from, text: {text:?} }} ({why})", client.name);
    match client.next(WAIT).await {
        Some(got)
            if got.len() == 1
                && got[0].get("text").and_then(Value::as_str) == Some(text)
                && got[0].get("from").is_some_and(Value::is_string) =>
        {
            Ok(())
        }
        Some(got) => Err(Failure::new(expected, format!("il a reçu {}", show(&got)))),
        None => Err(Failure::new(expected, "il n'a rien reçu")),
    }
}

/// Vérifie que `client` reçoit le message `text` de `from` : l'objet
/// `{ "from", "text" }`, suivi de son numéro au chapitre 15.
pub(crate) async fn expect_authored(
    ctx: &Ctx,
    client: &mut Client,
    from: &str,
    text: &str,
    why: &str,
) -> Result<(), Failure> {
    let said = json!({ "from": from, "text": text });
    if ctx.number() < 15 {
        return client.expect(&[said], why).await;
    }
    let expected = format!("{} reçoit ({said}, <numéro>) ({why})", client.name);
    match client.next(WAIT).await {
        Some(got) if got.len() == 2 && got[0] == said && got[1].as_i64().is_some() => Ok(()),
        Some(got) => Err(Failure::new(expected, format!("il a reçu {}", show(&got)))),
        None => Err(Failure::new(expected, "il n'a rien reçu")),
    }
}

/// Ouvre un client comme le ferait un onglet du chapitre : à partir du
/// chapitre 9, avec un pseudo (unique) dans la poignée de main.
pub(crate) async fn connect(
    ctx: &Ctx,
    url: &str,
    transport: Transport,
    name: &str,
) -> Result<Client, Failure> {
    connect_with(ctx, url, transport, name, None).await
}

/// Comme [`connect`], avec un rappel à la connexion. À partir du chapitre
/// 13, le client s'inscrit d'abord (un compte par client) et joint son
/// cookie de session à la poignée de main. Aux chapitres 11 et 15, il dit
/// avoir vu ce que les autres clients de la vérification ont déjà reçu
/// (`serverOffset`, voir [`Ctx::latest_seen`]) : comme un onglet rouvert, il
/// ne reçoit que les messages arrivés depuis.
///
/// Pourquoi pas « tout vu » (un numéro immense) : socketioxide confirme la
/// connexion *avant* d'appeler le gestionnaire qui envoie l'historique puis
/// fait entrer le client dans le salon. Un message enregistré entre les deux
/// n'arrive pas en direct ; avec « tout vu », l'historique le sauterait
/// aussi (vu une fois en CI). Une vraie page ne dit jamais avoir vu plus
/// que ce qu'elle a reçu : ce client non plus.
pub(crate) async fn connect_with(
    ctx: &Ctx,
    url: &str,
    transport: Transport,
    name: &str,
    on_connect: Option<crate::client::OnConnect>,
) -> Result<Client, Failure> {
    let seen = ctx.latest_seen();
    open_client(ctx, url, transport, name, on_connect, seen).await
}

/// Ouvre un client ; `seen` est le `serverOffset` qu'il donne aux
/// chapitres 11 et 15 (le dernier numéro qu'il dit avoir vu). Ce qu'il
/// reçoit compte ensuite pour les suivants ([`Ctx::follow`]).
async fn open_client(
    ctx: &Ctx,
    url: &str,
    transport: Transport,
    name: &str,
    on_connect: Option<crate::client::OnConnect>,
    seen: i64,
) -> Result<Client, Failure> {
    let offset = json!({ "serverOffset": seen });
    let client = if ctx.number() >= 13 {
        let auth = auth_for(ctx, name);
        let pseudo = auth
            .as_ref()
            .and_then(|auth| auth.get("pseudo"))
            .and_then(Value::as_str)
            .unwrap_or(name);
        let cookie = accounts::session_for(url, pseudo).await?;
        let headers = [("Cookie".to_owned(), cookie)];
        let offset = (ctx.number() >= 15).then_some(offset);
        Client::open_with_headers(url, transport, name, on_connect, offset, &headers).await?
    } else {
        let auth = if ctx.number() == 11 {
            Some(offset)
        } else {
            auth_for(ctx, name)
        };
        Client::open(url, transport, name, on_connect, auth).await?
    };
    ctx.follow(&client);
    Ok(client)
}

/// `{ "pseudo": … }` à partir du chapitre 9 : le nom du client suivi d'un
/// numéro, pour que deux clients de même nom n'aient jamais le même pseudo.
pub(crate) fn auth_for(ctx: &Ctx, name: &str) -> Option<Value> {
    static NEXT: AtomicUsize = AtomicUsize::new(1);
    (ctx.number() >= 9).then(|| {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let short: String = name.chars().take(24).collect();
        json!({ "pseudo": format!("{} {n}", short.trim()) })
    })
}

/// L'émetteur reçoit-il son propre message ? (`io.emit` au ch04, au ch07
/// puisqu'il est membre de room1, aux ch11 et ch15, où chaque page reçoit
/// tout l'historique.)
pub(crate) fn sender_receives(ctx: &Ctx) -> bool {
    matches!(ctx.number(), 4 | 7 | 11 | 15..)
}

pub(crate) async fn send_chat(ctx: &Ctx, client: &Client, text: &str) -> Result<(), Failure> {
    client.emit("new message", chat_args(ctx, text)).await
}

/// `n` clients connectés en même temps : le deuxième en long-polling, puis
/// un sur dix (le client long-polling de `rust_socketio` met une centaine de
/// millisecondes à se connecter). Ils se connectent par vagues de 25 ; une
/// fois connectés, ils le sont tous à la fois.
pub(crate) async fn connect_many(
    ctx: &Ctx,
    url: &str,
    n: usize,
    prefix: &str,
) -> Result<Vec<Client>, Failure> {
    let mut clients = Vec::with_capacity(n);
    let indices: Vec<usize> = (0..n).collect();
    for wave in indices.chunks(25) {
        let results = join_all(wave.iter().map(|&i| {
            let name = format!("{prefix}{}", i + 1);
            // À partir du chapitre 9, chaque arrivée envoie la liste
            // `online` à tous : avec 200 clients, des centaines de paquets
            // attendent chaque client. Le client long-polling de
            // `rust_socketio` 0.6 lit chaque réponse HTTP morceau par
            // morceau, et perd le paquet coupé entre deux morceaux avec
            // tout le reste de la réponse (vu : il s'arrête après 150 à 190
            // évènements). Ces chapitres-là se vérifient en long-polling
            // par les autres vérifications et dans Chromium.
            let transport = if i % 10 == 1 && ctx.number() < 9 {
                Transport::Polling
            } else {
                Transport::WebSocket
            };
            async move { connect(ctx, url, transport, &name).await }
        }))
        .await;
        for result in results {
            clients.push(result?);
        }
    }
    Ok(clients)
}

pub(crate) fn repository_root() -> PathBuf {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    here.parent().map(PathBuf::from).unwrap_or(here)
}

pub(crate) const SILENCE: Duration = Duration::from_millis(400);

/// Aucune ligne du terminal ne contient un caractère de contrôle (ni un
/// U+200B) écrit tel quel : un refus le nomme (U+001B), il ne l'écrit pas,
/// et une séquence ANSI venue d'un client ne commande pas le terminal.
pub(crate) fn no_control_in_output(server: &crate::Server) -> Result<(), Failure> {
    let hidden = |c: char| c.is_control() || c == '\u{200b}';
    match server
        .log()
        .stdout()
        .into_iter()
        .find(|l| l.chars().any(hidden))
    {
        Some(line) => Err(Failure::new(
            "aucun caractère de contrôle ni invisible écrit tel quel dans le terminal",
            format!("{line:?}"),
        )),
        None => Ok(()),
    }
}
