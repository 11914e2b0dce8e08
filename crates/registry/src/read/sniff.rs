//! Format detection by content (文件格式识别), never by file name, and the ZIP-bomb guard.
//!
//! A file is an XLSX when it is a ZIP holding `xl/workbook.xml`; it is CSV text when it has no
//! known binary signature and does not look binary (runs of NUL bytes, or many control bytes; a
//! stray NUL in a cell is a bad row, not a binary file). UTF-16 text, marked by a BOM or a
//! forced encoding, is the exception.
//!
//! Before anything is unpacked, the ZIP's central directory is checked: entry count, total
//! uncompressed size, the uncompressed size of the shared strings, and the per-entry
//! compression ratio. The declared sizes are binding: the zip crate stops any entry that
//! inflates past its declared size. Within these limits a workbook may still unpack to a
//! gigabyte; the readers bound their memory themselves (see `xlsx_stream`).

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE};

use crate::error::FileError;

/// At most this many ZIP entries (a workbook has a few dozen).
pub const MAX_ZIP_ENTRIES: usize = 10_000;
/// At most this many bytes once every entry is unpacked: 2 GiB. A registry export of a million
/// rows unpacks to about 1.1 GB: its sheet about 0.4 GB (ten cells of ~35 bytes of XML a row;
/// 393 MB measured on a generated one) and its shared strings about 0.7 GB (see
/// [`MAX_SHARED_STRINGS_BYTES`]); a writer that puts every text inline instead makes one sheet
/// of about the same total.
pub const MAX_UNCOMPRESSED_BYTES: u64 = 2 * 1024 * 1024 * 1024;
/// At most this many bytes for `sharedStrings.xml` unpacked: 1 GiB, whatever its compression
/// ratio. A million-row registrations export has about 5 million distinct strings: the USCC
/// (18 bytes), name (~45), address (~75), legal representative (~9) and business scope (~450
/// bytes for ~150 characters, the longest field), plus 16 bytes of `<si><t>` markup each, about
/// 680 bytes a row, 0.7 GB in all (a generated export with ~60-character scopes measured 327
/// MB); 1 GiB leaves half as much again for longer business scopes.
/// Tables over [`super::SHARED_STRINGS_IN_MEMORY_BYTES`] are never held in memory, so this
/// bounds the temporary file and the time spent unpacking, not memory.
pub const MAX_SHARED_STRINGS_BYTES: u64 = 1024 * 1024 * 1024;
/// An entry larger than [`RATIO_CHECK_FLOOR`] may inflate at most this many times its size.
pub const MAX_COMPRESSION_RATIO: u64 = 100;
/// Entries below 32 MiB are not ratio-checked (small XML compresses very well).
pub const RATIO_CHECK_FLOOR: u64 = 32 * 1024 * 1024;

/// What the first bytes say.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Sniffed {
    Zip,
    Text,
}

const SIGNATURES: &[(&[u8], &str)] = &[
    (b"%PDF", "PDF 文档"),
    (b"\x89PNG\r\n\x1a\n", "PNG 图片"),
    (b"\xFF\xD8\xFF", "JPEG 图片"),
    (b"GIF87a", "GIF 图片"),
    (b"GIF89a", "GIF 图片"),
    (b"II*\x00", "TIFF 图片"),
    (b"MM\x00*", "TIFF 图片"),
    (
        b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1",
        "旧版 Excel 97-2003 工作簿（.xls）、加密的 Office 文件或其他 OLE 复合文档",
    ),
    (b"Rar!\x1A\x07", "RAR 压缩包"),
    (b"7z\xBC\xAF\x27\x1C", "7z 压缩包"),
    (b"\x1F\x8B", "gzip 压缩文件"),
    (b"{\\rtf", "RTF 文档"),
    (b"\x7FELF", "可执行程序"),
];

/// Classifies the first bytes of a non-empty file.
pub(crate) fn sniff(
    prefix: &[u8],
    forced: Option<&'static Encoding>,
) -> Result<Sniffed, FileError> {
    if prefix.starts_with(b"PK\x03\x04") || prefix.starts_with(b"PK\x05\x06") {
        return Ok(Sniffed::Zip);
    }
    if let Some((_, found)) = SIGNATURES
        .iter()
        .find(|(magic, _)| prefix.starts_with(magic))
    {
        return Err(not_csv(found));
    }
    let utf16 = prefix.starts_with(b"\xFF\xFE")
        || prefix.starts_with(b"\xFE\xFF")
        || forced.is_some_and(|e| e == UTF_16LE || e == UTF_16BE);
    if utf16 {
        return Ok(Sniffed::Text);
    }
    if looks_binary(prefix) {
        return Err(not_csv("二进制数据（含有 NUL 字节，不是文本）"));
    }
    let start: Vec<u8> = prefix
        .strip_prefix(b"\xEF\xBB\xBF")
        .unwrap_or(prefix)
        .iter()
        .skip_while(|b| b.is_ascii_whitespace())
        .take(256)
        .map(u8::to_ascii_lowercase)
        .collect();
    if start.starts_with(b"<!doctype html")
        || start.starts_with(b"<html")
        || start.starts_with(b"<table")
    {
        return Err(not_csv("HTML 网页（有些系统导出的“.xls”其实是网页）"));
    }
    if start.starts_with(b"<?xml") {
        return Err(not_csv("XML 文档（例如 Excel 2003 XML 表格）"));
    }
    Ok(Sniffed::Text)
}

/// Binary data: NUL bytes in pairs (every binary format has runs of zeros), or more than three
/// control bytes making up more than 1% of the prefix. A text file with a stray NUL in a cell is
/// text: that row is rejected when it is read, and the rest is imported.
fn looks_binary(prefix: &[u8]) -> bool {
    if !prefix.contains(&0) {
        return false;
    }
    if prefix.windows(2).any(|w| w == [0, 0]) {
        return true;
    }
    let control = prefix
        .iter()
        .filter(|&&b| matches!(b, 0..=8 | 0x0E..=0x1A | 0x1C..=0x1F))
        .count();
    control > 3 && control * 100 > prefix.len()
}

fn not_csv(found: &str) -> FileError {
    FileError::NotCsvOrXlsx {
        found: found.to_owned(),
    }
}

fn limit(detail: String) -> FileError {
    FileError::ArchiveLimit { detail }
}

/// Checks a ZIP file's central directory against the limits and that it is an XLSX workbook.
pub(crate) fn check_zip(file: &File) -> Result<(), FileError> {
    let mut reader = BufReader::new(file);
    if let Some(entries) = declared_entry_count(&mut reader) {
        if entries > MAX_ZIP_ENTRIES {
            return Err(limit(format!(
                "压缩包内有 {entries} 个条目，超过上限 {MAX_ZIP_ENTRIES}"
            )));
        }
    }
    reader
        .seek(SeekFrom::Start(0))
        .map_err(|e| not_csv(&format!("损坏的 ZIP 压缩包（{e}）")))?;
    let mut archive = zip::ZipArchive::new(reader)
        .map_err(|e| not_csv(&format!("损坏或不完整的 ZIP 压缩包（{e}）")))?;
    if archive.len() > MAX_ZIP_ENTRIES {
        return Err(limit(format!(
            "压缩包内有 {} 个条目，超过上限 {MAX_ZIP_ENTRIES}",
            archive.len()
        )));
    }
    let mut total: u64 = 0;
    let mut names: Vec<String> = Vec::with_capacity(archive.len());
    for index in 0..archive.len() {
        let entry = archive
            .by_index_raw(index)
            .map_err(|e| not_csv(&format!("损坏的 ZIP 压缩包（{e}）")))?;
        let (size, packed) = (entry.size(), entry.compressed_size());
        let name = entry.name().map(|n| n.into_owned()).unwrap_or_default();
        total = total.saturating_add(size);
        if total > MAX_UNCOMPRESSED_BYTES {
            return Err(limit(format!(
                "解压后总大小超过上限 {} MiB",
                MAX_UNCOMPRESSED_BYTES / (1024 * 1024)
            )));
        }
        let file_name = name.rsplit(['/', '\\']).next().unwrap_or_default();
        if file_name.eq_ignore_ascii_case("sharedStrings.xml") && size > MAX_SHARED_STRINGS_BYTES {
            return Err(limit(format!(
                "共享字符串表“{name}”解压后为 {} MiB，超过上限 {} MiB",
                size / (1024 * 1024),
                MAX_SHARED_STRINGS_BYTES / (1024 * 1024)
            )));
        }
        if size > RATIO_CHECK_FLOOR && size / packed.max(1) > MAX_COMPRESSION_RATIO {
            return Err(limit(format!(
                "条目“{name}”压缩比异常（{packed} 字节解压后为 {size} 字节，超过 {MAX_COMPRESSION_RATIO} 倍），疑似 ZIP 炸弹"
            )));
        }
        names.push(name.to_ascii_lowercase());
    }
    classify(&names)
}

fn classify(names: &[String]) -> Result<(), FileError> {
    let has = |wanted: &str| names.iter().any(|n| n == wanted);
    if has("xl/workbook.xml") {
        Ok(())
    } else if has("xl/workbook.bin") {
        Err(not_csv("Excel 二进制工作簿（.xlsb）"))
    } else if has("word/document.xml") {
        Err(not_csv("Word 文档（.docx）"))
    } else if has("ppt/presentation.xml") {
        Err(not_csv("PowerPoint 演示文稿（.pptx）"))
    } else if has("mimetype") && has("content.xml") {
        Err(not_csv("OpenDocument 文档（如 .ods），不是 XLSX"))
    } else {
        Err(not_csv(
            "ZIP 压缩包（其中没有 xl/workbook.xml，不是 XLSX 工作簿）",
        ))
    }
}

/// The entry count of the end-of-central-directory record, read before the zip crate parses
/// the directory; `None` when not found or a ZIP64 marker.
fn declared_entry_count<R: Read + Seek>(reader: &mut R) -> Option<usize> {
    const EOCD_LEN: u64 = 22;
    let len = reader.seek(SeekFrom::End(0)).ok()?;
    let tail_len = len.min(EOCD_LEN + u64::from(u16::MAX));
    reader.seek(SeekFrom::Start(len - tail_len)).ok()?;
    let mut tail = Vec::new();
    reader.take(tail_len).read_to_end(&mut tail).ok()?;
    let at = tail.windows(4).rposition(|w| w == b"PK\x05\x06")?;
    let count = tail.get(at + 10..at + 12)?;
    let count = u16::from_le_bytes([count[0], count[1]]);
    (count != u16::MAX).then_some(usize::from(count))
}
