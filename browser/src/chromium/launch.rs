//! Lancer chromedriver puis Chromium dans un groupe de processus à eux,
//! avec un profil neuf, et tout arrêter et effacer à la destruction.

use std::path::PathBuf;
use std::process::Stdio;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use fantoccini::ClientBuilder;
use fantoccini::wd::Capabilities;
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::process::{Child, Command};

use super::{Browser, Programs, Windows, command, lock};
use crate::group::Group;
use crate::{Error, Result, bail, timeouts};

/// Les options de Chromium : sans écran, en root dans un bac à sable sans
/// réseau, sans rien contacter au démarrage, sans ralentir les onglets en
/// arrière-plan (plusieurs onglets discutent en même temps).
const CHROMIUM_FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--no-default-browser-check",
    "--password-store=basic",
    "--disable-background-timer-throttling",
    "--disable-backgrounding-occluded-windows",
    "--disable-renderer-backgrounding",
    "--hide-scrollbars",
    "--force-device-scale-factor=1",
];

/// La taille des fenêtres, sauf demande contraire ([`Browser::resize`]).
pub(super) const WINDOW: (u32, u32) = (800, 600);

impl Browser {
    /// Lance chromedriver (sur un port libre), puis Chromium à travers lui.
    ///
    /// Avec `--port=0`, chromedriver choisit lui-même un port, puis
    /// l'ouvre : un autre test peut l'avoir pris entre-temps (vu en CI,
    /// « bind() failed: Address already in use »). On relance alors
    /// chromedriver, deux fois au plus.
    pub async fn launch(programs: &Programs) -> Result<Self> {
        let mut attempt = 1;
        loop {
            match Self::launch_once(programs).await {
                Err(e) if attempt < 3 && e.message().contains("Address already in use") => {
                    attempt += 1;
                }
                result => return result,
            }
        }
    }

    async fn launch_once(programs: &Programs) -> Result<Self> {
        let profile = Profile::create()?;
        // Un groupe de processus à lui : Chromium et ses processus enfants y
        // entrent aussi, et un seul signal les arrête tous.
        let group = Group::new(Some(&profile.0))?;
        let mut child = group
            .attach(&mut Command::new(&programs.chromedriver))
            .arg("--port=0")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| {
                Error::new(format!(
                    "impossible de lancer {} : {e}",
                    programs.chromedriver.display()
                ))
            })?;
        let output: Arc<Mutex<Vec<String>>> = Arc::default();
        let stdout = child.stdout.take();
        if let Some(stderr) = child.stderr.take() {
            tokio::spawn(collect(stderr, output.clone()));
        }
        let driver = Driver {
            _child: child,
            group,
            output: output.clone(),
        };

        // « ChromeDriver was started successfully on port 12345. »
        let Some(stdout) = stdout else {
            bail!("chromedriver : pas de sortie standard");
        };
        let mut lines = BufReader::new(stdout).lines();
        let port = tokio::time::timeout(timeouts::start(), async {
            while let Ok(Some(line)) = lines.next_line().await {
                lock(&output).push(line.clone());
                if let Some(rest) = line.split("started successfully on port ").nth(1)
                    && let Ok(port) = rest.trim_end_matches('.').trim().parse::<u16>()
                {
                    return Some(port);
                }
            }
            None
        })
        .await;
        let port = match port {
            Ok(Some(port)) => port,
            Ok(None) => bail!(
                "chromedriver s'est arrêté sans ouvrir de port :\n{}",
                driver.output()
            ),
            Err(_) => bail!(
                "chromedriver n'a pas démarré en {} s :\n{}",
                timeouts::start().as_secs(),
                driver.output()
            ),
        };
        tokio::spawn(async move {
            while let Ok(Some(line)) = lines.next_line().await {
                lock(&output).push(line);
            }
        });

        let mut args: Vec<String> = CHROMIUM_FLAGS.iter().map(|s| (*s).to_owned()).collect();
        args.push(format!("--user-data-dir={}", profile.0.display()));
        args.push(format!("--window-size={},{}", WINDOW.0, WINDOW.1));
        let mut caps = Capabilities::new();
        caps.insert("browserName".into(), json!("chrome"));
        caps.insert(
            "goog:chromeOptions".into(),
            json!({ "binary": programs.chromium, "args": args }),
        );
        caps.insert("goog:loggingPrefs".into(), json!({ "browser": "ALL" }));
        caps.insert("unhandledPromptBehavior".into(), json!("dismiss"));
        let mut builder = ClientBuilder::new(HttpConnector::new());
        builder.capabilities(caps);
        let url = format!("http://127.0.0.1:{port}/");
        let connect = tokio::time::timeout(timeouts::start(), builder.connect(&url)).await;
        let client = match connect {
            Ok(Ok(client)) => client,
            Ok(Err(e)) => bail!(
                "Chromium n'a pas démarré ({}) : {e}\nchromedriver :\n{}",
                programs.chromium.display(),
                driver.output()
            ),
            Err(_) => bail!(
                "Chromium n'a pas démarré en {} s\nchromedriver :\n{}",
                timeouts::start().as_secs(),
                driver.output()
            ),
        };
        let spare = command("lire la fenêtre de départ", client.window()).await?;
        Ok(Self {
            client,
            windows: tokio::sync::Mutex::new(Windows {
                current: Some(spare.clone()),
                spare: Some(spare),
            }),
            logs: Mutex::default(),
            driver,
            _profile: profile,
        })
    }

    /// Le groupe de processus de chromedriver et de Chromium (tous arrêtés
    /// ensemble à la destruction de `self`).
    pub fn process_group(&self) -> i32 {
        self.driver.group.id()
    }

    /// Ce que chromedriver a écrit (pour diagnostiquer un échec).
    pub fn driver_output(&self) -> String {
        self.driver.output()
    }
}

/// chromedriver et tout son groupe de processus (Chromium compris), tués
/// ensemble à la destruction (voir [`Group`]).
pub(super) struct Driver {
    _child: Child,
    group: Group,
    output: Arc<Mutex<Vec<String>>>,
}

impl Driver {
    fn output(&self) -> String {
        let lines = lock(&self.output);
        if lines.is_empty() {
            return "  (rien)".to_owned();
        }
        lines
            .iter()
            .map(|l| format!("  | {l}"))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// Un dossier de profil Chromium neuf, effacé à la fin.
pub(super) struct Profile(PathBuf);

impl Profile {
    fn create() -> Result<Self> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or_default();
        let dir = std::env::temp_dir().join(format!(
            "browser-profile-{}-{}-{nanos}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).map_err(|e| {
            Error::new(format!(
                "impossible de créer le profil {} : {e}",
                dir.display()
            ))
        })?;
        Ok(Self(dir))
    }
}

impl Drop for Profile {
    fn drop(&mut self) {
        // Les processus viennent de recevoir SIGKILL : quelques essais, le
        // temps qu'ils aient disparu.
        for _ in 0..20 {
            match std::fs::remove_dir_all(&self.0) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    std::thread::sleep(Duration::from_millis(50));
                }
                _ => return,
            }
        }
    }
}

async fn collect(stream: impl AsyncRead + Unpin, output: Arc<Mutex<Vec<String>>>) {
    let mut lines = BufReader::new(stream).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        let mut output = lock(&output);
        // Pas plus de quelques centaines de lignes : c'est pour un diagnostic.
        if output.len() < 500 {
            output.push(line);
        }
    }
}
