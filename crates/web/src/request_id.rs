//! Request ids, security headers, metrics and error rendering: the outer layers every
//! response passes through.

use std::time::Instant;

use askama::Template;
use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderValue, Request};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use rand::RngCore;

use crate::error::ErrorInfo;
use crate::settings::WebSettings;

/// The id of one request: in the logs, the audit log, the `X-Request-Id` header and every
/// error page, so that a user can quote it.
#[derive(Clone, Debug)]
pub struct RequestId(pub String);

fn new_request_id() -> String {
    let mut b = [0u8; 8];
    rand::thread_rng().fill_bytes(&mut b);
    hex::encode(b)
}

/// What the outer layer takes from the settings.
#[derive(Clone, Debug, Default)]
pub struct OuterSettings {
    /// Send `Strict-Transport-Security` (the site is served over HTTPS: `secure_cookies`).
    pub hsts: bool,
    /// Reverse proxies whose `X-Forwarded-For` names the client (`[server] trusted_proxies`).
    pub trusted_proxies: std::sync::Arc<[std::net::IpAddr]>,
}

impl OuterSettings {
    pub fn of(settings: &WebSettings) -> OuterSettings {
        OuterSettings {
            hsts: settings.secure_cookies,
            trusted_proxies: settings.trusted_proxies.clone().into(),
        }
    }
}

/// One year, the usual value: a browser that has seen the site once refuses plain HTTP to it
/// for a year. Without `includeSubDomains`: the platform lives on one host of a government
/// domain whose other hosts (other departments' systems, maybe plain HTTP) are not ours to
/// commit; and without `preload`, which cannot be taken back quickly.
const HSTS: &str = "max-age=31536000";

/// Assigns the request id, logs the request, counts it and sets the security headers.
pub async fn outer_layer(
    State(settings): State<OuterSettings>,
    mut request: Request<Body>,
    next: Next,
) -> Response {
    let id = new_request_id();
    request.extensions_mut().insert(RequestId(id.clone()));
    let client = crate::public_desk::limits::resolve_client(
        request.extensions(),
        request.headers(),
        &settings.trusted_proxies,
    );
    request.extensions_mut().insert(client);
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let api = path.starts_with("/api/");
    let started = Instant::now();
    let span = tracing::info_span!("request", request_id = %id, %method, %path);
    let response = {
        let _enter = span.enter();
        next.run(request).await
    };
    let mut response = render_error(response, &id, api);
    let status = response.status();
    let elapsed = started.elapsed();
    tracing::info!(parent: &span, status = status.as_u16(), ms = elapsed.as_millis() as u64, "done");
    let route = metric_route(&path);
    metrics::counter!("meijian_http_requests_total", "method" => method.to_string(), "status" => status.as_u16().to_string(), "route" => route).increment(1);
    metrics::histogram!("meijian_http_request_seconds").record(elapsed.as_secs_f64());
    let h = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&id) {
        h.insert("x-request-id", v);
    }
    // A handler may set a stricter policy (a download's `sandbox`); keep it.
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"),
        );
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if settings.hsts {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        );
    }
    if !path.starts_with("/static/") {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// A low-cardinality label for metrics: the first path segment, ids dropped.
fn metric_route(path: &str) -> String {
    let mut segs = path.trim_start_matches('/').split('/');
    let first = segs.next().unwrap_or("");
    if first == "api" {
        format!("/api/{}", segs.next().unwrap_or(""))
    } else {
        format!("/{first}")
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    status: u16,
    message: &'a str,
    request_id: &'a str,
}

/// Turns an [`ErrorInfo`] marker into the page or JSON body the client expects.
fn render_error(response: Response, request_id: &str, api: bool) -> Response {
    let Some(info) = response.extensions().get::<ErrorInfo>().cloned() else {
        return response;
    };
    if api {
        let body = serde_json::json!({
            "error": { "code": info.code, "message": info.message, "request_id": request_id }
        });
        return (info.status, axum::Json(body)).into_response();
    }
    if info.code == "unauthenticated" {
        return axum::response::Redirect::to("/login").into_response();
    }
    let page = ErrorPage {
        status: info.status.as_u16(),
        message: &info.message,
        request_id,
    };
    match page.render() {
        Ok(html) => (info.status, Html(html)).into_response(),
        Err(_) => (info.status, info.message).into_response(),
    }
}
