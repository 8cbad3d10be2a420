//! L'espace de noms `/admin`, celui des modérateurs : un deuxième canal sur
//! la même connexion, avec ses propres évènements et son propre middleware.
//! En Node : `io.of('/admin')`.

// ANCHOR: all
use serde_json::{Value, json};
use socketioxide::extract::{Extension, State, TryData};
use support::nickname_key;

use crate::Chat;
use crate::moderation::{kick_request, mute_request, rfc3339};
use crate::presence::room_of;
use crate::store::Account;
use crate::{AckSender, SocketIo, SocketRef};

// ANCHOR: middleware
/// Le middleware de `/admin`. `check_session` (chapitre 13) est passé
/// avant lui et a rangé le compte dans les extensions : il ne reste qu'à
/// vérifier que ce compte est modérateur.
pub async fn check_moderator(socket: SocketRef, State(chat): State<Chat>) -> Result<(), String> {
    let Some(account) = socket.extensions.get::<Account>() else {
        return Err("Connectez-vous d'abord.".to_owned());
    };
    if chat.moderation.is_moderator(&account.key) {
        return Ok(());
    }
    let hint = if chat.moderation.moderators().is_empty() {
        " (MODERATORS est vide\u{a0}: personne ne l'est)"
    } else {
        ""
    };
    println!(
        "Connexion à /admin refusée\u{a0}: {} n'est pas modérateur{hint}",
        account.pseudo
    );
    Err("Cette page est réservée aux modérateurs.".to_owned())
}
// ANCHOR_END: middleware

// ANCHOR: connect
pub async fn on_connect(
    socket: SocketRef,
    io: SocketIo,
    State(chat): State<Chat>,
    Extension(account): Extension<Account>,
) {
    socket.on("kick", support::in_order(on_kick));
    socket.on("mute", support::in_order(on_mute));
    println!("{} ouvre la page des modérateurs", account.pseudo);
    socket.emit("users", &users(&io, &chat)).ok();
}
// ANCHOR_END: connect

// ANCHOR: users
/// Les comptes connectés au chat (`/`), chacun avec son nombre d'onglets
/// et la fin de sa mise en silence.
fn users(io: &SocketIo, chat: &Chat) -> Vec<Value> {
    let Some(main) = io.of("/") else {
        return Vec::new();
    };
    chat.presence
        .online()
        .into_iter()
        .map(|pseudo| {
            let key = nickname_key(&pseudo);
            let tabs = main.clone().to(room_of(&key)).sockets().len();
            let muted = chat.moderation.muted_until(&key).map(rfc3339);
            json!({ "pseudo": pseudo, "tabs": tabs, "muted_until": muted })
        })
        .collect()
}

/// Envoie la liste à jour à chaque page des modérateurs : après chaque
/// arrivée, départ ou décision.
pub async fn refresh(io: &SocketIo, chat: &Chat) {
    if let Some(admin) = io.of("/admin") {
        admin.emit("users", &users(io, chat)).await.ok();
    }
}
// ANCHOR_END: users

// ANCHOR: kick
/// `kick` `{ pseudo, reason }` : chaque onglet de ce compte reçoit
/// `kicked` avec la raison, puis est déconnecté.
async fn on_kick(
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
async fn on_mute(
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
