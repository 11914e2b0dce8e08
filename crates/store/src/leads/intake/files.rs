//! 附件: what a reporter may attach (photos and PDFs, judged by their bytes) and the name it is
//! stored and shown under (no path, no control characters, the extension of its real type).

/// A file the reporter attached.
#[derive(Clone, Debug)]
pub struct AttachmentIn {
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// Limits on attachments (附件), from the configuration.
#[derive(Clone, Copy, Debug)]
pub struct AttachmentLimits {
    pub max_files: usize,
    pub max_file_bytes: usize,
}

impl Default for AttachmentLimits {
    fn default() -> Self {
        AttachmentLimits {
            max_files: 5,
            max_file_bytes: 10 * 1024 * 1024,
        }
    }
}

/// The content type of a file from its first bytes: photos and PDFs only, whatever the
/// name says.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if bytes.len() > 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

/// A display name with no path, no control characters, at most 80 characters.
pub fn safe_file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>' | ':' | '|' | '?' | '*'))
        .take(80)
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').to_string();
    if cleaned.is_empty() {
        "附件".to_string()
    } else {
        cleaned
    }
}

/// The extensions a file of a sniffed type may carry; the first is the one given.
fn extensions(content_type: &str) -> &'static [&'static str] {
    match content_type {
        "image/jpeg" => &["jpg", "jpeg", "jpe", "jfif"],
        "image/png" => &["png"],
        "image/webp" => &["webp"],
        "application/pdf" => &["pdf"],
        _ => &[],
    }
}

/// The name a file is stored and downloaded under: [`safe_file_name`], with the extension of
/// its sniffed type. A name ending in another extension gets the type's instead (`poly.html`
/// holding a JPEG becomes `poly.jpg`), one without an extension gets it appended (`照片` →
/// `照片.jpg`), one already right is kept (`IMG.JPEG`). An extension is the text after the last
/// dot when it is 1 to 8 ASCII letters and digits with a letter among them, so `报告.2024`
/// becomes `报告.2024.pdf`. A type without known extensions leaves the name as it is.
pub fn stored_file_name(name: &str, content_type: &str) -> String {
    let name = safe_file_name(name);
    let Some(ext) = extensions(content_type).first() else {
        return name;
    };
    let stem = match name.rsplit_once('.') {
        Some((stem, e))
            if !stem.is_empty()
                && (1..=8).contains(&e.len())
                && e.bytes().all(|b| b.is_ascii_alphanumeric())
                && e.bytes().any(|b| b.is_ascii_alphabetic()) =>
        {
            if extensions(content_type).contains(&e.to_ascii_lowercase().as_str()) {
                return name;
            }
            stem
        }
        _ => name.as_str(),
    };
    // Within safe_file_name's 80 characters, the extension included.
    let stem: String = stem.chars().take(80 - 1 - ext.len()).collect();
    let stem = stem.trim_end();
    format!("{}.{ext}", if stem.is_empty() { "附件" } else { stem })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_judged_by_their_bytes_not_their_names() {
        assert_eq!(sniff(b"\xFF\xD8\xFF\xE0rest"), Some("image/jpeg"));
        assert_eq!(sniff(b"%PDF-1.7"), Some("application/pdf"));
        assert_eq!(sniff(b"MZ\x90\x00"), None);
        assert_eq!(sniff(b"<html>"), None);
    }

    #[test]
    fn file_names_lose_their_paths() {
        assert_eq!(safe_file_name("../../etc/passwd"), "passwd");
        assert_eq!(safe_file_name("C:\\Users\\a\\照片.jpg"), "照片.jpg");
        assert_eq!(safe_file_name("..."), "附件");
        assert_eq!(safe_file_name("a\u{0}b<script>.png"), "abscript.png");
    }

    #[test]
    fn stored_names_carry_the_extension_of_the_real_type() {
        assert_eq!(stored_file_name("poly.html", "image/jpeg"), "poly.jpg");
        assert_eq!(stored_file_name("poly.HTML", "application/pdf"), "poly.pdf");
        assert_eq!(stored_file_name("照片", "image/png"), "照片.png");
        assert_eq!(
            stored_file_name("IMG_0001.JPEG", "image/jpeg"),
            "IMG_0001.JPEG"
        );
        assert_eq!(stored_file_name("scan.jpg", "image/webp"), "scan.webp");
        assert_eq!(
            stored_file_name("报告.2024", "application/pdf"),
            "报告.2024.pdf"
        );
        assert_eq!(stored_file_name("a.b.exe", "image/png"), "a.b.png");
        assert_eq!(
            stored_file_name("../x/.htaccess", "image/png"),
            "htaccess.png"
        );
        assert_eq!(stored_file_name("", "image/jpeg"), "附件.jpg");
        assert_eq!(stored_file_name("x.svg", "text/plain"), "x.svg");
        let long = format!("{}.html", "长".repeat(100));
        let stored = stored_file_name(&long, "image/jpeg");
        assert!(
            stored.ends_with(".jpg") && stored.chars().count() <= 80,
            "{stored}"
        );
        // Already stored names stay as they are.
        assert_eq!(stored_file_name("poly.jpg", "image/jpeg"), "poly.jpg");
    }
}
