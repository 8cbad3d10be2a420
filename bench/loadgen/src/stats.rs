//! La comptabilité pure du générateur de charge : histogramme de latences et
//! suivi des numéros de séquence (pertes, doublons, désordre). Testée par
//! `cargo test -p loadgen`.

use std::collections::BTreeSet;

/// Valeurs mesurées exactement (une case par valeur) en dessous de ce seuil.
const LINEAR: u64 = 256;
/// Cases par puissance de deux au-delà : erreur relative < 1/128 (0,8 %).
const SUB: u64 = 128;

/// Un histogramme de latences en microsecondes, à la manière de HdrHistogram :
/// exact sous 256 µs, puis 128 cases par puissance de deux. Il ne grandit
/// que jusqu'à la plus grande valeur vue.
#[derive(Debug, Clone, Default)]
pub struct Histogram {
    counts: Vec<u64>,
    total: u64,
    min: u64,
    max: u64,
}

fn bucket_of(v: u64) -> usize {
    if v < LINEAR {
        return v as usize;
    }
    let e = 63 - u64::from(v.leading_zeros()); // >= 8
    let shift = e - 7;
    let mantissa = v >> shift; // dans [128, 256)
    (LINEAR + (e - 8) * SUB + (mantissa - SUB)) as usize
}

/// La plus petite valeur de la case `b`.
fn low_of(b: usize) -> u64 {
    let b = b as u64;
    if b < LINEAR {
        return b;
    }
    let e = (b - LINEAR) / SUB + 8;
    let mantissa = (b - LINEAR) % SUB + SUB;
    mantissa << (e - 7)
}

impl Histogram {
    pub fn record(&mut self, v: u64) {
        let b = bucket_of(v);
        if b >= self.counts.len() {
            self.counts.resize(b + 1, 0);
        }
        self.counts[b] += 1;
        self.min = if self.total == 0 { v } else { self.min.min(v) };
        self.total += 1;
        self.max = self.max.max(v);
    }

    pub fn merge(&mut self, other: &Histogram) {
        if other.counts.len() > self.counts.len() {
            self.counts.resize(other.counts.len(), 0);
        }
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
        if other.total > 0 {
            self.min = if self.total == 0 {
                other.min
            } else {
                self.min.min(other.min)
            };
        }
        self.total += other.total;
        self.max = self.max.max(other.max);
    }

    pub fn count(&self) -> u64 {
        self.total
    }

    pub fn max(&self) -> u64 {
        self.max
    }

    /// Le percentile `p` (0 < p <= 100) : la plus petite valeur v telle qu'au
    /// moins p % des mesures sont <= v (à la largeur de case près, jamais
    /// au-delà du maximum vu). `None` sans mesure.
    pub fn percentile(&self, p: f64) -> Option<u64> {
        if self.total == 0 {
            return None;
        }
        let rank = ((p / 100.0) * self.total as f64).ceil().max(1.0) as u64;
        let mut seen = 0;
        for (b, &c) in self.counts.iter().enumerate() {
            seen += c;
            if seen >= rank {
                // Le milieu de la case, borné par les extrêmes observés.
                let low = low_of(b);
                let high = low_of(b + 1).saturating_sub(1).max(low);
                return Some((low + (high - low) / 2).clamp(self.min, self.max));
            }
        }
        Some(self.max)
    }
}

/// Ce qu'un récepteur a vu des messages d'un émetteur, numérotés 0, 1, 2…
#[derive(Debug, Clone, Default)]
pub struct SeqTracker {
    /// Le prochain numéro attendu dans l'ordre.
    next: u64,
    /// Numéros sautés, pas (encore) reçus.
    missing: BTreeSet<u64>,
    /// Réceptions, doublons compris.
    pub received: u64,
    /// Numéro déjà reçu, reçu à nouveau.
    pub duplicates: u64,
    /// Reçu après un numéro plus grand (arrivé en retard, mais arrivé).
    pub out_of_order: u64,
}

/// Plus grand saut accepté d'un coup ; au-delà, le numéro est absurde.
const MAX_GAP: u64 = 10_000_000;

impl SeqTracker {
    /// Enregistre la réception du numéro `seq`. Renvoie `false` si le numéro
    /// est absurde (saut de plus de 10 millions) : il n'est pas compté.
    pub fn record(&mut self, seq: u64) -> bool {
        if seq >= self.next {
            if seq - self.next > MAX_GAP {
                return false;
            }
            self.missing.extend(self.next..seq);
            self.next = seq + 1;
        } else if self.missing.remove(&seq) {
            self.out_of_order += 1;
        } else {
            self.duplicates += 1;
        }
        self.received += 1;
        true
    }

    /// Messages distincts reçus.
    pub fn unique(&self) -> u64 {
        self.received - self.duplicates
    }

    /// Messages jamais reçus parmi les `sent` premiers.
    pub fn lost(&self, sent: u64) -> u64 {
        self.missing.range(..sent).count() as u64 + sent.saturating_sub(self.next)
    }

    /// Messages sautés avant le dernier reçu : les trous *au milieu* de la
    /// conversation (ce qui compte pour un client déconnecté en route).
    pub fn gaps(&self) -> u64 {
        self.missing.len() as u64
    }

    /// Messages après le dernier reçu, parmi les `sent` premiers.
    pub fn tail(&self, sent: u64) -> u64 {
        sent.saturating_sub(self.next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_contiguous_and_precise() {
        let mut last = 0;
        for v in 0..200_000u64 {
            let b = bucket_of(v);
            assert!(b == last || b == last + 1, "case {b} après {last} pour {v}");
            assert!(low_of(b) <= v, "{v}");
            assert!(v < low_of(b + 1), "{v}");
            last = b;
        }
        for v in [1u64 << 20, 123_456_789, u64::MAX / 3] {
            let b = bucket_of(v);
            let err = (v - low_of(b)) as f64 / v as f64;
            assert!(err < 1.0 / 128.0, "{v}: {err}");
        }
    }

    #[test]
    fn percentiles_of_uniform_values() {
        let mut h = Histogram::default();
        for v in 1..=100 {
            h.record(v);
        }
        assert_eq!(h.percentile(50.0), Some(50));
        assert_eq!(h.percentile(90.0), Some(90));
        assert_eq!(h.percentile(99.0), Some(99));
        assert_eq!(h.percentile(100.0), Some(100));
        assert_eq!(h.max(), 100);
        assert_eq!(h.count(), 100);
    }

    #[test]
    fn percentiles_are_within_one_percent_for_large_values() {
        let mut h = Histogram::default();
        for v in 0..10_000u64 {
            h.record(1_000 + v * 100); // 1 ms .. 1 s
        }
        let p99 = h.percentile(99.0).unwrap_or_default() as f64;
        let exact = (1_000 + 9_899 * 100) as f64;
        assert!((p99 - exact).abs() / exact < 0.01, "{p99} vs {exact}");
        assert_eq!(h.percentile(100.0), Some(1_000 + 9_999 * 100));
    }

    #[test]
    fn percentile_of_nothing_and_of_one() {
        let mut h = Histogram::default();
        assert_eq!(h.percentile(50.0), None);
        h.record(70_000);
        assert_eq!(h.percentile(50.0), Some(70_000));
        assert_eq!(h.percentile(99.0), Some(70_000));
    }

    #[test]
    fn merge_adds_counts() {
        let mut a = Histogram::default();
        let mut b = Histogram::default();
        a.record(10);
        b.record(5_000_000);
        b.record(20);
        a.merge(&b);
        assert_eq!(a.count(), 3);
        assert_eq!(a.max(), 5_000_000);
        assert_eq!(a.percentile(50.0), Some(20));
    }

    #[test]
    fn in_order_stream_is_clean() {
        let mut t = SeqTracker::default();
        for s in 0..1000 {
            assert!(t.record(s));
        }
        assert_eq!(t.unique(), 1000);
        assert_eq!((t.lost(1000), t.duplicates, t.out_of_order), (0, 0, 0));
    }

    #[test]
    fn loss_duplicate_and_reorder_are_told_apart() {
        let mut t = SeqTracker::default();
        for s in [0, 1, 3, 4, 2, 4, 6] {
            t.record(s);
        }
        // 2 arrivé après 3 et 4 : en désordre, pas perdu ; 4 en double ;
        // 5 jamais reçu ; 7 (le dernier envoyé) non plus.
        assert_eq!(t.out_of_order, 1);
        assert_eq!(t.duplicates, 1);
        assert_eq!(t.lost(8), 2);
        assert_eq!(t.gaps(), 1);
        assert_eq!(t.tail(8), 1);
        assert_eq!(t.unique(), 6);
    }

    #[test]
    fn nothing_received_means_all_lost() {
        let t = SeqTracker::default();
        assert_eq!(t.lost(42), 42);
    }

    #[test]
    fn absurd_sequence_numbers_are_rejected() {
        let mut t = SeqTracker::default();
        assert!(!t.record(u64::MAX - 1));
        assert_eq!(t.received, 0);
    }
}
