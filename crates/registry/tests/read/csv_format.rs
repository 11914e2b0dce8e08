//! CSV shape: delimiters, quoting, line numbers, widths, progress.

use meijian_registry::{open, ProgressUnit, ReadOptions, RegistryKind};

use crate::common::*;

#[test]
fn tab_separated_files_are_sniffed() {
    let (kind, zh, _, row) = REGISTRIES[1];
    let comma = read_all(kind, format!("{zh}\n{row}\n").as_bytes());
    let tab = read_all(
        kind,
        format!("{}\n{}\n", zh.replace(',', "\t"), row.replace(',', "\t")).as_bytes(),
    );
    assert_eq!(comma, tab);
    assert_eq!(
        only_record(&tab).get("subjects"),
        Some("医疗美容科；美容外科")
    );
}

#[test]
fn a_forced_delimiter_is_used() {
    let opts = ReadOptions {
        delimiter: Some(b';'),
        ..ReadOptions::default()
    };
    let rows = read_with(
        RegistryKind::Tax,
        "taxpayer_id;name\n91350200776049653A;某公司,分号分隔\n".as_bytes(),
        &opts,
    )
    .unwrap();
    assert_eq!(only_record(&rows).get("name"), Some("某公司,分号分隔"));
}

#[test]
fn quoted_newlines_keep_physical_line_numbers() {
    let text = concat!(
        "uscc,name,business_scope\r\n",
        "91350200776049653A,\"甲公司\",\"医疗美容服务\r\n美容咨询\r\n（依法须经批准的项目）\"\r\n",
        "92350203MA2Y0X1E2P,\"乙,\"\"美容\"\"店\",生活美容\r\n",
        "\r\n",
        "92350203MA31KQ7U3L,丙店,\r\n",
        "BAD,丁店,\r\n",
    );
    let rows = read_all(RegistryKind::Registrations, text.as_bytes());
    let lines: Vec<u64> = rows.iter().map(|r| r.line()).collect();
    assert_eq!(lines, [2, 5, 7, 8]);
    let first = &records(&rows)[0];
    assert_eq!(
        first.get("business_scope"),
        Some("医疗美容服务\r\n美容咨询\r\n（依法须经批准的项目）")
    );
    assert_eq!(records(&rows)[1].get("name"), Some("乙,\"美容\"店"));
    // An invalid registration code keeps its row, with a warning (DATA.md).
    let bad = &records(&rows)[3];
    assert_eq!((bad.line, bad.key.as_str()), (8, "BAD"));
    assert_eq!(bad.warnings.len(), 1);
}

#[test]
fn a_row_of_the_wrong_width_is_rejected_and_reading_goes_on() {
    let text = "uscc,name,region\n91350200776049653A,甲,350203,多余\n92350203MA2Y0X1E2P,乙\n92350203MA31KQ7U3L,丙,350203\n";
    let rows = read_all(RegistryKind::Registrations, text.as_bytes());
    let rejected = rejections(&rows);
    assert_eq!(rejected.len(), 2);
    assert_eq!((rejected[0].line, rejected[0].column.as_str()), (2, ""));
    assert!(
        rejected[0].reason.contains("本行有4列，表头有3列"),
        "{}",
        rejected[0].reason
    );
    assert!(
        rejected[1].reason.contains("本行有2列"),
        "{}",
        rejected[1].reason
    );
    assert_eq!(records(&rows)[0].line, 4);
}

#[test]
fn blank_rows_are_skipped_and_an_empty_file_is_an_error() {
    let rows = read_all(
        RegistryKind::Registrations,
        "\n\nuscc,name\n,\n91350200776049653A,甲\n , \n".as_bytes(),
    );
    assert_eq!(only_record(&rows).line, 5);
    assert!(matches!(
        open_err(RegistryKind::Registrations, b""),
        meijian_registry::FileError::Empty
    ));
    assert!(matches!(
        open_err(RegistryKind::Registrations, b"\n\n,,\n"),
        meijian_registry::FileError::Empty
    ));
}

#[test]
fn progress_counts_bytes_of_csv() {
    let mut text = String::from("uscc,name\n");
    for _ in 0..2000 {
        text.push_str("91350200776049653A,某某医疗美容有限公司\n");
    }
    let fixture = Fixture::new();
    let path = fixture.file("p.csv", text.as_bytes());
    let mut reader = open(&path, RegistryKind::Registrations, &ReadOptions::default()).unwrap();
    assert_eq!(reader.progress_unit(), ProgressUnit::Bytes);
    assert_eq!(reader.bytes_total(), text.len() as u64);
    assert!(reader.describe().contains("UTF-8"), "{}", reader.describe());
    let count = reader.by_ref().count();
    assert_eq!(count, 2000);
    assert_eq!(reader.progress(), (text.len() as u64, text.len() as u64));
    assert_eq!(reader.bytes_read(), reader.bytes_total());
}

#[test]
fn an_unbalanced_quote_does_not_swallow_memory() {
    // Over MAX_RECORD_BYTES inside one open quote: the read ends with a whole-row rejection.
    let mut text = String::from("uscc,name\n91350200776049653A,\"未闭合\n");
    let filler = "x".repeat(1023) + "\n";
    while (text.len() as u64) < meijian_registry::MAX_RECORD_BYTES + 2 * 1024 * 1024 {
        text.push_str(&filler);
    }
    let rows = read_all(RegistryKind::Registrations, text.as_bytes());
    let rejection = only_rejection(&rows);
    assert_eq!(rejection.line, 2);
    assert!(
        rejection.reason.contains("引号不配对"),
        "{}",
        rejection.reason
    );
}

#[test]
fn long_records_below_the_limit_are_read_one_after_another() {
    let long = "长".repeat(3 * 1024 * 1024); // 9 MiB of UTF-8 each
    let text = format!(
        "uscc,name\n91350200776049653A,\"{long}\n\"\n92350203MA2Y0X1E2P,\"{long}\"\n92350203MA31KQ7U3L,短\n"
    );
    let rows = read_all(RegistryKind::Registrations, text.as_bytes());
    let lines: Vec<u64> = records(&rows).iter().map(|r| r.line).collect();
    assert_eq!(lines, [2, 4, 5], "{:?}", rejections(&rows));
}
