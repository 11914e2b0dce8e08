//! Sign-in and sign-out.

use askama::Template;
use axum::extract::{FromRequest, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use axum_extra::extract::CookieJar;
use meijian_store::accounts::sessions;
use meijian_store::accounts::{self, LoginError, Principal};
use meijian_store::{audit, Actor};
use serde::Deserialize;
use time::OffsetDateTime;

use crate::error::{AppError, AppResult};
use crate::login_throttle::Attempt;
use crate::pages::render;
use crate::public_desk::limits::peer;
use crate::session::{anonymous_actor, removal_cookie, session_cookie, CurrentUser};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    error: Option<String>,
    username: String,
}

fn page(error: Option<String>, username: String) -> LoginPage {
    LoginPage { error, username }
}

#[tracing::instrument(skip_all)]
pub async fn show_login(user: Option<CurrentUser>) -> AppResult<Response> {
    if user.is_some() {
        return Ok(Redirect::to("/").into_response());
    }
    Ok(render(&page(None, String::new()))?.into_response())
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
        LoginError::Disabled => "该账户已停用，请联系管理员。".to_string(),
    }
}

/// A session opened by signing in, with the cookies to set.
pub struct SignedIn {
    pub principal: Principal,
    pub session: sessions::NewSession,
    /// The browser's jar with the session and device cookies added.
    pub jar: CookieJar,
}

/// Checks the throttles and the credentials and, if they hold, opens a session. Shared by
/// the form and the API. Over a throttle: `AppError::TooManyRequests`, the same for every
/// name.
#[tracing::instrument(skip_all)]
pub async fn sign_in(
    state: &AppState,
    actor: &Actor,
    client: std::net::IpAddr,
    jar: CookieJar,
    username: &str,
    password: &str,
) -> AppResult<Result<SignedIn, LoginError>> {
    let attempt = Attempt::new(state, client, username, &jar);
    attempt.admit(state).await?;
    let now = state.now();
    match accounts::authenticate(&state.store, actor, now, username, password).await? {
        Ok(principal) => {
            let mut tx = state.store.begin().await?;
            let session =
                sessions::create(&mut tx, &principal.account.id, now, actor.ip.as_deref()).await?;
            tx.commit().await?;
            let jar = jar
                .add(session_cookie(
                    session.token.clone(),
                    state.settings.secure_cookies,
                ))
                .add(attempt.device_cookie(state));
            Ok(Ok(SignedIn {
                principal,
                session,
                jar,
            }))
        }
        Err(LoginError::BadCredentials) => {
            attempt.failed(state).await?;
            Ok(Err(LoginError::BadCredentials))
        }
        Err(e) => Ok(Err(e)),
    }
}

#[tracing::instrument(skip_all)]
pub async fn submit_login(
    State(state): State<AppState>,
    jar: CookieJar,
    request: Request,
) -> AppResult<Response> {
    let actor = anonymous_actor(request.extensions());
    let client = peer(request.extensions());
    let Form(form) = Form::<LoginForm>::from_request(request, &state)
        .await
        .map_err(|_| AppError::Invalid {
            field: "表单".into(),
            message: "缺少用户名或密码".into(),
        })?;
    match sign_in(&state, &actor, client, jar, &form.username, &form.password).await {
        Ok(Ok(signed_in)) => Ok((signed_in.jar, Redirect::to("/")).into_response()),
        Ok(Err(e)) => {
            let html = render(&page(Some(login_error_message(&e)), form.username))?;
            Ok((StatusCode::UNAUTHORIZED, html).into_response())
        }
        Err(e @ AppError::TooManyRequests { .. }) => {
            let message = e.info().message;
            let html = render(&page(Some(message), form.username))?;
            Ok((StatusCode::TOO_MANY_REQUESTS, html).into_response())
        }
        Err(e) => Err(e),
    }
}

/// Ends the session and audits the sign-out.
#[tracing::instrument(skip_all)]
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

#[tracing::instrument(skip_all)]
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
