//! A NUL character (U+0000) in a cell rejects its row, in CSV and XLSX alike; in a header it
//! refuses the file. PostgreSQL cannot store U+0000 in text, so no value may carry one.

use meijian_registry::{open, FileError, ParsedRow, ReadOptions, RegistryKind};
use rust_xlsxwriter::Workbook;

use crate::common::*;

const CODES: [&str; 5] = [
    "91350200776049653A",
    "91350200MA2XN0GH6W",
    "91350203MA31GXGD4D",
    "92350203MA2Y0X1E2P",
    "91350211MA2YEX3K46",
];

fn rows_with_nul_in_third(name_of_third: &str) -> Vec<String> {
    CODES
        .iter()
        .enumerate()
        .map(|(i, code)| {
            let name = if i == 2 {
                name_of_third.to_owned()
            } else {
                format!("第{i}家医疗美容有限公司")
            };
            format!("{code},{name},存续")
        })
        .collect()
}

fn check_rejected_third(rows: &[ParsedRow], line: u64) {
    assert_eq!(records(rows).len(), 4, "{rows:?}");
    let rejected = rejections(rows);
    assert_eq!(rejected.len(), 1, "{rows:?}");
    let r = rejected[0];
    assert_eq!((r.line, r.column.as_str()), (line, "主体名称"));
    assert_eq!(
        r.reason,
        "含有不可见的控制字符 NUL（U+0000），请删除后重新导入"
    );
    assert_eq!(r.value, "丙医疗美容\\u{0000}诊所");
}

#[test]
fn a_nul_in_a_csv_cell_rejects_only_its_row() {
    let lines = rows_with_nul_in_third("丙医疗美容\0诊所");
    let mut text = String::from("统一社会信用代码,主体名称,登记状态\n");
    for line in &lines {
        text.push_str(line);
        text.push('\n');
    }
    let rows = read_all(RegistryKind::Registrations, text.as_bytes());
    check_rejected_third(&rows, 4);
}

#[test]
fn a_nul_after_the_detection_prefix_rejects_only_its_row() {
    // The probe's file: the NUL far into a large export, after the bytes format detection
    // looks at.
    let mut text = String::from("统一社会信用代码,主体名称,登记状态\n");
    let filler = format!("91350200776049653A,{},存续\n", "某".repeat(40));
    let mut line = 1;
    while text.len() < 300 * 1024 {
        text.push_str(&filler);
        line += 1;
    }
    text.push_str("91350200MA2XN0GH6W,丙医疗美容\0诊所,存续\n");
    let rows = read_all(RegistryKind::Registrations, text.as_bytes());
    assert_eq!(records(&rows).len(), line - 1);
    let nul = only_rejection(&rows[line - 1..]);
    assert_eq!(nul.line, line as u64 + 1);
    assert!(
        nul.reason.contains("NUL") && !nul.value.contains('\0'),
        "{nul:?}"
    );
}

#[test]
fn a_nul_in_a_row_of_the_wrong_width_is_shown_escaped() {
    let text = "统一社会信用代码,主体名称\n91350200776049653A,甲\0,多余\n";
    let rows = read_all(RegistryKind::Registrations, text.as_bytes());
    let r = only_rejection(&rows);
    assert!(r.reason.contains("表头有2列"), "{r:?}");
    assert!(
        !r.value.contains('\0') && r.value.contains("\\u{0000}"),
        "{r:?}"
    );
}

#[test]
fn a_nul_in_a_header_refuses_the_file_with_its_column() {
    let err = open_err(
        RegistryKind::Registrations,
        "统一社会信用代码,主体\0名称\n91350200776049653A,甲\n".as_bytes(),
    );
    assert!(
        matches!(err, FileError::HeaderNul { column: 2, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("第2列"), "{err}");
    assert!(err.to_string().contains("NUL（U+0000）"), "{err}");
}

#[test]
fn binary_files_are_still_binary() {
    let err = open_err(
        RegistryKind::Registrations,
        b"SQLite format 3\0\x10\0\x01\x01\0@  \0\0\0\x02",
    );
    assert!(matches!(err, FileError::NotCsvOrXlsx { .. }), "{err}");
}

#[test]
fn a_nul_in_a_workbook_cell_rejects_only_its_row() {
    let fixture = Fixture::new();
    let path = fixture.path("nul.xlsx");
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for (col, header) in ["统一社会信用代码", "主体名称", "登记状态"]
        .iter()
        .enumerate()
    {
        sheet.write_string(0, col as u16, *header).unwrap();
    }
    for (i, line) in rows_with_nul_in_third("丙医疗美容\0诊所")
        .iter()
        .enumerate()
    {
        for (col, value) in line.split(',').enumerate() {
            sheet.write_string(i as u32 + 1, col as u16, value).unwrap();
        }
    }
    book.save(&path).unwrap();
    let rows: Vec<_> = open(&path, RegistryKind::Registrations, &ReadOptions::default())
        .unwrap()
        .collect();
    check_rejected_third(&rows, 4);
}

#[test]
fn a_nul_in_a_workbook_header_refuses_the_file() {
    let fixture = Fixture::new();
    let path = fixture.path("nul-header.xlsx");
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "统一社会信用代码\0").unwrap();
    sheet.write_string(0, 1, "主体名称").unwrap();
    sheet.write_string(1, 0, "91350200776049653A").unwrap();
    book.save(&path).unwrap();
    let err = open(&path, RegistryKind::Registrations, &ReadOptions::default())
        .err()
        .unwrap();
    assert!(
        matches!(err, FileError::HeaderNul { column: 1, .. }),
        "{err}"
    );
}
