//! Les nombres et le texte montrés au lecteur : médiane, milliers séparés,
//! virgule décimale, typographie française.

/// La médiane (moyenne des deux du milieu pour un nombre pair de valeurs).
pub(super) fn median(values: &[f64]) -> Option<f64> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    })
}

pub(super) fn thousands(x: f64) -> String {
    let n = x.round() as i64;
    let s = n.abs().to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push('\u{202f}');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// Un nombre à `decimals` décimales, à la française : virgule décimale, et
/// milliers séparés comme par [`thousands`], d'une espace fine insécable
/// (« 1 142,8 »).
pub(super) fn fmt(x: Option<f64>, decimals: usize) -> String {
    let Some(x) = x else {
        return "—".to_owned();
    };
    let text = format!("{x:.decimals$}");
    let (sign, digits) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text.as_str()),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let mut out = sign.to_owned();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            out.push('\u{202f}');
        }
        out.push(c);
    }
    if !fraction.is_empty() {
        out.push(',');
        out.push_str(fraction);
    }
    out
}

pub(super) fn ratio(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) if b > 0.0 => Some(a / b),
        _ => None,
    }
}

/// Combien de fois le chapitre (`rust`) fait mieux que `other` : plus de
/// livraisons si `higher_is_better`, moins de latence ou de mémoire sinon.
pub(super) fn better(rust: Option<f64>, other: Option<f64>, higher_is_better: bool) -> Option<f64> {
    if higher_is_better {
        ratio(rust, other)
    } else {
        ratio(other, rust)
    }
}

/// Un rapport dans une case de tableau : « 3,0 × », ou « 25 % » si
/// `percent` ; un tiret s'il manque.
pub(super) fn ratio_cell(r: Option<f64>, percent: bool) -> String {
    match (r, percent) {
        (Some(r), true) => format!("{}\u{a0}%", fmt(Some(r * 100.0), 0)),
        (Some(r), false) => format!("{}\u{a0}×", fmt(Some(r), 1)),
        (None, _) => "—".to_owned(),
    }
}

/// La typographie française du livre (vérifiée par `cargo xtask book`) :
/// espace insécable avant `: ; ! ?` et `»`, après `«`, espace fine
/// insécable entre les groupes de chiffres. Le code en ligne n'est pas
/// touché.
pub(super) fn french(text: &str) -> String {
    const NBSP: char = '\u{a0}';
    const THIN: char = '\u{202f}';
    let mut out = String::with_capacity(text.len());
    for (n, line) in text.split('\n').enumerate() {
        if n > 0 {
            out.push('\n');
        }
        let chars: Vec<char> = line.chars().collect();
        let mut code = false;
        for (i, &c) in chars.iter().enumerate() {
            if c == '`' {
                code = !code;
            }
            if c != ' ' || code {
                out.push(c);
                continue;
            }
            let next = chars.get(i + 1).copied();
            let prev = i.checked_sub(1).map(|p| chars[p]);
            let thousands = prev.is_some_and(|p| p.is_ascii_digit())
                && chars.len() >= i + 4
                && chars[i + 1..i + 4].iter().all(char::is_ascii_digit)
                && chars.get(i + 4).is_none_or(|d| !d.is_ascii_digit());
            let before_mark = matches!(next, Some(':' | ';' | '?' | '»'))
                || (next == Some('!') && chars.get(i + 2) != Some(&'['));
            out.push(if before_mark || prev == Some('«') {
                NBSP
            } else if thousands {
                THIN
            } else {
                ' '
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn median_of_odd_and_even_series() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(median(&[f64::NAN]), None);
        assert_eq!(median(&[]), None);
    }

    #[test]
    fn french_typography_in_generated_text() {
        assert_eq!(
            french("(a) 1 000 clients : p99 ; « bruit » ! `a : b` ![img](x)"),
            "(a) 1\u{202f}000 clients\u{a0}: p99\u{a0}; «\u{a0}bruit\u{a0}»\u{a0}! `a : b` ![img](x)"
        );
        assert_eq!(
            french("| 15 / 15 | 8,3 × | 10 000 000 |"),
            "| 15 / 15 | 8,3 × | 10\u{202f}000\u{202f}000 |"
        );
    }

    #[test]
    fn decimals_use_a_comma_and_thousands_are_separated() {
        assert_eq!(fmt(Some(1142.84), 1), "1\u{202f}142,8");
        assert_eq!(fmt(Some(21.06), 1), "21,1");
        assert_eq!(fmt(Some(-1234.0), 0), "-1\u{202f}234");
        assert_eq!(fmt(Some(0.776), 2), "0,78");
        assert_eq!(fmt(None, 1), "—");
    }

    #[test]
    fn ratios_say_how_much_better_the_chapter_does() {
        // Deux fois plus de livraisons, deux fois moins de latence : 2 ×.
        assert_eq!(better(Some(200.0), Some(100.0), true), Some(2.0));
        assert_eq!(better(Some(10.0), Some(20.0), false), Some(2.0));
        assert_eq!(better(Some(1.0), None, true), None);
        assert_eq!(better(Some(1.0), Some(0.0), true), None);
        assert_eq!(ratio_cell(Some(0.25), true), "25\u{a0}%");
        assert_eq!(ratio_cell(Some(3.04), false), "3,0\u{a0}×");
        assert_eq!(ratio_cell(None, false), "—");
    }

    #[test]
    fn thousands_are_separated() {
        assert_eq!(thousands(1_624_000.4), "1\u{202f}624\u{202f}000");
        assert_eq!(thousands(999.0), "999");
    }
}
