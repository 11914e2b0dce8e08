//! Streaming XLSX rows (XLSX 数据源): calamine's cell reader on a worker thread, rows passed
//! back through a bounded channel.
//!
//! The cell reader borrows the workbook, so both live on the worker thread; the channel keeps
//! memory bounded for sheets of a million rows. Dropping the reader ends the worker at its
//! next send. Cells become text here: integral numbers without `.0` or exponent (codes stored
//! as numbers), date cells as `YYYY-MM-DD`, Excel error values as bad cells.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::thread;

use calamine::{DataRef, ExcelDateTime, Reader, Xlsx};

use super::raw::{RawField, RawItem, RawRow};
use crate::error::FileError;

/// Rows buffered between the worker and the reader.
const CHANNEL_ROWS: usize = 512;
/// Excel's column limit (XFD); cells further right are ignored.
const MAX_COLUMNS: usize = 16_384;

enum Message {
    Total(u64),
    Row(RawRow),
    Failed(String),
}

/// The rows of one worksheet, the header included.
pub(crate) struct XlsxSource {
    rx: Receiver<Message>,
    rows_read: u64,
    rows_total: u64,
    done: bool,
}

/// Opens the workbook (already checked by the ZIP guard) and starts reading the sheet named
/// `sheet`, or the first one. Returns the source and the sheet's name.
pub(crate) fn open(path: &Path, sheet: Option<&str>) -> Result<(XlsxSource, String), FileError> {
    let file = File::open(path).map_err(|e| FileError::io(path, e))?;
    let book: Xlsx<BufReader<File>> =
        Xlsx::new(BufReader::new(file)).map_err(|e| FileError::Xlsx {
            detail: e.to_string(),
        })?;
    let names = book.sheet_names();
    let name = match sheet.map(str::trim).filter(|s| !s.is_empty()) {
        Some(wanted) => names
            .iter()
            .find(|n| n.trim() == wanted)
            .cloned()
            .ok_or_else(|| FileError::Sheet {
                requested: wanted.to_owned(),
                available: names.clone(),
            })?,
        None => names.first().cloned().ok_or(FileError::Empty)?,
    };
    let (tx, rx) = sync_channel(CHANNEL_ROWS);
    let worker_sheet = name.clone();
    thread::Builder::new()
        .name("xlsx-rows".to_owned())
        .spawn(move || produce(book, &worker_sheet, &tx))
        .map_err(|e| FileError::Xlsx {
            detail: format!("无法启动读取线程：{e}"),
        })?;
    let source = XlsxSource {
        rx,
        rows_read: 0,
        rows_total: 0,
        done: false,
    };
    Ok((source, name))
}

impl XlsxSource {
    pub(crate) fn next_item(&mut self) -> Option<RawItem> {
        while !self.done {
            match self.rx.recv() {
                Ok(Message::Total(total)) => self.rows_total = total,
                Ok(Message::Row(row)) => {
                    self.rows_read = row.line;
                    return Some(RawItem::Row(row));
                }
                Ok(Message::Failed(reason)) => {
                    self.done = true;
                    return Some(RawItem::Failed {
                        line: self.rows_read + 1,
                        reason: format!("读取工作表时出错，其余部分未读取：{reason}"),
                    });
                }
                Err(_) => {
                    self.done = true;
                    self.rows_read = self.rows_read.max(self.rows_total);
                }
            }
        }
        None
    }

    /// (rows read, rows in the sheet's declared dimension).
    pub(crate) fn progress(&self) -> (u64, u64) {
        (self.rows_read, self.rows_total.max(self.rows_read))
    }
}

fn produce(mut book: Xlsx<BufReader<File>>, sheet: &str, tx: &SyncSender<Message>) {
    let mut cells = match book.worksheet_cells_reader(sheet) {
        Ok(cells) => cells,
        Err(e) => {
            let _ = tx.send(Message::Failed(e.to_string()));
            return;
        }
    };
    let end_row = cells.dimensions().end.0;
    if tx.send(Message::Total(u64::from(end_row) + 1)).is_err() {
        return;
    }
    let mut current: Option<u32> = None;
    let mut fields: Vec<RawField> = Vec::new();
    loop {
        match cells.next_cell() {
            Ok(Some(cell)) => {
                let (row, col) = cell.get_position();
                if current != Some(row) {
                    if let Some(done_row) = current {
                        if !flush(tx, done_row, &mut fields) {
                            return;
                        }
                    }
                    current = Some(row);
                }
                let col = col as usize;
                if col < MAX_COLUMNS {
                    if fields.len() <= col {
                        fields.resize(col + 1, RawField::Text(String::new()));
                    }
                    fields[col] = convert(cell.get_value());
                }
            }
            Ok(None) => {
                if let Some(done_row) = current {
                    flush(tx, done_row, &mut fields);
                }
                return;
            }
            Err(e) => {
                if let Some(done_row) = current {
                    flush(tx, done_row, &mut fields);
                }
                let _ = tx.send(Message::Failed(e.to_string()));
                return;
            }
        }
    }
}

/// Sends a finished row unless it is blank; false when the reader is gone.
fn flush(tx: &SyncSender<Message>, row: u32, fields: &mut Vec<RawField>) -> bool {
    let fields = std::mem::take(fields);
    if fields.iter().all(RawField::is_blank) {
        return true;
    }
    let line = u64::from(row) + 1;
    tx.send(Message::Row(RawRow { line, fields })).is_ok()
}

/// A cell as text.
pub(crate) fn convert(value: &DataRef<'_>) -> RawField {
    match value {
        DataRef::Int(i) => RawField::Number(i.to_string()),
        DataRef::Float(f) => RawField::Number(float_text(*f)),
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => {
            RawField::Text(s.clone())
        }
        DataRef::SharedString(s) => RawField::Text((*s).to_owned()),
        DataRef::Bool(b) => RawField::Text(if *b { "true" } else { "false" }.to_owned()),
        DataRef::DateTime(dt) if dt.is_datetime() => RawField::Text(date_text(dt)),
        DataRef::DateTime(dt) => RawField::Number(float_text(dt.as_f64())),
        DataRef::Error(e) => RawField::Bad {
            shown: e.to_string(),
            reason: format!("单元格是 Excel 错误值 {e}"),
        },
        DataRef::Empty => RawField::Text(String::new()),
    }
}

/// Rust's `Display` for `f64` never uses an exponent and drops a zero fraction:
/// `370402.0` → `370402`, `9.14403001922038e17` → `914403001922038000`.
fn float_text(f: f64) -> String {
    format!("{f}")
}

/// `YYYY-MM-DD`, with ` HH:MM:SS` when the cell has a time of day.
fn date_text(dt: &ExcelDateTime) -> String {
    let (y, m, d, h, min, s, ms) = dt.to_ymd_hms_milli();
    if (h, min, s, ms) == (0, 0, 0, 0) {
        format!("{y:04}-{m:02}-{d:02}")
    } else {
        format!("{y:04}-{m:02}-{d:02} {h:02}:{min:02}:{s:02}")
    }
}
