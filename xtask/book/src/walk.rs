//! Les fichiers d'un dossier et de ses sous-dossiers, par extension : les
//! pages HTML produites, les pages Markdown, les sources des chapitres.

use std::fs;
use std::path::{Path, PathBuf};

/// Les fichiers `*.extension` sous `dir`, triés (un dossier illisible ou
/// absent n'en a aucun).
pub fn files(dir: &Path, extension: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    collect(dir, extension, &mut found);
    found.sort();
    found
}

fn collect(dir: &Path, extension: &str, found: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, extension, found);
        } else if path.extension().is_some_and(|e| e == extension) {
            found.push(path);
        }
    }
}
