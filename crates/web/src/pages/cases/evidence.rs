//! 证据 upload and download. A file is stored with its SHA-256; it downloads as an attachment,
//! `nosniff` and sandboxed, never shown inline, so nothing a party handed over runs in an
//! officer's browser.

use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use meijian_store::cases::evidence::{self, MAX_EVIDENCE_BYTES};
use meijian_store::leads::intake::{stored_file_name, AttachmentLimits};

use crate::error::{AppError, AppResult};
use crate::pages::leads::{form_error, plain_id, with_status};
use crate::session::CurrentUser;
use crate::state::AppState;
use crate::uploads;

#[tracing::instrument(skip_all)]
pub async fn upload(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> AppResult<Response> {
    let id = plain_id(&id)?.to_string();
    let mut version = String::new();
    let mut note = String::new();
    let stored = async {
        let mp = multipart.map_err(|_| AppError::Invalid {
            field: "证据文件".into(),
            message: "上传未完成，请重新提交".into(),
        })?;
        let limits = AttachmentLimits {
            max_files: 1,
            max_file_bytes: MAX_EVIDENCE_BYTES,
        };
        let mut files = uploads::read(mp, limits, |name, value| match name {
            "version" => version = value,
            "note" => note = value,
            _ => {}
        })
        .await?;
        let files = files.take(limits)?;
        let file = files.into_iter().next().ok_or_else(|| AppError::Invalid {
            field: "证据文件".into(),
            message: "请选择文件".into(),
        })?;
        let version: i64 = version.trim().parse().map_err(|_| AppError::Invalid {
            field: "版本".into(),
            message: "页面已过期，请刷新后再试".into(),
        })?;
        evidence::add(
            &state.store,
            &user.scope,
            state.now(),
            &id,
            version,
            &file.file_name,
            &file.bytes,
            &note,
        )
        .await?;
        Ok::<_, AppError>(())
    }
    .await;
    match stored {
        Ok(()) => Ok(Redirect::to(&format!("/cases/{id}?notice=evidence")).into_response()),
        Err(e) => {
            let status = e.info().status;
            let message = form_error(e)?;
            let status = if status == StatusCode::CONFLICT {
                status
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            let page = super::detail::error_page(&state, &user, &id, message).await?;
            with_status(status, &page)
        }
    }
}

#[tracing::instrument(skip_all)]
pub async fn download(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, evidence_id)): Path<(String, String)>,
) -> AppResult<Response> {
    let (record, bytes) = evidence::file(
        &state.store,
        &user.scope,
        plain_id(&id)?,
        plain_id(&evidence_id)?,
    )
    .await?;
    let name = stored_file_name(&record.file_name, &record.content_type);
    let content_type = HeaderValue::from_str(&record.content_type)
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
