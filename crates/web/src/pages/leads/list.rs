//! 重点违法线索台账: the leads the user may see, by tab (待办, 临期, 逾期, 已办结, 全部), category,
//! own department, department and a search by name or code; paged on the page and whole in
//! the XLSX. The export never carries a reporter's name, phone or address, nor the
//! complaint's text, which may name them.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Response};
use meijian_domain::lead::Category;
use meijian_domain::role::Permission;
use meijian_exports::{Cell, Column, Table};
use meijian_store::leads::{self, deadlines, stats, Due, Lead, LeadFilter};
use meijian_store::timefmt;
use serde::Deserialize;
use time::OffsetDateTime;

use super::{state_label, DueView};
use crate::chrome::Chrome;
use crate::error::{AppError, AppResult};
use crate::pages::registries::short_region;
use crate::pages::show_time;
use crate::pages::{region_name, render};
use crate::session::CurrentUser;
use crate::state::AppState;

const PER_PAGE: i64 = 50;
/// The store hands out at most this many rows at a time.
const STORE_PAGE: i64 = 500;
/// Rows of one export, as one Excel sheet holds them.
const EXPORT_LIMIT: usize = 1_000_000;

/// The tabs, in the order of the work.
pub const TABS: [(&str, &str); 5] = [
    ("open", "待办"),
    ("soon", "临期"),
    ("overdue", "逾期"),
    ("closed", "已办结"),
    ("all", "全部"),
];

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    pub due: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub mine: String,
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub department: String,
    pub page: Option<i64>,
}

impl ListQuery {
    fn tab(&self) -> &'static str {
        TABS.iter()
            .find(|(c, _)| *c == self.due)
            .map_or("open", |(c, _)| c)
    }

    fn tab_label(&self) -> &'static str {
        TABS.iter()
            .find(|(c, _)| *c == self.tab())
            .map_or("待办", |(_, l)| l)
    }

    fn filter(&self) -> AppResult<LeadFilter> {
        let category = match self.category.trim() {
            "" => None,
            c => Some(Category::from_code(c).ok_or_else(|| AppError::Invalid {
                field: "类别".into(),
                message: "未知类别".into(),
            })?),
        };
        Ok(LeadFilter {
            due: match self.tab() {
                "soon" => Due::DueSoon,
                "overdue" => Due::Overdue,
                "closed" => Due::Closed,
                "all" => Due::All,
                _ => Due::Open,
            },
            category,
            mine: super::checked(&self.mine),
            q: Some(self.q.trim().to_string()).filter(|q| !q.is_empty()),
            department_id: Some(self.department.trim().to_string()).filter(|d| !d.is_empty()),
            limit: PER_PAGE,
            offset: (self.page.unwrap_or(1).max(1) - 1) * PER_PAGE,
        })
    }

    /// The filters but the tab and page, for links.
    fn rest(&self) -> String {
        serde_urlencoded::to_string([
            ("category", self.category.as_str()),
            ("mine", self.mine.as_str()),
            ("q", self.q.as_str()),
            ("department", self.department.as_str()),
        ])
        .unwrap_or_default()
    }
}

/// One row of the ledger.
pub struct LeadRow {
    pub id: String,
    pub code: String,
    pub kind: &'static str,
    pub source: &'static str,
    pub category: &'static str,
    pub subject: String,
    pub region: String,
    pub department: String,
    pub state: &'static str,
    pub due: Option<DueView>,
    pub received: String,
}

impl LeadRow {
    pub fn new(l: &Lead, now: OffsetDateTime) -> LeadRow {
        LeadRow {
            id: l.id.clone(),
            code: l.code.clone(),
            kind: l.kind_zh(),
            source: l.source_zh(),
            category: l.category_zh(),
            subject: l.subject_name.clone(),
            region: short_region(&l.region_code),
            department: l.department_name.clone(),
            state: state_label(l),
            due: DueView::of(l, now),
            received: show_time(l.received_at),
        }
    }
}

pub struct Tab {
    pub label: &'static str,
    pub href: String,
    pub active: bool,
}

/// One department's load, for a leader.
pub struct LoadRow {
    pub href: String,
    pub name: String,
    pub open: i64,
    pub overdue: i64,
}

#[derive(Template)]
#[template(path = "leads.html")]
struct ListPage {
    chrome: Chrome,
    title: String,
    tabs: Vec<Tab>,
    tab: &'static str,
    categories: Vec<(&'static str, &'static str)>,
    category: String,
    mine: bool,
    q: String,
    department: String,
    rows: Vec<LeadRow>,
    total: i64,
    page: i64,
    pages: i64,
    query_string: String,
    loads: Vec<LoadRow>,
}

/// `now` and the end of the 临期 window.
#[tracing::instrument(skip_all)]
pub async fn now_and_warn_until(state: &AppState) -> AppResult<(OffsetDateTime, OffsetDateTime)> {
    let cal = state.calendar().await?;
    let now = state.now();
    Ok((
        now,
        deadlines::warn_until(&cal, now, state.settings.leads.limits.due_soon_working_days),
    ))
}

fn title(user: &CurrentUser, tab_label: &str) -> String {
    format!(
        "{} 重点违法线索台账（{tab_label}）",
        region_name(&user.principal.department.region_code)
    )
}

#[tracing::instrument(skip_all)]
pub async fn list_leads(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<ListQuery>,
) -> AppResult<Html<String>> {
    user.scope.require(Permission::HandleLeads)?;
    let filter = query.filter()?;
    let (now, warn) = now_and_warn_until(&state).await?;
    let (rows, total) = leads::list(&state.store, &user.scope, &filter, now, warn).await?;
    let loads = if user.scope.can(Permission::SuperviseDeadlines) {
        stats::by_department(&state.store, &user.scope, now)
            .await?
            .into_iter()
            .map(|d| LoadRow {
                href: format!("/leads?due=open&department={}", d.department_id),
                name: d.department_name,
                open: d.open,
                overdue: d.overdue,
            })
            .collect()
    } else {
        Vec::new()
    };
    let rest = query.rest();
    let tab = query.tab();
    render(&ListPage {
        chrome: Chrome::new(&user, "/leads"),
        title: title(&user, query.tab_label()),
        tabs: TABS
            .iter()
            .map(|(code, label)| Tab {
                label,
                href: format!("/leads?due={code}&{rest}"),
                active: *code == tab,
            })
            .collect(),
        tab,
        categories: Category::ALL
            .iter()
            .map(|c| (c.code(), c.label_zh()))
            .collect(),
        category: query.category.clone(),
        mine: filter.mine,
        q: query.q.clone(),
        department: query.department.clone(),
        rows: rows.iter().map(|l| LeadRow::new(l, now)).collect(),
        total,
        page: query.page.unwrap_or(1).max(1),
        pages: ((total + PER_PAGE - 1) / PER_PAGE).max(1),
        query_string: format!("due={tab}&{rest}"),
        loads,
    })
}

/// The whole list as XLSX under a title row: 序号, 线索编号, 类型, 来源, 类别, 涉及对象, 对象地址,
/// 区县, 承办部门, 状态, 当前环节, 当前时限, 是否逾期, 收到时间, 办理结果.
#[tracing::instrument(skip_all)]
pub async fn export_leads(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<ListQuery>,
) -> AppResult<Response> {
    user.scope.require(Permission::HandleLeads)?;
    let mut filter = query.filter()?;
    let (now, warn) = now_and_warn_until(&state).await?;
    filter.limit = STORE_PAGE;
    filter.offset = 0;
    let mut all: Vec<Lead> = Vec::new();
    loop {
        let (rows, total) = leads::list(&state.store, &user.scope, &filter, now, warn).await?;
        let n = rows.len() as i64;
        all.extend(rows);
        filter.offset += n;
        if n == 0 || filter.offset >= total || all.len() >= EXPORT_LIMIT {
            break;
        }
    }
    let headers = [
        "序号",
        "线索编号",
        "类型",
        "来源",
        "类别",
        "涉及对象",
        "对象地址",
        "区县",
        "承办部门",
        "状态",
        "当前环节",
        "当前时限",
        "是否逾期",
        "收到时间",
        "办理结果",
    ];
    let data = all.iter().enumerate().map(|(i, l)| {
        let row = LeadRow::new(l, now);
        let (step, due, overdue) = match &row.due {
            Some(d) => (d.step, d.at.clone(), if d.overdue { "逾期" } else { "" }),
            None => ("", String::new(), ""),
        };
        vec![
            Cell::count(i + 1),
            Cell::text(row.code),
            Cell::text(row.kind),
            Cell::text(row.source),
            Cell::text(row.category),
            Cell::text(row.subject),
            Cell::from(l.subject_address.clone()),
            Cell::text(row.region),
            Cell::text(row.department),
            Cell::text(row.state),
            Cell::text(step),
            Cell::text(due),
            Cell::text(overdue),
            Cell::text(row.received),
            Cell::text(l.outcome.map_or("", |o| o.label_zh())),
        ]
    });
    let title = format!(
        "{}（导出时间 {}）",
        title(&user, query.tab_label()),
        show_time(now)
    );
    let mut columns: Vec<Column> = headers.iter().copied().map(Column::text).collect();
    columns[0] = Column::number("序号");
    let table = Table::new("线索台账", columns).titled(title);
    let bytes = meijian_exports::to_xlsx_bytes(&table, data).map_err(crate::xlsx::failed)?;
    let name = format!(
        "重点违法线索台账{}{}.xlsx",
        query.tab_label(),
        timefmt::date_cst(state.now())
    );
    Ok(crate::xlsx::download(&name, bytes).into_response())
}
