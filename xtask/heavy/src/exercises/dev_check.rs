//! La preuve, comme le « dev check » de rustlings, que chaque exercice est
//! juste : tel qu'il est donné (`exercices/.origine/…`), il échoue à au
//! moins une de ses vérifications ; avec sa solution
//! (`exercices/solutions/…`), il les passe toutes.
//!
//! Tout se passe dans une copie jetable : un espace de travail temporaire
//! qui contient, pour chaque exercice, le crate d'origine et le crate
//! d'origine recouvert de la solution. Le dossier de l'étudiant
//! (`exercices/exNN-…`) n'est jamais touché. Une seule compilation
//! (dans `target/exercices-dev/`, pour ne pas attendre le verrou du `cargo
//! test` en cours), puis toutes les vérifications en même temps.

use std::path::Path;

use checks::exercises::EXERCISES;

use super::files::copy_dir;
use super::{Verdict, build, run_checks};
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
        let original = root.join("exercices").join(".origine").join(exercise.id);
        let starter = dir.join("starter").join(exercise.id);
        let solution = dir.join("solution").join(exercise.id);
        copy_dir(&original, &starter).expect("copie de l'exercice d'origine");
        copy_dir(&original, &solution).expect("copie de l'exercice d'origine");
        copy_dir(
            &root.join("exercices").join("solutions").join(exercise.id),
            &solution,
        )
        .expect("copie de la solution");
        let manifest = solution.join("Cargo.toml");
        let text = std::fs::read_to_string(&manifest).expect("Cargo.toml de l'exercice");
        let renamed = text.replacen(
            &format!("name = \"{}\"", exercise.id),
            &format!("name = \"{}-solution\"", exercise.id),
            1,
        );
        assert_ne!(text, renamed, "{} : nom du paquet introuvable", exercise.id);
        std::fs::write(&manifest, renamed).expect("Cargo.toml de la solution");
        // Les modules repris du chapitre (`#[path = "../../../chapters/…"]`)
        // sont désignés depuis `exercices/<id>/src` : dans la copie, on leur
        // donne leur chemin absolu.
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
                    let absolute = home.join(relative).to_string_lossy().replace('\\', "/");
                    out.push_str(&format!("#[path = \"{absolute}\"]\n"));
                }
                _ => out.push_str(line),
            }
        }
        std::fs::write(&path, out)?;
    }
    Ok(())
}

/// Le crate de l'étudiant et sa copie d'origine sont identiques dans le
/// dépôt : `--recommencer` rend bien l'exercice donné. En local, l'étudiant
/// qui travaille les fait diverger : on ne le vérifie qu'en CI.
#[test]
fn the_exercises_match_their_pristine_copies() {
    if std::env::var_os("CI").is_none() {
        println!("(hors CI : la comparaison des exercices à exercices/.origine n'est pas faite)");
        return;
    }
    let root = repository_root().join("exercices");
    for exercise in &EXERCISES {
        let work = root.join(exercise.id);
        let original = root.join(".origine").join(exercise.id);
        let scratch = tempfile::tempdir().expect("un dossier temporaire");
        // Copier l'exercice sur une copie de l'original : rien ne change si
        // les deux sont identiques et si l'exercice n'a pas de fichier en plus.
        copy_dir(&original, scratch.path()).expect("copie de l'original");
        copy_dir(&work, scratch.path()).expect("copie de l'exercice");
        let mut before = Vec::new();
        let mut after = Vec::new();
        list_files(&original, &original, &mut before);
        list_files(scratch.path(), scratch.path(), &mut after);
        assert_eq!(
            before, after,
            "{} diffère de sa copie d'origine",
            exercise.id
        );
    }
}

/// Les fichiers de `dir` (chemin relatif à `base`) et leur contenu, triés.
fn list_files(base: &Path, dir: &Path, found: &mut Vec<(String, Vec<u8>)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            list_files(base, &path, found);
        } else {
            let name = path.strip_prefix(base).unwrap_or(&path);
            let content = std::fs::read(&path).unwrap_or_default();
            found.push((name.to_string_lossy().into_owned(), content));
        }
    }
    found.sort();
}

/// Les modules d'un exercice autres que `main.rs` sont ceux de son chapitre,
/// au code près (commentaires, lignes vides et ancres du livre mis à part) :
/// un changement fait au chapitre doit être reporté dans l'exercice tel
/// qu'il est donné, sinon l'étudiant travaille sur un chapitre périmé.
#[test]
fn the_exercise_modules_match_their_chapter() {
    let root = repository_root();
    let mut problems = Vec::new();
    for exercise in &EXERCISES {
        let origin = root
            .join("exercices")
            .join(".origine")
            .join(exercise.id)
            .join("src");
        let Ok(entries) = std::fs::read_dir(&origin) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name == "main.rs" || !name.ends_with(".rs") {
                continue;
            }
            let chapter_file = chapter_module(&root, exercise.chapter, &name);
            let read = |p: &Path| std::fs::read_to_string(p).unwrap_or_default();
            if code(&read(&entry.path())) != code(&read(&chapter_file)) {
                problems.push(format!(
                    "exercices/.origine/{}/src/{name} ne reprend plus {} : reportez-y le \
                     changement du chapitre (et dans exercices/{}/src/{name})",
                    exercise.id,
                    chapter_file
                        .strip_prefix(&root)
                        .unwrap_or(&chapter_file)
                        .display(),
                    exercise.id
                ));
            }
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

/// Le fichier du module `name` du chapitre : celui que son `main.rs` désigne
/// par `#[path = "…"]`, sinon `src/<name>`.
fn chapter_module(root: &Path, chapter: &str, name: &str) -> std::path::PathBuf {
    let src = root.join("chapters").join(chapter).join("src");
    let main = std::fs::read_to_string(src.join("main.rs")).unwrap_or_default();
    let module = format!("mod {};", name.trim_end_matches(".rs"));
    let lines: Vec<&str> = main.lines().map(str::trim).collect();
    for pair in lines.windows(2) {
        if pair[1] == module
            && let Some(path) = pair[0]
                .strip_prefix("#[path = \"")
                .and_then(|rest| rest.strip_suffix("\"]"))
        {
            return src.join(path);
        }
    }
    src.join(name)
}

/// Les lignes de code d'un fichier, sans commentaires ni lignes vides.
fn code(text: &str) -> Vec<&str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("//"))
        .collect()
}

/// Le `main.rs` d'un exercice tel qu'il est donné est celui de son
/// chapitre, au code près : l'exercice n'y ajoute que des commentaires (son
/// énoncé, un `TODO`) et, pour les modules repris, des `#[path]` qui
/// désignent les fichiers du chapitre. Un changement fait au chapitre doit
/// être reporté dans l'exercice.
#[test]
fn the_exercise_starters_match_their_chapter() {
    let root = repository_root();
    let without_paths = |text: &str| -> Vec<String> {
        code(text)
            .into_iter()
            .filter(|l| !l.starts_with("#[path"))
            .map(str::to_owned)
            .collect()
    };
    let mut problems = Vec::new();
    for exercise in &EXERCISES {
        let read = |p: std::path::PathBuf| std::fs::read_to_string(p).unwrap_or_default();
        let starter = read(
            root.join("exercices")
                .join(".origine")
                .join(exercise.id)
                .join("src/main.rs"),
        );
        let chapter = read(
            root.join("chapters")
                .join(exercise.chapter)
                .join("src/main.rs"),
        );
        if without_paths(&starter) != without_paths(&chapter) {
            problems.push(format!(
                "exercices/.origine/{id}/src/main.rs ne reprend plus chapters/{ch}/src/main.rs : \
                 reportez-y le changement du chapitre (et dans exercices/{id}/src/main.rs, \
                 et dans la solution)",
                id = exercise.id,
                ch = exercise.chapter
            ));
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}
