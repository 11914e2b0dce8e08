//! Character folding (字符归一): the forms of one character that clerks type differently.
//!
//! Full-width letters, digits and brackets become half-width, Latin letters upper case,
//! traditional characters simplified (醫療 → 医疗, via `fast2s`), and spaces and punctuation
//! that carry no identity are dropped. Brackets are kept as `(` `)` because a bracketed part
//! of a name means something (a region, a branch).

use std::sync::OnceLock;

use meijian_registry::half_width;
use rustc_hash::FxHashSet;

/// The folded form of `text`.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut has_traditional = false;
    for c in text.chars() {
        let c = half_width(c);
        match c {
            '(' | '[' | '【' | '〔' | '［' => out.push('('),
            ')' | ']' | '】' | '〕' | '］' => out.push(')'),
            c if c.is_ascii_alphanumeric() => out.push(c.to_ascii_uppercase()),
            c if c.is_whitespace() || is_dropped_punctuation(c) => {}
            c => {
                has_traditional |= traditional().contains(&c);
                out.push(c);
            }
        }
    }
    if has_traditional {
        fast2s::convert(&out)
    } else {
        out
    }
}

/// The CJK characters `fast2s` changes on their own: a string without any is already
/// simplified, and converting it is skipped (most are; conversion costs a lookup per character).
fn traditional() -> &'static FxHashSet<char> {
    static SET: OnceLock<FxHashSet<char>> = OnceLock::new();
    SET.get_or_init(|| {
        ('\u{3400}'..='\u{9FFF}')
            .filter(|&c| {
                let mut buf = [0u8; 4];
                let s: &str = c.encode_utf8(&mut buf);
                fast2s::convert(s) != s
            })
            .collect()
    })
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
