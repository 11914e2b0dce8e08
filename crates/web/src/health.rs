//! `/healthz` for load balancers and `/metrics` for Prometheus (on the main address or a
//! separate one, see [`MetricsSettings`](crate::settings::MetricsSettings)).

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use metrics_exporter_prometheus::PrometheusHandle;
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::error::AppError;
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct Health {
    /// "ok" or "degraded"
    pub status: &'static str,
    pub database: &'static str,
}

/// Liveness and database reachability. 200 when the database answers, 503 otherwise.
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, body = Health), (status = 503, body = Health)))]
pub async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    match state.store.ping().await {
        Ok(()) => (
            StatusCode::OK,
            Json(Health {
                status: "ok",
                database: "ok",
            }),
        ),
        Err(e) => {
            tracing::warn!(error = %e, "health check: database unreachable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(Health {
                    status: "degraded",
                    database: "unreachable",
                }),
            )
        }
    }
}

/// Prometheus text exposition of the request counters and latencies, on the main address.
/// Who may read it is set by [`crate::settings::MetricsSettings`]: with a separate `listen`
/// address, nobody here; with a `token`, whoever sends it; else loopback peers only. Everyone
/// else gets the 404 of an unknown page, so that the endpoint's existence is not advertised.
pub async fn metrics(State(state): State<AppState>, request: Request) -> Response {
    let m = &state.settings.metrics;
    let allowed = match (&m.listen, &m.token) {
        (Some(_), _) => false,
        (None, Some(token)) => bearer_matches(request.headers(), token),
        (None, None) => from_loopback(&request),
    };
    if !allowed {
        return AppError::NotFound.into_response();
    }
    exposition(&state.metrics)
}

fn exposition(metrics: &PrometheusHandle) -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        metrics.render(),
    )
        .into_response()
}

/// `Authorization: Bearer <token>` with the right token. Compared as SHA-256 digests, byte by
/// byte without an early exit, so that neither the time nor the length gives it away.
fn bearer_matches(headers: &HeaderMap, token: &str) -> bool {
    let Some(given) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, t)| t.trim())
    else {
        return false;
    };
    let (a, b) = (
        Sha256::digest(given.as_bytes()),
        Sha256::digest(token.as_bytes()),
    );
    let diff = a
        .iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(diff) == 0
}

/// The TCP peer is this machine, and no proxy relayed the request (a reverse proxy on the same
/// host makes every visitor a loopback peer; it marks what it relays with these headers).
fn from_loopback(request: &Request) -> bool {
    let relayed = ["forwarded", "x-forwarded-for", "x-real-ip"]
        .iter()
        .any(|h| request.headers().contains_key(*h));
    let loopback = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .is_some_and(|ConnectInfo(peer)| peer.ip().to_canonical().is_loopback());
    loopback && !relayed
}

/// `/metrics` alone, for the separate address of `[metrics] listen`: open to whoever reaches
/// that address (keep it on a private interface), or to bearers of `token` when one is set.
/// `metrics` is [`crate::metrics_handle`].
pub fn metrics_router(metrics: PrometheusHandle, token: Option<String>) -> Router {
    let token: Option<Arc<str>> = token.map(Arc::from);
    Router::new()
        .route(
            "/metrics",
            get(move |headers: HeaderMap| async move {
                match &token {
                    Some(t) if !bearer_matches(&headers, t) => {
                        StatusCode::NOT_FOUND.into_response()
                    }
                    _ => exposition(&metrics),
                }
            }),
        )
        .fallback(|| async { StatusCode::NOT_FOUND })
}

/// Serves [`metrics_router`] on `listener` until `shutdown` resolves.
pub async fn serve_metrics(
    listener: tokio::net::TcpListener,
    metrics: PrometheusHandle,
    token: Option<String>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, metrics_router(metrics, token))
        .with_graceful_shutdown(shutdown)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_auth(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        if let Ok(v) = value.parse() {
            h.insert(header::AUTHORIZATION, v);
        }
        h
    }

    fn from_peer(peer: &str, forwarded: bool) -> bool {
        let mut r = Request::new(axum::body::Body::empty());
        if let Ok(addr) = peer.parse::<SocketAddr>() {
            r.extensions_mut().insert(ConnectInfo(addr));
        }
        if forwarded {
            r.headers_mut().insert(
                "x-forwarded-for",
                header::HeaderValue::from_static("203.0.113.7"),
            );
        }
        from_loopback(&r)
    }

    #[test]
    fn without_configuration_only_loopback_peers_read_metrics() {
        assert!(from_peer("127.0.0.1:50000", false));
        assert!(from_peer("[::1]:50000", false));
        assert!(from_peer("[::ffff:127.0.0.1]:50000", false));
        assert!(!from_peer("10.0.0.5:50000", false));
        assert!(!from_peer("[2001:db8::1]:50000", false));
        assert!(!from_peer("no peer", false), "no connection info: refused");
        assert!(
            !from_peer("127.0.0.1:50000", true),
            "relayed by a proxy on this host: refused"
        );
    }

    #[test]
    fn bearer_token_must_match_exactly() {
        let token = "s3cret-metrics-token";
        assert!(bearer_matches(
            &with_auth("Bearer s3cret-metrics-token"),
            token
        ));
        assert!(bearer_matches(
            &with_auth("bearer s3cret-metrics-token"),
            token
        ));
        assert!(!bearer_matches(
            &with_auth("Bearer s3cret-metrics-toke"),
            token
        ));
        assert!(!bearer_matches(
            &with_auth("Bearer s3cret-metrics-token2"),
            token
        ));
        assert!(!bearer_matches(
            &with_auth("Basic s3cret-metrics-token"),
            token
        ));
        assert!(!bearer_matches(&with_auth("s3cret-metrics-token"), token));
        assert!(!bearer_matches(&HeaderMap::new(), token));
    }
}
