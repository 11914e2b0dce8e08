//! Registry records through the API: search a registry, read a record with its history.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::Json;
use meijian_store::registries::records::{self, Filter, RecordRow};
use meijian_store::timefmt;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ApiPath, ApiQuery};
use crate::error::AppResult;
use crate::pages::registries::registry_from_path;
use crate::session::CurrentUser;
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct RecordView {
    pub id: String,
    pub registry: String,
    pub record_key: String,
    pub name: Option<String>,
    pub uscc: Option<String>,
    pub region_code: String,
    pub status: Option<String>,
    pub category: Option<String>,
    /// Fields by their DATA.md alias; extra columns as `extra:<header>`.
    pub fields: BTreeMap<String, String>,
    pub version: i64,
    /// Set when the latest full export of the jurisdiction lacked the record.
    pub missing_since: Option<String>,
    pub updated_at: String,
}

impl From<RecordRow> for RecordView {
    fn from(r: RecordRow) -> Self {
        RecordView {
            fields: serde_json::from_str(&r.data_json).unwrap_or_default(),
            id: r.id,
            registry: r.registry.code().to_string(),
            record_key: r.record_key,
            name: r.name,
            uscc: r.uscc,
            region_code: r.region_code,
            status: r.status,
            category: r.category,
            version: r.version,
            missing_since: r.missing_since.map(timefmt::to_db),
            updated_at: timefmt::to_db(r.updated_at),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct RecordPage {
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    pub records: Vec<RecordView>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Substring of the name, key, USCC or another number.
    pub q: Option<String>,
    /// Region code (a district): its subtree.
    pub region: Option<String>,
    pub status: Option<String>,
    pub category: Option<String>,
    /// true: include records missing from the latest full export.
    pub include_missing: Option<bool>,
    /// Default 1.
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<i64>,
    /// Default 50.
    #[param(minimum = 1, maximum = 500)]
    pub per_page: Option<i64>,
}

/// Search one registry within my jurisdiction.
#[utoipa::path(get, path = "/api/registries/{code}", tag = "registries", params(("code" = String, Path, description = "registry code of DATA.md"), ListParams),
    responses((status = 200, body = RecordPage), (status = 401, body = super::ErrorBody), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn list_records(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(code): ApiPath<String>,
    ApiQuery(p): ApiQuery<ListParams>,
) -> AppResult<Json<RecordPage>> {
    let kind = registry_from_path(&code)?;
    let (page, per_page) = super::paging(p.page, p.per_page)?;
    let filter = Filter {
        q: p.q,
        region: p.region,
        status: p.status,
        category: p.category,
        include_missing: p.include_missing.unwrap_or(false),
    };
    let (rows, total) = records::list(
        &state.store,
        &user.scope,
        Some(&state.search),
        kind,
        &filter,
        page,
        per_page,
    )
    .await?;
    Ok(Json(RecordPage {
        total,
        page,
        per_page,
        records: rows.into_iter().map(RecordView::from).collect(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct VersionView {
    pub version: i64,
    pub import_id: String,
    pub file_name: String,
    pub line: i64,
    /// `{field: [old, new]}`; absent for the first version.
    pub changes: Option<serde_json::Value>,
    pub at: String,
}

#[derive(Serialize, ToSchema)]
pub struct RecordDetail {
    pub record: RecordView,
    pub versions: Vec<VersionView>,
    /// Records of any registry in my jurisdiction with the same USCC.
    pub same_uscc: Vec<RecordView>,
}

/// One record of my jurisdiction with every version and the records sharing its USCC.
#[utoipa::path(get, path = "/api/records/{id}", tag = "registries", params(("id" = String, Path, description = "record id")),
    responses((status = 200, body = RecordDetail), (status = 401, body = super::ErrorBody), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn get_record(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
) -> AppResult<Json<RecordDetail>> {
    let record = records::get(&state.store, &user.scope, &id).await?;
    let versions = records::versions(&state.store, &user.scope, &id).await?;
    let same = records::same_uscc(&state.store, &user.scope, &record).await?;
    Ok(Json(RecordDetail {
        record: record.into(),
        versions: versions
            .into_iter()
            .map(|v| VersionView {
                version: v.version,
                import_id: v.import_id,
                file_name: v.file_name,
                line: v.line,
                changes: v.changes_json.and_then(|c| serde_json::from_str(&c).ok()),
                at: timefmt::to_db(v.at),
            })
            .collect(),
        same_uscc: same.into_iter().map(RecordView::from).collect(),
    }))
}
