//! Character folding (字符归一): the forms of one character that clerks type differently.
//!
//! Full-width letters, digits and brackets become half-width, Latin letters upper case,
//! traditional characters simplified (醫療 → 医疗, via `fast2s`), and spaces and punctuation
//! that carry no identity are dropped. Brackets are kept as `(` `)` because a bracketed part
//! of a name means something (a region, a branch).

/// The folded form of `text`.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut has_cjk = false;
    for c in text.chars() {
        let c = half_width(c);
        match c {
            '(' | '[' | '【' | '〔' | '［' => out.push('('),
            ')' | ']' | '】' | '〕' | '］' => out.push(')'),
            c if c.is_ascii_alphanumeric() => out.push(c.to_ascii_uppercase()),
            c if c.is_whitespace() || is_dropped_punctuation(c) => {}
            c => {
                has_cjk |= !c.is_ascii();
                out.push(c);
            }
        }
    }
    if has_cjk {
        fast2s::convert(&out)
    } else {
        out
    }
}

/// Full-width ASCII (U+FF01–U+FF5E) and the ideographic space as their half-width forms.
pub fn half_width(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

/// Punctuation that clerks add or leave out at will: dots, dashes, quotes, commas.
fn is_dropped_punctuation(c: char) -> bool {
    matches!(
        c,
        '·' | '•'
            | '.'
            | '。'
            | '-'
            | '—'
            | '_'
            | '\''
            | '"'
            | '“'
            | '”'
            | '‘'
            | '’'
            | ','
            | '，'
            | '、'
            | '/'
            | '\\'
            | '&'
            | '＆'
            | '*'
            | '!'
            | '！'
            | '?'
            | '？'
            | ':'
            | '：'
            | ';'
            | '；'
            | '|'
            | '《'
            | '》'
            | '<'
            | '>'
            | '「'
            | '」'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_width_case_brackets_and_traditional() {
        assert_eq!(fold("ＡＢＣ美容（薛城店）"), "ABC美容(薛城店)");
        assert_eq!(fold("abc 醫療美容"), "ABC医疗美容");
        assert_eq!(fold("悦·颜"), "悦颜");
        assert_eq!(fold("【悦颜】"), "(悦颜)");
    }
}
