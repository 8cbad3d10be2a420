//! `cargo xtask book [--open]` : construit le livre (`book/`) dans
//! `book/build/`, avec mdBook utilisé comme bibliothèque (rien à installer à
//! la main), et refuse un livre qui ment ou qui casse.
//!
//! Les étapes, dans l'ordre :
//! 1. les « Ce qui a changé » sont générés à partir des fichiers des
//!    chapitres (`book/generated/`, ignoré par git) ;
//! 2. chaque crate de `chapters/` a sa page, chaque page de chapitre a son
//!    crate, et chaque page a ses sections dans l'ordre du cours ; l'annexe
//!    du contrat (`annexe-contrat.md`) a une section par crate, et n'y marque
//!    « à venir » que les chapitres sans crate ; le code de chaque chapitre
//!    tient sur ses diapositives (`slides.rs` : `main.rs` en 45 lignes de
//!    code, 60 à partir du ch09, un module en 120) ;
//! 3. chaque `{{#include …}}` désigne un fichier qui existe et une ancre qui
//!    existe (mdBook, lui, inclurait un texte vide sans rien dire) ; les blocs
//!    Rust inclus depuis un crate portent `ignore` ; la prose suit la
//!    typographie française (espaces insécables) ;
//! 4. mdBook construit le livre : le moindre avertissement est une erreur ;
//! 5. chaque lien interne du HTML produit (page, ancre, image) mène quelque
//!    part ;
//! 6. les petits exemples Rust autonomes du livre sont compilés et exécutés
//!    par rustdoc (l'équivalent de `mdbook test`).

mod contract;
mod diff;
mod gate;
mod links;
mod pages;
mod slides;
mod sources;
mod walk;
mod warnings;

#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use mdbook_driver::MDBook;

const USAGE: &str = "\
Utilisation : cargo xtask book [--open]

Construit le livre dans book/build/ (page d'accueil : book/build/index.html).
  --open   ouvre ensuite le livre dans le navigateur, si possible
";

/// Les dossiers dont le livre est fait. Les tests en fabriquent un petit, dans
/// un dossier temporaire.
#[derive(Debug, Clone)]
pub struct Layout {
    /// Le dossier du livre : `book.toml`, `src/`.
    pub book: PathBuf,
    /// Les crates des chapitres : `chapters/chNN-nom/`.
    pub chapters: PathBuf,
    /// Les fichiers servis au navigateur : `client/chNN-nom/`.
    pub client: PathBuf,
    /// Faire compiler les exemples Rust autonomes par rustdoc.
    pub run_doctests: bool,
    /// Le dépôt dont le README et les messages affichés (crates `support`,
    /// `checks`, `xtask`) suivent aussi la typographie française.
    pub repository: Option<PathBuf>,
}

impl Layout {
    /// Le livre du dépôt.
    pub fn of_repository(root: &Path) -> Self {
        Self {
            book: root.join("book"),
            chapters: root.join("chapters"),
            client: root.join("client"),
            run_doctests: true,
            repository: Some(root.to_path_buf()),
        }
    }

    /// Où vont les morceaux de livre générés (« Ce qui a changé »).
    pub fn generated(&self) -> PathBuf {
        self.book.join("generated")
    }
}

/// Lancé par `cargo xtask book` (le crate `xtask` aiguille ici).
fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("Erreur : {message}");
            ExitCode::FAILURE
        }
    }
}

/// La racine du dépôt (deux dossiers au-dessus de `xtask/book/`).
pub fn repository_root() -> PathBuf {
    // Celui que `cargo run` indique à l'exécution, plutôt que celui de la
    // compilation : un dossier `target/` partagé entre deux copies du dépôt
    // peut lancer le programme compilé depuis l'autre.
    let here = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    here.ancestors().nth(2).map(PathBuf::from).unwrap_or(here)
}

pub fn run(args: &[String]) -> Result<(), String> {
    let mut open = false;
    for arg in args {
        match arg.as_str() {
            "--open" => open = true,
            "-h" | "--help" => {
                print!("{USAGE}");
                return Ok(());
            }
            other => return Err(format!("option inconnue : « {other} ».\n\n{USAGE}")),
        }
    }
    let root = repository_root();
    let index = build(&Layout::of_repository(&root))?;
    let shown = index.strip_prefix(&root).unwrap_or(&index);
    println!("Livre construit : {}", shown.display());
    if open {
        open_in_browser(&index);
    }
    Ok(())
}

/// Construit le livre et renvoie le chemin de sa page d'accueil. Toute
/// faiblesse du livre est une erreur, avec la liste de tout ce qui ne va pas.
pub fn build(layout: &Layout) -> Result<PathBuf, String> {
    let crates = pages::chapter_crates(&layout.chapters)?;
    diff::generate(layout, &crates)?;
    write_rust_version(layout)?;

    let (loaded, warned) =
        warnings::collect(|| MDBook::load(&layout.book).map_err(|e| format!("{e:#}")));
    let book = loaded.map_err(|e| format!("mdBook ne peut pas charger le livre : {e}"))?;
    fail_on(warned, "au chargement")?;

    let mut problems = Vec::new();
    let src = layout.book.join(&book.config.book.src);
    pages::check_pages(&book, &src, &crates, &mut problems);
    contract::check(&book, &crates, &mut problems);
    slides::check(&layout.chapters, &crates, &mut problems);
    gate::check_includes(&book, &src, &mut problems);
    gate::check_rust_blocks(&book, &mut problems);
    gate::check_typography(&book, &mut problems);
    let mut elsewhere = Vec::new();
    if let Some(root) = &layout.repository {
        sources::check(root, &mut elsewhere);
        pages::check_framing(root, &crates, &mut elsewhere);
    }
    match (problems.is_empty(), elsewhere.is_empty()) {
        (true, true) => {}
        (false, true) => return Err(report(&problems)),
        (true, false) => return Err(report_elsewhere(&elsewhere)),
        (false, false) => {
            return Err(format!(
                "{}\n{}",
                report(&problems),
                report_elsewhere(&elsewhere)
            ));
        }
    }

    let build_dir = layout.book.join(&book.config.build.build_dir);
    let (built, warned) = warnings::collect(|| book.build().map_err(|e| format!("{e:#}")));
    built.map_err(|e| format!("mdBook n'a pas pu construire le livre : {e}"))?;
    fail_on(warned, "pendant la construction")?;

    links::check(&build_dir, &mut problems);
    if !problems.is_empty() {
        return Err(report(&problems));
    }

    if layout.run_doctests {
        doctests(layout)?;
    }
    Ok(build_dir.join("index.html"))
}

/// Écrit `generated/rust-version.md` : la version minimale de Rust que
/// demande l'espace de travail (`rust-version` du `Cargo.toml` racine), pour
/// que « Mise en place » ne la recopie pas à la main. Sans `Cargo.toml`
/// racine (les livres d'essai des tests), rien n'est écrit.
fn write_rust_version(layout: &Layout) -> Result<(), String> {
    let Some(manifest) = layout.chapters.parent().map(|root| root.join("Cargo.toml")) else {
        return Ok(());
    };
    let Ok(text) = std::fs::read_to_string(&manifest) else {
        return Ok(());
    };
    let version = text
        .lines()
        .filter_map(|line| line.trim().strip_prefix("rust-version"))
        .filter_map(|rest| rest.trim_start().strip_prefix('='))
        .map(|value| value.trim().trim_matches('"').to_owned())
        .next()
        .ok_or_else(|| format!("{} n'a pas de champ rust-version", manifest.display()))?;
    let path = layout.generated().join("rust-version.md");
    if std::fs::read_to_string(&path).ok().as_deref() != Some(version.as_str()) {
        std::fs::write(&path, &version)
            .map_err(|e| format!("impossible d'écrire {} : {e}", path.display()))?;
    }
    Ok(())
}

/// Compile et exécute les exemples Rust autonomes du livre, comme
/// `mdbook test` (les blocs inclus depuis les crates portent `ignore` : c'est
/// la construction de l'espace de travail qui les compile).
fn doctests(layout: &Layout) -> Result<(), String> {
    let (tested, warned) = warnings::collect(|| {
        let mut book = MDBook::load(&layout.book).map_err(|e| format!("{e:#}"))?;
        book.test(Vec::new()).map_err(|e| format!("{e:#}"))
    });
    tested.map_err(|e| {
        format!(
            "un exemple Rust du livre ne se comporte pas comme annoncé (voir la sortie de rustdoc ci-dessus) : {e}"
        )
    })?;
    fail_on(warned, "pendant le test des exemples")
}

fn fail_on(warned: Vec<String>, when: &str) -> Result<(), String> {
    if warned.is_empty() {
        return Ok(());
    }
    let problems: Vec<String> = warned
        .into_iter()
        .map(|w| format!("mdBook a signalé {when} : {w}"))
        .collect();
    Err(report(&problems))
}

fn report(problems: &[String]) -> String {
    let mut text = match problems.len() {
        1 => "le livre a un problème :".to_owned(),
        n => format!("le livre a {n} problèmes :"),
    };
    for problem in problems {
        text.push_str("\n  - ");
        text.push_str(&problem.replace('\n', "\n    "));
    }
    text
}

fn report_elsewhere(problems: &[String]) -> String {
    let mut text = match problems.len() {
        1 => "hors du livre, un texte affiché a un problème de typographie :".to_owned(),
        n => format!("hors du livre, les textes affichés ont {n} problèmes de typographie :"),
    };
    for problem in problems {
        text.push_str("\n  - ");
        text.push_str(problem);
    }
    text
}

/// Ouvre la page dans le navigateur, au mieux : sur une machine sans écran,
/// on se contente d'afficher le chemin.
fn open_in_browser(index: &Path) {
    let launched = if cfg!(target_os = "windows") {
        std::process::Command::new("cmd")
            .args(["/C", "start", ""])
            .arg(index)
            .spawn()
    } else if cfg!(target_os = "macos") {
        std::process::Command::new("open").arg(index).spawn()
    } else if std::env::var_os("DISPLAY").is_none() && std::env::var_os("WAYLAND_DISPLAY").is_none()
    {
        println!("Pas d'écran détecté : ouvrez vous-même ce fichier dans un navigateur.");
        return;
    } else {
        std::process::Command::new("xdg-open").arg(index).spawn()
    };
    if launched.is_err() {
        println!("Impossible d'ouvrir un navigateur : ouvrez vous-même ce fichier.");
    }
}
