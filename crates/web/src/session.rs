//! The session layer: the one place that decides who is asking and whether an unsafe request
//! may proceed.
//!
//! For every request it resolves the session cookie once and stores the result in the request
//! extensions, where the [`CurrentUser`] extractor finds it. For every unsafe method
//! (POST/PUT/PATCH/DELETE) it checks that the request comes from our own pages (Origin, with
//! its scheme, and Sec-Fetch-Site) and, when a session is present, that it carries the
//! session's CSRF token (`X-CSRF-Token` header, the `_csrf` field of a URL-encoded form, or
//! for a multipart upload the `_csrf` field that comes first in the body; never the URL, which
//! ends up in logs and the browser history). A handler cannot forget either check: it never
//! sees a request that failed them.

use axum::body::{to_bytes, Body, Bytes};
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, Method, Request};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use futures_util::StreamExt;
use meijian_store::accounts::sessions::{self, ActiveSession};
use meijian_store::accounts::Principal;
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
    Some(crate::public_desk::limits::peer(parts_ext))
        .filter(|ip| !ip.is_unspecified())
        .map(|ip| ip.to_string())
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
        if !same_origin(&parts.headers, state.settings.secure_cookies) {
            tracing::warn!(path = %parts.uri.path(), "cross-origin unsafe request refused");
            return refuse(body, state.settings.max_body_bytes).await;
        }
        if let Some(session) = &active {
            // Only the POSTs are exempt: `DELETE /api/session` (sign-out) needs the token.
            if !(parts.method == Method::POST && NO_TOKEN_PATHS.contains(&parts.uri.path())) {
                let (ok, rebuilt) = token_matches(
                    &parts.headers,
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

/// True unless the browser tells us the request comes from another site. An `Origin` must
/// name our host with our scheme: https when the app is served behind HTTPS (secure cookies
/// on), else http.
fn same_origin(headers: &HeaderMap, secure: bool) -> bool {
    if headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == "cross-site")
    {
        return false;
    }
    match (headers.get(header::ORIGIN), headers.get(header::HOST)) {
        (Some(origin), Some(host)) => {
            let scheme = if secure { "https" } else { "http" };
            let origin = origin.to_str().unwrap_or("");
            let host = host.to_str().unwrap_or("");
            origin.split_once("://").is_some_and(|(s, rest)| {
                s.eq_ignore_ascii_case(scheme)
                    && rest.trim_end_matches('/').eq_ignore_ascii_case(host)
            })
        }
        (Some(_), None) => false,
        // Browsers send Origin on every cross-origin POST; a request without it comes from a
        // non-browser client or a same-origin navigation of an old browser.
        (None, _) => true,
    }
}

/// How much of a multipart body the CSRF check reads, at most, to find the token in its
/// first part.
const MULTIPART_PREFIX: usize = 64 * 1024;

/// Checks the token in the header, the URL-encoded form body or the first part of a multipart
/// body; returns the body intact for the handler.
async fn token_matches(
    headers: &HeaderMap,
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
    // File uploads (multipart) carry the token as the form's first field: the body may be
    // hundreds of megabytes and is streamed to disk by the handler, so only its beginning is
    // read here.
    if content_type.starts_with("multipart/form-data") {
        let (found, body) = multipart_token(content_type, body).await;
        let ok = found.is_some_and(|v| constant_time_eq(v.as_bytes(), expected.as_bytes()));
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

/// The `_csrf` field of a multipart body when it is the first part and ends within the first
/// [`MULTIPART_PREFIX`] bytes, and the body for the handler: the bytes read, then the rest of
/// the stream, unchanged.
async fn multipart_token(content_type: &str, body: Body) -> (Option<String>, Body) {
    let Ok(boundary) = multer::parse_boundary(content_type) else {
        return (None, body);
    };
    let mut rest = body.into_data_stream();
    let mut prefix: Vec<Bytes> = Vec::new();
    let mut read = 0usize;
    let mut broken = false;
    while read < MULTIPART_PREFIX {
        match rest.next().await {
            Some(Ok(chunk)) => {
                read += chunk.len();
                prefix.push(chunk);
            }
            Some(Err(_)) => {
                broken = true;
                break;
            }
            None => break,
        }
    }
    let token = if broken {
        None
    } else {
        first_field_csrf(&prefix, &boundary).await
    };
    let replay = futures_util::stream::iter(prefix.into_iter().map(Ok::<_, axum::Error>));
    (token, Body::from_stream(replay.chain(rest)))
}

/// The value of the first part of `prefix` (at most [`MULTIPART_PREFIX`] bytes of it) when
/// that part is `_csrf`.
async fn first_field_csrf(prefix: &[Bytes], boundary: &str) -> Option<String> {
    let mut head = Vec::with_capacity(MULTIPART_PREFIX.min(prefix.iter().map(Bytes::len).sum()));
    for chunk in prefix {
        let room = MULTIPART_PREFIX - head.len();
        head.extend_from_slice(&chunk[..chunk.len().min(room)]);
    }
    let once = futures_util::stream::once(async move {
        Ok::<Bytes, std::convert::Infallible>(Bytes::from(head))
    });
    let mut parts = multer::Multipart::new(once, boundary);
    let field = parts.next_field().await.ok()??;
    if field.name() != Some("_csrf") {
        return None;
    }
    field.text().await.ok()
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use axum::http::HeaderValue;

    const BOUNDARY: &str = "----testBoundary";

    fn part(name: &str, value: &str) -> String {
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        )
    }

    /// `bytes` as a body arriving in chunks of `size`.
    fn chunked(bytes: &[u8], size: usize) -> Body {
        let chunks: Vec<Result<Bytes, axum::Error>> = bytes
            .chunks(size)
            .map(|c| Ok(Bytes::copy_from_slice(c)))
            .collect();
        Body::from_stream(futures_util::stream::iter(chunks))
    }

    async fn check(body: Vec<u8>, chunk: usize) -> (Option<String>, Vec<u8>) {
        let ct = format!("multipart/form-data; boundary={BOUNDARY}");
        let (token, rebuilt) = multipart_token(&ct, chunked(&body, chunk)).await;
        let bytes = to_bytes(rebuilt, usize::MAX).await.unwrap().to_vec();
        (token, bytes)
    }

    #[tokio::test]
    async fn the_token_is_the_first_part_and_the_body_passes_on_whole() {
        let big = "x".repeat(300 * 1024);
        let body = format!(
            "{}{}{}--{BOUNDARY}--\r\n",
            part("_csrf", "abc123"),
            part("registry", "registrations"),
            part("file", &big)
        )
        .into_bytes();
        for chunk in [1, 7, 1000, 64 * 1024, 1 << 20] {
            let (token, bytes) = check(body.clone(), chunk).await;
            assert_eq!(token.as_deref(), Some("abc123"), "chunks of {chunk}");
            assert_eq!(bytes, body, "chunks of {chunk}");
        }
        // Not first: not found (and the body is still whole).
        let body = format!(
            "{}{}--{BOUNDARY}--\r\n",
            part("registry", "registrations"),
            part("_csrf", "abc123")
        )
        .into_bytes();
        let (token, bytes) = check(body.clone(), 100).await;
        assert_eq!((token, bytes), (None, body));
        // A first part that does not end within the prefix: not found.
        let body = format!("{}--{BOUNDARY}--\r\n", part("_csrf", &big)).into_bytes();
        let (token, bytes) = check(body.clone(), 4096).await;
        assert_eq!((token, bytes.len()), (None, body.len()));
    }

    #[test]
    fn the_origin_has_our_scheme_and_host() {
        let headers = |origin: &str| {
            let mut h = HeaderMap::new();
            h.insert(
                header::HOST,
                HeaderValue::from_static("example.gov.cn:8080"),
            );
            h.insert(header::ORIGIN, HeaderValue::from_str(origin).unwrap());
            h
        };
        assert!(same_origin(&headers("http://example.gov.cn:8080"), false));
        assert!(!same_origin(&headers("https://example.gov.cn:8080"), false));
        assert!(same_origin(&headers("https://example.gov.cn:8080"), true));
        assert!(!same_origin(&headers("http://example.gov.cn:8080"), true));
        assert!(!same_origin(&headers("http://evil.example"), false));
        assert!(!same_origin(&headers("null"), false));
        assert!(
            same_origin(&HeaderMap::new(), true),
            "no Origin: not a browser's cross-site request"
        );
    }
}
