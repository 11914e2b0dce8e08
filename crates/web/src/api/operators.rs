//! The 主体库 through the API: search operators, read one operator's file, merge and split,
//! register a provisional operator from a lead, record 处置 and 销号 of the listed ones. The
//! same store calls as the pages.

use axum::extract::State;
use axum::Json;
use meijian_store::operators::{actions, disposal, read, Operator};
use meijian_store::timefmt::to_db as rfc3339;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ApiJson, ApiPath, ApiQuery};
use crate::error::AppResult;
use crate::session::CurrentUser;
use crate::state::AppState;

/// An operator as the record keeps it.
#[derive(Serialize, ToSchema)]
pub struct OperatorView {
    /// 主体编号 (ZT… from the cross-check, ZP… provisional).
    pub id: String,
    /// registry | provisional
    pub origin: String,
    /// active | absent | merged
    pub status: String,
    pub merged_into: Option<String>,
    pub split_from: Option<String>,
    pub region_code: String,
    pub name: String,
    pub names: Vec<String>,
    pub uscc: Option<String>,
    pub legal_rep: Option<String>,
    pub persons: Vec<String>,
    pub address: Option<String>,
    pub addresses: Vec<String>,
    /// both | registered_only | neither | licensed_only; empty outside medical aesthetics.
    pub class: String,
    pub class_label: String,
    pub members: i64,
    pub source_lead_id: Option<String>,
    /// RFC 3339.
    pub updated_at: String,
    pub absent_since: Option<String>,
}

impl From<Operator> for OperatorView {
    fn from(o: Operator) -> Self {
        OperatorView {
            origin: o.origin.code().into(),
            status: o.status.code().into(),
            class: meijian_store::reconcile::class_code_of(o.class).into(),
            class_label: o.class_zh().into(),
            updated_at: rfc3339(o.updated_at),
            absent_since: o.absent_since.map(rfc3339),
            id: o.id,
            merged_into: o.merged_into,
            split_from: o.split_from,
            region_code: o.region_code,
            name: o.name,
            names: o.names,
            uscc: o.uscc,
            legal_rep: o.legal_rep,
            persons: o.persons,
            address: o.address,
            addresses: o.addresses,
            members: o.members,
            source_lead_id: o.source_lead_id,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct OperatorPage {
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    pub operators: Vec<OperatorView>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// Part of a name, person or address; or a whole 主体编号 or 统一社会信用代码.
    pub q: Option<String>,
    /// Region code (a district): its subtree.
    pub region: Option<String>,
    /// A class code, or `out` for operators outside medical aesthetics.
    pub class: Option<String>,
    /// true: provisional operators only.
    pub provisional: Option<bool>,
    /// true: include merged ids.
    pub merged: Option<bool>,
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<i64>,
    #[param(minimum = 1, maximum = 500)]
    pub per_page: Option<i64>,
}

/// Search the operators of my jurisdiction.
#[utoipa::path(get, path = "/api/operators", tag = "operators", params(SearchParams),
    responses((status = 200, body = OperatorPage), (status = 401, body = super::ErrorBody), (status = 403, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn search_operators(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiQuery(p): ApiQuery<SearchParams>,
) -> AppResult<Json<OperatorPage>> {
    let (page, per_page) = super::paging(p.page, p.per_page)?;
    let search = read::Search {
        q: p.q,
        region: p.region,
        class: p.class,
        with_merged: p.merged.unwrap_or(false),
        provisional_only: p.provisional.unwrap_or(false),
        disposal: None,
    };
    let (rows, total) = read::search(
        &state.store,
        &user.scope,
        &search,
        per_page,
        (page - 1) * per_page,
    )
    .await?;
    Ok(Json(OperatorPage {
        total,
        page,
        per_page,
        operators: rows.into_iter().map(OperatorView::from).collect(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct RecordOfView {
    pub record_id: String,
    pub registry: String,
    pub record_key: String,
    pub name: Option<String>,
    pub status: Option<String>,
    pub version: i64,
    /// Probability of the joining link, in thousandths.
    pub confidence: i64,
}

#[derive(Serialize, ToSchema)]
pub struct ClassView {
    pub run_id: String,
    pub as_of: String,
    pub finished_at: String,
    pub operator_id: String,
    pub class_label: String,
    pub members: i64,
}

#[derive(Serialize, ToSchema)]
pub struct EventView {
    pub at: String,
    /// created | merged_into | absorbed | split_off | split_from | split_requested | absent | returned | linked
    pub kind: String,
    pub other_id: Option<String>,
    pub note: String,
    pub actor_name: String,
}

#[derive(Serialize, ToSchema)]
pub struct LeadOfView {
    pub id: String,
    pub code: String,
    pub state: String,
    pub received_at: String,
    pub complaints: i64,
}

/// 一户一档: one operator with its records, its class run by run, its history and its leads.
#[derive(Serialize, ToSchema)]
pub struct OperatorFile {
    pub operator: OperatorView,
    pub records: Vec<RecordOfView>,
    pub classes: Vec<ClassView>,
    pub events: Vec<EventView>,
    pub leads: Vec<LeadOfView>,
}

/// One operator's file. A merged id answers with its own record (`merged_into` says where
/// it went).
#[utoipa::path(get, path = "/api/operators/{id}", tag = "operators", params(("id" = String, Path, description = "主体编号")),
    responses((status = 200, body = OperatorFile), (status = 401, body = super::ErrorBody), (status = 404, body = super::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn get_operator(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
) -> AppResult<Json<OperatorFile>> {
    let operator = read::get(&state.store, &user.scope, &id).await?;
    file(&state, &user, operator).await
}

async fn file(state: &AppState, user: &CurrentUser, o: Operator) -> AppResult<Json<OperatorFile>> {
    let store = &state.store;
    let records = read::records(store, &o).await?;
    let classes = read::classes(store, &o).await?;
    let events = read::events(store, &o).await?;
    let leads = read::leads(store, &user.scope, &o).await?;
    Ok(Json(OperatorFile {
        records: records
            .into_iter()
            .map(|r| RecordOfView {
                record_id: r.record_id,
                registry: r.registry.code().into(),
                record_key: r.record_key,
                name: r.name,
                status: r.status,
                version: r.version,
                confidence: r.confidence,
            })
            .collect(),
        classes: classes
            .into_iter()
            .map(|c| ClassView {
                class_label: c.class_zh().into(),
                finished_at: rfc3339(c.finished_at),
                run_id: c.run_id,
                as_of: c.as_of,
                operator_id: c.operator_id,
                members: c.members,
            })
            .collect(),
        events: events
            .into_iter()
            .map(|e| EventView {
                at: rfc3339(e.at),
                kind: e.kind.code().into(),
                other_id: e.other_id,
                note: e.note,
                actor_name: e.actor_name,
            })
            .collect(),
        leads: leads
            .into_iter()
            .map(|l| LeadOfView {
                state: l.state.code().into(),
                received_at: rfc3339(l.received_at),
                id: l.id,
                code: l.code,
                complaints: l.complaints,
            })
            .collect(),
        operator: o.into(),
    }))
}

/// What an officer does to an operator.
#[derive(Deserialize, ToSchema)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum OperatorAction {
    /// The same business as `into`: this operator becomes that one; references follow.
    Merge {
        into: String,
        #[schema(min_length = 1, max_length = 500)]
        note: String,
    },
    /// These records (ids) are another business; carried out by the next cross-check.
    Split {
        records: Vec<String>,
        #[schema(min_length = 1, max_length = 500)]
        note: String,
    },
}

/// Merge or split an operator; answers with the operator's file afterwards.
#[utoipa::path(post, path = "/api/operators/{id}/actions", tag = "operators", request_body = OperatorAction,
    params(("id" = String, Path, description = "主体编号")),
    responses((status = 200, body = OperatorFile), (status = 401, body = super::ErrorBody), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn act_on_operator(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
    ApiJson(action): ApiJson<OperatorAction>,
) -> AppResult<Json<OperatorFile>> {
    let (store, scope, now) = (&state.store, &user.scope, state.now());
    let operator = match action {
        OperatorAction::Merge { into, note } => {
            actions::merge(store, scope, &id, &into, &note, now).await?
        }
        OperatorAction::Split { records, note } => {
            actions::request_split(store, scope, &id, &records, &note, now).await?;
            read::get(store, scope, &id).await?
        }
    };
    file(&state, &user, operator).await
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProvisionalRequest {
    /// The lead naming a business no registry knows.
    pub lead_id: String,
}

/// Register the business a lead names as a provisional operator (无照无证 until a
/// cross-check finds its records); the lead points at it.
#[utoipa::path(post, path = "/api/operators/provisional", tag = "operators", request_body = ProvisionalRequest,
    responses((status = 200, body = OperatorView), (status = 401, body = super::ErrorBody), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody), (status = 409, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn register_provisional(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(req): ApiJson<ProvisionalRequest>,
) -> AppResult<Json<OperatorView>> {
    let operator =
        actions::register_provisional(&state.store, &user.scope, &req.lead_id, state.now()).await?;
    Ok(Json(operator.into()))
}

/// An evidence file of a disposal (download: `GET /operators/{id}/disposal-files/{file_id}`).
#[derive(Serialize, ToSchema)]
pub struct DisposalFileView {
    pub id: String,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    /// SHA-256 of the bytes, hex.
    pub sha256: String,
}

/// One disposal (处置) of a listed operator.
#[derive(Serialize, ToSchema)]
pub struct DisposalView {
    pub id: String,
    /// criminal | penalty | licensed | cosmetic | ceased
    pub kind: String,
    pub kind_label: String,
    /// YYYY-MM-DD.
    pub disposed_on: String,
    pub note: String,
    /// The enforcement case it led to.
    pub case_id: Option<String>,
    pub recorded_by: String,
    /// RFC 3339.
    pub recorded_at: String,
    pub files: Vec<DisposalFileView>,
}

/// One 销号 of the entry, and its reopening if any.
#[derive(Serialize, ToSchema)]
pub struct ClosureView {
    pub id: String,
    pub reason: String,
    pub closed_by: String,
    /// RFC 3339.
    pub closed_at: String,
    pub reopen_reason: Option<String>,
    pub reopened_by: Option<String>,
    pub reopened_at: Option<String>,
}

/// 处置情况 of an operator: its standing, disposals (newest first) and 销号 history.
#[derive(Serialize, ToSchema)]
pub struct DisposalList {
    pub operator_id: String,
    /// undisposed | in_progress | closed
    pub standing: String,
    pub standing_label: String,
    pub disposals: Vec<DisposalView>,
    pub closures: Vec<ClosureView>,
}

/// A disposal to record. Evidence files are attached afterwards
/// (`POST /api/operators/{id}/disposals/{disposal_id}/files`), or on the operator's page.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisposalRequest {
    /// criminal | penalty | licensed | cosmetic | ceased
    pub kind: String,
    /// YYYY-MM-DD, not after today (China).
    pub disposed_on: String,
    #[schema(min_length = 1, max_length = 1000)]
    pub note: String,
    /// An enforcement case in the caller's scope: its id or its 案件编号.
    pub case_id: Option<String>,
}

/// The reason of a 销号 or of reopening one.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonRequest {
    #[schema(min_length = 1, max_length = 1000)]
    pub reason: String,
}

async fn disposals_of(state: &AppState, user: &CurrentUser, id: &str) -> AppResult<DisposalList> {
    let (store, scope) = (&state.store, &user.scope);
    let operator = read::get(store, scope, id).await?;
    let items = disposal::list(store, scope, &operator.id).await?;
    let closures = disposal::closures(store, scope, &operator.id).await?;
    let summary = disposal::summary(store, scope, &operator.id).await?;
    Ok(DisposalList {
        operator_id: operator.id,
        standing: summary.standing.code().into(),
        standing_label: summary.standing.label_zh().into(),
        disposals: items
            .into_iter()
            .map(|d| DisposalView {
                kind: d.kind.code().into(),
                kind_label: d.kind.label_zh().into(),
                disposed_on: meijian_store::timefmt::day_to_db(d.disposed_on),
                recorded_at: rfc3339(d.recorded_at),
                files: d
                    .files
                    .into_iter()
                    .map(|f| DisposalFileView {
                        id: f.id,
                        file_name: f.file_name,
                        content_type: f.content_type,
                        size_bytes: f.size_bytes,
                        sha256: f.sha256,
                    })
                    .collect(),
                id: d.id,
                note: d.note,
                case_id: d.case_id,
                recorded_by: d.recorded_by,
            })
            .collect(),
        closures: closures
            .into_iter()
            .map(|c| ClosureView {
                closed_at: rfc3339(c.closed_at),
                reopened_at: c.reopened_at.map(rfc3339),
                id: c.id,
                reason: c.reason,
                closed_by: c.closed_by,
                reopen_reason: c.reopen_reason,
                reopened_by: c.reopened_by,
            })
            .collect(),
    })
}

/// The disposals (处置) and 销号 history of an operator on the 有照无证 or 无照无证 list.
#[utoipa::path(get, path = "/api/operators/{id}/disposals", tag = "operators", params(("id" = String, Path, description = "主体编号")),
    responses((status = 200, body = DisposalList), (status = 401, body = super::ErrorBody), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn list_disposals(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
) -> AppResult<Json<DisposalList>> {
    Ok(Json(disposals_of(&state, &user, &id).await?))
}

/// Record a disposal of an operator on the 有照无证 or 无照无证 list (officers and leaders of
/// its jurisdiction); answers with its disposals afterwards.
#[utoipa::path(post, path = "/api/operators/{id}/disposals", tag = "operators", request_body = DisposalRequest,
    params(("id" = String, Path, description = "主体编号")),
    responses((status = 200, body = DisposalList), (status = 401, body = super::ErrorBody), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn record_disposal(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<DisposalRequest>,
) -> AppResult<Json<DisposalList>> {
    let input = disposal::NewDisposal {
        kind: req.kind,
        disposed_on: req.disposed_on,
        note: req.note,
        case_id: req.case_id,
        files: Vec::new(),
    };
    disposal::record(&state.store, &user.scope, &id, &input, state.now()).await?;
    Ok(Json(disposals_of(&state, &user, &id).await?))
}

/// 销号: close the entry of an operator whose matter is settled (at least one disposal
/// recorded; once). Answers with its disposals afterwards.
#[utoipa::path(post, path = "/api/operators/{id}/close", tag = "operators", request_body = ReasonRequest,
    params(("id" = String, Path, description = "主体编号")),
    responses((status = 200, body = DisposalList), (status = 401, body = super::ErrorBody), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody), (status = 409, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn close_entry(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<ReasonRequest>,
) -> AppResult<Json<DisposalList>> {
    disposal::close(&state.store, &user.scope, &id, &req.reason, state.now()).await?;
    Ok(Json(disposals_of(&state, &user, &id).await?))
}

/// Reopen a closed entry (leaders); answers with its disposals afterwards.
#[utoipa::path(post, path = "/api/operators/{id}/reopen", tag = "operators", request_body = ReasonRequest,
    params(("id" = String, Path, description = "主体编号")),
    responses((status = 200, body = DisposalList), (status = 401, body = super::ErrorBody), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn reopen_entry(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<ReasonRequest>,
) -> AppResult<Json<DisposalList>> {
    disposal::reopen(&state.store, &user.scope, &id, &req.reason, state.now()).await?;
    Ok(Json(disposals_of(&state, &user, &id).await?))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FileParams {
    /// The file's name, e.g. 处罚决定书.pdf.
    pub file_name: String,
}

/// Attach an evidence file to a disposal already recorded (while the entry is not closed):
/// the body is the file's bytes (at most 20 MB). Kept with its SHA-256; answers with the
/// operator's disposals afterwards.
#[utoipa::path(post, path = "/api/operators/{id}/disposals/{disposal_id}/files", tag = "operators",
    params(("id" = String, Path, description = "主体编号"), ("disposal_id" = String, Path, description = "disposal id"), FileParams),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = DisposalList), (status = 401, body = super::ErrorBody), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody), (status = 413, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn add_disposal_file(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath((id, disposal_id)): ApiPath<(String, String)>,
    ApiQuery(p): ApiQuery<FileParams>,
    body: axum::body::Bytes,
) -> AppResult<Json<DisposalList>> {
    let file = disposal::NewFile {
        file_name: p.file_name,
        bytes: body.to_vec(),
    };
    disposal::add_files(
        &state.store,
        &user.scope,
        &id,
        &disposal_id,
        std::slice::from_ref(&file),
        state.now(),
    )
    .await?;
    Ok(Json(disposals_of(&state, &user, &id).await?))
}

/// One evidence file of a disposal: its bytes as recorded (their SHA-256 also in
/// `X-Content-SHA256`), always as a download (`attachment`, `nosniff`, sandboxed).
#[utoipa::path(get, path = "/api/operators/{id}/disposal-files/{file_id}", tag = "operators",
    params(("id" = String, Path, description = "主体编号"), ("file_id" = String, Path, description = "evidence file id")),
    responses((status = 200, description = "The file", content_type = "application/octet-stream"), (status = 401, body = super::ErrorBody), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn disposal_file(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath((id, file_id)): ApiPath<(String, String)>,
) -> AppResult<axum::response::Response> {
    let (record, bytes) = disposal::file(&state.store, &user.scope, &id, &file_id).await?;
    crate::pages::operators::disposal::file_response(&record, bytes)
}

/// The 处置 and 销号 endpoints, merged into the served document ([`super::spec`]).
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        list_disposals,
        record_disposal,
        add_disposal_file,
        disposal_file,
        close_entry,
        reopen_entry
    ),
    components(schemas(
        DisposalList,
        DisposalView,
        DisposalFileView,
        ClosureView,
        DisposalRequest,
        ReasonRequest,
    ))
)]
pub struct DisposalApi;
