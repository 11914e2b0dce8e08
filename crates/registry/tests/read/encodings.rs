//! Encodings: the same rows in UTF-8, UTF-8 with BOM, GBK, GB18030 and UTF-16 read the same;
//! wrong encodings are reported, never turned into U+FFFD.

use encoding_rs::{Encoding, GB18030, GBK, UTF_16LE};
use meijian_registry::{open, FileError, ParsedRow, ReadOptions, RegistryKind};

use crate::common::*;

/// Rows with characters GBK has (龚, 鑫, 骉).
fn gbk_rows() -> String {
    registrations(&[
        "91350200776049653A,厦门龚鑫医疗美容有限公司,有限责任公司,龚骉,厦门市思明区某路1号,\"医疗美容服务；美容咨询\",存续（在营、开业、在册）,2020年1月2日,厦门市市场监督管理局,350203",
        "92350203MA2Y0X1E2P,思明区骉骉美容店,个体工商户,骉某,厦门市思明区某路2号,生活美容服务,注销,2019/3/4,,350203",
    ])
}

/// Rows with 𠮷 (a 4-byte GB18030 character, outside GBK) and 䶮.
fn gb18030_rows() -> String {
    registrations(&[
        "91350200776049653A,厦门𠮷䶮医疗美容有限公司,有限责任公司,𠮷某,厦门市思明区某路1号,医疗美容服务,存续,2020-01-02,厦门市市场监督管理局,350203",
    ])
}

fn encode(encoding: &'static Encoding, text: &str) -> Vec<u8> {
    let (bytes, _, had_errors) = encoding.encode(text);
    assert!(!had_errors, "{} cannot encode the fixture", encoding.name());
    bytes.into_owned()
}

fn utf16le_with_bom(text: &str) -> Vec<u8> {
    let mut bytes = vec![0xFF, 0xFE];
    for unit in text.encode_utf16() {
        bytes.extend_from_slice(&unit.to_le_bytes());
    }
    bytes
}

fn encoding_of(bytes: &[u8], opts: &ReadOptions) -> &'static str {
    let fixture = Fixture::new();
    let path = fixture.file("x.csv", bytes);
    open(&path, RegistryKind::Registrations, opts)
        .unwrap()
        .encoding()
}

#[test]
fn gbk_rows_decode_identically_in_every_encoding() {
    let text = gbk_rows();
    let expected = read_all(RegistryKind::Registrations, text.as_bytes());
    assert_eq!(records(&expected).len(), 2, "{expected:?}");
    assert_eq!(
        records(&expected)[0].get("name"),
        Some("厦门龚鑫医疗美容有限公司")
    );
    let mut with_bom = b"\xEF\xBB\xBF".to_vec();
    with_bom.extend_from_slice(text.as_bytes());
    for bytes in [
        with_bom,
        encode(GBK, &text),
        encode(GB18030, &text),
        utf16le_with_bom(&text),
    ] {
        assert_eq!(read_all(RegistryKind::Registrations, &bytes), expected);
    }
    assert_eq!(
        encoding_of(&encode(GBK, &text), &ReadOptions::default()),
        "GB18030"
    );
    assert_eq!(
        encoding_of(text.as_bytes(), &ReadOptions::default()),
        "UTF-8"
    );
    assert_eq!(
        encoding_of(&utf16le_with_bom(&text), &ReadOptions::default()),
        "UTF-16LE"
    );
}

#[test]
fn four_byte_gb18030_characters_decode() {
    let text = gb18030_rows();
    let (_, _, gbk_cannot) = GBK.encode(&text);
    assert!(gbk_cannot, "𠮷 is outside GBK");
    let expected = read_all(RegistryKind::Registrations, text.as_bytes());
    assert_eq!(
        only_record(&expected).get("name"),
        Some("厦门𠮷䶮医疗美容有限公司")
    );
    let gb18030 = encode(GB18030, &text);
    assert_eq!(read_all(RegistryKind::Registrations, &gb18030), expected);
    for label in ["gbk", "gb18030", "GB2312"] {
        let opts = ReadOptions {
            encoding: Some(label.to_owned()),
            ..ReadOptions::default()
        };
        assert_eq!(
            read_with(RegistryKind::Registrations, &gb18030, &opts).unwrap(),
            expected
        );
    }
    let utf16 = utf16le_with_bom(&text);
    assert_eq!(read_all(RegistryKind::Registrations, &utf16), expected);
    assert_eq!(UTF_16LE.decode(&utf16[2..]).0, text);
}

#[test]
fn gbk_forced_as_utf8_rejects_rows_with_a_hint() {
    // ASCII headers decode in any encoding; the data rows do not.
    let text = "uscc,name,region\n91350200776049653A,厦门龚鑫医疗美容有限公司,350203\n91350200776049653A,Plain Name Co,350203\n";
    let opts = ReadOptions {
        encoding: Some("utf-8".to_owned()),
        ..ReadOptions::default()
    };
    let rows = read_with(RegistryKind::Registrations, &encode(GBK, text), &opts).unwrap();
    let rejection = match &rows[0] {
        ParsedRow::Rejected(r) => r,
        other => panic!("expected a rejection, got {other:?}"),
    };
    assert_eq!((rejection.line, rejection.column.as_str()), (2, "name"));
    assert!(
        rejection.reason.contains("--encoding gbk"),
        "{}",
        rejection.reason
    );
    assert!(rejection.reason.contains("UTF-8"), "{}", rejection.reason);
    assert!(rejection.value.contains("\\x"), "{}", rejection.value);
    assert!(!rejection.value.contains('\u{FFFD}'));
    assert_eq!(records(&rows).len(), 1, "the ASCII row still goes in");
    for record in records(&rows) {
        assert!(record.fields.values().all(|v| !v.contains('\u{FFFD}')));
    }
}

#[test]
fn an_undecodable_header_fails_the_open_naming_the_encoding() {
    let opts = ReadOptions {
        encoding: Some("utf-8".to_owned()),
        ..ReadOptions::default()
    };
    let err = read_with(
        RegistryKind::Registrations,
        &encode(GBK, &gbk_rows()),
        &opts,
    )
    .unwrap_err();
    assert!(matches!(err, FileError::Encoding { .. }), "{err}");
    let message = err.to_string();
    assert!(
        message.contains("UTF-8") && message.contains("--encoding"),
        "{message}"
    );
}

#[test]
fn bad_bytes_in_a_utf8_file_are_rejected_not_replaced() {
    let mut bytes = gbk_rows().into_bytes();
    let at = bytes.len() - 20;
    bytes[at] = 0xFF;
    let rows = read_all(RegistryKind::Registrations, &bytes);
    let rejected = rejections(&rows);
    assert_eq!(rejected.len(), 1, "{rows:?}");
    assert_eq!(rejected[0].line, 3);
    assert!(
        rejected[0].reason.contains("--encoding"),
        "{}",
        rejected[0].reason
    );
    assert_eq!(records(&rows).len(), 1);
    // A literal U+FFFD (damage from an earlier conversion) is no better.
    let damaged = registrations(&["91350200776049653A,厦门\u{FFFD}\u{FFFD}公司,,,,,,,,"]);
    let rows = read_all(RegistryKind::Registrations, damaged.as_bytes());
    assert!(only_rejection(&rows).reason.contains("U+FFFD"));
}

#[test]
fn unknown_encodings_are_refused() {
    let opts = ReadOptions {
        encoding: Some("ebcdic-martian".to_owned()),
        ..ReadOptions::default()
    };
    let err = read_with(RegistryKind::Registrations, b"uscc,name\n", &opts).unwrap_err();
    assert!(matches!(err, FileError::UnknownEncoding { .. }), "{err}");
    assert!(err.to_string().contains("gb18030"));
}

#[test]
fn an_unsure_guess_is_reported_and_bad_rows_are_rejected() {
    // Latin-1 bytes: not UTF-8, not GBK either.
    let bytes = b"uscc,name\n91350200776049653A,Caf\xE9 M\xFCller\n91350200776049653A,Plain\n";
    let fixture = Fixture::new();
    let path = fixture.file("latin1.csv", bytes);
    let reader = open(&path, RegistryKind::Registrations, &ReadOptions::default()).unwrap();
    assert_eq!(reader.encoding(), "GB18030");
    assert!(
        reader.describe().contains("不确定"),
        "{}",
        reader.describe()
    );
    let rows: Vec<_> = reader.collect();
    let rejection = &rejections(&rows)[0];
    assert_eq!((rejection.line, rejection.column.as_str()), (2, "name"));
    assert!(
        rejection.reason.contains("--encoding utf-8"),
        "{}",
        rejection.reason
    );
    assert_eq!(records(&rows).len(), 1);
}

#[test]
fn utf16_without_bom_can_be_forced() {
    let text = gbk_rows();
    let bytes: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let opts = ReadOptions {
        encoding: Some("utf-16le".to_owned()),
        ..ReadOptions::default()
    };
    let expected = read_all(RegistryKind::Registrations, text.as_bytes());
    assert_eq!(
        read_with(RegistryKind::Registrations, &bytes, &opts).unwrap(),
        expected
    );
    // Undetected, the NUL bytes mark it as binary.
    assert!(matches!(
        open_err(RegistryKind::Registrations, &bytes),
        FileError::NotCsvOrXlsx { .. }
    ));
}
