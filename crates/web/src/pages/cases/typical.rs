//! 典型案例 of a case: the edit form (案例名称 and the three sections, with the seed's guide for
//! each and the count “共 N 字，限 1200 字” worked out here), the text after 技术处理 with the list
//! of what was replaced for review, saving (the handling department), publishing (a leader of
//! the district) and the Word download of the anonymised text.
//!
//! Who may do what, and on which cases, is `meijian_store::cases::typical`'s decision. Both
//! forms carry the version of the typical case the page showed, so a save or publish over
//! someone else's newer one is refused (409) instead of overwriting it.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use meijian_domain::case::typical::{
    count_chars, length, Anonymised, Part, TypicalCase, MAX_CHARS,
};
use meijian_store::cases::typical::{self, Draft};
use serde::Deserialize;

use crate::chrome::{actor_label, Chrome};
use crate::error::AppResult;
use crate::pages::leads::{form_error, plain_id, with_status};
use crate::pages::{render, show_time};
use crate::session::CurrentUser;
use crate::state::AppState;

/// The typical case pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/cases/{id}/typical", get(show).post(save))
        .route("/cases/{id}/typical/publish", post(publish))
        .route("/cases/{id}/typical.docx", get(download))
}

/// The form as sent.
#[derive(Deserialize, Default)]
pub struct TypicalForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    intro: String,
    #[serde(default)]
    analysis: String,
    #[serde(default)]
    suggestions: String,
    /// The version the page showed; 0 before the first save.
    #[serde(default)]
    version: i64,
}

/// The publish form: the version the leader reviewed.
#[derive(Deserialize, Default)]
pub struct PublishForm {
    #[serde(default)]
    version: i64,
}

impl TypicalForm {
    fn text(&self) -> TypicalCase {
        TypicalCase {
            title: self.title.clone(),
            intro: self.intro.clone(),
            analysis: self.analysis.clone(),
            suggestions: self.suggestions.clone(),
        }
    }
}

/// A field of the form: the part, its text, its guide and its own count.
struct FieldView {
    name: &'static str,
    label: &'static str,
    guide: &'static str,
    value: String,
    count: usize,
    rows: usize,
}

/// A section as printed: its heading and its paragraphs.
struct SectionView {
    heading: &'static str,
    /// The first paragraph, printed on the heading's line.
    first: String,
    rest: Vec<String>,
}

/// One line of the list of replacements.
struct ReplacementView {
    part: &'static str,
    kind: &'static str,
    original: String,
    replacement: String,
    times: usize,
}

#[derive(Template)]
#[template(path = "cases_typical.html")]
struct TypicalPage {
    chrome: Chrome,
    notice: Option<&'static str>,
    error: Option<String>,
    case_id: String,
    case_no: String,
    case_title: String,
    state: &'static str,
    published: bool,
    saved_by: String,
    saved_at: String,
    published_by: String,
    published_at: String,
    fields: Vec<FieldView>,
    count: usize,
    max: usize,
    over: usize,
    preview_title: String,
    preview: Vec<SectionView>,
    preview_count: usize,
    replacements: Vec<ReplacementView>,
    may_edit: bool,
    may_publish: bool,
    /// The version both forms name.
    version: i64,
}

fn paragraphs(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// The page of `draft`, showing `text` (the saved one, or the edits sent back with a mistake)
/// and naming `version` in its forms (the one read, or the one the refused form named, so that
/// sending the edits again cannot pass over a newer save unseen).
async fn page(
    state: &AppState,
    user: &CurrentUser,
    draft: &Draft,
    (text, version): (TypicalCase, i64),
    notice: Option<&'static str>,
    error: Option<String>,
) -> AppResult<TypicalPage> {
    let scope = &user.scope;
    let may_edit = typical::may_edit(&state.store, scope, &draft.case).await?;
    let may_publish = typical::may_publish(scope, &draft.case);
    let anonymised: Anonymised = meijian_domain::case::typical::anonymise(&text, &draft.input);
    let count = length(&text);
    let fields = Part::ALL
        .iter()
        .map(|&p| FieldView {
            name: match p {
                Part::Title => "title",
                Part::Intro => "intro",
                Part::Analysis => "analysis",
                Part::Suggestions => "suggestions",
            },
            label: p.label_zh(),
            guide: p.guide(),
            value: text.part(p).to_string(),
            count: count_chars(text.part(p)),
            rows: match p {
                Part::Title => 1,
                Part::Intro => 14,
                _ => 8,
            },
        })
        .collect();
    let preview = anonymised
        .case
        .sections()
        .iter()
        .map(|(heading, body)| {
            let mut lines = paragraphs(body).into_iter();
            SectionView {
                heading,
                first: lines.next().unwrap_or_default(),
                rest: lines.collect(),
            }
        })
        .collect();
    let replacements = anonymised
        .replacements
        .iter()
        .map(|r| ReplacementView {
            part: r.part.label_zh(),
            kind: r.kind.label_zh(),
            original: r.original.clone(),
            replacement: r.replacement.clone(),
            times: r.positions.len().max(1),
        })
        .collect();
    let saved = draft.saved.as_ref();
    Ok(TypicalPage {
        chrome: Chrome::new(user, "/cases"),
        notice,
        error,
        case_id: draft.case.id.clone(),
        case_no: draft.case.case_no.clone(),
        case_title: draft.case.title.clone(),
        state: saved.map_or("未保存", |s| s.state.label_zh()),
        published: draft.published(),
        saved_by: saved
            .map(|s| actor_label(&s.updated_by))
            .unwrap_or_default(),
        saved_at: saved.map(|s| show_time(s.updated_at)).unwrap_or_default(),
        published_by: saved
            .and_then(|s| s.published_by.as_deref())
            .map(actor_label)
            .unwrap_or_default(),
        published_at: saved
            .and_then(|s| s.published_at)
            .map(show_time)
            .unwrap_or_default(),
        fields,
        count,
        max: MAX_CHARS,
        over: count.saturating_sub(MAX_CHARS),
        preview_title: anonymised.case.title.clone(),
        preview_count: length(&anonymised.case),
        preview,
        replacements,
        may_edit,
        may_publish,
        version,
    })
}

#[derive(Deserialize, Default)]
pub struct PageQuery {
    #[serde(default)]
    notice: String,
}

fn notice_text(code: &str) -> Option<&'static str> {
    match code {
        "saved" => Some("典型案例已保存。"),
        "published" => Some("典型案例已发布，发布的是技术处理后的文本。"),
        _ => None,
    }
}

#[tracing::instrument(skip_all)]
pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(query): Query<PageQuery>,
) -> AppResult<Response> {
    let id = plain_id(&id)?;
    let draft = typical::draft(&state.store, &user.scope, id).await?;
    let text = draft.text.clone();
    let version = draft.version();
    let page = page(
        &state,
        &user,
        &draft,
        (text, version),
        notice_text(&query.notice),
        None,
    )
    .await?;
    Ok(render(&page)?.into_response())
}

/// The page again with the edits and the refusal, 422 (409 for a conflict).
async fn refused(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
    sent: (TypicalCase, i64),
    e: crate::error::AppError,
) -> AppResult<Response> {
    let status = match e.info().status {
        StatusCode::CONFLICT => StatusCode::CONFLICT,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    let message = form_error(e)?;
    let draft = typical::draft(&state.store, &user.scope, id).await?;
    let page = page(state, user, &draft, sent, None, Some(message)).await?;
    with_status(status, &page)
}

#[tracing::instrument(skip_all)]
pub async fn save(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(form): Form<TypicalForm>,
) -> AppResult<Response> {
    let id = plain_id(&id)?;
    let text = form.text();
    let version = form.version;
    match typical::save(&state.store, &user.scope, state.now(), id, &text, version).await {
        Ok(count) => {
            tracing::info!(case = %id, count, "typical case saved");
            Ok(Redirect::to(&format!("/cases/{id}/typical?notice=saved")).into_response())
        }
        Err(e) => refused(&state, &user, id, (text, version), e.into()).await,
    }
}

#[tracing::instrument(skip_all)]
pub async fn publish(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(form): Form<PublishForm>,
) -> AppResult<Response> {
    let id = plain_id(&id)?;
    match typical::publish(&state.store, &user.scope, state.now(), id, form.version).await {
        Ok(done) => {
            tracing::info!(case = %id, replaced = done.replacements.len(), "typical case published");
            Ok(Redirect::to(&format!("/cases/{id}/typical?notice=published")).into_response())
        }
        Err(e) => {
            let e: crate::error::AppError = e.into();
            let text = match typical::draft(&state.store, &user.scope, id).await {
                Ok(d) => d.text,
                Err(_) => return Err(e),
            };
            refused(&state, &user, id, (text, form.version), e).await
        }
    }
}

/// The Word document of `draft`: its text after 技术处理, laid out as the seed's format. The
/// API's download (`crate::api::typical_cases`) sends the same file.
pub(crate) fn docx_of(draft: &Draft) -> AppResult<Vec<u8>> {
    let case = draft.anonymised().case;
    meijian_exports::typical::to_docx_bytes(&case.title, &case.sections())
        .map_err(|e| crate::error::AppError::Internal(format!("docx: {e}")))
}

/// The Word document as a download: its type and the attachment disposition.
pub(crate) fn docx_response(bytes: Vec<u8>) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
                    .to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                crate::pages::registries::attachment("典型案例.docx"),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// The typical case after 技术处理, as a Word document laid out as the seed's format.
#[tracing::instrument(skip_all)]
pub async fn download(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let id = plain_id(&id)?;
    let draft = typical::draft(&state.store, &user.scope, id).await?;
    Ok(docx_response(docx_of(&draft)?))
}
