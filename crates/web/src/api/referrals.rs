//! Referrals through the API (线索移送): my department's inbox and outbox and the receiver's
//! answers. A transfer to the police is a step of the case (`/api/cases/{id}/transfers`).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use meijian_store::leads::referral;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::{invalid, ApiJson, ApiPath, ApiQuery};
use crate::error::AppResult;
use crate::session::CurrentUser;
use crate::state::AppState;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReferralQuery {
    /// true: referrals to my department; false: sent by it.
    pub incoming: Option<bool>,
}

/// My department's referrals (线索移送).
#[utoipa::path(get, path = "/api/referrals", tag = "leads", params(ReferralQuery),
    responses((status = 200, body = [Object]), (status = 401, body = super::ErrorBody), (status = 403, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn list_referrals(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<ReferralQuery>,
) -> AppResult<Json<Vec<referral::Referral>>> {
    Ok(Json(
        referral::for_department(&state.store, &user.scope, q.incoming.unwrap_or(true)).await?,
    ))
}

/// An answer to a referral.
#[derive(Deserialize, ToSchema)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum ReferralAction {
    /// The receiver: acknowledge | accept | return.
    Respond {
        response: String,
        #[serde(default)]
        note: String,
    },
}

/// Answers a referral.
#[utoipa::path(post, path = "/api/referrals/{id}/actions", tag = "leads", request_body = ReferralAction,
    params(("id" = String, Path, description = "referral id")),
    responses((status = 204), (status = 401, body = super::ErrorBody), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody), (status = 409, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn act_on_referral(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
    ApiJson(action): ApiJson<ReferralAction>,
) -> AppResult<StatusCode> {
    let (s, sc, now) = (&state.store, &user.scope, state.now());
    match action {
        ReferralAction::Respond { response, note } => {
            let r = referral::Response::from_code(&response)
                .ok_or_else(|| invalid("response", "应为 acknowledge、accept 或 return"))?;
            referral::respond(s, sc, now, &id, r, &note).await?;
        }
    }
    Ok(StatusCode::NO_CONTENT)
}
