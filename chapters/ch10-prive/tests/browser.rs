//! « Pour tester » du chapitre 10, dans Chromium : trois onglets, Alice,
//! Bob et Chloé. Alice choisit « À Bob (en privé) » et envoie : Bob voit le
//! message à part (en privé), Chloé ne le voit pas, Alice le voit « remis à
//! Bob ». Pendant qu'Alice tape, Bob et Chloé lisent « Alice est en train
//! d'écrire… », qui s'efface quand elle envoie, quand elle s'arrête, et au
//! plus tard 3 s après la dernière nouvelle.
//!
//! Le serveur arrêté d'un Ctrl+C, chaque onglet dit « Connexion perdue,
//! nouvel essai… » ; relancé sur le même port, chaque onglet se reconnecte
//! de lui-même, avec son pseudo, dit « Connexion rétablie », et un message
//! privé passe de nouveau.

use std::time::{Duration, Instant};

use browser::checks::send;
use browser::pseudos::{
    enter, messages, messages_matching, notice, notice_in_each, online, shown, wait_message,
};
use browser::{Browser, Result, Server, Tab, ensure, settle};

const PROGRAM: &str = env!("CARGO_BIN_EXE_ch10-prive");

/// Ouvre un onglet par pseudo et y entre ; attend que chacun voie les trois.
async fn three(browser: &Browser, url: &str) -> Result<[Tab; 3]> {
    let mut tabs = Vec::new();
    for pseudo in ["Alice", "Bob", "Chloé"] {
        let tab = browser.open(url, &format!("onglet {pseudo}")).await?;
        enter(browser, &tab, pseudo).await?;
        tabs.push(tab);
    }
    for tab in &tabs {
        online(browser, tab, &["Alice", "Bob", "Chloé"]).await?;
    }
    let [a, b, c] =
        <[Tab; 3]>::try_from(tabs).map_err(|_| browser::Error::new("trois onglets attendus"))?;
    Ok([a, b, c])
}

/// Choisit le destinataire `pseudo` dans la liste « À qui » (`""` : à
/// tous), comme à la souris.
async fn choose(browser: &Browser, tab: &Tab, pseudo: &str) -> Result<()> {
    browser
        .click(tab, &format!("#to option[value=\"{pseudo}\"]"))
        .await?;
    let chosen = browser
        .eval(tab, "return document.getElementById('to').value;")
        .await?;
    ensure!(
        chosen.as_str() == Some(pseudo),
        "{} : le destinataire choisi est {chosen}, pas « {pseudo} »",
        tab.name()
    );
    Ok(())
}

#[tokio::test]
async fn un_message_prive_n_arrive_qu_a_son_destinataire() -> Result<()> {
    browser::run_chapter("ch10-prive", PROGRAM, async |browser, server| {
        let [a, b, c] = three(browser, &server.url()).await?;

        // On ne s'écrit pas à soi-même : Alice n'est pas dans sa liste.
        let options = browser.texts(&a, "#to option").await?;
        ensure!(
            options == ["À tous", "À Bob (en privé)", "À Chloé (en privé)"],
            "{} : les destinataires proposés sont {options:?}",
            a.name()
        );

        let secret = "Psst, Bob : rendez-vous à midi";
        let mark = server.mark();
        choose(browser, &a, "Bob").await?;
        send(browser, &a, secret).await?;
        wait_message(browser, &b, "Alice (en privé)", secret).await?;
        // Le terminal le dit (la formulation n'est pas fixée par le contrat).
        server
            .wait_line(
                mark,
                "une ligne sur le message privé d'Alice à Bob",
                |l| l.to_lowercase().contains("privé") && l.contains("Alice") && l.contains("Bob"),
            )
            .await?;
        let private = messages_matching(browser, &b, ".private").await?;
        ensure!(
            private == [shown("Alice (en privé)", secret)],
            "{} : le message privé doit être à part (classe private) ; messages privés : \
             {private:?}",
            b.name()
        );
        let status = browser
            .wait_text(&a, "#messages li.mine.private.delivered .status", "remis")
            .await?;
        ensure!(
            status == "remis à Bob",
            "{} : l'état du message privé est « {status} »",
            a.name()
        );
        let own = messages(browser, &a).await?;
        ensure!(
            own == [shown("Alice → Bob (en privé)", secret)],
            "{} : l'émetteur affiche {own:?}",
            a.name()
        );

        // Chloé ne reçoit rien pendant un moment, puis reçoit le message
        // suivant d'Alice, à tous : le privé, parti avant, serait déjà là.
        settle(Duration::from_secs(1)).await;
        ensure!(
            messages(browser, &c).await?.is_empty(),
            "{} a reçu un message privé qui ne lui était pas destiné : {:?}",
            c.name(),
            messages(browser, &c).await?
        );
        let public = "Et ceci est pour tout le monde";
        choose(browser, &a, "").await?;
        send(browser, &a, public).await?;
        wait_message(browser, &c, "Alice", public).await?;
        wait_message(browser, &b, "Alice", public).await?;
        let seen = messages(browser, &c).await?;
        ensure!(
            seen == [shown("Alice", public)],
            "{} ne devait voir que le message à tous ; elle affiche {seen:?}",
            c.name()
        );
        let seen = messages(browser, &b).await?;
        ensure!(
            seen == [shown("Alice (en privé)", secret), shown("Alice", public)],
            "{} affiche {seen:?}",
            b.name()
        );

        // Bob répond en privé : Alice le voit, Chloé toujours pas.
        let answer = "Entendu, à midi";
        choose(browser, &b, "Alice").await?;
        send(browser, &b, answer).await?;
        wait_message(browser, &a, "Bob (en privé)", answer).await?;
        send(browser, &c, "Il se passe quelque chose ?").await?;
        wait_message(browser, &a, "Chloé", "Il se passe quelque chose ?").await?;
        wait_message(browser, &b, "Chloé", "Il se passe quelque chose ?").await?;
        settle(Duration::from_millis(300)).await;
        let private = messages_matching(browser, &c, ".private").await?;
        ensure!(
            private.iter().all(|(from, _)| from.starts_with("Chloé")),
            "{} a reçu un message privé des autres : {private:?}",
            c.name()
        );
        Ok(())
    })
    .await
}

/// Les textes de la ligne « … est en train d'écrire » de l'onglet.
async fn typing_line(browser: &Browser, tab: &Tab) -> Result<String> {
    Ok(browser
        .texts(tab, "#typing")
        .await?
        .into_iter()
        .next()
        .unwrap_or_default())
}

/// Attend que la ligne « en train d'écrire » de l'onglet soit `expected`
/// (`""` : vide) ; renvoie le temps d'attente.
async fn wait_typing(browser: &Browser, tab: &Tab, expected: &str) -> Result<Duration> {
    let start = Instant::now();
    browser
        .wait_texts(
            tab,
            "#typing",
            &if expected.is_empty() {
                "la ligne « en train d'écrire » devrait s'effacer".to_owned()
            } else {
                format!("on attend « {expected} »")
            },
            |list| list.len() == 1 && list[0] == expected,
        )
        .await?;
    Ok(start.elapsed())
}

const ALICE_TYPES: &str = "Alice est en train d'écrire…";

#[tokio::test]
async fn pendant_qu_alice_tape_les_autres_le_voient() -> Result<()> {
    browser::run_chapter("ch10-prive (en train d'écrire)", PROGRAM, async |browser, server| {
        let [a, b, c] = three(browser, &server.url()).await?;

        // Alice tape sans envoyer : les deux autres le voient, pas elle.
        browser.type_into(&a, "#input", "Je réfléchis").await?;
        wait_typing(browser, &b, ALICE_TYPES).await?;
        wait_typing(browser, &c, ALICE_TYPES).await?;
        let own = typing_line(browser, &a).await?;
        ensure!(
            own.is_empty(),
            "{} voit sa propre frappe : « {own} »",
            a.name()
        );

        // Elle envoie : la ligne s'efface aussitôt, sans attendre le délai.
        browser.press_enter(&a, "#input").await?;
        let waited = wait_typing(browser, &b, "").await?;
        ensure!(
            waited < Duration::from_millis(1_500),
            "{} : « en train d'écrire » s'est effacé {waited:?} après l'envoi : il devait \
             s'effacer à l'envoi, pas au bout du délai",
            b.name()
        );
        wait_message(browser, &b, "Alice", "Je réfléchis").await?;

        // Deux personnes tapent en même temps.
        browser.type_into(&a, "#input", "Hmm").await?;
        browser.type_into(&c, "#input", "Alors").await?;
        browser
            .wait_texts(
                &b,
                "#typing",
                "on attend « Alice et Chloé sont en train d'écrire… »",
                |list| {
                    list.len() == 1
                        && ["Alice et Chloé", "Chloé et Alice"]
                            .iter()
                            .any(|both| list[0] == format!("{both} sont en train d'écrire…"))
                },
            )
            .await?;

        // Elles s'arrêtent sans envoyer : la ligne s'efface toute seule
        // (la page d'Alice dit « fini » 2 s après la dernière frappe).
        let waited = wait_typing(browser, &b, "").await?;
        ensure!(
            waited < Duration::from_secs(4),
            "{} : « en train d'écrire » s'est effacé {waited:?} après la dernière frappe",
            b.name()
        );

        // Un « fini » perdu (l'envoi est volatile) : Bob efface la ligne de
        // lui-même, 3 s après la dernière nouvelle.
        let start = Instant::now();
        browser
            .eval(&a, "socket.emit('typing', true); return true;")
            .await?;
        wait_typing(browser, &b, ALICE_TYPES).await?;
        wait_typing(browser, &b, "").await?;
        let waited = start.elapsed();
        ensure!(
            waited >= Duration::from_millis(2_500) && waited < Duration::from_secs(5),
            "{} : sans « fini », la ligne devait s'effacer au bout de 3 s, elle a duré {waited:?}",
            b.name()
        );
        Ok(())
    })
    .await
}

#[tokio::test]
async fn un_serveur_arrete_puis_relance_se_voit_dans_chaque_onglet() -> Result<()> {
    let test = "ch10-prive (arrêt et relance)";
    let Some(browser) = browser::launch_or_skip(test).await? else {
        return Ok(());
    };
    let server = Server::start(PROGRAM).await.map_err(|e| e.context(test))?;
    let port = server.port();
    let tabs = three(&browser, &server.url())
        .await
        .map_err(|e| server.explain(0, &format!("{test} : {e}")))?;

    // Ctrl+C : chaque page le dit, au lieu de rester comme si de rien n'était.
    server.stop().await.map_err(|e| e.context(test))?;
    notice_in_each(&browser, &tabs, "Connexion perdue, nouvel essai…")
        .await
        .map_err(|e| e.context(test))?;

    // Relancé à la même adresse : chaque page revient seule, avec son pseudo.
    let again = Server::start_on_port(PROGRAM, port, &[])
        .await
        .map_err(|e| e.context(test))?;
    back(&browser, &tabs)
        .await
        .map_err(|e| again.explain(0, &format!("{test} : {e}")))?;

    // La console : seulement les erreurs réseau de l'arrêt.
    browser
        .check_console_after_outage()
        .await
        .map_err(|e| again.explain(0, &format!("{test} : {e}")))
}

/// Après la relance : chaque onglet est reconnecté, le dit, voit de nouveau
/// les trois en ligne, et un message privé d'Alice n'arrive qu'à Bob.
async fn back(browser: &Browser, tabs: &[Tab; 3]) -> Result<()> {
    for tab in tabs {
        browser.wait_connected(tab).await?;
        notice(browser, tab, "Connexion rétablie").await?;
    }
    for tab in tabs {
        online(browser, tab, &["Alice", "Bob", "Chloé"]).await?;
    }
    let [a, b, c] = tabs;
    let secret = "Bob, tu es revenu ?";
    choose(browser, a, "Bob").await?;
    send(browser, a, secret).await?;
    wait_message(browser, b, "Alice (en privé)", secret).await?;
    browser
        .wait_text(a, "#messages li.mine.private.delivered .status", "remis")
        .await?;
    settle(Duration::from_millis(300)).await;
    let seen = messages(browser, c).await?;
    ensure!(
        seen.is_empty(),
        "{} a reçu un message privé qui ne lui était pas destiné : {seen:?}",
        c.name()
    );
    Ok(())
}

/// Bob choisi, puis parti (onglet fermé, ou rechargé) : la liste garde Bob,
/// marqué « absent », au lieu de revenir sans rien dire à « À tous ». Le
/// message suivant d'Alice, écrit pour Bob seul, est refusé (son texte
/// revient dans le champ), et Chloé ne le voit jamais ; Bob revenu, il est de nouveau proposé, et choisi.
#[tokio::test]
async fn le_destinataire_choisi_reste_choisi_quand_il_part() -> Result<()> {
    browser::run_chapter("ch10-prive", PROGRAM, async |browser, server| {
        let [a, b, c] = three(browser, &server.url()).await?;
        choose(browser, &a, "Bob").await?;
        browser.close(&b).await?;
        online(browser, &a, &["Alice", "Chloé"]).await?;
        let selected = "const to = document.getElementById('to'); \
                        return [to.value, to.selectedOptions[0].textContent];";
        let shown = browser.eval(&a, selected).await?;
        ensure!(
            shown == serde_json::json!(["Bob", "À Bob (en privé, absent)"]),
            "{} : Bob parti, le destinataire choisi devrait rester « À Bob (en privé, \
             absent) » ; la liste montre {shown}",
            a.name()
        );
        let secret = "Pour Bob seul";
        send(browser, &a, secret).await?;
        let status = browser
            .wait_text(&a, "#messages li.mine.private.failed .status", "échec")
            .await?;
        ensure!(
            status.contains("Personne ne s'appelle"),
            "{} : le message privé à Bob absent devrait être refusé ; son état est « {status} »",
            a.name()
        );
        // Refusé, il n'est pas parti : son texte revient dans le champ.
        let field = browser
            .eval(&a, "return document.getElementById('input').value;")
            .await?;
        ensure!(
            field.as_str() == Some(secret),
            "{} : le message refusé devrait revenir dans le champ, qui contient {field}",
            a.name()
        );
        browser.fill(&a, "#input", "").await?;
        settle(Duration::from_millis(500)).await;
        let seen = messages(browser, &c).await?;
        ensure!(
            seen.iter().all(|(_, text)| text != secret),
            "{} a reçu le message écrit pour Bob seul : {seen:?}",
            c.name()
        );

        let b = browser.open(&server.url(), "onglet Bob, de retour").await?;
        enter(browser, &b, "Bob").await?;
        online(browser, &a, &["Alice", "Bob", "Chloé"]).await?;
        let shown = browser.eval(&a, selected).await?;
        ensure!(
            shown == serde_json::json!(["Bob", "À Bob (en privé)"]),
            "{} : Bob revenu, il devrait être choisi, sans « absent » ; la liste montre {shown}",
            a.name()
        );
        Ok(())
    })
    .await
}
