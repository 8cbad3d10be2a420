//! Qui est là, par compte : une personne qui ouvre trois onglets est *une*
//! personne. Elle arrive avec son premier onglet (`user joined`) et part
//! avec le dernier (`user left`) ; la liste `online` la nomme une fois.

// ANCHOR: all
use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use socketioxide::extract::{Extension, State};
use support::nickname_key;

use crate::Chat;
use crate::store::Account;
use crate::{SocketIo, SocketRef};

// ANCHOR: room
/// Le salon d'un compte : chacun de ses onglets y entre. Écrire à ce salon,
/// c'est écrire à la personne, dans tous ses onglets.
pub fn room_of(key: &str) -> String {
    format!("compte:{key}")
}
// ANCHOR_END: room

// ANCHOR: tabs
/// Le nombre d'onglets ouverts de chaque compte connecté. Compter et
/// décider « premier » ou « dernier » se fait sous le même verrou : deux
/// onglets qui s'ouvrent au même instant ne sont pas tous deux le premier.
#[derive(Default)]
pub struct Presence(Mutex<HashMap<String, (String, usize)>>);

impl Presence {
    /// Un onglet de plus ; `true` si c'est le premier de ce compte.
    fn open_tab(&self, account: &Account) -> bool {
        let mut tabs = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let entry = tabs
            .entry(account.key.clone())
            .or_insert_with(|| (account.pseudo.clone(), 0));
        entry.1 += 1;
        entry.1 == 1
    }

    /// Un onglet de moins ; `true` si c'était le dernier.
    fn close_tab(&self, account: &Account) -> bool {
        let mut tabs = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(entry) = tabs.get_mut(&account.key) else {
            return false;
        };
        entry.1 = entry.1.saturating_sub(1);
        let last = entry.1 == 0;
        if last {
            tabs.remove(&account.key);
        }
        last
    }

    /// Les pseudos connectés, chacun une fois, triés sans tenir compte des
    /// majuscules.
    pub fn online(&self) -> Vec<String> {
        let tabs = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let mut pseudos: Vec<String> = tabs.values().map(|(pseudo, _)| pseudo.clone()).collect();
        pseudos.sort_by_key(|pseudo| nickname_key(pseudo));
        pseudos
    }

    /// Le pseudo connecté qui s'écrit `pseudo` (sans tenir compte des
    /// majuscules), tel que son compte l'écrit.
    pub fn find(&self, pseudo: &str) -> Option<String> {
        let tabs = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        tabs.get(&nickname_key(pseudo))
            .map(|(pseudo, _)| pseudo.clone())
    }
}
// ANCHOR_END: tabs

// ANCHOR: arrive
/// Un onglet vient de se connecter : il entre dans le salon de son compte ;
/// si c'est le premier, les autres apprennent l'arrivée de la personne.
pub async fn arrive(socket: &SocketRef, io: &SocketIo, chat: &Chat, account: &Account) {
    socket.join(room_of(&account.key));
    println!("{} vient de se connecter ({})", account.pseudo, socket.id);
    if chat.presence.open_tab(account) {
        socket
            .broadcast()
            .emit("user joined", &account.pseudo)
            .await
            .ok();
    }
    io.emit("online", &chat.presence.online()).await.ok();
}
// ANCHOR_END: arrive

// ANCHOR: leave
/// Un onglet est parti (fermé, tué, déconnecté) : si c'était le dernier de
/// son compte, la personne est partie.
pub async fn leave(
    socket: SocketRef,
    State(chat): State<Chat>,
    Extension(account): Extension<Account>,
) {
    if !chat.presence.close_tab(&account) {
        println!("{} a fermé un onglet ({})", account.pseudo, socket.id);
        return;
    }
    println!("{} s'est déconnecté", account.pseudo);
    socket
        .broadcast()
        .emit("user left", &account.pseudo)
        .await
        .ok();
    socket
        .broadcast()
        .emit("online", &chat.presence.online())
        .await
        .ok();
}
// ANCHOR_END: leave
// ANCHOR_END: all
