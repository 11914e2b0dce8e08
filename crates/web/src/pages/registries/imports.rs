//! Uploading a registry file (导入): the file is streamed to disk, previewed as a dry run or
//! imported in the background, and the run's page shows progress, counts and rejected rows.
//! An upload waits under a random token that only its uploader can confirm.
//!
//! Uploads are files in `upload_dir`: `{token}.upload` (the bytes) and `{token}.json` (who and
//! what options). An upload that fails or is cut off mid-transfer is deleted on the spot;
//! one previewed and never confirmed, or left by a crash, by [`sweep_uploads`] once unchanged
//! for `upload_retention` (on start and hourly). An import reading a file refreshes its
//! modification time every few minutes ([`while_reading`]), so that the sweep — of this server
//! or of another sharing the folder — never takes a file in use: the rule needs no state but
//! the files' own times.

use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use meijian_domain::role::Permission;
use meijian_registry::{ReadOptions, RegistryKind};
use meijian_store::new_id;
use meijian_store::registries::import::{self, ImportOptions, ImportReport, RowIssue, RunRow};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::time::{Duration, SystemTime};
use tokio::io::AsyncWriteExt;

use crate::chrome::Chrome;
use crate::error::{AppError, AppResult};
use crate::pages::{render, show_time};
use crate::session::CurrentUser;
use crate::state::AppState;
use crate::uploads::{unreadable, DiscardOnDrop};

const SHOWN_REJECTIONS: usize = 200;

#[derive(Template)]
#[template(path = "import_new.html")]
struct NewPage {
    chrome: Chrome,
    error: Option<String>,
    registries: Vec<(&'static str, &'static str)>,
}

fn new_page(user: &CurrentUser, error: Option<String>) -> AppResult<Html<String>> {
    render(&NewPage {
        chrome: Chrome::new(user, "/registries"),
        error,
        registries: RegistryKind::all()
            .iter()
            .map(|k| (k.code(), k.label_zh()))
            .collect(),
    })
}

#[tracing::instrument(skip_all)]
pub async fn show_new(user: CurrentUser) -> AppResult<Html<String>> {
    user.scope.require(Permission::ImportRegistries)?;
    new_page(&user, None)
}

/// What an upload waits with: who uploaded it and the options chosen.
#[derive(Serialize, Deserialize)]
struct Pending {
    owner: String,
    file_name: String,
    registry: String,
    encoding: Option<String>,
    sheet: Option<String>,
    partial: bool,
    last_wins: bool,
}

fn upload_paths(state: &AppState, token: &str) -> AppResult<(PathBuf, PathBuf)> {
    crate::uploads::staged_paths(&state.settings.upload_dir, token)
}

fn options(p: &Pending, dry_run: bool, run_id: Option<String>) -> AppResult<ImportOptions> {
    Ok(ImportOptions {
        registry: RegistryKind::from_code(&p.registry).ok_or_else(|| AppError::Invalid {
            field: "数据类别".into(),
            message: "未知类别".into(),
        })?,
        read: ReadOptions {
            encoding: p.encoding.clone(),
            sheet: p.sheet.clone(),
            delimiter: None,
        },
        full_export: !p.partial,
        last_wins: p.last_wins,
        dry_run,
        batch_size: import::DEFAULT_BATCH_SIZE,
        run_id,
        file_name: Some(p.file_name.clone()),
    })
}

#[derive(Template)]
#[template(path = "import_preview.html")]
struct PreviewPage {
    chrome: Chrome,
    token: String,
    file_name: String,
    registry_label: &'static str,
    encoding: String,
    rows: i64,
    added: i64,
    changed: i64,
    unchanged: i64,
    rejected: i64,
    missing: i64,
    /// A full export: records of the jurisdiction it lacks are marked missing.
    full_export: bool,
    warned: i64,
    issues: Vec<RowIssue>,
}

/// The problems of a report as one list: rejected rows first, then warnings, each by line.
fn report_issues(report: &ImportReport, limit: usize) -> Vec<RowIssue> {
    let issue = |r: &meijian_registry::Rejection, rejected: bool| RowIssue {
        line: r.line,
        column: r.column.clone(),
        value: r.value.clone(),
        reason: r.reason.clone(),
        rejected,
    };
    let mut out: Vec<RowIssue> = report.rejections.iter().map(|r| issue(r, true)).collect();
    out.extend(report.warnings.iter().map(|r| issue(r, false)));
    out.sort_by_key(|i| i.line);
    out.truncate(limit);
    out
}

/// Receives the multipart form: the file goes to disk chunk by chunk under a new token. An
/// upload that does not end in a preview or a started import leaves no file behind.
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
    let (file_path, meta_path) = upload_paths(state, token)?;
    let mut pending = Pending {
        owner: user.principal.account.id.clone(),
        file_name: String::new(),
        registry: String::new(),
        encoding: None,
        sheet: None,
        // The safe choice unless the form says the file is a full export.
        partial: true,
        last_wins: false,
    };
    let mut action = String::new();
    let mut size = 0usize;
    let invalid = |m: &str| AppError::Invalid {
        field: "上传".into(),
        message: m.to_string(),
    };
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
                    let _ = tokio::fs::remove_file(&file_path).await;
                    return Err(invalid(&format!(
                        "文件超过 {} MB 上限",
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
            let value = field.text().await.map_err(|e| unreadable(&e))?;
            let value = crate::uploads::field_text(&name, value)?;
            match name.as_str() {
                "registry" => pending.registry = value,
                "encoding" => pending.encoding = Some(value).filter(|v| !v.is_empty()),
                "sheet" => pending.sheet = Some(value.trim().to_string()).filter(|v| !v.is_empty()),
                "partial" => pending.partial = value == "1",
                "last_wins" => pending.last_wins = value == "1",
                "action" => action = value,
                _ => {}
            }
        }
    }
    if size == 0 {
        let _ = tokio::fs::remove_file(&file_path).await;
        return Ok(new_page(user, Some("请选择一个非空的文件。".into()))?.into_response());
    }
    let meta = serde_json::to_vec(&pending).map_err(|e| AppError::Internal(e.to_string()))?;
    tokio::fs::write(&meta_path, meta)
        .await
        .map_err(|e| AppError::Internal(format!("upload meta: {e}")))?;
    if action == "preview" {
        preview(state, user, token, &pending).await
    } else {
        start(state, user, token, pending).await
    }
}

async fn preview(
    state: &AppState,
    user: &CurrentUser,
    token: &str,
    pending: &Pending,
) -> AppResult<Response> {
    let paths = upload_paths(state, token)?;
    let file_path = paths.0.clone();
    let opts = options(pending, true, None)?;
    let clock = state.clock.clone();
    let now = move || clock.now();
    let result = while_reading(
        paths,
        state.settings.upload_retention,
        import::import_file(
            &state.store,
            &user.scope,
            &now,
            &file_path,
            &opts,
            &mut |_, _, _| {},
        ),
    )
    .await;
    let report = match result {
        Ok(r) => r,
        Err(meijian_store::StoreError::Invalid { message, .. }) => {
            discard(state, token).await;
            return Ok(
                new_page(user, Some(format!("{}：{message}", pending.file_name)))?.into_response(),
            );
        }
        Err(e) => return Err(e.into()),
    };
    Ok(render(&PreviewPage {
        chrome: Chrome::new(user, "/registries"),
        token: token.to_string(),
        file_name: pending.file_name.clone(),
        registry_label: opts.registry.label_zh(),
        encoding: report.encoding.clone(),
        rows: report.rows_read,
        added: report.added,
        changed: report.changed,
        unchanged: report.unchanged,
        rejected: report.rejected,
        missing: report.missing,
        full_export: opts.full_export,
        warned: report.warned,
        issues: report_issues(&report, SHOWN_REJECTIONS),
    })?
    .into_response())
}

async fn discard(state: &AppState, token: &str) {
    if let Ok((file, meta)) = upload_paths(state, token) {
        let _ = tokio::fs::remove_file(file).await;
        let _ = tokio::fs::remove_file(meta).await;
    }
}

/// Runs `reading` (an import or preview reading the upload at `paths`) while refreshing the
/// files' modification time: at once, then every quarter of the retention (at most every ten
/// minutes), so that [`sweep_uploads`] never sees a file in use as abandoned.
async fn while_reading<F: std::future::Future>(
    paths: (PathBuf, PathBuf),
    retention: Duration,
    reading: F,
) -> F::Output {
    let every = (retention / 4)
        .min(Duration::from_secs(600))
        .max(Duration::from_millis(10));
    let beat = tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            for p in [&paths.0, &paths.1] {
                let p = p.clone();
                let _ = tokio::task::spawn_blocking(move || {
                    std::fs::File::options()
                        .append(true)
                        .open(p)
                        .and_then(|f| f.set_modified(SystemTime::now()))
                })
                .await;
            }
        }
    });
    // Stops the heartbeat however `reading` ends (also when it is dropped).
    struct Stop(tokio::task::JoinHandle<()>);
    impl Drop for Stop {
        fn drop(&mut self) {
            self.0.abort();
        }
    }
    let _stop = Stop(beat);
    reading.await
}

/// The token of an upload's file in `upload_dir` (`{token}.upload` or `{token}.json`);
/// `None` for any other name.
fn upload_token(name: &str) -> Option<&str> {
    let (token, ext) = name.rsplit_once('.')?;
    (token.len() == 32
        && token.bytes().all(|b| b.is_ascii_hexdigit())
        && matches!(ext, "upload" | "json"))
    .then_some(token)
}

/// Deletes the uploads in `dir` whose files have not changed for longer than `retention` at
/// `now`: previews never confirmed, uploads cut off or left by a crash. An upload's two files
/// go together, judged by the newer of them; a file being imported or previewed is refreshed
/// while in use ([`while_reading`]) and so is never taken. Files of other names are left
/// alone. Returns how many uploads were deleted.
#[tracing::instrument(skip_all)]
pub async fn sweep_uploads(
    dir: &std::path::Path,
    retention: Duration,
    now: SystemTime,
) -> std::io::Result<usize> {
    let mut entries = match tokio::fs::read_dir(dir).await {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e),
    };
    // token -> (newest modification, its files)
    let mut uploads: std::collections::HashMap<String, (SystemTime, Vec<PathBuf>)> =
        std::collections::HashMap::new();
    while let Some(entry) = entries.next_entry().await? {
        let name = entry.file_name();
        let Some(token) = name.to_str().and_then(upload_token) else {
            continue;
        };
        let Ok(meta) = entry.metadata().await else {
            continue;
        };
        if !meta.is_file() {
            continue;
        }
        let modified = meta.modified()?;
        let e = uploads
            .entry(token.to_string())
            .or_insert((SystemTime::UNIX_EPOCH, Vec::new()));
        e.0 = e.0.max(modified);
        e.1.push(entry.path());
    }
    let mut deleted = 0;
    for (token, (modified, files)) in uploads {
        let age = now.duration_since(modified).unwrap_or_default();
        if age <= retention {
            continue;
        }
        for f in files {
            match tokio::fs::remove_file(&f).await {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => tracing::warn!(file = %f.display(), error = %e, "upload sweep"),
            }
        }
        tracing::info!(upload = %token, hours = age.as_secs() / 3600, "abandoned upload deleted");
        deleted += 1;
    }
    Ok(deleted)
}

/// Sweeps `dir` now and then every hour, for as long as the server runs.
#[tracing::instrument(skip_all)]
pub async fn sweep_uploads_hourly(dir: PathBuf, retention: Duration) {
    let mut tick = tokio::time::interval(Duration::from_secs(3600));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if let Err(e) = sweep_uploads(&dir, retention, SystemTime::now()).await {
            tracing::warn!(dir = %dir.display(), error = %e, "upload sweep failed");
        }
    }
}

/// Starts the import in the background and sends the browser to the run's page.
async fn start(
    state: &AppState,
    user: &CurrentUser,
    token: &str,
    pending: Pending,
) -> AppResult<Response> {
    let paths = upload_paths(state, token)?;
    let file_path = paths.0.clone();
    let run_id = new_id();
    let opts = options(&pending, false, Some(run_id.clone()))?;
    // The file must open (format, headers, encoding) before a run is promised.
    if let Err(e) = meijian_registry::open(&file_path, opts.registry, &opts.read) {
        discard(state, token).await;
        return Ok(new_page(user, Some(format!("{}：{e}", pending.file_name)))?.into_response());
    }
    let state2 = state.clone();
    let scope = user.scope.clone();
    let token = token.to_string();
    let id = run_id.clone();
    tokio::spawn(async move {
        let clock = state2.clock.clone();
        let now = move || clock.now();
        let result = while_reading(
            paths,
            state2.settings.upload_retention,
            import::import_file(
                &state2.store,
                &scope,
                &now,
                &file_path,
                &opts,
                &mut |_, _, _| {},
            ),
        )
        .await;
        if let Err(e) = result {
            tracing::error!(run = %id, error = ?e, "import failed");
            let _ =
                import::fail_run(&state2.store, &id, state2.now(), &format!("导入中止：{e}")).await;
        }
        discard(&state2, &token).await;
    });
    // The task records the run once it has hashed the file; the run's page exists from then on.
    for _ in 0..600 {
        if import::get_run(&state.store, &user.scope, &run_id)
            .await
            .is_ok()
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    Ok(Redirect::to(&format!("/imports/{run_id}")).into_response())
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
    let (_, meta_path) = upload_paths(&state, &form.token)?;
    let meta = tokio::fs::read(&meta_path)
        .await
        .map_err(|_| AppError::NotFound)?;
    let pending: Pending = serde_json::from_slice(&meta).map_err(|_| AppError::NotFound)?;
    if pending.owner != user.principal.account.id {
        return Err(AppError::NotFound);
    }
    let result = start(&state, &user, &form.token, pending).await;
    if result.is_err() {
        discard(&state, &form.token).await;
    }
    result
}

#[derive(Template)]
#[template(path = "import_run.html")]
struct RunPage {
    chrome: Chrome,
    run: RunRow,
    registry_label: String,
    status: &'static str,
    running: bool,
    percent: i64,
    started_at: String,
    finished_at: Option<String>,
    rejected: i64,
    warned: i64,
    issues: Vec<RowIssue>,
}

#[tracing::instrument(skip_all)]
pub async fn show_run(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Html<String>> {
    let run = import::get_run(&state.store, &user.scope, &id).await?;
    let issues = import::issues_of(&state.store, &user.scope, &id).await?;
    render(&RunPage {
        chrome: Chrome::new(&user, "/registries"),
        registry_label: run.registry.label_zh().to_string(),
        status: run.status.label_zh(),
        running: run.status == import::RunStatus::Running,
        percent: if run.progress_total > 0 {
            run.progress_done * 100 / run.progress_total
        } else {
            0
        },
        started_at: show_time(run.started_at),
        finished_at: run.finished_at.map(show_time),
        rejected: run.rows_rejected,
        warned: run.rows_warned,
        issues: issues.into_iter().take(SHOWN_REJECTIONS).collect(),
        run,
    })
}

#[tracing::instrument(skip_all)]
pub async fn rejections_xlsx(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let run = import::get_run(&state.store, &user.scope, &id).await?;
    let rows = import::issues_of(&state.store, &user.scope, &id).await?;
    let bytes = meijian_exports::to_xlsx_bytes(&rejections_table(), rejection_rows(&rows))
        .map_err(crate::xlsx::failed)?;
    let name = format!("问题行-{}.xlsx", run.file_name);
    Ok(crate::xlsx::download(&name, bytes))
}

/// The problem rows of an import: 行号, 处理, 列, 值, 原因.
pub fn rejections_table() -> meijian_exports::Table {
    use meijian_exports::{Column, Table};
    Table::new(
        "问题行",
        vec![
            Column::number("行号"),
            Column::text("处理"),
            Column::text("列"),
            Column::text("值"),
            Column::text("原因"),
        ],
    )
}

/// The rows of [`rejections_table`]; a value stays text whatever it looks like.
pub fn rejection_rows(rows: &[RowIssue]) -> impl Iterator<Item = Vec<meijian_exports::Cell>> + '_ {
    use meijian_exports::Cell;
    rows.iter().map(|r| {
        let outcome = if r.rejected {
            "未导入"
        } else {
            "已导入（有警告）"
        };
        vec![
            Cell::Int(i64::try_from(r.line).unwrap_or(i64::MAX)),
            Cell::text(outcome),
            Cell::text(r.column.as_str()),
            Cell::text(r.value.as_str()),
            Cell::text(r.reason.as_str()),
        ]
    })
}

/// Writes the problem rows of an import to an XLSX file (`meijian import --rejections-xlsx`).
pub fn write_rejections(path: &std::path::Path, rows: &[RowIssue]) -> anyhow::Result<()> {
    meijian_exports::to_xlsx_file(&rejections_table(), rejection_rows(rows), path)
        .map_err(|e| anyhow::anyhow!("无法写入 {}：{e}", path.display()))
}

#[cfg(test)]
mod export_tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_rejections_export_layout() {
        let issue = |line, column: &str, value: &str, reason: &str, rejected| RowIssue {
            line,
            column: column.to_string(),
            value: value.to_string(),
            reason: reason.to_string(),
            rejected,
        };
        let rows = vec![
            issue(3, "统一社会信用代码", "0532", "校验位不符", true),
            issue(7, "注册资本", "=1+1", "不是数字，已留空", false),
        ];
        let text = meijian_exports::preview(&rejections_table(), rejection_rows(&rows)).unwrap();
        insta::assert_snapshot!(text);
    }
}
