//! Format detection by content and the ZIP-bomb guard.

use std::io::Write;

use meijian_registry::{open, FileError, ReadOptions, RegistryKind};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use crate::common::*;

fn open_named(name: &str, bytes: &[u8]) -> FileError {
    let fixture = Fixture::new();
    let path = fixture.file(name, bytes);
    match open(&path, RegistryKind::Registrations, &ReadOptions::default()) {
        Ok(_) => panic!("{name} should not open"),
        Err(e) => e,
    }
}

fn found(err: &FileError) -> &str {
    match err {
        FileError::NotCsvOrXlsx { found } => found,
        other => panic!("expected NotCsvOrXlsx, got {other}"),
    }
}

#[test]
fn binary_files_named_csv_are_refused_with_what_they_are() {
    let pdf = open_named(
        "registrations.csv",
        b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj\n",
    );
    assert!(found(&pdf).contains("PDF"));
    assert!(pdf.to_string().contains("不是 CSV 或 XLSX 文件"), "{pdf}");
    let png = open_named("registrations.csv", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR");
    assert!(found(&png).contains("PNG"));
    let xls = open_named("old.xlsx", b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0\0\0");
    assert!(found(&xls).contains(".xls"));
    let binary = open_named("data.csv", b"uscc,name\n\x00\x01\x02\x03");
    assert!(found(&binary).contains("NUL"));
    let html = open_named(
        "export.xls",
        b"  <html><body><table><tr><td>1</td></tr></table>",
    );
    assert!(found(&html).contains("HTML"));
}

fn zip_with(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut writer = ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    for (name, data) in entries {
        writer.start_file(*name, options).unwrap();
        writer.write_all(data).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

#[test]
fn zips_that_are_not_workbooks_are_refused() {
    let docx = zip_with(&[("word/document.xml", b"<w:document/>")]);
    assert!(found(&open_named("a.xlsx", &docx)).contains("Word"));
    let plain = zip_with(&[("readme.txt", b"hello")]);
    assert!(found(&open_named("a.xlsx", &plain)).contains("ZIP"));
}

#[test]
fn a_highly_compressed_entry_is_refused_before_unpacking() {
    let bomb = vec![b'0'; 40 * 1024 * 1024];
    let bytes = zip_with(&[
        ("xl/workbook.xml", b"<workbook/>"),
        ("xl/worksheets/sheet1.xml", &bomb),
    ]);
    assert!(bytes.len() < 1024 * 1024);
    let err = open_named("bomb.xlsx", &bytes);
    assert!(matches!(err, FileError::ArchiveLimit { .. }), "{err}");
    assert!(err.to_string().contains("ZIP 炸弹"), "{err}");
}

#[test]
fn too_many_entries_are_refused() {
    let names: Vec<String> = (0..=meijian_registry::MAX_ZIP_ENTRIES)
        .map(|i| format!("xl/media/{i}.bin"))
        .collect();
    let mut entries: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &b""[..])).collect();
    entries.push(("xl/workbook.xml", b"<workbook/>"));
    let err = open_named("many.xlsx", &zip_with(&entries));
    assert!(matches!(err, FileError::ArchiveLimit { .. }), "{err}");
    assert!(err.to_string().contains("条目"), "{err}");
}

/// A ZIP whose central directory declares `declared` uncompressed bytes for an entry of
/// `packed` (zero) bytes; the data is never unpacked.
fn zip_declaring(name: &str, packed: u32, declared: u32) -> Vec<u8> {
    let mut out = Vec::new();
    let name_len = u16::try_from(name.len()).unwrap();
    let le16 = |v: u16| v.to_le_bytes();
    let le32 = |v: u32| v.to_le_bytes();
    out.extend_from_slice(&le32(0x0403_4b50));
    for v in [20u16, 0, 8, 0, 0x21] {
        out.extend_from_slice(&le16(v));
    }
    for v in [0u32, packed, declared] {
        out.extend_from_slice(&le32(v));
    }
    out.extend_from_slice(&le16(name_len));
    out.extend_from_slice(&le16(0));
    out.extend_from_slice(name.as_bytes());
    out.resize(out.len() + packed as usize, 0);
    let central = u32::try_from(out.len()).unwrap();
    out.extend_from_slice(&le32(0x0201_4b50));
    for v in [20u16, 20, 0, 8, 0, 0x21] {
        out.extend_from_slice(&le16(v));
    }
    for v in [0u32, packed, declared] {
        out.extend_from_slice(&le32(v));
    }
    for v in [name_len, 0, 0, 0, 0] {
        out.extend_from_slice(&le16(v));
    }
    out.extend_from_slice(&le32(0));
    out.extend_from_slice(&le32(0));
    out.extend_from_slice(name.as_bytes());
    let central_len = u32::try_from(out.len()).unwrap() - central;
    out.extend_from_slice(&le32(0x0605_4b50));
    for v in [0u16, 0, 1, 1] {
        out.extend_from_slice(&le16(v));
    }
    out.extend_from_slice(&le32(central_len));
    out.extend_from_slice(&le32(central));
    out.extend_from_slice(&le16(0));
    out
}

#[test]
fn a_declared_total_over_the_limit_is_refused() {
    // 25 MiB packed, 2.1 GiB declared: a plausible ratio (86), but over the total limit.
    let bytes = zip_declaring("xl/worksheets/sheet1.xml", 25 * 1024 * 1024, 2_200_000_000);
    let err = open_named("huge.xlsx", &bytes);
    assert!(matches!(err, FileError::ArchiveLimit { .. }), "{err}");
    assert!(err.to_string().contains("总大小"), "{err}");
    // The same shape within the limits is not refused by the guard.
    let small = zip_declaring("xl/workbook.xml", 16, 16);
    let err = open_named("small.xlsx", &small);
    assert!(!matches!(err, FileError::ArchiveLimit { .. }), "{err}");
}

#[test]
fn shared_strings_over_the_absolute_limit_are_refused_whatever_the_ratio() {
    // 1.1 GB declared in 12 MiB: a ratio of 87, under the ratio limit, and under the total.
    let declared =
        u32::try_from(meijian_registry::MAX_SHARED_STRINGS_BYTES + 76 * 1024 * 1024).unwrap();
    let bytes = zip_declaring("xl/sharedStrings.xml", 12 * 1024 * 1024, declared);
    assert!(u64::from(declared) / (12 * 1024 * 1024) < meijian_registry::MAX_COMPRESSION_RATIO);
    let err = open_named("strings.xlsx", &bytes);
    assert!(matches!(err, FileError::ArchiveLimit { .. }), "{err}");
    let message = err.to_string();
    assert!(
        message.contains("共享字符串") && message.contains("上限 1024 MiB"),
        "{message}"
    );
    // At the limit it is not refused by the guard.
    let at_limit = u32::try_from(meijian_registry::MAX_SHARED_STRINGS_BYTES).unwrap();
    let bytes = zip_declaring("xl/sharedStrings.xml", 12 * 1024 * 1024, at_limit);
    let err = open_named("strings.xlsx", &bytes);
    assert!(!matches!(err, FileError::ArchiveLimit { .. }), "{err}");
}
