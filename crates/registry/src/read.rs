//! Opening a registry file and streaming its rows (读取登记表文件).
//!
//! [`open`] detects the format by content (XLSX or CSV text; anything else is refused), the
//! text encoding and the delimiter, reads and maps the header, and returns a [`RowReader`]
//! that yields one [`ParsedRow`] per non-blank data row. Rows are read lazily: a file of
//! millions of rows is never held in memory. Only file-level problems are errors; a bad row is
//! a [`crate::Rejection`] and reading goes on. Blank rows (every cell empty) are skipped.
//!
//! An XLSX workbook passes the ZIP guard (sniff.rs), then its header row is read straight from
//! the sheet's XML and checked before the workbook is opened (xlsx_stream.rs); its rows come
//! from calamine when the shared strings fit [`SHARED_STRINGS_IN_MEMORY_BYTES`], else from the
//! streaming reader, which keeps them in a temporary file. Either way the memory of reading no
//! longer grows with the size of the shared strings.

mod csv_source;
mod encoding;
mod header;
mod raw;
mod row_reader;
mod sniff;
mod validate;
mod xlsx_book;
mod xlsx_source;
mod xlsx_stream;
mod xlsx_strings;
#[cfg(test)]
mod xlsx_tests;
mod xlsx_xml;

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

use crate::error::FileError;
use crate::spec::{RegistryKind, TableSpec};

use csv_source::CsvSource;
use raw::{RawField, RawItem, RawRow};
use row_reader::Source;

pub use row_reader::RowReader;

pub use csv_source::MAX_RECORD_BYTES;
pub use sniff::{
    MAX_COMPRESSION_RATIO, MAX_SHARED_STRINGS_BYTES, MAX_UNCOMPRESSED_BYTES, MAX_ZIP_ENTRIES,
    RATIO_CHECK_FLOOR,
};

/// Bytes looked at for format, encoding and delimiter detection.
const PREFIX_BYTES: u64 = 256 * 1024;

/// Shared strings up to this size unpacked (64 MiB) are read by calamine, which holds the
/// whole table in memory, one `String` per string: about 1.5 times the XML for a registry
/// export (a 100,000-row export's 31 MiB table: 46 MB resident in all), at worst 3 times for a
/// table of one-character strings (measured: 197 MB). A larger table is written to a temporary
/// file and the sheet is read by this crate's own streaming reader in a few megabytes (a
/// million-row export: 8 MB resident), at about 1.5 times calamine's CPU time. 64 MiB keeps
/// exports of up to 100,000 to 200,000 rows (depending on their texts' length) on calamine.
pub const SHARED_STRINGS_IN_MEMORY_BYTES: u64 = 64 * 1024 * 1024;

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
    open_with(path, Some(registry), registry.spec().table(), opts)
}

/// Opens a file laid out as `table` by the registries' rules (format, encoding, delimiter,
/// Chinese headers or English aliases, extra columns, row rejections): a file that is not one
/// of the registries, such as the enforcement history files of DATA.md.
pub fn open_table(
    path: &Path,
    table: TableSpec,
    opts: &ReadOptions,
) -> Result<RowReader, FileError> {
    open_with(path, None, table, opts)
}

fn open_with(
    path: &Path,
    registry: Option<RegistryKind>,
    spec: TableSpec,
    opts: &ReadOptions,
) -> Result<RowReader, FileError> {
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
            open_xlsx(path, registry, spec, opts, bytes_total)
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
                registry,
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
    registry: Option<RegistryKind>,
    spec: TableSpec,
    opts: &ReadOptions,
    bytes_total: u64,
) -> Result<RowReader, FileError> {
    open_xlsx_with(
        path,
        registry,
        spec,
        opts,
        bytes_total,
        SHARED_STRINGS_IN_MEMORY_BYTES,
    )
}

/// [`open_xlsx`] with shared strings over `in_memory` bytes read by the streaming reader.
fn open_xlsx_with(
    path: &Path,
    registry: Option<RegistryKind>,
    spec: TableSpec,
    opts: &ReadOptions,
    bytes_total: u64,
    in_memory: u64,
) -> Result<RowReader, FileError> {
    let (mut source, sheet) = open_sheet(path, spec, opts, in_memory)?;
    let header = first_row(std::iter::from_fn(|| source.next_item()), |detail| {
        FileError::Xlsx { detail }
    })?;
    let map = header::map_headers(spec, &texts(&header))?;
    Ok(RowReader {
        registry,
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

/// Checks the header of the chosen sheet and starts reading its rows: with calamine when the
/// shared strings are at most `in_memory` bytes, else with the streaming reader.
///
/// The header row is read first, straight from the sheet's XML, with only the shared strings
/// it uses (the table is streamed up to the highest of them): a workbook with wrong headers is
/// refused before anything large is unpacked, however large its shared strings are.
fn open_sheet(
    path: &Path,
    spec: TableSpec,
    opts: &ReadOptions,
    in_memory: u64,
) -> Result<(xlsx_source::XlsxSource, String), FileError> {
    let mut book = xlsx_book::Book::open(path)?;
    let (sheet, part) = book.choose(opts.sheet.as_deref())?;
    let header = xlsx_stream::header_row(&mut book, &part)?;
    header::map_headers(spec, &texts(&header.row))?;
    let shared = book.size(&book.shared_strings()).unwrap_or(0);
    let source = if shared > in_memory {
        xlsx_stream::open(book, part)?
    } else {
        drop(book);
        xlsx_source::open(path, sheet.clone())?
    };
    Ok((source, sheet))
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
