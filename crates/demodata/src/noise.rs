//! Text transforms behind the noise: full-width ↔ half-width, traditional characters, one-character
//! typos. Pure functions of their input and the random source; the decision to apply one and its
//! counting live in `gen::ctx`.

use crate::pools::{TRADE_CHARS, TRADITIONAL, TYPOS};
use crate::rng::Rng;

/// Whether [`toggle_width`] would change `s`.
pub(crate) fn has_width_chars(s: &str) -> bool {
    s.chars().any(|c| width_pair(c).is_some())
}

/// Half-width letters, digits and brackets become full-width and the other way round.
pub(crate) fn toggle_width(s: &str) -> String {
    s.chars().map(|c| width_pair(c).unwrap_or(c)).collect()
}

fn width_pair(c: char) -> Option<char> {
    match c {
        '(' => Some('（'),
        ')' => Some('）'),
        '（' => Some('('),
        '）' => Some(')'),
        '#' => Some('＃'),
        c if c.is_ascii_alphanumeric() => char::from_u32(c as u32 + 0xFEE0),
        c if ('０'..='９').contains(&c)
            || ('Ａ'..='Ｚ').contains(&c)
            || ('ａ'..='ｚ').contains(&c) =>
        {
            char::from_u32(c as u32 - 0xFEE0)
        }
        _ => None,
    }
}

/// Whether [`to_traditional`] would change `s`.
pub(crate) fn has_traditional(s: &str) -> bool {
    s.chars().any(|c| traditional_of(c).is_some())
}

/// Simplified characters that have a traditional form in the table are replaced by it.
pub(crate) fn to_traditional(s: &str) -> String {
    s.chars().map(|c| traditional_of(c).unwrap_or(c)).collect()
}

fn traditional_of(c: char) -> Option<char> {
    TRADITIONAL
        .iter()
        .find(|(simplified, traditional)| *simplified == c && simplified != traditional)
        .map(|&(_, t)| t)
}

/// `s` with one Chinese character replaced: by a look-alike or homophone when the table has one
/// for a character of `s`, else by a random 字号 character. `s` unchanged if it has none.
pub(crate) fn typo(s: &str, rng: &mut Rng) -> String {
    let mut chars: Vec<char> = s.chars().collect();
    let known: Vec<usize> = (0..chars.len())
        .filter(|&i| TYPOS.iter().any(|(c, _)| *c == chars[i]))
        .collect();
    if let Some(&i) = (!known.is_empty()).then(|| rng.pick(&known)) {
        if let Some((_, options)) = TYPOS.iter().find(|(c, _)| *c == chars[i]) {
            let options: Vec<char> = options.chars().collect();
            chars[i] = *rng.pick(&options);
        }
        return chars.into_iter().collect();
    }
    let cjk: Vec<usize> = (0..chars.len()).filter(|&i| !chars[i].is_ascii()).collect();
    if cjk.is_empty() {
        return s.to_string();
    }
    let i = *rng.pick(&cjk);
    for _ in 0..4 {
        let candidate = rng.pick(TRADE_CHARS).chars().next().unwrap_or('新');
        if candidate != chars[i] {
            chars[i] = candidate;
            break;
        }
    }
    chars.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn width_round_trips() {
        let s = "MISS美（薛城店）3号";
        let wide = toggle_width(s);
        assert_eq!(wide, "ＭＩＳＳ美(薛城店)３号");
        assert_eq!(toggle_width(&wide), s);
        assert!(!has_width_chars("悦颜医疗美容"));
    }

    #[test]
    fn traditional_and_typo_change_the_name() {
        assert_eq!(to_traditional("悦颜医疗美容门诊部"), "悅顏醫療美容門診部");
        let mut rng = Rng::new(1);
        for _ in 0..50 {
            let t = typo("悦颜医疗美容", &mut rng);
            assert_ne!(t, "悦颜医疗美容");
            assert_eq!(t.chars().count(), 6);
        }
    }
}
