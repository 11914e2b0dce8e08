//! 处置 and 销号 on an operator's file (seed `002` task (11)): the disposal history, the form
//! to record one (multipart, with evidence files; the CSRF token is the first field), 销号 and
//! a leader's 恢复, and the download of an evidence file. The rules are the store's and the
//! domain's; the page only shows the buttons they would allow.

use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use meijian_domain::disposal::{DisposalFilter, DisposalKind, DisposalStep, Standing};
use meijian_domain::operator::OperatorStatus;
use meijian_store::leads::intake::{stored_file_name, AttachmentLimits};
use meijian_store::operators::disposal::{self, EvidenceFile, NewDisposal, NewFile, Summary};
use meijian_store::operators::Operator;
use meijian_store::timefmt;
use serde::Deserialize;

use crate::error::{AppError, AppResult};
use crate::pages::leads::{form_error, plain_id};
use crate::session::CurrentUser;
use crate::state::AppState;
use crate::uploads;

/// The largest request of the disposal form: every file at its largest, plus 1 MiB of text.
pub const MAX_BODY_BYTES: usize = disposal::MAX_FILES * disposal::MAX_FILE_BYTES + 1024 * 1024;

/// The choices of the 处置情况 filter of the lists: (code, label).
pub fn filter_choices() -> Vec<(&'static str, &'static str)> {
    DisposalFilter::all()
        .into_iter()
        .map(|f| (f.code(), f.label_zh()))
        .collect()
}

/// The 处置情况 filter of a list's query string; an unknown code is refused in Chinese.
pub fn parse_filter(code: &str) -> AppResult<Option<DisposalFilter>> {
    Ok(disposal::parse_filter(code)?)
}

/// The 处置情况 column of a list row: `未处置` for an operator on the lists with nothing
/// recorded, empty for one that is not on them and has nothing recorded.
pub fn column(summary: Option<&Summary>, class_code: &str) -> String {
    match summary {
        Some(s) => s.label_zh(),
        None if meijian_domain::disposal::on_lists(class_code) => {
            Standing::Undisposed.label_zh().to_owned()
        }
        None => String::new(),
    }
}

pub struct FileView {
    pub id: String,
    pub name: String,
    pub size: String,
    pub sha256: String,
}

pub struct DisposalView {
    pub day: String,
    pub kind: &'static str,
    pub note: String,
    pub case_id: String,
    pub recorded_by: String,
    pub recorded_at: String,
    pub files: Vec<FileView>,
}

pub struct ClosureView {
    pub closed_at: String,
    pub closed_by: String,
    pub reason: String,
    pub reopened_at: String,
    pub reopened_by: String,
    pub reopen_reason: String,
}

/// The 处置与销号 section of an operator's file.
pub struct Section {
    pub standing: String,
    pub on_lists: bool,
    pub disposals: Vec<DisposalView>,
    pub closures: Vec<ClosureView>,
    pub can_record: bool,
    pub can_close: bool,
    pub can_reopen: bool,
    pub kinds: Vec<(&'static str, &'static str)>,
    pub today: String,
    pub max_files: usize,
    pub max_file: String,
    /// A refused form's reason, shown above the forms.
    pub error: Option<String>,
}

/// The section for `operator`, or `None` for those who do not read disposals (institutions).
pub async fn section(
    state: &AppState,
    user: &CurrentUser,
    operator: &Operator,
    error: Option<String>,
) -> AppResult<Option<Section>> {
    let scope = &user.scope;
    if scope.operator_id.is_some() || !scope.can(meijian_domain::Permission::ViewRegistries) {
        return Ok(None);
    }
    let store = &state.store;
    let disposals = disposal::list(store, scope, &operator.id).await?;
    let closures = disposal::closures(store, scope, &operator.id).await?;
    let summary = disposal::summary(store, scope, &operator.id).await?;
    let class = meijian_store::reconcile::class_code_of(operator.class);
    let on_lists = meijian_domain::disposal::on_lists(class);
    let mine = scope.covers(&operator.region_code);
    let may = |step: DisposalStep| {
        mine && scope.can(step.permission()) && step.check(summary.standing).is_ok()
    };
    Ok(Some(Section {
        standing: column(Some(&summary), class),
        can_record: may(DisposalStep::Record)
            && on_lists
            && operator.status != OperatorStatus::Merged,
        can_close: may(DisposalStep::Close),
        can_reopen: may(DisposalStep::Reopen),
        on_lists,
        disposals: disposals
            .into_iter()
            .map(|d| DisposalView {
                day: timefmt::day_to_db(d.disposed_on),
                kind: d.kind.label_zh(),
                note: d.note,
                case_id: d.case_id.unwrap_or_default(),
                recorded_by: crate::chrome::actor_label(&d.recorded_by),
                recorded_at: crate::pages::show_time(d.recorded_at),
                files: d
                    .files
                    .into_iter()
                    .map(|f| FileView {
                        size: uploads::size_text(usize::try_from(f.size_bytes).unwrap_or(0)),
                        id: f.id,
                        name: f.file_name,
                        sha256: f.sha256,
                    })
                    .collect(),
            })
            .collect(),
        closures: closures
            .into_iter()
            .map(|c| ClosureView {
                closed_at: crate::pages::show_time(c.closed_at),
                closed_by: crate::chrome::actor_label(&c.closed_by),
                reason: c.reason,
                reopened_at: crate::pages::show_time_opt(c.reopened_at),
                reopened_by: c
                    .reopened_by
                    .as_deref()
                    .map(crate::chrome::actor_label)
                    .unwrap_or_default(),
                reopen_reason: c.reopen_reason.unwrap_or_default(),
            })
            .collect(),
        kinds: DisposalKind::ALL
            .iter()
            .map(|k| (k.code(), k.label_zh()))
            .collect(),
        today: timefmt::date_cst(state.now()),
        max_files: disposal::MAX_FILES,
        max_file: uploads::size_text(disposal::MAX_FILE_BYTES),
        error,
    }))
}

/// The operator's file again with the reason a form was refused (422, or 409 for a conflict).
async fn refused(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
    e: AppError,
) -> AppResult<Response> {
    let status = match e.info().status {
        StatusCode::CONFLICT => StatusCode::CONFLICT,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    let message = form_error(e)?;
    let page = super::file::page(state, user, id, None, Some(message)).await?;
    Ok((status, crate::pages::render(&page)?).into_response())
}

/// 记录处置: the multipart form of the operator's file.
#[tracing::instrument(skip_all)]
pub async fn record(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> AppResult<Response> {
    let id = plain_id(&id)?.to_owned();
    let mut input = NewDisposal::default();
    let stored = async {
        let mp = multipart.map_err(|_| AppError::Invalid {
            field: "证据材料".into(),
            message: "上传未完成，请重新提交".into(),
        })?;
        let limits = AttachmentLimits {
            max_files: disposal::MAX_FILES,
            max_file_bytes: disposal::MAX_FILE_BYTES,
        };
        let mut files = uploads::read(mp, limits, |name, value| match name {
            "kind" => input.kind = value,
            "disposed_on" => input.disposed_on = value,
            "note" => input.note = value,
            "case_id" => input.case_id = Some(value),
            _ => {}
        })
        .await?;
        input.files = files
            .take(limits)?
            .into_iter()
            .map(|f| NewFile {
                file_name: f.file_name,
                bytes: f.bytes,
            })
            .collect();
        disposal::record(&state.store, &user.scope, &id, &input, state.now()).await?;
        Ok::<_, AppError>(())
    }
    .await;
    match stored {
        Ok(()) => {
            Ok(Redirect::to(&format!("/operators/{id}?notice=disposal#disposal")).into_response())
        }
        Err(e) => refused(&state, &user, &id, e).await,
    }
}

#[derive(Deserialize)]
pub struct ReasonForm {
    #[serde(default)]
    reason: String,
}

/// 销号.
#[tracing::instrument(skip_all)]
pub async fn close(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(form): Form<ReasonForm>,
) -> AppResult<Response> {
    let id = plain_id(&id)?.to_owned();
    match disposal::close(&state.store, &user.scope, &id, &form.reason, state.now()).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/operators/{id}?notice=closed#disposal")).into_response())
        }
        Err(e) => refused(&state, &user, &id, e.into()).await,
    }
}

/// 恢复: a leader reopens a closed entry.
#[tracing::instrument(skip_all)]
pub async fn reopen(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(form): Form<ReasonForm>,
) -> AppResult<Response> {
    let id = plain_id(&id)?.to_owned();
    match disposal::reopen(&state.store, &user.scope, &id, &form.reason, state.now()).await {
        Ok(()) => {
            Ok(Redirect::to(&format!("/operators/{id}?notice=reopened#disposal")).into_response())
        }
        Err(e) => refused(&state, &user, &id, e.into()).await,
    }
}

/// An evidence file, as an attachment: `nosniff` and sandboxed, never run in the browser.
#[tracing::instrument(skip_all)]
pub async fn download(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, file_id)): Path<(String, String)>,
) -> AppResult<Response> {
    let (record, bytes) = disposal::file(
        &state.store,
        &user.scope,
        plain_id(&id)?,
        plain_id(&file_id)?,
    )
    .await?;
    file_response(&record, bytes)
}

/// An evidence file as a download: its bytes as recorded (their SHA-256 also in
/// `X-Content-SHA256`), `attachment`, `nosniff` and sandboxed.
pub fn file_response(record: &EvidenceFile, bytes: Vec<u8>) -> AppResult<Response> {
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
    if let Ok(sha) = HeaderValue::from_str(&record.sha256) {
        h.insert("x-content-sha256", sha);
    }
    Ok(resp)
}
