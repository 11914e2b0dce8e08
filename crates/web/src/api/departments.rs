//! Departments through the API.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use meijian_store::accounts;
use meijian_store::accounts::departments::{self, Department, NewDepartment};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::users::{user_view, UserView};
use super::{ApiJson, ApiPath};
use crate::error::AppResult;
use crate::session::CurrentUser;
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct DepartmentView {
    pub id: String,
    /// Stable kind code, e.g. market_regulation.
    pub kind: String,
    pub kind_label: String,
    pub region_code: String,
    pub region_name: String,
    pub name: String,
}

impl From<Department> for DepartmentView {
    fn from(d: Department) -> Self {
        DepartmentView {
            kind_label: d.kind_label().to_string(),
            region_name: d.region_name(),
            id: d.id,
            kind: d.kind.code().to_string(),
            region_code: d.region_code,
            name: d.name,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct DepartmentDetail {
    pub department: DepartmentView,
    pub members: Vec<UserView>,
}

/// Departments of my jurisdiction.
#[utoipa::path(get, path = "/api/departments", tag = "departments",
    responses((status = 200, body = [DepartmentView]), (status = 401, body = super::ErrorBody), (status = 403, body = super::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn list_departments(
    State(state): State<AppState>,
    user: CurrentUser,
) -> AppResult<Json<Vec<DepartmentView>>> {
    let list = departments::list(&state.store, &user.scope).await?;
    Ok(Json(list.into_iter().map(DepartmentView::from).collect()))
}

/// One department of my jurisdiction and its members; 404 for any other id.
#[utoipa::path(get, path = "/api/departments/{id}", tag = "departments",
    params(("id" = String, Path, description = "department id")),
    responses((status = 200, body = DepartmentDetail), (status = 401, body = super::ErrorBody), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn get_department(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
) -> AppResult<Json<DepartmentDetail>> {
    let d = departments::get(&state.store, &user.scope, &id).await?;
    let members = accounts::members(&state.store, &user.scope, &d.id).await?;
    Ok(Json(DepartmentDetail {
        department: d.into(),
        members: members.into_iter().map(user_view).collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct NewDepartmentRequest {
    /// A department kind code (listed in this document).
    pub kind: String,
    /// A region of my jurisdiction, six digits.
    #[schema(pattern = r"^[1-8][0-9]{5}$")]
    pub region_code: String,
    /// Defaults to the region's and the kind's name, e.g. 枣庄市薛城区市场监督管理局.
    pub name: Option<String>,
}

/// Create a department in my jurisdiction (administrators).
#[utoipa::path(post, path = "/api/departments", tag = "departments", request_body = NewDepartmentRequest,
    responses((status = 201, body = DepartmentView), (status = 401, body = super::ErrorBody), (status = 403, body = super::ErrorBody), (status = 409, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn create_department(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(req): ApiJson<NewDepartmentRequest>,
) -> AppResult<(StatusCode, Json<DepartmentView>)> {
    let new = NewDepartment::parse(&req.kind, &req.region_code, req.name)?;
    let mut tx = state.store.begin().await?;
    let d = departments::create(&mut tx, &user.scope, state.now(), new).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(d.into())))
}
