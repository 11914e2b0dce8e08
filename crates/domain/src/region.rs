//! 行政区划代码 (GB/T 2260): codes, levels and the province / city / county tree.
//!
//! [`RegionCode`] is a syntactically valid 6-digit code; it need not exist in the table, because
//! the region part of a USCC is the code at issuance and may have been abolished since.
//! [`RegionTable::embedded`] is the tree shipped in `data/regions.csv` (see `data/README.md` for
//! its source and revision); [`Jurisdiction`] (管辖范围) is a subtree, with the index range storage
//! uses to scope queries. Nothing here reads files or the network at run time.

mod jurisdiction;
mod table;

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

pub use jurisdiction::Jurisdiction;
pub use table::{RegionTable, RegionTableError};

/// 行政区划代码: six ASCII digits.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RegionCode(String);

/// The input is not six digits.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("行政区划代码应为6位数字，实际为“{0}”")]
pub struct RegionCodeError(pub String);

impl RegionCode {
    /// Parses six digits, after trimming whitespace and converting full-width digits.
    pub fn parse(input: &str) -> Result<RegionCode, RegionCodeError> {
        let code: String = input
            .trim()
            .chars()
            .map(|c| match c {
                '\u{FF10}'..='\u{FF19}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
                _ => c,
            })
            .collect();
        if code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()) {
            Ok(RegionCode(code))
        } else {
            Err(RegionCodeError(input.to_owned()))
        }
    }

    /// The six digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The prefix this code stands for under the GB/T 2260 rule: the 2-digit province part of
    /// a code ending in `0000`, the 4-digit part of one ending in `00`, else all six digits.
    pub fn prefix(&self) -> &str {
        if self.0.ends_with("0000") {
            &self.0[..2]
        } else if self.0.ends_with("00") {
            &self.0[..4]
        } else {
            &self.0
        }
    }

    /// The level the code's digits imply (`xx0000` province, `xxxx00` city, else county). The
    /// table's level is authoritative for codes it holds.
    pub fn implied_level(&self) -> RegionLevel {
        match self.prefix().len() {
            2 => RegionLevel::Province,
            4 => RegionLevel::City,
            _ => RegionLevel::County,
        }
    }
}

impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for RegionCode {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl FromStr for RegionCode {
    type Err = RegionCodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RegionCode::parse(s)
    }
}

impl TryFrom<String> for RegionCode {
    type Error = RegionCodeError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        RegionCode::parse(&s)
    }
}

impl From<RegionCode> for String {
    fn from(code: RegionCode) -> String {
        code.0
    }
}

/// 区划级别: the three levels the table holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegionLevel {
    /// 省级: province, autonomous region, municipality.
    Province,
    /// 市级 (地级): prefecture-level city, 地区, 自治州, 盟, and the pseudo-cities 市辖区 / 县 /
    /// 省直辖县级行政区划.
    City,
    /// 县级: district, county, county-level city, 旗 ….
    County,
}

impl RegionLevel {
    /// The code used in `regions.csv`: `province`, `city`, `county`.
    pub fn code(self) -> &'static str {
        match self {
            RegionLevel::Province => "province",
            RegionLevel::City => "city",
            RegionLevel::County => "county",
        }
    }

    /// The level for a code of [`RegionLevel::code`].
    pub fn from_code(code: &str) -> Option<RegionLevel> {
        [
            RegionLevel::Province,
            RegionLevel::City,
            RegionLevel::County,
        ]
        .into_iter()
        .find(|level| level.code() == code)
    }

    /// 省级 / 市级 / 县级.
    pub fn label_zh(self) -> &'static str {
        match self {
            RegionLevel::Province => "省级",
            RegionLevel::City => "市级",
            RegionLevel::County => "县级",
        }
    }
}

/// One row of the table: a region with its level and parent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Region {
    pub code: RegionCode,
    pub name: String,
    pub level: RegionLevel,
    /// `None` for provinces.
    pub parent: Option<RegionCode>,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use serde::de::{value::Error as DeError, IntoDeserializer};

    #[test]
    fn parse_accepts_six_digits_only() {
        assert_eq!(RegionCode::parse(" 370402 ").unwrap().as_str(), "370402");
        assert_eq!(
            RegionCode::parse("３７０４０２").unwrap().as_str(),
            "370402"
        );
        for bad in [
            "",
            "37040",
            "3704021",
            "37040a",
            "３７０４０",
            "37 402",
            "٣٧٠٤٠٢",
        ] {
            assert!(RegionCode::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            RegionCode::parse("12345").unwrap_err().to_string(),
            "行政区划代码应为6位数字，实际为“12345”"
        );
    }

    #[test]
    fn prefix_rule() {
        let cases = [
            ("370000", "37", RegionLevel::Province),
            ("370400", "3704", RegionLevel::City),
            ("370402", "370402", RegionLevel::County),
            ("110100", "1101", RegionLevel::City),
            ("419001", "419001", RegionLevel::County),
            ("000000", "00", RegionLevel::Province),
        ];
        for (code, prefix, level) in cases {
            let code = RegionCode::parse(code).unwrap();
            assert_eq!(code.prefix(), prefix);
            assert_eq!(code.implied_level(), level);
        }
    }

    #[test]
    fn levels() {
        for level in [
            RegionLevel::Province,
            RegionLevel::City,
            RegionLevel::County,
        ] {
            assert_eq!(RegionLevel::from_code(level.code()), Some(level));
            let de: Result<RegionLevel, DeError> =
                RegionLevel::deserialize(level.code().into_deserializer());
            assert_eq!(de.unwrap(), level);
        }
        assert_eq!(RegionLevel::from_code("town"), None);
        assert_eq!(RegionLevel::County.label_zh(), "县级");
        let code: Result<RegionCode, DeError> =
            RegionCode::deserialize("37040x".into_deserializer());
        assert!(code.is_err());
    }
}
