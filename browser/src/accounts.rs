//! Les pages à comptes (chapitres 13 à 15) : créer un compte depuis le
//! formulaire de la page, et la page des modérateurs du chapitre 14
//! (`/moderation/`), qui reprend aussi au chapitre 15.
//!
//! Le formulaire : `#login` (champs `#pseudo` et `#password`, bouton
//! `#sign-up`, message de refus `#login-error`), puis le chat `#chat`, où
//! `#me` nomme le compte. La page des modérateurs : `#status`, et le
//! tableau `#users`, une ligne `tr[data-pseudo]` par compte, dont la
//! dernière cellule porte trois boutons : exclure, silence, parole.

use crate::{Browser, Result, Tab};

/// Crée le compte `pseudo` depuis le formulaire de `tab`, et attend le
/// chat, connecté, à son nom.
pub async fn sign_up(browser: &Browser, tab: &Tab, pseudo: &str, password: &str) -> Result<()> {
    browser.wait_visible(tab, "#login").await?;
    browser.fill(tab, "#pseudo", pseudo).await?;
    browser.fill(tab, "#password", password).await?;
    browser.click(tab, "#sign-up").await?;
    browser.wait_visible(tab, "#chat").await?;
    browser.wait_hidden(tab, "#login").await?;
    browser.wait_connected(tab).await?;
    browser.wait_text(tab, "#me", pseudo).await.map(drop)
}

/// Un bouton d'une ligne du tableau des modérateurs.
#[derive(Clone, Copy)]
pub enum Decision {
    Kick = 1,
    Mute = 2,
    Unmute = 3,
}

/// Clique, sur la page des modérateurs `admin`, le bouton `decision` de la
/// ligne de `pseudo`.
pub async fn decide(
    browser: &Browser,
    admin: &Tab,
    pseudo: &str,
    decision: Decision,
) -> Result<()> {
    let nth = decision as usize;
    browser
        .click(
            admin,
            &format!("#users tr[data-pseudo=\"{pseudo}\"] td:last-child button:nth-child({nth})"),
        )
        .await
}

/// Les pseudos du tableau des modérateurs, dans l'ordre.
pub async fn users(browser: &Browser, admin: &Tab) -> Result<Vec<String>> {
    browser.texts(admin, "#users tbody td:first-child").await
}

/// Attend que le tableau des modérateurs nomme exactement `expected`.
pub async fn wait_users(browser: &Browser, admin: &Tab, expected: &[&str]) -> Result<()> {
    browser
        .wait_texts(
            admin,
            "#users tbody td:first-child",
            &format!("le tableau des modérateurs devrait nommer {expected:?}"),
            |list| list == expected,
        )
        .await
        .map(drop)
}
