//! 典型案例 through the API: the typical case of a decided case (the saved one, or drafted from
//! the record) with its text after 技术处理 and the list of replacements for review, saving the
//! draft (the handling department), publishing it (a leader of the district) and the Word file.
//! The same store calls as the page (`crate::pages::cases::typical`), and the same document.
//!
//! Saving and publishing name the `version` the client read (0 before the first save): a stale
//! one is a 409 and writes nothing, so two officers never overwrite each other unseen.

use axum::extract::State;
use axum::response::Response;
use axum::Json;
use meijian_domain::case::typical::{
    anonymise, length, Anonymised, Replacement, TypicalCase, MAX_CHARS,
};
use meijian_store::cases::typical::{self, Draft};
use meijian_store::timefmt;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ApiJson, ApiPath};
use crate::error::AppResult;
use crate::pages::cases::typical::{docx_of, docx_response};
use crate::pages::leads::plain_id;
use crate::session::CurrentUser;
use crate::state::AppState;

/// The four parts of a typical case.
#[derive(Serialize, ToSchema)]
pub struct TypicalTextView {
    /// 案例名称.
    pub title: String,
    /// 【案情介绍】.
    pub intro: String,
    /// 【案件评析】.
    pub analysis: String,
    /// 【思考建议】.
    pub suggestions: String,
    /// Characters counted as the 1,200-character limit counts them (title, headings and
    /// punctuation included).
    pub length: usize,
}

impl TypicalTextView {
    fn new(t: &TypicalCase) -> TypicalTextView {
        TypicalTextView {
            length: length(t),
            title: t.title.clone(),
            intro: t.intro.clone(),
            analysis: t.analysis.clone(),
            suggestions: t.suggestions.clone(),
        }
    }
}

/// One replacement made by 技术处理, for review.
#[derive(Serialize, ToSchema)]
pub struct ReplacementView {
    /// title | intro | analysis | suggestions
    pub part: String,
    pub part_label: String,
    /// authority | officer | party | place | address | uscc | id_number | licence |
    /// decision_no | phone
    pub kind: String,
    pub kind_label: String,
    pub original: String,
    pub replacement: String,
    /// How many times it was replaced.
    pub times: usize,
}

/// The snake_case code serde gives a domain enum.
fn code_of<T: Serialize>(v: T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

impl ReplacementView {
    fn new(r: &Replacement) -> ReplacementView {
        ReplacementView {
            part: code_of(r.part),
            part_label: r.part.label_zh().into(),
            kind: code_of(r.kind),
            kind_label: r.kind.label_zh().into(),
            original: r.original.clone(),
            replacement: r.replacement.clone(),
            times: r.positions.len().max(1),
        }
    }
}

/// The typical case of a case, as the page shows it.
#[derive(Serialize, ToSchema)]
pub struct TypicalCaseView {
    pub case_id: String,
    /// 案件编号.
    pub case_no: String,
    pub case_title: String,
    /// unsaved (drafted from the record, not stored yet) | draft | published
    pub state: String,
    pub state_label: String,
    /// Name it when saving or publishing; 0 until first saved.
    pub version: i64,
    /// The text as written (with names until published).
    pub text: TypicalTextView,
    /// The limit of `length`: 1200.
    pub max_chars: usize,
    /// Characters over the limit; 0 within it.
    pub over: usize,
    /// The text after 技术处理: what publishing stores and the Word file holds.
    pub anonymised: TypicalTextView,
    /// What 技术处理 replaced; empty once published.
    pub replacements: Vec<ReplacementView>,
    pub updated_by: Option<String>,
    /// RFC 3339.
    pub updated_at: Option<String>,
    pub published_by: Option<String>,
    /// RFC 3339.
    pub published_at: Option<String>,
    /// I may save the draft (the handling department).
    pub may_edit: bool,
    /// I may publish it (a leader of the district).
    pub may_publish: bool,
}

async fn view(state: &AppState, user: &CurrentUser, draft: Draft) -> AppResult<TypicalCaseView> {
    let may_edit = typical::may_edit(&state.store, &user.scope, &draft.case).await?;
    let may_publish = typical::may_publish(&user.scope, &draft.case);
    let Anonymised {
        case: anonymised,
        replacements,
    } = anonymise(&draft.text, &draft.input);
    let count = length(&draft.text);
    let saved = draft.saved.as_ref();
    Ok(TypicalCaseView {
        case_id: draft.case.id.clone(),
        case_no: draft.case.case_no.clone(),
        case_title: draft.case.title.clone(),
        state: saved.map_or("unsaved", |s| s.state.code()).into(),
        state_label: saved.map_or("未保存", |s| s.state.label_zh()).into(),
        version: draft.version(),
        text: TypicalTextView::new(&draft.text),
        max_chars: MAX_CHARS,
        over: count.saturating_sub(MAX_CHARS),
        anonymised: TypicalTextView::new(&anonymised),
        replacements: replacements.iter().map(ReplacementView::new).collect(),
        updated_by: saved.map(|s| s.updated_by.clone()),
        updated_at: saved.map(|s| timefmt::to_db(s.updated_at)),
        published_by: saved.and_then(|s| s.published_by.clone()),
        published_at: saved.and_then(|s| s.published_at).map(timefmt::to_db),
        may_edit,
        may_publish,
    })
}

async fn current(state: &AppState, user: &CurrentUser, id: &str) -> AppResult<TypicalCaseView> {
    let draft = typical::draft(&state.store, &user.scope, id).await?;
    view(state, user, draft).await
}

/// The typical case of a decided case: the saved one, or drafted from the record; with the
/// text after 技术处理, its replacements, the count against 1,200 characters and what I may do.
#[utoipa::path(get, path = "/api/cases/{id}/typical", tag = "cases",
    params(("id" = String, Path, description = "case id")),
    responses((status = 200, body = TypicalCaseView), (status = 401, body = super::ErrorBody), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn get_typical(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
) -> AppResult<Json<TypicalCaseView>> {
    let id = plain_id(&id)?;
    Ok(Json(current(&state, &user, id).await?))
}

/// The draft as edited, with the version it was edited from.
#[derive(Deserialize, ToSchema)]
pub struct SaveTypicalRequest {
    /// 案例名称.
    #[serde(default)]
    pub title: String,
    /// 【案情介绍】.
    #[serde(default)]
    pub intro: String,
    /// 【案件评析】; may stay empty in a draft.
    #[serde(default)]
    pub analysis: String,
    /// 【思考建议】; may stay empty in a draft.
    #[serde(default)]
    pub suggestions: String,
    /// The `version` read (0 when nothing was saved yet).
    #[serde(deserialize_with = "super::integral")]
    pub version: i64,
}

/// Saves the draft: the handling department, at most 1,200 characters. A published case saved
/// again becomes a draft, to be published again. A stale `version` is a 409.
#[utoipa::path(put, path = "/api/cases/{id}/typical", tag = "cases", request_body = SaveTypicalRequest,
    params(("id" = String, Path, description = "case id")),
    responses((status = 200, body = TypicalCaseView), (status = 401, body = super::ErrorBody), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody), (status = 409, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn save_typical(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
    ApiJson(r): ApiJson<SaveTypicalRequest>,
) -> AppResult<Json<TypicalCaseView>> {
    let id = plain_id(&id)?;
    let text = TypicalCase {
        title: r.title,
        intro: r.intro,
        analysis: r.analysis,
        suggestions: r.suggestions,
    };
    let count = typical::save(&state.store, &user.scope, state.now(), id, &text, r.version).await?;
    tracing::info!(case = %id, count, "typical case saved");
    Ok(Json(current(&state, &user, id).await?))
}

/// The version of the typical case reviewed.
#[derive(Deserialize, ToSchema)]
pub struct PublishTypicalRequest {
    #[serde(deserialize_with = "super::integral")]
    pub version: i64,
}

/// Publishes the typical case: a leader of the district. The saved draft is anonymised,
/// checked (every part written, at most 1,200 characters) and stored in its place. A stale
/// `version` is a 409.
#[utoipa::path(post, path = "/api/cases/{id}/typical/publish", tag = "cases", request_body = PublishTypicalRequest,
    params(("id" = String, Path, description = "case id")),
    responses((status = 200, body = TypicalCaseView), (status = 401, body = super::ErrorBody), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody), (status = 409, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn publish_typical(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
    ApiJson(r): ApiJson<PublishTypicalRequest>,
) -> AppResult<Json<TypicalCaseView>> {
    let id = plain_id(&id)?;
    let done = typical::publish(&state.store, &user.scope, state.now(), id, r.version).await?;
    tracing::info!(case = %id, replaced = done.replacements.len(), "typical case published");
    Ok(Json(current(&state, &user, id).await?))
}

/// The typical case after 技术处理 as a Word document, the same file as the page's download.
#[utoipa::path(get, path = "/api/cases/{id}/typical.docx", tag = "cases",
    params(("id" = String, Path, description = "case id")),
    responses((status = 200, description = "The Word document (attachment)", content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"), (status = 401, body = super::ErrorBody), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn typical_docx(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
) -> AppResult<Response> {
    let id = plain_id(&id)?;
    let draft = typical::draft(&state.store, &user.scope, id).await?;
    Ok(docx_response(docx_of(&draft)?))
}
