//! Writes ROWS registry-like rows (10 columns, Chinese text) to an XLSX file, either streamed
//! through `meijian-exports` or the old way (all rows as `Vec<Vec<String>>`, then a workbook in
//! memory), for `bench/export.sh`.
//!
//! `cargo run --release -p meijian-exports --example export_bench -- stream|memory ROWS OUT`
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use meijian_exports::{as_number, display_width, fit_cell, to_xlsx_file, Cell, Column, Table};
use rust_xlsxwriter::{Format, Workbook};

const HEADERS: [&str; 10] = [
    "统一社会信用代码",
    "名称",
    "法定代表人",
    "住所",
    "经营范围",
    "登记机关",
    "成立日期",
    "注册资本（万元）",
    "登记状态",
    "最后更新",
];

const DISTRICTS: [&str; 6] = ["市中区", "薛城区", "峄城区", "台儿庄区", "山亭区", "滕州市"];
const SURNAMES: [&str; 8] = ["张", "王", "李", "赵", "刘", "陈", "杨", "黄"];
const GIVEN: [&str; 8] = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊"];
const TRADES: [&str; 4] = [
    "医疗美容服务；美容服务；化妆品零售",
    "生活美容服务；养生保健服务（非医疗）",
    "诊所服务；医疗美容项目（不含整形外科）",
    "美甲服务；皮肤护理；日用百货销售",
];

/// Row `i` as text, the same in both modes.
fn row(i: usize) -> [String; 10] {
    let d = DISTRICTS[i % DISTRICTS.len()];
    [
        format!("9137040{:011}", i * 7919 % 100_000_000_000),
        format!(
            "枣庄{d}第{i}号{}医疗美容诊所有限公司",
            ["丽人", "悦颜", "美程", "康美"][i % 4]
        ),
        format!("{}{}", SURNAMES[i % 8], GIVEN[(i / 8) % 8]),
        format!("山东省枣庄市{d}光明路{}号{}单元", i % 997 + 1, i % 9 + 1),
        TRADES[i % TRADES.len()].to_string(),
        format!("枣庄市{d}市场监督管理局"),
        format!("20{:02}-{:02}-{:02}", 10 + i % 16, i % 12 + 1, i % 28 + 1),
        format!("{}", (i % 500 + 1) * 10),
        ["存续", "在业", "注销", "吊销"][i % 4].to_string(),
        format!("2026-11-{:02} 09:{:02}", i % 28 + 1, i % 60),
    ]
}

fn stream(rows: usize, out: &str) {
    let mut columns: Vec<Column> = HEADERS.iter().copied().map(Column::text).collect();
    columns[6] = Column::date(HEADERS[6]);
    columns[7] = Column::number(HEADERS[7]);
    let table = Table::new("登记注册", columns);
    let data = (0..rows).map(|i| {
        let [uscc, name, rep, addr, scope, office, founded, capital, state, updated] = row(i);
        vec![
            Cell::Text(uscc),
            Cell::Text(name),
            Cell::Text(rep),
            Cell::Text(addr),
            Cell::Text(scope),
            Cell::Text(office),
            Cell::Text(founded),
            Cell::guess(&capital),
            Cell::Text(state),
            Cell::Text(updated),
        ]
    });
    to_xlsx_file(&table, data, std::path::Path::new(out)).unwrap();
}

/// The exports before `meijian-exports`: every row held as strings, then one workbook built in
/// memory (rust_xlsxwriter's standard mode).
fn memory(rows: usize, out: &str) {
    let data: Vec<Vec<String>> = (0..rows).map(|i| row(i).to_vec()).collect();
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name("登记注册").unwrap();
    let bold = Format::new().set_bold();
    for (c, h) in HEADERS.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &bold).unwrap();
    }
    let mut widths: Vec<usize> = HEADERS.iter().map(|h| display_width(h)).collect();
    for (r, row) in data.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            let at = (r as u32 + 1, c as u16);
            match as_number(v) {
                Some(n) => ws.write_number(at.0, at.1, n).unwrap(),
                None => ws.write_string(at.0, at.1, fit_cell(v)).unwrap(),
            };
            if r < 1000 {
                widths[c] = widths[c].max(display_width(v));
            }
        }
    }
    ws.set_freeze_panes(1, 0).unwrap();
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, (*w).clamp(6, 60) as f64 + 2.0)
            .unwrap();
    }
    book.save(out).unwrap();
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mode = args.get(1).map_or("stream", String::as_str);
    let rows: usize = args.get(2).map_or(1_000_000, |r| r.parse().unwrap());
    let out = args.get(3).map_or("export.xlsx", String::as_str);
    let start = Instant::now();
    match mode {
        "stream" => stream(rows, out),
        "memory" => memory(rows, out),
        other => panic!("mode {other}: stream or memory"),
    }
    let bytes = std::fs::metadata(out).unwrap().len();
    println!(
        "{mode}: {rows} rows in {:.1} s, {:.1} MiB file",
        start.elapsed().as_secs_f64(),
        bytes as f64 / 1_048_576.0
    );
}
