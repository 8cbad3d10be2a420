//! Les vérifications dans le navigateur ont des dents : contre un serveur
//! cassé exprès, elles échouent, avec le bon message.
//!
//! Les serveurs cassés tournent dans le processus du test (axum +
//! socketioxide, réglés par `support::socket_io()`), et servent les vrais
//! fichiers du client : `client/ch05-broadcast/`, `client/ch02-connect/` et
//! le client Socket.IO de `client/vendor/`.

use axum::Router;
use browser::checks;
use browser::{Result, bail, ensure, launch_or_skip};
use support::{SocketIo, SocketRef, Text};
use tokio::net::TcpListener;
use tower_http::services::{ServeDir, ServeFile};

/// Sert `app` sur un port libre de 127.0.0.1 ; renvoie l'adresse de la page.
async fn serve(app: Router) -> Result<String> {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| format!("impossible d'ouvrir un port : {e}"))?;
    let port = listener
        .local_addr()
        .map_err(|e| format!("port inconnu : {e}"))?
        .port();
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(format!("http://127.0.0.1:{port}/"))
}

fn socket_io_client() -> ServeFile {
    ServeFile::new(
        support::repository_root().join("client/vendor/socket.io-client/socket.io.min.js"),
    )
}

/// Le chapitre 5 cassé en `io.emit` : la vérification de son « Pour
/// tester » échoue en disant que l'émetteur a vu son propre message.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ch05_avec_io_emit_echoue_l_emetteur_a_vu_son_message() -> Result<()> {
    let Some(browser) = launch_or_skip("ch05 cassé (io.emit)").await? else {
        return Ok(());
    };
    let (layer, io) = support::socket_io();
    io.ns("/", async |socket: SocketRef| {
        socket.on("new message", async |io: SocketIo, Text(msg): Text| {
            // L'erreur à détecter : à tout le monde, émetteur compris.
            io.emit("new message", &msg).await.ok();
        });
    });
    let app = Router::new()
        .fallback_service(ServeDir::new(support::client_dir("ch05-broadcast")))
        .layer(layer)
        .route_service("/socket.io/socket.io.js", socket_io_client());
    let url = serve(app).await?;

    let Err(error) = checks::skips_the_sender(&browser, &url).await else {
        bail!(
            "la vérification du chapitre 5 accepte un serveur qui renvoie le message à l'émetteur (io.emit)"
        );
    };
    println!("Échec attendu, avec ce message :\n{error}");
    ensure!(
        error.message().contains("the sender saw its own message")
            && error
                .message()
                .contains("l'émetteur a vu son propre message"),
        "la vérification du chapitre 5 échoue, mais sans dire que l'émetteur a vu son propre message : {error}"
    );
    Ok(())
}

/// Le chapitre 2 sans `/socket.io/socket.io.js` : la console du navigateur
/// montre l'erreur, et la vérification de la console la signale.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ch02_sans_client_socket_io_la_console_le_dit() -> Result<()> {
    let Some(browser) = launch_or_skip("ch02 cassé (sans socket.io.js)").await? else {
        return Ok(());
    };
    let app = Router::new().fallback_service(ServeDir::new(support::client_dir("ch02-connect")));
    let url = serve(app).await?;
    browser.open(&url, "onglet 1").await?;

    let errors = browser.console_errors().await?;
    ensure!(
        errors
            .iter()
            .any(|e| e.contains("/socket.io/socket.io.js") && e.contains("404")),
        "la console ne signale pas le 404 de /socket.io/socket.io.js : {errors:?}"
    );
    ensure!(
        errors.iter().any(|e| e.contains("io is not defined")),
        "la console ne signale pas « io is not defined » : {errors:?}"
    );
    ensure!(
        browser.check_console().await.is_err(),
        "check_console accepte une console pleine d'erreurs"
    );
    Ok(())
}

/// Un serveur qui coupe chaque client dès son premier message, comme le
/// serveur coupe un client trop lent : Socket.IO ne se reconnecte pas de
/// lui-même dans ce cas (`io server disconnect`), les pages des chapitres 4
/// à 7 le lui demandent. Chaque page doit revenir, avec un nouvel identifiant.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn les_pages_se_reconnectent_quand_le_serveur_les_coupe() -> Result<()> {
    let Some(browser) = launch_or_skip("reconnexion après une coupure du serveur").await? else {
        return Ok(());
    };
    for chapter in [
        "ch04-io-emit",
        "ch05-broadcast",
        "ch06-clients",
        "ch07-rooms",
    ] {
        let (layer, io) = support::socket_io();
        io.ns("/", async |socket: SocketRef| {
            socket.on("new message", async |socket: SocketRef| {
                socket.disconnect().ok();
            });
        });
        let app = Router::new()
            .fallback_service(ServeDir::new(support::client_dir(chapter)))
            .layer(layer)
            .route_service("/socket.io/socket.io.js", socket_io_client());
        let url = serve(app).await?;
        let tab = browser.open(&url, chapter).await?;
        let first = browser.wait_connected(&tab).await?;
        browser.fill(&tab, "#input", "coupe-moi").await?;
        browser.press_enter(&tab, "#input").await?;
        browser
            .wait_js(
                &tab,
                "la page coupée par le serveur ne se reconnecte pas",
                &format!("socket.connected && socket.id !== {first:?}"),
            )
            .await?;
    }
    Ok(())
}
