//! The cross-check pages (证照比对): the latest run with its counts per district and class, the
//! form that runs it, the operator lists with their XLSX export, an operator's records side by
//! side, and the pairs left for review with the officers' merge and split decisions.
//!
//! Every handler reads through `meijian_store::reconcile` with the session's scope, which checks
//! permissions, keeps ids inside the jurisdiction and writes the audit entries; pages never
//! decide a class or an operator themselves.

pub mod list;
pub mod operator;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use meijian_domain::region::{RegionCode, RegionTable};
use meijian_domain::role::Permission;
use meijian_registry::RegistryKind;
use meijian_store::reconcile::{self, RunRow};
use meijian_store::timefmt;
use serde::Deserialize;

use crate::chrome::Chrome;
use crate::error::AppResult;
use crate::pages::registries::short_region;
use crate::pages::{region_name, render};
use crate::session::CurrentUser;
use crate::state::AppState;

/// The cross-check pages: the summary, the lists, an operator of a run, review and decisions.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/reconcile", get(show_summary))
        .route("/reconcile/run", post(run_reconcile))
        .route("/reconcile/operators", get(list::list_operators))
        .route("/reconcile/operators.xlsx", get(list::export_operators))
        .route("/reconcile/operators/{id}", get(operator::show_operator))
        .route("/reconcile/review", get(operator::show_review))
        .route("/reconcile/decisions", post(operator::decide))
        .route("/reconcile/decisions/{id}/revoke", post(operator::revoke))
}

/// The class filters of the lists, in the order of the district table: the four classes of
/// `DATA.md`, then operators outside medical aesthetics.
pub const CLASSES: [(&str, &str); 5] = [
    ("both", "有证有照"),
    ("registered_only", "有照无证"),
    ("neither", "无照无证"),
    ("licensed_only", "有证无照"),
    ("out", "非医美"),
];

/// The Chinese label of a class filter, if it is one.
pub fn class_filter_label(code: &str) -> Option<&'static str> {
    CLASSES.iter().find(|(c, _)| *c == code).map(|(_, l)| *l)
}

/// The Chinese label of a cross-check registry code.
pub fn registry_label(code: &str) -> String {
    RegistryKind::from_code(code).map_or_else(|| code.to_string(), |k| k.label_zh().to_string())
}

/// A confidence in thousandths as people read it, e.g. `97.5%`.
pub fn percent(permille: i64) -> String {
    if permille % 10 == 0 {
        format!("{}%", permille / 10)
    } else {
        format!("{:.1}%", permille as f64 / 10.0)
    }
}

/// The newest run over the user's whole jurisdiction.
#[tracing::instrument(skip_all)]
pub async fn latest(state: &AppState, user: &CurrentUser) -> AppResult<Option<RunRow>> {
    Ok(reconcile::latest_run(&state.store, &user.scope).await?)
}

/// The fixed message of a `notice` query value (never the value itself).
fn notice_text(code: &str) -> Option<&'static str> {
    match code {
        "ran" => Some("比对已完成，下面是本次结果。"),
        "decided" => Some("决定已保存，将在下一次比对时生效。"),
        "revoked" => Some("决定已撤销，下一次比对起不再适用。"),
        _ => None,
    }
}

#[derive(Deserialize, Default)]
pub struct NoticeQuery {
    #[serde(default)]
    notice: String,
}

impl NoticeQuery {
    pub fn text(&self) -> Option<&'static str> {
        notice_text(&self.notice)
    }
}

/// The latest run as the summary shows it.
pub struct RunView {
    pub as_of: String,
    pub finished_at: String,
    pub actor: String,
    pub records: i64,
    pub operators: i64,
    pub candidates: i64,
    pub changed: i64,
    pub first: bool,
}

/// One row of the district table; `link` is false for a row that stands for records filed
/// at a level above the districts (its list would be the whole subtree).
pub struct DistrictRow {
    pub code: String,
    pub name: String,
    /// (class filter, count) in the order of [`CLASSES`].
    pub counts: Vec<(&'static str, i64)>,
    pub link: bool,
}

#[derive(Template)]
#[template(path = "reconcile.html")]
struct SummaryPage {
    chrome: Chrome,
    notice: Option<&'static str>,
    jurisdiction: String,
    run: Option<RunView>,
    classes: Vec<(&'static str, &'static str)>,
    districts: Vec<DistrictRow>,
    totals: Vec<(&'static str, i64)>,
    can_run: bool,
    today: String,
}

/// Whether a region is a leaf of the region table (a county-level district).
fn is_leaf(code: &str) -> bool {
    RegionCode::parse(code)
        .map(|c| RegionTable::embedded().children(&c).is_empty())
        .unwrap_or(true)
}

#[tracing::instrument(skip_all)]
pub async fn show_summary(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<NoticeQuery>,
) -> AppResult<Html<String>> {
    user.scope.require(Permission::ViewRegistries)?;
    let run = latest(&state, &user).await?;
    let mut districts = Vec::new();
    let mut totals = vec![0; CLASSES.len()];
    if let Some(run) = &run {
        for d in reconcile::district_counts(&state.store, &user.scope, &run.id).await? {
            for (t, n) in totals.iter_mut().zip(d.counts) {
                *t += n;
            }
            districts.push(DistrictRow {
                name: short_region(&d.region_code),
                link: is_leaf(&d.region_code),
                counts: CLASSES.iter().map(|c| c.0).zip(d.counts).collect(),
                code: d.region_code,
            });
        }
    }
    render(&SummaryPage {
        chrome: Chrome::new(&user, "/reconcile"),
        notice: query.text(),
        jurisdiction: region_name(&user.principal.department.region_code),
        run: run.map(|r| RunView {
            as_of: r.as_of,
            finished_at: crate::pages::show_time(r.finished_at),
            actor: r.actor_name,
            records: r.records,
            operators: r.operators,
            candidates: r.candidates,
            changed: r.changed,
            first: r.previous_run_id.is_none(),
        }),
        classes: CLASSES.to_vec(),
        districts,
        totals: CLASSES.iter().map(|c| c.0).zip(totals).collect(),
        can_run: user.scope.can(Permission::Reconcile),
        today: timefmt::date_cst(state.now()),
    })
}

#[derive(Deserialize)]
pub struct RunForm {
    #[serde(default)]
    as_of: String,
}

/// Runs the cross-check now, synchronously, and goes back to the summary.
#[tracing::instrument(skip_all)]
pub async fn run_reconcile(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<RunForm>,
) -> AppResult<Response> {
    user.scope.require(Permission::Reconcile)?;
    let as_of = match form.as_of.trim() {
        "" => timefmt::date_cst(state.now()),
        s => s.to_string(),
    };
    let run = reconcile::run(&state.store, &user.scope, &as_of, state.now()).await?;
    tracing::info!(
        run = %run.id,
        records = run.records,
        operators = run.operators,
        "cross-check run from the web"
    );
    Ok(Redirect::to("/reconcile?notice=ran").into_response())
}
