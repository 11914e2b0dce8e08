//! Reading a worksheet without calamine (流式读取工作表): the header check before a workbook is
//! opened, and the rows of a workbook whose shared strings are too large to hold in memory.
//!
//! [`SheetCells`] parses the sheet part the way calamine 0.38's `XlsxCellReader::next_cell`
//! does (positions from `r` or counted, cell types, `<is>` inline strings, formulas ignored in
//! favour of their cached value, numbers as dates by the cell style), and hands out the same
//! `calamine::DataRef` values, so [`super::xlsx_source::convert`] turns them into the same
//! text. Shared strings are looked up by index: in a temporary file for the rows
//! ([`SpilledStrings`]), or by streaming the table up to the highest index the header uses.

use std::collections::{BTreeSet, HashMap};
use std::io::Read;

use calamine::{CellErrorType, DataRef, ExcelDateTime, ExcelDateTimeType};
use quick_xml::events::Event;
use quick_xml::name::QName;

use super::csv_source::MAX_RECORD_BYTES;
use super::raw::{RawField, RawRow};
use super::xlsx_book::{Book, CellFormat};
use super::xlsx_source::{self, convert, Message, XlsxSource, MAX_COLUMNS};
use super::xlsx_strings::{SpilledStrings, SstReader};
use super::xlsx_xml::{attr, eof, push_entity, read_string, unescape_xml, xml_error, Xml};
use crate::error::FileError;

/// A cell value; a shared string is an index until it is looked up.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Value {
    Shared(usize),
    Data(DataRef<'static>),
}

/// The `t` attribute of a cell.
#[derive(Clone, Debug, PartialEq, Eq)]
enum CellType {
    /// No `t`: a number, or text if it does not parse as one.
    Untyped,
    Number,
    Shared,
    Bool,
    Error,
    Date,
    Str,
    Inline,
    Other(String),
}

impl CellType {
    fn parse(t: Option<&str>) -> CellType {
        match t {
            None => CellType::Untyped,
            Some("n") => CellType::Number,
            Some("s") => CellType::Shared,
            Some("b") => CellType::Bool,
            Some("e") => CellType::Error,
            Some("d") => CellType::Date,
            Some("str") => CellType::Str,
            Some("inlineStr" | "is") => CellType::Inline,
            Some(other) => CellType::Other(other.to_owned()),
        }
    }
}

/// A cell: 0-based `(row, column)` and its value.
pub(crate) type Cell = ((u32, u32), Value);

/// The cells of a sheet part in document order.
pub(crate) struct SheetCells<R: Read> {
    xml: Xml<R>,
    buf: Vec<u8>,
    cell_buf: Vec<u8>,
    value_buf: Vec<u8>,
    text_buf: Vec<u8>,
    /// The name of the cell's current child element.
    name: String,
    row: u32,
    col: u32,
    /// The last row of the declared dimension (0-based).
    end_row: u32,
}

fn cell_ref(range: &str) -> Result<(u32, Option<u32>), String> {
    let bad = || format!("单元格地址“{range}”错误");
    let mut col: u32 = 0;
    let mut row: u32 = 0;
    let mut digits = false;
    for b in range.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' if !digits => {
                let v = u32::from(b.to_ascii_uppercase() - b'A') + 1;
                col = col
                    .checked_mul(26)
                    .and_then(|c| c.checked_add(v))
                    .ok_or_else(bad)?;
            }
            b'0'..=b'9' => {
                digits = true;
                row = row
                    .checked_mul(10)
                    .and_then(|r| r.checked_add(u32::from(b - b'0')))
                    .ok_or_else(bad)?;
            }
            _ => return Err(bad()),
        }
    }
    let row = row.checked_sub(1).ok_or_else(bad)?;
    Ok((row, col.checked_sub(1)))
}

impl<R: Read> SheetCells<R> {
    /// Reads up to `<sheetData>`, noting the declared dimension.
    pub(crate) fn open(mut xml: Xml<R>) -> Result<SheetCells<R>, String> {
        let mut buf = Vec::with_capacity(1024);
        let mut end_row = 0;
        let mut first: Option<String> = None;
        loop {
            buf.clear();
            match xml.read_event_into(&mut buf).map_err(|e| xml_error(&e))? {
                Event::Start(e) => match e.local_name().as_ref() {
                    "dimension" => {
                        let range = attr(&e, "ref")?.ok_or("工作表的 <dimension> 缺少 ref")?;
                        let last = range.rsplit(':').next().unwrap_or_default();
                        end_row = cell_ref(last)?.0;
                    }
                    "sheetData" => break,
                    other => {
                        if first.is_none() {
                            first = Some(other.to_owned());
                        }
                    }
                },
                Event::Eof => {
                    return Err(match first {
                        Some(kind) => format!("所选的表不是工作表（{kind}）"),
                        None => eof("worksheet"),
                    })
                }
                _ => {}
            }
        }
        Ok(SheetCells {
            xml,
            buf,
            cell_buf: Vec::with_capacity(1024),
            value_buf: Vec::with_capacity(256),
            text_buf: Vec::with_capacity(1024),
            name: String::new(),
            row: 0,
            col: 0,
            end_row,
        })
    }

    pub(crate) fn end_row(&self) -> u32 {
        self.end_row
    }

    /// The next cell: 0-based `(row, column)` and value; `None` at the end of `<sheetData>`.
    pub(crate) fn next_cell(
        &mut self,
        formats: &[CellFormat],
        is_1904: bool,
    ) -> Result<Option<Cell>, String> {
        loop {
            self.buf.clear();
            let (r, style, kind) = match self
                .xml
                .read_event_into(&mut self.buf)
                .map_err(|e| xml_error(&e))?
            {
                Event::Start(e) if e.local_name().as_ref() == "row" => {
                    if let Some(r) = attr(&e, "r")? {
                        self.row = cell_ref(&r)?.0;
                    }
                    continue;
                }
                Event::End(e) if e.local_name().as_ref() == "row" => {
                    self.row = self.row.saturating_add(1);
                    self.col = 0;
                    continue;
                }
                Event::Start(e) if e.local_name().as_ref() == "c" => {
                    let (mut r, mut style, mut kind) = (None, None, CellType::Untyped);
                    for a in e.attributes().with_checks(false) {
                        let a = a.map_err(|e| format!("XML 属性错误：{e}"))?;
                        match a.key.as_ref() {
                            "r" => r = Some(cell_ref(&a.value)?),
                            // calamine: a style that is not a number is style 0.
                            "s" => style = Some(a.value.parse::<usize>().unwrap_or(0)),
                            "t" => kind = CellType::parse(Some(&a.value)),
                            _ => {}
                        }
                    }
                    (r, style, kind)
                }
                Event::End(e) if e.local_name().as_ref() == "sheetData" => return Ok(None),
                Event::Eof => return Err(eof("sheetData")),
                _ => continue,
            };
            let pos = match r {
                Some((row, Some(col))) => {
                    self.col = col;
                    (row, col)
                }
                Some((_, None)) => return Err("单元格地址缺少列号".to_owned()),
                None => (self.row, self.col),
            };
            let mut value = Value::Data(DataRef::Empty);
            loop {
                self.cell_buf.clear();
                match self
                    .xml
                    .read_event_into(&mut self.cell_buf)
                    .map_err(|e| xml_error(&e))?
                {
                    Event::Start(e) => {
                        self.name.clear();
                        self.name.push_str(e.name().as_ref());
                    }
                    Event::End(e) if e.local_name().as_ref() == "c" => break,
                    Event::Eof => return Err(eof("c")),
                    _ => continue,
                }
                let name = std::mem::take(&mut self.name);
                let local = name.rsplit(':').next().unwrap_or_default();
                let read = self.read_value(&name, local, style, &kind, formats, is_1904);
                self.name = name;
                value = read?;
            }
            self.col = self.col.saturating_add(1);
            return Ok(Some((pos, value)));
        }
    }

    /// One child of `<c>` (calamine's `read_value`); the last child read gives the value.
    fn read_value(
        &mut self,
        name: &str,
        local: &str,
        style: Option<usize>,
        kind: &CellType,
        formats: &[CellFormat],
        is_1904: bool,
    ) -> Result<Value, String> {
        let skip = |xml: &mut Xml<R>, buf: &mut Vec<u8>| {
            buf.clear();
            xml.read_to_end_into(QName(name), buf)
                .map(|_| ())
                .map_err(|e| xml_error(&e))
        };
        match local {
            "is" => {
                let text = read_string(
                    &mut self.xml,
                    QName(name),
                    &mut self.value_buf,
                    &mut self.text_buf,
                )?;
                Ok(Value::Data(DataRef::String(text)))
            }
            "v" if *kind == CellType::Inline => {
                skip(&mut self.xml, &mut self.value_buf)?;
                Ok(Value::Data(DataRef::Empty))
            }
            "v" if matches!(
                kind,
                CellType::Untyped
                    | CellType::Number
                    | CellType::Shared
                    | CellType::Bool
                    | CellType::Error
            ) =>
            {
                // Plain ASCII: only the first event is looked at, as calamine does.
                self.value_buf.clear();
                let value = match self
                    .xml
                    .read_event_into(&mut self.value_buf)
                    .map_err(|e| xml_error(&e))?
                {
                    Event::Text(t) => read_v(&t, style, kind, formats, is_1904)?,
                    Event::End(end) if end.name().as_ref() == name => {
                        return Ok(Value::Data(DataRef::Empty))
                    }
                    Event::Eof => return Err(eof("v")),
                    _ => Value::Data(DataRef::Empty),
                };
                skip(&mut self.xml, &mut self.value_buf)?;
                Ok(value)
            }
            "v" => {
                let mut text = String::new();
                loop {
                    self.value_buf.clear();
                    match self
                        .xml
                        .read_event_into(&mut self.value_buf)
                        .map_err(|e| xml_error(&e))?
                    {
                        Event::Text(t) => text.push_str(&t.xml10_content()),
                        Event::GeneralRef(r) => push_entity(&r, &mut text)?,
                        Event::End(end) if end.name().as_ref() == name => break,
                        Event::Eof => return Err(eof("v")),
                        _ => {}
                    }
                    if text.len() > super::xlsx_xml::MAX_STRING_BYTES {
                        return Err("单元格文本过长，不是正常的工作簿".to_owned());
                    }
                }
                read_v(&text, style, kind, formats, is_1904)
            }
            "f" => {
                skip(&mut self.xml, &mut self.value_buf)?;
                Ok(Value::Data(DataRef::Empty))
            }
            other => Err(format!("单元格中有无法识别的元素 <{other}>")),
        }
    }
}

/// A `<v>` value by the cell's type and style (calamine's `read_v`).
fn read_v(
    v: &str,
    style: Option<usize>,
    kind: &CellType,
    formats: &[CellFormat],
    is_1904: bool,
) -> Result<Value, String> {
    let format = match style {
        Some(id) => formats.get(id).copied(),
        None => Some(CellFormat::Other),
    };
    let data = match kind {
        CellType::Shared if v.is_empty() => DataRef::Empty,
        CellType::Shared => return Ok(Value::Shared(v.parse().unwrap_or(0))),
        CellType::Bool => match v.trim() {
            "" => DataRef::Empty,
            t if t == "0" || t.eq_ignore_ascii_case("false") => DataRef::Bool(false),
            t if t == "1" || t.eq_ignore_ascii_case("true") => DataRef::Bool(true),
            _ => return Err(format!("无法识别的布尔值“{v}”")),
        },
        CellType::Date => DataRef::DateTimeIso(v.to_owned()),
        CellType::Error => DataRef::Error(
            v.parse::<CellErrorType>()
                .map_err(|e| format!("无法识别的错误值“{v}”（{e}）"))?,
        ),
        CellType::Str => DataRef::String(unescape_xml(v).into_owned()),
        CellType::Number | CellType::Untyped if v.is_empty() => DataRef::Empty,
        CellType::Number | CellType::Untyped => match v.parse::<f64>() {
            Ok(n) => match format {
                Some(CellFormat::DateTime) => {
                    DataRef::DateTime(ExcelDateTime::new(n, ExcelDateTimeType::DateTime, is_1904))
                }
                Some(CellFormat::TimeDelta) => {
                    DataRef::DateTime(ExcelDateTime::new(n, ExcelDateTimeType::TimeDelta, is_1904))
                }
                _ => DataRef::Float(n),
            },
            // Without a type, text that is not a number is kept as text.
            Err(_) if *kind == CellType::Untyped => DataRef::String(v.to_owned()),
            Err(e) => return Err(format!("数字单元格的值“{v}”无法解析（{e}）")),
        },
        CellType::Inline => DataRef::Empty,
        CellType::Other(t) => return Err(format!("无法识别的单元格类型“{t}”")),
    };
    Ok(Value::Data(data))
}

/// The first non-blank row of a sheet, read before the workbook is opened, and how many shared
/// strings were read to resolve it.
pub(crate) struct HeaderRow {
    pub(crate) row: RawRow,
    #[cfg_attr(not(test), allow(dead_code, reason = "observed by the tests"))]
    pub(crate) strings_read: usize,
}

fn xlsx(detail: String) -> FileError {
    FileError::Xlsx { detail }
}

/// Reads the first non-blank row of the sheet part `sheet`, the header, looking up only the
/// shared strings it uses by streaming the table up to the highest of them. Also checks the
/// shared strings' declared count. Memory: one row and the strings it uses.
pub(crate) fn header_row(book: &mut Book, sheet: &str) -> Result<HeaderRow, FileError> {
    let formats = book.formats().map_err(xlsx)?;
    let is_1904 = book.is_1904();
    let mut strings = book.reopen()?;
    // Opening the table checks its declared count, whether the header needs it or not.
    drop(SstReader::open(&mut strings).map_err(xlsx)?);
    let part = book
        .part(sheet)
        .map_err(xlsx)?
        .ok_or_else(|| xlsx(format!("XLSX 中缺少工作表“{sheet}”")))?;
    let mut cells = SheetCells::open(part).map_err(xlsx)?;
    let mut strings_read = 0;
    let mut current: Option<u32> = None;
    let mut row: Vec<(u32, Value)> = Vec::new();
    let mut bytes = 0u64;
    loop {
        let next = cells.next_cell(&formats, is_1904).map_err(xlsx)?;
        let same_row = match (&next, current) {
            (Some(((r, _), _)), Some(cur)) => *r == cur,
            (Some(_), None) => true,
            (None, _) => false,
        };
        if !same_row {
            if let Some(r) = current {
                let fields = resolve(&mut strings, std::mem::take(&mut row), &mut strings_read)?;
                if !fields.iter().all(RawField::is_blank) {
                    let line = u64::from(r) + 1;
                    return Ok(HeaderRow {
                        row: RawRow { line, fields },
                        strings_read,
                    });
                }
                bytes = 0;
            }
        }
        let Some(((r, c), value)) = next else {
            return Err(FileError::Empty);
        };
        if let Value::Data(DataRef::String(text) | DataRef::DateTimeIso(text)) = &value {
            bytes += text.len() as u64;
            if bytes > MAX_RECORD_BYTES {
                return Err(header_too_long());
            }
        }
        current = Some(r);
        row.push((c, value));
    }
}

fn header_too_long() -> FileError {
    xlsx(format!(
        "表头行的文本超过 {} MiB，不是正常的登记表",
        MAX_RECORD_BYTES / (1024 * 1024)
    ))
}

/// The fields of one row, shared strings looked up by streaming the table from its start.
fn resolve(
    strings: &mut Book,
    cells: Vec<(u32, Value)>,
    strings_read: &mut usize,
) -> Result<Vec<RawField>, FileError> {
    let needed: BTreeSet<usize> = cells
        .iter()
        .filter_map(|(_, v)| match v {
            Value::Shared(i) => Some(*i),
            Value::Data(_) => None,
        })
        .collect();
    let mut found: HashMap<usize, String> = HashMap::new();
    if let Some(&last) = needed.last() {
        if let Some(mut sst) = SstReader::open(strings).map_err(xlsx)? {
            let mut bytes = 0u64;
            while sst.read() <= last {
                let index = sst.read();
                let Some(text) = sst.next_string().map_err(xlsx)? else {
                    break;
                };
                if needed.contains(&index) {
                    bytes += text.len() as u64;
                    if bytes > MAX_RECORD_BYTES {
                        return Err(header_too_long());
                    }
                    found.insert(index, text);
                }
            }
            *strings_read += sst.read();
        }
    }
    let mut fields: Vec<RawField> = Vec::new();
    for (col, value) in cells {
        let col = col as usize;
        if col >= MAX_COLUMNS {
            continue;
        }
        let field = match value {
            Value::Data(data) => convert(&data),
            Value::Shared(i) => match found.get(&i) {
                Some(text) => RawField::Text(text.clone()),
                None => return Err(missing_string(i)),
            },
        };
        if fields.len() <= col {
            fields.resize(col + 1, RawField::Text(String::new()));
        }
        fields[col] = field;
    }
    Ok(fields)
}

fn missing_string(index: usize) -> FileError {
    xlsx(format!("单元格引用的共享字符串（第{index}个）不存在"))
}

/// Starts reading sheet part `sheet` of `book` on a worker thread: the shared strings go to a
/// temporary file next to the workbook first, then the sheet is streamed.
pub(crate) fn open(book: Book, sheet: String) -> Result<XlsxSource, FileError> {
    xlsx_source::spawn(move |tx| produce(book, &sheet, tx))
}

fn produce(mut book: Book, sheet: &str, tx: &std::sync::mpsc::SyncSender<Message>) {
    let prepared = (|| {
        let formats = book.formats()?;
        let dir = book.path().parent().map(std::path::Path::to_owned);
        let strings = match SstReader::open(&mut book)? {
            Some(sst) => Some(SpilledStrings::spill(sst, dir.as_deref())?),
            None => None,
        };
        Ok::<_, String>((formats, strings))
    })();
    let (formats, mut strings) = match prepared {
        Ok(prepared) => prepared,
        Err(e) => {
            let _ = tx.send(Message::Failed(e));
            return;
        }
    };
    let is_1904 = book.is_1904();
    let mut cells = match book.part(sheet).and_then(|part| {
        SheetCells::open(part.ok_or_else(|| format!("XLSX 中缺少工作表“{sheet}”"))?)
    }) {
        Ok(cells) => cells,
        Err(e) => {
            let _ = tx.send(Message::Failed(e));
            return;
        }
    };
    let total = u64::from(cells.end_row()) + 1;
    xlsx_source::send_rows(tx, total, || {
        let Some((pos, value)) = cells.next_cell(&formats, is_1904)? else {
            return Ok(None);
        };
        let field = match value {
            Value::Data(data) => convert(&data),
            Value::Shared(i) => match strings.as_mut().map(|s| s.get(i)).transpose()?.flatten() {
                Some(text) => RawField::Text(text),
                None => return Err(format!("单元格引用的共享字符串（第{i}个）不存在")),
            },
        };
        Ok(Some((pos, field)))
    });
}
