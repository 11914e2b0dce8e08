//! Money in integer 分 (fen). Amounts are stored and computed in fen; officers type yuan with
//! up to two decimals ([`Fen::parse_yuan`]), and pages show yuan with thousands separators
//! ([`Fen::yuan_text`]: “1,234.50”).

use serde::{Deserialize, Serialize};

/// An amount of money in 分.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Fen(pub i64);

impl Fen {
    pub const ZERO: Fen = Fen(0);

    /// Whole yuan (a configured amount such as a reward's cap).
    pub fn from_yuan(yuan: i64) -> Fen {
        Fen(yuan.saturating_mul(100))
    }

    pub fn fen(self) -> i64 {
        self.0
    }

    /// Yuan as an officer types it: digits, optionally a point and one or two decimals;
    /// thousands separators (`,` `，`) and surrounding spaces are allowed. Empty is zero. The
    /// error says what is wrong, for a message naming the field.
    pub fn parse_yuan(text: &str) -> Result<Fen, &'static str> {
        let t: String = text
            .trim()
            .chars()
            .filter(|c| !matches!(c, ',' | '，'))
            .collect();
        if t.is_empty() {
            return Ok(Fen::ZERO);
        }
        if t.starts_with('-') {
            return Err("金额不能为负数");
        }
        let (whole, frac) = match t.split_once('.') {
            Some((w, f)) => (w, f),
            None => (t.as_str(), ""),
        };
        if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) {
            return Err("请填写数字金额（元），如 1234.56");
        }
        if !frac.bytes().all(|b| b.is_ascii_digit()) || (t.contains('.') && frac.is_empty()) {
            return Err("请填写数字金额（元），如 1234.56");
        }
        if frac.len() > 2 {
            return Err("金额最多精确到分（两位小数）");
        }
        let yuan: i64 = whole.parse().map_err(|_| "金额过大")?;
        let mut cents: i64 = if frac.is_empty() {
            0
        } else {
            frac.parse().unwrap_or(0)
        };
        if frac.len() == 1 {
            cents *= 10;
        }
        yuan.checked_mul(100)
            .and_then(|f| f.checked_add(cents))
            .filter(|f| *f <= 100_000_000_000_000)
            .map(Fen)
            .ok_or("金额过大")
    }

    /// Yuan with thousands separators and two decimals: “1,234.50”.
    pub fn yuan_text(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let whole = (abs / 100).to_string();
        let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
        for (i, c) in whole.chars().enumerate() {
            if i > 0 && (whole.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(c);
        }
        format!("{sign}{grouped}.{:02}", abs % 100)
    }

    /// Yuan as typed back into a form: “1234.5”, “1234”, empty for zero.
    pub fn yuan_input(self) -> String {
        if self.0 == 0 {
            return String::new();
        }
        let (w, c) = (self.0 / 100, (self.0 % 100).abs());
        match c {
            0 => w.to_string(),
            c if c % 10 == 0 => format!("{w}.{}", c / 10),
            c => format!("{w}.{c:02}"),
        }
    }
}

impl std::ops::Add for Fen {
    type Output = Fen;
    fn add(self, other: Fen) -> Fen {
        Fen(self.0.saturating_add(other.0))
    }
}

/// “1,234.50 元”.
impl std::fmt::Display for Fen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} 元", self.yuan_text())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yuan_typed_by_an_officer_becomes_fen() {
        assert_eq!(Fen::parse_yuan("1234.56"), Ok(Fen(123_456)));
        assert_eq!(Fen::parse_yuan(" 1,234.5 "), Ok(Fen(123_450)));
        assert_eq!(Fen::parse_yuan("200000"), Ok(Fen(20_000_000)));
        assert_eq!(Fen::parse_yuan("0.05"), Ok(Fen(5)));
        assert_eq!(Fen::parse_yuan(""), Ok(Fen::ZERO));
        for bad in ["1.234", "-5", "abc", "1.", ".5", "1e3", "１２"] {
            assert!(Fen::parse_yuan(bad).is_err(), "{bad}");
        }
        assert!(Fen::parse_yuan("99999999999999999999").is_err());
    }

    #[test]
    fn fen_shows_as_yuan_with_separators() {
        assert_eq!(Fen(123_456).yuan_text(), "1,234.56");
        assert_eq!(Fen(123_450).to_string(), "1,234.50 元");
        assert_eq!(Fen(5).yuan_text(), "0.05");
        assert_eq!(Fen::from_yuan(1_000_000).yuan_text(), "1,000,000.00");
        assert_eq!(Fen(123_450).yuan_input(), "1234.5");
        assert_eq!(Fen(123_456).yuan_input(), "1234.56");
        assert_eq!(Fen(100).yuan_input(), "1");
        assert_eq!(Fen::ZERO.yuan_input(), "");
        for f in [1, 99, 100, 123_456, 20_000_000] {
            assert_eq!(Fen::parse_yuan(&Fen(f).yuan_input()), Ok(Fen(f)));
        }
    }
}
