//! XML of the workbook parts this crate parses itself (quick-xml), with a guard that bounds
//! what the parser buffers, and the text rules of calamine so both readers give the same text.
//!
//! quick-xml reads one event (a text run, a tag, a comment…) whole into its buffer. Without a
//! bound, one crafted text node of a gigabyte is a gigabyte in memory; [`XmlGuard`] refuses
//! any event longer than [`MAX_XML_RUN_BYTES`] while the bytes stream through it. The text
//! rules (`_xHHHH_` escapes, trimming, rich text, phonetic runs) are calamine 0.38's
//! (`xlsx::read_string_with_bufs`, `utils::unescape_xml`, MIT licence).

use std::borrow::Cow;
use std::io::{self, BufReader, Read};

use quick_xml::escape::resolve_xml_entity;
use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::name::QName;
use quick_xml::Reader;

/// The longest event (text run, tag, comment, CDATA section) parsed: 4 MiB. Excel keeps at most
/// 32,767 characters in a cell, under 200 KB even if every character were written as an
/// entity, so a longer event is not a spreadsheet's.
pub(crate) const MAX_XML_RUN_BYTES: u64 = 4 * 1024 * 1024;

/// The longest text of one string (shared or inline), also when rich text joins many runs.
pub(crate) const MAX_STRING_BYTES: usize = 4 * 1024 * 1024;

/// A quick-xml reader over a guarded part.
pub(crate) type Xml<R> = Reader<BufReader<XmlGuard<R>>>;

/// The reader calamine would build for a part (same configuration: empty elements expanded,
/// end names unchecked, text untrimmed).
pub(crate) fn reader<R: Read>(part: R) -> Xml<R> {
    let mut xml = Reader::from_reader(BufReader::with_capacity(64 * 1024, XmlGuard::new(part)));
    let config = xml.config_mut();
    config.check_end_names = false;
    config.trim_text(false);
    config.check_comments = false;
    config.expand_empty_elements = true;
    xml
}

/// Where the guard stands in the markup.
#[derive(Clone, Copy, Debug)]
enum State {
    /// Character data: a `<` starts a new event.
    Text,
    /// Just after `<`.
    Open,
    /// Just after `<!`.
    Bang,
    /// Matching the rest of an opener (`--` of a comment, `[CDATA[`), then inside until `end`.
    Opener {
        want: &'static [u8],
        matched: usize,
        end: &'static [u8],
    },
    /// Inside a comment, CDATA section or processing instruction, until `end`.
    Until { end: &'static [u8], matched: usize },
    /// Inside a start or end tag; `quote` is the open quote of an attribute value.
    Tag { quote: Option<u8> },
}

/// Counts the bytes of the current event as they pass and fails the read when one is longer
/// than [`MAX_XML_RUN_BYTES`]. It follows quick-xml's own rules for where an event ends (a tag
/// ends at a `>` outside quotes; comments, CDATA and processing instructions at their
/// terminator), so no `<` inside them restarts the count. A DOCTYPE (entity expansion) is
/// refused outright: no spreadsheet part has one.
pub(crate) struct XmlGuard<R> {
    inner: R,
    run: u64,
    state: State,
    limit: u64,
}

impl<R> XmlGuard<R> {
    pub(crate) fn new(inner: R) -> XmlGuard<R> {
        XmlGuard::with_limit(inner, MAX_XML_RUN_BYTES)
    }

    pub(crate) fn with_limit(inner: R, limit: u64) -> XmlGuard<R> {
        XmlGuard {
            inner,
            run: 0,
            state: State::Text,
            limit,
        }
    }

    fn scan(&mut self, bytes: &[u8]) -> io::Result<()> {
        let mut i = 0;
        while i < bytes.len() {
            // Fast paths: text up to the next `<`, a tag up to its next `>` or quote, a quoted
            // value up to its closing quote.
            let rest = &bytes[i..];
            let stop = match self.state {
                State::Text => Some(memchr::memchr(b'<', rest)),
                State::Tag { quote: None } => Some(memchr::memchr3(b'>', b'"', b'\'', rest)),
                State::Tag { quote: Some(q) } => Some(memchr::memchr(q, rest)),
                _ => None,
            };
            if let Some(stop) = stop {
                let skip = stop.unwrap_or(rest.len());
                self.add(skip as u64)?;
                i += skip;
                if i == bytes.len() {
                    break;
                }
                if let State::Text = self.state {
                    self.run = 1;
                    self.state = State::Open;
                    i += 1;
                    continue;
                }
            }
            let b = bytes[i];
            i += 1;
            self.add(1)?;
            self.state = match self.state {
                // Handled by the fast path above.
                State::Text => State::Text,
                State::Open => match b {
                    b'!' => State::Bang,
                    b'?' => State::Until {
                        end: b"?>",
                        matched: 0,
                    },
                    b'>' => State::Text,
                    b'"' | b'\'' => State::Tag { quote: Some(b) },
                    _ => State::Tag { quote: None },
                },
                State::Bang => match b {
                    b'-' => State::Opener {
                        want: b"-",
                        matched: 0,
                        end: b"-->",
                    },
                    b'[' => State::Opener {
                        want: b"CDATA[",
                        matched: 0,
                        end: b"]]>",
                    },
                    _ => return Err(io::Error::other(GuardError::Declaration)),
                },
                State::Opener { want, matched, end } => {
                    if want.get(matched) != Some(&b) {
                        return Err(io::Error::other(GuardError::Declaration));
                    }
                    if matched + 1 == want.len() {
                        State::Until { end, matched: 0 }
                    } else {
                        State::Opener {
                            want,
                            matched: matched + 1,
                            end,
                        }
                    }
                }
                State::Until { end, matched } => {
                    if end.get(matched) == Some(&b) {
                        if matched + 1 == end.len() {
                            State::Text
                        } else {
                            State::Until {
                                end,
                                matched: matched + 1,
                            }
                        }
                    } else if matched == 2 && end[0] == end[1] && b == end[0] {
                        // `]]]>`, `--->`: still two of the terminator's first byte.
                        State::Until { end, matched }
                    } else {
                        State::Until {
                            end,
                            matched: usize::from(b == end[0]),
                        }
                    }
                }
                State::Tag { quote: None } => match b {
                    b'>' => State::Text,
                    b'"' | b'\'' => State::Tag { quote: Some(b) },
                    _ => State::Tag { quote: None },
                },
                State::Tag { quote: Some(q) } if b == q => State::Tag { quote: None },
                State::Tag { quote } => State::Tag { quote },
            };
        }
        Ok(())
    }

    fn add(&mut self, n: u64) -> io::Result<()> {
        self.run += n;
        if self.run > self.limit {
            return Err(io::Error::other(GuardError::TooLong { limit: self.limit }));
        }
        Ok(())
    }
}

impl<R: Read> Read for XmlGuard<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.scan(&buf[..n])?;
        Ok(n)
    }
}

/// Why [`XmlGuard`] stopped a read.
#[derive(Debug)]
enum GuardError {
    TooLong { limit: u64 },
    Declaration,
}

impl std::fmt::Display for GuardError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GuardError::TooLong { limit } => write!(
                f,
                "XML 中有一段文本或标签超过 {} MiB（Excel 单元格最多 32767 个字符），不是正常的工作簿",
                limit / (1024 * 1024)
            ),
            GuardError::Declaration => {
                f.write_str("XML 中有 DOCTYPE 或无法识别的 <! 声明，不是正常的工作簿")
            }
        }
    }
}

impl std::error::Error for GuardError {}

/// A quick-xml error as a message; the guard's own errors keep their text.
pub(crate) fn xml_error(e: &quick_xml::Error) -> String {
    if let quick_xml::Error::Io(io) = e {
        if let Some(inner) = io.get_ref() {
            if inner.is::<GuardError>() {
                return inner.to_string();
            }
        }
    }
    format!("XML 格式错误：{e}")
}

/// The raw (unescaped) value of attribute `name`, compared by its full name like calamine.
pub(crate) fn attr<'a>(e: &'a BytesStart<'_>, name: &str) -> Result<Option<Cow<'a, str>>, String> {
    for a in e.attributes().with_checks(false) {
        let a = a.map_err(|e| format!("XML 属性错误：{e}"))?;
        if a.key.as_ref() == name {
            return Ok(Some(a.value));
        }
    }
    Ok(None)
}

/// An attribute value with its entities resolved (calamine's `decode_attr`).
pub(crate) fn decode_attr(value: &str) -> Result<String, String> {
    quick_xml::escape::unescape(value)
        .map(Cow::into_owned)
        .map_err(|e| format!("XML 属性错误：{e}"))
}

/// Appends `&name;` or `&#N;` resolved (calamine's `unescape_entity_to_buffer`).
pub(crate) fn push_entity(entity: &BytesRef<'_>, out: &mut String) -> Result<(), String> {
    if let Some(text) = resolve_xml_entity(entity) {
        out.push_str(text);
        return Ok(());
    }
    match entity.resolve_char_ref() {
        Ok(Some(c)) => {
            out.push(c);
            Ok(())
        }
        Ok(None) => Err(format!("XML 中有无法识别的实体 &{};", &**entity)),
        Err(e) => Err(format!("XML 字符引用错误：{e}")),
    }
}

/// Reads the rest of an `<si>` or `<is>` element opened by `closing`: its text, rich-text runs
/// joined, phonetic runs left out, `_xHHHH_` escapes decoded, untrimmed only where
/// `xml:space="preserve"`. calamine's `read_string_with_bufs`.
pub(crate) fn read_string<R: Read>(
    xml: &mut Xml<R>,
    closing: QName<'_>,
    buf: &mut Vec<u8>,
    text_buf: &mut Vec<u8>,
) -> Result<String, String> {
    let mut rich: Option<String> = None;
    let mut phonetic = false;
    loop {
        buf.clear();
        match xml.read_event_into(buf).map_err(|e| xml_error(&e))? {
            Event::Start(e) if e.local_name().as_ref() == "r" && rich.is_none() => {
                rich = Some(String::new());
            }
            Event::Start(e) if e.local_name().as_ref() == "rPh" => phonetic = true,
            Event::End(e) if e.name() == closing => return Ok(rich.unwrap_or_default()),
            Event::End(e) if e.local_name().as_ref() == "rPh" => phonetic = false,
            Event::Start(e) if e.local_name().as_ref() == "t" && !phonetic => {
                let preserve = attr(&e, "xml:space")?.is_some_and(|v| v == "preserve");
                let name = e.name().as_ref().to_owned();
                let mut value = String::new();
                loop {
                    text_buf.clear();
                    match xml.read_event_into(text_buf).map_err(|e| xml_error(&e))? {
                        Event::Text(t) => value.push_str(&t.xml10_content()),
                        Event::CData(t) => value.push_str(&t.xml10_content()),
                        Event::GeneralRef(r) => push_entity(&r, &mut value)?,
                        Event::End(end) if end.name().as_ref() == name => break,
                        Event::Eof => return Err(eof("t")),
                        _ => {}
                    }
                    if value.len() > MAX_STRING_BYTES {
                        return Err(too_long());
                    }
                }
                let value = if preserve {
                    unescape_xml(&value).into_owned()
                } else {
                    unescape_xml(value.trim_matches([' ', '\t', '\r', '\n'])).into_owned()
                };
                match &mut rich {
                    Some(s) => {
                        s.push_str(&value);
                        if s.len() > MAX_STRING_BYTES {
                            return Err(too_long());
                        }
                    }
                    None => rich = Some(value),
                }
            }
            Event::Eof => return Err(eof("")),
            _ => {}
        }
    }
}

fn too_long() -> String {
    format!(
        "单元格文本超过 {} MiB（Excel 单元格最多 32767 个字符），不是正常的工作簿",
        MAX_STRING_BYTES / (1024 * 1024)
    )
}

/// The part ended inside element `what`.
pub(crate) fn eof(what: &str) -> String {
    if what.is_empty() {
        "XML 意外结束".to_owned()
    } else {
        format!("XML 意外结束（在 <{what}> 中）")
    }
}

/// Length of an `_xHHHH_` escape.
const ESCAPE_LEN: usize = 7;

/// Decodes Excel's `_xHHHH_` escapes (UTF-16 code units; a surrogate pair is two escapes; a
/// lone surrogate becomes U+FFFD). calamine's `utils::unescape_xml`.
pub(crate) fn unescape_xml(original: &str) -> Cow<'_, str> {
    let Some((mut index, mut unit)) = find_escape(original, 0) else {
        return Cow::Borrowed(original);
    };
    let mut out = String::with_capacity(original.len());
    let mut copied = 0;
    loop {
        out.push_str(&original[copied..index]);
        index += ESCAPE_LEN;
        match unit {
            0xD800..=0xDBFF => match parse_escape(original, index) {
                Some(low @ 0xDC00..=0xDFFF) => {
                    let code =
                        0x10000 + ((u32::from(unit) - 0xD800) << 10) + (u32::from(low) - 0xDC00);
                    out.push(char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER));
                    index += ESCAPE_LEN;
                }
                _ => out.push(char::REPLACEMENT_CHARACTER),
            },
            0xDC00..=0xDFFF => out.push(char::REPLACEMENT_CHARACTER),
            _ => out.push(char::from_u32(u32::from(unit)).unwrap_or(char::REPLACEMENT_CHARACTER)),
        }
        copied = index;
        match find_escape(original, index) {
            Some(next) => (index, unit) = next,
            None => break,
        }
    }
    out.push_str(&original[copied..]);
    Cow::Owned(out)
}

fn find_escape(original: &str, mut start: usize) -> Option<(usize, u16)> {
    while let Some(offset) = original.get(start..)?.find('_') {
        let index = start + offset;
        if let Some(unit) = parse_escape(original, index) {
            return Some((index, unit));
        }
        start = index + 1;
    }
    None
}

fn parse_escape(original: &str, index: usize) -> Option<u16> {
    let bytes = original.as_bytes().get(index..index + ESCAPE_LEN)?;
    if bytes[0] != b'_' || bytes[1] != b'x' || bytes[6] != b'_' {
        return None;
    }
    let hex = &bytes[2..6];
    if !hex.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    u16::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn pass(xml: &[u8], limit: u64) -> Result<(), String> {
        let mut guard = XmlGuard::with_limit(xml, limit);
        // Small reads: the state must carry across read boundaries.
        let mut buf = [0u8; 3];
        loop {
            match guard.read(&mut buf) {
                Ok(0) => return Ok(()),
                Ok(_) => {}
                Err(e) => return Err(e.to_string()),
            }
        }
    }

    #[test]
    fn the_guard_bounds_each_event_not_the_document() {
        let mut doc = b"<?xml version=\"1.0\"?><sst>".to_vec();
        for _ in 0..1000 {
            doc.extend_from_slice(b"<si><t>0123456789</t></si>");
        }
        doc.extend_from_slice(b"</sst>");
        assert!(pass(&doc, 32).is_ok());
        let long_text = format!("<t>{}</t>", "x".repeat(40));
        assert!(pass(long_text.as_bytes(), 32).unwrap_err().contains("超过"));
    }

    #[test]
    fn a_lt_inside_a_quoted_value_or_a_section_does_not_restart_the_count() {
        let tag = format!("<c a=\"{}\">", "x<".repeat(30));
        assert!(pass(tag.as_bytes(), 32).is_err());
        let cdata = format!("<t><![CDATA[{}]]></t>", "<a".repeat(30));
        assert!(pass(cdata.as_bytes(), 32).is_err());
        let comment = format!("<!--{}-->", "<a>".repeat(30));
        assert!(pass(comment.as_bytes(), 32).is_err());
        let pi = format!("<?pi {}?>", "<a>".repeat(30));
        assert!(pass(pi.as_bytes(), 32).is_err());
        // Each of them short, and text after them, is fine.
        assert!(pass(b"<t><![CDATA[a]]]></t><!-- c ---><?p?><a b='>'/>x", 32).is_ok());
    }

    #[test]
    fn a_doctype_is_refused() {
        let err = pass(b"<!DOCTYPE x [<!ENTITY a \"b\">]><x/>", 1024).unwrap_err();
        assert!(err.contains("DOCTYPE"), "{err}");
    }

    #[test]
    fn excel_escapes_are_decoded_like_calamine() {
        assert_eq!(unescape_xml("a_x000D_b"), "a\rb");
        assert_eq!(unescape_xml("_x0000_"), "\0");
        assert_eq!(unescape_xml("_xD83D__xDE00_"), "😀");
        assert_eq!(unescape_xml("_xD83D_x"), "\u{FFFD}x");
        assert_eq!(unescape_xml("_x005F_x000D_"), "_x000D_");
        assert_eq!(unescape_xml("plain_x12_"), "plain_x12_");
    }
}
