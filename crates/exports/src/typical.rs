//! A typical case (典型案例) as a Word document, laid out as seed `003_27dc04dedaa30c7b.txt`
//! attachment 2 (典型案例格式) sets it: the case's name centred above, then each section opening
//! with its heading in 【】 in bold, the text following on the same line, and further paragraphs
//! below. The page and type are those of Chinese official documents (GB/T 9704): A4, the name
//! in 宋体 二号 bold, the text in 仿宋 三号 with a two-character first-line indent at a fixed
//! 28-point line. The text is written as given: the caller anonymises and checks the length
//! first (`meijian_domain::case::typical`).
//!
//! Takes plain strings rather than the domain's `TypicalCase`, so this crate keeps no domain
//! dependency: `to_docx_bytes(&case.title, &case.sections())`.

use std::io::{Cursor, Seek, Write};

use docx_rs::{
    AlignmentType, Docx, LineSpacing, LineSpacingType, PageMargin, Paragraph, Run, RunFonts,
    SpecialIndentType,
};

use crate::Error;

/// A4 in twentieths of a point.
const A4_WIDTH: u32 = 11_906;
const A4_HEIGHT: u32 = 16_838;
/// GB/T 9704 margins (37, 35, 28 and 26 mm), in twentieths of a point.
const MARGIN_TOP: i32 = 2_098;
const MARGIN_BOTTOM: i32 = 1_984;
const MARGIN_LEFT: i32 = 1_587;
const MARGIN_RIGHT: i32 = 1_474;
/// 二号 (22 pt) and 三号 (16 pt), in half-points.
const TITLE_SIZE: usize = 44;
const BODY_SIZE: usize = 32;
/// A fixed 28-point line, in twentieths of a point.
const LINE: i32 = 560;
/// Two characters of 三号, in twentieths of a point.
const INDENT: i32 = 640;

pub const TITLE_FONT: &str = "宋体";
pub const BODY_FONT: &str = "仿宋";
/// For Latin letters and digits.
pub const LATIN_FONT: &str = "Times New Roman";

/// Writes a typical case — its name and its sections as (heading as printed, text) — as a
/// Word document to `out`. A section's text may hold several paragraphs, one per line.
pub fn to_docx<W>(title: &str, sections: &[(&str, &str)], out: W) -> Result<(), Error>
where
    W: Write + Seek,
{
    let mut doc = Docx::new()
        .page_size(A4_WIDTH, A4_HEIGHT)
        .page_margin(
            PageMargin::new()
                .top(MARGIN_TOP)
                .bottom(MARGIN_BOTTOM)
                .left(MARGIN_LEFT)
                .right(MARGIN_RIGHT)
                .header(851)
                .footer(992),
        )
        .default_fonts(fonts(BODY_FONT))
        .default_size(BODY_SIZE)
        .add_paragraph(
            Paragraph::new()
                .align(AlignmentType::Center)
                .line_spacing(LineSpacing::new().after(LINE as u32))
                .add_run(
                    Run::new()
                        .add_text(clean(title))
                        .bold()
                        .size(TITLE_SIZE)
                        .fonts(fonts(TITLE_FONT)),
                ),
        );
    for (heading, text) in sections {
        let mut lines = text.split('\n').map(clean).filter(|l| !l.trim().is_empty());
        let mut first = body_paragraph().add_run(Run::new().add_text(clean(heading)).bold());
        if let Some(line) = lines.next() {
            first = first.add_run(Run::new().add_text(line));
        }
        doc = doc.add_paragraph(first);
        for line in lines {
            doc = doc.add_paragraph(body_paragraph().add_run(Run::new().add_text(line)));
        }
    }
    doc.pack(out).map_err(|e| Error::Docx(e.to_string()))
}

/// [`to_docx`] into memory: for a download.
pub fn to_docx_bytes(title: &str, sections: &[(&str, &str)]) -> Result<Vec<u8>, Error> {
    let mut out = Cursor::new(Vec::new());
    to_docx(title, sections, &mut out)?;
    Ok(out.into_inner())
}

fn fonts(east_asia: &str) -> RunFonts {
    RunFonts::new()
        .east_asia(east_asia)
        .ascii(LATIN_FONT)
        .hi_ansi(LATIN_FONT)
}

/// A paragraph of text: justified, first line indented two characters, fixed line.
fn body_paragraph() -> Paragraph {
    Paragraph::new()
        .align(AlignmentType::Both)
        .indent(None, Some(SpecialIndentType::FirstLine(INDENT)), None, None)
        .line_spacing(
            LineSpacing::new()
                .line_rule(LineSpacingType::Exact)
                .line(LINE),
        )
}

/// The text without control characters, which a Word document cannot hold (a stray `\r`,
/// a tab from a pasted table); the trailing white space of a line goes too.
fn clean(text: &str) -> String {
    text.trim_end()
        .chars()
        .map(|c| if c == '\t' { ' ' } else { c })
        .filter(|c| !c.is_control())
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::fmt::Write as _;
    use std::io::Read;

    use super::*;

    fn document_xml(bytes: &[u8]) -> String {
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut out = String::new();
        zip.by_name("word/document.xml")
            .unwrap()
            .read_to_string(&mut out)
            .unwrap();
        out
    }

    /// The document's paragraphs as read: `^` a centred one, `*…*` a bold run, `[i]` an
    /// indented first line; with the page size and margins.
    fn describe(xml: &str) -> String {
        let mut out = String::new();
        for tag in ["w:pgSz", "w:pgMar"] {
            if let Some(i) = xml.find(&format!("<{tag} ")) {
                let end = xml[i..].find('>').unwrap() + i + 1;
                writeln!(out, "{}", &xml[i..end]).unwrap();
            }
        }
        let mut paragraphs: Vec<String> = Vec::new();
        let mut bold = false;
        let mut in_body = false;
        for chunk in xml.split('<').skip(1) {
            let (tag, text) = chunk.split_once('>').unwrap_or((chunk, ""));
            let name = tag.split([' ', '/']).next().unwrap_or("");
            match name {
                "w:body" => in_body = true,
                "w:p" if in_body && !tag.starts_with('/') => paragraphs.push(String::new()),
                "w:r" if !tag.starts_with('/') => bold = false,
                "w:b" => bold = true,
                "w:jc" if tag.contains("\"center\"") => {
                    if let Some(p) = paragraphs.last_mut() {
                        p.push('^');
                    }
                }
                "w:ind" if tag.contains("w:firstLine=\"640\"") => {
                    if let Some(p) = paragraphs.last_mut() {
                        p.push_str("[i]");
                    }
                }
                "w:t" if !tag.starts_with('/') => {
                    if let Some(p) = paragraphs.last_mut() {
                        if bold {
                            write!(p, "*{text}*").unwrap();
                        } else {
                            p.push_str(text);
                        }
                    }
                }
                _ => {}
            }
        }
        for p in paragraphs {
            writeln!(out, "{p}").unwrap();
        }
        out
    }

    #[test]
    fn a_typical_case_is_laid_out_as_the_seed_format() {
        let bytes = to_docx_bytes(
            "某医疗美容诊所超范围开展医疗美容项目案",
            &[
                (
                    "【案情介绍】",
                    "2026年3月5日，某区卫生健康局根据群众投诉举报立案调查。\n本案取得的主要证据有：现场检查笔录、询问笔录。\n\n",
                ),
                ("【案件评析】", "本案的难点在于违法所得的认定。"),
                ("【思考建议】", ""),
            ],
        )
        .unwrap();
        let xml = document_xml(&bytes);
        insta::assert_snapshot!(describe(&xml), @r#"
        <w:pgSz w:w="11906" w:h="16838" />
        <w:pgMar w:top="2098" w:right="1474" w:bottom="1984" w:left="1587" w:header="851" w:footer="992" w:gutter="0" />
        ^*某医疗美容诊所超范围开展医疗美容项目案*
        [i]*【案情介绍】*2026年3月5日，某区卫生健康局根据群众投诉举报立案调查。
        [i]本案取得的主要证据有：现场检查笔录、询问笔录。
        [i]*【案件评析】*本案的难点在于违法所得的认定。
        [i]*【思考建议】*
        "#);
        // The fonts: 宋体 for the name, 仿宋 for the text (the document default), Latin
        // letters and digits in Times New Roman; the sizes 二号 and 三号.
        assert!(xml.contains("w:eastAsia=\"宋体\""), "{xml}");
        assert!(xml.contains("<w:sz w:val=\"44\" />"), "{xml}");
        let mut zip = zip::ZipArchive::new(Cursor::new(&bytes[..])).unwrap();
        let mut styles = String::new();
        zip.by_name("word/styles.xml")
            .unwrap()
            .read_to_string(&mut styles)
            .unwrap();
        assert!(styles.contains("w:eastAsia=\"仿宋\""), "{styles}");
        assert!(styles.contains("w:ascii=\"Times New Roman\""));
        assert!(styles.contains("<w:sz w:val=\"32\" />"));
    }

    #[test]
    fn control_characters_and_markup_are_written_safely() {
        let bytes = to_docx_bytes(
            "名称<b>&\u{0}",
            &[("【案情介绍】", "甲\u{7}乙\t丙\r\n<w:t>丁")],
        )
        .unwrap();
        let xml = document_xml(&bytes);
        assert!(xml.contains("名称&lt;b&gt;&amp;</w:t>"), "{xml}");
        assert!(xml.contains("甲乙 丙</w:t>"), "{xml}");
        assert!(xml.contains("&lt;w:t&gt;丁"), "{xml}");
    }
}
