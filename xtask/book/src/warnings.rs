//! Relever les avertissements de mdBook.
//!
//! mdBook écrit ses avertissements et ses erreurs avec `tracing` : un fichier
//! inclus introuvable, une balise HTML mal fermée… puis il continue. Ici on
//! les recueille, pour que `cargo xtask book` échoue au lieu de publier un
//! livre troué.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use tracing::field::{Field, Visit};
use tracing::level_filters::LevelFilter;
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Metadata, Subscriber};

/// Exécute `work` et renvoie son résultat avec les avertissements et erreurs
/// que mdBook a émis pendant ce temps (sur ce fil d'exécution).
pub fn collect<T>(work: impl FnOnce() -> T) -> (T, Vec<String>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let collector = Collector { seen: seen.clone() };
    let result = tracing::subscriber::with_default(collector, work);
    let seen = std::mem::take(&mut *seen.lock().unwrap_or_else(PoisonError::into_inner));
    (result, seen)
}

struct Collector {
    seen: Arc<Mutex<Vec<String>>>,
}

impl Subscriber for Collector {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        // Dans `tracing`, ERROR < WARN < INFO : on ne garde que les deux premiers.
        metadata.is_event() && *metadata.level() <= Level::WARN
    }

    fn max_level_hint(&self) -> Option<LevelFilter> {
        Some(LevelFilter::WARN)
    }

    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }

    fn record(&self, _: &Id, _: &Record<'_>) {}

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let mut message = Message::default();
        event.record(&mut message);
        let level = if *event.metadata().level() == Level::ERROR {
            "erreur"
        } else {
            "avertissement"
        };
        self.seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(format!("[{level}] {}", message.0.trim()));
    }

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}

/// Le texte d'un évènement : son champ `message`, puis les autres champs.
#[derive(Default)]
struct Message(String);

impl Visit for Message {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if field.name() == "message" {
            self.0.insert_str(0, &format!("{value:?}"));
        } else {
            self.0.push_str(&format!(" ({} = {value:?})", field.name()));
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.0.insert_str(0, value);
        } else {
            self.0.push_str(&format!(" ({} = {value})", field.name()));
        }
    }
}
