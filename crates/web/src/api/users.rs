//! User accounts through the API (administrators).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use meijian_domain::role::Role;
use meijian_store::accounts::password;
use meijian_store::accounts::{self, AccountAction, AccountView, NewAccount};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ApiJson, ApiPath};
use crate::error::{AppError, AppResult};
use crate::session::CurrentUser;
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct UserView {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub role_label: String,
    pub department_id: String,
    pub department_name: String,
    pub disabled: bool,
    /// Wrong passwords since the last sign-in (sign-ins are slowed after several; `unlock`
    /// releases them).
    pub failed_logins: i64,
    /// An institution account's operator (主体编号); it sees that one only.
    pub operator_id: Option<String>,
}

pub fn user_view(v: AccountView) -> UserView {
    UserView {
        role_label: v.role_label().to_string(),
        failed_logins: v.failed_logins,
        disabled: v.disabled,
        id: v.id,
        username: v.username,
        display_name: v.display_name,
        role: v.role.code().to_string(),
        department_id: v.department_id,
        department_name: v.department_name,
        operator_id: v.operator_id,
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BindOperatorRequest {
    /// 主体编号; null unbinds.
    pub operator_id: Option<String>,
}

/// Bind an institution account to its operator (or unbind it with null).
#[utoipa::path(put, path = "/api/users/{id}/operator", tag = "users", request_body = BindOperatorRequest,
    params(("id" = String, Path, description = "user id")),
    responses((status = 200, body = UserView), (status = 401, body = super::ErrorBody), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn bind_operator(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<BindOperatorRequest>,
) -> AppResult<Json<UserView>> {
    let view = accounts::bind_operator(
        &state.store,
        &user.scope,
        state.now(),
        &id,
        req.operator_id.as_deref(),
    )
    .await?;
    Ok(Json(user_view(view)))
}

/// Users of my jurisdiction.
#[utoipa::path(get, path = "/api/users", tag = "users",
    responses((status = 200, body = [UserView]), (status = 401, body = super::ErrorBody), (status = 403, body = super::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn list_users(
    State(state): State<AppState>,
    user: CurrentUser,
) -> AppResult<Json<Vec<UserView>>> {
    let list = accounts::list(&state.store, &user.scope).await?;
    Ok(Json(list.into_iter().map(user_view).collect()))
}

/// One user of my jurisdiction; 404 for any other id.
#[utoipa::path(get, path = "/api/users/{id}", tag = "users", params(("id" = String, Path, description = "user id")),
    responses((status = 200, body = UserView), (status = 401, body = super::ErrorBody), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn get_user(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
) -> AppResult<Json<UserView>> {
    let v = accounts::get(&state.store, &user.scope, &id).await?;
    Ok(Json(user_view(v)))
}

#[derive(Deserialize, ToSchema)]
pub struct NewUserRequest {
    /// 3–32 lower-case letters, digits, `_`, `-` or `.`.
    #[schema(pattern = r"^[a-z0-9_.-]{3,32}$")]
    pub username: String,
    /// 1–50 characters.
    #[schema(
        min_length = 1,
        max_length = 50,
        pattern = r"^[^\u0000]*[^\s\u0000][^\u0000]*$"
    )]
    pub display_name: String,
    /// A role code (listed in this document).
    pub role: String,
    /// A department of my jurisdiction.
    pub department_id: String,
    /// Optional; a random one is generated and returned when absent. When given: from the
    /// configured minimum (10 by default) to 128 characters, with at least three of lower case,
    /// upper case, digits and other characters, not containing the username.
    #[schema(max_length = 128)]
    pub password: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct CreatedUser {
    pub user: UserView,
    /// Present only when the server generated the password: shown this once.
    pub initial_password: Option<String>,
}

/// Create a user in a department of my jurisdiction.
#[utoipa::path(post, path = "/api/users", tag = "users", request_body = NewUserRequest,
    responses((status = 201, body = CreatedUser), (status = 401, body = super::ErrorBody), (status = 403, body = super::ErrorBody), (status = 409, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn create_user(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(req): ApiJson<NewUserRequest>,
) -> AppResult<(StatusCode, Json<CreatedUser>)> {
    let role = Role::from_code(&req.role).ok_or_else(|| AppError::Invalid {
        field: "role".into(),
        message: "未知角色".into(),
    })?;
    let generated = req.password.is_none().then(password::generate);
    let pw = req
        .password
        .or_else(|| generated.clone())
        .unwrap_or_default();
    let mut tx = state.store.begin().await?;
    let v = accounts::create(
        &mut tx,
        &user.scope,
        state.now(),
        &state.settings.login,
        NewAccount {
            username: req.username,
            display_name: req.display_name,
            role,
            department_id: req.department_id,
            password: pw,
        },
    )
    .await?;
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedUser {
            user: user_view(v),
            initial_password: generated,
        }),
    ))
}

/// What an administrator can do to an account.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UserAction {
    Disable,
    Enable,
    Unlock,
    /// Sets a random password, returned once; ends the user's sessions.
    ResetPassword,
}

#[derive(Deserialize, ToSchema)]
pub struct UserActionRequest {
    pub action: UserAction,
}

#[derive(Serialize, ToSchema)]
pub struct UserActionResult {
    pub user: UserView,
    /// Present only for reset_password: shown this once.
    pub new_password: Option<String>,
}

/// Disable, enable, unlock or reset the password of a user of my jurisdiction.
#[utoipa::path(post, path = "/api/users/{id}/actions", tag = "users", request_body = UserActionRequest,
    params(("id" = String, Path, description = "user id")),
    responses((status = 200, body = UserActionResult), (status = 401, body = super::ErrorBody), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody), (status = 409, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn act_on_user(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<UserActionRequest>,
) -> AppResult<Json<UserActionResult>> {
    let action = match req.action {
        UserAction::Disable => AccountAction::Disable,
        UserAction::Enable => AccountAction::Enable,
        UserAction::Unlock => AccountAction::Unlock,
        UserAction::ResetPassword => AccountAction::ResetPassword,
    };
    let new_password = accounts::act(
        &state.store,
        &me.scope,
        state.now(),
        &state.settings.login,
        &id,
        action,
    )
    .await?;
    let v = accounts::get(&state.store, &me.scope, &id).await?;
    Ok(Json(UserActionResult {
        user: user_view(v),
        new_password,
    }))
}
