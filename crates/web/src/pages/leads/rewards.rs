//! 举报奖励审批: a leader's list of the rewards of the jurisdiction waiting for approval or
//! payment, with approve and reject. The reporter's identity is never shown here: a reward
//! names its lead, level and amount only.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use meijian_domain::lead::RewardState;
use meijian_domain::role::Permission;
use meijian_store::leads::reward;
use serde::Deserialize;

use super::{form_error, plain_id, with_status};
use crate::chrome::Chrome;
use crate::error::{AppError, AppResult};
use crate::pages::registries::short_region;
use crate::session::CurrentUser;
use crate::state::AppState;

pub struct RewardRow {
    pub id: String,
    pub lead_id: String,
    pub lead_code: String,
    pub region: String,
    pub level: String,
    pub forfeiture: String,
    pub amount: String,
    pub joint: bool,
    pub proposed: String,
    pub state: &'static str,
    pub decidable: bool,
}

#[derive(Template)]
#[template(path = "leads_rewards.html")]
struct RewardsPage {
    chrome: Chrome,
    notice: Option<&'static str>,
    error: Option<String>,
    rows: Vec<RewardRow>,
}

#[derive(Deserialize, Default)]
pub struct NoticeQuery {
    #[serde(default)]
    notice: String,
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    notice: Option<&'static str>,
    error: Option<String>,
) -> AppResult<RewardsPage> {
    let rows = reward::open_in_jurisdiction(&state.store, &user.scope)
        .await?
        .into_iter()
        .map(|w| RewardRow {
            decidable: w.state == RewardState::Proposed,
            state: w.state_zh(),
            region: short_region(&w.region_code),
            proposed: format!(
                "{} {}",
                w.proposed_by,
                crate::pages::show_time(w.proposed_at)
            ),
            id: w.id,
            lead_id: w.lead_id,
            lead_code: w.lead_code,
            level: w.level_name,
            forfeiture: w.forfeiture_fen.yuan_text(),
            amount: w.amount_fen.yuan_text(),
            joint: w.joint_approval,
        })
        .collect();
    Ok(RewardsPage {
        chrome: Chrome::new(user, "/rewards"),
        notice,
        error,
        rows,
    })
}

#[tracing::instrument(skip_all)]
pub async fn list_rewards(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<NoticeQuery>,
) -> AppResult<Response> {
    user.scope.require(Permission::ApproveRewards)?;
    let notice = match query.notice.as_str() {
        "approve" => Some("已批准，承办部门发放后记录发放凭证。"),
        "reject" => Some("已决定不予奖励。"),
        _ => None,
    };
    with_status(StatusCode::OK, &page(&state, &user, notice, None).await?)
}

#[derive(Deserialize, Default)]
pub struct DecisionForm {
    #[serde(default)]
    note: String,
}

#[tracing::instrument(skip_all)]
pub async fn decide_reward(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, decision)): Path<(String, String)>,
    Form(form): Form<DecisionForm>,
) -> AppResult<Response> {
    user.scope.require(Permission::ApproveRewards)?;
    let id = plain_id(&id)?;
    let approve = match decision.as_str() {
        "approve" => true,
        "reject" => false,
        _ => return Err(AppError::NotFound),
    };
    match reward::decide(
        &state.store,
        &user.scope,
        state.now(),
        id,
        approve,
        &form.note,
    )
    .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/rewards?notice={decision}")).into_response()),
        Err(e) => {
            let message = form_error(e.into())?;
            let p = page(&state, &user, None, Some(message)).await?;
            with_status(StatusCode::UNPROCESSABLE_ENTITY, &p)
        }
    }
}
