//! 案件 pages: the case list (filtered by district, stage, category, origin and overdue, with
//! an XLSX), 立案 ([`new`]), a case's page with every step of its handling ([`detail`]), its
//! evidence ([`evidence`]) and the list of legal provisions ([`basis`]).
//!
//! Every read and write goes through `meijian_store::cases` with the session's scope; which
//! step may be taken when is the domain's workflow table, never decided here.

pub mod basis;
pub mod detail;
pub mod evidence;
pub mod import;
pub mod new;
pub mod transfer;
pub mod typical;

use askama::Template;
use axum::extract::{DefaultBodyLimit, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use meijian_domain::case::{CaseOrigin, Stage};
use meijian_domain::lead::Category;
use meijian_exports::{Cell, Column, Table};
use meijian_store::cases::{self, Filter, ListRow};
use serde::Deserialize;

use crate::chrome::Chrome;
use crate::error::{AppError, AppResult};
use crate::pages::registries::short_region;
use crate::pages::render;
use crate::session::CurrentUser;
use crate::state::AppState;

const PER_PAGE: i64 = 50;
/// Rows of one export: what one Excel sheet holds below its title and header rows.
const EXPORT_LIMIT: i64 = 1_048_000;

/// The case pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/cases", get(list_cases))
        .route("/cases.xlsx", get(export_cases))
        .route("/cases/new", get(new::show_form).post(new::open_case))
        .route("/legal-basis", get(basis::show_list).post(basis::add))
        .route("/legal-basis/{id}/retire", post(basis::retire))
        .route("/cases/{id}", get(detail::show_case))
        .route(
            "/cases/{id}/evidence",
            post(evidence::upload).layer(DefaultBodyLimit::max(
                meijian_store::cases::evidence::MAX_EVIDENCE_BYTES + 1024 * 1024,
            )),
        )
        .route(
            "/cases/{id}/evidence/{evidence_id}",
            get(evidence::download),
        )
        .route("/cases/{id}/{step}", post(detail::act_on_case))
        .merge(import::router())
        .merge(typical::router())
        .merge(transfer::router())
}

/// The filters of the list, as the query string carries them.
#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    region: String,
    #[serde(default)]
    stage: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    origin: String,
    #[serde(default)]
    overdue: String,
    #[serde(default)]
    operator: String,
    page: Option<i64>,
}

fn unknown(field: &str) -> AppError {
    AppError::Invalid {
        field: field.into(),
        message: "请从列表中选择".into(),
    }
}

impl ListQuery {
    fn filter(&self) -> AppResult<Filter> {
        fn pick(v: &str) -> Option<&str> {
            Some(v.trim()).filter(|v| !v.is_empty())
        }
        Ok(Filter {
            region: pick(&self.region).map(str::to_owned),
            stage: pick(&self.stage)
                .map(|s| Stage::from_code(s).ok_or_else(|| unknown("阶段")))
                .transpose()?,
            category: pick(&self.category)
                .map(|c| Category::from_code(c).ok_or_else(|| unknown("案件类别")))
                .transpose()?,
            origin: pick(&self.origin)
                .map(|o| CaseOrigin::from_code(o).ok_or_else(|| unknown("案件来源")))
                .transpose()?,
            overdue: self.overdue == "1",
            text: pick(&self.q).map(str::to_owned),
            operator_id: pick(&self.operator).map(str::to_owned),
        })
    }

    /// The query string of the filters (without the page), for links.
    fn query_string(&self) -> String {
        serde_urlencoded::to_string([
            ("q", self.q.as_str()),
            ("region", self.region.as_str()),
            ("stage", self.stage.as_str()),
            ("category", self.category.as_str()),
            ("origin", self.origin.as_str()),
            ("overdue", self.overdue.as_str()),
            ("operator", self.operator.as_str()),
        ])
        .unwrap_or_default()
    }
}

/// A case as a row of the list.
pub struct Row {
    pub id: String,
    pub case_no: String,
    pub title: String,
    pub parties: String,
    pub region: String,
    pub category: &'static str,
    pub stage: &'static str,
    pub filed_on: String,
    pub due: String,
    pub overdue: bool,
    pub forfeiture: String,
    pub authority: String,
}

/// The list row of a case at `now`.
pub fn row(r: &ListRow, now: time::OffsetDateTime) -> Row {
    let c = &r.case;
    Row {
        id: c.id.clone(),
        case_no: c.case_no.clone(),
        title: c.title.clone(),
        parties: r.parties.clone(),
        region: short_region(&c.region_code),
        category: c.category.label_zh(),
        stage: c.stage.label_zh(),
        filed_on: c.filed_on.to_string(),
        due: c
            .decide_due
            .filter(|_| c.stage.before_decision())
            .map(meijian_store::timefmt::date_cst)
            .unwrap_or_default(),
        overdue: c.overdue(now),
        forfeiture: if r.forfeiture.fen() > 0 {
            r.forfeiture.yuan_text()
        } else {
            String::new()
        },
        authority: c.authority.clone(),
    }
}

#[derive(Template)]
#[template(path = "cases.html")]
struct ListPage {
    chrome: Chrome,
    query: ListQuery,
    regions: Vec<(String, String)>,
    stages: Vec<(&'static str, &'static str)>,
    categories: Vec<(&'static str, &'static str)>,
    origins: Vec<(&'static str, &'static str)>,
    rows: Vec<Row>,
    total: i64,
    page: i64,
    pages: i64,
    query_string: String,
    may_open: bool,
    /// 导入历史数据 is offered.
    may_import: bool,
}

/// The choices of a coded list: (code, label).
pub fn choices<T: Copy>(
    all: &[T],
    code: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
) -> Vec<(&'static str, &'static str)> {
    all.iter().map(|v| (code(*v), label(*v))).collect()
}

#[tracing::instrument(skip_all)]
pub async fn list_cases(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<ListQuery>,
) -> AppResult<Response> {
    let filter = query.filter()?;
    let page = query.page.unwrap_or(1).max(1);
    let now = state.now();
    let (rows, total) = cases::list(
        &state.store,
        &user.scope,
        &filter,
        now,
        PER_PAGE,
        (page - 1) * PER_PAGE,
    )
    .await?;
    Ok(render(&ListPage {
        chrome: Chrome::new(&user, "/cases"),
        regions: crate::pages::district_choices(&user),
        stages: choices(Stage::ALL, Stage::code, Stage::label_zh),
        categories: choices(Category::ALL, Category::code, Category::label_zh),
        origins: choices(CaseOrigin::ALL, CaseOrigin::code, CaseOrigin::label_zh),
        rows: rows.iter().map(|r| row(r, now)).collect(),
        total,
        page,
        pages: ((total + PER_PAGE - 1) / PER_PAGE).max(1),
        query_string: query.query_string(),
        may_open: user
            .scope
            .can(meijian_domain::role::Permission::HandleLeads)
            && user.scope.department_id.is_some(),
        may_import: user
            .scope
            .can(meijian_domain::role::Permission::ImportRegistries),
        query,
    })?
    .into_response())
}

/// The list as XLSX: every case it finds.
#[tracing::instrument(skip_all)]
pub async fn export_cases(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<ListQuery>,
) -> AppResult<Response> {
    let filter = query.filter()?;
    let now = state.now();
    let (rows, _) = cases::list(&state.store, &user.scope, &filter, now, EXPORT_LIMIT, 0).await?;
    let (table, data) = cases_export(&rows, now);
    let bytes = meijian_exports::to_xlsx_bytes(&table, data).map_err(crate::xlsx::failed)?;
    Ok(crate::xlsx::download("案件列表.xlsx", bytes))
}

fn cases_export(
    rows: &[ListRow],
    now: time::OffsetDateTime,
) -> (Table, impl Iterator<Item = Vec<Cell>> + '_) {
    let columns = vec![
        Column::number("序号"),
        Column::text("案件编号"),
        Column::text("案件名称"),
        Column::text("当事人"),
        Column::text("区县"),
        Column::text("行政区划代码"),
        Column::text("案件类别"),
        Column::text("案件来源"),
        Column::text("办案机关"),
        Column::date("立案日期"),
        Column::text("案件状态"),
        Column::date("决定期限"),
        Column::text("是否超期"),
        Column::date("决定日期"),
        Column::date("结案日期"),
        Column::text("罚没金额（元）"),
        Column::text("违法行为"),
    ];
    let data = rows.iter().enumerate().map(move |(i, r)| {
        let c = &r.case;
        let shown = row(r, now);
        vec![
            Cell::count(i + 1),
            Cell::text(c.case_no.as_str()),
            Cell::text(c.title.as_str()),
            Cell::text(r.parties.as_str()),
            Cell::text(shown.region),
            Cell::text(c.region_code.as_str()),
            Cell::text(c.category.label_zh()),
            Cell::text(c.origin.label_zh()),
            Cell::text(c.authority.as_str()),
            Cell::text(c.filed_on.to_string()),
            Cell::text(c.stage.label_zh()),
            Cell::text(shown.due),
            Cell::text(if shown.overdue { "超期" } else { "" }),
            Cell::from(c.decided_on.map(|d| d.to_string())),
            Cell::from(c.closed_on.map(|d| d.to_string())),
            Cell::text(r.forfeiture.yuan_text()),
            Cell::text(c.violation.as_str()),
        ]
    });
    (Table::new("案件", columns).titled("案件列表"), data)
}
