//! The two XLSX readers against each other, the header check, the shared-string table.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook};
use tempfile::TempDir;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use super::raw::{RawField, RawItem};
use super::xlsx_book::Book;
use super::xlsx_source::{self, XlsxSource};
use super::xlsx_strings::{SpilledStrings, SstReader};
use super::{header, open_sheet, open_xlsx_with, xlsx_stream, ReadOptions};
use crate::error::FileError;
use crate::row::ParsedRow;
use crate::spec::RegistryKind;

fn drain(mut source: XlsxSource) -> Vec<RawItem> {
    std::iter::from_fn(|| source.next_item()).collect()
}

/// The items of the first sheet through calamine and through the streaming reader.
fn both_ways(path: &Path) -> (Vec<RawItem>, Vec<RawItem>) {
    let book = Book::open(path).unwrap();
    let (name, part) = book.choose(None).unwrap();
    let calamine = drain(xlsx_source::open(path, name).unwrap());
    let streaming = drain(xlsx_stream::open(book, part).unwrap());
    (calamine, streaming)
}

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>"#;
const ROOT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
const WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="/xl/worksheets/other.xml"/></Relationships>"#;

fn workbook_xml(date1904: bool) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><workbookPr date1904="{}"/><sheets><sheet name="登记 &amp; 名单" sheetId="1" r:id="rId1"/><sheet name="Other" sheetId="2" state="hidden" r:id="rId9"/></sheets></workbook>"#,
        u8::from(date1904)
    )
}

/// A workbook written part by part, with the parts every workbook here shares.
fn hand_written(dir: &Path, name: &str, parts: &[(&str, &str)], date1904: bool) -> PathBuf {
    let path = dir.join(name);
    let mut zip = ZipWriter::new(std::fs::File::create(&path).unwrap());
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    let workbook = workbook_xml(date1904);
    let common = [
        ("[Content_Types].xml", CONTENT_TYPES),
        ("_rels/.rels", ROOT_RELS),
        ("xl/workbook.xml", workbook.as_str()),
        ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
        (
            "xl/worksheets/other.xml",
            r#"<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>other</t></is></c></row></sheetData></worksheet>"#,
        ),
    ];
    for (part, text) in common.iter().chain(parts) {
        zip.start_file(*part, options).unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    zip.finish().unwrap();
    path
}

const STYLES: &str = r#"<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy/m/d"/><numFmt numFmtId="165" formatCode="&quot;编号&quot;0"/></numFmts><cellStyleXfs count="1"><xf numFmtId="14"/></cellStyleXfs><cellXfs count="6"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"><alignment horizontal="left"/></xf><xf numFmtId="46"/><xf numFmtId="165"/><xf numFmtId="22"/></cellXfs></styleSheet>"#;

const SHARED: &str = r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="6" uniqueCount="6"><si><t>统一社会信用代码</t></si><si><t xml:space="preserve">  主体名称 </t></si><si><t>  trimmed  </t></si><si><r><rPr><b/></rPr><t>富</t></r><r><t xml:space="preserve"> 文本</t></r><rPh><t>フリガナ</t></rPh></si><si><t>a_x000D_b &amp; &lt;c&gt; &#x4E2D;<![CDATA[<raw>]]></t></si><si/></sst>"#;

const SHEET: &str = r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:J9"/><sheetData>
<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c><c r="E1" t="s"><v>4</v></c><c r="F1" t="s"><v>5</v></c></row>
<row r="2"><c r="A2" s="1"><v>45678</v></c><c r="B2" s="2"><v>45678.5</v></c><c r="C2" s="3"><v>1.25</v></c><c r="D2" s="4"><v>370402</v></c><c r="E2" s="5"><v>45678.75</v></c><c r="F2" s="9"><v>12</v></c><c r="G2" s="x"><v>13</v></c></row>
<row r="3"><c r="A3" t="str"><f>CONCAT("a","b")</f><v>a&amp;b
c</v></c><c r="B3" t="e"><v>#N/A</v></c><c r="C3" t="b"><v>1</v></c><c r="D3" t="b"><v>false</v></c><c r="E3" t="d"><v>2024-01-02T03:04:05</v></c><c r="F3"><v>not a number</v></c><c r="G3"><f>1+1</f><v>2</v></c><c r="H3"><v></v></c></row>
<row r="5"><c t="inlineStr"><is><t>inline</t></is></c><c t="inlineStr"><is><r><t>rich</t></r><r><t xml:space="preserve"> inline</t></r></is></c><c r="E5" t="s"><v>3</v></c><c r="F5"/></row>
<row><c><v>914403001922038216</v></c><c t="n"><v>-0.5</v></c><c><v>1E-3</v></c></row>
<row r="8" spans="1:3"><c r="A8" t="s"><v></v></c><c r="B8" t="inlineStr"><is><t>   </t></is></c></row>
<row r="9"><c r="J9" t="inlineStr"><v>ignored</v><is><t>last column</t></is></c></row>
</sheetData></worksheet>"#;

#[test]
fn a_hand_written_workbook_reads_the_same_both_ways() {
    let dir = TempDir::new().unwrap();
    for date1904 in [false, true] {
        let path = hand_written(
            dir.path(),
            &format!("hand{date1904}.xlsx"),
            &[
                ("xl/styles.xml", STYLES),
                ("xl/sharedStrings.xml", SHARED),
                ("xl/worksheets/sheet1.xml", SHEET),
            ],
            date1904,
        );
        let (calamine, streaming) = both_ways(&path);
        assert_eq!(calamine, streaming, "date1904 = {date1904}");
        let RawItem::Row(header) = &streaming[0] else {
            panic!("{streaming:?}");
        };
        assert_eq!(header.fields[1], RawField::Text("  主体名称 ".to_owned()));
        assert_eq!(header.fields[2], RawField::Text("trimmed".to_owned()));
        assert_eq!(header.fields[3], RawField::Text("富 文本".to_owned()));
        assert_eq!(
            header.fields[4],
            RawField::Text("a\rb & <c> 中<raw>".to_owned())
        );
        let RawItem::Row(dates) = &streaming[1] else {
            panic!("{streaming:?}");
        };
        let expected = if date1904 { "2029-01-22" } else { "2025-01-21" };
        assert_eq!(dates.fields[0], RawField::Text(expected.to_owned()));
        assert_eq!(dates.fields[3], RawField::Number("370402".to_owned()));
        // Rows 4 and 7 do not exist; row 8 is blank.
        let lines: Vec<u64> = streaming
            .iter()
            .map(|item| match item {
                RawItem::Row(row) => row.line,
                RawItem::Failed { line, .. } => *line,
            })
            .collect();
        assert_eq!(lines, [1, 2, 3, 5, 6, 9]);
    }
}

#[test]
fn the_header_check_sees_the_same_header_as_calamine() {
    let dir = TempDir::new().unwrap();
    let path = hand_written(
        dir.path(),
        "hand.xlsx",
        &[
            ("xl/styles.xml", STYLES),
            ("xl/sharedStrings.xml", SHARED),
            ("xl/worksheets/sheet1.xml", SHEET),
        ],
        false,
    );
    let mut book = Book::open(&path).unwrap();
    let (name, part) = book.choose(None).unwrap();
    assert_eq!(name, "登记 & 名单");
    let checked = xlsx_stream::header_row(&mut book, &part).unwrap();
    let calamine = drain(xlsx_source::open(&path, name).unwrap());
    assert_eq!(RawItem::Row(checked.row), calamine[0]);
    // The second sheet is found by name, its part by an absolute target.
    let (name, part) = book.choose(Some(" Other ")).unwrap();
    assert_eq!(
        (name.as_str(), part.as_str()),
        ("Other", "xl/worksheets/other.xml")
    );
    let err = book.choose(Some("缺少")).unwrap_err();
    assert!(matches!(err, FileError::Sheet { .. }), "{err}");
}

/// A rust_xlsxwriter workbook with `rows` data rows of distinct strings under `headers`.
fn written(path: &Path, headers: &[&str], rows: u32) {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for (col, text) in headers.iter().enumerate() {
        sheet.write_string(0, col as u16, *text).unwrap();
    }
    for row in 1..=rows {
        for col in 0..headers.len() as u16 {
            sheet
                .write_string(row, col, format!("第{row}行第{col}列的值"))
                .unwrap();
        }
    }
    book.save(path).unwrap();
}

#[test]
fn wrong_headers_are_refused_after_reading_only_the_strings_the_header_uses() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("wrong.xlsx");
    written(&path, &["名称", "地址", "电话"], 20_000);
    let mut book = Book::open(&path).unwrap();
    let (_, part) = book.choose(None).unwrap();
    let checked = xlsx_stream::header_row(&mut book, &part).unwrap();
    // 60,003 strings in the table; the header uses the first three.
    assert_eq!(checked.strings_read, 3);
    let spec = RegistryKind::Registrations.spec().table();
    let texts = super::texts(&checked.row);
    assert!(matches!(
        header::map_headers(spec, &texts),
        Err(FileError::Headers { .. })
    ));
    // Through `open`, the same refusal.
    let err = super::open(&path, RegistryKind::Registrations, &ReadOptions::default())
        .err()
        .unwrap();
    assert!(matches!(err, FileError::Headers { .. }), "{err}");
}

#[test]
fn the_header_check_stops_before_a_broken_tail_of_the_shared_strings() {
    // Three strings, then a table that never ends: calamine cannot open this workbook at all,
    // the header check never gets that far.
    let mut shared = String::from(
        r#"<sst count="9" uniqueCount="9"><si><t>名称</t></si><si><t>地址</t></si><si><t>电话</t></si>"#,
    );
    shared.push_str(&"<si><t>x</t></si>".repeat(1000));
    shared.push_str("<si><t>unterminated");
    let sheet = r#"<worksheet><dimension ref="A1:C2"/><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c></row><row r="2"><c r="A2" t="s"><v>900</v></c></row></sheetData></worksheet>"#;
    let dir = TempDir::new().unwrap();
    let path = hand_written(
        dir.path(),
        "tail.xlsx",
        &[
            ("xl/sharedStrings.xml", &shared),
            ("xl/worksheets/sheet1.xml", sheet),
        ],
        false,
    );
    let file = std::fs::File::open(&path).unwrap();
    let calamine: Result<calamine::Xlsx<_>, _> =
        calamine::Reader::new(std::io::BufReader::new(file));
    assert!(calamine.is_err());
    let err = super::open(&path, RegistryKind::Registrations, &ReadOptions::default())
        .err()
        .unwrap();
    let FileError::Headers { found, .. } = &err else {
        panic!("expected a header error, got {err}");
    };
    assert_eq!(found, &["名称", "地址", "电话"]);
}

#[test]
fn an_impossible_shared_string_count_is_refused_before_calamine_reserves_it() {
    // calamine reserves `uniqueCount` strings up front: 4e9 × 24 bytes fails to allocate and
    // aborts the process.
    let shared = r#"<sst count="4000000000" uniqueCount="4000000000"><si><t>统一社会信用代码</t></si><si><t>主体名称</t></si></sst>"#;
    let sheet = r#"<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row></sheetData></worksheet>"#;
    let dir = TempDir::new().unwrap();
    let path = hand_written(
        dir.path(),
        "count.xlsx",
        &[
            ("xl/sharedStrings.xml", shared),
            ("xl/worksheets/sheet1.xml", sheet),
        ],
        false,
    );
    let err = super::open(&path, RegistryKind::Registrations, &ReadOptions::default())
        .err()
        .unwrap();
    assert!(matches!(err, FileError::Xlsx { .. }), "{err}");
    assert!(err.to_string().contains("4000000000"), "{err}");
}

#[test]
fn a_huge_text_node_is_refused_without_being_held() {
    let huge = "某".repeat(2 * 1024 * 1024);
    let shared = format!(r#"<sst><si><t>{huge}</t></si></sst>"#);
    let sheet = r#"<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>"#;
    let dir = TempDir::new().unwrap();
    let path = hand_written(
        dir.path(),
        "huge.xlsx",
        &[
            ("xl/sharedStrings.xml", &shared),
            ("xl/worksheets/sheet1.xml", sheet),
        ],
        false,
    );
    let err = super::open(&path, RegistryKind::Registrations, &ReadOptions::default())
        .err()
        .unwrap();
    assert!(err.to_string().contains("4 MiB"), "{err}");
}

#[test]
fn a_registry_reads_the_same_through_either_reader() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("reg.xlsx");
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let headers = ["统一社会信用代码", "主体名称", "成立日期", "行政区划代码"];
    for (col, text) in headers.iter().enumerate() {
        sheet.write_string(0, col as u16, *text).unwrap();
    }
    let date = Format::new().set_num_format("yyyy-mm-dd");
    for row in 1..=300u32 {
        let code = meijian_domain::uscc::Uscc::from_body(&format!("91350200{row:09}")).unwrap();
        sheet.write_string(row, 0, code.as_str()).unwrap();
        sheet
            .write_string(row, 1, format!("厦门第{}号美容有限公司", row % 17))
            .unwrap();
        sheet
            .write_datetime_with_format(row, 2, ExcelDateTime::from_ymd(2020, 1, 2).unwrap(), &date)
            .unwrap();
        sheet.write_number(row, 3, 350203.0).unwrap();
    }
    book.save(&path).unwrap();
    let spec = RegistryKind::Registrations.spec().table();
    let opts = ReadOptions::default();
    let (calamine, _) = open_sheet(&path, spec, &opts, u64::MAX).unwrap();
    let (streaming, sheet) = open_sheet(&path, spec, &opts, 0).unwrap();
    assert_eq!(sheet, "Sheet1");
    let streaming = drain(streaming);
    assert_eq!(drain(calamine), streaming);
    assert_eq!(streaming.len(), 301);
    // And the public reader gives records from it.
    let rows: Vec<_> = super::open(&path, RegistryKind::Registrations, &opts)
        .unwrap()
        .collect();
    assert_eq!(rows.len(), 300);
    assert!(rows.iter().all(|r| matches!(r, crate::ParsedRow::Ok(_))));
}

#[test]
fn a_nul_read_by_the_streaming_reader_never_reaches_a_rejection() {
    // A raw NUL byte in the XML: a cell value that is not a number ends the sheet, and the
    // message quoting it is escaped; the NUL in a text cell rejects its row.
    let sheet = "<worksheet><sheetData>\
        <row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>统一社会信用代码</t></is></c><c r=\"B1\" t=\"inlineStr\"><is><t>主体名称</t></is></c></row>\
        <row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>91350200776049653A</t></is></c><c r=\"B2\" t=\"s\"><v>0</v></c></row>\
        <row r=\"3\"><c r=\"A3\" t=\"n\"><v>1\u{0}</v></c></row>\
        </sheetData></worksheet>";
    let shared = "<sst><si><t>甲_x0000_乙</t></si></sst>";
    let dir = TempDir::new().unwrap();
    let path = hand_written(
        dir.path(),
        "nul.xlsx",
        &[
            ("xl/sharedStrings.xml", shared),
            ("xl/worksheets/sheet1.xml", sheet),
        ],
        false,
    );
    let spec = RegistryKind::Registrations.spec().table();
    let reader = open_xlsx_with(
        &path,
        Some(RegistryKind::Registrations),
        spec,
        &ReadOptions::default(),
        0,
        0,
    )
    .unwrap();
    let rows: Vec<ParsedRow> = reader.collect();
    let [ParsedRow::Rejected(text), ParsedRow::Rejected(failed)] = rows.as_slice() else {
        panic!("{rows:?}");
    };
    assert_eq!((text.line, text.column.as_str()), (2, "主体名称"));
    assert_eq!(text.value, "甲\\u{0000}乙");
    assert!(failed.reason.contains("\\u{0000}"), "{failed:?}");
    assert!(!failed.reason.contains('\0'), "{failed:?}");
}

#[test]
fn spilled_strings_are_found_in_any_order() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("strings.xlsx");
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let expected: Vec<String> = (0..1000)
        .map(|i| {
            if i % 7 == 0 {
                format!("长文本{}", "字".repeat(i % 300))
            } else {
                format!("s{i}")
            }
        })
        .collect();
    for (i, text) in expected.iter().enumerate() {
        sheet.write_string(i as u32, 0, text).unwrap();
    }
    book.save(&path).unwrap();
    let mut book = Book::open(&path).unwrap();
    let sst = SstReader::open(&mut book).unwrap().unwrap();
    let mut table = SpilledStrings::spill(sst, Some(dir.path())).unwrap();
    let order: Vec<usize> = (0..1000)
        .chain((0..1000).rev())
        .chain((0..1000).map(|i| (i * 389) % 1000))
        .chain([999, 0, 64, 63, 65, 128, 5, 5, 5])
        .collect();
    for index in order {
        assert_eq!(
            table.get(index).unwrap().as_deref(),
            Some(expected[index].as_str())
        );
    }
    assert_eq!(table.get(1000).unwrap(), None);
}

/// One generated cell.
#[derive(Clone, Debug)]
enum Cell {
    Text(String),
    Number(f64),
    Date(u16, u8, u8, u16),
    Bool(bool),
    Rich(String, String),
    FormulaText(String),
    FormulaNumber(f64),
    Blank,
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[ a-zA-Z0-9]{0,8}",
        "[ 　统一社会信用代码名称地址甲乙丙丁\t\r\n<>&\"'_x0D]{0,12}",
        Just("_x000D_".to_owned()),
        Just("  leading and trailing  ".to_owned()),
        Just("\u{1F600}emoji".to_owned()),
        Just("a\u{0}b".to_owned()),
    ]
}

fn cell() -> impl Strategy<Value = Cell> {
    prop_oneof![
        4 => text().prop_map(Cell::Text),
        2 => prop_oneof![
            (-1e6..1e6f64),
            (0u64..1_000_000_000_000_000_000).prop_map(|n| n as f64),
            Just(0.1f64),
            Just(-0.0f64),
        ].prop_map(Cell::Number),
        1 => (1900u16..2100, 1u8..=12, 1u8..=28, 0u16..1440).prop_map(|(y, m, d, t)| Cell::Date(y, m, d, t)),
        1 => any::<bool>().prop_map(Cell::Bool),
        1 => (text(), text()).prop_map(|(a, b)| Cell::Rich(a, b)),
        1 => text().prop_map(Cell::FormulaText),
        1 => (-1e3..1e3f64).prop_map(Cell::FormulaNumber),
        2 => Just(Cell::Blank),
    ]
}

fn write_cells(path: &Path, rows: &[Vec<Cell>]) {
    let mut book = Workbook::new();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let datetime = Format::new().set_num_format("yyyy/m/d h:mm");
    let bold = Format::new().set_bold();
    let sheet = book.add_worksheet();
    for (r, cells) in rows.iter().enumerate() {
        let r = r as u32;
        for (c, cell) in cells.iter().enumerate() {
            let c = c as u16;
            match cell {
                Cell::Text(s) if s.is_empty() => {}
                Cell::Text(s) => {
                    sheet.write_string(r, c, s).unwrap();
                }
                Cell::Number(n) => {
                    sheet.write_number(r, c, *n).unwrap();
                }
                Cell::Date(y, m, d, minutes) => {
                    let mut dt = ExcelDateTime::from_ymd(*y, *m, *d).unwrap();
                    if *minutes > 0 {
                        dt = dt.and_hms(minutes / 60, (minutes % 60) as u8, 0).unwrap();
                        sheet
                            .write_datetime_with_format(r, c, dt, &datetime)
                            .unwrap();
                    } else {
                        sheet.write_datetime_with_format(r, c, dt, &date).unwrap();
                    }
                }
                Cell::Bool(b) => {
                    sheet.write_boolean(r, c, *b).unwrap();
                }
                Cell::Rich(a, b) if a.is_empty() || b.is_empty() => {}
                Cell::Rich(a, b) => {
                    let plain = Format::new();
                    let segments = [(&bold, a.as_str()), (&plain, b.as_str())];
                    sheet.write_rich_string(r, c, &segments).unwrap();
                }
                Cell::FormulaText(s) => {
                    let formula = Formula::new("=A1").set_result(s.clone());
                    sheet.write_formula(r, c, formula).unwrap();
                }
                Cell::FormulaNumber(n) => {
                    let formula = Formula::new("=1+1").set_result(n.to_string());
                    sheet.write_formula(r, c, formula).unwrap();
                }
                Cell::Blank => {}
            }
        }
    }
    book.save(path).unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Any workbook reads to the same rows through the streaming reader as through calamine.
    #[test]
    fn the_streaming_reader_gives_calamines_rows(
        rows in prop::collection::vec(prop::collection::vec(cell(), 0..7), 1..9),
    ) {
        let dir = TempDir::new().unwrap();
        let path = dir.path().join("gen.xlsx");
        write_cells(&path, &rows);
        let (calamine, streaming) = both_ways(&path);
        prop_assert_eq!(calamine, streaming);
    }
}
