//! Les deux décisions d'un modérateur, demandées par la page de `/admin` :
//! exclure un compte (`kick`) et le réduire au silence (`mute`). Chacune
//! agit sur le chat (`/`), pas sur `/admin` ; chacune répond par un accusé,
//! `{ ok: true }` ou `{ error }`.

// ANCHOR: all
use serde_json::{Value, json};
use socketioxide::extract::{Extension, State, TryData};
use support::nickname_key;

use super::refresh;
use crate::moderation::{kick_request, mute_request, rfc3339};
use crate::presence::room_of;
use crate::store::Account;
use crate::{AckSender, Chat, SocketIo};

// ANCHOR: kick
/// `kick` `{ pseudo, reason }` : chaque onglet de ce compte reçoit
/// `kicked` avec la raison, puis est déconnecté.
pub async fn on_kick(
    io: SocketIo,
    Extension(moderator): Extension<Account>,
    TryData(data): TryData<Value>,
    ack: AckSender,
) {
    let (pseudo, reason) = match kick_request(&data.unwrap_or_default()) {
        Ok(request) => request,
        Err(why) => {
            ack.send(&json!({ "error": why })).ok();
            return;
        }
    };
    let room = room_of(&nickname_key(&pseudo));
    let Some(main) = io.of("/") else {
        return;
    };
    let tabs = main.clone().to(room.clone()).sockets().len();
    if tabs == 0 {
        let why = format!("Personne n'est connecté sous le pseudo «\u{a0}{pseudo}\u{a0}».");
        ack.send(&json!({ "error": why })).ok();
        return;
    }
    println!(
        "Modération\u{a0}: {} exclut {pseudo} ({tabs}\u{a0}{}), raison\u{a0}: {reason}",
        moderator.pseudo,
        if tabs == 1 { "onglet" } else { "onglets" }
    );
    main.clone()
        .to(room.clone())
        .emit("kicked", &json!({ "reason": reason }))
        .await
        .ok();
    main.to(room).disconnect().await.ok();
    ack.send(&json!({ "ok": true })).ok();
}
// ANCHOR_END: kick

// ANCHOR: mute
/// `mute` `{ pseudo, minutes }` : jusqu'à la fin, les messages de ce compte
/// sont refusés ; `minutes: 0` le rend à la parole.
pub async fn on_mute(
    io: SocketIo,
    State(chat): State<Chat>,
    Extension(moderator): Extension<Account>,
    TryData(data): TryData<Value>,
    ack: AckSender,
) {
    let (pseudo, minutes) = match mute_request(&data.unwrap_or_default()) {
        Ok(request) => request,
        Err(why) => {
            ack.send(&json!({ "error": why })).ok();
            return;
        }
    };
    let account = match chat.store.find_account(nickname_key(&pseudo)).await {
        Ok(Some((account, _))) => account,
        _ => {
            let why = format!("Aucun compte ne s'appelle «\u{a0}{pseudo}\u{a0}».");
            ack.send(&json!({ "error": why })).ok();
            return;
        }
    };
    let until = chat.moderation.mute(&account.key, minutes);
    match until {
        Some(_) => println!(
            "Modération\u{a0}: {} réduit {} au silence pour {minutes}\u{a0}min",
            moderator.pseudo, account.pseudo
        ),
        None => println!(
            "Modération\u{a0}: {} rend la parole à {}",
            moderator.pseudo, account.pseudo
        ),
    }
    ack.send(&json!({ "ok": true, "until": until.map(rfc3339) }))
        .ok();
    refresh(&io, &chat).await;
}
// ANCHOR_END: mute
// ANCHOR_END: all
