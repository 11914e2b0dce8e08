//! 统一社会信用代码 (unified social credit code, USCC; GB 32100-2015).
//!
//! [`Uscc`] is the only way to hold a code that has passed the checks: length 18, the 31-symbol
//! alphabet `0123456789ABCDEFGHJKLMNPQRTUWXY`, digits in positions 3–8 (the registering
//! authority's 行政区划码) and the MOD 31 check character of position 18. Input from registry
//! exports is normalised first (surrounding whitespace, full-width and lower-case letters).
//!
//! The embedded 组织机构代码 (positions 9–17, GB 11714) has its own check; a failure of it is only a
//! warning ([`Uscc::org_code_is_valid`]), never a parse error, because legacy records fail it.
//! Pure functions only: nothing here looks a code up anywhere.

mod entity_kind;
#[cfg(test)]
mod tests;

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

pub use entity_kind::EntityKind;

/// The 31 symbols of GB 32100, in value order (letters I, O, S, V, Z are not used).
pub const ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/// Weights of positions 1–17: `3^(i-1) mod 31`.
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// Weights of the 8 body characters of a GB 11714 organisation code.
const ORG_WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];

/// 统一社会信用代码: a validated, normalised 18-character code.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Uscc(String);

/// Why a string is not a valid 统一社会信用代码. Messages are for users, in Chinese.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum UsccError {
    /// Not 18 characters after normalisation.
    #[error("统一社会信用代码应为18位，实际为{found}位")]
    WrongLength { found: usize },
    /// [`Uscc::from_body`] was given a body that is not 17 characters.
    #[error("统一社会信用代码前17位应为17位，实际为{found}位")]
    WrongBodyLength { found: usize },
    /// A character outside the 31-symbol alphabet; `position` is 1-based.
    #[error("第{position}位字符“{ch}”不是统一社会信用代码允许的字符")]
    BadChar { ch: char, position: usize },
    /// Positions 3–8 (登记管理机关行政区划码) must be digits; `position` is 1-based.
    #[error("第{position}位字符“{ch}”应为数字（第3-8位为登记管理机关行政区划码）")]
    RegionNotDigits { ch: char, position: usize },
    /// The check character (position 18) does not match the first 17.
    #[error("校验位错误：应为“{expected}”，实际为“{found}”")]
    WrongCheck { expected: char, found: char },
}

impl Uscc {
    /// Parses and validates a code, after trimming whitespace and converting full-width ASCII
    /// letters and digits to half-width and lower case to upper case.
    pub fn parse(input: &str) -> Result<Uscc, UsccError> {
        let chars = normalise(input);
        if chars.len() != 18 {
            return Err(UsccError::WrongLength { found: chars.len() });
        }
        if let Some((i, &ch)) = chars.iter().enumerate().find(|(_, &c)| value(c).is_none()) {
            return Err(UsccError::BadChar {
                ch,
                position: i + 1,
            });
        }
        let expected = body_check_char(&chars[..17])?;
        let found = chars[17];
        if found != expected {
            return Err(UsccError::WrongCheck { expected, found });
        }
        Ok(Uscc(chars.into_iter().collect()))
    }

    /// Builds a code from its first 17 characters (normalised like [`Uscc::parse`]) by appending
    /// the check character.
    pub fn from_body(first17: &str) -> Result<Uscc, UsccError> {
        let mut chars = normalise(first17);
        if chars.len() != 17 {
            return Err(UsccError::WrongBodyLength { found: chars.len() });
        }
        let check = body_check_char(&chars)?;
        chars.push(check);
        Ok(Uscc(chars.into_iter().collect()))
    }

    /// The code, 18 ASCII characters.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Position 1: 登记管理部门码 (registration authority).
    pub fn registration_authority(&self) -> char {
        char::from(self.0.as_bytes()[0])
    }

    /// Position 2: 机构类别码 (entity category under that authority).
    pub fn entity_category(&self) -> char {
        char::from(self.0.as_bytes()[1])
    }

    /// Positions 3–8: 行政区划码 of the registering authority at issuance. It may be a code
    /// that no longer exists.
    pub fn region_code(&self) -> &str {
        &self.0[2..8]
    }

    /// Positions 9–17: the embedded 组织机构代码 (8 body characters and its own check).
    pub fn org_code(&self) -> &str {
        &self.0[8..17]
    }

    /// Whether the embedded 组织机构代码 passes its GB 11714 check. A warning only.
    pub fn org_code_is_valid(&self) -> bool {
        org_code_check_char(&self.0[8..16]) == Some(char::from(self.0.as_bytes()[16]))
    }

    /// The kind of entity given by positions 1–2.
    pub fn entity_kind(&self) -> EntityKind {
        EntityKind::from_codes(self.registration_authority(), self.entity_category())
    }
}

/// The check character for 17 characters of the alphabet, or `None` if `first17` is not
/// exactly 17 alphabet characters. No normalisation and no digit check on positions 3–8.
pub fn check_char(first17: &str) -> Option<char> {
    let chars: Vec<char> = first17.chars().collect();
    if chars.len() != 17 {
        return None;
    }
    let mut sum = 0;
    for (&c, w) in chars.iter().zip(WEIGHTS) {
        sum += value(c)? * w;
    }
    Some(check_symbol(sum))
}

/// The GB 11714 check character of an 8-character organisation-code body (`0-9A-Z`), or `None`
/// if `body8` is not 8 such characters. `11 - S mod 11`, with 10 written `X` and 11 written `0`.
pub fn org_code_check_char(body8: &str) -> Option<char> {
    let chars: Vec<char> = body8.chars().collect();
    if chars.len() != 8 {
        return None;
    }
    let mut sum = 0;
    for (&c, w) in chars.iter().zip(ORG_WEIGHTS) {
        let v = match c {
            '0'..='9' | 'A'..='Z' => c.to_digit(36)?,
            _ => return None,
        };
        sum += v * w;
    }
    match 11 - sum % 11 {
        10 => Some('X'),
        11 => Some('0'),
        n => char::from_digit(n, 10),
    }
}

/// Validates 17 normalised characters and returns their check character.
fn body_check_char(chars: &[char]) -> Result<char, UsccError> {
    let mut sum = 0;
    for ((i, &ch), w) in chars.iter().enumerate().zip(WEIGHTS) {
        let v = value(ch).ok_or(UsccError::BadChar {
            ch,
            position: i + 1,
        })?;
        sum += v * w;
    }
    for (i, &ch) in chars.iter().enumerate().take(8).skip(2) {
        if !ch.is_ascii_digit() {
            return Err(UsccError::RegionNotDigits {
                ch,
                position: i + 1,
            });
        }
    }
    Ok(check_symbol(sum))
}

fn normalise(input: &str) -> Vec<char> {
    input
        .trim()
        .chars()
        .map(|c| match c {
            '\u{FF10}'..='\u{FF19}' | '\u{FF21}'..='\u{FF3A}' | '\u{FF41}'..='\u{FF5A}' => {
                char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c)
            }
            _ => c,
        })
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

fn value(c: char) -> Option<u32> {
    let index = ALPHABET.chars().position(|a| a == c)?;
    u32::try_from(index).ok()
}

/// The check character for a weighted sum: `(31 - S mod 31) mod 31`, through the alphabet.
fn check_symbol(sum: u32) -> char {
    let v = (31 - sum % 31) % 31;
    char::from(ALPHABET.as_bytes()[v as usize])
}

impl fmt::Display for Uscc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Uscc {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl FromStr for Uscc {
    type Err = UsccError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uscc::parse(s)
    }
}

impl TryFrom<String> for Uscc {
    type Error = UsccError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Uscc::parse(&s)
    }
}

impl From<Uscc> for String {
    fn from(code: Uscc) -> String {
        code.0
    }
}
