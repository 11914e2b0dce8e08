//! 行刑衔接 on a case's page: the transfer to the police (proposed, approved by a leader, sent
//! with its package and copied to the procuratorate, receipt, the police decision, 复议 or
//! 立案监督 of a refusal, the handover of seized items after 立案, the police's requests as
//! tasks with due dates, the outcome) and 双向咨询. The police answer here themselves when
//! they use the system. Which step may be taken is the
//! transfer table's decision, in the store.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use axum::Router;
use axum_extra::extract::Form;
use meijian_domain::case::transfer::{
    Direction, Outcome, PackageDoc, PoliceTaskKind, TransferStep,
};
use meijian_store::cases::transfer::{self, Consultation, PoliceTask, Transfer};
use serde::Deserialize;

use super::new::parse_day;
use crate::error::{AppError, AppResult};
use crate::pages::leads::{form_error, plain_id, with_status};
use crate::pages::show_time;
use crate::session::CurrentUser;
use crate::state::AppState;

/// The transfer routes of the case pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/cases/{id}/transfer", post(propose))
        .route("/cases/{id}/transfer/{transfer}/{step}", post(step))
        .route("/cases/{id}/police-tasks/{task}/done", post(finish_task))
        .route("/cases/{id}/consultations", post(ask))
        .route(
            "/cases/{id}/consultations/{consultation}/answer",
            post(answer),
        )
}

/// Every field of the transfer forms.
#[derive(Deserialize, Default, Clone)]
pub struct TransferForm {
    #[serde(default)]
    version: String,
    #[serde(default)]
    urgent: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    decision: String,
    #[serde(default)]
    package: Vec<String>,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    detail: String,
    #[serde(default)]
    due: String,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    on: String,
    #[serde(default)]
    direction: String,
    #[serde(default)]
    question: String,
    #[serde(default)]
    answer: String,
}

fn invalid(field: &str, message: &str) -> AppError {
    AppError::Invalid {
        field: field.into(),
        message: message.into(),
    }
}

/// After a step: back to the case, or the case page with the reason it was refused.
async fn done(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
    result: AppResult<()>,
) -> AppResult<Response> {
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/cases/{id}?notice=police#police")).into_response()),
        Err(e) => {
            let status = e.info().status;
            let message = form_error(e)?;
            let status = if status == StatusCode::CONFLICT {
                status
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            with_status(
                status,
                &super::detail::error_page(state, user, id, message).await?,
            )
        }
    }
}

#[tracing::instrument(skip_all)]
pub async fn propose(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(f): Form<TransferForm>,
) -> AppResult<Response> {
    let id = plain_id(&id)?;
    let result = async {
        let version: i64 = f
            .version
            .trim()
            .parse()
            .map_err(|_| invalid("版本", "页面已过期，请刷新后再试"))?;
        let cal = state.calendar().await?;
        transfer::propose(
            &state.store,
            &user.scope,
            &cal,
            &state.settings.leads.limits,
            state.now(),
            id,
            version,
            f.urgent == "1",
            &f.reason,
        )
        .await?;
        Ok(())
    }
    .await;
    done(&state, &user, id, result).await
}

#[tracing::instrument(skip_all)]
pub async fn step(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, transfer_id, step)): Path<(String, String, String)>,
    Form(f): Form<TransferForm>,
) -> AppResult<Response> {
    let id = plain_id(&id)?;
    let transfer_id = plain_id(&transfer_id)?.to_string();
    let step = TransferStep::ALL
        .iter()
        .copied()
        .find(|s| s.code() == step)
        .ok_or(AppError::NotFound)?;
    let result = async {
        let (store, scope, now) = (&state.store, &user.scope, state.now());
        let cal = state.calendar().await?;
        let limits = &state.settings.leads.limits;
        // The transfer must belong to the case of the URL.
        if !transfer::transfers(store, scope, id)
            .await?
            .iter()
            .any(|t| t.id == transfer_id)
        {
            return Err(AppError::NotFound);
        }
        match step {
            TransferStep::Approve | TransferStep::Refuse => {
                transfer::decide(
                    store,
                    scope,
                    &cal,
                    limits,
                    now,
                    &transfer_id,
                    step == TransferStep::Approve,
                    &f.note,
                )
                .await?
            }
            TransferStep::Send => {
                let package = f
                    .package
                    .iter()
                    .map(|p| {
                        PackageDoc::from_code(p)
                            .ok_or_else(|| invalid("移送材料", "请从列表中选择"))
                    })
                    .collect::<AppResult<Vec<_>>>()?;
                transfer::send(store, scope, now, &transfer_id, &package).await?
            }
            TransferStep::Receipt => {
                transfer::receipt(store, scope, &cal, limits, now, &transfer_id, now).await?
            }
            TransferStep::PoliceDecision => {
                let filed = match f.decision.as_str() {
                    "filed" => true,
                    "refused" => false,
                    _ => return Err(invalid("公安机关决定", "请选择立案或不予立案")),
                };
                let rules = &state.settings.cases;
                transfer::police_decision(
                    store,
                    scope,
                    &cal,
                    rules,
                    now,
                    &transfer_id,
                    filed,
                    &f.note,
                )
                .await?
            }
            TransferStep::Reconsider | TransferStep::Supervise => {
                let supervise = step == TransferStep::Supervise;
                let rules = &state.settings.cases;
                transfer::challenge(
                    store,
                    scope,
                    &cal,
                    rules,
                    now,
                    &transfer_id,
                    supervise,
                    &f.note,
                )
                .await?
            }
            TransferStep::Handover => {
                transfer::handover(store, scope, now, &transfer_id, &f.note).await?
            }
            TransferStep::Task => {
                let kind = PoliceTaskKind::from_code(&f.kind)
                    .ok_or_else(|| invalid("协助事项", "请选择协助事项"))?;
                let due = match f.due.trim() {
                    "" => None,
                    d => Some(parse_day("完成期限", d)?),
                };
                transfer::add_task(
                    store,
                    scope,
                    &cal,
                    &state.settings.cases,
                    now,
                    &transfer_id,
                    kind,
                    &f.detail,
                    due,
                )
                .await?;
            }
            TransferStep::Outcome => {
                let outcome = Outcome::from_code(&f.outcome)
                    .ok_or_else(|| invalid("处理结果", "请选择处理结果"))?;
                let on = parse_day("日期", &f.on)?;
                transfer::record_outcome(store, scope, now, &transfer_id, outcome, on, &f.note)
                    .await?
            }
            TransferStep::Propose => return Err(AppError::NotFound),
        }
        Ok(())
    }
    .await;
    done(&state, &user, id, result).await
}

#[tracing::instrument(skip_all)]
pub async fn finish_task(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, task)): Path<(String, String)>,
    Form(f): Form<TransferForm>,
) -> AppResult<Response> {
    let id = plain_id(&id)?;
    let task = plain_id(&task)?.to_string();
    let result = async {
        // The case of the URL must be visible; the store checks the task's own case.
        meijian_store::cases::get(&state.store, &user.scope, id).await?;
        transfer::finish_task(&state.store, &user.scope, state.now(), &task, &f.note).await?;
        Ok(())
    }
    .await;
    done(&state, &user, id, result).await
}

#[tracing::instrument(skip_all)]
pub async fn ask(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(f): Form<TransferForm>,
) -> AppResult<Response> {
    let id = plain_id(&id)?;
    let result = async {
        let direction = Direction::from_code(&f.direction)
            .ok_or_else(|| invalid("咨询方向", "请选择咨询方向"))?;
        let cal = state.calendar().await?;
        transfer::ask(
            &state.store,
            &user.scope,
            &cal,
            &state.settings.cases,
            state.now(),
            id,
            direction,
            &f.question,
        )
        .await?;
        Ok(())
    }
    .await;
    done(&state, &user, id, result).await
}

#[tracing::instrument(skip_all)]
pub async fn answer(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, consultation)): Path<(String, String)>,
    Form(f): Form<TransferForm>,
) -> AppResult<Response> {
    let id = plain_id(&id)?;
    let consultation = plain_id(&consultation)?.to_string();
    let result = async {
        meijian_store::cases::get(&state.store, &user.scope, id).await?;
        transfer::answer(
            &state.store,
            &user.scope,
            state.now(),
            &consultation,
            &f.answer,
        )
        .await?;
        Ok(())
    }
    .await;
    done(&state, &user, id, result).await
}

/// A transfer as the case page shows it, with the steps the user may take on it.
pub struct TransferView {
    pub t: Transfer,
    pub state: &'static str,
    pub proposed_at: String,
    pub decide_due: String,
    pub sent_at: String,
    pub receipt_at: String,
    pub copied_at: String,
    pub police: String,
    pub outcome: String,
    pub package: String,
    /// 复议 / 立案监督 asked, with the reasons.
    pub challenge: String,
    /// Until when 复议 or 立案监督 may be asked.
    pub challenge_due: String,
    /// 移交涉案物品: done, or due by.
    pub handover: String,
    pub overdue: bool,
    pub steps: Vec<&'static str>,
    pub tasks: Vec<TaskView>,
}

impl TransferView {
    pub fn can(&self, code: &str) -> bool {
        self.steps.contains(&code)
    }
}

pub struct TaskView {
    pub id: String,
    pub kind: &'static str,
    pub detail: String,
    pub due: String,
    pub overdue: bool,
    pub done: String,
}

pub struct ConsultationView {
    pub id: String,
    pub direction: &'static str,
    pub question: String,
    pub asked: String,
    pub due: String,
    pub overdue: bool,
    pub answer: Option<String>,
}

fn task_view(t: PoliceTask, now: time::OffsetDateTime) -> TaskView {
    TaskView {
        overdue: t.overdue(now),
        id: t.id,
        kind: t.kind.label_zh(),
        detail: t.detail,
        due: show_time(t.due),
        done: match (t.done_at, t.done_note) {
            (Some(at), note) => format!(
                "{} 完成{}",
                show_time(at),
                note.map(|n| format!("：{n}")).unwrap_or_default()
            ),
            _ => String::new(),
        },
    }
}

fn consultation_view(c: Consultation, now: time::OffsetDateTime) -> ConsultationView {
    ConsultationView {
        overdue: c.overdue(now),
        id: c.id,
        direction: c.direction.label_zh(),
        question: c.question,
        asked: format!(
            "{} {}",
            show_time(c.asked_at),
            crate::chrome::actor_label(&c.asked_by)
        ),
        due: show_time(c.due),
        answer: c.answer,
    }
}

/// The transfers and consultations of a case for its page.
pub async fn views(
    state: &AppState,
    user: &CurrentUser,
    case_id: &str,
) -> AppResult<(Vec<TransferView>, Vec<ConsultationView>)> {
    let (store, scope, now) = (&state.store, &user.scope, state.now());
    let mut out = Vec::new();
    for t in transfer::transfers(store, scope, case_id).await? {
        let steps = transfer::available(store, scope, now, &t)
            .await?
            .into_iter()
            .map(TransferStep::code)
            .collect();
        let tasks = transfer::tasks(store, scope, &t.id)
            .await?
            .into_iter()
            .map(|k| task_view(k, now))
            .collect();
        let opt = |x: Option<time::OffsetDateTime>| x.map(show_time).unwrap_or_default();
        out.push(TransferView {
            state: t.state.label_zh(),
            proposed_at: format!(
                "{} {}",
                show_time(t.proposed_at),
                crate::chrome::actor_label(&t.proposed_by)
            ),
            decide_due: show_time(t.decide_due),
            sent_at: opt(t.sent_at),
            receipt_at: opt(t.receipt_at),
            copied_at: opt(t.copied_at),
            police: match (t.police_decision, &t.police_note) {
                (Some(d), n) => format!(
                    "{}{}",
                    d.label_zh(),
                    n.as_ref().map(|n| format!("：{n}")).unwrap_or_default()
                ),
                _ => String::new(),
            },
            outcome: match (t.outcome, t.outcome_on) {
                (Some(o), Some(on)) => format!(
                    "{on} {}{}",
                    o.label_zh(),
                    t.outcome_note
                        .as_ref()
                        .map(|n| format!("：{n}"))
                        .unwrap_or_default()
                ),
                _ => String::new(),
            },
            package: t
                .package
                .iter()
                .map(|p| p.label_zh())
                .collect::<Vec<_>>()
                .join("、"),
            challenge: [
                (t.reconsidered_at, "提请复议"),
                (t.supervised_at, "提请立案监督"),
            ]
            .iter()
            .filter_map(|(at, what)| at.map(|at| format!("{} {what}", show_time(at))))
            .chain(t.challenge_note.clone())
            .collect::<Vec<_>>()
            .join("；"),
            challenge_due: t
                .challenge_due
                .filter(|_| t.state == meijian_domain::case::transfer::TransferState::Refused)
                .map(show_time)
                .unwrap_or_default(),
            handover: match (t.handed_over_at, &t.handover_note, t.handover_due) {
                (Some(at), n, _) => {
                    format!("{} 已移交：{}", show_time(at), n.as_deref().unwrap_or(""))
                }
                (None, _, Some(due)) => format!("应于 {} 前移交", show_time(due)),
                _ => String::new(),
            },
            overdue: t.overdue(now),
            steps,
            tasks,
            t,
        });
    }
    let consultations = transfer::consultations(store, scope, case_id)
        .await?
        .into_iter()
        .map(|c| consultation_view(c, now))
        .collect();
    Ok((out, consultations))
}

/// A case transfer to the police waiting for the user, as a row.
pub struct WaitingRow {
    pub case_id: String,
    pub case_no: String,
    pub title: String,
    pub authority: String,
    pub state: &'static str,
    pub urgent: bool,
    pub proposed: String,
    /// What the user is expected to do, and by when.
    pub todo: &'static str,
    pub due: String,
    pub overdue: bool,
}

pub fn waiting_row(w: &transfer::Waiting, now: time::OffsetDateTime) -> WaitingRow {
    use meijian_domain::case::transfer::TransferState as T;
    let t = &w.transfer;
    let (todo, due) = match t.state {
        T::Proposed => ("审批", Some(t.decide_due)),
        T::Sent => ("签收", None),
        T::Received => ("作出立案决定", t.police_due),
        T::Reconsidering => ("作出复议决定", t.police_due),
        T::Supervising => ("立案监督", None),
        _ => ("", None),
    };
    WaitingRow {
        case_id: t.case_id.clone(),
        case_no: w.case_no.clone(),
        title: w.case_title.clone(),
        authority: w.authority.clone(),
        state: t.state.label_zh(),
        urgent: t.urgent,
        proposed: show_time(t.proposed_at),
        todo,
        due: due.map(show_time).unwrap_or_default(),
        overdue: due.is_some_and(|d| d < now),
    }
}
