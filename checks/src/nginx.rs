//! Un vrai nginx devant les chapitres, avec les configurations de l'annexe
//! « Mettre en ligne » (`deploy/nginx/`, lues sur le disque : le livre et
//! les tests ne peuvent pas diverger). [`Nginx`] lance un site ; [`Front`],
//! celui du chapitre 15 (HTTPS, deux processus), avec ses remplacements.
//! Les tests qui s'en servent : `deploy/tests/`.
//!
//! Sans nginx, un test n'est pas lancé, et un message visible le dit ; en CI (variable
//! `CI`), c'est une erreur.

use std::io::Write as _;
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::WAIT;

mod front;

pub use front::{Front, TlsResponse, https};

/// nginx : la variable `NGINX`, le chemin de Debian, puis le `PATH`. Absent :
/// `None` après un message bien visible, ou une panique en CI.
pub fn find_or_skip(test: &str) -> Option<PathBuf> {
    let from_env = std::env::var_os("NGINX").map(PathBuf::from);
    let debian = Some(PathBuf::from("/usr/sbin/nginx"));
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|dir| dir.join("nginx"));
    let found = from_env
        .into_iter()
        .chain(debian)
        .chain(on_path)
        .find(|p| p.is_file());
    if found.is_none() {
        let why = "nginx est introuvable (ni NGINX, ni /usr/sbin/nginx, ni le PATH)";
        assert!(
            std::env::var_os("CI").is_none(),
            "{test} : {why}, et la variable CI interdit de sauter ce test. \
             Installez-le : apt-get install -y nginx"
        );
        // Directement sur la sortie d'erreur : `eprintln!` serait capturé
        // par `cargo test` et resterait invisible pour un test réussi.
        let _ = writeln!(
            std::io::stderr(),
            "\n*** {test} : test derrière nginx NON LANCÉ : {why}. \
             Pour le lancer : apt-get install -y nginx (la variable CI fait \
             de cette absence une erreur). ***"
        );
    }
    found
}

/// Un fichier de `deploy/nginx/`, tel que le livre le montre.
pub fn site(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../deploy/nginx")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("lecture de {} : {e}", path.display()))
}

/// Remplace `needle` dans `site`, qui doit le contenir.
pub fn replace(site: &str, needle: &str, by: &str) -> String {
    assert!(
        site.contains(needle),
        "la configuration de deploy/nginx doit contenir « {needle} », que le test remplace"
    );
    site.replace(needle, by)
}

/// Un port libre de 127.0.0.1, rendu aussitôt pour nginx.
pub fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("un port libre pour nginx")
}

/// nginx en cours d'exécution, arrêté même si le test échoue.
pub struct Nginx {
    child: Child,
    /// Les options `-p … -e … -c …`, pour `nginx -s stop`.
    args: Vec<std::ffi::OsString>,
    program: PathBuf,
    dir: tempfile::TempDir,
    port: u16,
}

impl Nginx {
    /// Lance `nginx` avec `site` (un bloc `server` et ses `upstream`, dont
    /// l'écoute est déjà `listen 127.0.0.1:<port>;`), dans un dossier
    /// temporaire qui garde pid, journaux et fichiers temporaires : le test
    /// marche avec ou sans les droits de root.
    pub fn start(nginx: &Path, site: &str, port: u16) -> Nginx {
        let dir = tempfile::tempdir().expect("un dossier temporaire pour nginx");
        let d = dir.path().display();
        let conf = format!(
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
            user = worker_user(dir.path())
        );
        let conf_path = dir.path().join("nginx.conf");
        std::fs::write(&conf_path, conf).expect("écrire nginx.conf");
        let args: Vec<std::ffi::OsString> = vec![
            "-p".into(),
            dir.path().into(),
            "-e".into(),
            dir.path().join("error.log").into(),
            "-c".into(),
            conf_path.into(),
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
            dir,
            port,
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

    /// Le port de nginx.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// L'adresse de nginx.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Le journal d'erreurs de nginx, pour un rapport d'échec.
    pub fn error_log(&self) -> String {
        let log = std::fs::read_to_string(self.dir.path().join("error.log")).unwrap_or_default();
        format!("journal de nginx :\n{log}")
    }

    /// `nginx -s stop` arrête aussi ses processus de travail ; à défaut, on
    /// tue le processus principal.
    pub fn stop(&mut self) {
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

/// Lancé par root, nginx donne ses processus à `nobody`, qui ne pourrait pas
/// écrire dans le dossier temporaire : ils restent alors à root.
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
