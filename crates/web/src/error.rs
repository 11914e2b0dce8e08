//! One error type for the web layer and its one mapping to HTTP.
//!
//! Handlers return `AppError`; `IntoResponse` only attaches an [`ErrorInfo`] to an empty
//! response, and the `render_errors` middleware turns that into a Chinese HTML page or a JSON
//! body (for `/api/`), with the request id. Causes of 5xx are logged, never sent.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use meijian_store::StoreError;

#[derive(Debug)]
pub enum AppError {
    /// Not found, or outside the user's scope: the same answer, so nothing leaks.
    NotFound,
    Forbidden,
    /// Not signed in (HTML: redirect to the login page; API: 401).
    Unauthenticated,
    /// The CSRF token or origin check failed.
    CsrfRejected,
    Invalid {
        field: String,
        message: String,
    },
    Conflict {
        field: String,
        message: String,
    },
    /// Over a rate limit of the public pages; how long to wait, in Chinese.
    TooManyRequests {
        retry_after: String,
    },
    Unavailable(String),
    Internal(String),
}

/// The error as the renderer needs it.
#[derive(Debug, Clone)]
pub struct ErrorInfo {
    pub status: StatusCode,
    /// Stable code for API clients, e.g. `not_found`.
    pub code: &'static str,
    /// Message for people, in Chinese.
    pub message: String,
}

impl AppError {
    pub fn info(&self) -> ErrorInfo {
        let (status, code, message) = match self {
            AppError::NotFound => (
                StatusCode::NOT_FOUND,
                "not_found",
                "您访问的页面或记录不存在。".to_string(),
            ),
            AppError::Forbidden => (
                StatusCode::FORBIDDEN,
                "forbidden",
                "您没有权限执行此操作。".to_string(),
            ),
            AppError::Unauthenticated => (
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "请先登录。".to_string(),
            ),
            AppError::CsrfRejected => (
                StatusCode::FORBIDDEN,
                "csrf",
                "表单已失效或来源不可信，请刷新页面后重试。".to_string(),
            ),
            AppError::Invalid { field, message } => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
                format!("{field}：{message}"),
            ),
            AppError::Conflict { field, message } => (
                StatusCode::CONFLICT,
                "conflict",
                format!("{field}：{message}"),
            ),
            AppError::TooManyRequests { retry_after } => (
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                format!("操作过于频繁，请 {retry_after}后再试。"),
            ),
            AppError::Unavailable(_) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "服务暂时不可用，请稍后再试。".to_string(),
            ),
            AppError::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "系统内部错误，请联系管理员并提供请求编号。".to_string(),
            ),
        };
        ErrorInfo {
            status,
            code,
            message,
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Forbidden => AppError::Forbidden,
            StoreError::Invalid { field, message } => AppError::Invalid {
                field: field.to_string(),
                message,
            },
            StoreError::Conflict { field, message } => AppError::Conflict {
                field: field.to_string(),
                message,
            },
            StoreError::Unreachable { .. } => AppError::Unavailable(e.to_string()),
            StoreError::Database(sqlx::Error::PoolTimedOut) => AppError::Unavailable(e.to_string()),
            other => AppError::Internal(format!("{other:?}")),
        }
    }
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        AppError::from(StoreError::from(e))
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        match &self {
            AppError::Internal(cause) => tracing::error!(%cause, "request failed"),
            AppError::Unavailable(cause) => tracing::warn!(%cause, "service unavailable"),
            _ => {}
        }
        let info = self.info();
        let mut resp = info.status.into_response();
        resp.extensions_mut().insert(info);
        resp
    }
}

pub type AppResult<T> = Result<T, AppError>;
