//! The structure of an XLSX workbook, read without calamine (工作簿结构): which part holds which
//! sheet, where the shared strings are, which cell styles are dates, the 1904 date system.
//!
//! It follows calamine 0.38 (`read_package_relationships`, `read_relationships`,
//! `read_workbook`, `read_styles`, the date-format detection of `formats.rs`; MIT licence), so
//! the sheet chosen here is the sheet calamine reads and a number is a date here exactly when
//! it is one there. Nothing here loads a part whole: every part is parsed as a stream through
//! [`super::xlsx_xml::XmlGuard`].

use std::collections::HashMap;
use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use quick_xml::events::Event;
use zip::read::ZipFile;
use zip::ZipArchive;

use super::xlsx_xml::{self, attr, decode_attr, eof, xml_error, Xml};
use crate::error::FileError;

pub(crate) type Archive = ZipArchive<BufReader<File>>;

/// A part of the archive opened for parsing.
pub(crate) type Part<'a> = Xml<ZipFile<'a, BufReader<File>>>;

/// At most this many cell formats (`<xf>` of `cellXfs`); Excel allows about 64,000.
const MAX_CELL_FORMATS: usize = 1 << 20;
/// At most this many custom number formats (`<numFmt>`); Excel allows about 250.
const MAX_NUMBER_FORMATS: usize = 1 << 16;

/// What a cell style makes of a number (calamine's `CellFormat`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CellFormat {
    Other,
    DateTime,
    TimeDelta,
}

/// An opened workbook: its archive and the facts of `workbook.xml`.
pub(crate) struct Book {
    path: PathBuf,
    archive: Archive,
    /// Lower-case entry name (`\` as `/`) → the name in the archive and its unpacked size.
    names: HashMap<String, (String, u64)>,
    /// The folder of the workbook part, with a trailing `/` (usually `xl/`).
    xl_path: String,
    /// The sheets in workbook order: name and part.
    sheets: Vec<(String, String)>,
    is_1904: bool,
}

fn structure(detail: impl Into<String>) -> FileError {
    FileError::Xlsx {
        detail: detail.into(),
    }
}

fn open_archive(path: &Path) -> Result<Archive, FileError> {
    let file = File::open(path).map_err(|e| FileError::io(path, e))?;
    ZipArchive::new(BufReader::new(file))
        .map_err(|e| structure(format!("损坏的 ZIP 压缩包（{e}）")))
}

impl Book {
    /// Opens the archive (already checked by the ZIP guard) and reads the relationships and
    /// the workbook part.
    pub(crate) fn open(path: &Path) -> Result<Book, FileError> {
        let mut archive = open_archive(path)?;
        let mut names = HashMap::with_capacity(archive.len());
        for index in 0..archive.len() {
            let entry = archive
                .by_index_raw(index)
                .map_err(|e| structure(format!("损坏的 ZIP 压缩包（{e}）")))?;
            let name = entry
                .name()
                .map_err(|e| structure(format!("损坏的 ZIP 压缩包（{e}）")))?
                .into_owned();
            let key = name.replace('\\', "/").to_ascii_lowercase();
            names.insert(key, (name, entry.size()));
        }
        let mut book = Book {
            path: path.to_owned(),
            archive,
            names,
            xl_path: "xl/".to_owned(),
            sheets: Vec::new(),
            is_1904: false,
        };
        let workbook_name = book.read_package_relationships().map_err(structure)?;
        let relationships = book.read_relationships(&workbook_name).map_err(structure)?;
        book.read_workbook(&workbook_name, &relationships)
            .map_err(structure)?;
        Ok(book)
    }

    /// A second handle on the same file, to read two parts at once.
    pub(crate) fn reopen(&self) -> Result<Book, FileError> {
        Ok(Book {
            path: self.path.clone(),
            archive: open_archive(&self.path)?,
            names: self.names.clone(),
            xl_path: self.xl_path.clone(),
            sheets: self.sheets.clone(),
            is_1904: self.is_1904,
        })
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    pub(crate) fn is_1904(&self) -> bool {
        self.is_1904
    }

    /// The archive name of `part` (looked up like calamine: case-insensitive, `\` as `/`).
    fn actual<'a>(&'a self, part: &'a str) -> &'a str {
        self.names
            .get(&part.to_ascii_lowercase())
            .map_or(part, |(name, _)| name.as_str())
    }

    /// The unpacked size of `part`, if the archive has it.
    pub(crate) fn size(&self, part: &str) -> Option<u64> {
        self.names
            .get(&part.to_ascii_lowercase())
            .map(|(_, size)| *size)
    }

    /// A part opened for parsing, `None` if the archive does not have it.
    pub(crate) fn part(&mut self, part: &str) -> Result<Option<Part<'_>>, String> {
        let name = self.actual(part).to_owned();
        match self.archive.by_name(&name) {
            Ok(file) => Ok(Some(xlsx_xml::reader(file))),
            Err(zip::result::ZipError::FileNotFound) => Ok(None),
            Err(e) => Err(format!("无法读取“{part}”（{e}）")),
        }
    }

    /// Where calamine looks for the shared strings.
    pub(crate) fn shared_strings(&self) -> String {
        format!("{}sharedStrings.xml", self.xl_path)
    }

    /// The sheet named `wanted` (surrounding whitespace ignored), or the first one: its name
    /// and part. The same choice as calamine's sheet names give.
    pub(crate) fn choose(&self, wanted: Option<&str>) -> Result<(String, String), FileError> {
        match wanted.map(str::trim).filter(|s| !s.is_empty()) {
            Some(wanted) => self
                .sheets
                .iter()
                .find(|(n, _)| n.trim() == wanted)
                .cloned()
                .ok_or_else(|| FileError::Sheet {
                    requested: wanted.to_owned(),
                    available: self.sheets.iter().map(|(n, _)| n.clone()).collect(),
                }),
            None => self.sheets.first().cloned().ok_or(FileError::Empty),
        }
    }

    /// `_rels/.rels`: the workbook part; sets the folder and returns the part's file name.
    fn read_package_relationships(&mut self) -> Result<String, String> {
        let mut xml = self.part("_rels/.rels")?.ok_or("XLSX 中缺少 _rels/.rels")?;
        let mut buf = Vec::with_capacity(1024);
        let mut target = None;
        loop {
            buf.clear();
            match xml.read_event_into(&mut buf).map_err(|e| xml_error(&e))? {
                Event::Start(e) if e.local_name().as_ref() == "Relationship" => {
                    let office = attr(&e, "Type")?
                        .is_some_and(|t| t.ends_with("/relationships/officeDocument"));
                    if office {
                        if let Some(t) = attr(&e, "Target")? {
                            target = Some(decode_attr(&t)?);
                        }
                    }
                }
                Event::End(e) if e.local_name().as_ref() == "Relationships" => break,
                Event::Eof => return Err(eof("Relationships")),
                _ => {}
            }
        }
        let target = target.ok_or("XLSX 中找不到工作簿（officeDocument 关系）")?;
        let (dir, name) = match target.rfind('/') {
            Some(i) => target.split_at(i + 1),
            None => ("", target.as_str()),
        };
        drop(xml);
        self.xl_path = dir.strip_prefix('/').unwrap_or(dir).to_owned();
        Ok(if name.is_empty() {
            "workbook.xml".to_owned()
        } else {
            name.to_owned()
        })
    }

    /// The workbook's relationships: id → (target, type).
    fn read_relationships(
        &mut self,
        workbook_name: &str,
    ) -> Result<HashMap<String, (String, String)>, String> {
        let path = format!("{}_rels/{workbook_name}.rels", self.xl_path);
        let mut xml = self
            .part(&path)?
            .ok_or_else(|| format!("XLSX 中缺少 {path}"))?;
        let mut buf = Vec::with_capacity(256);
        let mut relationships = HashMap::new();
        loop {
            buf.clear();
            match xml.read_event_into(&mut buf).map_err(|e| xml_error(&e))? {
                Event::Start(e) if e.local_name().as_ref() == "Relationship" => {
                    if let Some(id) = attr(&e, "Id")? {
                        let kind = attr(&e, "Type")?.unwrap_or_default().into_owned();
                        let target = attr(&e, "Target")?.unwrap_or_default().into_owned();
                        relationships.insert(id.into_owned(), (target, kind));
                    }
                }
                Event::End(e) if e.local_name().as_ref() == "Relationships" => break,
                Event::Eof => return Err(eof("Relationships")),
                _ => {}
            }
        }
        Ok(relationships)
    }

    /// The sheets and the date system of the workbook part.
    fn read_workbook(
        &mut self,
        workbook_name: &str,
        relationships: &HashMap<String, (String, String)>,
    ) -> Result<(), String> {
        let path = format!("{}{workbook_name}", self.xl_path);
        let xl_path = self.xl_path.clone();
        let Some(mut xml) = self.part(&path)? else {
            return Ok(());
        };
        let mut sheets = Vec::new();
        let mut is_1904 = false;
        let mut buf = Vec::with_capacity(1024);
        loop {
            buf.clear();
            match xml.read_event_into(&mut buf).map_err(|e| xml_error(&e))? {
                Event::Start(e) if e.local_name().as_ref() == "sheet" => {
                    let mut name = String::new();
                    let mut rel_id = String::new();
                    for a in e.attributes().with_checks(false) {
                        let a = a.map_err(|e| format!("XML 属性错误：{e}"))?;
                        let key = a.key.as_ref();
                        if key == "name" {
                            name = decode_attr(&a.value)?;
                        } else if key == "state" {
                            if !matches!(&*a.value, "visible" | "hidden" | "veryHidden") {
                                return Err(format!("无法识别的工作表状态“{}”", a.value));
                            }
                        } else if key == "id" || key.ends_with(":id") {
                            rel_id = a.value.into_owned();
                        }
                    }
                    let (target, kind) = relationships
                        .get(&rel_id)
                        .ok_or_else(|| format!("工作表“{name}”的关系 {rel_id} 不存在"))?;
                    let part = match target.strip_prefix('/') {
                        Some(absolute) => absolute.to_owned(),
                        None => format!("{xl_path}{target}"),
                    };
                    if !matches!(
                        kind.rsplit('/').next(),
                        Some("worksheet" | "chartsheet" | "dialogsheet")
                    ) {
                        return Err(format!("无法识别的工作表类型：{part}"));
                    }
                    sheets.push((name, part));
                }
                Event::Start(e) if e.local_name().as_ref() == "workbookPr" => {
                    if let Some(v) = attr(&e, "date1904")? {
                        is_1904 = v == "1" || v == "true";
                    }
                }
                Event::End(e) if e.local_name().as_ref() == "workbook" => break,
                Event::Eof => return Err(eof("workbook")),
                _ => {}
            }
        }
        drop(xml);
        self.sheets = sheets;
        self.is_1904 = is_1904;
        Ok(())
    }

    /// What each cell style (`s` attribute) makes of a number: `cellXfs` of `styles.xml`.
    pub(crate) fn formats(&mut self) -> Result<Vec<CellFormat>, String> {
        let path = format!("{}styles.xml", self.xl_path);
        let Some(mut xml) = self.part(&path)? else {
            return Ok(Vec::new());
        };
        let mut custom: HashMap<String, CellFormat> = HashMap::new();
        let mut formats = Vec::new();
        let mut buf = Vec::with_capacity(1024);
        let mut in_xfs = false;
        loop {
            buf.clear();
            match xml.read_event_into(&mut buf).map_err(|e| xml_error(&e))? {
                Event::Start(e) if e.local_name().as_ref() == "numFmt" => {
                    if let (Some(id), Some(code)) = (attr(&e, "numFmtId")?, attr(&e, "formatCode")?)
                    {
                        if custom.len() >= MAX_NUMBER_FORMATS {
                            return Err("样式表中的数字格式过多，不是正常的工作簿".to_owned());
                        }
                        let format = detect_custom_number_format(&decode_attr(&code)?);
                        custom.insert(id.into_owned(), format);
                    }
                }
                Event::Start(e) if e.local_name().as_ref() == "cellXfs" => in_xfs = true,
                Event::End(e) if e.local_name().as_ref() == "cellXfs" => in_xfs = false,
                Event::Start(e) if in_xfs && e.local_name().as_ref() == "xf" => {
                    if formats.len() >= MAX_CELL_FORMATS {
                        return Err("样式表中的单元格格式过多，不是正常的工作簿".to_owned());
                    }
                    formats.push(match attr(&e, "numFmtId")? {
                        None => CellFormat::Other,
                        Some(id) => match custom.get(id.as_ref()) {
                            Some(format) => *format,
                            None => builtin_format_by_id(&id),
                        },
                    });
                }
                Event::End(e) if e.local_name().as_ref() == "styleSheet" => break,
                Event::Eof => return Err(eof("styleSheet")),
                _ => {}
            }
        }
        Ok(formats)
    }
}

/// Whether a custom number format shows a date (calamine's `detect_custom_number_format`).
fn detect_custom_number_format(format: &str) -> CellFormat {
    let mut escaped = false;
    let mut is_quote = false;
    let mut brackets = 0u8;
    let mut prev = ' ';
    let mut hms = false;
    let mut ap = false;
    for s in format.chars() {
        match (s, escaped, is_quote, ap, brackets) {
            (_, true, ..) => escaped = false,
            ('_' | '\\' | '*', ..) => escaped = true,
            ('"', _, true, _, _) => is_quote = false,
            (_, _, true, _, _) => (),
            ('"', _, _, _, _) => is_quote = true,
            (';', ..) => return CellFormat::Other,
            ('[', ..) => brackets = brackets.saturating_add(1),
            (']', .., 1) if hms => return CellFormat::TimeDelta,
            (']', ..) => brackets = brackets.saturating_sub(1),
            ('a' | 'A', _, _, false, 0) => ap = true,
            ('p' | 'm' | '/' | 'P' | 'M', _, _, true, 0) => return CellFormat::DateTime,
            ('d' | 'm' | 'h' | 'y' | 's' | 'D' | 'M' | 'H' | 'Y' | 'S', _, _, false, 0) => {
                return CellFormat::DateTime
            }
            _ => {
                if !(hms && s.eq_ignore_ascii_case(&prev)) {
                    hms = prev == '[' && matches!(s, 'm' | 'h' | 's' | 'M' | 'H' | 'S');
                }
            }
        }
        prev = s;
    }
    CellFormat::Other
}

/// The built-in number formats that are dates (calamine's `builtin_format_by_id`).
fn builtin_format_by_id(id: &str) -> CellFormat {
    match id {
        "14" | "15" | "16" | "17" | "18" | "19" | "20" | "21" | "22" | "45" | "47" => {
            CellFormat::DateTime
        }
        "27" | "28" | "29" | "30" | "31" | "32" | "33" | "34" | "35" | "36" | "50" | "51"
        | "52" | "53" | "54" | "55" | "56" | "57" | "58" => CellFormat::DateTime,
        "46" => CellFormat::TimeDelta,
        _ => CellFormat::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_formats_are_detected_like_calamine() {
        assert_eq!(
            detect_custom_number_format("yyyy-mm-dd"),
            CellFormat::DateTime
        );
        assert_eq!(
            detect_custom_number_format("DD/MM/YY"),
            CellFormat::DateTime
        );
        assert_eq!(
            detect_custom_number_format("[h]:mm:ss"),
            CellFormat::TimeDelta
        );
        assert_eq!(detect_custom_number_format("0.00"), CellFormat::Other);
        assert_eq!(detect_custom_number_format("\\Y000000"), CellFormat::Other);
        assert_eq!(detect_custom_number_format("@"), CellFormat::Other);
        assert_eq!(builtin_format_by_id("14"), CellFormat::DateTime);
        assert_eq!(builtin_format_by_id("49"), CellFormat::Other);
    }
}
