//! The operator lists of the latest cross-check (名单): by class, district, "changed since
//! the previous run" and 处置情况 (seed `002` task (11)), paged on the page and whole in the
//! XLSX a district hands up.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use meijian_domain::disposal::DisposalFilter;
use meijian_domain::region::{RegionCode, RegionTable};
use meijian_domain::role::Permission;
use meijian_exports::{Cell, Column, Table};
use meijian_store::operators::disposal::{self, Summary};
use meijian_store::reconcile::{OperatorFilter, OperatorRow, RunRow};
use serde::Deserialize;

use super::{class_filter_label, latest, CLASSES};
use crate::chrome::Chrome;
use crate::error::{AppError, AppResult};
use crate::pages::registries::short_region;
use crate::pages::render;
use crate::session::CurrentUser;
use crate::state::AppState;

const PER_PAGE: i64 = 50;
/// Rows of one export: what one Excel sheet holds below its title and header rows.
const EXPORT_LIMIT: i64 = 1_048_000;

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    class: String,
    #[serde(default)]
    region: String,
    #[serde(default)]
    changed: String,
    /// 处置情况: a standing or a disposal kind code.
    #[serde(default)]
    disposal: String,
    page: Option<i64>,
}

impl ListQuery {
    fn filter(&self) -> AppResult<OperatorFilter> {
        let class = match self.class.trim() {
            "" => None,
            c if class_filter_label(c).is_some() => Some(c.to_string()),
            _ => {
                return Err(AppError::Invalid {
                    field: "分类".into(),
                    message: "未知分类".into(),
                })
            }
        };
        Ok(OperatorFilter {
            class,
            region: Some(self.region.trim().to_string()).filter(|r| !r.is_empty()),
            changed_only: self.changed == "1",
        })
    }

    fn disposal(&self) -> AppResult<Option<DisposalFilter>> {
        crate::pages::operators::disposal::parse_filter(&self.disposal)
    }

    /// The query string of the filters (without the page), for links.
    fn query_string(&self) -> String {
        serde_urlencoded::to_string([
            ("class", self.class.as_str()),
            ("region", self.region.as_str()),
            ("changed", self.changed.as_str()),
            ("disposal", self.disposal.as_str()),
        ])
        .unwrap_or_default()
    }
}

/// What the 说明 column says about an operator, in the words of `result.csv`.
pub fn remark(o: &OperatorRow) -> String {
    if o.unusable {
        "无可用名称和代码，单独列出".to_string()
    } else if let Some(kind) = &o.public_kind {
        format!("{kind}，不办理营业执照，非无照经营")
    } else {
        String::new()
    }
}

/// An operator as a list row.
pub struct OperatorView {
    pub id: String,
    pub name: String,
    pub region: String,
    pub class: &'static str,
    pub previous_class: &'static str,
    pub members: i64,
    pub remark: String,
    /// 处置情况.
    pub disposal: String,
}

/// The 处置情况 of a list row.
fn disposal_column(o: &OperatorRow, summaries: &HashMap<String, Summary>) -> String {
    crate::pages::operators::disposal::column(
        summaries.get(&o.operator_id),
        meijian_store::reconcile::class_code_of(o.class),
    )
}

fn view(o: &OperatorRow, summaries: &HashMap<String, Summary>) -> OperatorView {
    OperatorView {
        disposal: disposal_column(o, summaries),
        id: o.operator_id.clone(),
        name: if o.name.is_empty() {
            "（无名称）".to_string()
        } else {
            o.name.clone()
        },
        region: short_region(&o.region_code),
        class: o.class_zh(),
        previous_class: o.previous_class_zh(),
        members: o.members,
        remark: remark(o),
    }
}

/// The heading of a list, e.g. `枣庄市薛城区 有照无证主体名单（比对基准日 2026-11-22）`.
fn title(user: &CurrentUser, filter: &OperatorFilter, run: &RunRow) -> String {
    let region = filter
        .region
        .clone()
        .unwrap_or_else(|| user.principal.department.region_code.clone());
    let class = filter
        .class
        .as_deref()
        .and_then(class_filter_label)
        .unwrap_or("全部");
    let changed = if filter.changed_only {
        "（本次变化）"
    } else {
        ""
    };
    format!(
        "{} {class}主体名单{changed}（比对基准日 {}）",
        list_region_name(&region),
        run.as_of
    )
}

/// The region's name without its province, as lists are titled: 枣庄市薛城区.
fn list_region_name(code: &str) -> String {
    let table = RegionTable::embedded();
    let Ok(c) = RegionCode::parse(code) else {
        return code.to_string();
    };
    let full = table.full_name(&c).unwrap_or_else(|| code.to_string());
    match table.ancestors(&c).first() {
        Some(province) => full
            .strip_prefix(province.name.as_str())
            .unwrap_or(&full)
            .to_string(),
        None => full,
    }
}

#[derive(Template)]
#[template(path = "reconcile_operators.html")]
struct ListPage {
    chrome: Chrome,
    title: String,
    class: String,
    region: String,
    changed: bool,
    disposal: String,
    disposals: Vec<(&'static str, &'static str)>,
    classes: Vec<(&'static str, &'static str)>,
    regions: Vec<(String, String)>,
    rows: Vec<OperatorView>,
    total: i64,
    page: i64,
    pages: i64,
    query_string: String,
}

#[tracing::instrument(skip_all)]
pub async fn list_operators(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<ListQuery>,
) -> AppResult<Response> {
    user.scope.require(Permission::ViewRegistries)?;
    let Some(run) = latest(&state, &user).await? else {
        return Ok(Redirect::to("/reconcile").into_response());
    };
    let filter = query.filter()?;
    let page = query.page.unwrap_or(1).max(1);
    let (rows, total) = disposal::run_operators(
        &state.store,
        &user.scope,
        &run.id,
        &filter,
        query.disposal()?,
        PER_PAGE,
        (page - 1) * PER_PAGE,
    )
    .await?;
    let ids: Vec<String> = rows.iter().map(|o| o.operator_id.clone()).collect();
    let summaries = disposal::summaries(&state.store, &user.scope, &ids).await?;
    Ok(render(&ListPage {
        chrome: Chrome::new(&user, "/reconcile"),
        title: title(&user, &filter, &run),
        classes: CLASSES.to_vec(),
        regions: crate::pages::district_choices(&user),
        rows: rows.iter().map(|o| view(o, &summaries)).collect(),
        total,
        page,
        pages: ((total + PER_PAGE - 1) / PER_PAGE).max(1),
        query_string: query.query_string(),
        changed: filter.changed_only,
        disposals: crate::pages::operators::disposal::filter_choices(),
        disposal: query.disposal.clone(),
        class: query.class,
        region: query.region,
    })?
    .into_response())
}

/// The whole list as XLSX: a title row, then 序号, 主体编号, 主体名称, 统一社会信用代码,
/// 法定代表人/负责人, 地址, 区县, 分类, (上次分类), 处置情况, 说明.
#[tracing::instrument(skip_all)]
pub async fn export_operators(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<ListQuery>,
) -> AppResult<Response> {
    user.scope.require(Permission::ViewRegistries)?;
    let run = latest(&state, &user).await?.ok_or(AppError::NotFound)?;
    let filter = query.filter()?;
    let (rows, _) = disposal::run_operators(
        &state.store,
        &user.scope,
        &run.id,
        &filter,
        query.disposal()?,
        EXPORT_LIMIT,
        0,
    )
    .await?;
    let ids: Vec<String> = rows.iter().map(|o| o.operator_id.clone()).collect();
    let summaries = disposal::summaries(&state.store, &user.scope, &ids).await?;
    let title = title(&user, &filter, &run);
    let (table, data) = operators_export(title.as_str(), &rows, &summaries, filter.changed_only);
    let bytes = meijian_exports::to_xlsx_bytes(&table, data).map_err(crate::xlsx::failed)?;
    let name = format!("{}.xlsx", title.replace([' ', '（', '）'], ""));
    Ok(crate::xlsx::download(&name, bytes))
}

/// The operator list as a table; `changed_only` adds 上次分类.
fn operators_export<'a>(
    title: &str,
    rows: &'a [OperatorRow],
    summaries: &'a HashMap<String, Summary>,
    changed_only: bool,
) -> (Table, impl Iterator<Item = Vec<Cell>> + 'a) {
    let mut columns = vec![
        Column::number("序号"),
        Column::text("主体编号"),
        Column::text("主体名称"),
        Column::text("统一社会信用代码"),
        Column::text("法定代表人/负责人"),
        Column::text("地址"),
        Column::text("区县"),
        Column::text("分类"),
    ];
    if changed_only {
        columns.push(Column::text("上次分类"));
    }
    columns.push(Column::text("处置情况"));
    columns.push(Column::text("说明"));
    let data = rows.iter().enumerate().map(move |(i, o)| {
        let mut row = vec![
            Cell::count(i + 1),
            Cell::text(o.operator_id.as_str()),
            Cell::text(o.name.as_str()),
            Cell::from(o.uscc.clone()),
            Cell::from(o.legal_rep.clone()),
            Cell::from(o.address.clone()),
            Cell::text(short_region(&o.region_code)),
            Cell::text(o.class_zh()),
        ];
        if changed_only {
            row.push(Cell::text(o.previous_class_zh()));
        }
        row.push(Cell::text(disposal_column(o, summaries)));
        row.push(Cell::text(remark(o)));
        row
    });
    (Table::new("名单", columns).titled(title), data)
}

#[cfg(test)]
mod export_tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_operator_list_export_layout() {
        let code = |c: &str| meijian_store::operators::Class::from_code(c);
        let operator = |id: &str, class: &str, previous: Option<&str>| OperatorRow {
            operator_id: id.to_string(),
            region_code: "370403".to_string(),
            name: "薛城区丽人美容院".to_string(),
            uscc: Some("92370403MA3D00002X".to_string()),
            legal_rep: None,
            address: Some("枣庄市薛城区光明路 8 号".to_string()),
            class: code(class),
            previous_class: previous.map(code),
            public_kind: None,
            scope_reason: None,
            unusable: false,
            members: 2,
        };
        let rows = vec![
            operator("OP-0001", "registered_only", Some("both")),
            operator("OP-0002", "neither", None),
        ];
        let summaries = HashMap::from([(
            "OP-0002".to_string(),
            Summary {
                standing: meijian_domain::disposal::Standing::Closed,
                disposals: 2,
                latest: Some((
                    meijian_domain::disposal::DisposalKind::Cosmetic,
                    time::macros::date!(2026 - 11 - 19),
                )),
            },
        )]);
        let title = "枣庄市薛城区 有照无证主体名单（比对基准日 2026-11-22）";
        let mut text = String::new();
        for changed_only in [false, true] {
            let (table, data) = operators_export(title, &rows, &summaries, changed_only);
            text.push_str(&meijian_exports::preview(&table, data).unwrap());
        }
        insta::assert_snapshot!(text);
    }
}
