//! Writes XLSX workbooks for measuring the reader's memory (nothing generated is committed).
//!
//! `bomb OUT MIB [PAD]`: a workbook whose `xl/sharedStrings.xml` unpacks to about MIB MiB of
//! strings that compress about 90 times (under the ZIP guard's ratio), and whose sheet has a
//! header row of shared strings that are not registry headers. PAD (default 2100, about 92 times) is the filler
//! per string; it sets the compression ratio.
//! `bomb-headers OUT MIB [PAD]`: the same shared strings under a sheet with valid
//! registrations headers (inline strings) and two rows that use strings 0 and 400,000.
//! `legit OUT ROWS`: a registrations workbook of ROWS rows, every text cell a shared string,
//! as Excel writes them.
//!
//! Usage: `cargo run --release -p meijian-registry --example xlsx_fixtures -- bomb /tmp/b.xlsx 1024`
//! then `/usr/bin/time -v target/release/examples/parse reader registrations /tmp/b.xlsx`.

use std::fs::File;
use std::io::{BufWriter, Write};

use rust_xlsxwriter::Workbook;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    match args.as_slice() {
        [_, kind, out, size, rest @ ..] if kind == "bomb" || kind == "bomb-headers" => {
            let pad = rest.first().map_or(Ok(2100), |p| p.parse())?;
            let sheet = if kind == "bomb" {
                SHEET
            } else {
                SHEET_WITH_HEADERS
            };
            bomb(out, size.parse()?, pad, sheet)
        }
        [_, kind, out, rows] if kind == "legit" => legit(out, rows.parse()?),
        _ => Err("usage: xlsx_fixtures bomb|bomb-headers OUT MIB [PAD] | legit OUT ROWS".into()),
    }
}

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>"#;
const ROOT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
const WORKBOOK: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
const WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#;
const SHEET: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:C2"/><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c></row><row r="2"><c r="A2" t="s"><v>3</v></c></row></sheetData></worksheet>"#;

/// The registrations headers as inline strings, then rows using the bomb's shared strings.
const SHEET_WITH_HEADERS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:B3"/><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>统一社会信用代码</t></is></c><c r="B1" t="inlineStr"><is><t>主体名称</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>91350200776049653A</t></is></c><c r="B2" t="s"><v>0</v></c></row><row r="3"><c r="A3" t="inlineStr"><is><t>91350200MA2XN0GH6W</t></is></c><c r="B3" t="s"><v>400000</v></c></row></sheetData></worksheet>"#;

fn bomb(out: &str, mib: u64, pad: usize, sheet: &str) -> Result<(), Box<dyn std::error::Error>> {
    let mut zip = ZipWriter::new(BufWriter::new(File::create(out)?));
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .large_file(true);
    for (name, text) in [
        ("[Content_Types].xml", CONTENT_TYPES),
        ("_rels/.rels", ROOT_RELS),
        ("xl/workbook.xml", WORKBOOK),
        ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
        ("xl/worksheets/sheet1.xml", sheet),
    ] {
        zip.start_file(name, options)?;
        zip.write_all(text.as_bytes())?;
    }
    zip.start_file("xl/sharedStrings.xml", options)?;
    let target = mib * 1024 * 1024;
    let filler = "某".repeat(pad / 3);
    let mut written = 0u64;
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let mut text = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#,
    );
    while written < target {
        // xorshift: 16 hex digits that deflate cannot predict.
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        text.push_str(&format!("<si><t>{state:016x}{filler}</t></si>"));
        if text.len() > 1 << 20 {
            zip.write_all(text.as_bytes())?;
            written += text.len() as u64;
            text.clear();
        }
    }
    text.push_str("</sst>");
    zip.write_all(text.as_bytes())?;
    zip.finish()?.flush()?;
    Ok(())
}

fn legit(out: &str, rows: u32) -> Result<(), Box<dyn std::error::Error>> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let headers = [
        "统一社会信用代码",
        "主体名称",
        "主体类型",
        "法定代表人",
        "住所",
        "经营范围",
        "登记状态",
        "成立日期",
        "登记机关",
        "行政区划代码",
    ];
    for (col, header) in headers.iter().enumerate() {
        sheet.write_string(0, u16::try_from(col)?, *header)?;
    }
    let surnames = ["张", "王", "李", "赵", "陈", "刘", "杨", "黄"];
    for i in 0..rows {
        let row = i + 1;
        let code = meijian_domain::uscc::Uscc::from_body(&format!("91350200{i:09}"))?;
        sheet.write_string(row, 0, code.as_str())?;
        sheet.write_string(row, 1, format!("厦门第{i}号医疗美容有限公司"))?;
        sheet.write_string(row, 2, "有限责任公司")?;
        sheet.write_string(
            row,
            3,
            format!("{}{}", surnames[i as usize % surnames.len()], i % 997),
        )?;
        sheet.write_string(row, 4, format!("厦门市思明区某某路{i}号{}室", i % 40))?;
        sheet.write_string(
            row,
            5,
            format!("医疗美容服务；美容服务；化妆品零售；第{i}类一般项目：除依法须经批准的项目外，凭营业执照依法自主开展经营活动"),
        )?;
        sheet.write_string(row, 6, "存续")?;
        sheet.write_string(row, 7, "2020-01-02")?;
        sheet.write_string(row, 8, "厦门市市场监督管理局")?;
        sheet.write_number(row, 9, 350203.0)?;
    }
    book.save(out)?;
    Ok(())
}
