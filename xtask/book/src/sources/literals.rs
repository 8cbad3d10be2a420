//! Retrouver les chaînes d'un fichier Rust qu'un utilisateur peut voir : un
//! petit découpage du code (identifiants, ponctuation, chaînes ordinaires et
//! brutes), sans les commentaires ni les éléments de test. Ce que `sources.rs`
//! vérifie ensuite, c'est le français de ces chaînes.

/// Une chaîne de caractères du code, telle qu'écrite (séquences
/// d'échappement comprises), et la ligne où elle commence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Literal {
    pub line: usize,
    pub text: String,
}

/// Les morceaux d'un fichier Rust qui comptent ici.
#[derive(Debug)]
enum Token {
    Literal(Literal),
    Ident(String),
    Punct(char),
}

/// Les chaînes d'un fichier Rust qu'un utilisateur peut voir : toutes, sauf
/// celles des commentaires et des éléments de test (`#[cfg(test)]`,
/// `#[test]`, `#[tokio::test]`).
pub fn shown_literals(text: &str) -> Vec<Literal> {
    let tokens = tokenize(text);
    let mut literals = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        if let Some(end) = test_attribute(&tokens, i) {
            i = skip_item(&tokens, end);
            continue;
        }
        if let Token::Literal(literal) = &tokens[i] {
            literals.push(literal.clone());
        }
        i += 1;
    }
    literals
}

/// Si un attribut de test commence en `at` (`#[cfg(test)]`, `#[test]`,
/// `#[tokio::test(…)]`), l'indice qui le suit.
fn test_attribute(tokens: &[Token], at: usize) -> Option<usize> {
    let punct = |i: usize, c: char| matches!(tokens.get(i), Some(Token::Punct(p)) if *p == c);
    let ident = |i: usize| match tokens.get(i) {
        Some(Token::Ident(name)) => Some(name.as_str()),
        _ => None,
    };
    if !punct(at, '#') || !punct(at + 1, '[') {
        return None;
    }
    // #[cfg(test)]
    if ident(at + 2) == Some("cfg")
        && punct(at + 3, '(')
        && ident(at + 4) == Some("test")
        && punct(at + 5, ')')
        && punct(at + 6, ']')
    {
        return Some(at + 7);
    }
    // #[test], #[tokio::test], #[tokio::test(…)] : un chemin qui finit par `test`.
    let mut i = at + 2;
    let mut last = None;
    while let Some(name) = ident(i) {
        last = Some(name);
        i += 1;
        if punct(i, ':') && punct(i + 1, ':') {
            i += 2;
        } else {
            break;
        }
    }
    if last != Some("test") {
        return None;
    }
    let mut depth = 1;
    while i < tokens.len() {
        match tokens[i] {
            Token::Punct('[' | '(') => depth += 1,
            Token::Punct(']' | ')') => {
                depth -= 1;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// L'indice qui suit l'élément commençant en `at` : jusqu'au `;` qui le
/// termine, ou jusqu'à l'accolade qui ferme son corps.
fn skip_item(tokens: &[Token], at: usize) -> usize {
    let mut depth = 0usize;
    for (i, token) in tokens.iter().enumerate().skip(at) {
        match token {
            Token::Punct('{') => depth += 1,
            Token::Punct('}') => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return i + 1;
                }
            }
            Token::Punct(';') if depth == 0 => return i + 1,
            _ => {}
        }
    }
    tokens.len()
}

/// Découpe un fichier Rust : identifiants, ponctuation et chaînes ; les
/// commentaires, caractères (`'"'`) et durées de vie sont laissés de côté.
fn tokenize(text: &str) -> Vec<Token> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut line = 1;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    if chars[i] == '\n' {
                        line += 1;
                    }
                    i += 1;
                }
            }
        } else if c == '"' {
            let start = line;
            let (text, end) = quoted(&chars, i + 1, &mut line);
            tokens.push(Token::Literal(Literal { line: start, text }));
            i = end;
        } else if c == '\'' {
            // Un caractère ('a', '\n', '"') ou une durée de vie ('a).
            if next == Some('\\') {
                i += 3;
                while i < chars.len() && chars[i] != '\'' {
                    i += 1;
                }
                i += 1;
            } else if chars.get(i + 2) == Some(&'\'') {
                i += 3;
            } else {
                i += 1;
            }
        } else if c.is_alphanumeric() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            let raw = matches!(word.as_str(), "r" | "br" | "cr");
            let hashes = chars[i..].iter().take_while(|c| **c == '#').count();
            if raw && chars.get(i + hashes) == Some(&'"') {
                let start_line = line;
                let (text, end) = raw_string(&chars, i + hashes + 1, hashes, &mut line);
                tokens.push(Token::Literal(Literal {
                    line: start_line,
                    text,
                }));
                i = end;
            } else if matches!(word.as_str(), "b" | "c") && chars.get(i) == Some(&'"') {
                let start_line = line;
                let (text, end) = quoted(&chars, i + 1, &mut line);
                tokens.push(Token::Literal(Literal {
                    line: start_line,
                    text,
                }));
                i = end;
            } else {
                tokens.push(Token::Ident(word));
            }
        } else {
            tokens.push(Token::Punct(c));
            i += 1;
        }
    }
    tokens
}

/// Le texte d'une chaîne ordinaire qui commence en `from` (après `"`), et
/// l'indice qui suit le `"` fermant.
fn quoted(chars: &[char], from: usize, line: &mut usize) -> (String, usize) {
    let mut text = String::new();
    let mut i = from;
    while i < chars.len() {
        match chars[i] {
            '"' => return (text, i + 1),
            '\\' => {
                text.push('\\');
                if let Some(&escaped) = chars.get(i + 1) {
                    if escaped == '\n' {
                        *line += 1;
                    }
                    text.push(escaped);
                }
                i += 2;
            }
            c => {
                if c == '\n' {
                    *line += 1;
                }
                text.push(c);
                i += 1;
            }
        }
    }
    (text, chars.len())
}

/// Le texte d'une chaîne brute (`r#"…"#`) qui commence en `from`.
fn raw_string(chars: &[char], from: usize, hashes: usize, line: &mut usize) -> (String, usize) {
    let mut text = String::new();
    let mut i = from;
    while i < chars.len() {
        if chars[i] == '"'
            && chars[i + 1..]
                .iter()
                .take(hashes)
                .filter(|c| **c == '#')
                .count()
                == hashes
        {
            return (text, i + 1 + hashes);
        }
        if chars[i] == '\n' {
            *line += 1;
        }
        text.push(chars[i]);
        i += 1;
    }
    (text, chars.len())
}
