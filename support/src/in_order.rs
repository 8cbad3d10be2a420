//! Les messages d'un client, traités dans leur ordre d'arrivée, sur tous les
//! cœurs.
//!
//! socketioxide appelle un gestionnaire d'évènement dès qu'un paquet est lu,
//! dans l'ordre d'arrivée, puis confie le futur qu'il rend à
//! `tokio::spawn`. Avec le runtime multi-fil de tokio (`#[tokio::main]`), deux
//! futurs lancés l'un après l'autre peuvent s'exécuter sur deux cœurs à la
//! fois, ou le second d'abord : les messages d'un même client se doubleraient.
//!
//! [`in_order`] enveloppe un gestionnaire : au moment de l'appel (donc dans
//! l'ordre d'arrivée), il prend un *tour* dans la file de ce client. Si le
//! tour précédent est fini, le gestionnaire s'exécute aussitôt, pendant
//! l'appel ; sinon, ou s'il attend quelque chose, le reste est lancé comme
//! une tâche, qui attend la fin du tour précédent avant de commencer. Les clients
//! différents, eux, restent traités en parallèle. La file est rangée dans la
//! connexion même (ses extensions) : pas de table commune à tous les clients,
//! donc pas de verrou qu'ils se disputent.
//!
//! C'est plus strict que Node. Là-bas, un gestionnaire `async` rend la main à
//! chaque `await`, et le message suivant du même client peut commencer
//! pendant ce temps : seuls les morceaux entre deux `await` gardent l'ordre.
//! Ici, le gestionnaire suivant attend que le précédent ait *fini*, `.await`
//! compris : on peut attendre une base de données sans que deux messages d'un
//! client se doublent.
//!
//! Le gestionnaire de connexion (`io.ns("/", in_order(…))`) prend le premier
//! tour, et sa première étape s'exécute tout de suite, pendant l'appel : un
//! message qui arrive pendant qu'il s'exécute attend qu'il ait fini.
//!
//! socketioxide (0.18) envoie au client la confirmation de connexion *avant*
//! d'appeler ce gestionnaire : un message que le client émet dès qu'il la
//! reçoit peut être lu avant que `socket.on(…)` soit enregistré. `in_order`
//! prépare la connexion pour ce cas avant la confirmation, et signale la fin
//! de la première étape du gestionnaire (voir `early.rs`) : le message attend
//! ce moment, puis part vers son gestionnaire. D'où la règle des chapitres :
//! les `socket.on(…)` en tête du gestionnaire de connexion, avant tout
//! `.await`.
//!
//! Le gestionnaire de départ (`socket.on_disconnect(in_order(…))`) prend le
//! dernier : il passe après les messages déjà reçus.

use std::fmt::Display;
use std::future::Future;
use std::marker::PhantomData;
use std::panic::{self, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, Waker};

use socketioxide::adapter::Adapter;
use socketioxide::handler::{
    ConnectHandler, ConnectMiddleware, DisconnectHandler, FromConnectParts, FromDisconnectParts,
    FromMessage, FromMessageParts, MessageHandler, Value,
};
use socketioxide::socket::{DisconnectReason, Socket};
use tokio::sync::oneshot;

use crate::early::{self, Listening};

/// Un gestionnaire d'évènement dont les appels, pour un même client,
/// s'exécutent l'un après l'autre (voir [`in_order`]).
#[derive(Clone)]
pub struct InOrder<H>(H);

/// Enveloppe `handler` pour que les évènements d'un même client soient
/// traités dans leur ordre d'arrivée, même sur plusieurs cœurs :
///
/// ```no_run
/// use support::{SocketRef, Text, in_order};
///
/// let (_layer, io) = support::socket_io();
/// io.ns("/", in_order(async |socket: SocketRef| {
///     socket.on("new message", in_order(async |socket: SocketRef, Text(msg): Text| {
///         socket.broadcast().emit("new message", &msg).await.ok();
///     }));
/// }));
/// ```
///
/// L'ordre vaut pour tous les évènements du client enveloppés ainsi (un
/// `join` puis un message, par exemple), pas seulement pour un même nom
/// d'évènement.
pub fn in_order<H>(handler: H) -> InOrder<H> {
    InOrder(handler)
}

/// La file d'un client : la fin de son dernier tour, qu'attendra le
/// suivant. Elle est rangée dans les extensions de sa connexion : chaque
/// client a son propre verrou, pris un instant par ses seuls évènements, et la
/// file disparaît avec la connexion.
#[derive(Clone, Default)]
struct Queue(Arc<Mutex<Option<oneshot::Receiver<()>>>>);

impl Queue {
    /// La file de `socket`, créée à son premier évènement.
    fn of<A: Adapter>(socket: &Socket<A>) -> Self {
        socket.extensions.get::<Queue>().unwrap_or_else(|| {
            let queue = Queue::default();
            socket.extensions.insert(queue.clone());
            queue
        })
    }

    /// Prend le tour suivant. Appelé de façon synchrone, dans l'ordre
    /// d'arrivée des paquets.
    fn take(&self) -> Turn {
        let (done, next) = oneshot::channel();
        let previous = self
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .replace(next);
        Turn {
            previous,
            _done: done,
        }
    }
}

/// Une place dans la file d'un client.
struct Turn {
    previous: Option<oneshot::Receiver<()>>,
    /// Lâché à la fin du tour (même si le gestionnaire panique) : c'est ce
    /// que le tour suivant attend.
    _done: oneshot::Sender<()>,
}

impl Turn {
    /// Attend le tour précédent, puis exécute `work`.
    async fn run(mut self, work: impl Future<Output = ()>) {
        if let Some(previous) = self.previous.take() {
            // Le tour précédent n'envoie rien : il lâche son `_done` en
            // finissant, ce qui réveille celui-ci (avec une erreur, attendue).
            previous.await.ok();
        }
        work.await;
    }
}

/// Comme les gestionnaires de socketioxide (`socketioxide/src/handler/message.rs`) :
/// des extracteurs, puis la fonction, dont le futur est lancé — ici, à son
/// tour.
macro_rules! impl_in_order {
    ([$($ty:ident),*], $last:ident) => {
        #[allow(non_snake_case, unused_mut)]
        impl<A, F, M, $($ty,)* $last, Fut> MessageHandler<A, (M, $($ty,)* $last,)> for InOrder<F>
        where
            F: FnOnce($($ty,)* $last,) -> Fut + Send + Sync + Clone + 'static,
            Fut: Future<Output = ()> + Send + 'static,
            A: Adapter,
            $( $ty: FromMessageParts<A> + Send, )*
            $last: FromMessage<A, M> + Send,
        {
            fn call(&self, s: Arc<Socket<A>>, mut v: Value, ack_id: Option<i64>) {
                let queue = Queue::of(&s);
                $(
                    let Ok($ty) = $ty::from_message_parts(&s, &mut v, &ack_id) else {
                        return;
                    };
                )*
                let Ok(last) = $last::from_message(s, v, ack_id) else {
                    return;
                };
                let turn = queue.take();
                let work = (self.0.clone())($($ty,)* last);
                start_now(turn.run(work));
            }
        }
    };
}

/// Comme [`impl_in_order`], pour la connexion : la première étape du futur
/// s'exécute pendant l'appel, le reste (s'il attend quelque chose) est lancé.
macro_rules! impl_in_order_connect {
    ([$($ty:ident),*]) => {
        #[allow(non_snake_case, unused_variables)]
        impl<A, F, Fut, $($ty,)*> ConnectHandler<A, ($($ty,)*)> for InOrder<F>
        where
            F: FnOnce($($ty,)*) -> Fut + Send + Sync + Clone + 'static,
            Fut: Future<Output = ()> + Send + 'static,
            A: Adapter,
            $( $ty: FromConnectParts<A> + Send, )*
        {
            fn call(&self, s: Arc<Socket<A>>, auth: Option<Value>) {
                // Quoi qu'il arrive ici, les évènements arrivés trop tôt
                // peuvent partir ensuite (voir `early.rs`).
                let _ready = Ready(&s);
                $(
                    let Ok($ty) = $ty::from_connect_parts(&s, &auth) else {
                        return;
                    };
                )*
                let turn = Queue::of(&s).take();
                start_now(turn.run((self.0.clone())($($ty,)*)));
            }

            /// Avant la confirmation de connexion (voir `early.rs`).
            fn call_middleware<'a>(
                &'a self,
                s: Arc<Socket<A>>,
                _auth: &'a Option<Value>,
            ) -> Pin<Box<dyn Future<Output = Result<(), Box<dyn Display + Send>>> + Send + 'a>> {
                early::before_confirmation(s)
            }

            /// Avec un middleware, la préparation passe après lui.
            fn with<M, Mw>(self, middleware: M) -> impl ConnectHandler<A, ($($ty,)*)>
            where
                M: ConnectMiddleware<A, Mw> + Send + Sync + 'static,
                ($($ty,)*): Send + Sync + 'static,
                Mw: Send + Sync + 'static,
            {
                Listening { handler: self, middleware, phantom: PhantomData::<fn() -> Mw> }
            }
        }

        #[allow(non_snake_case, unused_variables)]
        impl<A, F, Fut, $($ty,)*> DisconnectHandler<A, ($($ty,)*)> for InOrder<F>
        where
            F: FnOnce($($ty,)*) -> Fut + Send + Sync + Clone + 'static,
            Fut: Future<Output = ()> + Send + 'static,
            A: Adapter,
            $( $ty: FromDisconnectParts<A> + Send, )*
        {
            fn call_with_defer(
                &self,
                s: Arc<Socket<A>>,
                reason: DisconnectReason,
                defer: fn(Arc<Socket<A>>),
            ) {
                $(
                    let Ok($ty) = $ty::from_disconnect_parts(&s, reason) else {
                        return;
                    };
                )*
                let turn = Queue::of(&s).take();
                let work = (self.0.clone())($($ty,)*);
                let departure = Departure::start();
                tokio::spawn(async move {
                    turn.run(work).await;
                    defer(s);
                    drop(departure);
                });
            }
        }
    };
}

/// Lâché à la fin de la première étape du gestionnaire de connexion.
struct Ready<'a, A: Adapter>(&'a Socket<A>);

impl<A: Adapter> Drop for Ready<'_, A> {
    fn drop(&mut self) {
        early::ready(self.0);
    }
}

/// Les gestionnaires de départ lancés et pas encore finis, tous clients
/// confondus : l'arrêt du serveur les attend (voir [`departures_done`]).
static DEPARTURES: AtomicUsize = AtomicUsize::new(0);

/// Un départ en cours ; compté jusqu'à ce qu'il soit lâché (même si le
/// gestionnaire panique).
struct Departure;

impl Departure {
    fn start() -> Self {
        DEPARTURES.fetch_add(1, Ordering::SeqCst);
        Departure
    }
}

impl Drop for Departure {
    fn drop(&mut self) {
        DEPARTURES.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Aucun gestionnaire de départ enveloppé dans `in_order` n'est en cours.
///
/// On ne peut pas s'en remettre à la liste des clients de l'espace de noms :
/// quand la page ferme sa connexion pendant que son départ attend son tour,
/// socketioxide retire le client de la liste sans attendre le gestionnaire.
pub(crate) fn departures_done() -> bool {
    DEPARTURES.load(Ordering::SeqCst) == 0
}

impl_in_order_connect!([]);
impl_in_order_connect!([T1]);
impl_in_order_connect!([T1, T2]);
impl_in_order_connect!([T1, T2, T3]);
impl_in_order_connect!([T1, T2, T3, T4]);

/// Exécute `work` jusqu'à sa première attente, puis le confie à tokio s'il
/// n'est pas fini. Le premier passage se fait sans réveil : tokio le
/// repasse aussitôt, et ce second passage inscrit le vrai réveil.
///
/// Pour un message, c'est le cas courant : le tour précédent est fini, le
/// gestionnaire relaie sans rien attendre (la diffusion de l'adaptateur
/// local est immédiate), et tout se passe pendant l'appel, sur le cœur qui
/// vient de lire le paquet. Pas de tâche à créer, pas d'autre cœur à
/// réveiller pour elle : les messages d'un client qui arrivent ensemble sont
/// diffusés d'affilée, et la file de chaque destinataire en reçoit plusieurs
/// avant d'être vidée, en une seule écriture (l'annexe « Performances »
/// mesure la différence). Une panique du gestionnaire s'arrête ici, comme
/// dans une tâche : elle est affichée, le tour est rendu, la connexion
/// continue.
fn start_now(work: impl Future<Output = ()> + Send + 'static) {
    let mut work = Box::pin(work);
    let mut context = Context::from_waker(Waker::noop());
    let first = panic::catch_unwind(AssertUnwindSafe(|| work.as_mut().poll(&mut context)));
    if let Ok(Poll::Pending) = first {
        tokio::spawn(work);
    }
}

impl_in_order!([], T1);
impl_in_order!([T1], T2);
impl_in_order!([T1, T2], T3);
impl_in_order!([T1, T2, T3], T4);
impl_in_order!([T1, T2, T3, T4], T5);

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn push(seen: &Mutex<Vec<usize>>, i: usize) {
        seen.lock().unwrap_or_else(PoisonError::into_inner).push(i);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn un_tour_libre_s_execute_pendant_l_appel_et_une_panique_rend_le_tour() {
        let client = Queue::default();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let first = seen.clone();
        start_now(client.take().run(async move { push(&first, 1) }));
        // Aucune attente entre les deux : le premier tour a déjà eu lieu.
        assert_eq!(*seen.lock().unwrap_or_else(PoisonError::into_inner), [1]);

        start_now(
            client
                .take()
                .run(async { panic!("gestionnaire en panique (voulu)") }),
        );
        let after = seen.clone();
        start_now(client.take().run(async move { push(&after, 2) }));
        assert_eq!(*seen.lock().unwrap_or_else(PoisonError::into_inner), [1, 2]);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn les_tours_d_un_client_passent_dans_l_ordre_sans_faire_attendre_les_autres() {
        let (client, other) = (Queue::default(), Queue::default());
        let seen = Arc::new(Mutex::new(Vec::new()));
        // Le premier tour attend un signal : tous les suivants l'attendent.
        let (release, wait) = oneshot::channel::<()>();
        let mut tasks = vec![tokio::spawn(client.take().run({
            let seen = seen.clone();
            async move {
                wait.await.ok();
                push(&seen, 0);
            }
        }))];
        for i in 1..200 {
            let seen = seen.clone();
            tasks.push(tokio::spawn(client.take().run(async move {
                tokio::task::yield_now().await;
                push(&seen, i);
            })));
        }
        // Un autre client passe pendant que le premier est bloqué.
        let alone = tokio::time::timeout(Duration::from_secs(5), other.take().run(async {}));
        assert!(alone.await.is_ok(), "un autre client a attendu le premier");
        release.send(()).ok();
        for task in tasks {
            assert!(task.await.is_ok());
        }
        let seen = seen.lock().unwrap_or_else(PoisonError::into_inner).clone();
        assert_eq!(seen, (0..200).collect::<Vec<_>>());
        // Fini : un nouveau tour passe sans attendre.
        let next = tokio::time::timeout(Duration::from_secs(5), client.take().run(async {}));
        assert!(next.await.is_ok(), "le tour suivant attend un tour fini");
    }
}
