//! The DOCX writer: the title as a heading and the table below it, on A4 (landscape when the
//! table has more than six columns), for tables that are printed and handed up (the 汇总表,
//! typical cases). A Word document is built whole in memory by docx-rs: it is meant for tables
//! of pages, not of a million rows (those go to XLSX).

use std::io::{Cursor, Seek, Write};

use docx_rs::{
    AlignmentType, Docx, PageOrientationType, Paragraph, Run, RunFonts, Table as DocTable,
    TableCell, TableRow, WidthType,
};

use crate::{fit_cell, widths, Cell, Error, IntoRow, Kind, Table, SAMPLE_ROWS};

/// A4 in twentieths of a point.
const A4_SHORT: u32 = 11_906;
const A4_LONG: u32 = 16_838;
/// What the page's default margins leave for the table, roughly.
const MARGINS: u32 = 2_880;

/// Writes `table` with `rows` as a Word document to `out`.
pub fn to_docx<I, W>(table: &Table, rows: I, out: W) -> Result<(), Error>
where
    I: IntoIterator,
    I::Item: IntoRow,
    W: Write + Seek,
{
    let rows: Vec<Vec<Cell>> = rows
        .into_iter()
        .map(IntoRow::into_row)
        .collect::<Result<_, _>>()?;
    let widths = widths(table, &rows[..rows.len().min(SAMPLE_ROWS)]);
    let landscape = widths.len() > 6;
    let (page_w, page_h) = if landscape {
        (A4_LONG, A4_SHORT)
    } else {
        (A4_SHORT, A4_LONG)
    };
    let total: f64 = widths.iter().sum::<f64>().max(1.0);
    let room = f64::from(page_w - MARGINS);
    let grid: Vec<usize> = widths
        .iter()
        .map(|w| (room * w / total).round() as usize)
        .collect();

    let header = TableRow::new(
        table
            .columns
            .iter()
            .map(|c| cell(&c.header, true, AlignmentType::Center))
            .collect(),
    );
    let mut doc_rows = vec![header];
    for row in &rows {
        doc_rows.push(TableRow::new(
            (0..widths.len())
                .map(|c| {
                    let value = row.get(c).unwrap_or(&Cell::Empty);
                    let number = matches!(value, Cell::Int(_) | Cell::Decimal(_))
                        || table.columns.get(c).map(|col| col.kind) == Some(Kind::Number);
                    let align = if number {
                        AlignmentType::Right
                    } else {
                        AlignmentType::Left
                    };
                    cell(&value.display(), false, align)
                })
                .collect(),
        ));
    }
    let body = DocTable::new(doc_rows).set_grid(grid);

    let mut doc = Docx::new()
        .page_size(page_w, page_h)
        .page_orient(if landscape {
            PageOrientationType::Landscape
        } else {
            PageOrientationType::Portrait
        })
        .default_fonts(RunFonts::new().east_asia("宋体"));
    if let Some(title) = &table.title {
        doc = doc.add_paragraph(
            Paragraph::new()
                .align(AlignmentType::Center)
                .add_run(Run::new().add_text(fit_cell(title)).bold().size(32)),
        );
    }
    doc.add_table(body)
        .pack(out)
        .map_err(|e| Error::Docx(e.to_string()))
}

/// [`to_docx`] into memory: for a download.
pub fn to_docx_bytes<I>(table: &Table, rows: I) -> Result<Vec<u8>, Error>
where
    I: IntoIterator,
    I::Item: IntoRow,
{
    let mut out = Cursor::new(Vec::new());
    to_docx(table, rows, &mut out)?;
    Ok(out.into_inner())
}

fn cell(text: &str, bold: bool, align: AlignmentType) -> TableCell {
    let run = Run::new().add_text(fit_cell(text));
    let run = if bold { run.bold() } else { run };
    TableCell::new()
        .width(0, WidthType::Auto)
        .add_paragraph(Paragraph::new().align(align).add_run(run))
}
