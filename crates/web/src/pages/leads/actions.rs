//! The steps on a lead, one small form each: `POST /leads/{id}/{action}`. A step that works
//! goes back to the lead (303) with a notice; one the store refuses shows the lead again with
//! its Chinese message and what the user typed. Who may take a step in which state is the
//! workflow table's decision (`meijian_domain::lead::workflow`), checked by the store's one
//! entry point `workflow::act`; the page shows only the forms the table allows.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use meijian_domain::lead::{Finding, LeadStep, Outcome, Satisfaction};
use meijian_store::leads::workflow::{self, Conclusion, LeadCommand};
use serde::Deserialize;

use super::detail::{page, Flash};

use super::{form_error, plain_id};
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

fn choose<T>(value: Option<T>, field: &str, message: &str) -> AppResult<T> {
    value.ok_or_else(|| AppError::Invalid {
        field: field.into(),
        message: message.into(),
    })
}

/// The typed command of a step's form. Only what the form says is read here; whether the step
/// may be taken is the workflow table's decision, in the store.
fn command(step: LeadStep, f: &ActionForm) -> AppResult<LeadCommand> {
    Ok(match step {
        LeadStep::Accept => LeadCommand::Accept,
        LeadStep::Decline => LeadCommand::Decline {
            reason: f.reason.clone(),
        },
        LeadStep::Verify => LeadCommand::Verify {
            finding: choose(
                Finding::from_code(&f.finding),
                "核查结论",
                "请选择属实、部分属实或不属实",
            )?,
            note: f.note.clone(),
        },
        LeadStep::Conclude => LeadCommand::Conclude(Conclusion {
            outcome: choose(Outcome::from_code(&f.outcome), "办理结果", "请选择办理结果")?,
            note: f.note.clone(),
        }),
        LeadStep::Reply => LeadCommand::Reply {
            text: f.text.clone(),
        },
        LeadStep::Satisfaction => LeadCommand::Satisfaction(choose(
            Satisfaction::from_code(&f.satisfaction),
            "满意度",
            "请选择满意度",
        )?),
        LeadStep::Link => LeadCommand::Link {
            operator_id: f.operator_id.clone(),
        },
        LeadStep::Refer => LeadCommand::Refer {
            to_department_id: f.to_department_id.clone(),
            reason: f.reason.clone(),
        },
        LeadStep::Reward => LeadCommand::Reward {
            level: choose(
                f.level.trim().parse::<usize>().ok(),
                "奖励等级",
                "请选择奖励等级",
            )?,
        },
        LeadStep::Paid => LeadCommand::Paid {
            payment_ref: f.payment_ref.clone(),
        },
        LeadStep::Supervise => LeadCommand::Supervise {
            note: f.note.clone(),
        },
        LeadStep::Extend => LeadCommand::Extend {
            reason: f.reason.clone(),
        },
        LeadStep::Extension => LeadCommand::Extension {
            grant: choose(
                match f.decision.as_str() {
                    "grant" => Some(true),
                    "refuse" => Some(false),
                    _ => None,
                },
                "审批",
                "请选择批准或不批准",
            )?,
            note: f.note.clone(),
        },
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
    let step = LeadStep::from_code(action).ok_or(AppError::NotFound)?;
    let command = command(step, f)?;
    let cal = state.calendar().await?;
    let (store, scope, now) = (&state.store, &user.scope, state.now());
    let done = workflow::act(store, scope, &cal, &state.settings.leads, now, id, command).await?;
    Ok(if done.grouped { "grouped" } else { step.code() })
}

#[tracing::instrument(skip_all)]
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
