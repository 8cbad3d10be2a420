//! Les pages à pseudo (chapitre 9 et suivants) : entrer dans le chat sous
//! un pseudo, lire la liste « En ligne », les annonces d'arrivée et de
//! départ, et les messages avec leur auteur.
//!
//! La page : un formulaire `#login` (champ `#pseudo`, message de refus
//! `#login-error`), puis la discussion `#chat` (`#messages`, `#online`) et
//! le formulaire d'envoi `#form`. Dans `#messages`, une annonce est un `li`
//! de classe `notice` ; un message, un `li` qui commence par son auteur
//! (`span.from`), suivi du texte, et, pour un message envoyé, de son état
//! (`span.status`).

use crate::{Browser, Error, Result, Tab, poll, timeouts};

/// Les messages de la liste (pas les annonces) : l'auteur, puis le texte
/// (les nœuds texte du `li`, sans l'auteur ni l'état d'un message envoyé),
/// pour les `li` qui vérifient aussi `arguments[0]` (`''` : tous).
const MESSAGES: &str = "
    const only = arguments[0];
    return Array.from(document.querySelectorAll('#messages li:not(.notice)' + only), (li) => {
      const from = li.querySelector('.from');
      const text = Array.from(li.childNodes)
        .filter((n) => n.nodeType === Node.TEXT_NODE)
        .map((n) => n.textContent)
        .join('');
      return [from ? from.textContent : null, text];
    });
";

/// Un message affiché : son auteur (tel que la page l'écrit), son texte.
pub type Shown = (String, String);

/// Écrit `pseudo` dans le formulaire d'entrée et le valide (sans attendre
/// la réponse du serveur).
pub async fn ask(browser: &Browser, tab: &Tab, pseudo: &str) -> Result<()> {
    browser.fill(tab, "#pseudo", pseudo).await?;
    browser.click(tab, "#login button").await
}

/// Entre dans le chat sous `pseudo` : le formulaire d'entrée disparaît, la
/// discussion et le formulaire d'envoi se montrent, le client est connecté.
pub async fn enter(browser: &Browser, tab: &Tab, pseudo: &str) -> Result<()> {
    ask(browser, tab, pseudo).await?;
    browser.wait_visible(tab, "#chat").await?;
    browser.wait_visible(tab, "#form").await?;
    browser.wait_hidden(tab, "#login").await?;
    browser.wait_connected(tab).await.map(drop)
}

/// Attend que la liste « En ligne » de l'onglet soit exactement `expected`.
pub async fn online(browser: &Browser, tab: &Tab, expected: &[&str]) -> Result<()> {
    browser
        .wait_texts(
            tab,
            "#online li",
            &format!("la liste « En ligne » devrait être {expected:?}"),
            |list| list == expected,
        )
        .await
        .map(drop)
}

/// Attend l'annonce `notice` (« Bob a rejoint le chat »…) dans l'onglet.
pub async fn notice(browser: &Browser, tab: &Tab, notice: &str) -> Result<()> {
    browser
        .wait_texts(
            tab,
            "#messages li.notice",
            &format!("l'annonce « {notice} » n'apparaît pas"),
            |list| list.iter().any(|n| n == notice),
        )
        .await
        .map(drop)
}

/// Attend l'annonce `text` dans chacun des onglets (après un arrêt du
/// serveur, par exemple).
pub async fn notice_in_each(browser: &Browser, tabs: &[Tab], text: &str) -> Result<()> {
    for tab in tabs {
        notice(browser, tab, text).await?;
    }
    Ok(())
}

/// Combien d'annonces de l'onglet contiennent `needle` (une panne doit être
/// annoncée une fois, pas à chaque essai de reconnexion).
pub async fn count_notices(browser: &Browser, tab: &Tab, needle: &str) -> Result<usize> {
    let notices = browser.texts(tab, "#messages li.notice").await?;
    Ok(notices.iter().filter(|n| n.contains(needle)).count())
}

/// Les messages (auteur, texte) affichés par l'onglet, dans l'ordre.
pub async fn messages(browser: &Browser, tab: &Tab) -> Result<Vec<Shown>> {
    messages_matching(browser, tab, "").await
}

/// Comme [`messages`], pour les seuls `li` qui vérifient aussi le
/// sélecteur `only` (`".private"`…).
pub async fn messages_matching(browser: &Browser, tab: &Tab, only: &str) -> Result<Vec<Shown>> {
    let list = browser
        .eval_with(tab, MESSAGES, vec![serde_json::json!(only)])
        .await?;
    let pairs = list.as_array().cloned().unwrap_or_default();
    Ok(pairs
        .iter()
        .map(|pair| {
            let field = |i: usize| pair[i].as_str().unwrap_or("(aucun)").to_owned();
            (field(0), field(1))
        })
        .collect())
}

/// Attend que l'onglet affiche le message `text` signé `from`.
pub async fn wait_message(browser: &Browser, tab: &Tab, from: &str, text: &str) -> Result<()> {
    let found = poll(timeouts::wait(), || async {
        let list = messages(browser, tab).await?;
        Ok(if list.iter().any(|(f, t)| f == from && t == text) {
            Ok(())
        } else {
            Err(list)
        })
    })
    .await?;
    found.map_err(|list| {
        Error::new(format!(
            "{} : le message « {text} » de « {from} » n'apparaît pas après {} s ; \
             messages affichés (auteur, texte) : {list:?}",
            tab.name(),
            timeouts::wait().as_secs()
        ))
    })
}

/// Un message attendu, pour comparer avec [`messages`].
pub fn shown(from: &str, text: &str) -> Shown {
    (from.to_owned(), text.to_owned())
}

/// Note désormais, dans l'onglet, chaque session Engine.IO ouverte par le
/// client de la page (`socket.io.engine.id`, lu à l'ouverture : la
/// bibliothèque l'efface quand la session se ferme) ; [`sessions`] les lit.
pub async fn record_sessions(browser: &Browser, tab: &Tab) -> Result<()> {
    browser
        .eval(
            tab,
            "window.__sessions = [];
             socket.io.on('open', () => { window.__sessions.push(socket.io.engine.id); });
             return true;",
        )
        .await
        .map(drop)
}

/// Les sessions Engine.IO ouvertes depuis [`record_sessions`], dans
/// l'ordre.
pub async fn sessions(browser: &Browser, tab: &Tab) -> Result<Vec<String>> {
    let list = browser.eval(tab, "return window.__sessions || [];").await?;
    Ok(list
        .as_array()
        .map(|ids| {
            ids.iter()
                .filter_map(|id| id.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default())
}

/// Retire de la console l'erreur, inévitable, d'une requête de
/// long-polling de la session refusée `sid`, répondue 400.
///
/// Après un refus (`connect_error`), la bibliothèque cliente ferme sa
/// session Engine.IO : un paquet `close` part dans une requête POST. Une
/// requête GET de long-polling partie juste avant, sur une autre connexion
/// HTTP, peut arriver au serveur après lui : la session n'existe plus, il
/// répond 400 (« Session ID unknown », comme le ferait le serveur Node), et
/// Chromium l'écrit en rouge dans la console. Rien n'est perdu : la session
/// était close. Seules ces requêtes-là (même session, 400) sont retirées.
pub async fn dismiss_refused_session_errors(browser: &Browser, sid: &str) -> Result<Vec<String>> {
    let at_end = format!("sid={sid} ");
    let then_more = format!("sid={sid}&");
    browser
        .dismiss_console_errors(|message| {
            message.contains("transport=polling")
                && (message.contains(&at_end) || message.contains(&then_more))
                && message.contains("status of 400")
        })
        .await
}
