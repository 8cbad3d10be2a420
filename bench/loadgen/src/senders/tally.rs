//! La comptabilité du scénario (e), sans réseau : ce qu'un client a reçu de
//! chaque émetteur (un [`SeqTracker`] par émetteur, car chacun numérote ses
//! messages à partir de 0), et le bilan de tous les clients. Testée par
//! `cargo test -p loadgen`.

use crate::stats::SeqTracker;

/// Ce qu'un client a reçu de chaque émetteur.
#[derive(Debug, Default)]
pub(super) struct PerSender {
    trackers: Vec<SeqTracker>,
}

/// Ce que dit une réception à [`PerSender::record`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Heard {
    /// Un message pas encore reçu (dans l'ordre ou en retard).
    New,
    /// Un message déjà reçu.
    Duplicate,
    /// Un émetteur inconnu, le client lui-même, ou un numéro absurde : pas
    /// compté.
    Unexpected,
}

impl PerSender {
    pub(super) fn new(senders: usize) -> Self {
        Self {
            trackers: vec![SeqTracker::default(); senders],
        }
    }

    /// Enregistre le message `seq` de l'émetteur `sender`, reçu par le
    /// client `me` (son numéro d'émetteur s'il en est un : le serveur ne
    /// renvoie pas un message à son auteur).
    pub(super) fn record(&mut self, sender: usize, seq: u64, me: Option<usize>) -> Heard {
        if me == Some(sender) {
            return Heard::Unexpected;
        }
        let Some(tracker) = self.trackers.get_mut(sender) else {
            return Heard::Unexpected;
        };
        let before = tracker.unique();
        if !tracker.record(seq) {
            Heard::Unexpected
        } else if tracker.unique() > before {
            Heard::New
        } else {
            Heard::Duplicate
        }
    }

    /// Ajoute ce client au bilan. `sent[s]` : messages envoyés par
    /// l'émetteur `s` ; `disconnected` : le serveur a coupé ce client (ce
    /// qui manque après la coupure, le client le sait : ce n'est pas une
    /// perte silencieuse).
    pub(super) fn add_to(
        &self,
        tally: &mut Tally,
        sent: &[u64],
        me: Option<usize>,
        disconnected: bool,
    ) {
        for (s, t) in self.trackers.iter().enumerate() {
            if me == Some(s) {
                continue;
            }
            let sent = sent.get(s).copied().unwrap_or(0);
            tally.delivered += t.unique();
            tally.duplicates += t.duplicates;
            tally.out_of_order += t.out_of_order;
            if disconnected {
                tally.lost += t.gaps();
                tally.after_disconnect += t.tail(sent);
            } else {
                tally.lost += t.lost(sent);
            }
        }
    }
}

/// Le bilan de tous les clients, chaque émetteur suivi à part.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct Tally {
    /// Livraisons distinctes.
    pub(super) delivered: u64,
    pub(super) duplicates: u64,
    /// Reçus après un message plus récent du même émetteur.
    pub(super) out_of_order: u64,
    /// Jamais reçus, sans que le client ait été coupé : pertes silencieuses.
    pub(super) lost: u64,
    /// Pas reçus par un client après que le serveur l'a coupé.
    pub(super) after_disconnect: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_sender_is_followed_on_its_own() {
        let mut p = PerSender::new(3);
        // Les émetteurs 0 et 2 numérotent chacun à partir de 0 : leurs
        // numéros entremêlés ne sont ni des doublons ni du désordre.
        for (sender, seq) in [(0, 0), (2, 0), (0, 1), (2, 1), (2, 2), (0, 2)] {
            assert_eq!(p.record(sender, seq, Some(1)), Heard::New);
        }
        let mut tally = Tally::default();
        p.add_to(&mut tally, &[3, 0, 3], Some(1), false);
        assert_eq!(
            tally,
            Tally {
                delivered: 6,
                ..Tally::default()
            }
        );
    }

    #[test]
    fn loss_duplicate_and_reorder_are_counted_per_sender() {
        let mut p = PerSender::new(2);
        // Émetteur 0 : 1 arrive après 2 (désordre), 2 deux fois (doublon).
        for seq in [0, 2, 1] {
            assert_eq!(p.record(0, seq, None), Heard::New);
        }
        assert_eq!(p.record(0, 2, None), Heard::Duplicate);
        // Émetteur 1 : 1 manque, et le dernier envoyé (3) aussi.
        for seq in [0, 2] {
            assert_eq!(p.record(1, seq, None), Heard::New);
        }
        let mut tally = Tally::default();
        p.add_to(&mut tally, &[3, 4], None, false);
        assert_eq!(
            tally,
            Tally {
                delivered: 5,
                duplicates: 1,
                out_of_order: 1,
                lost: 2,
                after_disconnect: 0,
            }
        );
    }

    #[test]
    fn own_messages_and_unknown_senders_are_unexpected() {
        let mut p = PerSender::new(2);
        assert_eq!(p.record(1, 0, Some(1)), Heard::Unexpected);
        assert_eq!(p.record(2, 0, Some(1)), Heard::Unexpected);
        assert_eq!(p.record(0, u64::MAX - 1, Some(1)), Heard::Unexpected);
        // Un émetteur ne compte pas ses propres messages comme perdus.
        let mut tally = Tally::default();
        p.add_to(&mut tally, &[0, 5], Some(1), false);
        assert_eq!(tally, Tally::default());
    }

    #[test]
    fn after_a_disconnection_only_the_holes_are_silent_losses() {
        let mut p = PerSender::new(1);
        for seq in [0, 2] {
            p.record(0, seq, None);
        }
        // Coupé après 2 : 1 est un trou (perte silencieuse), 3 et 4 ne sont
        // jamais arrivés, mais le client sait qu'il a été coupé.
        let mut tally = Tally::default();
        p.add_to(&mut tally, &[5], None, true);
        assert_eq!((tally.lost, tally.after_disconnect), (1, 2));
    }

    #[test]
    fn the_tally_adds_up_every_client() {
        let mut a = PerSender::new(2);
        let mut b = PerSender::new(2);
        a.record(1, 0, Some(0));
        b.record(0, 0, Some(1));
        let mut tally = Tally::default();
        a.add_to(&mut tally, &[1, 1], Some(0), false);
        b.add_to(&mut tally, &[1, 1], Some(1), false);
        assert_eq!((tally.delivered, tally.lost), (2, 0));
    }
}
