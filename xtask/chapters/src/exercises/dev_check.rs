//! La preuve, comme le « dev check » de rustlings, que chaque exercice est
//! juste : tel qu'il est donné (produit depuis son chapitre, `starter.rs`),
//! il échoue à au moins une de ses vérifications ; avec sa solution
//! (`exercices/solutions/<id>.diff` appliqué, `patch.rs`), il les passe
//! toutes. Et, plus vite, que chaque exercice se produit encore depuis son
//! chapitre, que chaque solution s'y applique, que la première commande crée
//! les exercices absents sans toucher aux autres, et qu'aucune copie
//! d'exercice n'est dans git.
//!
//! Tout se passe dans une copie jetable : un espace de travail temporaire
//! qui contient, pour chaque exercice, le crate tel qu'il est donné et le
//! même recouvert de la solution, produits ici depuis les chapitres. Le
//! dossier de l'étudiant (`exercices/exNN-…`) n'est ni lu ni touché, et
//! n'a pas besoin d'exister. Une seule compilation (dans
//! `target/exercices-dev/`, pour ne pas attendre le verrou du `cargo test`
//! en cours), puis toutes les vérifications en même temps.

use std::path::Path;

use checks::exercises::{EXERCISES, Exercise};

use super::patch;
use super::starter::{self, Files};
use super::{Verdict, build, files, run_checks};
use crate::repository_root;

/// Le `Cargo.toml` de l'espace de travail jetable : celui du dépôt (mêmes
/// versions, mêmes profils), avec ses propres membres et des chemins absolus.
fn scratch_manifest(root: &Path) -> String {
    let original = std::fs::read_to_string(root.join("Cargo.toml")).unwrap_or_default();
    original
        .lines()
        .map(|line| {
            if line.starts_with("members = ") {
                "members = [\"starter/*\", \"solution/*\"]".to_owned()
            } else if line.starts_with("exclude = ") {
                String::new()
            } else if let Some((before, after)) = line.split_once("path = \"") {
                let absolute = root.join(after.split('"').next().unwrap_or(""));
                let rest = after.split_once('"').map(|(_, r)| r).unwrap_or("");
                let absolute = absolute.to_string_lossy().replace('\\', "/");
                format!("{before}path = \"{absolute}\"{rest}")
            } else {
                line.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Rend `to` identique à `from` : les fichiers différents ou absents sont
/// écrits, ceux en trop effacés ; un fichier inchangé garde sa date (que
/// cargo compare pour savoir quoi recompiler).
fn sync_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    let mut wanted = Vec::new();
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let (source, target) = (entry.path(), to.join(entry.file_name()));
        wanted.push(entry.file_name());
        if source.is_dir() {
            sync_dir(&source, &target)?;
        } else {
            let content = std::fs::read(&source)?;
            if std::fs::read(&target).ok().as_ref() != Some(&content) {
                if target.is_dir() {
                    std::fs::remove_dir_all(&target)?;
                }
                std::fs::write(&target, content)?;
            }
        }
    }
    for entry in std::fs::read_dir(to)? {
        let entry = entry?;
        if !wanted.contains(&entry.file_name()) {
            let path = entry.path();
            if path.is_dir() {
                std::fs::remove_dir_all(path)?;
            } else {
                std::fs::remove_file(path)?;
            }
        }
    }
    Ok(())
}

#[test]
fn every_starter_fails_and_every_solution_passes() {
    let root = repository_root();
    let scratch = tempfile::tempdir().expect("un dossier temporaire");
    let dir = scratch.path();
    std::fs::write(dir.join("Cargo.toml"), scratch_manifest(&root)).expect("Cargo.toml");
    std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock")).expect("Cargo.lock");
    let mut packages = Vec::new();
    for exercise in &EXERCISES {
        let given = starter::given(&root, exercise).expect("l'exercice tel qu'il est donné");
        let solved = solved(&root, exercise, &given.files).expect("la solution");
        let starter = dir.join("starter").join(exercise.id);
        let solution = dir.join("solution").join(exercise.id);
        let renamed = given.manifest.replacen(
            &format!("name = \"{}\"", exercise.id),
            &format!("name = \"{}-solution\"", exercise.id),
            1,
        );
        assert_ne!(
            given.manifest, renamed,
            "{} : nom du paquet introuvable",
            exercise.id
        );
        for (copy, files, manifest) in [
            (&starter, &given.files, &given.manifest),
            (&solution, &solved, &renamed),
        ] {
            write_files(&copy.join("src"), files);
            std::fs::write(copy.join("Cargo.toml"), manifest).expect("Cargo.toml de l'exercice");
        }
        // Les modules repris du chapitre (`#[path = "../../../chapters/…"]`)
        // sont désignés depuis `exercices/<id>/src` : dans la copie, on leur
        // donne leur chemin absolu (résolu ici : ce dossier peut ne pas
        // exister).
        let home = root.join("exercices").join(exercise.id).join("src");
        for copy in [&starter, &solution] {
            absolute_module_paths(&copy.join("src"), &home).expect("chemins des modules");
        }
        packages.push(exercise.id.to_owned());
        packages.push(format!("{}-solution", exercise.id));
    }
    // La copie assemblée passe dans un dossier stable, en ne récrivant que ce
    // qui a changé : cargo ne recompile alors que les exercices modifiés.
    let target = root.join("target").join("exercices-dev");
    let stable = target.join("copie");
    sync_dir(dir, &stable).expect("copie stable des exercices");
    let mut built = build::build(&stable.join("Cargo.toml"), &packages, Some(&target))
        .expect("cargo build des exercices");
    let mut binaries = Vec::new();
    for exercise in &EXERCISES {
        for package in [exercise.id.to_owned(), format!("{}-solution", exercise.id)] {
            let binary = built.remove(&package).expect("un résultat par paquet");
            binaries.push((exercise, binary));
        }
    }
    let mut compile_errors = Vec::new();
    let verdicts = run_checks(binaries, &mut compile_errors, false).expect("vérifications");
    for (exercise, errors) in &compile_errors {
        println!("{} ne compile pas :\n{errors}", exercise.id);
    }
    let mut problems = Vec::new();
    for pair in verdicts.chunks(2) {
        let [(exercise, starter), (_, solution)] = pair else {
            problems.push("une vérification s'est interrompue".to_owned());
            continue;
        };
        if !matches!(starter, Verdict::Checked(_)) {
            problems.push(format!("{} : l'exercice donné ne compile pas", exercise.id));
        } else if starter.solved() {
            problems.push(format!(
                "{} : l'exercice donné passe déjà toutes ses vérifications",
                exercise.id
            ));
        }
        match solution {
            Verdict::DoesNotCompile(error) => {
                problems.push(format!(
                    "{} : la solution ne compile pas : {error}",
                    exercise.id
                ));
            }
            Verdict::Checked(report) if !report.passed() => {
                problems.push(format!("{} : la solution échoue :\n{report}", exercise.id));
            }
            Verdict::Checked(_) => {}
        }
    }
    if verdicts.len() != EXERCISES.len() * 2 {
        problems.push("il manque des verdicts (vérification interrompue)".to_owned());
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

/// Récrit chaque `#[path = "…"]` relatif des fichiers `.rs` de `src` en
/// chemin absolu, résolu depuis `home` (le dossier `src` de l'exercice dans
/// le dépôt).
fn absolute_module_paths(src: &Path, home: &Path) -> std::io::Result<()> {
    for entry in std::fs::read_dir(src)? {
        let path = entry?.path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path)?;
        let mut out = String::with_capacity(text.len());
        for line in text.split_inclusive('\n') {
            match line
                .trim_start()
                .strip_prefix("#[path = \"")
                .and_then(|rest| rest.split_once('"'))
            {
                Some((relative, _)) if !Path::new(relative).is_absolute() => {
                    let absolute = starter::normalize(&home.join(relative));
                    let absolute = absolute.to_string_lossy().replace('\\', "/");
                    out.push_str(&format!("#[path = \"{absolute}\"]\n"));
                }
                _ => out.push_str(line),
            }
        }
        std::fs::write(&path, out)?;
    }
    Ok(())
}

/// L'exercice résolu : tel qu'il est donné, plus sa solution
/// (`exercices/solutions/<id>.diff`).
fn solved(root: &Path, exercise: &Exercise, given: &Files) -> Result<Files, String> {
    let path = root
        .join("exercices")
        .join("solutions")
        .join(format!("{}.diff", exercise.id));
    let diff = std::fs::read_to_string(&path).map_err(|e| {
        format!(
            "{} : impossible de lire {} : {e}",
            exercise.id,
            path.display()
        )
    })?;
    let mut solved = given.clone();
    patch::apply(&mut solved, &diff).map_err(|why| {
        format!(
            "{id} : la solution exercices/solutions/{id}.diff ne s'applique plus à l'exercice \
             que produit chapters/{ch}\u{a0}: {why}. Refaites-la sur l'exercice régénéré.",
            id = exercise.id,
            ch = exercise.chapter
        )
    })?;
    if solved == *given {
        return Err(format!("{} : la solution ne change rien", exercise.id));
    }
    Ok(solved)
}

/// Chaque solution s'applique, au contexte exact, à l'exercice que produit
/// son chapitre aujourd'hui (sans compiler : la preuve qu'elle passe les
/// vérifications est `every_starter_fails_and_every_solution_passes`).
#[test]
fn every_solution_applies_to_its_generated_exercise() {
    let root = repository_root();
    let problems: Vec<String> = EXERCISES
        .iter()
        .filter_map(|exercise| {
            let given = starter::generate(&root, exercise).ok()?;
            solved(&root, exercise, &given).err()
        })
        .collect();
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

/// Écrit `files` (chemins sous `src`) dans le dossier `src`.
fn write_files(src: &Path, files: &Files) {
    for (name, text) in files {
        let path = src.join(name);
        std::fs::create_dir_all(path.parent().expect("un dossier")).expect("dossier");
        std::fs::write(&path, text).expect("écriture d'un fichier de l'exercice");
    }
}

/// Chaque exercice se produit depuis son chapitre tel qu'il est : chaque
/// `TODO` trouve sa ligne, chaque fichier donné existe, le `Cargo.toml` du
/// chapitre a son nom. Un changement de
/// chapitre qui retire la ligne d'un `TODO` échoue ici, avec l'exercice et
/// la ligne à corriger.
#[test]
fn every_exercise_is_generated_from_its_chapter() {
    let root = repository_root();
    let problems: Vec<String> = EXERCISES
        .iter()
        .filter_map(|exercise| starter::given(&root, exercise).err())
        .collect();
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

/// Les copies des exercices (`exercices/exNN-…/`) ne sont pas dans git :
/// `cargo xtask exercices` les crée depuis leur chapitre, et `.gitignore`
/// les écarte (seules les solutions, `exercices/solutions/`, sont suivies).
/// Une copie ajoutée par erreur ferait revenir dans le dépôt les fichiers
/// du chapitre en double, qui dériveraient à chaque changement de chapitre.
#[test]
fn no_exercise_copy_is_tracked_by_git() {
    let root = repository_root();
    if !root.join(".git").exists() {
        println!("(pas de dépôt git à la racine : aucun fichier n'y est suivi)");
        return;
    }
    let output = std::process::Command::new("git")
        .args(["ls-files", "--", "exercices"])
        .current_dir(&root)
        .output()
        .expect("git ls-files");
    assert!(
        output.status.success(),
        "git ls-files a échoué : {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let tracked = String::from_utf8_lossy(&output.stdout);
    let copies: Vec<&str> = tracked
        .lines()
        .filter(|path| {
            path.strip_prefix("exercices/")
                .and_then(|rest| rest.split_once('/'))
                .is_some_and(|(folder, _)| folder != "solutions")
        })
        .collect();
    assert!(
        copies.is_empty(),
        "ces fichiers de copies d'exercices sont suivis par git :\n{}\nRetirez-les (git rm -r \
         --cached exercices/exNN-…) : cargo xtask exercices les crée depuis leur chapitre.",
        copies.join("\n")
    );
}

/// La première commande crée les exercices absents depuis leur chapitre, et
/// ne touche jamais une copie qui existe (le travail de l'étudiant).
#[test]
fn missing_exercises_are_created_and_existing_ones_are_kept() {
    let root = repository_root();
    let scratch = tempfile::tempdir().expect("un dossier temporaire");
    let into = scratch.path().join("exercices");
    let kept = into.join(EXERCISES[4].id);
    std::fs::create_dir_all(kept.join("src")).expect("dossier");
    std::fs::write(kept.join("src").join("main.rs"), "// mon travail\n").expect("main.rs");
    let created = files::create_missing(&root, &into).expect("création");
    let ids: Vec<&str> = created.iter().map(|e| e.id).collect();
    assert_eq!(ids.len(), EXERCISES.len() - 1, "{ids:?}");
    assert!(!ids.contains(&EXERCISES[4].id), "{ids:?}");
    assert_eq!(
        std::fs::read_to_string(kept.join("src").join("main.rs")).expect("main.rs"),
        "// mon travail\n"
    );
    assert!(
        !kept.join("Cargo.toml").exists(),
        "la copie existante est touchée"
    );
    let first = into.join(EXERCISES[0].id);
    let given = starter::given(&root, &EXERCISES[0]).expect("l'exercice 1");
    assert_eq!(starter::on_disk(&first.join("src")), given.files);
    assert_eq!(
        std::fs::read_to_string(first.join("Cargo.toml")).expect("Cargo.toml"),
        given.manifest
    );
    // Une seconde fois : rien à créer.
    let again = files::create_missing(&root, &into).expect("création");
    assert!(again.is_empty(), "{:?}", again.len());
    // Rien ne reste à côté de exercices/ (le dossier de préparation).
    let beside: Vec<_> = std::fs::read_dir(scratch.path())
        .expect("dossier")
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(beside, ["exercices"]);
}
