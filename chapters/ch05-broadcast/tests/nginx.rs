//! Le chapitre derrière nginx, avec la configuration de l'annexe « Mettre en
//! ligne » (`deploy/nginx/chat.conf`, lue sur le disque : le livre et ce test
//! ne peuvent pas diverger). Un message doit passer par nginx en WebSocket
//! (la mise à niveau de la connexion) comme en long-polling.
//!
//! Sans nginx, le test est sauté avec un message visible ; en CI (variable
//! `CI`), c'est une erreur.

use std::io::Write as _;
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use checks::{Client, Server, Transport, WAIT};

/// La configuration du livre, relative à ce crate.
const SITE: &str = "../../deploy/nginx/chat.conf";
/// Ce que le test remplace dans la configuration du livre.
const LISTEN: &str = "listen 80;";
const UPSTREAM: &str = "127.0.0.1:3000";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broadcast_through_nginx() {
    let Some(nginx) = find_nginx() else {
        let why = "nginx est introuvable (ni NGINX, ni /usr/sbin/nginx, ni le PATH)";
        assert!(
            std::env::var_os("CI").is_none(),
            "{why}, et la variable CI interdit de sauter ce test. \
             Installez-le : apt-get install -y nginx"
        );
        // Directement sur la sortie d'erreur : `eprintln!` serait capturé
        // par `cargo test` et resterait invisible pour un test réussi.
        let _ = writeln!(
            std::io::stderr(),
            "\n*** nginx.rs : test derrière nginx SAUTÉ : {why}. \
             Pour le lancer : apt-get install -y nginx (la variable CI fait \
             de cette absence une erreur). ***"
        );
        return;
    };

    let logs = Mutex::new(Vec::new());
    let server = Server::start(Path::new(env!("CARGO_BIN_EXE_ch05-broadcast")), &[], &logs)
        .await
        .unwrap_or_else(|f| panic!("le chapitre 5 ne démarre pas : {f:?}"));
    let dir = tempfile::tempdir().expect("un dossier temporaire pour nginx");
    let port = free_port();
    let conf = nginx_conf(dir.path(), port, server.port());
    let conf_path = dir.path().join("nginx.conf");
    std::fs::write(&conf_path, conf).expect("écrire nginx.conf");
    let mut proxy = Nginx::start(&nginx, dir.path(), &conf_path, port);

    let url = format!("http://127.0.0.1:{port}");
    for transport in Transport::BOTH {
        let label = transport.label();
        let alice = Client::connect(&url, transport, "Alice").await;
        let bob = Client::connect(&url, transport, "Bob").await;
        let (alice, mut bob) = match (alice, bob) {
            (Ok(a), Ok(b)) => (a, b),
            (a, b) => panic!(
                "connexion en {label} à travers nginx impossible : {:?} {:?}\n{}",
                a.err(),
                b.err(),
                proxy.error_log()
            ),
        };
        let text = format!("bonjour par nginx en {label}");
        alice
            .send_text(&text)
            .await
            .unwrap_or_else(|f| panic!("Alice n'a pas pu envoyer en {label} : {f:?}"));
        let got = bob.next_text(WAIT).await;
        assert_eq!(
            got.as_deref(),
            Some(text.as_str()),
            "Bob doit recevoir le message d'Alice en {label}, à travers nginx\n{}",
            proxy.error_log()
        );
        alice.disconnect().await;
        bob.disconnect().await;
    }

    proxy.stop();
    server
        .stop()
        .await
        .unwrap_or_else(|f| panic!("le chapitre 5 ne s'arrête pas : {f:?}"));
}

/// nginx : la variable `NGINX`, le chemin de Debian, puis le `PATH`.
fn find_nginx() -> Option<PathBuf> {
    let from_env = std::env::var_os("NGINX").map(PathBuf::from);
    let debian = Some(PathBuf::from("/usr/sbin/nginx"));
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|dir| dir.join("nginx"));
    from_env
        .into_iter()
        .chain(debian)
        .chain(on_path)
        .find(|p| p.is_file())
}

/// Un port libre de 127.0.0.1, rendu aussitôt pour nginx.
fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("un port libre pour nginx")
}

/// Le fichier du livre dans un `nginx.conf` complet, dont tous les chemins
/// (pid, journaux, fichiers temporaires) sont dans `dir` : le test marche
/// avec ou sans les droits de root.
fn nginx_conf(dir: &Path, port: u16, backend: u16) -> String {
    let site_path = Path::new(env!("CARGO_MANIFEST_DIR")).join(SITE);
    let site = std::fs::read_to_string(&site_path)
        .unwrap_or_else(|e| panic!("lecture de {} : {e}", site_path.display()));
    for needle in [LISTEN, UPSTREAM] {
        assert!(
            site.contains(needle),
            "{} doit contenir « {needle} », que le test remplace",
            site_path.display()
        );
    }
    let site = site
        .replace(LISTEN, &format!("listen 127.0.0.1:{port};"))
        .replace(UPSTREAM, &format!("127.0.0.1:{backend}"));
    let d = dir.display();
    format!(
        "{user}pid {d}/nginx.pid;\n\
         error_log {d}/error.log info;\n\
         events {{ worker_connections 64; }}\n\
         http {{\n\
         access_log {d}/access.log;\n\
         client_body_temp_path {d}/body;\n\
         proxy_temp_path {d}/proxy;\n\
         fastcgi_temp_path {d}/fastcgi;\n\
         uwsgi_temp_path {d}/uwsgi;\n\
         scgi_temp_path {d}/scgi;\n\
         {site}\n\
         }}\n",
        user = worker_user(dir)
    )
}

/// Lancé par root, nginx donne ses processus à `nobody`, qui ne pourrait pas
/// écrire dans le dossier temporaire : ils restent alors à root.
fn worker_user(dir: &Path) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        if std::fs::metadata(dir).is_ok_and(|m| m.uid() == 0) {
            return "user root;\n";
        }
    }
    let _ = dir;
    ""
}

/// nginx en cours d'exécution, arrêté même si le test échoue.
struct Nginx {
    child: Child,
    /// Les options `-p … -e … -c …`, pour `nginx -s stop`.
    args: Vec<std::ffi::OsString>,
    program: PathBuf,
    error_log: PathBuf,
}

impl Nginx {
    fn start(nginx: &Path, dir: &Path, conf: &Path, port: u16) -> Nginx {
        let args: Vec<std::ffi::OsString> = vec![
            "-p".into(),
            dir.into(),
            "-e".into(),
            dir.join("error.log").into(),
            "-c".into(),
            conf.into(),
        ];
        let child = Command::new(nginx)
            .args(&args)
            .args(["-g", "daemon off;"])
            .stdin(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("impossible de lancer {} : {e}", nginx.display()));
        let mut proxy = Nginx {
            child,
            args,
            program: nginx.to_path_buf(),
            error_log: dir.join("error.log"),
        };
        let deadline = Instant::now() + WAIT;
        while TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_err() {
            if let Ok(Some(status)) = proxy.child.try_wait() {
                panic!(
                    "nginx s'est arrêté au démarrage ({status})\n{}",
                    proxy.error_log()
                );
            }
            assert!(
                Instant::now() < deadline,
                "nginx n'écoute pas sur le port {port}\n{}",
                proxy.error_log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        proxy
    }

    /// Le journal d'erreurs de nginx, pour un rapport d'échec.
    fn error_log(&self) -> String {
        let log = std::fs::read_to_string(&self.error_log).unwrap_or_default();
        format!("journal de nginx :\n{log}")
    }

    /// `nginx -s stop` arrête aussi ses processus de travail ; à défaut, on
    /// tue le processus principal.
    fn stop(&mut self) {
        if let Ok(Some(_)) = self.child.try_wait() {
            return;
        }
        let stopped = Command::new(&self.program)
            .args(&self.args)
            .args(["-s", "stop"])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !stopped {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        self.stop();
    }
}
