//! What the reader yields per data row: a normalised [`Record`] or a [`Rejection`] (被拒绝的行).
//!
//! Line numbers are 1-based and count the header: for CSV the physical line where the record
//! starts (a quoted field with newlines spans several lines), for XLSX the sheet row number.
//! A record never contains U+FFFD: undecodable text is a rejection.

use std::collections::BTreeMap;

use serde::Serialize;

/// One data row of a registry file, after validation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum ParsedRow {
    Ok(Record),
    Rejected(Rejection),
}

impl ParsedRow {
    /// The line number of the row, whatever its outcome.
    pub fn line(&self) -> u64 {
        match self {
            ParsedRow::Ok(record) => record.line,
            ParsedRow::Rejected(rejection) => rejection.line,
        }
    }
}

/// 记录: a valid row, with values normalised per [`crate::FieldKind`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Record {
    /// Line in the file (CSV: physical start line; XLSX: sheet row), header = 1.
    pub line: u64,
    /// 记录键: the normalised value of the registry's key field.
    pub key: String,
    /// Values by [`crate::FieldSpec::name`]; empty fields are absent.
    pub fields: BTreeMap<&'static str, String>,
    /// Values of columns the registry does not define, by their header text (额外属性).
    pub extras: BTreeMap<String, String>,
    /// Warnings in Chinese (kept values that look wrong: an invalid reported USCC, an unknown
    /// region code …).
    pub warnings: Vec<String>,
}

impl Record {
    /// The value of a field by its English name.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields.get(name).map(String::as_str)
    }
}

/// 被拒绝的行: a row that is not imported, with where and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Rejection {
    /// Line in the file, as for [`Record::line`].
    pub line: u64,
    /// The header as in the file, or "" for a problem with the whole row.
    pub column: String,
    /// The offending value as found (undecodable bytes shown as `\xNN`).
    pub value: String,
    /// Why, in Chinese, e.g. `统一社会信用代码校验位错误：应为“A”，实际为“B”`.
    pub reason: String,
}
