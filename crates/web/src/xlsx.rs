//! XLSX files people open in Excel or WPS: rejected rows of an import and exported lists.
//! Every cell is written as a string or a plain number ([`as_number`]), never as a formula, so a
//! value such as `=HYPERLINK(…)` from an import cannot execute in the reader's spreadsheet
//! (ASVS 1.2.10). Columns are as wide as their content, a Chinese character counting twice. A text longer than
//! a cell may hold is cut to fit, ending with a mark that says so ([`fit_cell`]): one long value
//! must not make the whole file fail.

use std::borrow::Cow;
use std::path::Path;

use axum::http::header;
use axum::response::{IntoResponse, Response};
use meijian_store::registry_import::RowIssue;
use rust_xlsxwriter::{Format, Workbook, XlsxError};

/// The most a cell holds: 32,767 characters, as Excel counts them (UTF-16 code units).
/// rust_xlsxwriter refuses a string of more `char`s; a `char` is one or two UTF-16 code units,
/// so a text within this many code units passes both.
pub const MAX_CELL_UNITS: usize = 32_767;

/// `text` cut to fit a cell when it is longer, ending with `…（内容过长，已截断，原文 N 字）`
/// (N in characters, as people count them).
pub fn fit_cell(text: &str) -> Cow<'_, str> {
    // Quick exit: a UTF-16 code unit takes at least one UTF-8 byte.
    if text.len() <= MAX_CELL_UNITS || text.encode_utf16().count() <= MAX_CELL_UNITS {
        return Cow::Borrowed(text);
    }
    let mark = format!("…（内容过长，已截断，原文 {} 字）", text.chars().count());
    let room = MAX_CELL_UNITS - mark.encode_utf16().count();
    let mut used = 0;
    let mut out = String::with_capacity(room * 3 + mark.len());
    for c in text.chars() {
        used += c.len_utf16();
        if used > room {
            break;
        }
        out.push(c);
    }
    out.push_str(&mark);
    Cow::Owned(out)
}

/// A count or an amount, to be written as a number so that Excel sums and sorts it: plain
/// decimals of at most ten digits before the point, without a leading zero. Codes keep their
/// text (a USCC has letters; phone and identity numbers are longer; `0532` has a leading zero).
pub fn as_number(text: &str) -> Option<f64> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let plain = !int.is_empty()
        && int.len() <= 10
        && int.bytes().all(|b| b.is_ascii_digit())
        && (int == "0" || !int.starts_with('0'))
        && frac.len() <= 4
        && frac.bytes().all(|b| b.is_ascii_digit())
        && !(digits.contains('.') && frac.is_empty());
    if plain {
        text.parse().ok()
    } else {
        None
    }
}

/// Columns a text takes in Excel's default font: a wide (Chinese) character two, others one.
fn display_width(text: &str) -> usize {
    text.chars()
        .take(200)
        .map(|c| if c.len_utf8() >= 3 { 2 } else { 1 })
        .sum()
}

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
        ws.write_string_with_format(top, c as u16, fit_cell(h), &bold)?;
    }
    let mut widths: Vec<usize> = headers.iter().map(|h| display_width(h)).collect();
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            let at = (top + r as u32 + 1, c as u16);
            match as_number(v) {
                Some(n) => ws.write_number(at.0, at.1, n)?,
                None => ws.write_string(at.0, at.1, fit_cell(v))?,
            };
            // The first thousand rows tell the width well enough.
            if r < 1000 {
                if c >= widths.len() {
                    widths.resize(c + 1, 0);
                }
                widths[c] = widths[c].max(display_width(v));
            }
        }
    }
    ws.set_freeze_panes(top + 1, 0)?;
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, (*w).clamp(6, 60) as f64 + 2.0)?;
    }
    // The title spans the columns; it does not count toward the first one's width.
    if let Some(title) = title {
        let title = fit_cell(title);
        let title = title.as_ref();
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn counts_and_amounts_are_numbers_and_codes_stay_text() {
        for (text, number) in [
            ("0", Some(0.0)),
            ("42", Some(42.0)),
            ("-7", Some(-7.0)),
            ("200000", Some(200_000.0)),
            ("12.5", Some(12.5)),
            ("91370402MA3CKX0N1B", None),
            ("13812345678", None),
            ("0532", None),
            ("370402199001011234", None),
            ("2026-11-22", None),
            ("12.", None),
            ("", None),
            ("=1+1", None),
        ] {
            assert_eq!(as_number(text), number, "{text}");
        }
        assert_eq!(display_width("枣庄ab"), 6);
    }

    #[test]
    fn a_long_text_is_cut_to_fit_with_a_mark() {
        assert_eq!(fit_cell("短文本"), "短文本");
        let exact = "字".repeat(MAX_CELL_UNITS);
        assert!(matches!(fit_cell(&exact), Cow::Borrowed(_)));
        let long = "名".repeat(100_000);
        let cut = fit_cell(&long);
        assert_eq!(cut.encode_utf16().count(), MAX_CELL_UNITS);
        assert!(
            cut.ends_with("…（内容过长，已截断，原文 100000 字）"),
            "{}",
            &cut[cut.len() - 80..]
        );
        assert!(cut.starts_with("名名名"));
        // Characters outside the BMP count twice, as in Excel; a pair is never split.
        let astral = "𠀀".repeat(20_000); // 20,000 chars, 40,000 UTF-16 units
        let cut = fit_cell(&astral);
        assert!(cut.encode_utf16().count() <= MAX_CELL_UNITS);
        assert!(cut.ends_with("原文 20000 字）"));
        let within = "𠀀".repeat(16_000); // 32,000 units: fits
        assert!(matches!(fit_cell(&within), Cow::Borrowed(_)));
        // Each of them is written where rust_xlsxwriter alone refuses the original.
        for text in [long.as_str(), astral.as_str(), "=HYPERLINK(\"x\")"] {
            table("表", &["列"], &[vec![text.to_string()]]).unwrap();
            titled_table("表", text, &["甲", "乙"], &[vec![text.to_string()]]).unwrap();
        }
        assert!(Workbook::new()
            .add_worksheet()
            .write_string(0, 0, &long)
            .is_err());
    }
}
