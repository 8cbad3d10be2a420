//! Un relais TCP entre un client et le serveur, que l'on peut geler (le
//! réseau est coupé : plus rien ne passe, mais personne ne ferme la
//! connexion) ou couper net (l'onglet est tué).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::watch;

use crate::Failure;

/// Le relais : les clients se connectent à [`Proxy::url`].
pub struct Proxy {
    port: u16,
    frozen: watch::Sender<bool>,
    cut: watch::Sender<bool>,
    open: Arc<AtomicUsize>,
}

impl Proxy {
    /// Relaie chaque connexion reçue vers `127.0.0.1:<target>`.
    pub async fn start(target: u16) -> Result<Proxy, Failure> {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| Failure::new("le relais TCP démarre", e.to_string()))?;
        let port = listener
            .local_addr()
            .map_err(|e| Failure::new("le relais TCP démarre", e.to_string()))?
            .port();
        let (frozen, frozen_rx) = watch::channel(false);
        let (cut, cut_rx) = watch::channel(false);
        let flag = frozen_rx;
        let open = Arc::new(AtomicUsize::new(0));
        let counter = open.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let flag = flag.clone();
                let counter = counter.clone();
                let mut cut_rx = cut_rx.clone();
                tokio::spawn(async move {
                    let Ok(server) = connect_small(target).await else {
                        return;
                    };
                    counter.fetch_add(1, Ordering::SeqCst);
                    let (cr, cw) = client.into_split();
                    let (sr, sw) = server.into_split();
                    tokio::select! {
                        () = pipe(cr, sw, flag.clone()) => {},
                        () = pipe(sr, cw, flag) => {},
                        _ = cut_rx.wait_for(|c| *c) => {},
                    }
                    // Les deux moitiés sont lâchées ici : la connexion est
                    // fermée des deux côtés.
                    counter.fetch_sub(1, Ordering::SeqCst);
                });
            }
        });
        Ok(Proxy {
            port,
            frozen,
            cut,
            open,
        })
    }

    /// `http://127.0.0.1:<port du relais>`
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Plus rien ne passe, dans aucun sens ; les connexions restent ouvertes.
    pub fn freeze(&self) {
        self.frozen.send_replace(true);
    }

    /// Le réseau revient : ce qui attendait passe.
    pub fn thaw(&self) {
        self.frozen.send_replace(false);
    }

    /// Attend que toutes les connexions relayées soient fermées (par l'un
    /// ou l'autre bout) ; `false` si certaines sont encore ouvertes après `wait`.
    pub async fn wait_all_closed(&self, wait: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + wait;
        while self.open.load(Ordering::SeqCst) > 0 {
            if tokio::time::Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        true
    }

    /// Ferme brutalement toutes les connexions relayées.
    pub fn cut(&self) {
        self.cut.send_replace(true);
    }
}

/// Une connexion au serveur avec un petit tampon de réception, pour que le
/// serveur voie vite un client qui ne lit plus.
async fn connect_small(target: u16) -> std::io::Result<TcpStream> {
    let socket = TcpSocket::new_v4()?;
    socket.set_recv_buffer_size(4096)?;
    socket.connect(([127, 0, 0, 1], target).into()).await
}

async fn pipe(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    mut frozen: watch::Receiver<bool>,
) {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        // Gelé : on ne lit plus et on n'écrit plus, sans rien fermer.
        if frozen.wait_for(|f| !*f).await.is_err() {
            return;
        }
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        if frozen.wait_for(|f| !*f).await.is_err() {
            return;
        }
        if to.write_all(&buf[..n]).await.is_err() {
            return;
        }
    }
}
