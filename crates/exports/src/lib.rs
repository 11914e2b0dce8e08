//! Tables people take away: one table model ([`Table`], typed [`Cell`]s) written to XLSX
//! ([`to_xlsx`]) for Excel and WPS, and to DOCX ([`to_docx`]) for the 汇总表 and typical cases
//! handed up on paper (decision 0015).
//!
//! Rows come from an iterator, so a caller can feed a million rows without holding them: the
//! XLSX writer keeps the first [`SAMPLE_ROWS`] rows to size the columns, then streams every
//! further row to a temporary file (rust_xlsxwriter's constant-memory mode).
//!
//! Rules kept from the first exports of the web application:
//! - every cell is a string or a plain number, never a formula, so a value such as
//!   `=HYPERLINK(…)` from an import cannot execute in the reader's spreadsheet (ASVS 1.2.10);
//!   the caller says what is a number ([`Cell::Int`], [`Cell::Decimal`]);
//! - a text longer than a cell may hold is cut to fit, ending with a mark that says so
//!   ([`fit_cell`]): one long value must not make the whole file fail;
//! - a bold header row, frozen; an optional bold title row merged over the columns;
//! - columns as wide as their content, a Chinese character counting two.

mod docx;
pub mod typical;
mod xlsx;

use std::borrow::Cow;

pub use docx::{to_docx, to_docx_bytes};
pub use xlsx::{to_xlsx, to_xlsx_bytes, to_xlsx_file};

/// The most a cell holds: 32,767 characters, as Excel counts them (UTF-16 code units).
/// rust_xlsxwriter refuses a string of more `char`s; a `char` is one or two UTF-16 code units,
/// so a text within this many code units passes both.
pub const MAX_CELL_UNITS: usize = 32_767;

/// How many rows, from the first, size the columns. They are held in memory until the columns
/// are known; a table that ends within them is written as a whole workbook in memory (shared
/// strings, as Excel writes it), a longer one is streamed (inline strings, bounded memory).
pub const SAMPLE_ROWS: usize = 1_000;

/// What went wrong while writing an export.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("xlsx: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    #[error("docx: {0}")]
    Docx(String),
    /// The row source failed (e.g. a database stream).
    #[error("rows: {0}")]
    Rows(Box<dyn std::error::Error + Send + Sync>),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// What a column holds: it aligns numbers in DOCX and documents the intent; the cells say what
/// they are themselves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Number,
    /// A date or a time, written as text as people read it (`2026-11-22 09:30`).
    Date,
}

/// One column: its header, what it holds, and optionally a fixed width in Excel's character
/// units (otherwise from the content).
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub header: String,
    pub kind: Kind,
    pub width: Option<f64>,
}

impl Column {
    pub fn text(header: impl Into<String>) -> Self {
        Self::of(header, Kind::Text)
    }
    pub fn number(header: impl Into<String>) -> Self {
        Self::of(header, Kind::Number)
    }
    pub fn date(header: impl Into<String>) -> Self {
        Self::of(header, Kind::Date)
    }
    pub fn of(header: impl Into<String>, kind: Kind) -> Self {
        Self {
            header: header.into(),
            kind,
            width: None,
        }
    }
    /// A fixed width in Excel's character units.
    pub fn width(mut self, width: f64) -> Self {
        self.width = Some(width);
        self
    }
}

/// A table to export: the sheet's name, an optional title above the header (e.g.
/// `枣庄市薛城区 有照无证主体名单（比对基准日 2026-11-22）`), and the columns.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub sheet: String,
    pub title: Option<String>,
    pub columns: Vec<Column>,
}

impl Table {
    pub fn new(sheet: impl Into<String>, columns: Vec<Column>) -> Self {
        Self {
            sheet: sheet.into(),
            title: None,
            columns,
        }
    }
    /// Text columns named by `headers`: the common case.
    pub fn of_texts(sheet: impl Into<String>, headers: &[&str]) -> Self {
        Self::new(sheet, headers.iter().copied().map(Column::text).collect())
    }
    pub fn titled(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }
}

/// One cell, typed by the caller.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    /// A count; written as an Excel number (exact up to 2^53).
    Int(i64),
    /// An amount.
    Decimal(f64),
    Empty,
}

impl Cell {
    pub fn text(text: impl Into<String>) -> Self {
        Cell::Text(text.into())
    }
    /// A count (序号, 件数).
    pub fn int(n: impl Into<i64>) -> Self {
        Cell::Int(n.into())
    }
    /// A count of things in memory (`usize` from `enumerate`), saturating.
    pub fn count(n: usize) -> Self {
        Cell::Int(i64::try_from(n).unwrap_or(i64::MAX))
    }
    /// For a text whose kind is not known (a registry value as imported): a plain number by
    /// [`as_number`], otherwise text. Prefer saying what the cell is.
    pub fn guess(text: &str) -> Self {
        match as_number(text) {
            Some(n) if !text.contains('.') && n.abs() < 9.0e15 => Cell::Int(n as i64),
            Some(n) => Cell::Decimal(n),
            None if text.is_empty() => Cell::Empty,
            None => Cell::text(text),
        }
    }
    /// The cell as people read it (the DOCX text, and the width).
    pub fn display(&self) -> Cow<'_, str> {
        match self {
            Cell::Text(t) => Cow::Borrowed(t),
            Cell::Int(n) => Cow::Owned(n.to_string()),
            Cell::Decimal(d) => Cow::Owned(d.to_string()),
            Cell::Empty => Cow::Borrowed(""),
        }
    }
}

impl From<String> for Cell {
    fn from(t: String) -> Self {
        Cell::Text(t)
    }
}
impl From<&str> for Cell {
    fn from(t: &str) -> Self {
        Cell::text(t)
    }
}
impl From<Option<String>> for Cell {
    fn from(t: Option<String>) -> Self {
        t.map_or(Cell::Empty, Cell::Text)
    }
}

/// A row as the writers take it: a plain `Vec<Cell>`, or a `Result` from a fallible source
/// whose error ends the export as [`Error::Rows`].
pub trait IntoRow {
    fn into_row(self) -> Result<Vec<Cell>, Error>;
}

impl IntoRow for Vec<Cell> {
    fn into_row(self) -> Result<Vec<Cell>, Error> {
        Ok(self)
    }
}

impl<E> IntoRow for Result<Vec<Cell>, E>
where
    E: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    fn into_row(self) -> Result<Vec<Cell>, Error> {
        self.map_err(|e| Error::Rows(e.into()))
    }
}

/// `text` cut to fit a cell when it is longer, ending with `…（内容过长，已截断，原文 N 字）`
/// (N in characters, as people count them).
pub fn fit_cell(text: &str) -> Cow<'_, str> {
    // Quick exit: a UTF-16 code unit takes at least one UTF-8 byte.
    if text.len() <= MAX_CELL_UNITS || text.encode_utf16().count() <= MAX_CELL_UNITS {
        return Cow::Borrowed(text);
    }
    let mark = format!("…（内容过长，已截断，原文 {} 字）", text.chars().count());
    let room = MAX_CELL_UNITS - mark.encode_utf16().count();
    let mut used = 0;
    let mut out = String::with_capacity(room * 3 + mark.len());
    for c in text.chars() {
        used += c.len_utf16();
        if used > room {
            break;
        }
        out.push(c);
    }
    out.push_str(&mark);
    Cow::Owned(out)
}

/// A count or an amount in a text: plain decimals of at most ten digits before the point and
/// four after, without a leading zero. Codes keep their text (a USCC has letters; phone and
/// identity numbers are longer; `0532` has a leading zero). Used by [`Cell::guess`].
pub fn as_number(text: &str) -> Option<f64> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let plain = !int.is_empty()
        && int.len() <= 10
        && int.bytes().all(|b| b.is_ascii_digit())
        && (int == "0" || !int.starts_with('0'))
        && frac.len() <= 4
        && frac.bytes().all(|b| b.is_ascii_digit())
        && !(digits.contains('.') && frac.is_empty());
    if plain {
        text.parse().ok()
    } else {
        None
    }
}

/// Columns a text takes in Excel's default font: a wide (Chinese) character two, others one.
pub fn display_width(text: &str) -> usize {
    text.chars()
        .take(200)
        .map(|c| if c.len_utf8() >= 3 { 2 } else { 1 })
        .sum()
}

/// The width of each column in Excel's character units: the column's own, or from the header
/// and `sample` rows (between 6 and 60 characters, plus 2 of margin). A row longer than the
/// columns widens the table.
pub fn widths(table: &Table, sample: &[Vec<Cell>]) -> Vec<f64> {
    let mut chars: Vec<usize> = table
        .columns
        .iter()
        .map(|c| display_width(&c.header))
        .collect();
    for row in sample {
        if row.len() > chars.len() {
            chars.resize(row.len(), 0);
        }
        for (c, cell) in row.iter().enumerate() {
            chars[c] = chars[c].max(display_width(&cell.display()));
        }
    }
    chars
        .iter()
        .enumerate()
        .map(|(c, w)| {
            table
                .columns
                .get(c)
                .and_then(|col| col.width)
                .unwrap_or((*w).clamp(6, 60) as f64 + 2.0)
        })
        .collect()
}

/// The table as plain text, one line per row, cells as `"text"`, `12`, `12.5` or `·` (empty):
/// what a snapshot test of an export's layout compares, independent of the file format.
pub fn preview<I>(table: &Table, rows: I) -> Result<String, Error>
where
    I: IntoIterator,
    I::Item: IntoRow,
{
    use std::fmt::Write as _;
    let mut out = format!("sheet: {}\n", table.sheet);
    if let Some(title) = &table.title {
        let _ = writeln!(out, "title: {title}");
    }
    let columns: Vec<String> = table
        .columns
        .iter()
        .map(|c| match c.width {
            Some(w) => format!("{} ({:?}, {w})", c.header, c.kind),
            None => format!("{} ({:?})", c.header, c.kind),
        })
        .collect();
    let _ = writeln!(out, "columns: {}", columns.join(" | "));
    for row in rows {
        let cells: Vec<String> = row
            .into_row()?
            .iter()
            .map(|c| match c {
                Cell::Text(t) => format!("{t:?}"),
                Cell::Int(n) => n.to_string(),
                Cell::Decimal(d) => format!("{d:?}"),
                Cell::Empty => "·".to_string(),
            })
            .collect();
        let _ = writeln!(out, "{}", cells.join(" | "));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn counts_and_amounts_are_numbers_and_codes_stay_text() {
        for (text, number) in [
            ("0", Some(0.0)),
            ("42", Some(42.0)),
            ("-7", Some(-7.0)),
            ("200000", Some(200_000.0)),
            ("12.5", Some(12.5)),
            ("91370402MA3CKX0N1B", None),
            ("13812345678", None),
            ("0532", None),
            ("370402199001011234", None),
            ("2026-11-22", None),
            ("12.", None),
            ("", None),
            ("=1+1", None),
        ] {
            assert_eq!(as_number(text), number, "{text}");
        }
        assert_eq!(display_width("枣庄ab"), 6);
        assert_eq!(Cell::guess("42"), Cell::Int(42));
        assert_eq!(Cell::guess("12.5"), Cell::Decimal(12.5));
        assert_eq!(Cell::guess("0532"), Cell::text("0532"));
        assert_eq!(Cell::guess(""), Cell::Empty);
    }

    #[test]
    fn a_long_text_is_cut_to_fit_with_a_mark() {
        assert_eq!(fit_cell("短文本"), "短文本");
        let exact = "字".repeat(MAX_CELL_UNITS);
        assert!(matches!(fit_cell(&exact), Cow::Borrowed(_)));
        let long = "名".repeat(100_000);
        let cut = fit_cell(&long);
        assert_eq!(cut.encode_utf16().count(), MAX_CELL_UNITS);
        assert!(
            cut.ends_with("…（内容过长，已截断，原文 100000 字）"),
            "{}",
            &cut[cut.len() - 80..]
        );
        assert!(cut.starts_with("名名名"));
        // Characters outside the BMP count twice, as in Excel; a pair is never split.
        let astral = "𠀀".repeat(20_000); // 20,000 chars, 40,000 UTF-16 units
        let cut = fit_cell(&astral);
        assert!(cut.encode_utf16().count() <= MAX_CELL_UNITS);
        assert!(cut.ends_with("原文 20000 字）"));
        let within = "𠀀".repeat(16_000); // 32,000 units: fits
        assert!(matches!(fit_cell(&within), Cow::Borrowed(_)));
        // Each of them is written where rust_xlsxwriter alone refuses the original.
        for text in [long.as_str(), astral.as_str(), "=HYPERLINK(\"x\")"] {
            let rows = vec![vec![Cell::text(text)]];
            to_xlsx_bytes(&Table::of_texts("表", &["列"]), rows.clone()).unwrap();
            let titled = Table::of_texts("表", &["甲", "乙"]).titled(text);
            to_xlsx_bytes(&titled, rows.clone()).unwrap();
            to_docx_bytes(&titled, rows).unwrap();
        }
        assert!(rust_xlsxwriter::Workbook::new()
            .add_worksheet()
            .write_string(0, 0, &long)
            .is_err());
    }

    #[test]
    fn a_failing_row_source_ends_the_export_with_its_error() {
        let rows: Vec<Result<Vec<Cell>, std::io::Error>> = vec![
            Ok(vec![Cell::text("a")]),
            Err(std::io::Error::other("数据库断开")),
        ];
        let err = to_xlsx_bytes(&Table::of_texts("表", &["列"]), rows).unwrap_err();
        assert!(matches!(err, Error::Rows(_)), "{err}");
        assert!(err.to_string().contains("数据库断开"));
    }
}
