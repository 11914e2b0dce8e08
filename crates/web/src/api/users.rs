//! User accounts through the API (administrators).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use meijian_domain::role::Role;
use meijian_store::accounts::{self, AccountView, NewAccount};
use meijian_store::password;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use super::ApiJson;
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
    pub locked: bool,
}

pub fn user_view(v: AccountView, now: OffsetDateTime) -> UserView {
    UserView {
        role_label: v.role_label().to_string(),
        locked: v.is_locked(now),
        disabled: v.disabled != 0,
        id: v.id,
        username: v.username,
        display_name: v.display_name,
        role: v.role,
        department_id: v.department_id,
        department_name: v.department_name,
    }
}

/// Users of my jurisdiction.
#[utoipa::path(get, path = "/api/users", tag = "users", responses((status = 200, body = [UserView]), (status = 403, body = super::ErrorBody)))]
pub async fn list_users(
    State(state): State<AppState>,
    user: CurrentUser,
) -> AppResult<Json<Vec<UserView>>> {
    let now = state.now();
    let list = accounts::list(&state.store, &user.scope).await?;
    Ok(Json(list.into_iter().map(|v| user_view(v, now)).collect()))
}

/// One user of my jurisdiction; 404 for any other id.
#[utoipa::path(get, path = "/api/users/{id}", tag = "users", params(("id" = String, Path, description = "user id")),
    responses((status = 200, body = UserView), (status = 404, body = super::ErrorBody)))]
pub async fn get_user(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Json<UserView>> {
    let v = accounts::get(&state.store, &user.scope, &id).await?;
    Ok(Json(user_view(v, state.now())))
}

#[derive(Deserialize, ToSchema)]
pub struct NewUserRequest {
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub department_id: String,
    /// Optional; a random one is generated and returned when absent.
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
    responses((status = 201, body = CreatedUser), (status = 403, body = super::ErrorBody), (status = 409, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
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
            user: user_view(v, state.now()),
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
    responses((status = 200, body = UserActionResult), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody)))]
pub async fn act_on_user(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<UserActionRequest>,
) -> AppResult<Json<UserActionResult>> {
    let action = match req.action {
        UserAction::Disable => "disable",
        UserAction::Enable => "enable",
        UserAction::Unlock => "unlock",
        UserAction::ResetPassword => "reset-password",
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
        user: user_view(v, state.now()),
        new_password,
    }))
}
