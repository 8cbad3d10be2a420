//! Les éléments d'une page désignés par un sélecteur CSS : lire leurs
//! textes, savoir s'ils sont visibles, attendre qu'un texte apparaisse ou
//! qu'un élément se montre ou se cache.
//!
//! Tout passe par un seul script par lecture (pas d'élément WebDriver gardé
//! d'une commande à l'autre) : une page qui se redessine pendant l'attente
//! ne donne jamais d'erreur « élément périmé ».

use serde_json::{Value as Json, json};

use super::{Browser, Tab};
use crate::{Error, Result, poll, timeouts};

/// Les textes (`textContent`) de tous les éléments `arguments[0]`.
const TEXTS: &str =
    "return Array.from(document.querySelectorAll(arguments[0]), e => e.textContent);";

/// Pour le premier élément `arguments[0]` : `null` s'il n'y en a pas, sinon
/// sa visibilité et son texte. Visible : affiché (ni `display: none` ni
/// `hidden`, chez lui ou un parent), ni `visibility: hidden` ni
/// `opacity: 0`, et d'une taille non nulle (un `div` vidé de son texte ne se
/// voit plus).
const VISIBILITY: &str = "
    const e = document.querySelector(arguments[0]);
    if (e === null) { return null; }
    const r = e.getBoundingClientRect();
    const shown = e.checkVisibility({ opacityProperty: true, visibilityProperty: true });
    return { visible: shown && r.width > 0 && r.height > 0, text: e.textContent };
";

impl Browser {
    /// Les textes (`textContent`) de tous les éléments `css` de la page,
    /// dans l'ordre du document ; vide s'il n'y en a aucun.
    pub async fn texts(&self, tab: &Tab, css: &str) -> Result<Vec<String>> {
        let list = self.eval_with(tab, TEXTS, vec![json!(css)]).await?;
        Ok(strings(&list))
    }

    /// Attend que les textes des éléments `css` vérifient `ok`, et les
    /// renvoie. `what` décrit l'attente pour le message d'erreur.
    pub async fn wait_texts(
        &self,
        tab: &Tab,
        css: &str,
        what: &str,
        ok: impl Fn(&[String]) -> bool,
    ) -> Result<Vec<String>> {
        self.poll_texts(tab, css, ok).await?.map_err(|list| {
            Error::new(format!(
                "{} : {what} : toujours pas après {} s ; les textes de {css} sont {list:?}",
                tab.name,
                timeouts::wait().as_secs()
            ))
        })
    }

    /// Attend qu'un élément `css` ait un texte qui contient `needle`, et
    /// renvoie ce texte en entier.
    pub async fn wait_text(&self, tab: &Tab, css: &str, needle: &str) -> Result<String> {
        let list = self
            .poll_texts(tab, css, |list| list.iter().any(|t| t.contains(needle)))
            .await?;
        match list {
            Ok(list) => Ok(list
                .into_iter()
                .find(|t| t.contains(needle))
                .unwrap_or_default()),
            Err(list) => {
                let seen = match list.as_slice() {
                    [] => format!("aucun élément {css} dans la page"),
                    [one] => format!("son texte est « {one} »"),
                    _ => format!("les textes de {css} sont {list:?}"),
                };
                Err(Error::new(format!(
                    "{} : le texte de {css} ne contient toujours pas « {needle} » après {} s ; {seen}",
                    tab.name,
                    timeouts::wait().as_secs()
                )))
            }
        }
    }

    /// Vrai si le premier élément `css` existe et se voit (voir
    /// [`Browser::wait_visible`]) ; faux s'il n'y en a pas.
    pub async fn is_visible(&self, tab: &Tab, css: &str) -> Result<bool> {
        let state = self.eval_with(tab, VISIBILITY, vec![json!(css)]).await?;
        Ok(state["visible"] == Json::Bool(true))
    }

    /// Attend que le premier élément `css` se voie : présent, affiché (ni
    /// `display: none` ni l'attribut `hidden`, ni chez lui ni chez un
    /// parent), ni `visibility: hidden` ni `opacity: 0`, et d'une taille non
    /// nulle.
    pub async fn wait_visible(&self, tab: &Tab, css: &str) -> Result<()> {
        self.wait_visibility(tab, css, true).await
    }

    /// Attend que le premier élément `css` ne se voie plus (ou n'existe
    /// pas) : le contraire de [`Browser::wait_visible`].
    pub async fn wait_hidden(&self, tab: &Tab, css: &str) -> Result<()> {
        self.wait_visibility(tab, css, false).await
    }

    async fn wait_visibility(&self, tab: &Tab, css: &str, visible: bool) -> Result<()> {
        let found = poll(timeouts::wait(), || async {
            let state = self.eval_with(tab, VISIBILITY, vec![json!(css)]).await?;
            Ok(if (state["visible"] == Json::Bool(true)) == visible {
                Ok(())
            } else {
                Err(state)
            })
        })
        .await?;
        found.map_err(|state| {
            let secs = timeouts::wait().as_secs();
            let text = state["text"].as_str().unwrap_or_default();
            Error::new(if visible && state.is_null() {
                format!(
                    "{} : aucun élément {css} dans la page après {secs} s",
                    tab.name
                )
            } else if visible {
                format!(
                    "{} : {css} est dans la page mais ne se voit toujours pas après {secs} s \
                     (texte : « {text} »)",
                    tab.name
                )
            } else {
                format!(
                    "{} : {css} se voit toujours après {secs} s (texte : « {text} »)",
                    tab.name
                )
            })
        })
    }

    /// Relit les textes des éléments `css` jusqu'à ce qu'ils vérifient `ok`
    /// (`Ok`), ou jusqu'au délai (`Err` avec les derniers lus).
    pub(super) async fn poll_texts(
        &self,
        tab: &Tab,
        css: &str,
        ok: impl Fn(&[String]) -> bool,
    ) -> Result<Result<Vec<String>, Vec<String>>> {
        poll(timeouts::wait(), || async {
            let list = self.texts(tab, css).await?;
            Ok(if ok(&list) { Ok(list) } else { Err(list) })
        })
        .await
    }
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
