//! Signing in and out through the API, and who am I.

use axum::extract::{FromRequest, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use axum_extra::extract::CookieJar;
use meijian_store::dashboard;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ApiJson;
use crate::error::AppResult;
use crate::pages::login::{end_session, login_error_message, sign_in};
use crate::pages::region_name;
use crate::public_desk::limits::peer;
use crate::session::{anonymous_actor, removal_cookie, CurrentUser};
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

/// A new session: the cookie is set; send `csrf_token` as `X-CSRF-Token` on unsafe calls.
#[derive(Serialize, ToSchema)]
pub struct SessionView {
    pub csrf_token: String,
    pub me: MeView,
}

/// The signed-in user.
#[derive(Serialize, ToSchema)]
pub struct MeView {
    pub id: String,
    pub username: String,
    pub display_name: String,
    /// administrator, leader, officer, liaison, analyst, institution
    pub role: String,
    pub role_label: String,
    pub department_id: String,
    pub department_name: String,
    /// The 6-digit region code at the root of the user's jurisdiction.
    pub jurisdiction_code: String,
    pub jurisdiction_name: String,
}

fn me_view(user: &meijian_store::accounts::Principal, role: meijian_domain::Role) -> MeView {
    MeView {
        id: user.account.id.clone(),
        username: user.account.username.clone(),
        display_name: user.account.display_name.clone(),
        role: user.account.role.code().to_string(),
        role_label: role.label_zh().to_string(),
        department_id: user.department.id.clone(),
        department_name: user.department.name.clone(),
        jurisdiction_code: user.department.region_code.clone(),
        jurisdiction_name: region_name(&user.department.region_code),
    }
}

/// Sign in.
#[utoipa::path(post, path = "/api/session", request_body = LoginRequest, tag = "session",
    responses((status = 200, body = SessionView), (status = 401, body = super::ErrorBody),
        (status = 422, body = super::ErrorBody),
        (status = 429, description = "Too many sign-ins from this address or for this name", body = super::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn create_session(
    State(state): State<AppState>,
    jar: CookieJar,
    request: Request,
) -> AppResult<Response> {
    let actor = anonymous_actor(request.extensions());
    let client = peer(request.extensions());
    let request_id = request
        .extensions()
        .get::<crate::request_id::RequestId>()
        .map(|r| r.0.clone())
        .unwrap_or_default();
    let ApiJson(body) =
        <ApiJson<LoginRequest> as FromRequest<AppState>>::from_request(request, &state).await?;
    match sign_in(&state, &actor, client, jar, &body.username, &body.password).await? {
        Ok(signed_in) => Ok((
            signed_in.jar,
            Json(SessionView {
                csrf_token: signed_in.session.csrf_token,
                me: me_view(&signed_in.principal, signed_in.principal.role()?),
            }),
        )
            .into_response()),
        Err(e) => {
            let body = serde_json::json!({"error": {
                "code": "login_failed",
                "message": login_error_message(&e),
                "request_id": request_id,
            }});
            Ok((StatusCode::UNAUTHORIZED, Json(body)).into_response())
        }
    }
}

/// Sign out.
#[utoipa::path(delete, path = "/api/session", tag = "session", responses((status = 204),
    (status = 401, body = super::ErrorBody), (status = 403, description = "Missing or wrong X-CSRF-Token", body = super::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn delete_session(
    State(state): State<AppState>,
    jar: CookieJar,
    user: CurrentUser,
) -> AppResult<Response> {
    end_session(&state, &user).await?;
    Ok((jar.add(removal_cookie()), StatusCode::NO_CONTENT).into_response())
}

/// Who am I.
#[utoipa::path(get, path = "/api/me", tag = "session", responses((status = 200, body = MeView), (status = 401, body = super::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn me(user: CurrentUser) -> Json<MeView> {
    Json(me_view(&user.principal, user.scope.role))
}

/// Dashboard counts of my jurisdiction.
#[derive(Serialize, ToSchema)]
pub struct CountsView {
    pub departments: i64,
    pub accounts: i64,
    pub active_accounts_today: i64,
    pub audit_entries_today: i64,
}

/// Dashboard counts.
#[utoipa::path(get, path = "/api/dashboard", tag = "dashboard", responses((status = 200, body = CountsView),
    (status = 401, body = super::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn dashboard(
    State(state): State<AppState>,
    user: CurrentUser,
) -> AppResult<Json<CountsView>> {
    let c = dashboard::counts(&state.store, &user.scope, state.now()).await?;
    Ok(Json(CountsView {
        departments: c.departments,
        accounts: c.accounts,
        active_accounts_today: c.active_accounts_today,
        audit_entries_today: c.audit_entries_today,
    }))
}
