//! Le journal, pour l'exploitation.
//!
//! Chaque évènement du chat est un évènement `tracing` : sa phrase, celle
//! que les chapitres précédents écrivaient avec `println!`, et ses champs à
//! part (le compte, le numéro du message, l'erreur…). Deux sorties :
//! - la phrase seule sur la sortie standard, comme depuis le chapitre 2 :
//!   c'est ce que lisent l'étudiant, les vérifications et vos scripts ;
//! - avec `LOG_FORMAT=json`, en plus, une ligne JSON par évènement sur la
//!   sortie d'erreur : l'heure, le niveau, le module, la phrase et chaque
//!   champ, qu'un outil de journaux (journald, Loki…) sait filtrer sans
//!   relire les phrases (« les messages refusés d'Alice hier »). Le niveau
//!   se règle par `LOG_LEVEL` (`error`, `warn`, `info` par défaut, `debug`).
//!
//! Ce qui n'y entre jamais : un mot de passe, un identifiant de session.
//! Un champ s'écrit tel quel, on n'y met donc que ce qu'on afficherait.

// ANCHOR: all
use std::io::Write as _;
use std::str::FromStr;

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;

/// Ce crate : ses évènements, et pas ceux des bibliothèques (sqlx,
/// socketioxide…), font les lignes de la sortie standard.
const OURS: &str = env!("CARGO_CRATE_NAME");

/// Installe le journal ; une erreur de réglage est une phrase en français.
pub fn init() -> Result<(), String> {
    // Lu même sans JSON : une faute de frappe se dit tout de suite.
    let level = level()?;
    let json = match std::env::var("LOG_FORMAT").as_deref() {
        Err(_) | Ok("") => None,
        Ok("json") => {
            // Des bibliothèques, seulement les avertissements et erreurs.
            let levels = Targets::new()
                .with_default(LevelFilter::WARN)
                .with_target(OURS, level);
            let layer = tracing_subscriber::fmt::layer()
                .json()
                .flatten_event(true)
                .with_current_span(false)
                .with_span_list(false)
                .with_writer(std::io::stderr)
                .with_filter(levels);
            Some(layer)
        }
        Ok(other) => {
            return Err(format!(
                "LOG_FORMAT={other} n'est pas un format connu\u{a0}: «\u{a0}json\u{a0}», ou rien (les seules lignes en français)."
            ));
        }
    };
    let lines = Lines.with_filter(Targets::new().with_target(OURS, Level::INFO));
    tracing_subscriber::registry()
        .with(lines)
        .with(json)
        .try_init()
        .map_err(|e| format!("journal impossible à installer ({e})."))
}

/// `LOG_LEVEL`, `info` s'il est absent.
fn level() -> Result<LevelFilter, String> {
    match std::env::var("LOG_LEVEL") {
        Err(_) => Ok(LevelFilter::INFO),
        Ok(text) => LevelFilter::from_str(&text).map_err(|_| {
            format!(
                "LOG_LEVEL={text} n'est pas un niveau\u{a0}: error, warn, info, debug ou trace."
            )
        }),
    }
}

/// La sortie des chapitres précédents : la phrase de l'évènement, seule,
/// une ligne à la fois (la sortie standard est vidée à chaque fin de ligne).
struct Lines;

impl<S: Subscriber> Layer<S> for Lines {
    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        let mut phrase = Phrase(String::new());
        event.record(&mut phrase);
        // Une sortie fermée (le terminal parti) ne doit pas arrêter le chat.
        let _ = writeln!(std::io::stdout().lock(), "{}", phrase.0);
    }
}

/// Garde le champ `message` d'un évènement (sa phrase), pas les autres.
struct Phrase(String);

impl Visit for Phrase {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.0 = format!("{value:?}");
        }
    }
}
// ANCHOR_END: all
