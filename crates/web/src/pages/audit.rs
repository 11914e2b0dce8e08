//! The audit log page (审计日志), scoped to the jurisdiction like everything else.

use askama::Template;
use axum::extract::State;
use axum::response::Html;
use meijian_store::audit;

use crate::chrome::Chrome;
use crate::error::AppResult;
use crate::pages::dashboard::ActivityRow;
use crate::pages::{region_name, render};
use crate::session::CurrentUser;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    chrome: Chrome,
    jurisdiction: String,
    entries: Vec<ActivityRow>,
}

#[tracing::instrument(skip_all)]
pub async fn show_audit(
    State(state): State<AppState>,
    user: CurrentUser,
) -> AppResult<Html<String>> {
    let entries = audit::recent(&state.store, &user.scope, 200).await?;
    render(&AuditPage {
        chrome: Chrome::new(&user, "/audit"),
        jurisdiction: region_name(&user.principal.department.region_code),
        entries: entries.into_iter().map(ActivityRow::from).collect(),
    })
}
