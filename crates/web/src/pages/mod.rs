//! Server-rendered pages of the officers' workbench, one module per resource.

pub mod admin;
pub mod audit;
pub mod calendar;
pub mod cases;
pub mod complaints;
pub mod dashboard;
pub mod departments;
pub mod duty;
pub mod leads;
pub mod login;
pub mod operators;
pub mod reconcile;
pub mod registries;

use askama::Template;
use axum::response::Html;

use crate::error::{AppError, AppResult};

/// Renders an askama template into an HTML response.
pub fn render<T: Template>(t: &T) -> AppResult<Html<String>> {
    t.render()
        .map(Html)
        .map_err(|e| AppError::Internal(format!("template: {e}")))
}

/// The full name of the jurisdiction rooted at a region code, e.g. 山东省枣庄市.
pub fn region_name(code: &str) -> String {
    meijian_domain::region::RegionCode::parse(code)
        .ok()
        .and_then(|c| meijian_domain::region::RegionTable::embedded().full_name(&c))
        .unwrap_or_else(|| code.to_string())
}

/// An instant as people read it: `2026-11-22 16:00`, China Standard Time. The store hands out
/// time values; pages format them here only.
pub fn show_time(t: time::OffsetDateTime) -> String {
    meijian_store::timefmt::display_time(t)
}

/// An optional instant as pages show it; empty when there is none.
pub fn show_time_opt(t: Option<time::OffsetDateTime>) -> String {
    t.map(show_time).unwrap_or_default()
}

/// The districts under the user's jurisdiction root, for a list's district filter.
pub fn district_choices(user: &crate::session::CurrentUser) -> Vec<(String, String)> {
    let Ok(root) =
        meijian_domain::region::RegionCode::parse(&user.principal.department.region_code)
    else {
        return Vec::new();
    };
    meijian_domain::region::RegionTable::embedded()
        .children(&root)
        .into_iter()
        .map(|c| (c.code.as_str().to_string(), c.name.clone()))
        .collect()
}
