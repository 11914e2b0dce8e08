//! Validation and normalisation of one value per [`FieldKind`] (字段校验与规范化).
//!
//! Every function here is pure: a raw cell in, a normalised value (maybe with a warning) or a
//! Chinese reason out. Reasons name the field by its Chinese header. Empty input is `Ok(None)`;
//! whether that is allowed is the caller's decision (required fields, the record key).

mod date;
mod enums;

use meijian_domain::region::{RegionCode, RegionTable};
use meijian_domain::uscc::Uscc;

use crate::spec::{FieldKind, FieldSpec};

pub use date::{parse_date, DateError, OPEN_ENDED_DATE};

/// A valid, normalised value; `warning` (Chinese) when it was kept but looks wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Normalised {
    pub value: String,
    pub warning: Option<String>,
}

impl Normalised {
    fn ok(value: impl Into<String>) -> Normalised {
        Normalised {
            value: value.into(),
            warning: None,
        }
    }
}

/// Words that mean "no end date" in a 有效期至 column.
const OPEN_ENDED_WORDS: [&str; 5] = ["长期", "永久", "长期有效", "永久有效", "无固定期限"];
/// Separators of a [`FieldKind::List`].
const LIST_SEPARATORS: [char; 5] = ['；', ';', '、', ',', '，'];

impl FieldSpec {
    /// Validates and normalises one raw value of this field. `Ok(None)` for a blank value.
    pub fn normalise(&self, raw: &str) -> Result<Option<Normalised>, String> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Ok(None);
        }
        let header = self.header;
        let value = match self.kind {
            FieldKind::Text => Normalised::ok(trimmed),
            FieldKind::Code => Normalised::ok(code_text(trimmed)),
            FieldKind::UsccKey => uscc(header, trimmed, true)?,
            FieldKind::UsccReported => uscc(header, trimmed, false)?,
            FieldKind::Region => region(trimmed)?,
            FieldKind::Date => Normalised::ok(date(header, trimmed)?),
            FieldKind::DateOpenEnded => {
                let word: String = trimmed.chars().filter(|c| !c.is_whitespace()).collect();
                if OPEN_ENDED_WORDS.contains(&word.as_str()) {
                    Normalised::ok(OPEN_ENDED_DATE)
                } else {
                    Normalised::ok(date(header, trimmed)?)
                }
            }
            FieldKind::Enum(allowed) => match enums::normalise(allowed, trimmed) {
                Some(v) => Normalised::ok(v),
                None => {
                    return Err(format!(
                        "{header}“{trimmed}”不是允许的值，应为：{}",
                        allowed.join("、")
                    ))
                }
            },
            FieldKind::List => {
                let items: Vec<&str> = trimmed
                    .split(LIST_SEPARATORS)
                    .map(str::trim)
                    .filter(|item| !item.is_empty())
                    .collect();
                if items.is_empty() {
                    return Ok(None);
                }
                Normalised::ok(items.join("；"))
            }
            FieldKind::YesNo => Normalised::ok(yes_no(header, trimmed)?),
            FieldKind::Url => url(header, trimmed)?,
        };
        Ok(Some(value))
    }
}

/// Full-width ASCII (U+FF01–U+FF5E) and the ideographic space to their half-width forms.
pub fn half_width(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

/// An identifier: half-width, trimmed.
fn code_text(raw: &str) -> String {
    raw.chars()
        .map(half_width)
        .collect::<String>()
        .trim()
        .to_owned()
}

fn uscc(header: &str, raw: &str, is_key: bool) -> Result<Normalised, String> {
    match Uscc::parse(raw) {
        Ok(code) => {
            let warning = (!code.org_code_is_valid())
                .then(|| format!("{header}“{code}”中的组织机构代码（第9-17位）校验位不符，请核实"));
            Ok(Normalised {
                value: code.to_string(),
                warning,
            })
        }
        Err(e) => {
            let message = e.to_string();
            let reason = if message.starts_with(header) || message.starts_with("统一社会信用代码")
            {
                message
            } else {
                format!("{header}{message}")
            };
            if is_key {
                // DATA.md: "a row with an invalid code is reported, not linked by code".
                Ok(Normalised {
                    value: raw.trim().to_uppercase(),
                    warning: Some(format!("{reason}；该行已导入，但不能按代码与其他登记关联")),
                })
            } else {
                Ok(Normalised {
                    value: raw.to_owned(),
                    warning: Some(format!(
                        "{header}“{raw}”不是有效的统一社会信用代码（{reason}），按原样保留"
                    )),
                })
            }
        }
    }
}

fn region(raw: &str) -> Result<Normalised, String> {
    let code = RegionCode::parse(raw).map_err(|e| e.to_string())?;
    let warning = RegionTable::embedded().get(&code).is_none().then(|| {
        format!("行政区划代码“{code}”不在区划表中（可能是已撤销或调整的旧代码），按原样保留")
    });
    Ok(Normalised {
        value: code.to_string(),
        warning,
    })
}

fn date(header: &str, raw: &str) -> Result<String, String> {
    parse_date(raw)
        .map(date::format_date)
        .map_err(|e| format!("{header}“{raw}”{e}"))
}

fn yes_no(header: &str, raw: &str) -> Result<&'static str, String> {
    let word: String = raw
        .chars()
        .map(half_width)
        .collect::<String>()
        .trim()
        .to_ascii_lowercase();
    match word.as_str() {
        "是" | "y" | "yes" | "1" | "true" => Ok("是"),
        "否" | "n" | "no" | "0" | "false" => Ok("否"),
        _ => Err(format!("{header}“{raw}”应为“是”或“否”")),
    }
}

fn url(header: &str, raw: &str) -> Result<Normalised, String> {
    if raw.chars().any(char::is_whitespace) {
        return Err(format!("{header}“{raw}”中含有空白字符，不是有效的链接"));
    }
    let lower = raw.to_ascii_lowercase();
    let warning = (!lower.starts_with("http://") && !lower.starts_with("https://"))
        .then(|| format!("{header}“{raw}”不以 http:// 或 https:// 开头"));
    Ok(Normalised {
        value: raw.to_owned(),
        warning,
    })
}
