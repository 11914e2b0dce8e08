//! 移送: the department's inbox (referrals to it) and outbox (referrals it sent), with the
//! receiver's deadlines and, for the sender, the state and outcome of the lead it let go. The
//! receiver answers here: 签收, then 接收办理 or 退回. Transfers of cases to the police that
//! wait for the user (a leader's approval, the police's answer, the procuratorate's 立案监督)
//! are listed too; their steps are taken on the case page.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use meijian_domain::lead::referral::{check_referral, ReferralStep, ReferralTaker};
use meijian_domain::lead::ReferralState;
use meijian_domain::role::Permission;
use meijian_store::cases::transfer;

use crate::pages::cases::transfer::{waiting_row, WaitingRow};
use meijian_store::leads::referral::{self, Referral, Response as Answer};
use meijian_store::Scope;
use serde::Deserialize;
use time::OffsetDateTime;

use super::{form_error, plain_id, with_status};
use crate::chrome::Chrome;
use crate::error::{AppError, AppResult};
use crate::pages::show_time;
use crate::session::CurrentUser;
use crate::state::AppState;

/// A referral as a row of the inbox or outbox.
pub struct ReferralRow {
    pub id: String,
    pub lead_id: String,
    pub lead_code: String,
    pub subject: String,
    pub kind: &'static str,
    pub from: String,
    pub to: String,
    pub reason: String,
    pub state: &'static str,
    pub sent: String,
    /// 签收期限 or 办理期限, while the receiver owes an answer.
    pub due: String,
    pub due_label: &'static str,
    pub overdue: bool,
    pub lead_state: &'static str,
    pub lead_outcome: &'static str,
    pub response: String,
    /// The answers the user's department may give now, as (code, label).
    pub answers: Vec<(&'static str, &'static str)>,
    /// The form's own action (Enter in the note field): the mildest answer.
    pub first_answer: &'static str,
}

fn row(r: &Referral, scope: &Scope, now: OffsetDateTime) -> ReferralRow {
    let my_department = scope.department_id.as_deref().unwrap_or_default();
    // The answers are the steps the referral table allows the user
    // (meijian_domain::lead::referral).
    let who = ReferralTaker {
        role: scope.role,
        receiver: r.to_department_id == my_department,
    };
    let allows = |step| check_referral(r.state, &who, step).is_ok();
    let answers: Vec<(&'static str, &'static str)> = ReferralStep::ANSWERS
        .iter()
        .copied()
        .filter(|s| allows(*s))
        .map(|s| (s.code(), s.label_zh()))
        .collect();
    ReferralRow {
        id: r.id.clone(),
        lead_id: r.lead_id.clone(),
        lead_code: r.lead_code.clone(),
        subject: r.subject_name.clone(),
        kind: r.kind_zh(),
        from: r.from_name.clone(),
        to: r.to_name.clone(),
        reason: r.reason.clone(),
        state: r.state_zh(),
        sent: show_time(r.sent_at),
        due: if r.is_pending() {
            show_time(r.due())
        } else {
            String::new()
        },
        due_label: match r.state {
            ReferralState::Sent => "签收",
            _ => "办理",
        },
        overdue: r.is_pending() && r.due() < now,
        lead_state: r.lead_state_zh(),
        lead_outcome: r.lead_outcome_zh(),
        response: r.response.clone().unwrap_or_default(),
        first_answer: answers.first().map_or("", |a| a.0),
        answers,
    }
}

#[derive(Template)]
#[template(path = "leads_referrals.html")]
struct ReferralsPage {
    chrome: Chrome,
    notice: Option<&'static str>,
    error: Option<String>,
    inbox: Vec<ReferralRow>,
    outbox: Vec<ReferralRow>,
    /// Case transfers to the police waiting for the user.
    transfers: Vec<WaitingRow>,
}

#[derive(Deserialize, Default)]
pub struct NoticeQuery {
    #[serde(default)]
    notice: String,
}

fn notice_text(code: &str) -> Option<&'static str> {
    Some(match code {
        "acknowledge" => "已签收，请在办理期限内接收或退回。",
        "accept" => "已接收，线索转由本部门承办。",
        "return" => "已退回移送部门。",
        _ => return None,
    })
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    notice: Option<&'static str>,
    error: Option<String>,
) -> AppResult<ReferralsPage> {
    user.scope.require(Permission::HandleLeads)?;
    let now = state.now();
    let inbox = referral::for_department(&state.store, &user.scope, true).await?;
    let outbox = referral::for_department(&state.store, &user.scope, false).await?;
    let transfers = transfer::waiting(&state.store, &user.scope).await?;
    Ok(ReferralsPage {
        chrome: Chrome::new(user, "/referrals"),
        notice,
        error,
        inbox: inbox.iter().map(|r| row(r, &user.scope, now)).collect(),
        outbox: outbox.iter().map(|r| row(r, &user.scope, now)).collect(),
        transfers: transfers.iter().map(|w| waiting_row(w, now)).collect(),
    })
}

#[tracing::instrument(skip_all)]
pub async fn list_referrals(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<NoticeQuery>,
) -> AppResult<Response> {
    let p = page(&state, &user, notice_text(&query.notice), None).await?;
    with_status(StatusCode::OK, &p)
}

#[derive(Deserialize, Default)]
pub struct AnswerForm {
    #[serde(default)]
    note: String,
}

#[tracing::instrument(skip_all)]
pub async fn respond_to_referral(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, response)): Path<(String, String)>,
    Form(form): Form<AnswerForm>,
) -> AppResult<Response> {
    user.scope.require(Permission::HandleLeads)?;
    let id = plain_id(&id)?;
    let (s, sc, now) = (&state.store, &user.scope, state.now());
    let answer = Answer::from_code(&response).ok_or(AppError::NotFound)?;
    let result = referral::respond(s, sc, now, id, answer, &form.note).await;
    match result {
        Ok(()) => {
            tracing::info!(referral = %id, %response, "referral answered");
            Ok(Redirect::to(&format!("/referrals?notice={response}")).into_response())
        }
        Err(e) => {
            let message = form_error(e.into())?;
            let p = page(&state, &user, None, Some(message)).await?;
            with_status(StatusCode::UNPROCESSABLE_ENTITY, &p)
        }
    }
}
