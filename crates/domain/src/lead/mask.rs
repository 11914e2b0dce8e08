//! 脱敏: masking a reporter's personal data for everyone but the officers handling the lead.
//! Masking keeps enough to tell two people apart in a list, never enough to find one.

/// 张三丰 → 张**; one character stays.
pub fn name(s: &str) -> String {
    let mut chars = s.trim().chars();
    match chars.next() {
        None => String::new(),
        Some(first) => {
            let rest = chars.count().max(1);
            format!("{first}{}", "*".repeat(rest))
        }
    }
}

/// 13812345678 → 138****5678; anything shorter than 7 characters is masked whole.
pub fn phone(s: &str) -> String {
    let chars: Vec<char> = s.trim().chars().collect();
    if chars.len() < 7 {
        return "*".repeat(chars.len().max(3));
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 7))
}

/// An address keeps its first six characters (the district, usually) and no more.
pub fn address(s: &str) -> String {
    let chars: Vec<char> = s.trim().chars().collect();
    if chars.is_empty() {
        return String::new();
    }
    let keep = chars.len().min(6).min(chars.len() / 2 + 1);
    let head: String = chars[..keep].iter().collect();
    format!("{head}****")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks() {
        assert_eq!(name("张三丰"), "张**");
        assert_eq!(name("李"), "李*");
        assert_eq!(name(""), "");
        assert_eq!(phone("13812345678"), "138****5678");
        assert_eq!(phone("0632-3698609"), "063*****8609");
        assert_eq!(phone("12345"), "*****");
        assert_eq!(
            address("山东省枣庄市市中区光明路18号3单元"),
            "山东省枣庄市****"
        );
        assert_eq!(address("光明路"), "光明****");
    }

    #[test]
    fn masked_text_never_contains_the_middle() {
        let p = phone("13812345678");
        assert!(!p.contains("1234"));
        assert!(!address("山东省枣庄市市中区光明路18号").contains("18号"));
    }
}
