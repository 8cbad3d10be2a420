//! Les garde-fous de `cargo xtask book`, essayés sur un petit livre jetable :
//! un livre correct passe, et chaque défaut le fait échouer avec un message
//! qui le nomme.

use std::fs;
use std::path::Path;

use tempfile::TempDir;

use super::gate::{Include, find_includes};
use super::pages::SECTIONS;
use super::{Layout, build};

/// Un dépôt miniature : deux chapitres, leur dossier client, et le livre.
struct Fixture {
    _dir: TempDir,
    root: std::path::PathBuf,
    layout: Layout,
}

fn write(path: &Path, text: &str) {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).expect("création d'un dossier du livre d'essai");
    }
    fs::write(path, text).expect("écriture d'un fichier du livre d'essai");
}

/// Une page de chapitre correcte : les sections dans l'ordre, le code inclus.
fn chapter_page(name: &str, with_diff: bool) -> String {
    let mut page = format!("# Chapitre {name}\n\n");
    for section in SECTIONS {
        page.push_str(&format!("## {section}\n\n"));
        match section {
            "Le code" => page.push_str(&format!(
                "```rust,ignore\n{{{{#include ../../chapters/{name}/src/main.rs:all}}}}\n```\n\n\
                 ```html\n{{{{#include ../../client/{name}/index.html}}}}\n```\n\n"
            )),
            "Ce qui a changé" if with_diff => {
                page.push_str(&format!("{{{{#include ../generated/{name}.diff.md}}}}\n\n"));
            }
            "Comprendre" => page.push_str(
                "Du texte.\n\n> **Différences avec la version Node**\n>\n> - Une différence.\n\n",
            ),
            "Exercice" => page.push_str(
                "Du texte.\n\n**Où travailler, comment vérifier.** Ici.\n\n\
                 <details>\n<summary>Indice</summary>\n\nUn indice.\n\n</details>\n\n\
                 <details>\n<summary>Solution</summary>\n\nUne solution.\n\n</details>\n\n\
                 <details>\n<summary>Notes pour l'enseignant</summary>\n\nDes notes.\n\n</details>\n",
            ),
            _ => page.push_str("Du texte.\n\n"),
        }
    }
    page
}

/// Le contrat du livre d'essai : le premier chapitre dans un tableau, le
/// deuxième sous un titre, un troisième à venir.
const CONTRACT: &str = "# Le contrat\n\n\
    | crate | ajoute |\n| --- | --- |\n| `ch01-un` | la page |\n\n\
    ## `ch02-deux`\n\nUn client.\n\n## `ch03-trois` (à venir)\n\nDes salons.\n";

fn fixture() -> Fixture {
    let dir = TempDir::new().expect("dossier temporaire");
    let root = dir.path().to_path_buf();
    for (name, body) in [
        ("ch01-un", "fn main() {}"),
        ("ch02-deux", "fn main() {\n    println!(\"deux\");\n}"),
    ] {
        write(
            &root.join(format!("chapters/{name}/Cargo.toml")),
            &format!("[package]\nname = \"{name}\"\n"),
        );
        write(
            &root.join(format!("chapters/{name}/src/main.rs")),
            &format!("//! {name}\n\n// ANCHOR: all\n{body}\n// ANCHOR_END: all\n"),
        );
    }
    write(&root.join("client/ch01-un/index.html"), "<h1>Un</h1>\n");
    write(
        &root.join("client/ch02-deux/index.html"),
        "<h1>Un</h1>\n<script src=\"./client-socket.js\"></script>\n",
    );
    write(
        &root.join("client/ch02-deux/client-socket.js"),
        "const socket = io();\n",
    );
    write(
        &root.join("book/book.toml"),
        "[book]\ntitle = \"Essai\"\nlanguage = \"fr\"\n\n[build]\nbuild-dir = \"build\"\ncreate-missing = false\n\n[rust]\nedition = \"2024\"\n",
    );
    write(
        &root.join("book/src/SUMMARY.md"),
        "# Sommaire\n\n[Accueil](accueil.md)\n\n- [Introduction](introduction.md)\n- [Un](ch01-un.md)\n- [Deux](ch02-deux.md)\n- [Le contrat](annexe-contrat.md)\n",
    );
    write(&root.join("book/src/annexe-contrat.md"), CONTRACT);
    write(
        &root.join("book/src/introduction.md"),
        "# Introduction\n\nLes deux chapitres\u{a0}: [un](ch01-un.md) et [deux](ch02-deux.md).\n",
    );
    write(
        &root.join("README.md"),
        "# Essai\n\n| chapitre |\n| --- |\n| `ch01-un` |\n| `ch02-deux` |\n",
    );
    write(
        &root.join("book/src/accueil.md"),
        "# Accueil\n\nCommencez par [le premier chapitre](ch01-un.md), puis \
         [testez le deuxième](ch02-deux.md#pour-tester).\n\n![Un schéma](images/schema.svg)\n",
    );
    write(
        &root.join("book/src/images/schema.svg"),
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"1\" height=\"1\"/>\n",
    );
    write(
        &root.join("book/src/ch01-un.md"),
        &chapter_page("ch01-un", false),
    );
    write(
        &root.join("book/src/ch02-deux.md"),
        &chapter_page("ch02-deux", true),
    );
    let layout = Layout {
        book: root.join("book"),
        chapters: root.join("chapters"),
        client: root.join("client"),
        run_doctests: false,
        repository: Some(root.clone()),
    };
    Fixture {
        _dir: dir,
        root,
        layout,
    }
}

impl Fixture {
    fn path(&self, relative: &str) -> std::path::PathBuf {
        self.root.join(relative)
    }

    fn edit(&self, relative: &str, from: &str, to: &str) {
        let path = self.path(relative);
        let text = fs::read_to_string(&path).expect("lecture d'un fichier du livre d'essai");
        assert!(text.contains(from), "{relative} ne contient pas « {from} »");
        write(&path, &text.replacen(from, to, 1));
    }

    fn append(&self, relative: &str, more: &str) {
        let path = self.path(relative);
        let text = fs::read_to_string(&path).expect("lecture d'un fichier du livre d'essai");
        write(&path, &(text + more));
    }

    /// Construit et renvoie le message d'erreur ; le livre doit échouer.
    fn failure(&self) -> String {
        match build(&self.layout) {
            Ok(index) => panic!(
                "le livre aurait dû être refusé, il a été construit : {}",
                index.display()
            ),
            Err(message) => message,
        }
    }
}

/// Vérifie que `message` contient chaque morceau attendu. Les espaces
/// insécables des messages comptent ici comme des espaces ordinaires (c'est
/// la typographie des sources, vérifiée à part, qui les exige).
fn assert_mentions(message: &str, expected: &[&str]) {
    let plain = message.replace(['\u{a0}', '\u{202f}'], " ");
    for part in expected {
        assert!(
            plain.contains(part),
            "le message devrait contenir « {part} » :\n{message}"
        );
    }
}

#[test]
fn a_correct_book_builds_with_its_generated_diff() {
    let fixture = fixture();
    let index = build(&fixture.layout).expect("le livre d'essai est correct");
    assert!(index.is_file());

    let diff = fs::read_to_string(fixture.path("book/generated/ch02-deux.diff.md"))
        .expect("le diff du chapitre 2 est généré");
    assert_mentions(
        &diff,
        &[
            "```diff",
            "-fn main() {}",
            "+    println!(\"deux\");",
            "client-socket.js`, nouveau fichier",
            "+const socket = io();",
        ],
    );
    assert!(!diff.contains("ANCHOR"), "les lignes d'ancre sont retirées");
    assert!(
        !fixture.path("book/generated/ch01-un.diff.md").exists(),
        "le premier chapitre n'a pas de prédécesseur"
    );

    let page = fs::read_to_string(fixture.path("book/build/ch02-deux.html"))
        .expect("la page du chapitre 2 est construite");
    assert!(page.contains("println!"), "le code du crate est inclus");
}

#[test]
fn a_missing_anchor_fails() {
    let fixture = fixture();
    fixture.edit("book/src/ch01-un.md", "main.rs:all", "main.rs:serveur");
    let message = fixture.failure();
    assert_mentions(
        &message,
        &["ch01-un.md", "l'ancre « serveur » n'existe pas"],
    );
}

#[test]
fn an_anchor_that_is_never_closed_fails() {
    let fixture = fixture();
    fixture.edit("chapters/ch01-un/src/main.rs", "// ANCHOR_END: all", "");
    let message = fixture.failure();
    assert_mentions(
        &message,
        &["l'ancre « all » est ouverte mais jamais fermée"],
    );
}

#[test]
fn a_missing_included_file_fails() {
    let fixture = fixture();
    fixture.edit(
        "book/src/ch02-deux.md",
        "client/ch02-deux/index.html",
        "client/ch02-deux/page.html",
    );
    let message = fixture.failure();
    assert_mentions(&message, &["ch02-deux.md", "page.html, qui n'existe pas"]);
}

#[test]
fn a_link_to_a_missing_page_fails() {
    let fixture = fixture();
    fixture.append(
        "book/src/accueil.md",
        "\nVoir aussi [l'annexe](annexe.md).\n",
    );
    let message = fixture.failure();
    assert_mentions(&message, &["accueil.md", "« annexe.html »", "n'existe pas"]);
}

#[test]
fn a_link_to_a_missing_anchor_fails() {
    let fixture = fixture();
    fixture.edit("book/src/accueil.md", "#pour-tester", "#pour-essayer");
    let message = fixture.failure();
    assert_mentions(
        &message,
        &[
            "accueil.md",
            "l'ancre « #pour-essayer », qui n'existe pas dans ch02-deux.md",
        ],
    );
}

#[test]
fn a_missing_image_fails() {
    let fixture = fixture();
    fs::remove_file(fixture.path("book/src/images/schema.svg")).expect("suppression de l'image");
    let message = fixture.failure();
    assert_mentions(&message, &["accueil.md", "images/schema.svg"]);
}

#[test]
fn a_chapter_crate_without_its_page_fails() {
    let fixture = fixture();
    write(
        &fixture.path("chapters/ch03-trois/Cargo.toml"),
        "[package]\nname = \"ch03-trois\"\n",
    );
    let message = fixture.failure();
    assert_mentions(
        &message,
        &[
            "le chapitre chapters/ch03-trois n'a pas de page",
            "book/src/ch03-trois.md",
        ],
    );
}

#[test]
fn a_chapter_page_without_its_crate_fails() {
    let fixture = fixture();
    write(
        &fixture.path("book/src/ch03-trois.md"),
        &chapter_page("ch03-trois", false),
    );
    fixture.append("book/src/SUMMARY.md", "- [Trois](ch03-trois.md)\n");
    let message = fixture.failure();
    assert_mentions(
        &message,
        &["la page ch03-trois.md n'a pas de crate chapters/ch03-trois"],
    );
}

#[test]
fn a_page_missing_from_the_summary_fails() {
    let fixture = fixture();
    write(&fixture.path("book/src/oubliee.md"), "# Oubliée\n");
    let message = fixture.failure();
    assert_mentions(&message, &["oubliee.md n'est pas dans SUMMARY.md"]);
}

#[test]
fn sections_out_of_order_fail() {
    let fixture = fixture();
    fixture.edit("book/src/ch01-un.md", "## Pièges", "## Attention");
    let message = fixture.failure();
    assert_mentions(
        &message,
        &["ch01-un.md doit avoir les sections", "« Pièges »"],
    );
}

#[test]
fn an_included_rust_block_without_ignore_fails() {
    let fixture = fixture();
    fixture.edit("book/src/ch02-deux.md", "```rust,ignore", "```rust");
    let message = fixture.failure();
    assert_mentions(&message, &["ch02-deux.md", "```rust,ignore"]);
}

#[test]
fn a_code_block_without_language_fails() {
    let fixture = fixture();
    fixture.append("book/src/accueil.md", "\n```\nAdresse du serveur\n```\n");
    let message = fixture.failure();
    assert_mentions(&message, &["accueil.md", "n'a pas de langage"]);
}

#[test]
fn an_mdbook_warning_fails() {
    let fixture = fixture();
    fixture.append(
        "book/src/accueil.md",
        "\n<details>\n<summary>Notes</summary>\n\nTexte.\n",
    );
    let message = fixture.failure();
    assert_mentions(&message, &["mdBook a signalé", "details"]);
}

#[test]
fn a_standalone_rust_example_must_compile() {
    let mut fixture = fixture();
    fixture.layout.run_doctests = true;
    fixture.append(
        "book/src/accueil.md",
        "\n```rust\nlet nom = String::from(\"Ada\");\nlet autre = nom;\nassert_eq!(autre, \"Ada\");\n```\n",
    );
    build(&fixture.layout).expect("un exemple correct passe");

    fixture.append(
        "book/src/accueil.md",
        "\n```rust\nlet nombre: u32 = \"pas un nombre\";\n```\n",
    );
    let message = fixture.failure();
    assert_mentions(&message, &["un exemple Rust du livre"]);
}

#[test]
fn escaped_includes_are_not_checked() {
    let found = find_includes("a \\{{#include absent.rs}} b {{#include ../x.rs:all}} c");
    assert_eq!(
        found,
        vec![Include {
            text: "{{#include ../x.rs:all}}".to_owned(),
            file: "../x.rs".to_owned(),
            selector: Some("all".to_owned()),
        }]
    );
}

#[test]
fn an_ordinary_space_before_a_colon_fails() {
    let fixture = fixture();
    fixture.append(
        "book/src/accueil.md",
        "\nAttention : une espace ordinaire.\n",
    );
    let message = fixture.failure();
    assert_mentions(
        &message,
        &["accueil.md, ligne", "espace ordinaire", "Attention : une"],
    );
}

#[test]
fn typography_ignores_code_links_and_markup() {
    let nbsp = '\u{a0}';
    let good = format!(
        "Le terminal affiche `message: Bonjour` et `Adresse du serveur : …`{nbsp}; voir \
         [l'aide](page.md?x=1) et ![un schéma](s.svg), <span title=\"a : b\">«{nbsp}ici{nbsp}»</span>{nbsp}!"
    );
    assert_eq!(super::gate::ordinary_space_in_prose(&good), None);
    assert!(super::gate::ordinary_space_in_prose("Pourquoi ?").is_some());
    assert!(super::gate::ordinary_space_in_prose("« ici»").is_some());
    assert!(super::gate::ordinary_space_in_prose("1 000 messages").is_some());
    assert_eq!(
        super::gate::ordinary_space_in_prose("les 7 chapitres, 200 clients, 1\u{202f}000 messages"),
        None
    );
}

#[test]
fn the_readme_and_shown_messages_follow_french_typography_too() {
    let book = fixture();
    write(
        &book.path("README.md"),
        "# Le cours\n\n```console\n$ cargo run : ici c'est du code\n```\n\nLancez : cargo run\n",
    );
    write(
        &book.path("support/src/lib.rs"),
        "pub fn f() {\n    println!(\"Adresse du serveur : http://localhost:3000\");\n    \
         eprintln!(\"Erreur : le port est pris\");\n}\n",
    );
    write(
        &book.path("xtask/chapters/src/main.rs"),
        "fn main() {\n    println!(\"{} chapitre(s)\", 2);\n}\n",
    );
    let message = book.failure();
    assert_mentions(
        &message,
        &[
            "README.md:7 : espace ordinaire",
            "« Lancez : cargo run »",
            "support/src/lib.rs:3 : espace ordinaire",
            "xtask/chapters/src/main.rs:2 : « chapitre(s) »",
        ],
    );
    assert!(!message.contains("README.md:4"), "{message}");
    assert!(!message.contains("lib.rs:2"), "{message}");
}

#[test]
fn a_chapter_page_without_its_hint_fails() {
    let fixture = fixture();
    fixture.edit(
        "book/src/ch02-deux.md",
        "<summary>Indice</summary>",
        "<summary>Aide</summary>",
    );
    let message = fixture.failure();
    assert_mentions(&message, &["ch02-deux.md n'a pas l'indice replié"]);
}

#[test]
fn a_chapter_page_without_its_node_box_fails() {
    let fixture = fixture();
    fixture.edit(
        "book/src/ch01-un.md",
        "> **Différences avec la version Node**",
        "> **Remarque**",
    );
    let message = fixture.failure();
    assert_mentions(&message, &["ch01-un.md n'a pas l'encadré"]);
}

#[test]
fn a_framing_page_that_forgets_a_chapter_fails() {
    let fixture = fixture();
    fixture.edit("README.md", "| `ch02-deux` |\n", "");
    let message = fixture.failure();
    assert_mentions(&message, &["README.md ne nomme pas le chapitre ch02-deux"]);
}

#[test]
fn a_framing_page_with_a_wrong_chapter_count_fails() {
    let fixture = fixture();
    fixture.append(
        "book/src/introduction.md",
        "\nLes sept chapitres du cours.\n",
    );
    let message = fixture.failure();
    assert_mentions(
        &message,
        &[
            "book/src/introduction.md parle de 7 chapitres",
            "le dossier chapters/ en a 2",
        ],
    );
    // Le bon nombre, en lettres ou en chiffres, passe.
    let fixture = fixture_with("\nLes deux chapitres, 2 chapitres.\n");
    build(&fixture.layout).expect("deux chapitres, c'est juste");
}

#[test]
fn chapter_counts_reads_digits_and_words() {
    assert_eq!(
        super::pages::chapter_counts("les sept chapitres, puis 12 chapitres ; les chapitres 1 à 7"),
        vec![7, 12]
    );
}

/// Le livre d'essai, avec `more` à la fin de son introduction.
fn fixture_with(more: &str) -> Fixture {
    let fixture = fixture();
    fixture.append("book/src/introduction.md", more);
    fixture
}

#[test]
fn a_chapter_crate_without_its_contract_fails() {
    let fixture = fixture();
    fixture.edit(
        "book/src/annexe-contrat.md",
        "## `ch02-deux`\n\nUn client.\n\n",
        "",
    );
    let message = fixture.failure();
    assert_mentions(
        &message,
        &["le chapitre chapters/ch02-deux n'a pas de section dans book/src/annexe-contrat.md"],
    );
    assert!(!message.contains("ch01-un"), "{message}");
}

#[test]
fn a_book_without_its_contract_page_fails() {
    let fixture = fixture();
    fixture.edit(
        "book/src/SUMMARY.md",
        "- [Le contrat](annexe-contrat.md)\n",
        "",
    );
    fs::remove_file(fixture.path("book/src/annexe-contrat.md")).expect("suppression du contrat");
    let message = fixture.failure();
    assert_mentions(&message, &["le livre n'a pas la page annexe-contrat.md"]);
}

#[test]
fn upcoming_marks_follow_the_chapters_folder() {
    use super::contract::check_contract;
    let crates = ["ch01-un".to_owned(), "ch02-deux".to_owned()];
    let mut problems = Vec::new();
    check_contract(CONTRACT, &crates, &mut problems);
    assert_eq!(
        problems,
        Vec::<String>::new(),
        "le contrat d'essai est juste"
    );

    // Le crate du chapitre à venir arrive : la marque doit partir.
    let with_three = [crates.as_slice(), &["ch03-trois".to_owned()]].concat();
    check_contract(CONTRACT, &with_three, &mut problems);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_mentions(
        &problems[0],
        &["ligne 11 : le chapitre ch03-trois est marqué « à venir »"],
    );

    // Un chapitre nommé sans crate ni marque : une faute de frappe, ou un
    // chapitre retiré.
    let mut problems = Vec::new();
    check_contract(&CONTRACT.replace("(à venir)", ""), &crates, &mut problems);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_mentions(
        &problems[0],
        &["ch03-trois n'est pas un crate de chapters/"],
    );
}

#[test]
fn chapter_names_are_whole_words() {
    assert_eq!(
        super::contract::chapter_names("`ch07-rooms` : les évènements, ch08 et ch12-cluster-"),
        vec!["ch07-rooms", "ch12-cluster"]
    );
    assert_eq!(
        super::contract::chapter_names("touch12-x, cachNN-name"),
        Vec::<String>::new()
    );
}

#[test]
fn a_main_rs_longer_than_a_slide_fails() {
    let fixture = fixture();
    let long: String = (0..46).map(|i| format!("    let _x{i} = {i};\n")).collect();
    // Des commentaires et des lignes vides ne comptent pas.
    let notes = "    // pourquoi\n\n".repeat(40);
    fixture.edit(
        "chapters/ch01-un/src/main.rs",
        "fn main() {}",
        &format!("fn main() {{\n{notes}{long}}}"),
    );
    assert_mentions(
        &fixture.failure(),
        &[
            "chapters/ch01-un/src/main.rs",
            "48 lignes de code",
            "au-delà de 45",
        ],
    );
}

#[test]
fn a_module_longer_than_120_code_lines_fails() {
    let fixture = fixture();
    let body: String = (0..120)
        .map(|i| format!("    let _x{i} = {i};\n"))
        .collect();
    write(
        &fixture.path("chapters/ch02-deux/src/store/queries.rs"),
        &format!("pub fn f() {{\n{body}}}\n"),
    );
    assert_mentions(
        &fixture.failure(),
        &[
            "chapters/ch02-deux/src/store/queries.rs",
            "122 lignes de code",
            "au-delà de 120",
        ],
    );
}
