//! XLSX workbooks written in the test with rust_xlsxwriter.

use meijian_registry::{open, FileError, FileFormat, ProgressUnit, ReadOptions, RegistryKind};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

use crate::common::*;

/// Sheet 1 “许可” (licenses) and sheet 2 “产品” (products), with codes stored as numbers.
fn workbook(fixture: &Fixture, name: &str) -> std::path::PathBuf {
    let mut book = Workbook::new();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let licenses = book.add_worksheet();
    licenses.set_name("许可").unwrap();
    for (col, header) in [
        "登记号",
        "机构名称",
        "统一社会信用代码",
        "有效期至",
        "行政区划代码",
        "状态",
        "备注",
    ]
    .iter()
    .enumerate()
    {
        licenses.write_string(0, col as u16, *header).unwrap();
    }
    licenses.write_number(1, 0, 110105000000004.0).unwrap();
    licenses.write_string(1, 1, "某某医疗美容门诊部").unwrap();
    licenses.write_string(1, 2, "91350200776049653A").unwrap();
    licenses
        .write_datetime_with_format(1, 3, ExcelDateTime::from_ymd(2030, 12, 31).unwrap(), &date)
        .unwrap();
    licenses.write_number(1, 4, 350203.0).unwrap();
    licenses.write_string(1, 5, "有效").unwrap();
    licenses.write_number(1, 6, 12.5).unwrap();
    // Row 3: an 18-digit USCC typed as a number (Excel keeps 15 digits).
    licenses.write_string(2, 0, "PDY-2").unwrap();
    licenses.write_string(2, 1, "另一门诊部").unwrap();
    licenses.write_number(2, 2, 914403001922038216.0).unwrap();
    // Row 4 is blank; row 5 has only its first two cells (trailing cells left out).
    licenses.write_string(4, 0, "PDY-5").unwrap();
    licenses.write_string(4, 1, "第五行门诊部").unwrap();
    let products = book.add_worksheet();
    products.set_name("产品").unwrap();
    for (col, header) in ["reg_no", "name", "key_product", "approved"]
        .iter()
        .enumerate()
    {
        products.write_string(0, col as u16, *header).unwrap();
    }
    products.write_string(1, 0, "国械注准20153131234").unwrap();
    products.write_string(1, 1, "透明质酸钠凝胶").unwrap();
    products.write_boolean(1, 2, true).unwrap();
    products
        .write_datetime_with_format(1, 3, ExcelDateTime::from_ymd(2015, 6, 1).unwrap(), &date)
        .unwrap();
    let path = fixture.path(name);
    book.save(&path).unwrap();
    path
}

#[test]
fn numbers_that_are_codes_and_date_cells_come_out_as_text() {
    let fixture = Fixture::new();
    let path = workbook(&fixture, "licenses.xlsx");
    let mut reader = open(&path, RegistryKind::Licenses, &ReadOptions::default()).unwrap();
    assert_eq!(reader.format(), FileFormat::Xlsx);
    assert_eq!(reader.progress_unit(), ProgressUnit::Rows);
    assert_eq!(reader.extra_columns(), ["备注"]);
    let rows: Vec<_> = reader.by_ref().collect();
    assert_eq!(reader.progress(), (5, 5));
    let records = records(&rows);
    assert_eq!(records.len(), 3, "{rows:?}");
    let first = records[0];
    assert_eq!(first.line, 2);
    assert_eq!(first.key, "110105000000004");
    assert_eq!(first.get("valid_until"), Some("2030-12-31"));
    assert_eq!(first.get("region"), Some("350203"));
    assert_eq!(first.extras["备注"], "12.5");
    let second = records[1];
    assert_eq!(second.line, 3);
    let uscc = second.get("uscc").unwrap();
    assert!(!uscc.contains('.') && !uscc.contains('e'), "{uscc}");
    assert!(
        second.warnings[0].contains("文本格式"),
        "{:?}",
        second.warnings
    );
    assert_eq!((records[2].line, records[2].key.as_str()), (5, "PDY-5"));
}

#[test]
fn a_named_sheet_is_read_and_an_unknown_one_is_listed() {
    let fixture = Fixture::new();
    let path = workbook(&fixture, "book.xlsx");
    let opts = ReadOptions {
        sheet: Some("产品".to_owned()),
        ..ReadOptions::default()
    };
    let rows: Vec<_> = open(&path, RegistryKind::Products, &opts)
        .unwrap()
        .collect();
    let record = only_record(&rows);
    assert_eq!(record.get("key_product"), Some("是"));
    assert_eq!(record.get("approved"), Some("2015-06-01"));
    let opts = ReadOptions {
        sheet: Some("Sheet9".to_owned()),
        ..ReadOptions::default()
    };
    let err = open(&path, RegistryKind::Products, &opts).err().unwrap();
    assert!(matches!(err, FileError::Sheet { .. }), "{err}");
    assert!(err.to_string().contains("许可、产品"), "{err}");
}

#[test]
fn format_is_detected_by_content_not_name() {
    let fixture = Fixture::new();
    let path = workbook(&fixture, "really_a_workbook.csv");
    let reader = open(&path, RegistryKind::Licenses, &ReadOptions::default()).unwrap();
    assert_eq!(reader.format(), FileFormat::Xlsx);
    let csv_named_xlsx = fixture.file("text.xlsx", "uscc,name\n91350200776049653A,甲\n".as_bytes());
    let reader = open(
        &csv_named_xlsx,
        RegistryKind::Registrations,
        &ReadOptions::default(),
    )
    .unwrap();
    assert_eq!(reader.format(), FileFormat::Csv);
}

#[test]
fn wrong_headers_in_a_workbook() {
    let fixture = Fixture::new();
    let path = workbook(&fixture, "book.xlsx");
    let err = open(&path, RegistryKind::Registrations, &ReadOptions::default())
        .err()
        .unwrap();
    let FileError::Headers { found, .. } = &err else {
        panic!("expected a header error, got {err}");
    };
    assert_eq!(found[0], "登记号");
}
