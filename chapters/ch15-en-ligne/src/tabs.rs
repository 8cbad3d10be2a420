//! Un onglet arrive, un onglet part (chapitre 13) : il entre dans ses
//! salons ou les quitte, et tout le chat l'apprend (chapitre 15).
//!
//! Chaque onglet entre dans trois salons : celui de son compte (les
//! messages privés et « se déconnecter partout » du chapitre 13), celui de
//! son pseudo (la liste « En ligne », `presence.rs`) et le sien
//! (`onglet:<compte>:<id>`, que compte la liste des modérateurs,
//! `users.rs`). Les deux listes se relisent ensuite dans tout le chat.

// ANCHOR: all
use socketioxide::extract::{Extension, State};
use tracing::info;

use crate::presence::{self, named, room_of};
use crate::store::Account;
use crate::{Chat, SocketIo, SocketRef, users};

// ANCHOR: arrive
/// Un onglet arrive : il entre dans ses deux salons, puis chacun apprend ce
/// qui a changé.
pub async fn arrive(socket: &SocketRef, io: &SocketIo, chat: &Chat, account: &Account) {
    socket.join([
        room_of(&account.key),
        named(&account.pseudo),
        users::tab_room(&account.key, socket),
    ]);
    info!(account = %account.pseudo, socket = %socket.id, "{} vient de se connecter ({})", account.pseudo, socket.id);
    // La liste de tout le chat passe par Redis, qui peut tarder (relancé,
    // ou un processus tué qui ne répond plus : 2 s d'attente). `in_order`
    // tient les messages de cet onglet derrière sa connexion : on ne les
    // fait pas attendre Redis, la liste suit dans une tâche à part.
    let (socket, io, chat) = (socket.clone(), io.clone(), chat.clone());
    tokio::spawn(async move {
        presence::refresh(&io, &chat).await;
        socket.emit("online", &chat.presence.online()).ok();
        users::refresh(&io, &chat).await;
    });
}

/// Un onglet part : il quitte ses salons tout de suite (socketioxide ne
/// l'en retire qu'après ce gestionnaire), puis chacun apprend ce qui a
/// changé.
pub async fn leave(
    socket: SocketRef,
    io: SocketIo,
    State(chat): State<Chat>,
    Extension(account): Extension<Account>,
) {
    socket.leave_all();
    info!(account = %account.pseudo, socket = %socket.id, "{} a fermé un onglet ({})", account.pseudo, socket.id);
    if !support::is_stopping() {
        presence::refresh(&io, &chat).await;
        users::refresh(&io, &chat).await;
        return;
    }
    // Le processus s'arrête : il ne relit plus la liste de tout le chat
    // (les autres processus verront le départ d'eux-mêmes), mais il dit
    // dans son terminal qui part avec lui : la personne dont c'était le
    // dernier onglet ici.
    let tabs_left = io
        .local()
        .to(room_of(&account.key))
        .sockets()
        .into_iter()
        .filter(|other| other.id != socket.id)
        .count();
    if tabs_left == 0 {
        info!(account = %account.pseudo, "{} s'est déconnecté", account.pseudo);
    }
}
// ANCHOR_END: arrive
// ANCHOR_END: all
