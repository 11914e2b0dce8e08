//! Rows as the CSV and XLSX sources produce them, before header mapping and validation.

/// One cell, decoded but not validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum RawField {
    /// Text (from CSV, or a text/date/boolean cell of XLSX).
    Text(String),
    /// An XLSX number written as text without `.0` or exponent; Excel keeps only 15 digits.
    Number(String),
    /// A cell that cannot be read: undecodable bytes, an Excel error value.
    Bad { shown: String, reason: String },
}

impl RawField {
    pub(crate) fn text(&self) -> Option<&str> {
        match self {
            RawField::Text(s) | RawField::Number(s) => Some(s),
            RawField::Bad { .. } => None,
        }
    }

    pub(crate) fn is_blank(&self) -> bool {
        self.text().is_some_and(|s| s.trim().is_empty())
    }

    /// A text with a NUL character (U+0000) becomes a bad cell: PostgreSQL cannot store it in
    /// text, and no registry value has one, so the row is rejected instead of reaching the
    /// database. A bad cell keeps its reason; a NUL in what it shows is escaped.
    pub(crate) fn reject_nul(&mut self) {
        match self {
            RawField::Text(s) | RawField::Number(s) if s.contains('\0') => {
                *self = RawField::Bad {
                    shown: escape_nul(s),
                    reason: NUL_REASON.to_owned(),
                };
            }
            RawField::Bad { shown, .. } if shown.contains('\0') => *shown = escape_nul(shown),
            _ => {}
        }
    }

    /// The value as shown in a rejection.
    pub(crate) fn shown(&self) -> &str {
        match self {
            RawField::Text(s) | RawField::Number(s) => s,
            RawField::Bad { shown, .. } => shown,
        }
    }
}

/// Why a cell with U+0000 is rejected.
pub(crate) const NUL_REASON: &str = "含有不可见的控制字符 NUL（U+0000），请删除后重新导入";

/// The text with each NUL written as `\u{0000}`, so that a rejection can show and store it.
pub(crate) fn escape_nul(text: &str) -> String {
    text.replace('\0', "\\u{0000}")
}

/// A row with the line where it starts (1-based, header = 1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RawRow {
    pub line: u64,
    pub fields: Vec<RawField>,
}

impl RawRow {
    pub(crate) fn is_blank(&self) -> bool {
        self.fields.iter().all(RawField::is_blank)
    }
}

/// What a source yields: a row, or a failure that ends the file (the rows before it stand).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum RawItem {
    Row(RawRow),
    Failed { line: u64, reason: String },
}
