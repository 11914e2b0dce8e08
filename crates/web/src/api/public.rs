//! Public lookups through the API, without login: licensed institutions, doctors, key
//! products and ad review certificates (the public portal of a later issue uses them).

use std::collections::BTreeMap;

use axum::extract::State;
use axum::Json;
use meijian_store::public::lookup::{self, PublicKind};
use serde::Deserialize;
use utoipa::IntoParams;

use super::{ApiPath, ApiQuery};
use crate::error::{AppError, AppResult};
use crate::public_desk::limits::ClientAddr;
use crate::state::AppState;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LookupQuery {
    /// Part of the name or of the number (at least 2 characters, not counting leading and
    /// trailing spaces).
    #[param(min_length = 2, pattern = r"^\s*[^\s\u0000][^\u0000]*[^\s\u0000]\s*$")]
    pub q: String,
}

/// Look up current public records; `kind` is institutions, practitioners, products or ad-certificates.
#[utoipa::path(get, path = "/api/public/{kind}", tag = "public",
    params(("kind" = String, Path, description = "institutions | practitioners | products | ad-certificates"), LookupQuery),
    responses((status = 200, body = [Object], description = "public fields by their DATA.md aliases"),
        (status = 404, body = super::ErrorBody), (status = 422, body = super::ErrorBody), (status = 429, body = super::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn lookup(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    ApiPath(kind): ApiPath<String>,
    ApiQuery(q): ApiQuery<LookupQuery>,
) -> AppResult<Json<Vec<BTreeMap<String, String>>>> {
    let kind = PublicKind::from_code(&kind).ok_or(AppError::NotFound)?;
    state
        .desk
        .lookups
        .check(&state.shared, client, state.now())
        .await?;
    let today = meijian_store::timefmt::date_cst(state.now());
    Ok(Json(
        lookup::search(&state.store, kind, &q.q, &today, 20).await?,
    ))
}
