//! Complaints with their attachments as the lead page lists them, and the download of an
//! attachment: the type sniffed at upload and a name with that type's extension (a JPEG sent as
//! `poly.html` downloads as `poly.jpg`), always `attachment`, `nosniff` and a sandbox policy,
//! so that nothing a reporter sent runs in an officer's browser. Only the handling department
//! may download (the store decides).

use axum::extract::{Path, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use meijian_domain::role::Permission;
use meijian_store::leads::detail::{self as store_detail, ComplaintView};
use meijian_store::leads::intake::stored_file_name;

use super::plain_id;
use crate::error::{AppError, AppResult};
use crate::session::CurrentUser;
use crate::state::AppState;

/// A complaint with its times and file sizes as people read them.
pub struct ComplaintRow {
    pub view: ComplaintView,
    pub received: String,
    pub attachments: Vec<AttachmentRow>,
}

pub struct AttachmentRow {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub size: String,
}

/// `830 KB`, `2.4 MB`.
fn size(bytes: i64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    } else {
        format!("{} KB", (bytes + 1023) / 1024)
    }
}

pub fn complaint_row(c: ComplaintView) -> ComplaintRow {
    ComplaintRow {
        received: crate::pages::show_time(c.received_at),
        attachments: c
            .attachments
            .iter()
            .map(|a| AttachmentRow {
                id: a.id.clone(),
                name: stored_file_name(&a.file_name, &a.content_type),
                kind: a.content_type.clone(),
                size: size(a.size_bytes),
            })
            .collect(),
        view: c,
    }
}

/// An attachment as a download: its stored (sniffed at upload) type under a name with that
/// type's extension, never inline, and sandboxed should a browser open it anyway.
#[tracing::instrument(skip_all)]
pub async fn download_attachment(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Response> {
    user.scope.require(Permission::HandleLeads)?;
    let (name, content_type, bytes) =
        store_detail::attachment(&state.store, &user.scope, plain_id(&id)?).await?;
    // Stored so since issue 10; attachments stored before get their extension here.
    let name = stored_file_name(&name, &content_type);
    let content_type = HeaderValue::from_str(&content_type)
        .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"));
    let disposition = HeaderValue::from_str(&crate::pages::registries::attachment(&name))
        .map_err(|e| AppError::Internal(format!("disposition: {e}")))?;
    let mut resp = bytes.into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, content_type);
    h.insert(header::CONTENT_DISPOSITION, disposition);
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("sandbox; default-src 'none'"),
    );
    Ok(resp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(size(1), "1 KB");
        assert_eq!(size(830 * 1024), "830 KB");
        assert_eq!(size(2_516_582), "2.4 MB");
    }
}
