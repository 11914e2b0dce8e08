//! 主体库 pages: search the lasting operator record (by name, code, person or address, filtered
//! by district, class, origin and 处置情况, with an XLSX of the search) and open one operator's
//! file (一户一档, [`file`]) with its 处置 and 销号 ([`disposal`]).

pub mod disposal;
pub mod file;

use std::collections::HashMap;

use askama::Template;
use axum::extract::{DefaultBodyLimit, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use meijian_domain::role::Permission;
use meijian_exports::{Cell, Column, Table};
use meijian_store::operators::disposal::Summary;
use meijian_store::operators::read::{self, Search};
use meijian_store::operators::{disposal as disposals, Operator};
use serde::Deserialize;

use crate::chrome::Chrome;
use crate::error::{AppError, AppResult};
use crate::pages::reconcile::{class_filter_label, CLASSES};
use crate::pages::registries::short_region;
use crate::pages::render;
use crate::session::CurrentUser;
use crate::state::AppState;

const PER_PAGE: i64 = 50;
/// Rows of one export: what one Excel sheet holds below its title and header rows.
const EXPORT_LIMIT: i64 = 1_048_000;

/// The operator pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/operators", get(search_operators))
        .route("/operators.xlsx", get(export_operators))
        .route("/operators/mine", get(file::mine))
        .route("/operators/provisional", post(file::register_provisional))
        .route("/operators/{id}", get(file::show_file))
        .route("/operators/{id}/merge", post(file::merge))
        .route("/operators/{id}/split", post(file::split))
        .route(
            "/operators/{id}/disposals",
            post(disposal::record).layer(DefaultBodyLimit::max(disposal::MAX_BODY_BYTES)),
        )
        .route("/operators/{id}/close", post(disposal::close))
        .route("/operators/{id}/reopen", post(disposal::reopen))
        .route(
            "/operators/{id}/disposal-files/{file_id}",
            get(disposal::download),
        )
        // The API of 处置 and 销号 (documented in the OpenAPI document with the rest).
        .route(
            "/api/operators/{id}/disposals",
            get(crate::api::operators::list_disposals).post(crate::api::operators::record_disposal),
        )
        .route(
            "/api/operators/{id}/disposals/{disposal_id}/files",
            post(crate::api::operators::add_disposal_file).layer(DefaultBodyLimit::max(
                meijian_store::operators::disposal::MAX_FILE_BYTES + 64 * 1024,
            )),
        )
        .route(
            "/api/operators/{id}/disposal-files/{file_id}",
            get(crate::api::operators::disposal_file),
        )
        .route(
            "/api/operators/{id}/close",
            post(crate::api::operators::close_entry),
        )
        .route(
            "/api/operators/{id}/reopen",
            post(crate::api::operators::reopen_entry),
        )
}

#[derive(Deserialize, Default)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    class: String,
    #[serde(default)]
    region: String,
    #[serde(default)]
    provisional: String,
    #[serde(default)]
    merged: String,
    /// 处置情况: a standing or a disposal kind code.
    #[serde(default)]
    disposal: String,
    page: Option<i64>,
}

impl SearchQuery {
    fn search(&self) -> AppResult<Search> {
        let class = match self.class.trim() {
            "" => None,
            c if class_filter_label(c).is_some() => Some(c.to_owned()),
            _ => {
                return Err(AppError::Invalid {
                    field: "分类".into(),
                    message: "未知分类".into(),
                })
            }
        };
        Ok(Search {
            q: Some(self.q.trim().to_owned()).filter(|q| !q.is_empty()),
            region: Some(self.region.trim().to_owned()).filter(|r| !r.is_empty()),
            class,
            with_merged: self.merged == "1",
            provisional_only: self.provisional == "1",
            disposal: disposal::parse_filter(&self.disposal)?,
        })
    }

    /// The query string of the filters (without the page), for links.
    fn query_string(&self) -> String {
        serde_urlencoded::to_string([
            ("q", self.q.as_str()),
            ("class", self.class.as_str()),
            ("region", self.region.as_str()),
            ("provisional", self.provisional.as_str()),
            ("merged", self.merged.as_str()),
            ("disposal", self.disposal.as_str()),
        ])
        .unwrap_or_default()
    }
}

/// An operator as a row of the search.
pub struct Row {
    pub id: String,
    pub name: String,
    pub region: String,
    pub class: &'static str,
    pub status: &'static str,
    pub provisional: bool,
    pub legal_rep: String,
    pub uscc: String,
    pub members: i64,
    /// 处置情况.
    pub disposal: String,
}

/// An operator's name, or a plain word when no record gives one.
pub fn name_or_blank(o: &Operator) -> String {
    if o.name.trim().is_empty() {
        "（登记记录均未写名称）".to_owned()
    } else {
        o.name.clone()
    }
}

/// The 处置情况 of an operator as the search shows and exports it.
fn disposal_column(o: &Operator, summaries: &HashMap<String, Summary>) -> String {
    disposal::column(
        summaries.get(&o.id),
        meijian_store::reconcile::class_code_of(o.class),
    )
}

/// The names (persons, addresses) of an operator besides the one shown first.
pub fn others(all: &[String], main: Option<&str>) -> Vec<String> {
    all.iter()
        .filter(|x| Some(x.as_str()) != main)
        .cloned()
        .collect()
}

fn row(o: &Operator, summaries: &HashMap<String, Summary>) -> Row {
    Row {
        disposal: disposal_column(o, summaries),
        id: o.id.clone(),
        name: name_or_blank(o),
        region: short_region(&o.region_code),
        class: o.class_zh(),
        status: o.status.label_zh(),
        provisional: o.origin == meijian_domain::operator::Origin::Provisional,
        legal_rep: o.legal_rep.clone().unwrap_or_default(),
        uscc: o.uscc.clone().unwrap_or_default(),
        members: o.members,
    }
}

#[derive(Template)]
#[template(path = "operators.html")]
struct SearchPage {
    chrome: Chrome,
    q: String,
    class: String,
    region: String,
    provisional: bool,
    merged: bool,
    disposal: String,
    disposals: Vec<(&'static str, &'static str)>,
    classes: Vec<(&'static str, &'static str)>,
    regions: Vec<(String, String)>,
    rows: Vec<Row>,
    total: i64,
    page: i64,
    pages: i64,
    query_string: String,
}

#[tracing::instrument(skip_all)]
pub async fn search_operators(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<SearchQuery>,
) -> AppResult<Response> {
    if user.scope.operator_id.is_some() && !user.scope.can(Permission::ViewRegistries) {
        return Ok(Redirect::to("/operators/mine").into_response());
    }
    user.scope.require(Permission::ViewRegistries)?;
    let search = query.search()?;
    let page = query.page.unwrap_or(1).max(1);
    let (rows, total) = read::search(
        &state.store,
        &user.scope,
        &search,
        PER_PAGE,
        (page - 1) * PER_PAGE,
    )
    .await?;
    let ids: Vec<String> = rows.iter().map(|o| o.id.clone()).collect();
    let summaries = disposals::summaries(&state.store, &user.scope, &ids).await?;
    Ok(render(&SearchPage {
        chrome: Chrome::new(&user, "/operators"),
        classes: CLASSES.to_vec(),
        regions: crate::pages::district_choices(&user),
        rows: rows.iter().map(|o| row(o, &summaries)).collect(),
        total,
        page,
        pages: ((total + PER_PAGE - 1) / PER_PAGE).max(1),
        query_string: query.query_string(),
        disposals: disposal::filter_choices(),
        disposal: query.disposal.clone(),
        provisional: search.provisional_only,
        merged: search.with_merged,
        q: query.q,
        class: query.class,
        region: query.region,
    })?
    .into_response())
}

/// The search as XLSX: every operator it finds, with every name, person and address.
#[tracing::instrument(skip_all)]
pub async fn export_operators(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<SearchQuery>,
) -> AppResult<Response> {
    user.scope.require(Permission::ViewRegistries)?;
    let search = query.search()?;
    let (rows, _) = read::search(&state.store, &user.scope, &search, EXPORT_LIMIT, 0).await?;
    let ids: Vec<String> = rows.iter().map(|o| o.id.clone()).collect();
    let summaries = disposals::summaries(&state.store, &user.scope, &ids).await?;
    let (table, data) = operators_export(&rows, &summaries);
    let bytes = meijian_exports::to_xlsx_bytes(&table, data).map_err(crate::xlsx::failed)?;
    Ok(crate::xlsx::download("主体库查询结果.xlsx", bytes))
}

fn operators_export<'a>(
    rows: &'a [Operator],
    summaries: &'a HashMap<String, Summary>,
) -> (Table, impl Iterator<Item = Vec<Cell>> + 'a) {
    let columns = vec![
        Column::number("序号"),
        Column::text("主体编号"),
        Column::text("主体名称"),
        Column::text("统一社会信用代码"),
        Column::text("法定代表人/负责人"),
        Column::text("地址"),
        Column::text("区县"),
        Column::text("分类"),
        Column::text("处置情况"),
        Column::text("状态"),
        Column::text("来源"),
        Column::number("登记记录数"),
        Column::text("其他名称"),
        Column::text("相关人员"),
        Column::text("其他地址"),
    ];
    let others = |all: &[String], main: Option<&str>| others(all, main).join("；");
    let data = rows.iter().enumerate().map(move |(i, o)| {
        vec![
            Cell::count(i + 1),
            Cell::text(o.id.as_str()),
            Cell::text(o.name.as_str()),
            Cell::from(o.uscc.clone()),
            Cell::from(o.legal_rep.clone()),
            Cell::from(o.address.clone()),
            Cell::text(short_region(&o.region_code)),
            Cell::text(o.class_zh()),
            Cell::text(disposal_column(o, summaries)),
            Cell::text(o.status.label_zh()),
            Cell::text(o.origin.label_zh()),
            Cell::count(o.members as usize),
            Cell::text(others(&o.names, Some(&o.name))),
            Cell::text(others(&o.persons, o.legal_rep.as_deref())),
            Cell::text(others(&o.addresses, o.address.as_deref())),
        ]
    });
    (Table::new("主体库", columns).titled("主体库查询结果"), data)
}

#[cfg(test)]
mod export_tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use meijian_domain::operator::{OperatorStatus, Origin};
    use time::macros::datetime;

    #[test]
    fn the_operator_search_export_layout() {
        let operator = Operator {
            id: "ZT0123456789ABCDEF".into(),
            origin: Origin::Registry,
            status: OperatorStatus::Active,
            merged_into: None,
            split_from: None,
            region_code: "370403".into(),
            name: "枣庄市薛城区悦颜医疗美容有限公司".into(),
            names: vec![
                "枣庄市薛城区悦颜医疗美容有限公司".into(),
                "悦颜医疗美容门诊部".into(),
            ],
            uscc: Some("91370403MA3C5UQ81X".into()),
            legal_rep: Some("王芳".into()),
            persons: vec!["王芳".into(), "李明".into()],
            address: Some("枣庄市薛城区泰山南路123号".into()),
            addresses: vec!["枣庄市薛城区泰山南路123号".into(), "泰山南路123号".into()],
            class: Some(meijian_store::operators::Class::Both),
            public_kind: None,
            members: 2,
            class_run_id: None,
            first_run_id: None,
            source_lead_id: None,
            created_at: datetime!(2026-11-20 02:00 UTC),
            updated_at: datetime!(2026-11-20 02:00 UTC),
            absent_since: None,
        };
        let mut second = operator.clone();
        second.id = "ZT0123456789ABCDEG".into();
        second.class = Some(meijian_store::operators::Class::Neither);
        let mut third = second.clone();
        third.id = "ZT0123456789ABCDEH".into();
        let summaries = HashMap::from([(
            third.id.clone(),
            Summary {
                standing: meijian_domain::disposal::Standing::InProgress,
                disposals: 1,
                latest: Some((
                    meijian_domain::disposal::DisposalKind::Penalty,
                    time::macros::date!(2026 - 11 - 19),
                )),
            },
        )]);
        let rows = [operator, second, third];
        let (table, data) = operators_export(&rows, &summaries);
        insta::assert_snapshot!(meijian_exports::preview(&table, data).unwrap());
    }
}
