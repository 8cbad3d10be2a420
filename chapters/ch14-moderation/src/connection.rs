//! Une connexion au chat (l'espace de noms `/`) : ce qu'elle écoute, son
//! arrivée et son départ. Ce sont ceux du chapitre 13, plus la liste des
//! modérateurs tenue à jour (`admin::refresh`).

// ANCHOR: all
use socketioxide::extract::{Extension, State};
use support::in_order;

use crate::store::Account;
use crate::{Chat, SocketIo, SocketRef};
use crate::{admin, messages, presence, private};

// ANCHOR: connection
/// Ce qu'écoute une connexion : les messages passent par `messages.rs`
/// (les règles), `typing` reste celui du chapitre 13.
pub async fn on_connect(
    socket: SocketRef,
    io: SocketIo,
    State(chat): State<Chat>,
    Extension(account): Extension<Account>,
) {
    socket.on("new message", in_order(messages::on_message));
    socket.on("private message", in_order(messages::on_private_message));
    socket.on("typing", in_order(private::on_typing));
    socket.on_disconnect(in_order(on_leave));
    presence::arrive(&socket, &io, &chat, &account).await;
    admin::refresh(&io, &chat).await;
}

/// Le départ du chapitre 13, puis la liste à jour pour les modérateurs.
async fn on_leave(
    socket: SocketRef,
    io: SocketIo,
    State(chat): State<Chat>,
    Extension(account): Extension<Account>,
) {
    // socketioxide ne retire la connexion de ses salons qu'après ce
    // gestionnaire : sans cela, `admin::refresh` la compterait encore parmi
    // les onglets de son compte.
    socket.leave_all();
    presence::leave(socket, State(chat.clone()), Extension(account)).await;
    admin::refresh(&io, &chat).await;
}
// ANCHOR_END: connection
// ANCHOR_END: all
