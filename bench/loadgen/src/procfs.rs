//! Ce que `/proc` dit d'un processus : mémoire et temps processeur.

use std::fs;

/// Mémoire d'un processus, en Kio : (résidente, pic de la résidente).
pub fn memory_kib(pid: u32) -> Option<(u64, u64)> {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    Some((field_kib(&status, "VmRSS:")?, field_kib(&status, "VmHWM:")?))
}

fn field_kib(status: &str, name: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with(name))?;
    line[name.len()..].split_whitespace().next()?.parse().ok()
}

/// Temps processeur (utilisateur + système, tous threads) d'un processus,
/// en secondes. `/proc/<pid>/stat` compte en « jiffies » de 1/100 s sous
/// Linux (USER_HZ).
pub fn cpu_seconds(pid: &str) -> Option<f64> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Le nom du programme (champ 2) peut contenir des espaces : on repart
    // de la dernière parenthèse.
    let after = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = after.split_whitespace().collect();
    // Champs 14 et 15 de stat(5) : utime, stime ; ici décalés de 3.
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) as f64 / 100.0)
}

/// Temps processeur occupé de toute la machine (tous cœurs), en secondes,
/// d'après `/proc/stat` : ce qui n'est ni le serveur ni le générateur de
/// charge est le « bruit » des autres processus.
pub fn machine_busy_seconds() -> Option<f64> {
    let stat = fs::read_to_string("/proc/stat").ok()?;
    let line = stat.lines().next()?;
    let v: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .filter_map(|x| x.parse().ok())
        .collect();
    // user nice system idle iowait irq softirq steal …
    let busy = v.first()? + v.get(1)? + v.get(2)? + v.get(5)? + v.get(6)? + v.get(7)?;
    Some(busy as f64 / 100.0)
}

/// Nombre de descripteurs de fichiers que ce processus peut ouvrir.
pub fn open_files_limit() -> Option<u64> {
    let limits = fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line["Max open files".len()..]
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_own_process() {
        let pid = std::process::id();
        let (rss, peak) = memory_kib(pid).unwrap_or_default();
        assert!(rss > 0 && peak >= rss);
        assert!(cpu_seconds("self").is_some());
        assert!(machine_busy_seconds().is_some());
        assert!(open_files_limit().unwrap_or_default() > 0);
    }
}
