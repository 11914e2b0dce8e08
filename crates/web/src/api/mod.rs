//! The JSON API: the same actions as the pages, for other systems and scripts, described by
//! the OpenAPI document at `/api/openapi.json`. Authentication is the session cookie
//! (`POST /api/session`); unsafe methods need the `X-CSRF-Token` header it returns.

pub mod audit;
pub mod departments;
pub mod public;
pub mod registries;
pub mod session;
pub mod users;

use axum::routing::{get, post};
use axum::{Json, Router};
use utoipa::OpenApi;

use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "医美综合监管平台 API",
        description = "Meijian JSON API. Every list and record is limited to the caller's jurisdiction."
    ),
    paths(
        session::create_session,
        session::delete_session,
        session::me,
        session::dashboard,
        departments::list_departments,
        departments::get_department,
        departments::create_department,
        users::list_users,
        users::get_user,
        users::create_user,
        users::act_on_user,
        audit::list_audit,
        public::lookup,
        registries::list_records,
        registries::get_record,
        crate::health::healthz,
    ),
    components(schemas(
        session::LoginRequest,
        session::SessionView,
        session::MeView,
        session::CountsView,
        departments::DepartmentView,
        departments::DepartmentDetail,
        departments::NewDepartmentRequest,
        users::UserView,
        users::NewUserRequest,
        users::CreatedUser,
        ErrorBody,
        ErrorDetail,
    ))
)]
pub struct ApiDoc;

/// Error body of every failed API call.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable code: not_found, forbidden, unauthenticated, csrf, invalid, conflict, unavailable, internal.
    pub code: String,
    /// Message in Chinese.
    pub message: String,
    pub request_id: String,
}

/// `Json` whose rejections (bad syntax, wrong types, wrong content type) answer in the API's
/// error format, like every other failure.
pub struct ApiJson<T>(pub T);

impl<T, S> axum::extract::FromRequest<S> for ApiJson<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = crate::error::AppError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(ApiJson(v)),
            Err(e) => Err(crate::error::AppError::Invalid {
                field: "请求体".into(),
                message: e.body_text(),
            }),
        }
    }
}

async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/openapi.json", get(openapi_json))
        .route(
            "/api/session",
            post(session::create_session).delete(session::delete_session),
        )
        .route("/api/me", get(session::me))
        .route("/api/dashboard", get(session::dashboard))
        .route(
            "/api/departments",
            get(departments::list_departments).post(departments::create_department),
        )
        .route("/api/departments/{id}", get(departments::get_department))
        .route(
            "/api/users",
            get(users::list_users).post(users::create_user),
        )
        .route("/api/users/{id}", get(users::get_user))
        .route("/api/users/{id}/actions", post(users::act_on_user))
        .route("/api/audit", get(audit::list_audit))
        .route("/api/public/{kind}", get(public::lookup))
        .route("/api/registries/{code}", get(registries::list_records))
        .route("/api/records/{id}", get(registries::get_record))
}
