//! Text encodings of CSV files (文本编码): choosing one, and decoding fields strictly.
//!
//! Choice, in order: a BOM (UTF-8, UTF-16LE/BE) wins; then an encoding forced by the options;
//! then a strict UTF-8 check of the file's prefix; otherwise chardetng is asked, and GBK
//! answers are decoded as GB18030 (a superset). Only UTF-8, GB18030 and UTF-16 are ever used.
//! Decoding never substitutes U+FFFD: an undecodable field becomes [`RawField::Bad`] with its
//! bytes shown as `\xNN` and a hint on how to force the encoding.

use std::borrow::Cow;
use std::fmt::Write as _;

use chardetng::{EncodingDetector, Iso2022JpDetection, Utf8Detection};
use encoding_rs::{DecoderResult, Encoding, GB18030, GBK, UTF_16BE, UTF_16LE, UTF_8};

use super::raw::RawField;
use crate::error::FileError;

/// How the encoding was chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Origin {
    Bom,
    Forced,
    /// Detected; `confident` is false when the detector's guess was not GBK/GB18030-valid.
    Detected {
        confident: bool,
        guess: &'static Encoding,
    },
}

/// The encoding of a CSV file and how many BOM bytes to skip.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TextEncoding {
    pub encoding: &'static Encoding,
    pub bom_len: usize,
    pub origin: Origin,
}

/// The encoding named by [`crate::ReadOptions::encoding`]; `None` for detection (`None`, "",
/// "auto"). GBK and GB2312 labels decode as GB18030.
pub(crate) fn forced(label: Option<&str>) -> Result<Option<&'static Encoding>, FileError> {
    let Some(label) = label.map(str::trim).filter(|l| !l.is_empty()) else {
        return Ok(None);
    };
    if label.eq_ignore_ascii_case("auto") {
        return Ok(None);
    }
    match Encoding::for_label(label.as_bytes()) {
        Some(e) if e == UTF_8 || e == UTF_16LE || e == UTF_16BE => Ok(Some(e)),
        Some(e) if e == GBK || e == GB18030 => Ok(Some(GB18030)),
        _ => Err(FileError::UnknownEncoding {
            label: label.to_owned(),
        }),
    }
}

/// Chooses the encoding of a file from its first bytes; `whole` when `prefix` is the whole file.
pub(crate) fn choose(
    prefix: &[u8],
    whole: bool,
    forced: Option<&'static Encoding>,
) -> TextEncoding {
    if let Some((encoding, bom_len)) = Encoding::for_bom(prefix) {
        return TextEncoding {
            encoding,
            bom_len,
            origin: Origin::Bom,
        };
    }
    let (encoding, origin) = match forced {
        Some(encoding) => (encoding, Origin::Forced),
        None => detect(prefix, whole),
    };
    TextEncoding {
        encoding,
        bom_len: 0,
        origin,
    }
}

fn detect(prefix: &[u8], whole: bool) -> (&'static Encoding, Origin) {
    if valid_in(UTF_8, prefix, whole) {
        let origin = Origin::Detected {
            confident: true,
            guess: UTF_8,
        };
        return (UTF_8, origin);
    }
    let mut detector = EncodingDetector::new(Iso2022JpDetection::Deny);
    detector.feed(prefix, whole);
    let guess = detector.guess(Some(b"cn"), Utf8Detection::Deny);
    let first_line = prefix.split(|&b| b == b'\n').next().unwrap_or(prefix);
    if !first_line.is_ascii() && std::str::from_utf8(first_line).is_ok() {
        // A UTF-8 header with bad bytes further on: a damaged UTF-8 file, not GBK.
        let origin = Origin::Detected {
            confident: false,
            guess,
        };
        return (UTF_8, origin);
    }
    let confident = (guess == GBK || guess == GB18030) && valid_in(GB18030, prefix, whole);
    (GB18030, Origin::Detected { confident, guess })
}

/// Whether `bytes` decode without error; an incomplete sequence at the end is allowed unless
/// `whole`.
fn valid_in(encoding: &'static Encoding, bytes: &[u8], whole: bool) -> bool {
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let capacity = decoder
        .max_utf8_buffer_length_without_replacement(bytes.len())
        .unwrap_or(usize::MAX / 4);
    let mut out = String::with_capacity(capacity.min(bytes.len().saturating_mul(4) + 16));
    let (result, _) = decoder.decode_to_string_without_replacement(bytes, &mut out, whole);
    matches!(result, DecoderResult::InputEmpty)
}

/// The name used in reports and messages: `UTF-8`, `GB18030`, `UTF-16LE`, `UTF-16BE`.
pub(crate) fn name(encoding: &'static Encoding) -> &'static str {
    if encoding == GB18030 || encoding == GBK {
        "GB18030"
    } else {
        encoding.name()
    }
}

impl TextEncoding {
    /// How the encoding was chosen, in Chinese.
    pub(crate) fn origin_zh(&self) -> String {
        match self.origin {
            Origin::Bom => "由文件开头的 BOM 确定".to_owned(),
            Origin::Forced => "由选项指定".to_owned(),
            Origin::Detected {
                confident: true, ..
            } => "自动检测".to_owned(),
            Origin::Detected { guess, .. } => {
                format!("自动检测不确定，检测器猜测为 {}", guess.name())
            }
        }
    }

    /// E.g. `GB18030（自动检测）`, `UTF-8（BOM）`, `UTF-8（指定）`.
    pub(crate) fn describe(&self) -> String {
        let name = name(self.encoding);
        match self.origin {
            Origin::Bom => format!("{name}（BOM）"),
            Origin::Forced => format!("{name}（指定）"),
            Origin::Detected {
                confident: true, ..
            } => format!("{name}（自动检测）"),
            Origin::Detected { guess, .. } => {
                format!("{name}（自动检测，不确定；检测器猜测为 {}）", guess.name())
            }
        }
    }
}

/// Decodes CSV fields. `bytes_encoding` is what the CSV parser sees (UTF-8 after transcoding
/// UTF-16); `file_encoding` is named in messages.
pub(crate) struct FieldDecoder {
    bytes_encoding: &'static Encoding,
    file_encoding: &'static Encoding,
}

impl FieldDecoder {
    pub(crate) fn new(file_encoding: &'static Encoding) -> FieldDecoder {
        let bytes_encoding = if file_encoding == UTF_16LE || file_encoding == UTF_16BE {
            UTF_8
        } else {
            file_encoding
        };
        FieldDecoder {
            bytes_encoding,
            file_encoding,
        }
    }

    /// One field, strictly.
    pub(crate) fn decode(&self, bytes: &[u8]) -> RawField {
        let decoded: Option<Cow<'_, str>> = if self.bytes_encoding == UTF_8 {
            std::str::from_utf8(bytes).ok().map(Cow::Borrowed)
        } else {
            self.bytes_encoding
                .decode_without_bom_handling_and_without_replacement(bytes)
        };
        match decoded {
            Some(text) if !text.contains('\u{FFFD}') => RawField::Text(text.into_owned()),
            Some(text) => RawField::Bad {
                shown: text.replace('\u{FFFD}', "\\u{FFFD}"),
                reason: self.hint("含有替换字符 U+FFFD，文件可能在之前的转换中已损坏"),
            },
            None => RawField::Bad {
                shown: escape_undecodable(self.bytes_encoding, bytes),
                reason: self.hint("含有无法解码的字节"),
            },
        }
    }

    fn hint(&self, what: &str) -> String {
        let name = name(self.file_encoding);
        let suggest = if self.file_encoding == UTF_8 {
            "gbk"
        } else {
            "utf-8"
        };
        format!(
            "按 {name} 解码时{what}，文件编码可能不对；请用 --encoding {suggest}（或 gbk、gb18030、utf-8）指定文件编码后重新导入"
        )
    }
}

/// The text with each undecodable byte written as `\xNN`.
fn escape_undecodable(encoding: &'static Encoding, bytes: &[u8]) -> String {
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let mut out = String::new();
    let mut rest = bytes;
    // Each round consumes input or clears the decoder's state; the bound is a safety net.
    for _ in 0..=bytes.len().saturating_mul(2) + 2 {
        let need = decoder
            .max_utf8_buffer_length_without_replacement(rest.len())
            .unwrap_or(rest.len().saturating_mul(4));
        out.reserve(need.saturating_add(16));
        let (result, read) = decoder.decode_to_string_without_replacement(rest, &mut out, true);
        if let DecoderResult::Malformed(bad, after) = result {
            let end = read.saturating_sub(usize::from(after));
            let start = end.saturating_sub(usize::from(bad));
            for byte in rest.get(start..end).unwrap_or_default() {
                let _ = write!(out, "\\x{byte:02X}");
            }
        }
        rest = rest.get(read..).unwrap_or_default();
        if matches!(result, DecoderResult::InputEmpty) {
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn forced_labels() {
        assert_eq!(forced(Some("gbk")).unwrap(), Some(GB18030));
        assert_eq!(forced(Some("GB2312")).unwrap(), Some(GB18030));
        assert_eq!(forced(Some("utf8")).unwrap(), Some(UTF_8));
        assert_eq!(forced(Some("auto")).unwrap(), None);
        assert_eq!(forced(None).unwrap(), None);
        assert!(forced(Some("big5")).is_err());
        assert!(forced(Some("klingon")).is_err());
    }

    #[test]
    fn detection() {
        let (gbk, _, _) = GBK.encode("统一社会信用代码,主体名称\n");
        let chosen = choose(&gbk, true, None);
        assert_eq!(chosen.encoding, GB18030);
        assert!(matches!(
            chosen.origin,
            Origin::Detected {
                confident: true,
                ..
            }
        ));
        let utf8 = "统一社会信用代码,主体名称\n".as_bytes();
        assert_eq!(choose(utf8, true, None).encoding, UTF_8);
        // A prefix cut inside a character is still UTF-8.
        assert_eq!(choose(&utf8[..4], false, None).encoding, UTF_8);
        assert_eq!(choose(b"\xEF\xBB\xBFa", true, Some(GB18030)).bom_len, 3);
    }

    #[test]
    fn undecodable_bytes_are_escaped() {
        let decoder = FieldDecoder::new(UTF_8);
        let RawField::Bad { shown, reason } = decoder.decode(b"ab\xB9\xE3cd") else {
            panic!("expected a bad field");
        };
        assert_eq!(shown, "ab\\xB9\\xE3cd");
        assert!(reason.contains("--encoding gbk"), "{reason}");
        assert!(matches!(decoder.decode("好".as_bytes()), RawField::Text(t) if t == "好"));
    }
}
