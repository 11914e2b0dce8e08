//! The dashboard (工作台): real counts of the user's jurisdiction, the leads waiting on the
//! user's department (待办, 临期, 逾期, 待签收移送), for leaders the 延期 requests waiting for them
//! and, for those who may read the audit log, the
//! latest activity.

use askama::Template;
use axum::extract::State;
use axum::response::Html;
use meijian_domain::role::Permission;
use meijian_store::leads::stats::{self, DueCounts};
use meijian_store::leads::workflow::extension;
use meijian_store::{audit, dashboard};

use crate::chrome::{action_label, actor_label, entity_label, Chrome};
use crate::error::AppResult;
use crate::pages::{region_name, render};
use crate::session::CurrentUser;
use crate::state::AppState;

pub struct ActivityRow {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub ip: String,
}

impl From<audit::Entry> for ActivityRow {
    fn from(e: audit::Entry) -> Self {
        ActivityRow {
            seq: e.seq,
            at: crate::pages::show_time(e.at),
            actor: actor_label(&e.actor_name),
            action: action_label(&e.action).to_string(),
            entity: format!("{} …{}", entity_label(&e.entity), tail(&e.entity_id, 6)),
            ip: e.ip.unwrap_or_default(),
        }
    }
}

/// The last `n` characters of an id: UUID v7 ids share their leading (time) part.
fn tail(id: &str, n: usize) -> String {
    let count = id.chars().count();
    id.chars().skip(count.saturating_sub(n)).collect()
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    chrome: Chrome,
    jurisdiction: String,
    /// `None` for roles without the dashboard (institutions), who see their own home instead.
    counts: Option<dashboard::Counts>,
    /// Leads waiting, for those who handle them.
    due: Option<DueCounts>,
    /// The list's filter that matches the counts: the own department's, or all for a leader.
    due_scope: &'static str,
    /// Cases waiting for a decision, for those who handle or watch them.
    cases: Option<meijian_store::cases::stats::DueCounts>,
    /// Requests to extend a case's decision limit, for leaders.
    case_extensions: Vec<meijian_store::cases::stats::PendingExtension>,
    /// 涉嫌犯罪移送 waiting for the user: a leader's approval, the police's answer.
    transfers: Vec<crate::pages::cases::transfer::WaitingRow>,
    /// 延期 requests waiting for a leader of the jurisdiction.
    extensions: Vec<ExtensionRequestRow>,
    recent: Vec<ActivityRow>,
}

pub struct ExtensionRequestRow {
    pub lead_id: String,
    pub lead_code: String,
    pub department: String,
    pub step: &'static str,
    pub by: String,
    pub reason: String,
    pub old_due: String,
    pub new_due: String,
}

impl From<extension::Pending> for ExtensionRequestRow {
    fn from(p: extension::Pending) -> Self {
        ExtensionRequestRow {
            step: p.step.label_zh(),
            old_due: crate::pages::show_time(p.old_due),
            new_due: crate::pages::show_time(p.new_due),
            lead_id: p.lead_id,
            lead_code: p.lead_code,
            department: p.department_name,
            by: actor_label(&p.requested_by_name),
            reason: p.reason,
        }
    }
}

#[tracing::instrument(skip_all)]
pub async fn show_dashboard(
    State(state): State<AppState>,
    user: CurrentUser,
) -> AppResult<Html<String>> {
    let counts = if user.scope.can(Permission::ViewDashboard) {
        Some(dashboard::counts(&state.store, &user.scope, state.now()).await?)
    } else {
        None
    };
    let due = if user.scope.can(Permission::HandleLeads) {
        let (now, warn) = super::leads::list::now_and_warn_until(&state).await?;
        Some(stats::due_counts(&state.store, &user.scope, now, warn).await?)
    } else {
        None
    };
    let sees_cases = user.scope.operator_id.is_none()
        && (user.scope.can(Permission::HandleLeads) || user.scope.can(Permission::ViewStatistics));
    let cases = if sees_cases {
        let (now, warn) = super::leads::list::now_and_warn_until(&state).await?;
        Some(meijian_store::cases::stats::due_counts(&state.store, &user.scope, now, warn).await?)
    } else {
        None
    };
    let case_extensions = if user.scope.can(Permission::SuperviseDeadlines) {
        meijian_store::cases::stats::pending_extensions(&state.store, &user.scope).await?
    } else {
        Vec::new()
    };
    let transfers = if sees_cases {
        let now = state.now();
        meijian_store::cases::transfer::waiting(&state.store, &user.scope)
            .await?
            .iter()
            .map(|w| crate::pages::cases::transfer::waiting_row(w, now))
            .collect()
    } else {
        Vec::new()
    };
    let extensions = if user.scope.can(Permission::SuperviseDeadlines) {
        extension::pending(&state.store, &user.scope)
            .await?
            .into_iter()
            .map(ExtensionRequestRow::from)
            .collect()
    } else {
        Vec::new()
    };
    let recent = if user.scope.can(Permission::ViewAuditLog) {
        audit::recent(&state.store, &user.scope, 10)
            .await?
            .into_iter()
            .map(ActivityRow::from)
            .collect()
    } else {
        Vec::new()
    };
    render(&DashboardPage {
        chrome: Chrome::new(&user, "/"),
        jurisdiction: region_name(&user.principal.department.region_code),
        counts,
        due,
        due_scope: if user.scope.can(Permission::SuperviseDeadlines) {
            ""
        } else {
            "&mine=1"
        },
        extensions,
        cases,
        case_extensions,
        transfers,
        recent,
    })
}
