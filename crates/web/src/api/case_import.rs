//! 案件/处罚历史数据导入 through the API: the enforcement history files (`DATA.md` §Enforcement
//! history) sent as the request body, imported by the same store function as the page
//! (`crate::pages::cases::import`) and `meijian import cases|penalties`
//! ([`history::import_file`]): the same permission (`ImportRegistries`), the same row checks
//! within the caller's jurisdiction, the same history events and the one audit entry per import.
//!
//! The body is the file itself (`text/csv`, or the XLSX type), streamed to the settings'
//! `upload_dir` under a random token as the page stages its uploads, and refused past
//! `max_upload_bytes`. The staged file is deleted when the import ends. `?dry_run=true` checks
//! and counts every row and writes nothing, as the page's 预览 does.

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::Json;
use futures_util::StreamExt;
use meijian_domain::role::Permission;
use meijian_registry::ReadOptions;
use meijian_store::cases::import::{HistoryFile, HistoryImportOptions};
use meijian_store::new_id;
use serde::{Deserialize, Serialize};
use tokio::io::AsyncWriteExt;
use utoipa::{IntoParams, ToSchema};

use super::{invalid, ApiPath, ApiQuery};
use crate::error::{AppError, AppResult};
use crate::session::CurrentUser;
use crate::state::AppState;
use crate::uploads::DiscardOnDrop;

/// The content type of a CSV body.
pub const CSV: &str = "text/csv";
/// The content type of an XLSX body.
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A file name given in the query is refused past this many characters.
const FILE_NAME_CAP: usize = 200;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// Check and count every row, write nothing (the page's 预览). Default false.
    pub dry_run: Option<bool>,
    /// The text encoding of a CSV file (utf-8, gb18030, …); detected when absent.
    pub encoding: Option<String>,
    /// The sheet of an XLSX file; the first when absent.
    pub sheet: Option<String>,
    /// The file's name as the history events and the audit entry name it; default
    /// `cases.csv`, `penalties.xlsx`, ….
    pub file_name: Option<String>,
}

/// A row refused, with where and why.
#[derive(Serialize, ToSchema)]
pub struct RejectedRowView {
    /// Line in the file (the header is line 1; for XLSX, the row number).
    pub line: u64,
    /// The column as its header reads (案件编号, 立案日期, …); empty for the whole row.
    pub field: String,
    /// The value as found.
    pub value: String,
    /// Why, in Chinese.
    pub reason: String,
}

/// What an import (or a dry run) did.
#[derive(Serialize, ToSchema)]
pub struct HistoryImportView {
    /// The id of the run as its audit entry names it; null for a dry run.
    pub run_id: Option<String>,
    /// cases | penalties
    pub kind: String,
    pub kind_label: String,
    pub file_name: String,
    /// The text encoding read (`xlsx` for a workbook).
    pub encoding: String,
    /// Nothing was written.
    pub dry_run: bool,
    pub rows_read: i64,
    /// Rows that created a record (a case, or a penalty).
    pub inserted: i64,
    /// Rows that changed a record imported before.
    pub updated: i64,
    /// Rows already imported as they are.
    pub unchanged: i64,
    pub rejected: i64,
    /// Cases that got a history event (created or changed).
    pub cases_touched: i64,
    /// The rejected rows in file order (the first 10,000; `rejected` counts all).
    pub rejections: Vec<RejectedRowView>,
}

/// Which file a content type announces: CSV or XLSX, parameters (`; charset=…`) aside.
fn body_kind(headers: &HeaderMap) -> AppResult<&'static str> {
    let essence = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default();
    match essence.as_str() {
        CSV => Ok("csv"),
        XLSX => Ok("xlsx"),
        _ => Err(invalid(
            "Content-Type",
            "应为 text/csv（CSV 文件）或 application/vnd.openxmlformats-officedocument.spreadsheetml.sheet（XLSX 文件）",
        )),
    }
}

fn upload_error(message: impl Into<String>) -> AppError {
    AppError::Invalid {
        field: "上传".into(),
        message: message.into(),
    }
}

/// The file name the import is recorded under: the query's (without path separators), or one
/// made of the kind and the type.
fn file_name_of(q: &ImportQuery, file: HistoryFile, ext: &str) -> AppResult<String> {
    let given: String = q
        .file_name
        .as_deref()
        .unwrap_or("")
        .chars()
        .filter(|c| !matches!(c, '/' | '\\'))
        .collect();
    let given = given.trim();
    if given.chars().count() > FILE_NAME_CAP {
        return Err(invalid(
            "参数 file_name",
            &format!("不能超过 {FILE_NAME_CAP} 个字符"),
        ));
    }
    Ok(if given.is_empty() {
        format!("{}.{ext}", file.code())
    } else {
        given.to_string()
    })
}

/// Imports an enforcement history file sent as the body: `cases` (案件) before `penalties`
/// (处罚决定, whose rows must name an imported case). A bad row never stops the file: it is
/// reported with its line, column and reason, and the good rows go in. Re-importing the same
/// file changes nothing.
#[utoipa::path(post, path = "/api/cases/import/{kind}", tag = "cases",
    params(("kind" = String, Path, description = "cases | penalties"), ImportQuery),
    request_body(description = "The file itself: CSV (text/csv) or XLSX", content(
        ("text/csv"),
        ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
    responses((status = 200, body = HistoryImportView), (status = 401, body = super::ErrorBody), (status = 403, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn import_history(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(kind): ApiPath<String>,
    ApiQuery(q): ApiQuery<ImportQuery>,
    headers: HeaderMap,
    body: Body,
) -> AppResult<Json<HistoryImportView>> {
    user.scope.require(Permission::ImportRegistries)?;
    let file = HistoryFile::from_code(&kind)
        .ok_or_else(|| invalid("路径参数 kind", "应为 cases 或 penalties"))?;
    let ext = body_kind(&headers)?;
    let dry_run = q.dry_run.unwrap_or(false);
    let opts = HistoryImportOptions {
        read: ReadOptions {
            encoding: q
                .encoding
                .clone()
                .map(|e| e.trim().to_string())
                .filter(|e| !e.is_empty()),
            sheet: q
                .sheet
                .clone()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty()),
            delimiter: None,
        },
        dry_run,
        file_name: Some(file_name_of(&q, file, ext)?),
        ..HistoryImportOptions::new(file)
    };

    // Staged as the page stages its uploads; the guard deletes the file on any way out.
    tokio::fs::create_dir_all(&state.settings.upload_dir)
        .await
        .map_err(|e| AppError::Internal(format!("upload dir: {e}")))?;
    let paths = crate::uploads::staged_paths(&state.settings.upload_dir, &new_id())?;
    let file_path = paths.0.clone();
    let guard = DiscardOnDrop::new(paths);
    let mut out = tokio::fs::File::create(&file_path)
        .await
        .map_err(|e| AppError::Internal(format!("upload file: {e}")))?;
    let mut stream = body.into_data_stream();
    let mut size = 0usize;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| upload_error("上传未完成，请重新提交"))?;
        size += chunk.len();
        if size > state.settings.max_upload_bytes {
            return Err(upload_error(format!(
                "文件超过 {} MB 上限，请拆分后分批上传",
                state.settings.max_upload_bytes >> 20
            )));
        }
        out.write_all(&chunk)
            .await
            .map_err(|e| AppError::Internal(format!("upload write: {e}")))?;
    }
    out.flush()
        .await
        .map_err(|e| AppError::Internal(format!("upload flush: {e}")))?;
    drop(out);
    if size == 0 {
        return Err(upload_error("请求体为空，请发送 CSV 或 XLSX 文件的内容"));
    }

    // On a task of its own, as the page runs it; the task keeps the staged file until done.
    let report =
        crate::pages::cases::import::import_on_task(&state, &user.scope, file_path, opts, guard)
            .await??;
    tracing::info!(
        kind = file.code(),
        dry_run,
        rows = report.rows_read,
        rejected = report.rejected,
        "history imported through the API"
    );
    Ok(Json(HistoryImportView {
        run_id: report.run_id,
        kind: file.code().into(),
        kind_label: file.label_zh().into(),
        file_name: report.file_name,
        encoding: report.encoding,
        dry_run,
        rows_read: report.rows_read,
        inserted: report.added,
        updated: report.changed,
        unchanged: report.unchanged,
        rejected: report.rejected,
        cases_touched: report.cases_touched,
        rejections: report
            .rejections
            .into_iter()
            .map(|r| RejectedRowView {
                line: r.line,
                field: r.column,
                value: r.value,
                reason: r.reason,
            })
            .collect(),
    }))
}
