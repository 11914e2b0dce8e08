//! Snapshots of the layout of the exports, read back as a person's spreadsheet or word
//! processor would (calamine for the cells, the sheet XML for widths, frozen panes and merges;
//! the document XML for DOCX), not as bytes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fmt::Write as _;
use std::io::{Cursor, Read};

use calamine::{Data, Reader, Xlsx};
use meijian_exports::{to_docx_bytes, to_xlsx_bytes, Cell, Column, Table, SAMPLE_ROWS};

fn part(bytes: &[u8], name: &str) -> Option<String> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut out = String::new();
    zip.by_name(name).ok()?.read_to_string(&mut out).unwrap();
    Some(out)
}

/// Every `<tag …/>` or `<tag …>` element's opening, as written.
fn elements<'a>(xml: &'a str, tag: &str) -> Vec<&'a str> {
    let open = format!("<{tag} ");
    let mut out = Vec::new();
    let mut rest = xml;
    while let Some(i) = rest.find(&open) {
        let end = rest[i..].find('>').unwrap() + i + 1;
        out.push(&rest[i..end]);
        rest = &rest[end..];
    }
    out
}

/// A readable description of an XLSX: the sheet, its merges, frozen pane, column widths,
/// whether strings are shared, and its cells with their types. `rows` limits the cells shown
/// (the last row is always shown).
fn describe_xlsx(bytes: &[u8], rows: usize) -> String {
    let mut out = String::new();
    let sheet_xml = part(bytes, "xl/worksheets/sheet1.xml").unwrap();
    let strings = if part(bytes, "xl/sharedStrings.xml").is_some() {
        "shared"
    } else {
        "inline"
    };
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes.to_vec())).unwrap();
    let names = book.sheet_names();
    writeln!(out, "sheets: {names:?}").unwrap();
    writeln!(out, "strings: {strings}").unwrap();
    for pane in elements(&sheet_xml, "pane") {
        writeln!(out, "{pane}").unwrap();
    }
    for merge in elements(&sheet_xml, "mergeCell") {
        writeln!(out, "{merge}").unwrap();
    }
    for col in elements(&sheet_xml, "col") {
        writeln!(out, "{col}").unwrap();
    }
    for cell in elements(&sheet_xml, "c").iter().take(3) {
        // The header's style (bold) and the title's, by their style index.
        writeln!(out, "{cell}").unwrap();
    }
    let range = book.worksheet_range(&names[0]).unwrap();
    let height = range.height();
    writeln!(out, "rows: {height}").unwrap();
    for (r, row) in range.rows().enumerate() {
        if r >= rows && r + 1 != height {
            continue;
        }
        let cells: Vec<String> = row
            .iter()
            .map(|c| match c {
                Data::String(s) => format!("{s:?}"),
                Data::Float(f) => format!("{f}f"),
                Data::Int(i) => format!("{i}i"),
                Data::Empty => "·".to_string(),
                other => format!("{other:?}"),
            })
            .collect();
        writeln!(out, "{r}: {}", cells.join(" | ")).unwrap();
    }
    out
}

/// A readable description of a DOCX: page size, the title, the table grid and its rows, a
/// bold run marked `*…*`, a right-aligned paragraph `>…`.
fn describe_docx(bytes: &[u8]) -> String {
    let xml = part(bytes, "word/document.xml").unwrap();
    let mut out = String::new();
    for e in elements(&xml, "w:pgSz") {
        writeln!(out, "{e}").unwrap();
    }
    let grid: Vec<&str> = elements(&xml, "w:gridCol");
    writeln!(out, "grid: {}", grid.join(" ")).unwrap();
    // Paragraphs outside and inside the table, in order.
    let mut in_row = false;
    let mut row: Vec<String> = Vec::new();
    for chunk in xml.split('<').skip(1) {
        let (tag, text) = chunk.split_once('>').unwrap_or((chunk, ""));
        let name = tag.split([' ', '/']).next().unwrap_or("");
        match name {
            "w:tr" if !tag.starts_with('/') => {
                in_row = true;
                row.clear();
            }
            "" if tag == "/w:tr" => {}
            "w:p" if !tag.ends_with('/') => row.push(String::new()),
            "w:b" => {
                if let Some(p) = row.last_mut() {
                    p.push('*');
                }
            }
            "w:jc" if tag.contains("right") => {
                if let Some(p) = row.last_mut() {
                    p.push('>');
                }
            }
            "w:t" => {
                if let Some(p) = row.last_mut() {
                    p.push_str(text);
                }
            }
            _ => {}
        }
        if tag == "/w:tr" {
            writeln!(out, "row: {}", row.join(" | ")).unwrap();
            row.clear();
            in_row = false;
        } else if tag == "/w:p" && !in_row {
            if let Some(p) = row.pop() {
                if !p.is_empty() {
                    writeln!(out, "paragraph: {p}").unwrap();
                }
            }
        }
    }
    out
}

fn registry_like() -> Table {
    let mut columns: Vec<Column> = [
        "统一社会信用代码",
        "名称",
        "法定代表人",
        "注册资本（万元）",
        "住所",
    ]
    .into_iter()
    .map(Column::text)
    .collect();
    columns[3] = Column::number("注册资本（万元）");
    columns.push(Column::text("状态标记"));
    columns.push(Column::date("最后更新"));
    Table::new("登记注册", columns)
}

#[test]
fn an_untitled_registry_list() {
    let rows = vec![
        vec![
            Cell::text("91370402MA3CKX0N1B"),
            Cell::text("枣庄市市中区美丽人生医疗美容诊所有限公司"),
            Cell::text("张三"),
            Cell::guess("200"),
            Cell::text("山东省枣庄市市中区光明路 18 号"),
            Cell::Empty,
            Cell::text("2026-11-22 09:30"),
        ],
        vec![
            Cell::text("92370403MA3D00002X"),
            Cell::text("=HYPERLINK(\"http://example.invalid\")"),
            Cell::text("0532"),
            Cell::guess("12.5"),
            Cell::Empty,
            Cell::text("最新完整导出中缺失"),
            Cell::text("2026-11-23 10:00"),
        ],
    ];
    let bytes = to_xlsx_bytes(&registry_like(), rows).unwrap();
    insta::assert_snapshot!(describe_xlsx(&bytes, 10));
}

#[test]
fn a_titled_operator_list() {
    let table = Table::new(
        "名单",
        vec![
            Column::number("序号"),
            Column::text("主体编号"),
            Column::text("主体名称"),
            Column::text("分类"),
            Column::text("说明"),
        ],
    )
    .titled("枣庄市薛城区 有照无证主体名单（比对基准日 2026-11-22）");
    let rows = (1..=3).map(|i| {
        vec![
            Cell::count(i),
            Cell::text(format!("OP-{i:04}")),
            Cell::text(format!("薛城区第{i}家美容院")),
            Cell::text("有照无证"),
            Cell::text(""),
        ]
    });
    let bytes = to_xlsx_bytes(&table, rows).unwrap();
    insta::assert_snapshot!(describe_xlsx(&bytes, 10));
}

#[test]
fn a_long_list_is_streamed_with_the_same_layout() {
    let table = registry_like().titled("登记注册（长表）");
    let n = SAMPLE_ROWS + 5;
    let rows = (0..n).map(|i| {
        Ok::<_, std::io::Error>(vec![
            Cell::text(format!("9137040{i:011}")),
            Cell::text(format!("第{i}号诊所")),
            Cell::text("李四"),
            Cell::count(i),
            Cell::text("枣庄"),
            Cell::Empty,
            Cell::text("2026-11-22"),
        ])
    });
    let bytes = to_xlsx_bytes(&table, rows).unwrap();
    insta::assert_snapshot!(describe_xlsx(&bytes, 4));
}

#[test]
fn a_summary_as_a_word_document() {
    let table = Table::new(
        "投诉举报情况",
        vec![
            Column::text("区（市）"),
            Column::number("投诉举报（件）"),
            Column::number("办结（件）"),
            Column::text("投诉举报情况"),
        ],
    )
    .titled("枣庄市 2026年11月 医疗美容投诉举报情况汇总表");
    let rows = vec![
        vec![
            Cell::text("市中区"),
            Cell::int(12),
            Cell::int(10),
            Cell::text("受理 12 件，办结 10 件 <含转办>。"),
        ],
        vec![
            Cell::text("合计"),
            Cell::int(12),
            Cell::int(10),
            Cell::Empty,
        ],
    ];
    let bytes = to_docx_bytes(&table, rows).unwrap();
    insta::assert_snapshot!(describe_docx(&bytes));
}
