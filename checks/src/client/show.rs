//! Les arguments reçus, mis en mots : le texte d'un `new message` quelle
//! que soit sa forme, et les valeurs JSON telles qu'un rapport d'échec les
//! montre. Des fonctions pures, sans client ni réseau.

use serde_json::Value;

/// Le texte d'un `new message`, quelle que soit sa forme (voir
/// [`Client::next_text`]) ; vide s'il n'y en a pas.
pub fn message_text(args: &[Value]) -> String {
    // Le dernier texte ou objet : au ch11, `(texte, numéro)` finit par le
    // numéro.
    let last = args
        .iter()
        .rev()
        .find(|v| matches!(v, Value::String(_) | Value::Object(_)));
    match last {
        Some(Value::String(text)) => text.clone(),
        Some(Value::Object(fields)) => fields
            .get("text")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned(),
        _ => String::new(),
    }
}

/// Une liste d'arguments, lisible dans un message d'erreur.
pub fn show(args: &[Value]) -> String {
    let text = args.iter().map(show_value).collect::<Vec<_>>().join(", ");
    format!("[{text}]")
}

/// Une valeur JSON, lisible dans un message d'erreur (coupée si elle est
/// longue).
fn show_value(v: &Value) -> String {
    let s = v.to_string();
    if s.len() > 60 {
        format!("{}…", &s[..s.floor_char_boundary(57)])
    } else {
        s
    }
}

/// Ce qu'un accusé de réception a rendu, dit pour un rapport d'échec : son
/// argument seul quand il n'y en a qu'un (« l'accusé vaut {"id":1} », qui se
/// compare à l'objet attendu), sinon la liste de ses arguments, dite comme
/// telle.
pub fn show_ack(args: &[Value]) -> String {
    match args {
        [] => "un accusé sans argument".to_owned(),
        [one] => format!("l'accusé vaut {}", show_value(one)),
        _ => format!("les arguments de l'accusé valent {}", show(args)),
    }
}

/// Ce qu'un client a reçu pour un évènement attendu, lisible dans un
/// message d'erreur : ses arguments en JSON, ou rien dans le délai.
pub fn show_event(got: Option<&[Value]>) -> String {
    match got {
        Some(args) => show(args),
        None => "rien dans le délai".to_owned(),
    }
}

/// Des lignes du terminal, lisibles dans un message d'erreur : chacune
/// entre « », les espaces insécables telles quelles, seuls les caractères
/// de contrôle écrits par leur code (`\u{1b}`).
pub fn show_lines<S: AsRef<str>>(lines: &[S]) -> String {
    let shown: Vec<String> = lines
        .iter()
        .map(|line| {
            let line: String = line
                .as_ref()
                .chars()
                .map(|c| {
                    if c.is_control() {
                        c.escape_default().to_string()
                    } else {
                        c.to_string()
                    }
                })
                .collect();
            format!("«\u{a0}{line}\u{a0}»")
        })
        .collect();
    if shown.is_empty() {
        "aucune ligne".to_owned()
    } else {
        shown.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn failures_show_json_and_lines_as_a_student_reads_them() {
        let refused = [json!({ "error": "Trop de messages\u{a0}: 5 en 5\u{a0}s." })];
        let shown = show_ack(&refused);
        assert_eq!(
            shown,
            "l'accusé vaut {\"error\":\"Trop de messages\u{a0}: 5 en 5\u{a0}s.\"}"
        );
        assert_eq!(
            show_event(Some(&refused)),
            "[{\"error\":\"Trop de messages\u{a0}: 5 en 5\u{a0}s.\"}]"
        );
        assert_eq!(show_event(None), "rien dans le délai");
        let lines = ["Adresse\u{a0}: ici", "\u{1b}[2Jrouge"];
        assert_eq!(
            show_lines(&lines),
            "«\u{a0}Adresse\u{a0}: ici\u{a0}», «\u{a0}\\u{1b}[2Jrouge\u{a0}»"
        );
        assert_eq!(show_lines::<&str>(&[]), "aucune ligne");
    }
}
