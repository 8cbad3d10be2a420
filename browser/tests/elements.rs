//! Les primitives de lecture de la page (textes d'un sélecteur, attente
//! d'un texte, visibilité) et les réponses aux `prompt()`, sur une petite
//! page servie par le test lui-même.

use axum::Router;
use axum::response::Html;
use axum::routing::get;
use browser::checks::answer_prompts;
use browser::{Result, ensure, launch_or_skip};
use tokio::net::TcpListener;

const PAGE: &str = r#"<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Éléments</title></head>
<body>
<ul id="list"><li>un</li><li>deux</li></ul>
<p id="later"></p>
<div id="shown">là</div>
<div id="gone" hidden>caché</div>
<div id="faded" style="opacity: 0">transparent</div>
<div id="empty"></div>
<input id="name"><button id="go">OK</button>
<script>
  setTimeout(() => { document.getElementById('later').textContent = 'Bonjour Alice'; }, 300);
  document.getElementById('go').addEventListener('click', () => {
    const name = document.getElementById('name').value;
    document.getElementById('shown').hidden = true;
    const gone = document.getElementById('gone');
    gone.textContent = 'Salut ' + name;
    gone.hidden = false;
    const li = document.createElement('li');
    li.textContent = String(prompt('Votre pseudo ?'));
    document.getElementById('list').append(li);
  });
</script>
</body></html>
"#;

async fn serve() -> Result<String> {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| format!("impossible d'ouvrir un port : {e}"))?;
    let port = listener
        .local_addr()
        .map_err(|e| format!("port inconnu : {e}"))?
        .port();
    let app = Router::new()
        .route("/", get(async || Html(PAGE)))
        .route("/favicon.ico", get(async || ""));
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(format!("http://127.0.0.1:{port}/"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lire_attendre_et_voir_les_elements_de_la_page() -> Result<()> {
    let Some(browser) = launch_or_skip("éléments de la page").await? else {
        return Ok(());
    };
    let url = serve().await?;
    let tab = browser
        .open_with(&url, "onglet", Some(&answer_prompts(&["Alice"])))
        .await?;

    let list = browser.texts(&tab, "#list li").await?;
    ensure!(list == ["un", "deux"], "textes de #list li : {list:?}");
    let none = browser.texts(&tab, ".absent").await?;
    ensure!(none.is_empty(), "textes de .absent : {none:?}");

    let later = browser.wait_text(&tab, "#later", "Alice").await?;
    ensure!(later == "Bonjour Alice", "texte de #later : « {later} »");

    for (css, expected) in [
        ("#shown", true),
        ("#gone", false),
        ("#faded", false),
        ("#empty", false),
        ("#absent", false),
    ] {
        let visible = browser.is_visible(&tab, css).await?;
        ensure!(
            visible == expected,
            "{css} visible : {visible}, attendu {expected}"
        );
    }

    browser.type_into(&tab, "#name", "Zoé").await?;
    browser.click(&tab, "#go").await?;
    browser.wait_hidden(&tab, "#shown").await?;
    browser.wait_visible(&tab, "#gone").await?;
    browser.wait_text(&tab, "#gone", "Salut Zoé").await?;
    let list = browser
        .wait_texts(&tab, "#list li", "la réponse au prompt()", |l| {
            l.len() == 3
        })
        .await?;
    ensure!(
        list == ["un", "deux", "Alice"],
        "textes de #list li : {list:?}"
    );
    let asked = browser.eval(&tab, "return window.__prompts;").await?;
    ensure!(
        asked == serde_json::json!(["Votre pseudo ?"]),
        "questions posées : {asked}"
    );

    browser.check_console().await
}
