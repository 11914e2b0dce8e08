//! The operator lists of the latest cross-check (名单): by class, district and "changed since
//! the previous run", paged on the page and whole in the XLSX a district hands up.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use meijian_domain::region::{RegionCode, RegionTable};
use meijian_domain::role::Permission;
use meijian_store::reconcile::{self, OperatorFilter, OperatorRow, RunRow};
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

    /// The query string of the filters (without the page), for links.
    fn query_string(&self) -> String {
        serde_urlencoded::to_string([
            ("class", self.class.as_str()),
            ("region", self.region.as_str()),
            ("changed", self.changed.as_str()),
        ])
        .unwrap_or_default()
    }
}

/// What the 说明 column says about an operator, in the words of `result.csv`.
pub fn remark(o: &OperatorRow) -> String {
    if o.unusable != 0 {
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
}

fn view(o: &OperatorRow) -> OperatorView {
    OperatorView {
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
    classes: Vec<(&'static str, &'static str)>,
    regions: Vec<(String, String)>,
    rows: Vec<OperatorView>,
    total: i64,
    page: i64,
    pages: i64,
    query_string: String,
}

/// The districts under the user's jurisdiction root, for the filter.
fn region_choices(user: &CurrentUser) -> Vec<(String, String)> {
    let Ok(root) = RegionCode::parse(&user.principal.department.region_code) else {
        return Vec::new();
    };
    RegionTable::embedded()
        .children(&root)
        .into_iter()
        .map(|c| (c.code.as_str().to_string(), c.name.clone()))
        .collect()
}

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
    let (rows, total) = reconcile::operators(
        &state.store,
        &user.scope,
        &run.id,
        &filter,
        PER_PAGE,
        (page - 1) * PER_PAGE,
    )
    .await?;
    Ok(render(&ListPage {
        chrome: Chrome::new(&user, "/reconcile"),
        title: title(&user, &filter, &run),
        classes: CLASSES.to_vec(),
        regions: region_choices(&user),
        rows: rows.iter().map(view).collect(),
        total,
        page,
        pages: ((total + PER_PAGE - 1) / PER_PAGE).max(1),
        query_string: query.query_string(),
        changed: filter.changed_only,
        class: query.class,
        region: query.region,
    })?
    .into_response())
}

/// The whole list as XLSX: a title row, then 序号, 主体编号, 主体名称, 统一社会信用代码,
/// 法定代表人/负责人, 地址, 区县, 分类, (上次分类), 说明.
pub async fn export_operators(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<ListQuery>,
) -> AppResult<Response> {
    user.scope.require(Permission::ViewRegistries)?;
    let run = latest(&state, &user).await?.ok_or(AppError::NotFound)?;
    let filter = query.filter()?;
    let (rows, _) =
        reconcile::operators(&state.store, &user.scope, &run.id, &filter, EXPORT_LIMIT, 0).await?;
    let mut headers = vec![
        "序号",
        "主体编号",
        "主体名称",
        "统一社会信用代码",
        "法定代表人/负责人",
        "地址",
        "区县",
        "分类",
    ];
    if filter.changed_only {
        headers.push("上次分类");
    }
    headers.push("说明");
    let data: Vec<Vec<String>> = rows
        .iter()
        .enumerate()
        .map(|(i, o)| {
            let mut row = vec![
                (i + 1).to_string(),
                o.operator_id.clone(),
                o.name.clone(),
                o.uscc.clone().unwrap_or_default(),
                o.legal_rep.clone().unwrap_or_default(),
                o.address.clone().unwrap_or_default(),
                short_region(&o.region_code),
                o.class_zh().to_string(),
            ];
            if filter.changed_only {
                row.push(o.previous_class_zh().to_string());
            }
            row.push(remark(o));
            row
        })
        .collect();
    let title = title(&user, &filter, &run);
    let bytes = crate::xlsx::titled_table("名单", &title, &headers, &data)
        .map_err(|e| AppError::Internal(format!("xlsx: {e}")))?;
    let name = format!("{}.xlsx", title.replace([' ', '（', '）'], ""));
    Ok(crate::xlsx::download(&name, bytes))
}
