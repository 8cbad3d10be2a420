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
