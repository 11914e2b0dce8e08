//! Files laid out by the caller (`open_table`): the enforcement history files of DATA.md are
//! read by the registries' rules — encodings, tab or comma, quoted newlines, XLSX, headers in
//! Chinese or by alias, extra columns kept, bad rows rejected with line and column.

use encoding_rs::GBK;
use meijian_registry::{
    open_table, FieldKind, FieldSpec, FileError, ParsedRow, ReadOptions, TableSpec,
};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

use crate::common::*;

const fn column(
    name: &'static str,
    header: &'static str,
    kind: FieldKind,
    required: bool,
) -> FieldSpec {
    FieldSpec {
        name,
        header,
        kind,
        required,
    }
}

/// A penalties layout as the case import defines it.
static PENALTIES: [FieldSpec; 5] = [
    column("penalty_id", "处罚编号", FieldKind::Code, true),
    column("case_no", "案件编号", FieldKind::Code, true),
    column("party", "当事人名称", FieldKind::Text, true),
    column("amount_yuan", "金额（元）", FieldKind::Text, false),
    column("decided", "决定日期", FieldKind::Text, true),
];

const TABLE: TableSpec = TableSpec {
    key: "penalty_id",
    fields: &PENALTIES,
};

fn rows(path: &std::path::Path) -> Vec<ParsedRow> {
    let reader = open_table(path, TABLE, &ReadOptions::default()).unwrap();
    assert_eq!(reader.registry(), None);
    reader.collect()
}

#[test]
fn a_gbk_tab_separated_file_with_aliases_quoted_newlines_and_extras() {
    let text = "penalty_id\t案件编号\tparty\t金额（元）\tdecided\t备注\n\
                CF-001\tZZ-001\t\"龚某\n（曾用名龚鑫）\"\t12,500.50元\t2024-06-01T10:00:00+08:00\t首批\n\
                CF-002\tZZ-001\t\t\t2024-06-01\t\n";
    let (bytes, _, bad) = GBK.encode(text);
    assert!(!bad);
    let fixture = Fixture::new();
    let path = fixture.file("处罚.csv", &bytes);
    let reader = open_table(&path, TABLE, &ReadOptions::default()).unwrap();
    assert_eq!(reader.encoding(), "GB18030");
    let rows: Vec<ParsedRow> = reader.collect();
    let ParsedRow::Ok(first) = &rows[0] else {
        panic!("{rows:?}")
    };
    assert_eq!(first.line, 2);
    assert_eq!(first.key, "CF-001");
    assert_eq!(first.get("party"), Some("龚某\n（曾用名龚鑫）"));
    assert_eq!(first.get("amount_yuan"), Some("12,500.50元"));
    assert_eq!(first.get("decided"), Some("2024-06-01T10:00:00+08:00"));
    assert_eq!(first.extras.get("备注").map(String::as_str), Some("首批"));
    // The quoted newline: the next record starts on line 4.
    let ParsedRow::Rejected(second) = &rows[1] else {
        panic!("{rows:?}")
    };
    assert_eq!(
        (second.line, second.column.as_str()),
        (4, "party"),
        "the header as in the file"
    );
    assert_eq!(second.reason, "当事人名称不能为空");
}

#[test]
fn an_xlsx_first_sheet_and_a_utf8_csv_with_bom_read_alike() {
    let fixture = Fixture::new();
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for (col, header) in [
        "处罚编号",
        "case_no",
        "当事人名称",
        "amount_yuan",
        "决定日期",
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string(0, col as u16, *header).unwrap();
    }
    sheet.write_string(1, 0, "CF-001").unwrap();
    sheet.write_string(1, 1, "ZZ-001").unwrap();
    sheet.write_string(1, 2, "枣庄市某美容有限公司").unwrap();
    sheet.write_number(1, 3, 12500.5).unwrap();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    sheet
        .write_datetime_with_format(1, 4, ExcelDateTime::from_ymd(2024, 6, 1).unwrap(), &date)
        .unwrap();
    let xlsx = fixture.path("处罚.xlsx");
    book.save(&xlsx).unwrap();
    let csv = fixture.file(
        "处罚.csv",
        "\u{feff}处罚编号,case_no,当事人名称,amount_yuan,决定日期\nCF-001,ZZ-001,枣庄市某美容有限公司,12500.5,2024-06-01\n".as_bytes(),
    );
    let from_xlsx = rows(&xlsx);
    let from_csv = rows(&csv);
    let (ParsedRow::Ok(a), ParsedRow::Ok(b)) = (&from_xlsx[0], &from_csv[0]) else {
        panic!("{from_xlsx:?} {from_csv:?}")
    };
    assert_eq!(a.fields, b.fields);
    assert_eq!(a.get("decided"), Some("2024-06-01"));
}

#[test]
fn a_missing_required_column_is_a_file_error_naming_it() {
    let fixture = Fixture::new();
    let path = fixture.file(
        "x.csv",
        "处罚编号,当事人名称,决定日期\nCF-1,某,2024-01-01\n".as_bytes(),
    );
    let err = open_table(&path, TABLE, &ReadOptions::default())
        .err()
        .unwrap();
    assert!(
        matches!(&err, FileError::Headers { missing, .. } if missing == &["案件编号（case_no）".to_string()]),
        "{err}"
    );
}
