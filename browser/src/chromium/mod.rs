//! Chromium piloté par chromedriver : lancer, ouvrir des onglets, taper,
//! cliquer, lire la page et la console, tout arrêter.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use fantoccini::wd::{Capabilities, WebDriverCompatibleCommand, WindowHandle};
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value as Json, json};
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::process::{Child, Command};

use crate::group::Group;
use crate::{Error, Result, bail, poll, timeouts};

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
const WINDOW: (u32, u32) = (800, 600);

/// Les deux programmes nécessaires, trouvés sur la machine.
#[derive(Debug, Clone)]
pub struct Programs {
    /// Le navigateur (`/usr/lib/chromium/chromium` chez Debian).
    pub chromium: PathBuf,
    /// `chromedriver` (paquet `chromium-driver` chez Debian).
    pub chromedriver: PathBuf,
}

impl Programs {
    /// Cherche Chromium et chromedriver : variables `CHROMIUM` et
    /// `CHROMEDRIVER` si elles sont données, sinon les chemins de Debian et
    /// le `PATH`. `Err` dit ce qui manque.
    pub fn find() -> Result<Self, String> {
        let chromium = match from_env("CHROMIUM")? {
            Some(path) => Some(path),
            None => existing("/usr/lib/chromium/chromium")
                .or_else(|| in_path("chromium"))
                .or_else(|| in_path("chromium-browser")),
        };
        let chromedriver = match from_env("CHROMEDRIVER")? {
            Some(path) => Some(path),
            None => in_path("chromedriver").or_else(|| existing("/usr/lib/chromium/chromedriver")),
        };
        match (chromium, chromedriver) {
            (Some(chromium), Some(chromedriver)) => Ok(Self {
                chromium,
                chromedriver,
            }),
            (None, Some(_)) => Err("Chromium est introuvable".to_owned()),
            (Some(_), None) => Err("chromedriver est introuvable".to_owned()),
            (None, None) => Err("Chromium et chromedriver sont introuvables".to_owned()),
        }
    }
}

/// Le chemin donné par la variable `name`, s'il y en a un ; une erreur s'il
/// ne désigne aucun fichier.
fn from_env(name: &str) -> Result<Option<PathBuf>, String> {
    match std::env::var_os(name).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(path) => {
            let path = PathBuf::from(path);
            if path.is_file() {
                Ok(Some(path))
            } else {
                Err(format!(
                    "{name}={} ne désigne aucun fichier",
                    path.display()
                ))
            }
        }
    }
}

fn existing(path: &str) -> Option<PathBuf> {
    let path = Path::new(path);
    path.is_file().then(|| path.to_path_buf())
}

fn in_path(program: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(program))
        .find(|p| p.is_file())
}

/// Vrai si `REQUIRE_BROWSER=1` : l'absence de Chromium est alors une erreur,
/// jamais une raison de sauter le test (c'est le réglage de la CI).
pub fn browser_required() -> bool {
    std::env::var("REQUIRE_BROWSER").is_ok_and(|v| v.trim() == "1")
}

/// Lance Chromium pour le test `test` ; `Ok(None)` si Chromium ou
/// chromedriver manque et que `REQUIRE_BROWSER=1` n'est pas demandé : le
/// test doit alors s'arrêter là (un message bien visible l'a dit).
pub async fn launch_or_skip(test: &str) -> Result<Option<Browser>> {
    match Programs::find() {
        Ok(programs) => Browser::launch(&programs).await.map(Some),
        Err(missing) if browser_required() => Err(Error::new(format!(
            "{test} : {missing}, et REQUIRE_BROWSER=1 interdit de sauter ce test. \
             Installez-les : apt-get update && apt-get install -y chromium chromium-driver"
        ))),
        Err(missing) => {
            // Écrit directement sur la sortie d'erreur : `eprintln!` serait
            // capturé par `cargo test` et resterait invisible pour un test
            // qui réussit.
            let _ = writeln!(
                std::io::stderr(),
                "\n*** {test} : test dans le navigateur SAUTÉ : {missing}. \
                 Pour le lancer : apt-get install chromium chromium-driver \
                 (REQUIRE_BROWSER=1 fait de cette absence une erreur). ***"
            );
            Ok(None)
        }
    }
}

/// Un onglet du navigateur.
#[derive(Debug, Clone)]
pub struct Tab {
    handle: WindowHandle,
    name: String,
}

impl Tab {
    /// Le nom donné à l'ouverture (« onglet 1 »…), pour les messages.
    pub fn name(&self) -> &str {
        &self.name
    }
}

/// Un Chromium sans écran, piloté par son propre chromedriver, avec un
/// profil neuf. Tout s'arrête quand la valeur est détruite (chromedriver,
/// Chromium et tous ses processus, d'un seul signal), même si le test échoue
/// ou panique ; le profil temporaire est effacé.
pub struct Browser {
    // L'ordre des champs est l'ordre de destruction : la session, puis les
    // processus, puis le dossier du profil.
    client: Client,
    windows: tokio::sync::Mutex<Windows>,
    logs: Mutex<Vec<LogEntry>>,
    driver: Driver,
    _profile: Profile,
}

struct Windows {
    /// L'onglet auquel s'adressent les commandes WebDriver.
    current: Option<WindowHandle>,
    /// La fenêtre vide ouverte au démarrage, réutilisée par le premier onglet.
    spare: Option<WindowHandle>,
}

/// Une ligne de la console du navigateur.
#[derive(Debug, Clone)]
pub struct LogEntry {
    /// `SEVERE`, `WARNING`, `INFO`…
    pub level: String,
    /// Le texte, précédé de sa source (`http://…/x.js 3:10 …`).
    pub message: String,
}

impl Browser {
    /// Lance chromedriver (sur un port libre), puis Chromium à travers lui.
    pub async fn launch(programs: &Programs) -> Result<Self> {
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

    /// Le client WebDriver lui-même, pour ce que ce crate ne propose pas.
    /// Attention : les méthodes de [`Browser`] changent d'onglet courant.
    pub fn webdriver(&self) -> &Client {
        &self.client
    }

    /// Ouvre `url` dans un nouvel onglet nommé `name`, et attend la fin du
    /// chargement de la page.
    pub async fn open(&self, url: &str, name: &str) -> Result<Tab> {
        self.open_with(url, name, None).await
    }

    /// Comme [`Browser::open`], en faisant d'abord exécuter `script` au début
    /// de chaque document de l'onglet, avant les scripts de la page (par le
    /// protocole DevTools : `Page.addScriptToEvaluateOnNewDocument`).
    pub async fn open_with(&self, url: &str, name: &str, script: Option<&str>) -> Result<Tab> {
        let mut windows = self.windows.lock().await;
        let handle = match windows.spare.take() {
            Some(handle) => handle,
            None => {
                // WebDriver ouvre un onglet depuis l'onglet courant : il en
                // faut un, même après une fermeture.
                self.any_current(&mut windows).await?;
                command(
                    format!("ouvrir l'onglet {name}"),
                    self.client.new_window(true),
                )
                .await?
                .handle
            }
        };
        windows.current = None;
        command(
            format!("passer à l'onglet {name}"),
            self.client.switch_to_window(handle.clone()),
        )
        .await?;
        windows.current = Some(handle.clone());
        if let Some(script) = script {
            let cdp = Cdp {
                cmd: "Page.addScriptToEvaluateOnNewDocument",
                params: json!({ "source": script }),
            };
            command(
                format!("préparer l'onglet {name}"),
                self.client.issue_cmd(cdp),
            )
            .await?;
        }
        command(
            format!("charger {url} dans l'onglet {name}"),
            self.client.goto(url),
        )
        .await?;
        Ok(Tab {
            handle,
            name: name.to_owned(),
        })
    }

    /// Ferme l'onglet (la console est lue avant, pour ne rien perdre).
    pub async fn close(&self, tab: &Tab) -> Result<()> {
        self.fetch_logs().await?;
        let mut windows = self.focus(tab).await?;
        windows.current = None;
        command(
            format!("fermer l'onglet {}", tab.name),
            self.client.close_window(),
        )
        .await
    }

    /// Donne la taille `width` × `height` (en pixels CSS) à la zone
    /// d'affichage de l'onglet, celle que capture [`Browser::screenshot`].
    ///
    /// Par le protocole DevTools (`Emulation.setDeviceMetricsOverride`) : le
    /// Chromium sans écran simule une barre d'outils et impose une largeur
    /// minimale, si bien que la taille de la fenêtre ne dit pas celle de la
    /// page.
    pub async fn resize(&self, tab: &Tab, width: u32, height: u32) -> Result<()> {
        let _w = self.focus(tab).await?;
        let cdp = Cdp {
            cmd: "Emulation.setDeviceMetricsOverride",
            params: json!({
                "width": width,
                "height": height,
                "deviceScaleFactor": 1,
                "mobile": false,
            }),
        };
        command(
            format!("redimensionner l'onglet {}", tab.name),
            self.client.issue_cmd(cdp),
        )
        .await
        .map(drop)
    }

    /// Exécute `js` (le corps d'une fonction : `return …`) dans la page.
    pub async fn eval(&self, tab: &Tab, js: &str) -> Result<Json> {
        self.eval_with(tab, js, Vec::new()).await
    }

    /// Comme [`Browser::eval`], avec des arguments (`arguments[0]`…).
    pub async fn eval_with(&self, tab: &Tab, js: &str, args: Vec<Json>) -> Result<Json> {
        let _w = self.focus(tab).await?;
        command(
            format!("exécuter un script dans l'onglet {}", tab.name),
            self.client.execute(js, args),
        )
        .await
    }

    /// Tape `text` au clavier dans l'élément `css` (à la suite de son contenu).
    pub async fn type_into(&self, tab: &Tab, css: &str, text: &str) -> Result<()> {
        let _w = self.focus(tab).await?;
        let what = format!("taper dans {css} (onglet {})", tab.name);
        let element = command(&what, self.client.find(Locator::Css(css))).await?;
        command(&what, element.send_keys(text)).await
    }

    /// Vide l'élément `css`, puis y tape `text`.
    pub async fn fill(&self, tab: &Tab, css: &str, text: &str) -> Result<()> {
        let _w = self.focus(tab).await?;
        let what = format!("remplir {css} (onglet {})", tab.name);
        let element = command(&what, self.client.find(Locator::Css(css))).await?;
        command(&what, element.clear()).await?;
        command(&what, element.send_keys(text)).await
    }

    /// Appuie sur Entrée dans l'élément `css`.
    pub async fn press_enter(&self, tab: &Tab, css: &str) -> Result<()> {
        self.type_into(
            tab,
            css,
            &char::from(fantoccini::key::Key::Enter).to_string(),
        )
        .await
    }

    /// Clique sur l'élément `css`.
    pub async fn click(&self, tab: &Tab, css: &str) -> Result<()> {
        let _w = self.focus(tab).await?;
        let what = format!("cliquer sur {css} (onglet {})", tab.name);
        let element = command(&what, self.client.find(Locator::Css(css))).await?;
        command(&what, element.click()).await
    }

    /// Les textes des `li` de `#messages`, dans l'ordre.
    pub async fn messages(&self, tab: &Tab) -> Result<Vec<String>> {
        let list = self
            .eval(
                tab,
                "return Array.from(document.querySelectorAll('#messages li'), li => li.textContent);",
            )
            .await?;
        Ok(strings(&list))
    }

    /// Attend que la liste `#messages` de l'onglet vérifie `ok`, et la
    /// renvoie. `what` décrit l'attente pour le message d'erreur.
    pub async fn wait_messages(
        &self,
        tab: &Tab,
        what: &str,
        ok: impl Fn(&[String]) -> bool,
    ) -> Result<Vec<String>> {
        let found = poll(timeouts::wait(), || async {
            let list = self.messages(tab).await?;
            Ok(if ok(&list) { Ok(list) } else { Err(list) })
        })
        .await?;
        found.map_err(|list| {
            Error::new(format!(
                "{} : {what} : toujours pas après {} s ; la liste de l'onglet est {list:?}",
                tab.name,
                timeouts::wait().as_secs()
            ))
        })
    }

    /// Attend que `js` (une expression) soit vraie dans l'onglet.
    pub async fn wait_js(&self, tab: &Tab, what: &str, js: &str) -> Result<()> {
        let script = format!("try {{ return !!({js}); }} catch (e) {{ return false; }}");
        let found = poll(timeouts::wait(), || async {
            let value = self.eval(tab, &script).await?;
            Ok(if value == Json::Bool(true) {
                Ok(())
            } else {
                Err(())
            })
        })
        .await?;
        found.map_err(|()| {
            Error::new(format!(
                "{} : {what} : toujours pas après {} s (attendu : {js})",
                tab.name,
                timeouts::wait().as_secs()
            ))
        })
    }

    /// Attend que le client Socket.IO de la page (la variable `socket` de
    /// `client-socket.js`) soit connecté, et renvoie son identifiant.
    pub async fn wait_connected(&self, tab: &Tab) -> Result<String> {
        self.wait_js(
            tab,
            "le client Socket.IO de la page ne se connecte pas",
            "typeof socket !== 'undefined' && socket.connected",
        )
        .await?;
        let id = self.eval(tab, "return socket.id;").await?;
        Ok(id.as_str().unwrap_or_default().to_owned())
    }

    /// Le transport en cours du client de la page : `websocket` ou `polling`.
    pub async fn transport(&self, tab: &Tab) -> Result<String> {
        let name = self
            .eval(
                tab,
                "try { return socket.io.engine.transport.name; } catch (e) { return null; }",
            )
            .await?;
        Ok(name.as_str().unwrap_or("aucun").to_owned())
    }

    /// Une capture PNG de l'onglet.
    pub async fn screenshot(&self, tab: &Tab) -> Result<Vec<u8>> {
        let _w = self.focus(tab).await?;
        command(
            format!("capturer l'onglet {}", tab.name),
            self.client.screenshot(),
        )
        .await
    }

    /// Une capture PNG de l'élément `css` de l'onglet.
    pub async fn screenshot_element(&self, tab: &Tab, css: &str) -> Result<Vec<u8>> {
        let _w = self.focus(tab).await?;
        let what = format!("capturer {css} (onglet {})", tab.name);
        let element = command(&what, self.client.find(Locator::Css(css))).await?;
        command(&what, element.screenshot()).await
    }

    /// Toute la console du navigateur depuis le lancement (tous onglets).
    pub async fn console(&self) -> Result<Vec<LogEntry>> {
        self.fetch_logs().await?;
        Ok(lock(&self.logs).clone())
    }

    /// Les erreurs (`SEVERE`) de la console du navigateur depuis le lancement.
    ///
    /// Sauf le 404 de `/favicon.ico` : le navigateur demande cette icône de
    /// lui-même, les pages du cours n'en ont pas, et la console d'un Chrome
    /// ordinaire ne le montre pas à l'étudiant.
    pub async fn console_errors(&self) -> Result<Vec<String>> {
        Ok(self
            .console()
            .await?
            .into_iter()
            .filter(|e| e.level == "SEVERE")
            .filter(|e| !e.message.contains("/favicon.ico - "))
            .map(|e| e.message)
            .collect())
    }

    /// Échoue, en les citant, s'il y a eu des erreurs dans la console.
    pub async fn check_console(&self) -> Result<()> {
        let errors = self.console_errors().await?;
        if errors.is_empty() {
            return Ok(());
        }
        let mut text = "erreurs dans la console du navigateur :".to_owned();
        for e in errors {
            text.push_str("\n  - ");
            text.push_str(&e);
        }
        Err(Error::new(text))
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

    async fn fetch_logs(&self) -> Result<()> {
        // chromedriver rend les lignes nouvelles depuis la dernière lecture.
        let mut windows = self.windows.lock().await;
        if !self.any_current(&mut windows).await? {
            // Plus aucun onglet : plus rien à lire.
            return Ok(());
        }
        let value = command(
            "lire la console du navigateur",
            self.client.issue_cmd(GetLog),
        )
        .await?;
        drop(windows);
        let entries = value.as_array().cloned().unwrap_or_default();
        let mut logs = lock(&self.logs);
        for entry in entries {
            logs.push(LogEntry {
                level: entry["level"].as_str().unwrap_or_default().to_owned(),
                message: entry["message"].as_str().unwrap_or_default().to_owned(),
            });
        }
        Ok(())
    }

    /// S'assure qu'un onglet est courant (après une fermeture, WebDriver
    /// n'en a plus) ; `false` s'il n'y a plus aucun onglet.
    async fn any_current(&self, windows: &mut Windows) -> Result<bool> {
        if windows.current.is_some() {
            return Ok(true);
        }
        let all = command("lister les onglets", self.client.windows()).await?;
        let Some(first) = all.into_iter().next() else {
            return Ok(false);
        };
        command(
            "changer d'onglet",
            self.client.switch_to_window(first.clone()),
        )
        .await?;
        windows.current = Some(first);
        Ok(true)
    }

    async fn focus(&self, tab: &Tab) -> Result<tokio::sync::MutexGuard<'_, Windows>> {
        let mut windows = self.windows.lock().await;
        if windows.current.as_ref() != Some(&tab.handle) {
            windows.current = None;
            command(
                format!("passer à l'onglet {}", tab.name),
                self.client.switch_to_window(tab.handle.clone()),
            )
            .await?;
            windows.current = Some(tab.handle.clone());
        }
        Ok(windows)
    }

    /// Compose une image PNG : les captures d'onglets côte à côte, chacune
    /// sous sa légende, puis les terminaux en dessous, sur toute la largeur.
    /// C'est le navigateur lui-même qui fait la mise en page.
    pub async fn compose(&self, panels: &[Panel]) -> Result<Vec<u8>> {
        let tab = self.open("about:blank", "composition").await?;
        let panels: Vec<Json> = panels
            .iter()
            .map(|panel| match panel {
                Panel::Tab { caption, png } => json!({ "caption": caption, "png": png }),
                Panel::Terminal { caption, lines } => {
                    json!({ "caption": caption, "lines": lines })
                }
            })
            .collect();
        let script = r#"
            const panels = arguments[0];
            document.body.style.margin = '0';
            const box = document.createElement('div');
            box.id = 'composition';
            box.style.cssText = 'display:flex;flex-wrap:wrap;gap:12px;padding:12px;'
                + 'background:#d9dde3;font:14px sans-serif;align-items:flex-start;'
                + 'box-sizing:border-box;width:max-content';
            const loads = [];
            const terminals = [];
            for (const panel of panels) {
                const figure = document.createElement('figure');
                figure.style.cssText = 'margin:0;display:flex;flex-direction:column;gap:6px';
                const caption = document.createElement('figcaption');
                caption.textContent = panel.caption;
                caption.style.cssText = 'font-weight:bold;color:#333';
                figure.append(caption);
                if (panel.png) {
                    const img = document.createElement('img');
                    img.style.cssText = 'display:block;border:1px solid #888;background:#fff';
                    const blob = new Blob([new Uint8Array(panel.png)], { type: 'image/png' });
                    loads.push(new Promise(ok => { img.onload = ok; img.onerror = ok; }));
                    img.src = URL.createObjectURL(blob);
                    figure.append(img);
                } else {
                    const pre = document.createElement('pre');
                    pre.textContent = panel.lines.join('\n');
                    pre.style.cssText = 'margin:0;padding:8px 10px;background:#1e1e1e;color:#e6e6e6;'
                        + 'font:12px/1.4 monospace;white-space:pre-wrap;border-radius:4px';
                    figure.append(pre);
                    terminals.push(figure);
                }
                box.append(figure);
            }
            document.body.append(box);
            return Promise.all(loads).then(() => {
                // La largeur : celle de la rangée d'onglets ; les terminaux
                // passent dessous et la prennent toute.
                let width = 24 - 12;
                for (const figure of box.children) {
                    if (!terminals.includes(figure)) {
                        width += figure.getBoundingClientRect().width + 12;
                    }
                }
                if (width < 400) { width = 640; }
                box.style.width = Math.ceil(width) + 'px';
                for (const figure of terminals) { figure.style.flexBasis = '100%'; }
                const r = box.getBoundingClientRect();
                return [Math.ceil(r.width), Math.ceil(r.height)];
            });
        "#;
        let size = self
            .eval_with(&tab, script, vec![Json::Array(panels)])
            .await?;
        let width = size[0].as_u64().unwrap_or(u64::from(WINDOW.0));
        let height = size[1].as_u64().unwrap_or(u64::from(WINDOW.1));
        let width = u32::try_from(width).unwrap_or(WINDOW.0) + 40;
        let height = u32::try_from(height).unwrap_or(WINDOW.1) + 40;
        self.resize(&tab, width, height).await?;
        let png = self.screenshot_element(&tab, "#composition").await?;
        self.close(&tab).await?;
        Ok(png)
    }
}

/// Un panneau d'une image composée par [`Browser::compose`].
#[derive(Debug, Clone)]
pub enum Panel {
    /// La capture d'un onglet, sous sa légende.
    Tab {
        /// La légende (« Onglet 1 »…).
        caption: String,
        /// L'image PNG.
        png: Vec<u8>,
    },
    /// Les lignes d'un terminal, sous leur légende.
    Terminal {
        /// La légende (« Terminal : cargo run -p … »).
        caption: String,
        /// Les lignes affichées.
        lines: Vec<String>,
    },
}

fn strings(list: &Json) -> Vec<String> {
    list.as_array()
        .map(|items| {
            items
                .iter()
                .map(|v| v.as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// Une commande WebDriver, avec un délai : un navigateur bloqué donne une
/// erreur claire au lieu d'un test qui ne finit jamais.
async fn command<T, E: std::fmt::Display>(
    what: impl std::fmt::Display,
    fut: impl Future<Output = std::result::Result<T, E>>,
) -> Result<T> {
    match tokio::time::timeout(timeouts::command(), fut).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => Err(Error::new(format!("{what} : {e}"))),
        Err(_) => Err(Error::new(format!(
            "{what} : le navigateur n'a pas répondu en {} s",
            timeouts::command().as_secs()
        ))),
    }
}

/// `POST /session/{id}/se/log` : la console du navigateur, au sens de
/// chromedriver (les lignes nouvelles depuis la dernière lecture).
#[derive(Debug)]
struct GetLog;

impl WebDriverCompatibleCommand for GetLog {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/se/log",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(r#"{"type":"browser"}"#.to_owned()))
    }
}

/// `POST /session/{id}/goog/cdp/execute` : une commande du protocole
/// DevTools, dans l'onglet courant.
#[derive(Debug)]
struct Cdp {
    cmd: &'static str,
    params: Json,
}

impl WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/goog/cdp/execute",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        let body = json!({ "cmd": self.cmd, "params": self.params });
        (http::Method::POST, Some(body.to_string()))
    }
}

/// chromedriver et tout son groupe de processus (Chromium compris), tués
/// ensemble à la destruction (voir [`Group`]).
struct Driver {
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
struct Profile(PathBuf);

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

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}
