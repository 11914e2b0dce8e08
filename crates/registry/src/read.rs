//! Opening a registry file and streaming its rows (读取登记表文件).
//!
//! [`open`] detects the format by content (XLSX or CSV text; anything else is refused), the
//! text encoding and the delimiter, reads and maps the header, and returns a [`RowReader`]
//! that yields one [`ParsedRow`] per non-blank data row. Rows are read lazily: a file of
//! millions of rows is never held in memory. Only file-level problems are errors; a bad row is
//! a [`crate::Rejection`] and reading goes on. Blank rows (every cell empty) are skipped.

mod csv_source;
mod encoding;
mod header;
mod raw;
mod row_reader;
mod sniff;
mod validate;
mod xlsx_source;

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

use crate::error::FileError;
use crate::spec::{RegistryKind, RegistrySpec};

use csv_source::CsvSource;
use raw::{RawField, RawItem, RawRow};
use row_reader::Source;

pub use row_reader::RowReader;

pub use csv_source::MAX_RECORD_BYTES;
pub use sniff::{
    MAX_COMPRESSION_RATIO, MAX_UNCOMPRESSED_BYTES, MAX_ZIP_ENTRIES, RATIO_CHECK_FLOOR,
};

/// Bytes looked at for format, encoding and delimiter detection.
const PREFIX_BYTES: u64 = 256 * 1024;

/// 读取选项. The default detects everything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReadOptions {
    /// Force the encoding of a CSV file: `utf-8`, `gbk`, `gb18030` (also `utf-16le`,
    /// `utf-16be`); `None` or `auto` detects. A BOM in the file takes precedence.
    pub encoding: Option<String>,
    /// The XLSX sheet to read; `None` for the first one.
    pub sheet: Option<String>,
    /// Force the CSV delimiter; `None` sniffs comma or tab from the header line.
    pub delimiter: Option<u8>,
}

/// 文件格式.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileFormat {
    Csv,
    Xlsx,
}

/// What [`RowReader::progress`] counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProgressUnit {
    /// CSV: bytes of the file.
    Bytes,
    /// XLSX: rows of the sheet.
    Rows,
}

/// Opens a registry file of the given kind: detects format, encoding and delimiter, reads the
/// header row (the first non-blank row) and maps it. Fails only for file-level problems.
pub fn open(
    path: &Path,
    registry: RegistryKind,
    opts: &ReadOptions,
) -> Result<RowReader, FileError> {
    let spec = registry.spec();
    let mut file = File::open(path).map_err(|e| FileError::io(path, e))?;
    let bytes_total = file.metadata().map_err(|e| FileError::io(path, e))?.len();
    let mut prefix = Vec::new();
    (&mut file)
        .take(PREFIX_BYTES)
        .read_to_end(&mut prefix)
        .map_err(|e| FileError::io(path, e))?;
    if prefix.is_empty() {
        return Err(FileError::Empty);
    }
    let forced = encoding::forced(opts.encoding.as_deref())?;
    match sniff::sniff(&prefix, forced)? {
        sniff::Sniffed::Zip => {
            sniff::check_zip(&file)?;
            open_xlsx(path, spec, opts, bytes_total)
        }
        sniff::Sniffed::Text => {
            let whole = (prefix.len() as u64) < PREFIX_BYTES;
            let chosen = encoding::choose(&prefix, whole, forced);
            file.seek(SeekFrom::Start(chosen.bom_len as u64))
                .map_err(|e| FileError::io(path, e))?;
            let delimiter = opts.delimiter.unwrap_or_else(|| {
                let (text, _) = chosen.encoding.decode_without_bom_handling(&prefix);
                csv_source::sniff_delimiter(text.as_bytes())
            });
            let counter = Arc::new(AtomicU64::new(chosen.bom_len as u64));
            let mut source = CsvSource::new(file, &chosen, delimiter, Arc::clone(&counter));
            let header = first_row(std::iter::from_fn(|| source.next_item()), |reason| {
                FileError::io(path, std::io::Error::other(reason))
            })?;
            if let Some((index, RawField::Bad { shown, .. })) = header
                .fields
                .iter()
                .enumerate()
                .find(|(_, f)| f.text().is_none())
            {
                return Err(FileError::Encoding {
                    guessed: encoding::name(chosen.encoding).to_owned(),
                    detail: format!("编码{}；第{}列为“{shown}”", chosen.origin_zh(), index + 1),
                });
            }
            let map = header::map_headers(spec, &texts(&header))?;
            let delimiter_name = if delimiter == b'\t' {
                "制表符"
            } else if delimiter == b',' {
                "逗号"
            } else {
                "自定义分隔符"
            };
            Ok(RowReader {
                spec,
                map,
                source: Source::Csv(source),
                format: FileFormat::Csv,
                encoding: encoding::name(chosen.encoding),
                description: format!("CSV，{}，{delimiter_name}分隔", chosen.describe()),
                bytes_total,
                bytes_read: counter,
            })
        }
    }
}

fn open_xlsx(
    path: &Path,
    spec: &'static RegistrySpec,
    opts: &ReadOptions,
    bytes_total: u64,
) -> Result<RowReader, FileError> {
    let (mut source, sheet) = xlsx_source::open(path, opts.sheet.as_deref())?;
    let header = first_row(std::iter::from_fn(|| source.next_item()), |detail| {
        FileError::Xlsx { detail }
    })?;
    let map = header::map_headers(spec, &texts(&header))?;
    Ok(RowReader {
        spec,
        map,
        source: Source::Xlsx(source),
        format: FileFormat::Xlsx,
        encoding: "UTF-8",
        description: format!("XLSX，工作表“{sheet}”"),
        bytes_total,
        bytes_read: Arc::new(AtomicU64::new(0)),
    })
}

/// The first non-blank row: the header. `fail` turns a read failure into the file's error.
fn first_row(
    items: impl Iterator<Item = RawItem>,
    fail: impl Fn(String) -> FileError,
) -> Result<RawRow, FileError> {
    for item in items {
        match item {
            RawItem::Row(row) if row.is_blank() => continue,
            RawItem::Row(row) => return Ok(row),
            RawItem::Failed { reason, .. } => return Err(fail(reason)),
        }
    }
    Err(FileError::Empty)
}

fn texts(row: &RawRow) -> Vec<String> {
    row.fields
        .iter()
        .map(|f| f.text().unwrap_or_default().to_owned())
        .collect()
}
