//! XLSX files people open in Excel or WPS: rejected rows of an import and exported lists.
//! Every cell is written as a string, never as a formula, so a value such as `=HYPERLINK(…)`
//! from an import cannot execute in the reader's spreadsheet (ASVS 1.2.10).

use std::path::Path;

use axum::http::header;
use axum::response::{IntoResponse, Response};
use meijian_store::registry_import::RowIssue;
use rust_xlsxwriter::{Format, Workbook, XlsxError};

/// A workbook with one sheet: a bold, frozen header row and string cells.
pub fn table(sheet: &str, headers: &[&str], rows: &[Vec<String>]) -> Result<Vec<u8>, XlsxError> {
    sheet_with(sheet, None, headers, rows)
}

/// Like [`table`], with a bold title in the first row above the header, as lists handed up
/// between offices are laid out (e.g. `枣庄市薛城区 有照无证主体名单（比对基准日 2026-11-22）`).
pub fn titled_table(
    sheet: &str,
    title: &str,
    headers: &[&str],
    rows: &[Vec<String>],
) -> Result<Vec<u8>, XlsxError> {
    sheet_with(sheet, Some(title), headers, rows)
}

fn sheet_with(
    sheet: &str,
    title: Option<&str>,
    headers: &[&str],
    rows: &[Vec<String>],
) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name(sheet)?;
    let bold = Format::new().set_bold();
    let top = u32::from(title.is_some());
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(top, c as u16, *h, &bold)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write_string(top + r as u32 + 1, c as u16, v)?;
        }
    }
    ws.set_freeze_panes(top + 1, 0)?;
    ws.autofit();
    // After autofit, so that the title spans the columns instead of widening the first one.
    if let Some(title) = title {
        let format = Format::new().set_bold().set_font_size(14);
        let last = headers.len().saturating_sub(1) as u16;
        if last > 0 {
            ws.merge_range(0, 0, 0, last, title, &format)?;
        } else {
            ws.write_string_with_format(0, 0, title, &format)?;
        }
    }
    book.save_to_buffer()
}

/// The problem rows of an import: 行号, 处理, 列, 值, 原因.
pub fn rejections(rows: &[RowIssue]) -> Result<Vec<u8>, XlsxError> {
    let data: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let outcome = if r.rejected {
                "未导入"
            } else {
                "已导入（有警告）"
            };
            vec![
                r.line.to_string(),
                outcome.to_string(),
                r.column.clone(),
                r.value.clone(),
                r.reason.clone(),
            ]
        })
        .collect();
    table("问题行", &["行号", "处理", "列", "值", "原因"], &data)
}

/// Writes [`rejections`] to a file.
pub fn write_rejections(path: &Path, rows: &[RowIssue]) -> anyhow::Result<()> {
    let bytes = rejections(rows)?;
    std::fs::write(path, bytes).map_err(|e| anyhow::anyhow!("无法写入 {}：{e}", path.display()))
}

/// An XLSX download named `file_name` (Chinese names kept, RFC 5987).
pub fn download(file_name: &str, bytes: Vec<u8>) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                crate::pages::registries::attachment(file_name),
            ),
        ],
        bytes,
    )
        .into_response()
}
