//! 案件/处罚历史数据导入: the enforcement history files (`DATA.md` §Enforcement history) uploaded
//! through the browser, as `meijian import cases|penalties` does from the command line.
//!
//! The upload is streamed to the settings' `upload_dir` under a random token (`{token}.upload`
//! and `{token}.json`, the names the registry uploads use, so that their hourly sweep takes an
//! abandoned one too). 预览 checks every row and writes nothing ([`HistoryImportOptions::dry_run`]);
//! 确认导入 imports it and shows the report. Rejected rows are listed with their line, column,
//! value and reason, and kept with the upload's `{token}.json` for the XLSX download until the
//! sweep takes it. Only the uploader may confirm or download; everything needs
//! [`Permission::ImportRegistries`], as the store's import does.

use askama::Template;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use meijian_domain::role::Permission;
use meijian_registry::ReadOptions;
use meijian_store::cases::import::{self as history, HistoryFile, HistoryImportOptions};
use meijian_store::new_id;
use meijian_store::registries::import::RowIssue;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use tokio::io::AsyncWriteExt;

use crate::chrome::Chrome;
use crate::error::{AppError, AppResult};
use crate::pages::registries::imports::{rejection_rows, rejections_table};
use crate::pages::render;
use crate::session::CurrentUser;
use crate::state::AppState;
use crate::uploads::{unreadable, DiscardOnDrop};

/// Rejected rows shown on a page (all are in the XLSX).
const SHOWN_REJECTIONS: usize = 100;
/// A text field of the form is refused past this many bytes.
const TEXT_FIELD_CAP: usize = 4096;

/// The import pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/cases/import", get(show_new))
        .route(
            "/cases/import",
            // The file's size is checked while it is streamed to disk, against the settings'
            // `max_upload_bytes` (the registry uploads' limit).
            post(upload).layer(DefaultBodyLimit::disable()),
        )
        .route("/cases/import/confirm", post(confirm))
        .route(
            "/cases/import/{token}/rejections.xlsx",
            get(rejections_xlsx),
        )
}

#[derive(Template)]
#[template(path = "cases_import.html")]
struct NewPage {
    chrome: Chrome,
    error: Option<String>,
    files: Vec<(&'static str, &'static str)>,
}

fn new_page(user: &CurrentUser, error: Option<String>) -> AppResult<Html<String>> {
    render(&NewPage {
        chrome: Chrome::new(user, "/cases"),
        error,
        files: HistoryFile::ALL
            .iter()
            .map(|f| (f.code(), f.label_zh()))
            .collect(),
    })
}

#[tracing::instrument(skip_all)]
pub async fn show_new(user: CurrentUser) -> AppResult<Html<String>> {
    user.scope.require(Permission::ImportRegistries)?;
    new_page(&user, None)
}

/// A problem row as kept with an upload.
#[derive(Serialize, Deserialize, Clone)]
struct Issue {
    line: u64,
    column: String,
    value: String,
    reason: String,
}

impl Issue {
    fn row(&self) -> RowIssue {
        RowIssue {
            line: self.line,
            column: self.column.clone(),
            value: self.value.clone(),
            reason: self.reason.clone(),
            rejected: true,
        }
    }
}

/// What an upload waits with (`{token}.json`): who uploaded it, which file it is, and the
/// rejected rows of its last preview or import.
#[derive(Serialize, Deserialize)]
struct Pending {
    owner: String,
    file_name: String,
    /// `cases` or `penalties`; the registry uploads' metadata has no such field, so neither
    /// kind of upload can be confirmed as the other.
    history_file: String,
    encoding: Option<String>,
    sheet: Option<String>,
    /// Whether the file was imported (not only previewed).
    imported: bool,
    rejections: Vec<Issue>,
}

impl Pending {
    fn file(&self) -> AppResult<HistoryFile> {
        HistoryFile::from_code(&self.history_file).ok_or_else(|| AppError::Invalid {
            field: "数据类别".into(),
            message: "请选择案件或处罚决定".into(),
        })
    }

    fn options(&self, dry_run: bool) -> AppResult<HistoryImportOptions> {
        Ok(HistoryImportOptions {
            read: ReadOptions {
                encoding: self.encoding.clone(),
                sheet: self.sheet.clone(),
                delimiter: None,
            },
            dry_run,
            file_name: Some(self.file_name.clone()),
            ..HistoryImportOptions::new(self.file()?)
        })
    }
}

fn upload_paths(state: &AppState, token: &str) -> AppResult<(PathBuf, PathBuf)> {
    crate::uploads::staged_paths(&state.settings.upload_dir, token)
}

/// The upload `token` of `user`, or 404 (also for someone else's).
async fn pending_of(state: &AppState, user: &CurrentUser, token: &str) -> AppResult<Pending> {
    let (_, meta_path) = upload_paths(state, token)?;
    let meta = tokio::fs::read(&meta_path)
        .await
        .map_err(|_| AppError::NotFound)?;
    let pending: Pending = serde_json::from_slice(&meta).map_err(|_| AppError::NotFound)?;
    if pending.owner != user.principal.account.id {
        return Err(AppError::NotFound);
    }
    Ok(pending)
}

async fn save(state: &AppState, token: &str, pending: &Pending) -> AppResult<()> {
    let (_, meta_path) = upload_paths(state, token)?;
    let meta = serde_json::to_vec(pending).map_err(|e| AppError::Internal(e.to_string()))?;
    tokio::fs::write(&meta_path, meta)
        .await
        .map_err(|e| AppError::Internal(format!("upload meta: {e}")))
}

async fn discard(state: &AppState, token: &str) {
    if let Ok((file, meta)) = upload_paths(state, token) {
        let _ = tokio::fs::remove_file(file).await;
        let _ = tokio::fs::remove_file(meta).await;
    }
}

fn invalid(message: impl Into<String>) -> AppError {
    AppError::Invalid {
        field: "上传".into(),
        message: message.into(),
    }
}

/// Receives the form: the file goes to disk chunk by chunk under a new token, then is
/// previewed or imported.
#[tracing::instrument(skip_all)]
pub async fn upload(
    State(state): State<AppState>,
    user: CurrentUser,
    form: Multipart,
) -> AppResult<Response> {
    user.scope.require(Permission::ImportRegistries)?;
    tokio::fs::create_dir_all(&state.settings.upload_dir)
        .await
        .map_err(|e| AppError::Internal(format!("upload dir: {e}")))?;
    let token = new_id();
    let guard = DiscardOnDrop::new(upload_paths(&state, &token)?);
    let response = receive(&state, &user, &token, form).await?;
    guard.keep();
    Ok(response)
}

async fn receive(
    state: &AppState,
    user: &CurrentUser,
    token: &str,
    mut form: Multipart,
) -> AppResult<Response> {
    let (file_path, _) = upload_paths(state, token)?;
    let mut pending = Pending {
        owner: user.principal.account.id.clone(),
        file_name: String::new(),
        history_file: String::new(),
        encoding: None,
        sheet: None,
        imported: false,
        rejections: Vec::new(),
    };
    let mut action = String::new();
    let mut size = 0usize;
    while let Some(mut field) = form.next_field().await.map_err(|e| unreadable(&e))? {
        let name = field.name().unwrap_or("").to_string();
        if name == "file" {
            let shown: String = field
                .file_name()
                .unwrap_or("upload")
                .chars()
                .filter(|c| !matches!(c, '/' | '\\'))
                .collect();
            pending.file_name = crate::uploads::field_text("文件名", shown)?;
            let mut out = tokio::fs::File::create(&file_path)
                .await
                .map_err(|e| AppError::Internal(format!("upload file: {e}")))?;
            while let Some(chunk) = field.chunk().await.map_err(|e| unreadable(&e))? {
                size += chunk.len();
                if size > state.settings.max_upload_bytes {
                    return Err(invalid(format!(
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
        } else {
            let mut bytes = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(|e| unreadable(&e))? {
                bytes.extend_from_slice(&chunk);
                if bytes.len() > TEXT_FIELD_CAP {
                    return Err(invalid("表单内容过长"));
                }
            }
            let value = String::from_utf8(bytes).map_err(|_| invalid("表单内容无法识别"))?;
            let value = crate::uploads::field_text(&name, value)?;
            match name.as_str() {
                "file_kind" => pending.history_file = value,
                "encoding" => pending.encoding = Some(value).filter(|v| !v.is_empty()),
                "sheet" => pending.sheet = Some(value.trim().to_string()).filter(|v| !v.is_empty()),
                "action" => action = value,
                _ => {}
            }
        }
    }
    if HistoryFile::from_code(&pending.history_file).is_none() {
        return Ok(
            new_page(user, Some("请选择文件内容：案件或处罚决定。".into()))?.into_response(),
        );
    }
    if size == 0 {
        return Ok(new_page(user, Some("请选择一个非空的文件。".into()))?.into_response());
    }
    save(state, token, &pending).await?;
    run(state, user, token, pending, action != "import").await
}

#[derive(Template)]
#[template(path = "cases_import_report.html")]
struct ReportPage {
    chrome: Chrome,
    token: String,
    dry_run: bool,
    file_name: String,
    file_label: &'static str,
    encoding: String,
    rows: i64,
    added: i64,
    changed: i64,
    unchanged: i64,
    rejected: i64,
    cases_touched: i64,
    issues: Vec<Issue>,
}

/// Previews (`dry_run`) or imports the upload `token` and shows the report. The import runs
/// on a task of its own: a browser that stops waiting does not stop it half-way.
async fn run(
    state: &AppState,
    user: &CurrentUser,
    token: &str,
    mut pending: Pending,
    dry_run: bool,
) -> AppResult<Response> {
    let (file_path, _) = upload_paths(state, token)?;
    let opts = pending.options(dry_run)?;
    let file = opts.file;
    let result = import_on_task(state, &user.scope, file_path, opts, ()).await?;
    let report = match result {
        Ok(r) => r,
        Err(meijian_store::StoreError::Invalid { message, .. }) => {
            discard(state, token).await;
            return Ok(
                new_page(user, Some(format!("{}：{message}", pending.file_name)))?.into_response(),
            );
        }
        Err(e) => {
            discard(state, token).await;
            return Err(e.into());
        }
    };
    pending.rejections = report
        .rejections
        .iter()
        .map(|r| Issue {
            line: r.line,
            column: r.column.clone(),
            value: r.value.clone(),
            reason: r.reason.clone(),
        })
        .collect();
    if !dry_run {
        // The file is done with; its problem rows stay for the download until the sweep.
        pending.imported = true;
        let (file_path, _) = upload_paths(state, token)?;
        let _ = tokio::fs::remove_file(file_path).await;
    }
    save(state, token, &pending).await?;
    Ok(render(&ReportPage {
        chrome: Chrome::new(user, "/cases"),
        token: token.to_string(),
        dry_run,
        file_name: pending.file_name.clone(),
        file_label: file.label_zh(),
        encoding: report.encoding.clone(),
        rows: report.rows_read,
        added: report.added,
        changed: report.changed,
        unchanged: report.unchanged,
        rejected: report.rejected,
        cases_touched: report.cases_touched,
        issues: pending
            .rejections
            .iter()
            .take(SHOWN_REJECTIONS)
            .cloned()
            .collect(),
    })?
    .into_response())
}

#[derive(Deserialize)]
pub struct ConfirmForm {
    token: String,
}

/// Imports a previewed upload.
#[tracing::instrument(skip_all)]
pub async fn confirm(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<ConfirmForm>,
) -> AppResult<Response> {
    user.scope.require(Permission::ImportRegistries)?;
    let pending = pending_of(&state, &user, &form.token).await?;
    if pending.imported {
        return Ok(new_page(
            &user,
            Some(format!(
                "{}已经导入过。如需再次导入，请重新选择文件。",
                pending.file_name
            )),
        )?
        .into_response());
    }
    run(&state, &user, &form.token, pending, false).await
}

/// The rejected rows of an upload's last preview or import, as XLSX.
#[tracing::instrument(skip_all)]
pub async fn rejections_xlsx(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(token): Path<String>,
) -> AppResult<Response> {
    user.scope.require(Permission::ImportRegistries)?;
    let pending = pending_of(&state, &user, &token).await?;
    let rows: Vec<RowIssue> = pending.rejections.iter().map(Issue::row).collect();
    let bytes = meijian_exports::to_xlsx_bytes(&rejections_table(), rejection_rows(&rows))
        .map_err(crate::xlsx::failed)?;
    Ok(crate::xlsx::download(
        &format!("问题行-{}.xlsx", pending.file_name),
        bytes,
    ))
}

/// Runs a history import on a task of its own, for the page and the API alike: a client that
/// stops waiting does not stop the import half-way. `keep` (a staged file's guard) lives until
/// the import has ended.
pub(crate) async fn import_on_task<K: Send + 'static>(
    state: &AppState,
    scope: &meijian_store::Scope,
    file_path: PathBuf,
    opts: HistoryImportOptions,
    keep: K,
) -> AppResult<Result<history::HistoryImportReport, meijian_store::StoreError>> {
    let state = state.clone();
    let scope = scope.clone();
    tokio::spawn(async move {
        let _keep = keep;
        let clock = state.clock.clone();
        let now = move || clock.now();
        history::import_file(
            &state.store,
            &scope,
            &now,
            &file_path,
            &opts,
            &mut |_, _, _| {},
        )
        .await
    })
    .await
    .map_err(|e| AppError::Internal(format!("history import task: {e}")))
}
