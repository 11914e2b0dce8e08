//! 行刑衔接 through the API: a case's transfers to the police with the police's requests and the
//! 双向咨询, every step of the transfer table as a typed action, and the transfers waiting for
//! me (a leader's approval, the police's answer, the procuratorate's 立案监督). The same store
//! functions as the case page; which step may be taken is the table's decision.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use meijian_domain::case::transfer::{Direction, Outcome, PackageDoc, PoliceTaskKind};
use meijian_store::cases::transfer::{self, Consultation, PoliceTask, Transfer};
use meijian_store::timefmt;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::cases::{code, day};
use super::{ApiJson, ApiPath};
use crate::error::{AppError, AppResult};
use crate::session::CurrentUser;
use crate::state::AppState;

/// A transfer of a case to the police: codes with their Chinese labels, instants as RFC 3339.
#[derive(Serialize, ToSchema)]
pub struct TransferView {
    pub id: String,
    pub case_id: String,
    pub police_department_id: String,
    pub procuratorate_department_id: Option<String>,
    /// 证据可能灭失.
    pub urgent: bool,
    pub reason: String,
    /// proposed | approved | sent | received | filed | refused | reconsidering | supervising |
    /// withdrawn.
    pub state: String,
    pub state_label: String,
    pub proposed_at: String,
    pub proposed_by: String,
    pub decide_due: String,
    pub decided_at: Option<String>,
    pub decide_note: Option<String>,
    pub send_due: Option<String>,
    pub sent_at: Option<String>,
    /// Codes of the documents sent: letter, report, items, inspection, other.
    pub package: Vec<String>,
    pub copied_at: Option<String>,
    pub receipt_at: Option<String>,
    pub police_due: Option<String>,
    pub police_decided_at: Option<String>,
    pub police_note: Option<String>,
    pub challenge_due: Option<String>,
    pub reconsidered_at: Option<String>,
    pub supervised_at: Option<String>,
    pub challenge_note: Option<String>,
    pub handover_due: Option<String>,
    pub handed_over_at: Option<String>,
    pub handover_note: Option<String>,
    /// prosecuted | judged | public_interest | none.
    pub outcome: Option<String>,
    pub outcome_on: Option<String>,
    pub outcome_note: Option<String>,
    /// The limit the transfer waits on has passed.
    pub overdue: bool,
    pub tasks: Vec<PoliceTaskView>,
    /// The steps I may take now: approve, refuse, send, receipt, police_decision, task,
    /// outcome, reconsider, supervise, handover.
    pub steps: Vec<String>,
}

/// A request of the police (检验、鉴定、认定, 涉案物品保管、销毁).
#[derive(Serialize, ToSchema)]
pub struct PoliceTaskView {
    pub id: String,
    /// inspection | appraisal | identification | custody | destruction.
    pub kind: String,
    pub kind_label: String,
    pub detail: String,
    pub requested_at: String,
    pub due: String,
    pub done_at: Option<String>,
    pub done_note: Option<String>,
    pub overdue: bool,
}

/// One 双向咨询.
#[derive(Serialize, ToSchema)]
pub struct ConsultationView {
    pub id: String,
    /// to_police | from_police.
    pub direction: String,
    pub question: String,
    pub asked_at: String,
    pub asked_by: String,
    pub due: String,
    pub answer: Option<String>,
    pub answered_at: Option<String>,
    pub answered_by: Option<String>,
    pub overdue: bool,
}

/// A case's transfers and consultations.
#[derive(Serialize, ToSchema)]
pub struct CaseTransfers {
    pub transfers: Vec<TransferView>,
    pub consultations: Vec<ConsultationView>,
}

/// A transfer waiting for me, with its case.
#[derive(Serialize, ToSchema)]
pub struct WaitingTransfer {
    pub case_no: String,
    pub case_title: String,
    /// The department handling the case.
    pub authority: String,
    pub transfer: TransferView,
}

fn at(t: Option<time::OffsetDateTime>) -> Option<String> {
    t.map(timefmt::to_db)
}

fn task_view(k: PoliceTask, now: time::OffsetDateTime) -> PoliceTaskView {
    PoliceTaskView {
        overdue: k.overdue(now),
        kind: k.kind.code().into(),
        kind_label: k.kind.label_zh().into(),
        requested_at: timefmt::to_db(k.requested_at),
        due: timefmt::to_db(k.due),
        done_at: at(k.done_at),
        id: k.id,
        detail: k.detail,
        done_note: k.done_note,
    }
}

fn consultation_view(c: Consultation, now: time::OffsetDateTime) -> ConsultationView {
    ConsultationView {
        overdue: c.overdue(now),
        direction: c.direction.code().into(),
        asked_at: timefmt::to_db(c.asked_at),
        due: timefmt::to_db(c.due),
        answered_at: at(c.answered_at),
        id: c.id,
        question: c.question,
        asked_by: c.asked_by,
        answer: c.answer,
        answered_by: c.answered_by,
    }
}

async fn transfer_view(
    state: &AppState,
    user: &CurrentUser,
    t: Transfer,
) -> AppResult<TransferView> {
    let (s, sc, now) = (&state.store, &user.scope, state.now());
    let steps = transfer::available(s, sc, now, &t).await?;
    let tasks = transfer::tasks(s, sc, &t.id).await?;
    Ok(TransferView {
        overdue: t.overdue(now),
        state: t.state.code().into(),
        state_label: t.state.label_zh().into(),
        proposed_at: timefmt::to_db(t.proposed_at),
        decide_due: timefmt::to_db(t.decide_due),
        decided_at: at(t.decided_at),
        send_due: at(t.send_due),
        sent_at: at(t.sent_at),
        package: t.package.iter().map(|p| p.code().to_string()).collect(),
        copied_at: at(t.copied_at),
        receipt_at: at(t.receipt_at),
        police_due: at(t.police_due),
        police_decided_at: at(t.police_decided_at),
        challenge_due: at(t.challenge_due),
        reconsidered_at: at(t.reconsidered_at),
        supervised_at: at(t.supervised_at),
        handover_due: at(t.handover_due),
        handed_over_at: at(t.handed_over_at),
        outcome: t.outcome.map(|o| o.code().to_string()),
        outcome_on: t.outcome_on.map(timefmt::day_to_db),
        tasks: tasks.into_iter().map(|k| task_view(k, now)).collect(),
        steps: steps.into_iter().map(|s| s.code().to_string()).collect(),
        id: t.id,
        case_id: t.case_id,
        police_department_id: t.police_department_id,
        procuratorate_department_id: t.procuratorate_department_id,
        urgent: t.urgent,
        reason: t.reason,
        proposed_by: t.proposed_by,
        decide_note: t.decide_note,
        police_note: t.police_note,
        challenge_note: t.challenge_note,
        handover_note: t.handover_note,
        outcome_note: t.outcome_note,
    })
}

async fn of_case(state: &AppState, user: &CurrentUser, case_id: &str) -> AppResult<CaseTransfers> {
    let (s, sc, now) = (&state.store, &user.scope, state.now());
    let mut transfers = Vec::new();
    for t in transfer::transfers(s, sc, case_id).await? {
        transfers.push(transfer_view(state, user, t).await?);
    }
    let consultations = transfer::consultations(s, sc, case_id)
        .await?
        .into_iter()
        .map(|c| consultation_view(c, now))
        .collect();
    Ok(CaseTransfers {
        transfers,
        consultations,
    })
}

/// A case's transfers to the police and its consultations; 404 for a case I may not see.
#[utoipa::path(get, path = "/api/cases/{id}/transfers", tag = "cases",
    params(("id" = String, Path, description = "case id")),
    responses((status = 200, body = CaseTransfers), (status = 401, body = super::ErrorBody), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn list_transfers(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
) -> AppResult<Json<CaseTransfers>> {
    Ok(Json(of_case(&state, &user, &id).await?))
}

/// 提请移送.
#[derive(Deserialize, ToSchema)]
pub struct ProposeTransfer {
    /// The case's version as read (`GET /api/cases/{id}`).
    pub version: i64,
    /// 证据可能灭失.
    #[serde(default)]
    pub urgent: bool,
    #[schema(min_length = 4, max_length = 2000)]
    pub reason: String,
}

/// Proposes to transfer the case to the police (a leader approves); the answer is the case's
/// transfers.
#[utoipa::path(post, path = "/api/cases/{id}/transfers", tag = "cases", request_body = ProposeTransfer,
    params(("id" = String, Path, description = "case id")),
    responses((status = 201, body = CaseTransfers), (status = 401, body = super::ErrorBody), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody), (status = 409, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn propose_transfer(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
    ApiJson(r): ApiJson<ProposeTransfer>,
) -> AppResult<(StatusCode, Json<CaseTransfers>)> {
    let cal = state.calendar().await?;
    transfer::propose(
        &state.store,
        &user.scope,
        &cal,
        &state.settings.leads.limits,
        state.now(),
        &id,
        r.version,
        r.urgent,
        &r.reason,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(of_case(&state, &user, &id).await?),
    ))
}

/// A step on a transfer.
#[derive(Deserialize, ToSchema)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum TransferAction {
    /// A leader approves the transfer.
    Approve {
        #[serde(default)]
        note: String,
    },
    /// A leader does not approve it, with the reason.
    Refuse { note: String },
    /// The documents go to the police (letter and report required), copied to the
    /// procuratorate.
    Send { package: Vec<String> },
    /// The police received it, at `at` (RFC 3339; default now).
    Receipt { at: Option<String> },
    /// The police decide: 立案 (`filed` true) or 不予立案 with their reasons.
    PoliceDecision {
        filed: bool,
        #[serde(default)]
        note: String,
    },
    /// 复议 of a refusal, within the limit.
    Reconsider { reason: String },
    /// 立案监督 of a refusal, within the limit.
    Supervise { reason: String },
    /// The seized items were handed over after 立案.
    Handover { note: String },
    /// A request of the police; `due` (YYYY-MM-DD) or the default limit.
    Task {
        kind: String,
        detail: String,
        due: Option<String>,
    },
    /// The outcome of the criminal proceedings, on `on` (YYYY-MM-DD).
    Outcome {
        outcome: String,
        on: String,
        #[serde(default)]
        note: String,
    },
}

/// Takes a step on a transfer of the case; the answer is the case's transfers.
#[utoipa::path(post, path = "/api/cases/{id}/transfers/{transfer_id}/actions", tag = "cases",
    request_body = TransferAction,
    params(("id" = String, Path, description = "case id"), ("transfer_id" = String, Path, description = "transfer id")),
    responses((status = 200, body = CaseTransfers), (status = 401, body = super::ErrorBody), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody), (status = 409, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn act_on_transfer(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath((id, transfer_id)): ApiPath<(String, String)>,
    ApiJson(action): ApiJson<TransferAction>,
) -> AppResult<Json<CaseTransfers>> {
    let (s, sc, now) = (&state.store, &user.scope, state.now());
    // The transfer must belong to the case of the URL.
    if !transfer::transfers(s, sc, &id)
        .await?
        .iter()
        .any(|t| t.id == transfer_id)
    {
        return Err(AppError::NotFound);
    }
    let cal = state.calendar().await?;
    let (limits, rules) = (&state.settings.leads.limits, &state.settings.cases);
    let t = transfer_id.as_str();
    match action {
        TransferAction::Approve { note } => {
            transfer::decide(s, sc, &cal, limits, now, t, true, &note).await?
        }
        TransferAction::Refuse { note } => {
            transfer::decide(s, sc, &cal, limits, now, t, false, &note).await?
        }
        TransferAction::Send { package } => {
            let package = package
                .iter()
                .map(|p| code("package", p, PackageDoc::from_code))
                .collect::<AppResult<Vec<_>>>()?;
            transfer::send(s, sc, now, t, &package).await?
        }
        TransferAction::Receipt { at } => {
            let at = match at.as_deref().map(str::trim) {
                None | Some("") => now,
                Some(text) => timefmt::from_db(text).ok_or_else(|| {
                    super::invalid("at", "应为 RFC 3339 时间，如 2026-11-20T09:30:00+08:00")
                })?,
            };
            transfer::receipt(s, sc, &cal, limits, now, t, at).await?
        }
        TransferAction::PoliceDecision { filed, note } => {
            transfer::police_decision(s, sc, &cal, rules, now, t, filed, &note).await?
        }
        TransferAction::Reconsider { reason } => {
            transfer::challenge(s, sc, &cal, rules, now, t, false, &reason).await?
        }
        TransferAction::Supervise { reason } => {
            transfer::challenge(s, sc, &cal, rules, now, t, true, &reason).await?
        }
        TransferAction::Handover { note } => transfer::handover(s, sc, now, t, &note).await?,
        TransferAction::Task { kind, detail, due } => {
            let kind = code("kind", &kind, PoliceTaskKind::from_code)?;
            let due = due
                .as_deref()
                .filter(|d| !d.trim().is_empty())
                .map(|d| day("due", d))
                .transpose()?;
            transfer::add_task(s, sc, &cal, rules, now, t, kind, &detail, due).await?;
        }
        TransferAction::Outcome { outcome, on, note } => {
            let outcome = code("outcome", &outcome, Outcome::from_code)?;
            let on = day("on", &on)?;
            transfer::record_outcome(s, sc, now, t, outcome, on, &note).await?
        }
    }
    Ok(Json(of_case(&state, &user, &id).await?))
}

/// The handling department's answer to a police request.
#[derive(Deserialize, ToSchema)]
pub struct FinishTask {
    #[schema(min_length = 2, max_length = 2000)]
    pub note: String,
}

/// Marks a police request done; the answer is the case's transfers.
#[utoipa::path(post, path = "/api/cases/{id}/police-tasks/{task_id}/done", tag = "cases",
    request_body = FinishTask,
    params(("id" = String, Path, description = "case id"), ("task_id" = String, Path, description = "police task id")),
    responses((status = 200, body = CaseTransfers), (status = 401, body = super::ErrorBody), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody), (status = 409, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn finish_task(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath((id, task_id)): ApiPath<(String, String)>,
    ApiJson(r): ApiJson<FinishTask>,
) -> AppResult<Json<CaseTransfers>> {
    let before = of_case(&state, &user, &id).await?;
    if !before
        .transfers
        .iter()
        .any(|t| t.tasks.iter().any(|k| k.id == task_id))
    {
        return Err(AppError::NotFound);
    }
    transfer::finish_task(&state.store, &user.scope, state.now(), &task_id, &r.note).await?;
    Ok(Json(of_case(&state, &user, &id).await?))
}

/// 双向咨询: a question to the police, or one of theirs recorded.
#[derive(Deserialize, ToSchema)]
pub struct AskConsultation {
    /// to_police | from_police.
    pub direction: String,
    #[schema(min_length = 4, max_length = 2000)]
    pub question: String,
}

/// Records a consultation; the answer is the case's transfers and consultations.
#[utoipa::path(post, path = "/api/cases/{id}/consultations", tag = "cases", request_body = AskConsultation,
    params(("id" = String, Path, description = "case id")),
    responses((status = 201, body = CaseTransfers), (status = 401, body = super::ErrorBody), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn ask(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
    ApiJson(r): ApiJson<AskConsultation>,
) -> AppResult<(StatusCode, Json<CaseTransfers>)> {
    let direction = code("direction", &r.direction, Direction::from_code)?;
    let cal = state.calendar().await?;
    transfer::ask(
        &state.store,
        &user.scope,
        &cal,
        &state.settings.cases,
        state.now(),
        &id,
        direction,
        &r.question,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(of_case(&state, &user, &id).await?),
    ))
}

/// The answer to a consultation.
#[derive(Deserialize, ToSchema)]
pub struct AnswerConsultation {
    #[schema(min_length = 2, max_length = 2000)]
    pub answer: String,
}

/// Records the answer to a consultation of the case.
#[utoipa::path(post, path = "/api/cases/{id}/consultations/{consultation_id}/answer", tag = "cases",
    request_body = AnswerConsultation,
    params(("id" = String, Path, description = "case id"), ("consultation_id" = String, Path, description = "consultation id")),
    responses((status = 200, body = CaseTransfers), (status = 401, body = super::ErrorBody), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody), (status = 409, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn answer(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath((id, consultation_id)): ApiPath<(String, String)>,
    ApiJson(r): ApiJson<AnswerConsultation>,
) -> AppResult<Json<CaseTransfers>> {
    let before = of_case(&state, &user, &id).await?;
    if !before.consultations.iter().any(|c| c.id == consultation_id) {
        return Err(AppError::NotFound);
    }
    transfer::answer(
        &state.store,
        &user.scope,
        state.now(),
        &consultation_id,
        &r.answer,
    )
    .await?;
    Ok(Json(of_case(&state, &user, &id).await?))
}

/// The transfers waiting for me: proposals to approve (leaders), transfers to answer (the
/// police), refusals under 立案监督 and copies (the procuratorate).
#[utoipa::path(get, path = "/api/transfers/waiting", tag = "cases",
    responses((status = 200, body = [WaitingTransfer]), (status = 401, body = super::ErrorBody), (status = 403, body = super::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn waiting(
    State(state): State<AppState>,
    user: CurrentUser,
) -> AppResult<Json<Vec<WaitingTransfer>>> {
    let mut out = Vec::new();
    for w in transfer::waiting(&state.store, &user.scope).await? {
        out.push(WaitingTransfer {
            case_no: w.case_no,
            case_title: w.case_title,
            authority: w.authority,
            transfer: transfer_view(&state, &user, w.transfer).await?,
        });
    }
    Ok(Json(out))
}
