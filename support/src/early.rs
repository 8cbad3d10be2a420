//! Les évènements qu'un client émet avant que son `socket.on(…)` existe.
//!
//! socketioxide (0.18) envoie au client la confirmation de connexion, puis
//! appelle le gestionnaire de connexion. Un client qui écrit dès qu'il la
//! reçoit (dans son rappel « connect », ou en renvoyant les messages écrits
//! hors ligne, ce que fait le client officiel en se reconnectant) peut être
//! lu, sur un autre cœur, avant que ce gestionnaire ait enregistré ses
//! `socket.on(…)`. socketioxide ne lui trouve alors aucun gestionnaire et
//! l'abandonne sans rien dire. Node n'a pas ce problème : son gestionnaire de
//! connexion s'exécute sur le même fil, avant que la confirmation parte.
//!
//! Ce module ferme la fenêtre sans rien changer au code des chapitres :
//!
//! - avant la confirmation (pendant les middlewares de la connexion, voir
//!   [`Listening`]), [`prepare`] range dans la connexion une [`Early`] et
//!   l'inscrit comme gestionnaire de repli (`on_fallback`), celui que
//!   socketioxide appelle pour un évènement sans gestionnaire ;
//! - tant que la connexion s'installe, `socket.on(…)` ([`crate::SocketRef::on`])
//!   en garde aussi une copie dans l'`Early` ;
//! - un évènement arrivé trop tôt attend que la première étape du
//!   gestionnaire de connexion soit finie ([`ready`], appelé par
//!   [`crate::in_order`]), puis part vers le gestionnaire enregistré entre-temps,
//!   avant que le paquet suivant du client soit lu : l'ordre d'arrivée est
//!   gardé. L'attente dure ce que dure cette première étape (des
//!   microsecondes : des `socket.on`, un `println!`).
//!
//! Un `socket.on(…)` placé après un `.await` du gestionnaire de connexion
//! reste hors de portée : d'où la règle des chapitres, les `socket.on` en
//! tête.

use std::collections::HashMap;
use std::fmt::Display;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

use socketioxide::adapter::Adapter;
use socketioxide::extract::Event;
use socketioxide::handler::{
    ConnectHandler, ConnectMiddleware, FromMessageParts, MessageHandler, Value,
};
use socketioxide::socket::Socket;

/// Au-delà, un évènement arrivé trop tôt n'attend plus (le gestionnaire de
/// connexion ne finit pas sa première étape) : il est abandonné, comme
/// socketioxide l'aurait fait.
const LONGEST_WAIT: Duration = Duration::from_secs(2);

/// Le gestionnaire d'un évènement, gardé pour un évènement arrivé trop tôt.
type Handler<A> = Arc<dyn Fn(Arc<Socket<A>>, Value, Option<i64>) + Send + Sync>;

/// Le résultat d'un middleware de connexion, tel que l'attend socketioxide.
type MiddlewareResult = Result<(), Box<dyn Display + Send>>;

/// Ce qu'une connexion sait pendant qu'elle s'installe ; rangé dans ses
/// extensions, et gestionnaire de repli.
pub(crate) struct Early<A: Adapter>(Arc<Setup<A>>);

struct Setup<A: Adapter> {
    state: Mutex<State<A>>,
    settled: Condvar,
}

struct State<A: Adapter> {
    /// Vrai quand la première étape du gestionnaire de connexion est finie.
    ready: bool,
    handlers: HashMap<String, Handler<A>>,
}

impl<A: Adapter> Clone for Early<A> {
    fn clone(&self) -> Self {
        Early(self.0.clone())
    }
}

impl<A: Adapter> Early<A> {
    fn new() -> Self {
        Early(Arc::new(Setup {
            state: Mutex::new(State {
                ready: false,
                handlers: HashMap::new(),
            }),
            settled: Condvar::new(),
        }))
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State<A>> {
        self.0.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Garde `handler` pour `event`, si la connexion s'installe encore.
    pub(crate) fn remember<H, T>(&self, event: &str, handler: H)
    where
        H: MessageHandler<A, T>,
        T: Send + Sync + 'static,
    {
        let mut state = self.state();
        if !state.ready {
            let handler: Handler<A> = Arc::new(move |s, v, ack| handler.call(s, v, ack));
            state.handlers.insert(event.to_owned(), handler);
        }
    }

    /// Le gestionnaire de `event`, une fois la première étape finie.
    fn handler_for(&self, event: &str) -> Option<Handler<A>> {
        let deadline = Instant::now() + LONGEST_WAIT;
        let mut state = self.state();
        while !state.ready {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return None;
            }
            state = self
                .0
                .settled
                .wait_timeout(state, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        state.handlers.get(event).cloned()
    }
}

/// Le repli : socketioxide l'appelle pour un évènement sans gestionnaire.
/// Il bloque la lecture des paquets de ce client le temps que la connexion
/// finisse de s'installer (le paquet suivant ne doit pas le doubler).
pub(crate) struct Fallback;

impl<A: Adapter> MessageHandler<A, Fallback> for Early<A> {
    fn call(&self, s: Arc<Socket<A>>, mut v: Value, ack_id: Option<i64>) {
        let Ok(Event(event)) = Event::from_message_parts(&s, &mut v, &ack_id) else {
            return;
        };
        if let Some(handler) = self.handler_for(&event) {
            handler(s, v, ack_id);
        }
    }
}

/// Avant la confirmation : la connexion reçoit son `Early`.
fn prepare<A: Adapter>(socket: &Arc<Socket<A>>) {
    let early = Early::<A>::new();
    socket.extensions.insert(early.clone());
    socket.on_fallback(early);
}

/// La première étape du gestionnaire de connexion est finie : les
/// évènements arrivés trop tôt peuvent partir. Appelé aussi quand le
/// gestionnaire n'a pas pu commencer (un extracteur refusé).
pub(crate) fn ready<A: Adapter>(socket: &Socket<A>) {
    if let Some(early) = socket.extensions.get::<Early<A>>() {
        early.state().ready = true;
        early.0.settled.notify_all();
    }
}

/// La partie « avant la confirmation » d'un gestionnaire de connexion
/// enveloppé dans `in_order`, quand il n'a pas de middleware.
pub(crate) fn before_confirmation<'a, A: Adapter>(
    socket: Arc<Socket<A>>,
) -> Pin<Box<dyn Future<Output = MiddlewareResult> + Send + 'a>> {
    Box::pin(async move {
        prepare(&socket);
        Ok(())
    })
}

/// `in_order(gestionnaire).with(middleware)` : les middlewares d'abord,
/// puis [`prepare`], juste avant que socketioxide envoie la confirmation.
pub(crate) struct Listening<H, M, T1> {
    pub(crate) handler: H,
    pub(crate) middleware: M,
    pub(crate) phantom: PhantomData<fn() -> T1>,
}

impl<H: Clone, M: Clone, T1> Clone for Listening<H, M, T1> {
    fn clone(&self) -> Self {
        Listening {
            handler: self.handler.clone(),
            middleware: self.middleware.clone(),
            phantom: PhantomData,
        }
    }
}

impl<A, T, H, M, T1> ConnectHandler<A, T> for Listening<H, M, T1>
where
    A: Adapter,
    H: ConnectHandler<A, T>,
    M: ConnectMiddleware<A, T1> + Send + Sync + 'static,
    T: Send + Sync + 'static,
    T1: Send + Sync + 'static,
{
    fn call(&self, s: Arc<Socket<A>>, auth: Option<Value>) {
        self.handler.call(s, auth);
    }

    fn call_middleware<'a>(
        &'a self,
        s: Arc<Socket<A>>,
        auth: &'a Option<Value>,
    ) -> Pin<Box<dyn Future<Output = MiddlewareResult> + Send + 'a>> {
        Box::pin(async move {
            self.middleware.call(s.clone(), auth).await?;
            prepare(&s);
            Ok(())
        })
    }

    /// `.with(a).with(b)` : `b` passe avant `a`, comme dans socketioxide.
    fn with<M2, T2>(self, middleware: M2) -> impl ConnectHandler<A, T>
    where
        M2: ConnectMiddleware<A, T2> + Send + Sync + 'static,
        T: Send + Sync + 'static,
        T2: Send + Sync + 'static,
    {
        Listening {
            handler: self.handler,
            middleware: Chain {
                first: middleware,
                then: self.middleware,
                phantom: PhantomData::<fn() -> (T2, T1)>,
            },
            phantom: PhantomData::<fn() -> Chained<T2, T1>>,
        }
    }
}

/// Deux middlewares, l'un après l'autre.
pub(crate) struct Chain<M1, M2, T> {
    first: M1,
    then: M2,
    phantom: PhantomData<fn() -> T>,
}

/// Le type des extracteurs de [`Chain`] (un type à nous, pour ne croiser
/// aucune implémentation de socketioxide).
pub(crate) struct Chained<T1, T2>(PhantomData<fn() -> (T1, T2)>);

impl<M1: Clone, M2: Clone, T> Clone for Chain<M1, M2, T> {
    fn clone(&self) -> Self {
        Chain {
            first: self.first.clone(),
            then: self.then.clone(),
            phantom: PhantomData,
        }
    }
}

impl<A, M1, M2, T1, T2> ConnectMiddleware<A, Chained<T1, T2>> for Chain<M1, M2, (T1, T2)>
where
    A: Adapter,
    M1: ConnectMiddleware<A, T1> + Send + Sync + 'static,
    M2: ConnectMiddleware<A, T2> + Send + Sync + 'static,
    T1: Send + Sync + 'static,
    T2: Send + Sync + 'static,
{
    async fn call<'a>(&'a self, s: Arc<Socket<A>>, auth: &'a Option<Value>) -> MiddlewareResult {
        self.first.call(s.clone(), auth).await?;
        self.then.call(s, auth).await
    }
}
