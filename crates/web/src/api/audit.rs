//! The audit log through the API (administrators and leaders), scoped like the page.

use axum::extract::State;
use axum::Json;
use meijian_store::audit;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::ApiQuery;
use crate::error::AppResult;
use crate::session::CurrentUser;
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct AuditEntryView {
    pub seq: i64,
    /// RFC 3339, UTC.
    pub at: String,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub region_code: Option<String>,
    /// JSON of the record before the change, if any.
    pub before: Option<String>,
    /// JSON of the record after the change, if any.
    pub after: Option<String>,
    pub ip: Option<String>,
    pub request_id: Option<String>,
    pub hash: String,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// How many of the newest entries (default 100).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
}

/// The newest audit entries of my jurisdiction.
#[utoipa::path(get, path = "/api/audit", tag = "audit", params(AuditQuery),
    responses((status = 200, body = [AuditEntryView]), (status = 401, body = super::ErrorBody),
        (status = 403, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn list_audit(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> AppResult<Json<Vec<AuditEntryView>>> {
    let limit = match q.limit {
        None => 100,
        Some(n) if (1..=1000).contains(&n) => n,
        Some(_) => return Err(super::invalid("参数 limit", "应为 1–1000")),
    };
    let entries = audit::recent(&state.store, &user.scope, limit).await?;
    Ok(Json(
        entries
            .into_iter()
            .map(|e| AuditEntryView {
                seq: e.seq,
                at: meijian_store::timefmt::to_db(e.at),
                actor: e.actor_name,
                action: e.action,
                entity: e.entity,
                entity_id: e.entity_id,
                region_code: e.region_code,
                before: e.before_json,
                after: e.after_json,
                ip: e.ip,
                request_id: e.request_id,
                hash: e.hash,
            })
            .collect(),
    ))
}
