//! The steps on a lead, one small form each: `POST /leads/{id}/{action}`. A step that works
//! goes back to the lead (303) with a notice; one the store refuses shows the lead again with
//! its Chinese message and what the user typed. Who may take a step in which state is the
//! store's decision; the page only hides the forms that would be refused.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use meijian_domain::lead::{Finding, Outcome, Satisfaction};
use meijian_store::leads::workflow::{self, extension, Conclusion};
use meijian_store::leads::{self, referral, reward, suggest};
use serde::Deserialize;

use super::detail::{page, Flash};

use super::{checked, form_error, parse_yuan, plain_id};
use crate::error::{AppError, AppResult};
use crate::session::CurrentUser;
use crate::state::AppState;

/// Every field any step's form sends; each step reads its own.
#[derive(Deserialize, Default, Clone)]
pub struct ActionForm {
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub finding: String,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub outcome: String,
    #[serde(default)]
    pub fine_yuan: String,
    #[serde(default)]
    pub confiscation_yuan: String,
    #[serde(default)]
    pub suspended_or_revoked: String,
    #[serde(default)]
    pub party_organisation: String,
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub satisfaction: String,
    #[serde(default)]
    pub operator_id: String,
    #[serde(default)]
    pub to_department_id: String,
    #[serde(default)]
    pub level: String,
    #[serde(default)]
    pub payment_ref: String,
    /// 延期审批: grant or refuse.
    #[serde(default)]
    pub decision: String,
}

/// The steps, as they appear in URLs and in the notice after them.
const ACTIONS: [&str; 14] = [
    "accept",
    "decline",
    "verify",
    "conclude",
    "reply",
    "satisfaction",
    "link",
    "refer",
    "police",
    "reward",
    "paid",
    "supervise",
    "extend",
    "extension",
];

fn choose<T>(value: Option<T>, field: &str, message: &str) -> AppResult<T> {
    value.ok_or_else(|| AppError::Invalid {
        field: field.into(),
        message: message.into(),
    })
}

/// Takes the step; returns the notice code for the redirect.
async fn take_step(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
    action: &str,
    f: &ActionForm,
) -> AppResult<&'static str> {
    let action = ACTIONS
        .iter()
        .copied()
        .find(|a| *a == action)
        .ok_or(AppError::NotFound)?;
    let (store, scope, now) = (&state.store, &user.scope, state.now());
    let rules = &state.settings.leads;
    match action {
        "accept" => {
            let cal = state.calendar().await?;
            workflow::accept(store, scope, &cal, rules, now, id).await?;
        }
        "decline" => workflow::decline(store, scope, now, id, &f.reason).await?,
        "verify" => {
            let finding = choose(
                Finding::from_code(&f.finding),
                "核查结论",
                "请选择属实、部分属实或不属实",
            )?;
            workflow::verify(store, scope, now, id, finding, &f.note).await?;
        }
        "conclude" => {
            let cal = state.calendar().await?;
            let c = Conclusion {
                outcome: choose(Outcome::from_code(&f.outcome), "办理结果", "请选择办理结果")?,
                note: f.note.clone(),
                fine_yuan: parse_yuan("罚款金额", &f.fine_yuan)?,
                confiscation_yuan: parse_yuan("没收金额", &f.confiscation_yuan)?,
                suspended_or_revoked: checked(&f.suspended_or_revoked),
                party_organisation: checked(&f.party_organisation),
            };
            workflow::conclude(store, scope, &cal, rules, now, id, &c).await?;
        }
        "reply" => workflow::reply(store, scope, now, id, &f.text).await?,
        "satisfaction" => {
            let s = choose(
                Satisfaction::from_code(&f.satisfaction),
                "满意度",
                "请选择满意度",
            )?;
            workflow::officer_satisfaction(store, scope, now, id, s).await?;
        }
        "link" => {
            let operator = f.operator_id.trim();
            if operator.is_empty() {
                return Err(AppError::Invalid {
                    field: "关联主体".into(),
                    message: "请填写主体编号".into(),
                });
            }
            let grouped = suggest::link_operator(store, scope, now, id, operator).await?;
            return Ok(if grouped.is_some() { "grouped" } else { "link" });
        }
        "refer" => {
            let cal = state.calendar().await?;
            let to = f.to_department_id.trim();
            if to.is_empty() {
                return Err(AppError::Invalid {
                    field: "接收部门".into(),
                    message: "请选择接收部门".into(),
                });
            }
            referral::refer(store, scope, &cal, rules, now, id, to, &f.reason).await?;
        }
        "police" => {
            let cal = state.calendar().await?;
            referral::refer_to_police(store, scope, &cal, rules, now, id, &f.reason).await?;
        }
        "reward" => {
            let level = choose(
                f.level.trim().parse::<usize>().ok(),
                "奖励等级",
                "请选择奖励等级",
            )?;
            reward::propose(store, scope, rules, now, id, level).await?;
        }
        "paid" => {
            let lead = leads::get(store, scope, id).await?;
            let w = reward::for_lead(store, &lead)
                .await?
                .ok_or(AppError::NotFound)?;
            reward::mark_paid(store, scope, now, &w.id, &f.payment_ref).await?;
        }
        "supervise" => workflow::supervise(store, scope, now, id, &f.note).await?,
        "extend" => {
            let cal = state.calendar().await?;
            extension::request(store, scope, &cal, rules, now, id, &f.reason).await?;
        }
        "extension" => {
            let grant = choose(
                match f.decision.as_str() {
                    "grant" => Some(true),
                    "refuse" => Some(false),
                    _ => None,
                },
                "审批",
                "请选择批准或不批准",
            )?;
            let cal = state.calendar().await?;
            extension::decide(store, scope, &cal, rules, now, id, grant, &f.note).await?;
        }
        _ => return Err(AppError::NotFound),
    }
    Ok(action)
}

pub async fn act_on_lead(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, action)): Path<(String, String)>,
    Form(form): Form<ActionForm>,
) -> AppResult<Response> {
    let id = plain_id(&id)?;
    match take_step(&state, &user, id, &action, &form).await {
        Ok(notice) => {
            tracing::info!(lead = %id, %action, "lead step taken");
            Ok(Redirect::to(&format!("/leads/{id}?notice={notice}")).into_response())
        }
        Err(e) => {
            let status = e.info().status;
            let message = form_error(e)?;
            let flash = Flash {
                status: if status == StatusCode::CONFLICT {
                    status
                } else {
                    StatusCode::UNPROCESSABLE_ENTITY
                },
                notice: None,
                error: Some(message),
                draft: form,
            };
            page(&state, &user, id, flash).await
        }
    }
}
