//! Sign-in and sign-out.

use askama::Template;
use axum::extract::{FromRequest, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use axum_extra::extract::CookieJar;
use meijian_store::accounts::{self, LoginError, Principal};
use meijian_store::{audit, sessions, timefmt, Actor};
use serde::Deserialize;
use time::OffsetDateTime;

use crate::error::AppResult;
use crate::pages::render;
use crate::session::{anonymous_actor, removal_cookie, session_cookie, CurrentUser};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    error: Option<String>,
    username: String,
    max_failures: i64,
    lock_minutes: i64,
}

fn page(state: &AppState, error: Option<String>, username: String) -> LoginPage {
    LoginPage {
        error,
        username,
        max_failures: state.settings.login.max_failures,
        lock_minutes: state.settings.login.lock_for.whole_minutes(),
    }
}

pub async fn show_login(
    State(state): State<AppState>,
    user: Option<CurrentUser>,
) -> AppResult<Response> {
    if user.is_some() {
        return Ok(Redirect::to("/").into_response());
    }
    Ok(render(&page(&state, None, String::new()))?.into_response())
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
}

/// The message for a failed sign-in, in Chinese.
pub fn login_error_message(e: &LoginError) -> String {
    match e {
        LoginError::BadCredentials => "用户名或密码错误。".to_string(),
        LoginError::Locked { until } => format!(
            "该账户因连续登录失败已被锁定，请于 {} 后再试，或联系管理员解锁。",
            timefmt::display(&timefmt::to_db(*until))
        ),
        LoginError::Disabled => "该账户已停用，请联系管理员。".to_string(),
    }
}

/// Checks the credentials and, if they hold, opens a session. Shared by the form and the API.
pub async fn sign_in(
    state: &AppState,
    actor: &Actor,
    username: &str,
    password: &str,
) -> AppResult<Result<(Principal, sessions::NewSession), LoginError>> {
    let now = state.now();
    match accounts::authenticate(
        &state.store,
        actor,
        now,
        &state.settings.login,
        username,
        password,
    )
    .await?
    {
        Ok(principal) => {
            let mut tx = state.store.begin().await?;
            let new =
                sessions::create(&mut tx, &principal.account.id, now, actor.ip.as_deref()).await?;
            tx.commit().await?;
            Ok(Ok((principal, new)))
        }
        Err(e) => Ok(Err(e)),
    }
}

pub async fn submit_login(
    State(state): State<AppState>,
    jar: CookieJar,
    request: Request,
) -> AppResult<Response> {
    let actor = anonymous_actor(request.extensions());
    let Form(form) = Form::<LoginForm>::from_request(request, &state)
        .await
        .map_err(|_| crate::error::AppError::Invalid {
            field: "表单".into(),
            message: "缺少用户名或密码".into(),
        })?;
    match sign_in(&state, &actor, &form.username, &form.password).await? {
        Ok((_, new)) => {
            let jar = jar.add(session_cookie(new.token, state.settings.secure_cookies));
            Ok((jar, Redirect::to("/")).into_response())
        }
        Err(e) => {
            let html = render(&page(&state, Some(login_error_message(&e)), form.username))?;
            Ok((StatusCode::UNAUTHORIZED, html).into_response())
        }
    }
}

/// Ends the session and audits the sign-out.
pub async fn end_session(state: &AppState, user: &CurrentUser) -> AppResult<()> {
    let now: OffsetDateTime = state.now();
    let mut tx = state.store.begin().await?;
    sessions::delete_in(&mut tx, &user.token_hash).await?;
    audit::record(
        &mut tx,
        &user.scope.actor,
        now,
        audit::Change {
            action: "account.logout",
            entity: "account",
            entity_id: &user.principal.account.id,
            region_code: Some(&user.principal.department.region_code),
            before: None,
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn logout(
    State(state): State<AppState>,
    jar: CookieJar,
    user: Option<CurrentUser>,
) -> AppResult<Response> {
    if let Some(user) = user {
        end_session(&state, &user).await?;
    }
    Ok((jar.add(removal_cookie()), Redirect::to("/login")).into_response())
}
