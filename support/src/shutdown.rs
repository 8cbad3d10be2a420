//! S'arrêter proprement (Ctrl+C, SIGTERM) : ne plus accepter de nouveau
//! client, laisser chaque client connecté partir (ses gestionnaires de
//! départ s'exécutent), puis fermer.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use socketioxide::adapter::Adapter;

/// Le plus long que l'arrêt attend les gestionnaires de départ des clients.
const DEPARTURES_GRACE: Duration = Duration::from_secs(3);

/// Le serveur s'arrête-t-il (Ctrl+C ou SIGTERM reçu) ? Un gestionnaire de
/// départ peut ainsi savoir que tous les clients de ce processus partent
/// en même temps (chapitre 12 : la liste « online » des autres processus
/// n'en compte plus aucun).
static STOPPING: AtomicBool = AtomicBool::new(false);

/// `true` une fois Ctrl+C ou SIGTERM reçu.
pub fn is_stopping() -> bool {
    STOPPING.load(Ordering::SeqCst)
}

/// Déconnecte chaque client de ce processus, puis attend que chacun soit
/// parti : ses gestionnaires `on_disconnect` ont fini (« Bob s'est
/// déconnecté », « user left »…), au plus [`DEPARTURES_GRACE`].
///
/// `io.close()` promet d'appeler ces gestionnaires, mais socketioxide 0.18
/// oublie ses espaces de noms avant de fermer les connexions : aucun n'est
/// appelé. D'où ce départ explicite, client par client. La page reçoit
/// « io server disconnect » et se reconnecte d'elle-même (voir
/// `client-socket.js`), au serveur relancé ou à un autre.
pub(crate) async fn disconnect_everyone<A: Adapter>(io: &socketioxide::SocketIo<A>) {
    STOPPING.store(true, Ordering::SeqCst);
    for ns in io.nsps() {
        // `local()` : les clients de ce processus seulement (avec Redis,
        // ceux des autres processus restent connectés).
        ns.local().disconnect().await.ok();
    }
    let deadline = tokio::time::Instant::now() + DEPARTURES_GRACE;
    // Les départs passent par `in_order` (le dernier tour de chaque client) :
    // on attend qu'il n'en reste aucun en cours.
    let busy = || {
        !crate::in_order::departures_done()
            || io
                .nsps()
                .into_iter()
                .any(|ns| !ns.local().sockets().is_empty())
    };
    while busy() && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Pendant l'arrêt, une nouvelle session Socket.IO (une requête
/// `/socket.io/` sans `sid`) est refusée (503) : une page déconnectée qui
/// se reconnecte aussitôt n'arrive pas sur un serveur qui s'en va (elle y
/// réserverait son pseudo sans jamais le rendre) ; elle réessaie, et
/// retrouve le serveur relancé ou un autre.
pub(crate) async fn refuse_new_sessions(request: Request, next: Next) -> Response {
    let new_session = request.uri().path().starts_with("/socket.io/")
        && !request.uri().query().unwrap_or("").contains("sid=");
    if new_session && is_stopping() {
        return (StatusCode::SERVICE_UNAVAILABLE, "Serveur en cours d'arrêt.").into_response();
    }
    next.run(request).await
}

/// Ctrl+C et SIGTERM, écoutés dès avant la ligne « Adresse du serveur » :
/// un signal reçu juste après elle arrête déjà le serveur proprement.
pub(crate) struct StopSignals {
    #[cfg(unix)]
    interrupt: Option<tokio::signal::unix::Signal>,
    #[cfg(unix)]
    terminate: Option<tokio::signal::unix::Signal>,
    #[cfg(windows)]
    ctrl_c: Option<tokio::signal::windows::CtrlC>,
}

impl StopSignals {
    pub(crate) fn install() -> StopSignals {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            StopSignals {
                interrupt: signal(SignalKind::interrupt()).ok(),
                terminate: signal(SignalKind::terminate()).ok(),
            }
        }
        #[cfg(windows)]
        {
            StopSignals {
                ctrl_c: tokio::signal::windows::ctrl_c().ok(),
            }
        }
        #[cfg(not(any(unix, windows)))]
        StopSignals {}
    }

    pub(crate) async fn wait(self) {
        #[cfg(unix)]
        {
            async fn recv(signal: Option<tokio::signal::unix::Signal>) {
                match signal {
                    Some(mut signal) => {
                        signal.recv().await;
                    }
                    None => std::future::pending().await,
                }
            }
            tokio::select! {
                () = recv(self.interrupt) => {},
                () = recv(self.terminate) => {},
            }
        }
        #[cfg(windows)]
        match self.ctrl_c {
            Some(mut ctrl_c) => {
                ctrl_c.recv().await;
            }
            None => std::future::pending().await,
        }
        #[cfg(not(any(unix, windows)))]
        std::future::pending::<()>().await;
        println!("Arrêt du serveur : fermeture des connexions.");
    }
}
