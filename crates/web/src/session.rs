//! The session layer: the one place that decides who is asking and whether an unsafe request
//! may proceed.
//!
//! For every request it resolves the session cookie once and stores the result in the request
//! extensions, where the [`CurrentUser`] extractor finds it. For every unsafe method
//! (POST/PUT/PATCH/DELETE) it checks that the request comes from our own pages (Origin and
//! Sec-Fetch-Site) and, when a session is present, that it carries the session's CSRF token
//! (`X-CSRF-Token` header, the `_csrf` field of a URL-encoded form, or for a multipart upload
//! the `_csrf` parameter of the form's action URL). A handler cannot
//! forget either check: it never sees a request that failed them.

use std::net::SocketAddr;

use axum::body::{to_bytes, Body};
use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, Method, Request};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use meijian_store::accounts::Principal;
use meijian_store::sessions::{self, ActiveSession};
use meijian_store::{Actor, Scope};

use crate::error::AppError;
use crate::request_id::RequestId;
use crate::state::AppState;

pub const COOKIE: &str = "meijian_session";

/// Paths where a POST without a session is expected: sign-in (it creates one) and the public
/// complaint pages, which act for no session (their signed form token guards them).
const NO_TOKEN_PATHS: [&str; 8] = [
    "/login",
    "/api/session",
    "/complaints",
    "/complaints/status",
    "/complaints/rate",
    "/api/public/complaints",
    "/api/public/complaints/status",
    "/api/public/complaints/rate",
];

/// Who is asking: the signed-in user with their scope, and the CSRF token for forms.
#[derive(Clone, Debug)]
pub struct CurrentUser {
    pub principal: Principal,
    pub scope: Scope,
    pub csrf_token: String,
    pub token_hash: String,
}

/// The peer address of the request, for the audit log.
pub fn client_ip(parts_ext: &axum::http::Extensions) -> Option<String> {
    parts_ext
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip().to_string())
}

/// The actor of a request before sign-in (ip and request id only).
pub fn anonymous_actor(ext: &axum::http::Extensions) -> Actor {
    Actor {
        account_id: None,
        name: "anonymous".to_string(),
        ip: client_ip(ext),
        request_id: ext.get::<RequestId>().map(|r| r.0.clone()),
    }
}

/// The 403 of a refused unsafe request, sent after reading what is left of its body (up to
/// `limit`): answering while a browser still uploads makes it report a broken connection
/// instead of showing the refusal.
async fn refuse(body: Body, limit: usize) -> Response {
    let _ = to_bytes(body, limit).await;
    AppError::CsrfRejected.into_response()
}

/// Resolves the session and enforces origin and CSRF checks; see the module doc.
pub async fn session_layer(
    State(state): State<AppState>,
    jar: CookieJar,
    request: Request<Body>,
    next: Next,
) -> Response {
    let (mut parts, body) = request.into_parts();
    let active = match jar.get(COOKIE) {
        Some(c) => match sessions::lookup(
            &state.store,
            c.value(),
            state.now(),
            &state.settings.session,
        )
        .await
        {
            Ok(s) => s,
            Err(e) => return AppError::from(e).into_response(),
        },
        None => None,
    };
    let unsafe_method = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
    let mut body = body;
    if unsafe_method {
        if !same_origin(&parts.headers) {
            tracing::warn!(path = %parts.uri.path(), "cross-origin unsafe request refused");
            return refuse(body, state.settings.max_body_bytes).await;
        }
        if let Some(session) = &active {
            if !NO_TOKEN_PATHS.contains(&parts.uri.path()) {
                let (ok, rebuilt) = token_matches(
                    &parts.headers,
                    parts.uri.query(),
                    body,
                    &session.csrf_token,
                    state.settings.max_body_bytes,
                )
                .await;
                if !ok {
                    tracing::warn!(path = %parts.uri.path(), "missing or wrong CSRF token");
                    return refuse(rebuilt, state.settings.max_body_bytes).await;
                }
                body = rebuilt;
            }
        }
    }
    if let Some(session) = active {
        let mut actor = anonymous_actor(&parts.extensions);
        actor.name = session.principal.account.username.clone();
        match session.principal.scope(actor) {
            Ok(scope) => {
                let ActiveSession {
                    token_hash,
                    csrf_token,
                    principal,
                } = session;
                parts.extensions.insert(CurrentUser {
                    principal,
                    scope,
                    csrf_token,
                    token_hash,
                });
            }
            Err(e) => return AppError::from(e).into_response(),
        }
    }
    next.run(Request::from_parts(parts, body)).await
}

/// True unless the browser tells us the request comes from another site.
fn same_origin(headers: &HeaderMap) -> bool {
    if headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == "cross-site")
    {
        return false;
    }
    match (headers.get(header::ORIGIN), headers.get(header::HOST)) {
        (Some(origin), Some(host)) => {
            let origin = origin.to_str().unwrap_or("");
            let host = host.to_str().unwrap_or("");
            origin
                .split_once("://")
                .is_some_and(|(_, rest)| rest.trim_end_matches('/') == host)
        }
        (Some(_), None) => false,
        // Browsers send Origin on every cross-origin POST; a request without it comes from a
        // non-browser client or a same-origin navigation of an old browser.
        (None, _) => true,
    }
}

/// Checks the token in the header or in the URL-encoded form body; returns the body intact
/// for the handler.
async fn token_matches(
    headers: &HeaderMap,
    query: Option<&str>,
    body: Body,
    expected: &str,
    limit: usize,
) -> (bool, Body) {
    if let Some(v) = headers.get("x-csrf-token").and_then(|v| v.to_str().ok()) {
        return (constant_time_eq(v.as_bytes(), expected.as_bytes()), body);
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    // File uploads (multipart) carry the token in the form's action URL: the body may be
    // hundreds of megabytes and is streamed to disk by the handler, never buffered here.
    if content_type.starts_with("multipart/form-data") {
        let ok = query
            .and_then(|q| form_urlencoded_field(q.as_bytes(), "_csrf"))
            .is_some_and(|v| constant_time_eq(v.as_bytes(), expected.as_bytes()));
        return (ok, body);
    }
    if !content_type.starts_with("application/x-www-form-urlencoded") {
        return (false, body);
    }
    let Ok(bytes) = to_bytes(body, limit).await else {
        return (false, Body::empty());
    };
    let found = form_urlencoded_field(&bytes, "_csrf");
    let ok = found.is_some_and(|v| constant_time_eq(v.as_bytes(), expected.as_bytes()));
    (ok, Body::from(bytes))
}

fn form_urlencoded_field(bytes: &[u8], name: &str) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(bytes)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl axum::extract::OptionalFromRequestParts<AppState> for CurrentUser {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        _: &AppState,
    ) -> Result<Option<Self>, Self::Rejection> {
        Ok(parts.extensions.get::<CurrentUser>().cloned())
    }
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, AppError> {
        parts
            .extensions
            .get::<CurrentUser>()
            .cloned()
            .ok_or(AppError::Unauthenticated)
    }
}

/// The session cookie: HttpOnly, SameSite=Lax, Secure behind HTTPS.
pub fn session_cookie(token: String, secure: bool) -> Cookie<'static> {
    Cookie::build((COOKIE, token))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .build()
}

/// A cookie that deletes the session cookie.
pub fn removal_cookie() -> Cookie<'static> {
    let mut c = Cookie::build((COOKIE, "")).path("/").build();
    c.make_removal();
    c
}
