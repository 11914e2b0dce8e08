//! The duty matrix page (职责分工): which department kind handles each category of lead in
//! the administrator's jurisdiction, from the seeds' defaults or the jurisdiction's own rule.
//!
//! Administrators only (`ManageSettings`). Changes go through the store, which audits them;
//! a new lead is routed by the matrix in force when it arrives.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use meijian_domain::department::DepartmentKind;
use meijian_domain::lead::Category;
use meijian_domain::role::Permission;
use meijian_store::leads::routing;
use meijian_store::StoreError;
use serde::Deserialize;

use crate::chrome::Chrome;
use crate::error::{AppError, AppResult};
use crate::pages::{region_name, render};
use crate::session::CurrentUser;
use crate::state::AppState;

/// The routes of this page.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/duty", get(show_duty))
        .route("/admin/duty/{category}", post(set_duty))
        .route("/admin/duty/{category}/reset", post(reset_duty))
}

/// One category's rule as the page shows it.
pub struct RuleRow {
    pub code: &'static str,
    pub category: &'static str,
    /// Lead kinds in order of preference, by code, padded to three for the selects.
    pub lead: [String; 3],
    pub lead_text: String,
    pub assist: Vec<&'static str>,
    pub assist_text: String,
    pub basis: String,
    /// 默认 (seed), 本级设置 or the region that set it.
    pub origin: String,
    /// The jurisdiction's own rule, which can be reset.
    pub own: bool,
}

#[derive(Template)]
#[template(path = "admin_duty.html")]
struct DutyPage {
    chrome: Chrome,
    jurisdiction: String,
    notice: Option<&'static str>,
    error: Option<String>,
    rules: Vec<RuleRow>,
    kinds: Vec<(&'static str, &'static str)>,
}

fn names(kinds: &[DepartmentKind]) -> String {
    kinds
        .iter()
        .map(|k| k.label_zh())
        .collect::<Vec<_>>()
        .join("、")
}

async fn duty_page(
    state: &AppState,
    user: &CurrentUser,
    notice: Option<&'static str>,
    error: Option<String>,
) -> AppResult<Html<String>> {
    user.scope.require(Permission::ManageSettings)?;
    let region = user
        .scope
        .region
        .as_ref()
        .map(|r| r.as_str().to_string())
        .ok_or(AppError::NotFound)?;
    let rules = routing::rules_in_force(&state.store, &region).await?;
    let rows = rules
        .into_iter()
        .map(|r| {
            let mut lead: [String; 3] = Default::default();
            for (slot, k) in lead.iter_mut().zip(&r.rule.lead) {
                *slot = k.code().to_string();
            }
            RuleRow {
                code: r.rule.category.code(),
                category: r.rule.category.label_zh(),
                lead,
                lead_text: names(&r.rule.lead),
                assist: r.rule.assist.iter().map(|k| k.code()).collect(),
                assist_text: names(&r.rule.assist),
                basis: r.basis_text,
                own: r.set_at.as_deref() == Some(region.as_str()),
                origin: match &r.set_at {
                    None => "默认分工".to_string(),
                    Some(at) if at == &region => "本级设置".to_string(),
                    Some(at) => format!("{}设置", region_name(at)),
                },
            }
        })
        .collect();
    render(&DutyPage {
        chrome: Chrome::new(user, "/admin"),
        jurisdiction: region_name(&region),
        notice,
        error,
        rules: rows,
        kinds: DepartmentKind::ALL
            .iter()
            .map(|k| (k.code(), k.label_zh()))
            .collect(),
    })
}

/// `?notice=` after a change: fixed texts only.
#[derive(Deserialize)]
pub struct NoticeQuery {
    notice: Option<String>,
}

#[tracing::instrument(skip_all)]
pub async fn show_duty(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<NoticeQuery>,
) -> AppResult<Html<String>> {
    let notice = match q.notice.as_deref() {
        Some("saved") => Some("已保存。此后收到的线索按新的分工分派。"),
        Some("reset") => Some("已恢复为默认分工。"),
        _ => None,
    };
    duty_page(&state, &user, notice, None).await
}

/// The form of one row: `lead1`..`lead3` selects, `assist_<kind>` checkboxes, `basis`.
#[tracing::instrument(skip_all)]
pub async fn set_duty(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(category): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    let category = Category::from_code(&category).ok_or(AppError::NotFound)?;
    let mut lead: Vec<DepartmentKind> = Vec::new();
    for key in ["lead1", "lead2", "lead3"] {
        if let Some(k) = form.get(key).and_then(|c| DepartmentKind::from_code(c)) {
            if !lead.contains(&k) {
                lead.push(k);
            }
        }
    }
    let assist: Vec<DepartmentKind> = DepartmentKind::ALL
        .into_iter()
        .filter(|k| form.contains_key(&format!("assist_{}", k.code())) && !lead.contains(k))
        .collect();
    let basis = form.get("basis").map(String::as_str).unwrap_or("");
    match routing::set_rule(
        &state.store,
        &user.scope,
        state.now(),
        category,
        &lead,
        &assist,
        basis,
    )
    .await
    {
        Ok(()) => Ok(Redirect::to("/admin/duty?notice=saved").into_response()),
        Err(e @ StoreError::Invalid { .. }) => {
            let msg = format!("{}：{e}", category.label_zh());
            let page = duty_page(&state, &user, None, Some(msg)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[tracing::instrument(skip_all)]
pub async fn reset_duty(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(category): Path<String>,
) -> AppResult<Response> {
    let category = Category::from_code(&category).ok_or(AppError::NotFound)?;
    routing::reset_rule(&state.store, &user.scope, state.now(), category).await?;
    Ok(Redirect::to("/admin/duty?notice=reset").into_response())
}
