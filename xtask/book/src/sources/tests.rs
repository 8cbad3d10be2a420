//! La typographie des textes hors du livre : README et chaînes du code.

use super::{check_rust_source, decimal_point_format, parenthesized_plural, shown_literals};

/// Les numéros de ligne des fautes trouvées dans `source`.
fn faulty_lines(source: &str) -> Vec<usize> {
    check_rust_source(source)
        .into_iter()
        .map(|(line, _)| line)
        .collect()
}

#[test]
fn an_ordinary_space_before_a_colon_in_a_message_is_found_with_its_line() {
    let source = "fn main() {\n    let e = 1;\n    eprintln!(\"Erreur : {e}\");\n}\n";
    let found = check_rust_source(source);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, 3);
    assert!(found[0].1.contains("Erreur : {e}"), "{}", found[0].1);
    assert!(found[0].1.contains("insécable"), "{}", found[0].1);
}

#[test]
fn non_breaking_spaces_pass() {
    let source = "fn f() -> String {\n    format!(\"Erreur\u{a0}: «\u{a0}{x}\u{a0}» ; 1\u{202f}000 clients ?\")\n}\n";
    // Le point-virgule et le point d'interrogation ont ici une espace
    // ordinaire : deux fautes sur la même ligne, signalées une fois.
    assert_eq!(faulty_lines(source), vec![2]);
    let fixed = source.replace(" ;", "\u{a0};").replace(" ?", "\u{a0}?");
    assert_eq!(faulty_lines(&fixed), Vec::<usize>::new());
}

#[test]
fn the_log_lines_fixed_by_the_contract_keep_their_plain_spaces() {
    let source = r##"
fn main() {
    println!("Adresse du serveur : http://localhost:{port}");
    println!("Un client vient de se connecter. Son ID : {}", id);
    println!("Adresse IP du client : {ip}");
    println!("#clients connectés : {count}");
    println!("#clients connectés après déconnexion : {count}");
    println!("Rooms de {} : {}", id, rooms);
    let expected = "« Rooms de <id>\u{a0}: room1 »";
    println!("message: {text}");
    println!("Rooms de {id} : salons : {rooms}");
    let (id, rooms) = line.split_once(" : ")?;
}
"##;
    // Ligne 9 : « Rooms de <id> » est fixé, pas les guillemets autour.
    // Ligne 11 : le second « : » n'est pas celui de la ligne fixée.
    let found = check_rust_source(source);
    let lines: Vec<usize> = found.iter().map(|(line, _)| *line).collect();
    assert_eq!(lines, vec![9, 11], "{found:?}");
    // La faute est citée telle qu'écrite, morceau fixé compris.
    let quoted = found[0].1.replace('\u{a0}', " ");
    assert!(quoted.contains("« Rooms de"), "{}", found[0].1);
}

#[test]
fn comments_and_test_code_are_not_shown_to_anyone() {
    let source = r#"
// Erreur : dans un commentaire.
/* Erreur : /* imbriqué */ toujours un commentaire : */
fn shown() -> &'static str {
    "vu : oui"
}

#[cfg(test)]
mod tests {
    #[test]
    fn hidden() {
        assert_eq!("a : b", "a : b");
    }
}

#[test]
fn hidden_too() {
    let _ = "c : d";
}

#[tokio::test(flavor = "multi_thread")]
async fn hidden_again() {
    let _ = "e : f";
}

fn shown_again() {
    println!("encore : oui");
}
"#;
    assert_eq!(faulty_lines(source), vec![5, 27]);
}

#[test]
fn characters_lifetimes_and_raw_strings_do_not_confuse_the_reader() {
    let source = "fn f<'a>(x: &'a str) {\n    let quote = '\"';\n    let escaped = '\\'';\n    \
                  let raw = r#\"une \"chaîne\" brute\nsur deux lignes : oui\"#;\n    \
                  let bytes = b\"octets : non\";\n    println!(\"fin : {quote}\");\n}\n";
    let literals = shown_literals(source);
    let texts: Vec<&str> = literals.iter().map(|l| l.text.as_str()).collect();
    assert_eq!(
        texts,
        [
            "une \"chaîne\" brute\nsur deux lignes : oui",
            "octets : non",
            "fin : {quote}"
        ]
    );
    assert_eq!(faulty_lines(source), vec![5, 6, 7]);
}

#[test]
fn code_and_format_specifiers_are_not_prose() {
    let source = r##"
fn f() {
    println!("{x:?} {y:>6} {{littéral}} http://localhost:3000 a::b");
    let json = r#"{"a": 1, "b": [1, 2]}"#;
    let sql = "SELECT id FROM messages WHERE id > ?1 AND offset = ?2";
}
"##;
    assert_eq!(faulty_lines(source), Vec::<usize>::new());
}

#[test]
fn parenthesized_plurals_are_refused() {
    assert_eq!(
        parenthesized_plural("Compilation de {n} chapitre(s)…").as_deref(),
        Some("chapitre(s)")
    );
    assert_eq!(
        parenthesized_plural("connecté(e)s").as_deref(),
        Some("connecté(e)")
    );
    assert_eq!(
        parenthesized_plural("f(s) et (s) seul"),
        Some("f(s)".to_owned())
    );
    assert_eq!(parenthesized_plural("3 chapitres (sur 7)"), None);
    let source = "fn f() {\n    println!(\"{n} échec(s)\");\n}\n";
    let found = check_rust_source(source);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].1.contains("«\u{a0}échec(s)\u{a0}»"),
        "{}",
        found[0].1
    );
}

#[test]
fn decimals_formatted_by_rust_show_a_point() {
    assert_eq!(
        decimal_point_format("Durée : {:.1} s").as_deref(),
        Some("{:.1}")
    );
    assert_eq!(
        decimal_point_format("{secs:>6.2} s").as_deref(),
        Some("{secs:>6.2}")
    );
    assert_eq!(decimal_point_format("{{:.1}} {x} {y:>4} {z:.0}"), None);
    let source = "fn f(x: f32) {\n    println!(\"Durée\u{a0}: {x:.1}\u{a0}s\");\n    \
                  let svg = format!(\"<text x=\\\"{x:.1}\\\">\");\n}\n";
    let found = check_rust_source(source);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].1.contains("virgule"), "{}", found[0].1);
}
