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

    /// The value as shown in a rejection.
    pub(crate) fn shown(&self) -> &str {
        match self {
            RawField::Text(s) | RawField::Number(s) => s,
            RawField::Bad { shown, .. } => shown,
        }
    }
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
