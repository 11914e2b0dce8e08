//! The XLSX writer: one sheet, streamed row by row.

use std::io::Write;
use std::path::Path;

use rust_xlsxwriter::{Format, Workbook, Worksheet};

use crate::{fit_cell, widths, Cell, Error, IntoRow, Table, SAMPLE_ROWS};

/// Writes `table` with `rows` as an XLSX workbook of one sheet to `out`.
///
/// The first [`SAMPLE_ROWS`] rows are held to size the columns. A table that ends within them is
/// built in memory as Excel writes it (shared strings); a longer one goes on a worksheet in
/// rust_xlsxwriter's constant-memory mode: each finished row is written to a temporary file in
/// the system's temporary directory (`TMPDIR`), strings inline, so memory stays bounded however
/// many rows come. `out` then receives the compressed workbook.
pub fn to_xlsx<I, W>(table: &Table, rows: I, out: W) -> Result<(), Error>
where
    I: IntoIterator,
    I::Item: IntoRow,
    W: Write + Send,
{
    let mut rows = rows.into_iter();
    let mut sample: Vec<Vec<Cell>> = Vec::new();
    let mut long = false;
    for row in rows.by_ref() {
        sample.push(row.into_row()?);
        if sample.len() > SAMPLE_ROWS {
            long = true;
            break;
        }
    }
    let widths = widths(table, &sample[..sample.len().min(SAMPLE_ROWS)]);

    let mut book = Workbook::new();
    let ws = if long {
        book.add_worksheet_with_constant_memory()?
    } else {
        book.add_worksheet()
    };
    ws.set_name(&table.sheet)?;
    let bold = Format::new().set_bold();

    // Rows go strictly in order: constant-memory mode cannot go back.
    let mut at: u32 = 0;
    if let Some(title) = &table.title {
        let title = fit_cell(title);
        let format = Format::new().set_bold().set_font_size(14);
        let last = u16::try_from(widths.len().saturating_sub(1)).unwrap_or(u16::MAX);
        if last > 0 {
            ws.merge_range(0, 0, 0, last, &title, &format)?;
        } else {
            ws.write_string_with_format(0, 0, title.as_ref(), &format)?;
        }
        at = 1;
    }
    for (c, col) in table.columns.iter().enumerate() {
        ws.write_string_with_format(at, col_num(c)?, fit_cell(&col.header), &bold)?;
    }
    ws.set_freeze_panes(at + 1, 0)?;
    for (c, w) in widths.iter().enumerate() {
        // Column widths are written when the workbook is saved, so setting them here is fine in
        // constant-memory mode too.
        ws.set_column_width(col_num(c)?, *w)?;
    }
    for row in sample {
        at += 1;
        write_row(ws, at, &row)?;
    }
    for row in rows {
        at += 1;
        write_row(ws, at, &row.into_row()?)?;
    }
    book.save_to_writer(out)?;
    Ok(())
}

/// [`to_xlsx`] into memory: for a download.
pub fn to_xlsx_bytes<I>(table: &Table, rows: I) -> Result<Vec<u8>, Error>
where
    I: IntoIterator,
    I::Item: IntoRow,
{
    let mut out = Vec::new();
    to_xlsx(table, rows, &mut out)?;
    Ok(out)
}

/// [`to_xlsx`] into a file at `path`.
pub fn to_xlsx_file<I>(table: &Table, rows: I, path: &Path) -> Result<(), Error>
where
    I: IntoIterator,
    I::Item: IntoRow,
{
    let file = std::fs::File::create(path)?;
    let mut out = std::io::BufWriter::new(file);
    to_xlsx(table, rows, &mut out)?;
    out.flush()?;
    Ok(())
}

fn col_num(c: usize) -> Result<u16, Error> {
    u16::try_from(c).map_err(|_| Error::Xlsx(rust_xlsxwriter::XlsxError::RowColumnLimitError))
}

fn write_row(ws: &mut Worksheet, r: u32, row: &[Cell]) -> Result<(), Error> {
    for (c, cell) in row.iter().enumerate() {
        let c = col_num(c)?;
        match cell {
            Cell::Text(t) => {
                ws.write_string(r, c, fit_cell(t))?;
            }
            Cell::Int(n) => {
                ws.write_number(r, c, *n as f64)?;
            }
            Cell::Decimal(d) if d.is_finite() => {
                ws.write_number(r, c, *d)?;
            }
            Cell::Decimal(d) => {
                ws.write_string(r, c, d.to_string())?;
            }
            Cell::Empty => {}
        }
    }
    Ok(())
}
