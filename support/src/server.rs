//! Démarrer, écouter, s'arrêter : l'équivalent de `server.listen(3000, …)`.

use std::io::ErrorKind;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, Uri, header};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::serve::ListenerExt;
use tokio::net::TcpListener;
use tokio::sync::Notify;

use socketioxide::adapter::Adapter;

use crate::shutdown::{StopSignals, disconnect_everyone, refuse_new_sessions};

/// Le client JavaScript officiel de Socket.IO (4.8.4, licence MIT), copié
/// dans le dépôt : aucun téléchargement quand un étudiant lance un chapitre.
/// `cargo xtask client-bundle` le met à jour depuis le registre npm.
const SOCKET_IO_CLIENT: &str =
    include_str!("../../client/vendor/socket.io-client/socket.io.min.js");

/// Le temps laissé aux connexions pour se fermer après Ctrl+C ou SIGTERM.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// Le port réservé par [`reserve_port`], que [`listen`] prendra.
static RESERVED: Mutex<Option<std::net::TcpListener>> = Mutex::new(None);

/// Réserve tout de suite le port (`PORT`, `HOST`), avant le reste du
/// démarrage : un chapitre qui crée un fichier (la base `chat.db`) l'appelle
/// d'abord, pour s'arrêter sur un port pris sans avoir rien créé.
/// [`listen`] et [`listen_with`] écoutent ensuite sur ce port. L'erreur est
/// la phrase à afficher après « Erreur : ».
pub fn reserve_port() -> Result<(), String> {
    let port = port_from_env()?;
    let host = host_from_env();
    let listener = std::net::TcpListener::bind((host.as_str(), port))
        .map_err(|e| bind_error(&e, &host, port, &program_name()))?;
    listener
        .set_nonblocking(true)
        .map_err(|e| format!("impossible de préparer le port {port} ({e})."))?;
    *RESERVED.lock().unwrap_or_else(PoisonError::into_inner) = Some(listener);
    Ok(())
}

/// Sert `app` sur `PORT` (3000 par défaut), comme `app.listen(3000, …)`.
pub async fn listen(app: Router) -> ExitCode {
    serve::<socketioxide::adapter::LocalAdapter>(app, None).await
}

/// Comme [`listen`], avec un serveur Socket.IO branché sur l'application :
/// sert aussi le client JavaScript à `/socket.io/socket.io.js` et ferme
/// proprement les connexions Socket.IO à l'arrêt.
pub async fn listen_with<A: Adapter>(app: Router, io: socketioxide::SocketIo<A>) -> ExitCode {
    // La couche Socket.IO répond à toutes les URL qui commencent par
    // `/socket.io` : une route ajoutée *après* `.layer(…)` n'est pas
    // enveloppée par elle, et passe donc avant.
    let app = app.route("/socket.io/socket.io.js", get(socket_io_client));
    serve(app, Some(io)).await
}

async fn serve<A: Adapter>(app: Router, io: Option<socketioxide::SocketIo<A>>) -> ExitCode {
    let listener = match listener().await {
        Ok(listener) => listener,
        Err(message) => return error(&message),
    };
    let port = match listener.local_addr() {
        Ok(addr) => addr.port(),
        Err(e) => return error(&format!("impossible de lire le port attribué ({e}).")),
    };
    let stop_signals = StopSignals::install();
    println!("Adresse du serveur : http://localhost:{port}");

    // Ctrl+C ou SIGTERM : on ferme d'abord les connexions Socket.IO (sinon un
    // client en long-polling retiendrait l'arrêt jusqu'à 25 s), puis axum
    // cesse d'accepter et attend la fin des requêtes en cours.
    let stopping = Arc::new(Notify::new());
    let shutdown = {
        let stopping = stopping.clone();
        async move {
            stop_signals.wait().await;
            stopping.notify_one();
            if let Some(io) = io {
                disconnect_everyone(&io).await;
                io.close().await;
            }
        }
    };
    let app = app
        .layer(axum::middleware::map_request(detach_from_read_buffer))
        .layer(axum::middleware::map_response(revalidate))
        .layer(axum::middleware::from_fn(refuse_new_sessions));
    // TCP_NODELAY, comme Node : chaque petit message part aussitôt, sans
    // attendre d'être regroupé avec le suivant (algorithme de Nagle).
    let listener = listener.tap_io(|tcp| {
        tcp.set_nodelay(true).ok();
    });
    let server = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown);

    let result = tokio::select! {
        result = server => result,
        () = async { stopping.notified().await; tokio::time::sleep(SHUTDOWN_GRACE).await } => Ok(()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => error(&format!("le serveur s'est arrêté sur une erreur ({e}).")),
    }
}

/// Le port réservé par [`reserve_port`], ou, sinon, `PORT` et `HOST` lus et
/// réservés maintenant.
async fn listener() -> Result<TcpListener, String> {
    let reserved = RESERVED
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .take();
    if let Some(listener) = reserved {
        return TcpListener::from_std(listener)
            .map_err(|e| format!("impossible d'écouter sur le port réservé ({e})."));
    }
    let port = port_from_env()?;
    let host = host_from_env();
    TcpListener::bind((host.as_str(), port))
        .await
        .map_err(|e| bind_error(&e, &host, port, &program_name()))
}

fn host_from_env() -> String {
    std::env::var("HOST").unwrap_or_else(|_| "0.0.0.0".to_owned())
}

/// Le nom du programme (`ch11-historique`), pour la commande proposée.
fn program_name() -> String {
    std::env::args()
        .next()
        .and_then(|path| {
            std::path::Path::new(&path)
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
        })
        .unwrap_or_else(|| "chNN-…".to_owned())
}

/// `Cache-Control: no-cache` sur chaque réponse qui n'en dit rien : le
/// navigateur garde ses copies, mais redemande au serveur si elles valent
/// encore (une réponse 304 sans contenu, si le fichier n'a pas changé).
/// Sans cet en-tête, Chromium réutilise une page ou un script déjà vu sans
/// rien demander : tous les chapitres s'ouvrent à la même adresse, et la
/// page du chapitre précédent remplaçait en silence celle du suivant.
async fn revalidate(mut response: axum::response::Response) -> axum::response::Response {
    response
        .headers_mut()
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-cache"));
    response
}

/// Recopie l'URI et les en-têtes de la requête dans des valeurs neuves.
///
/// hyper les découpe dans son tampon de lecture (16 Kio) sans les copier ;
/// or Socket.IO garde la requête de chaque client tant qu'il est connecté
/// (`socket.req_parts()`), et avec elle tout le tampon. Copier ces quelques
/// octets libère le tampon : un client inactif coûte environ 10 Kio de moins.
async fn detach_from_read_buffer(mut request: Request) -> Request {
    if let Ok(uri) = request.uri().to_string().parse::<Uri>() {
        *request.uri_mut() = uri;
    }
    let mut headers = HeaderMap::with_capacity(request.headers().len());
    for (name, value) in request.headers() {
        if let Ok(mut copy) = HeaderValue::from_bytes(value.as_bytes()) {
            copy.set_sensitive(value.is_sensitive());
            headers.append(name.clone(), copy);
        }
    }
    *request.headers_mut() = headers;
    request
}

async fn socket_io_client() -> impl IntoResponse {
    (
        [
            (
                header::CONTENT_TYPE,
                "application/javascript; charset=utf-8",
            ),
            (header::CACHE_CONTROL, "public, max-age=0"),
        ],
        SOCKET_IO_CLIENT,
    )
}

fn port_from_env() -> Result<u16, String> {
    match std::env::var("PORT") {
        Err(_) => Ok(3000),
        Ok(text) => text.trim().parse::<u16>().map_err(|_| {
            format!(
                "PORT doit être un numéro de port entre 0 et 65535 (0 pour un port libre choisi \
                 au hasard), et non « {text} »."
            )
        }),
    }
}

fn bind_error(e: &std::io::Error, host: &str, port: u16, program: &str) -> String {
    match e.kind() {
        ErrorKind::AddrInUse => format!(
            "le port {port} est déjà utilisé (un autre serveur tourne peut-être encore). \
             Arrêtez-le, ou choisissez un autre port en lançant : PORT={} cargo run -p {program}",
            free_port_after(host, port)
        ),
        ErrorKind::PermissionDenied => format!(
            "le système refuse l'écoute sur le port {port} (les ports inférieurs à 1024 sont \
             réservés). Choisissez-en un autre en lançant : PORT=3000 cargo run -p {program}"
        ),
        _ => format!(
            "impossible d'écouter sur {host}:{port} ({e}). Vérifiez HOST, ou retirez cette \
             variable pour écouter sur toutes les interfaces."
        ),
    }
}

/// Un port libre après `port`, à proposer : le suivant est souvent pris lui
/// aussi (un autre chapitre lancé, le second processus du chapitre 12).
/// Appelée seulement quand `host` a déjà servi à une écoute (le port était
/// pris) : l'adresse est connue, chaque essai est immédiat.
fn free_port_after(host: &str, port: u16) -> u16 {
    (1..=20)
        .filter_map(|step| port.checked_add(step))
        .find(|&candidate| std::net::TcpListener::bind((host, candidate)).is_ok())
        .unwrap_or(3001)
}

/// Affiche une erreur en français sur la sortie d'erreur et renvoie un code
/// de sortie non nul (pas de panique, pas de trace de pile).
///
/// `message` continue la phrase ouverte par « Erreur : » ; il commence donc
/// par une minuscule (sauf un nom comme `PORT`). Les messages suivent la
/// typographie française (espaces insécables) ; seules les lignes de journal
/// dont le contrat des chapitres (`book/src/annexe-contrat.md`) fixe le
/// texte (« Adresse du serveur : … ») gardent des espaces ordinaires,
/// comme dans le cours d'origine.
fn error(message: &str) -> ExitCode {
    eprintln!("Erreur : {message}");
    ExitCode::FAILURE
}

/// Comme [`error`], pour les réglages lus avant que le serveur ne démarre.
pub(crate) fn fail(message: &str) -> ! {
    eprintln!("Erreur : {message}");
    std::process::exit(1)
}
