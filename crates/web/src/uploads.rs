//! Forms with attachments (附件), sent as `multipart/form-data`: the public complaint form and
//! the officers' desk intake (受理登记) read their bodies here.
//!
//! A file over the size limit is read to its end and dropped, never held; files past the
//! count limit are kept as names without bytes, so that the store refuses them with its own
//! message. Text fields are cut at a cap. This module never decides what a file is: the store
//! sniffs every one.
//!
//! A multipart body is streamed, not rewritten by [`crate::hygiene::layer`]: [`field_text`]
//! applies the same rule to every text field and file name read here (bidi controls removed,
//! a NUL refused naming the field).

use axum::extract::multipart::MultipartError;
use axum::extract::Multipart;
use axum::http::StatusCode;
use meijian_store::leads::intake::{self, AttachmentIn, AttachmentLimits};

use crate::error::{AppError, AppResult};

/// The name of the file input.
pub const FILE_FIELD: &str = "attachments";

/// What the file input offers to choose: the types the store takes.
pub const ACCEPT: &str =
    "image/jpeg,image/png,image/webp,application/pdf,.jpg,.jpeg,.png,.webp,.pdf";

/// A text field is cut here; the store refuses anything near it anyway.
const TEXT_CAP: usize = 64 * 1024;

/// The whole request of a form with attachments: every file at its largest, plus 1 MiB of
/// text. The route's `DefaultBodyLimit`.
pub fn max_body_bytes(limits: AttachmentLimits) -> usize {
    limits
        .max_files
        .saturating_mul(limits.max_file_bytes)
        .saturating_add(1024 * 1024)
}

/// "10 MB", or "300 KB" under a megabyte.
pub fn size_text(bytes: usize) -> String {
    const MIB: usize = 1024 * 1024;
    if bytes >= MIB {
        format!("{} MB", bytes / MIB)
    } else {
        format!("{} KB", bytes.div_ceil(1024))
    }
}

/// The files of a form as read.
#[derive(Default)]
pub struct Files {
    files: Vec<AttachmentIn>,
    /// The first file over the size limit (its bytes were not kept).
    too_big: Option<String>,
}

impl Files {
    /// The files for the store, or the message naming the first one over the size limit.
    pub fn take(&mut self, limits: AttachmentLimits) -> AppResult<Vec<AttachmentIn>> {
        if let Some(name) = &self.too_big {
            return Err(AppError::Invalid {
                field: "附件".into(),
                message: format!(
                    "“{}”超过{}",
                    intake::safe_file_name(name),
                    size_text(limits.max_file_bytes)
                ),
            });
        }
        Ok(std::mem::take(&mut self.files))
    }
}

fn body_error(e: MultipartError) -> AppError {
    AppError::Invalid {
        field: "附件".into(),
        message: if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            "上传的内容超过了大小限制，请减少或压缩附件后重新填写".into()
        } else {
            "上传未完成，请重新提交".into()
        },
    }
}

/// The input-hygiene rule ([`crate::hygiene`]) for a text of a multipart body: the value of
/// the field `name`, or the file name of a file sent in it. Bidi controls are removed; a NUL is
/// refused, naming the field.
pub fn field_text(name: &str, value: String) -> AppResult<String> {
    crate::hygiene::clean_owned(name, value)
}

/// Reads a multipart body: the files of [`FILE_FIELD`] within `limits`, and every other field
/// as text, given to `text` with its name. When the body breaks off (over the route's limit,
/// or the client went away) the fields read so far have been given. A text or file name the
/// hygiene rule refuses ([`field_text`]) is not given; the body is still read to its end (so
/// that a browser sees the answer), then the first refusal is the result.
pub async fn read(
    mut mp: Multipart,
    limits: AttachmentLimits,
    mut text: impl FnMut(&str, String),
) -> AppResult<Files> {
    let mut r = Files::default();
    let mut refused: Option<AppError> = None;
    while let Some(mut field) = mp.next_field().await.map_err(body_error)? {
        let name = field.name().unwrap_or("").to_string();
        if name == FILE_FIELD {
            let file_name = field.file_name().unwrap_or("").to_string();
            let file_name = match field_text(&format!("{name}（文件名）"), file_name) {
                Ok(f) => f,
                Err(e) => {
                    refused.get_or_insert(e);
                    String::new()
                }
            };
            let mut bytes = Vec::new();
            let mut over = false;
            while let Some(chunk) = field.chunk().await.map_err(body_error)? {
                if over || bytes.len() + chunk.len() > limits.max_file_bytes {
                    over = true;
                    bytes = Vec::new();
                } else if r.files.len() < limits.max_files {
                    bytes.extend_from_slice(&chunk);
                }
            }
            if over {
                r.too_big.get_or_insert(file_name);
            } else if !(file_name.is_empty() && bytes.is_empty()) {
                r.files.push(AttachmentIn { file_name, bytes });
            }
            continue;
        }
        let mut buf = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(body_error)? {
            let room = TEXT_CAP.saturating_sub(buf.len());
            buf.extend_from_slice(&chunk[..chunk.len().min(room)]);
        }
        match field_text(&name, String::from_utf8_lossy(&buf).into_owned()) {
            Ok(value) => text(&name, value),
            Err(e) => {
                refused.get_or_insert(e);
            }
        }
    }
    match refused {
        Some(e) => Err(e),
        None => Ok(r),
    }
}

/// The two files of a staged upload (an import file waiting for its preview to be confirmed):
/// the file itself and its metadata, named by the upload's token in `dir`. Any other token is
/// 404, so a token in a URL can never name another path.
pub fn staged_paths(
    dir: &std::path::Path,
    token: &str,
) -> AppResult<(std::path::PathBuf, std::path::PathBuf)> {
    if token.len() != 32 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AppError::NotFound);
    }
    Ok((
        dir.join(format!("{token}.upload")),
        dir.join(format!("{token}.json")),
    ))
}

/// Deletes a staged upload's files when dropped, unless kept: on an error, and when the request
/// is dropped half-way (the client went away and the server stops the handler).
pub struct DiscardOnDrop {
    paths: Option<(std::path::PathBuf, std::path::PathBuf)>,
}

impl DiscardOnDrop {
    pub fn new(paths: (std::path::PathBuf, std::path::PathBuf)) -> DiscardOnDrop {
        DiscardOnDrop { paths: Some(paths) }
    }

    pub fn keep(mut self) {
        self.paths = None;
    }
}

impl Drop for DiscardOnDrop {
    fn drop(&mut self) {
        if let Some((file, meta)) = self.paths.take() {
            // Two unlinks: quick enough to run right here, even in a task being cancelled.
            let _ = std::fs::remove_file(file);
            let _ = std::fs::remove_file(meta);
        }
    }
}

/// Why an upload could not be read, in words for the officer (the parser's own text is in
/// English and names its internals).
pub fn unreadable(e: &MultipartError) -> AppError {
    let message = if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        "文件超过大小上限，请拆分后分批上传"
    } else {
        "无法读取上传的内容：上传中断，或文件名含有不允许的字符（如不可见的控制字符），请检查后重新上传"
    };
    tracing::info!(error = %e.body_text(), "upload unreadable");
    AppError::Invalid {
        field: "上传".into(),
        message: message.into(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn sizes_as_people_read_them() {
        assert_eq!(size_text(10 * 1024 * 1024), "10 MB");
        assert_eq!(size_text(300 * 1024 - 5), "300 KB");
        let limits = AttachmentLimits {
            max_files: 2,
            max_file_bytes: 1024,
        };
        assert_eq!(max_body_bytes(limits), 2048 + 1024 * 1024);
    }

    #[test]
    fn fields_and_file_names_follow_the_hygiene_rule() {
        assert_eq!(
            field_text("subject_name", "某\u{202E}诊所".into()).unwrap(),
            "某诊所"
        );
        assert_eq!(
            field_text("attachments（文件名）", "gpj.\u{202E}exe".into()).unwrap(),
            "gpj.exe"
        );
        let e = field_text("subject_name", "某\0诊所".into()).unwrap_err();
        assert_eq!(
            e.info().message,
            "字段 subject_name：含有不可见的控制字符 NUL，请删除后重试"
        );
    }
}
