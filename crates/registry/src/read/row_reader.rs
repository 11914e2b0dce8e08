//! [`RowReader`]: the iterator over the data rows of an opened file, with what a report and
//! a progress bar need to know about it. Opening lives in the parent module.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use super::csv_source::CsvSource;
use super::header::HeaderMap;
use super::raw::{escape_nul, RawItem};
use super::validate;
use super::xlsx_source::XlsxSource;
use super::{FileFormat, ProgressUnit};
use crate::row::{ParsedRow, Rejection};
use crate::spec::{RegistryKind, TableSpec};

pub(super) enum Source {
    Csv(CsvSource),
    Xlsx(XlsxSource),
}

impl Source {
    pub(super) fn next_item(&mut self) -> Option<RawItem> {
        match self {
            Source::Csv(source) => source.next_item(),
            Source::Xlsx(source) => source.next_item(),
        }
    }
}

/// The data rows of an opened file; see [`crate::open`] and [`crate::open_table`].
pub struct RowReader {
    /// The registry, for a registry file.
    pub(super) registry: Option<RegistryKind>,
    pub(super) spec: TableSpec,
    pub(super) map: HeaderMap,
    pub(super) source: Source,
    pub(super) format: FileFormat,
    pub(super) encoding: &'static str,
    pub(super) description: String,
    pub(super) bytes_total: u64,
    pub(super) bytes_read: Arc<AtomicU64>,
}

impl RowReader {
    /// The registry being read; `None` for a file opened by [`crate::open_table`].
    pub fn registry(&self) -> Option<RegistryKind> {
        self.registry
    }

    /// The header cells as found in the file (BOM and surrounding whitespace removed).
    pub fn headers(&self) -> &[String] {
        &self.map.headers
    }

    /// Headers of the columns the registry does not define, kept as extra attributes.
    pub fn extra_columns(&self) -> Vec<&str> {
        self.map.extra_columns()
    }

    /// The text encoding used: `UTF-8`, `GB18030`, `UTF-16LE` or `UTF-16BE` (XLSX: `UTF-8`).
    pub fn encoding(&self) -> &'static str {
        self.encoding
    }

    /// For a report: format, encoding and how it was chosen, delimiter or sheet, in Chinese.
    pub fn describe(&self) -> &str {
        &self.description
    }

    pub fn format(&self) -> FileFormat {
        self.format
    }

    /// Size of the file in bytes.
    pub fn bytes_total(&self) -> u64 {
        self.bytes_total
    }

    /// Bytes read so far (CSV, read-ahead included); for XLSX an estimate from the rows read.
    pub fn bytes_read(&self) -> u64 {
        match &self.source {
            Source::Csv(_) => self
                .bytes_read
                .load(Ordering::Relaxed)
                .min(self.bytes_total),
            Source::Xlsx(source) => {
                let (done, total) = source.progress();
                let estimate =
                    u128::from(self.bytes_total) * u128::from(done) / u128::from(total.max(1));
                u64::try_from(estimate).unwrap_or(self.bytes_total)
            }
        }
    }

    /// (done, total) in [`RowReader::progress_unit`]s.
    pub fn progress(&self) -> (u64, u64) {
        match &self.source {
            Source::Csv(_) => (self.bytes_read(), self.bytes_total),
            Source::Xlsx(source) => source.progress(),
        }
    }

    pub fn progress_unit(&self) -> ProgressUnit {
        match self.format {
            FileFormat::Csv => ProgressUnit::Bytes,
            FileFormat::Xlsx => ProgressUnit::Rows,
        }
    }
}

impl Iterator for RowReader {
    type Item = ParsedRow;

    fn next(&mut self) -> Option<ParsedRow> {
        loop {
            match self.source.next_item()? {
                RawItem::Row(row) if row.is_blank() => continue,
                RawItem::Row(row) => {
                    let xlsx = self.format == FileFormat::Xlsx;
                    return Some(validate::validate(self.spec, &self.map, row, xlsx));
                }
                RawItem::Failed { line, reason } => {
                    // A parser's message may quote the text it failed on.
                    return Some(ParsedRow::Rejected(Rejection {
                        line,
                        column: String::new(),
                        value: String::new(),
                        reason: escape_nul(&reason),
                    }));
                }
            }
        }
    }
}
