//! Une variante cassée produite depuis son chapitre : les fichiers du
//! chapitre tels qu'ils sont aujourd'hui, et les seuls changements qui font
//! l'erreur de la variante (`variants.rs`).
//!
//! Un changement remplace un texte du chapitre par celui de la variante. Le
//! texte est cherché sans tenir compte des espaces, des retours à la ligne
//! ni des lignes de commentaire (rustfmt peut couper une ligne autrement, un
//! commentaire du chapitre peut changer) ; il doit s'y trouver une fois, et
//! une seule. Sinon, la variante n'est pas produite, et l'erreur dit
//! laquelle, dans quel fichier, et quel texte manque.
//!
//! Les fichiers écrits : le `main.rs` du chapitre (que la variante inclut par
//! `include!`), chaque fichier changé, et les modules qui mènent à un fichier
//! changé. Chaque déclaration `mod x;` d'un fichier écrit reçoit un
//! `#[path]` absolu : vers la copie changée, ou vers le fichier du chapitre,
//! lu là où il est. Les modules de tests (`#[cfg(test)]`) des fichiers
//! écrits sont retirés : ils testent le chapitre, pas son erreur.
//!
//! Ce fichier sert à `build.rs` et à `tests/drift.rs`, qui l'incluent par
//! `#[path]` ; il ne dépend que de la bibliothèque standard.

// Lire les déclarations `mod x;` : le petit module que d'autres générateurs
// peuvent inclure à leur tour (sans dépendance, par `#[path]`).
#[path = "modules.rs"]
mod modules;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use modules::normalize;
use modules::{module_name, path_attribute};

/// Une variante cassée : son nom (celui de son binaire, `src/bin/<nom>.rs`),
/// son chapitre (un dossier de `chapters/`) et ses changements.
#[derive(Debug)]
pub struct Variant {
    pub name: &'static str,
    pub chapter: &'static str,
    pub changes: &'static [Change],
}

/// Un changement : dans `file` (relatif au dossier du chapitre, comme
/// `src/main.rs` ; `../ch13-comptes/src/session.rs` pour un fichier qu'il
/// reprend d'un autre chapitre), le texte `from` du chapitre devient `to`.
#[derive(Debug)]
pub struct Change {
    pub file: &'static str,
    pub from: &'static str,
    pub to: &'static str,
}

/// Un fichier produit : son chemin absolu, sous le dossier de la variante,
/// et son contenu.
pub type Files = BTreeMap<PathBuf, String>;

/// Produit `variant` depuis les chapitres de `root` (la racine du dépôt),
/// pour le dossier `out` : `out/main.rs`, et chaque autre fichier écrit sous
/// `out/<chemin sous chapters/>`.
pub fn derive(root: &Path, variant: &Variant, out: &Path) -> Result<Files, String> {
    let chapters = root.join("chapters");
    let src = chapters.join(variant.chapter).join("src");
    let main = src.join("main.rs");
    if !main.is_file() {
        return Err(format!(
            "variante {}\u{a0}: le chapitre chapters/{}/src/main.rs n'existe pas.",
            variant.name, variant.chapter
        ));
    }
    let mut changed: BTreeMap<PathBuf, String> = BTreeMap::new();
    for change in variant.changes {
        let file = normalize(&chapters.join(variant.chapter).join(change.file));
        let text = match changed.remove(&file) {
            Some(text) => text,
            None => {
                read(root, &file).map_err(|e| format!("variante {}\u{a0}: {e}", variant.name))?
            }
        };
        let text = replace_once(&text, change.from, change.to)
            .map_err(|miss| miss.explain(variant, &shown(root, &file), change.from))?;
        changed.insert(file, text);
    }
    let mut walk = Walk {
        root,
        chapters: &chapters,
        variant,
        out,
        changed: &changed,
        files: Files::new(),
        reached: Vec::new(),
    };
    walk.visit(&main, &src, true)?;
    for file in changed.keys() {
        if !walk.reached.contains(file) {
            return Err(format!(
                "variante {}\u{a0}: {} n'est plus un module de chapters/{}\u{a0}: le changement \
                 qui y fait l'erreur ne sert plus (checks/broken/build/variants.rs).",
                variant.name,
                shown(root, file),
                variant.chapter
            ));
        }
    }
    Ok(walk.files)
}

/// Pourquoi un changement ne s'applique pas.
#[derive(Debug, PartialEq, Eq)]
pub enum Miss {
    /// Le texte à remplacer n'est pas dans le fichier.
    Absent,
    /// Il y est plusieurs fois : lequel changer ?
    Repeated(usize),
    /// Le texte à remplacer n'a que des espaces ou des commentaires.
    Empty,
}

impl Miss {
    /// La phrase d'erreur : la variante, le fichier, le texte.
    pub fn explain(&self, variant: &Variant, file: &str, from: &str) -> String {
        let what = match self {
            Miss::Absent => "ne contient plus".to_owned(),
            Miss::Repeated(n) => format!("contient {n} fois (il en faut un seul)"),
            Miss::Empty => "ne peut pas chercher un texte vide\u{a0}:".to_owned(),
        };
        format!(
            "variante {}\u{a0}: {file} {what} «\u{a0}{}\u{a0}». Le chapitre a changé\u{a0}: \
             reportez le changement dans checks/broken/build/variants.rs (le texte du chapitre \
             tel qu'il est maintenant, et ce que la variante en fait).",
            variant.name,
            from.trim()
        )
    }
}

/// `text`, où l'unique passage qui s'écrit comme `from` (sans compter les
/// espaces ni les lignes de commentaire) devient `to`.
pub fn replace_once(text: &str, from: &str, to: &str) -> Result<String, Miss> {
    let haystack = code_chars(text);
    let needle: Vec<char> = code_chars(from).into_iter().map(|(_, c)| c).collect();
    if needle.is_empty() {
        return Err(Miss::Empty);
    }
    let found: Vec<usize> = (0..haystack.len().saturating_sub(needle.len() - 1))
        .filter(|&i| {
            haystack[i..i + needle.len()]
                .iter()
                .map(|(_, c)| *c)
                .eq(needle.iter().copied())
        })
        .collect();
    let start = match found.as_slice() {
        [] => return Err(Miss::Absent),
        [one] => *one,
        many => return Err(Miss::Repeated(many.len())),
    };
    let (first, _) = haystack[start];
    let (last, c) = haystack[start + needle.len() - 1];
    let end = last + c.len_utf8();
    Ok(format!("{}{to}{}", &text[..first], &text[end..]))
}

/// Les caractères du code, avec leur position (en octets) : ni espaces, ni
/// lignes de commentaire (`//`, `///`, `//!`).
fn code_chars(text: &str) -> Vec<(usize, char)> {
    let mut chars = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if !line.trim_start().starts_with("//") {
            chars.extend(
                line.char_indices()
                    .filter(|(_, c)| !c.is_whitespace())
                    .map(|(i, c)| (offset + i, c)),
            );
        }
        offset += line.len();
    }
    chars
}

/// Le parcours des modules d'une variante, depuis le `main.rs` du chapitre.
struct Walk<'a> {
    root: &'a Path,
    chapters: &'a Path,
    variant: &'a Variant,
    out: &'a Path,
    changed: &'a BTreeMap<PathBuf, String>,
    files: Files,
    /// Les fichiers changés atteints par le parcours.
    reached: Vec<PathBuf>,
}

impl Walk<'_> {
    /// Parcourt `file`, dont les `mod x;` sans `#[path]` se cherchent dans
    /// `children`. Rend le chemin de sa copie s'il en faut une (le `main.rs`,
    /// un fichier changé, ou un module qui mène à un fichier changé), `None`
    /// s'il est lu dans le chapitre.
    fn visit(
        &mut self,
        file: &Path,
        children: &Path,
        main: bool,
    ) -> Result<Option<PathBuf>, String> {
        let text = match self.changed.get(file) {
            Some(text) => {
                self.reached.push(file.to_owned());
                text.clone()
            }
            None => read(self.root, file)
                .map_err(|e| format!("variante {}\u{a0}: {e}", self.variant.name))?,
        };
        let dir = file.parent().unwrap_or(file);
        let lines: Vec<&str> = text.lines().collect();
        let mut out: Vec<String> = Vec::new();
        let mut copied = main || self.changed.contains_key(file);
        for (i, line) in lines.iter().enumerate() {
            let Some(name) = module_name(line) else {
                out.push((*line).to_owned());
                continue;
            };
            // Les attributs de la déclaration, juste au-dessus.
            let mut attributes = Vec::new();
            while out.last().is_some_and(|l| l.starts_with("#[")) {
                attributes.insert(0, out.pop().unwrap_or_default());
            }
            if attributes
                .iter()
                .any(|a| a.replace(' ', "") == "#[cfg(test)]")
            {
                continue;
            }
            let path = attributes.iter().find_map(|a| path_attribute(a));
            let (target, grandchildren) = match path {
                Some(path) => {
                    let target = normalize(&dir.join(path));
                    let parent = target.parent().unwrap_or(&target).to_owned();
                    (target, parent)
                }
                None if children.join(format!("{name}.rs")).is_file() => {
                    (children.join(format!("{name}.rs")), children.join(name))
                }
                None => (children.join(name).join("mod.rs"), children.join(name)),
            };
            if !target.is_file() {
                return Err(format!(
                    "variante {}\u{a0}: {} déclare le module `{name}` (ligne {}), mais {} \
                     n'existe pas.",
                    self.variant.name,
                    shown(self.root, file),
                    i + 1,
                    shown(self.root, &target)
                ));
            }
            let copy = self.visit(&target, &grandchildren, false)?;
            copied |= copy.is_some();
            let used = copy.unwrap_or(target);
            out.extend(
                attributes
                    .into_iter()
                    .filter(|a| path_attribute(a).is_none()),
            );
            out.push(format!("#[path = {:?}]", used.to_string_lossy()));
            out.push((*line).to_owned());
        }
        if !copied {
            return Ok(None);
        }
        let origin = shown(self.root, file);
        let header = format!(
            "// Produit par checks/broken/build.rs depuis {origin}{} pour la variante {}, \
             d'après checks/broken/build/variants.rs. Ne pas modifier.",
            if self.changed.contains_key(file) {
                " (changé)"
            } else {
                ""
            },
            self.variant.name
        );
        let body = if main {
            // `include!` n'accepte pas l'en-tête `//!` du chapitre.
            out.into_iter()
                .skip_while(|l| l.starts_with("//!"))
                .collect()
        } else {
            out
        };
        let path = if main {
            self.out.join("main.rs")
        } else {
            self.out
                .join(file.strip_prefix(self.chapters).unwrap_or(file))
        };
        let text = std::iter::once(header)
            .chain(body)
            .collect::<Vec<_>>()
            .join("\n")
            + "\n";
        self.files.insert(path.clone(), text);
        Ok(Some(path))
    }
}

/// `path` depuis la racine du dépôt, pour les messages.
fn shown(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

fn read(root: &Path, path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path)
        .map_err(|e| format!("impossible de lire {}\u{a0}: {e}", shown(root, path)))
}
