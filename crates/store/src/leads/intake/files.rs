//! 附件: what a reporter may attach (photos and PDFs, judged by their bytes) and the name it is
//! shown under (no path, no control characters).

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
}
