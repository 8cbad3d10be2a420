//! Le PostgreSQL jetable des tests : il accepte des connexions à la base
//! `chat`, redémarre sur le même port, s'arrête vraiment, et ne laisse aucun
//! processus derrière lui.

use std::time::Duration;

use checks::postgres::{self, PostgresServer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Une connexion TCP à `port` aboutit-elle ?
async fn tcp_connects(port: u16) -> bool {
    TcpStream::connect(("127.0.0.1", port)).await.is_ok()
}

/// Se connecte à la base `chat` comme l'utilisateur `chat` (protocole 3.0,
/// sans mot de passe), jusqu'au message « prêt pour une requête » (`Z`).
async fn login(port: u16) -> TcpStream {
    let session = async {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).await?;
        let body = b"user\0chat\0database\0chat\0\0";
        let length = u32::try_from(8 + body.len()).unwrap_or(u32::MAX);
        let mut startup = length.to_be_bytes().to_vec();
        startup.extend_from_slice(&196_608u32.to_be_bytes());
        startup.extend_from_slice(body);
        stream.write_all(&startup).await?;
        loop {
            let kind = stream.read_u8().await?;
            let length = stream.read_u32().await?;
            let mut message = vec![0; usize::try_from(length.saturating_sub(4)).unwrap_or(0)];
            stream.read_exact(&mut message).await?;
            match kind {
                b'Z' => return Ok(stream),
                b'E' => {
                    return Err(std::io::Error::other(format!(
                        "erreur de PostgreSQL : {}",
                        String::from_utf8_lossy(&message).replace('\0', " ")
                    )));
                }
                _ => {}
            }
        }
    };
    match tokio::time::timeout(Duration::from_secs(10), session).await {
        Ok(Ok(stream)) => stream,
        Ok(Err(e)) => panic!("connexion à la base chat (port {port}) : {e}"),
        Err(_) => panic!("connexion à la base chat (port {port}) : rien après 10 s"),
    }
}

/// Le processus `pid` existe-t-il encore ?
#[cfg(unix)]
fn alive(pid: u32) -> bool {
    let Ok(pid) = i32::try_from(pid) else {
        return false;
    };
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), None).is_ok()
}

#[tokio::test]
async fn starts_restarts_and_stops() {
    let Some(bin) = postgres::find_or_skip("checks (postgres)") else {
        return;
    };
    let mut server = PostgresServer::start_with(&bin)
        .await
        .unwrap_or_else(|failure| panic!("{failure}"));
    let port = server.port();
    assert_eq!(
        server.url(),
        format!("postgres://chat@127.0.0.1:{port}/chat")
    );
    assert!(server.accepts_connections().await, "pg_isready après start");
    drop(login(port).await);

    server
        .restart()
        .await
        .unwrap_or_else(|failure| panic!("{failure}"));
    assert_eq!(server.port(), port, "même port après restart");
    assert!(
        server.accepts_connections().await,
        "pg_isready après restart"
    );
    drop(login(port).await);

    // Une connexion ouverte n'empêche pas l'arrêt (« fast »).
    let _connection = login(port).await;
    let pid = server.pid();
    server
        .stop()
        .await
        .unwrap_or_else(|failure| panic!("{failure}"));
    assert!(
        !tcp_connects(port).await,
        "port {port} encore ouvert après stop"
    );
    assert!(!server.accepts_connections().await, "pg_isready après stop");
    #[cfg(unix)]
    if let Some(pid) = pid {
        assert!(!alive(pid), "postgres ({pid}) encore là après stop");
    }

    // Le port pris entre-temps : une erreur qui le dit, pas d'attente.
    let squatter = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .unwrap_or_else(|e| panic!("port {port} repris par le test : {e}"));
    let failure = server
        .restart()
        .await
        .err()
        .unwrap_or_else(|| panic!("restart réussi sur un port pris"));
    assert!(failure.to_string().contains("port déjà pris"), "{failure}");
    drop(squatter);

    // Relancé après un arrêt : la base `chat` est toujours là.
    server
        .restart()
        .await
        .unwrap_or_else(|failure| panic!("{failure}"));
    drop(login(port).await);
}

/// Sans `stop`, la valeur abandonnée arrête PostgreSQL, même avec une
/// connexion ouverte (le processus qui la sert finit aussi), et efface sa
/// base.
#[tokio::test]
async fn drop_leaves_nothing() {
    let Some(bin) = postgres::find_or_skip("checks (postgres)") else {
        return;
    };
    let server = PostgresServer::start_with(&bin)
        .await
        .unwrap_or_else(|failure| panic!("{failure}"));
    let port = server.port();
    let pid = server.pid();
    let data = server.data_dir();
    let mut connection = login(port).await;
    let started = std::time::Instant::now();
    drop(server);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "arrêt en {:?}",
        started.elapsed()
    );

    assert!(!tcp_connects(port).await, "port {port} encore ouvert");
    assert!(!data.exists(), "{} encore là", data.display());
    #[cfg(unix)]
    if let Some(pid) = pid {
        assert!(!alive(pid), "postgres ({pid}) encore là");
    }
    // La connexion est fermée par l'autre bout (après un éventuel message
    // d'erreur) : fin de flux ou erreur, jamais d'attente.
    let mut rest = Vec::new();
    let read =
        tokio::time::timeout(Duration::from_secs(5), connection.read_to_end(&mut rest)).await;
    assert!(
        read.is_ok(),
        "la connexion à PostgreSQL reste ouverte après l'arrêt"
    );
}
