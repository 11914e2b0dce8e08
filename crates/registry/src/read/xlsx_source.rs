//! Streaming XLSX rows (XLSX 数据源): a cell reader on a worker thread, rows passed back through
//! a bounded channel.
//!
//! The cell reader is calamine's when the shared strings fit the memory budget, else this
//! crate's own ([`super::xlsx_stream`]); either borrows its workbook, so both live on the worker
//! thread, and the channel keeps memory bounded for sheets of a million rows. Dropping the
//! reader ends the worker at its next send. Cells become text here: integral numbers without
//! `.0` or exponent (codes stored as numbers), date cells as `YYYY-MM-DD`, Excel error values as
//! bad cells. A row whose text passes [`MAX_RECORD_BYTES`] (one long shared string used in
//! every cell) ends the read.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::thread;

use calamine::{DataRef, ExcelDateTime, Reader, Xlsx};

use super::csv_source::MAX_RECORD_BYTES;
use super::raw::{RawField, RawItem, RawRow};
use crate::error::FileError;

/// Rows buffered between the worker and the reader.
const CHANNEL_ROWS: usize = 512;
/// Excel's column limit (XFD); cells further right are ignored.
pub(crate) const MAX_COLUMNS: usize = 16_384;

pub(crate) enum Message {
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

/// Runs `work` on a worker thread; it sends the rows.
pub(crate) fn spawn(
    work: impl FnOnce(&SyncSender<Message>) + Send + 'static,
) -> Result<XlsxSource, FileError> {
    let (tx, rx) = sync_channel(CHANNEL_ROWS);
    thread::Builder::new()
        .name("xlsx-rows".to_owned())
        .spawn(move || work(&tx))
        .map_err(|e| FileError::Xlsx {
            detail: format!("无法启动读取线程：{e}"),
        })?;
    Ok(XlsxSource {
        rx,
        rows_read: 0,
        rows_total: 0,
        done: false,
    })
}

/// Opens the workbook (already checked by the ZIP guard and the header check) with calamine,
/// which loads its shared strings into memory, and starts reading the sheet named `sheet`.
pub(crate) fn open(path: &Path, sheet: String) -> Result<XlsxSource, FileError> {
    let file = File::open(path).map_err(|e| FileError::io(path, e))?;
    let book: Xlsx<BufReader<File>> =
        Xlsx::new(BufReader::new(file)).map_err(|e| FileError::Xlsx {
            detail: e.to_string(),
        })?;
    spawn(move |tx| produce(book, &sheet, tx))
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
    let total = u64::from(cells.dimensions().end.0) + 1;
    send_rows(tx, total, || match cells.next_cell() {
        Ok(Some(cell)) => Ok(Some((cell.get_position(), convert(cell.get_value())))),
        Ok(None) => Ok(None),
        Err(e) => Err(e.to_string()),
    });
}

/// Sends the sheet's size, then its non-blank rows as `next` yields their cells in sheet order
/// (`((row, column), value)`, 0-based), then a failure if `next` fails.
pub(crate) fn send_rows(
    tx: &SyncSender<Message>,
    total: u64,
    mut next: impl FnMut() -> Result<Option<((u32, u32), RawField)>, String>,
) {
    if tx.send(Message::Total(total)).is_err() {
        return;
    }
    let mut current: Option<u32> = None;
    let mut fields: Vec<RawField> = Vec::new();
    let mut bytes = 0u64;
    loop {
        match next() {
            Ok(Some(((row, col), field))) => {
                if current != Some(row) {
                    if let Some(done_row) = current {
                        if !flush(tx, done_row, &mut fields) {
                            return;
                        }
                    }
                    current = Some(row);
                    bytes = 0;
                }
                let col = col as usize;
                if col < MAX_COLUMNS {
                    bytes += field.shown().len() as u64;
                    if bytes > MAX_RECORD_BYTES {
                        let _ = tx.send(Message::Failed(format!(
                            "第{}行的文本超过 {} MiB，不是正常的登记表",
                            u64::from(row) + 1,
                            MAX_RECORD_BYTES / (1024 * 1024)
                        )));
                        return;
                    }
                    if fields.len() <= col {
                        fields.resize(col + 1, RawField::Text(String::new()));
                    }
                    fields[col] = field;
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
                let _ = tx.send(Message::Failed(e));
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
