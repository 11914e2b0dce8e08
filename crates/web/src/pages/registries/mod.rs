//! Registry pages (登记数据): an index with counts and recent imports, a searchable list per
//! registry with XLSX export, and a record page with every version and its relatives.

use askama::Template;
use axum::extract::DefaultBodyLimit;
use axum::extract::{Path, Query, State};
use axum::response::{Html, Response};
use axum::routing::{get, post};
use axum::Router;
use meijian_domain::region::{RegionCode, RegionTable};
use meijian_exports::{Cell, Column, Table};
use meijian_registry::RegistryKind;
use meijian_store::registries::records::{self, Filter, RecordRow};
use meijian_store::timefmt;
use serde::Deserialize;

use crate::chrome::Chrome;
use crate::error::{AppError, AppResult};
use crate::pages::{region_name, render};
use crate::session::CurrentUser;
use crate::state::AppState;

pub mod imports;

const PER_PAGE: i64 = 50;

/// The registry pages and their imports (导入).
pub fn router(max_upload_bytes: usize) -> Router<AppState> {
    Router::new()
        .route("/registries", get(show_index))
        .route("/registries/{code}", get(list_records))
        .route("/registries/{code}/export.xlsx", get(export_records))
        .route("/records/{id}", get(show_record))
        .route("/imports/new", get(imports::show_new))
        .route(
            "/imports",
            post(imports::upload).layer(DefaultBodyLimit::max(max_upload_bytes)),
        )
        .route("/imports/confirm", post(imports::confirm))
        .route("/imports/{id}", get(imports::show_run))
        .route(
            "/imports/{id}/rejections.xlsx",
            get(imports::rejections_xlsx),
        )
}
const EXPORT_LIMIT: i64 = 200_000;

/// The registry named in a URL, or 404.
pub fn registry_from_path(code: &str) -> AppResult<RegistryKind> {
    RegistryKind::from_code(code).ok_or(AppError::NotFound)
}

/// Chinese label of a stored field name (`extra:…` fields are shown by their own header).
pub fn field_label(kind: RegistryKind, name: &str) -> String {
    if let Some(extra) = name.strip_prefix("extra:") {
        return extra.to_string();
    }
    kind.spec()
        .fields
        .iter()
        .find(|f| f.name == name)
        .map_or_else(|| name.to_string(), |f| f.header.to_string())
}

pub struct RegistryCard {
    pub code: &'static str,
    pub label: &'static str,
    pub count: i64,
}

pub struct RunRow {
    pub id: String,
    pub registry: String,
    pub file_name: String,
    pub status: &'static str,
    pub rows: String,
    pub started_at: String,
    pub actor: String,
}

#[derive(Template)]
#[template(path = "registries.html")]
struct IndexPage {
    chrome: Chrome,
    cards: Vec<RegistryCard>,
    runs: Vec<RunRow>,
    can_import: bool,
}

pub fn status_label(status: &str) -> &'static str {
    match status {
        "running" => "进行中",
        "completed" => "已完成",
        "failed" => "失败",
        _ => "未知",
    }
}

pub async fn show_index(
    State(state): State<AppState>,
    user: CurrentUser,
) -> AppResult<Html<String>> {
    let counts = records::counts(&state.store, &user.scope).await?;
    let cards = RegistryKind::all()
        .iter()
        .map(|k| RegistryCard {
            code: k.code(),
            label: k.label_zh(),
            count: counts
                .iter()
                .find(|(c, _)| c == k.code())
                .map_or(0, |(_, n)| *n),
        })
        .collect();
    let runs = meijian_store::registries::import::recent_runs(&state.store, &user.scope, 20)
        .await?
        .into_iter()
        .map(|r| RunRow {
            status: status_label(&r.status),
            registry: RegistryKind::from_code(&r.registry)
                .map_or(r.registry.clone(), |k| k.label_zh().to_string()),
            rows: format!(
                "新增 {}，更新 {}，未变 {}，拒绝 {}",
                r.rows_added, r.rows_changed, r.rows_unchanged, r.rows_rejected
            ),
            started_at: timefmt::display(&r.started_at),
            id: r.id,
            file_name: r.file_name,
            actor: r.actor_name,
        })
        .collect();
    render(&IndexPage {
        chrome: Chrome::new(&user, "/registries"),
        cards,
        runs,
        can_import: user
            .scope
            .can(meijian_domain::role::Permission::ImportRegistries),
    })
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    region: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    missing: String,
    page: Option<i64>,
}

impl ListQuery {
    fn filter(&self) -> Filter {
        let some = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        Filter {
            q: some(&self.q),
            region: some(&self.region),
            status: some(&self.status),
            category: some(&self.category),
            include_missing: self.missing == "1",
        }
    }

    /// The query string of the filters (without the page), for links.
    fn query_string(&self) -> String {
        serde_urlencoded::to_string([
            ("q", self.q.as_str()),
            ("region", self.region.as_str()),
            ("status", self.status.as_str()),
            ("category", self.category.as_str()),
            ("missing", self.missing.as_str()),
        ])
        .unwrap_or_default()
    }
}

pub struct ListRow {
    pub id: String,
    pub name: String,
    pub key: String,
    pub uscc: String,
    pub region: String,
    pub status: String,
    pub category: String,
    pub missing: bool,
}

fn list_row(r: RecordRow) -> ListRow {
    ListRow {
        name: r.name.unwrap_or_default(),
        key: r.record_key,
        uscc: r.uscc.unwrap_or_default(),
        region: short_region(&r.region_code),
        status: r.status.unwrap_or_default(),
        category: r.category.unwrap_or_default(),
        missing: r.missing_since.is_some(),
        id: r.id,
    }
}

/// The county or city name of a code, for tables.
pub fn short_region(code: &str) -> String {
    RegionCode::parse(code)
        .ok()
        .and_then(|c| RegionTable::embedded().get(&c).map(|r| r.name.clone()))
        .unwrap_or_else(|| code.to_string())
}

#[derive(Template)]
#[template(path = "registry_list.html")]
struct ListPage {
    chrome: Chrome,
    code: &'static str,
    label: &'static str,
    key_label: String,
    /// Whether the records' key is something else than the USCC, which then gets a column of
    /// its own (for registrations the key is the USCC: one column, not two).
    uscc_column: bool,
    q: ListQueryView,
    regions: Vec<(String, String)>,
    /// The allowed statuses when the registry defines them (a select), else empty (free text).
    statuses: Vec<&'static str>,
    rows: Vec<ListRow>,
    total: i64,
    page: i64,
    pages: i64,
    query_string: String,
}

pub struct ListQueryView {
    pub q: String,
    pub region: String,
    pub status: String,
    pub category: String,
    pub missing: bool,
}

/// The regions under the user's jurisdiction root, for the district filter.
fn region_choices(user: &CurrentUser) -> Vec<(String, String)> {
    let table = RegionTable::embedded();
    let Ok(root) = RegionCode::parse(&user.principal.department.region_code) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for c in table.children(&root) {
        out.push((c.code.as_str().to_string(), c.name.clone()));
    }
    out
}

fn status_choices(kind: RegistryKind) -> Vec<&'static str> {
    match kind.spec().field("status").map(|f| f.kind) {
        Some(meijian_registry::FieldKind::Enum(values)) => values.to_vec(),
        _ => Vec::new(),
    }
}

pub async fn list_records(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
    Query(query): Query<ListQuery>,
) -> AppResult<Html<String>> {
    let kind = registry_from_path(&code)?;
    let page = query.page.unwrap_or(1).max(1);
    let (rows, total) = records::list(
        &state.store,
        &user.scope,
        Some(&state.search),
        kind.code(),
        &query.filter(),
        page,
        PER_PAGE,
    )
    .await?;
    render(&ListPage {
        chrome: Chrome::new(&user, "/registries"),
        code: kind.code(),
        label: kind.label_zh(),
        key_label: field_label(kind, kind.spec().key),
        uscc_column: field_label(kind, kind.spec().key) != "统一社会信用代码",
        regions: region_choices(&user),
        statuses: status_choices(kind),
        rows: rows.into_iter().map(list_row).collect(),
        total,
        page,
        pages: ((total + PER_PAGE - 1) / PER_PAGE).max(1),
        query_string: query.query_string(),
        q: ListQueryView {
            missing: query.missing == "1",
            q: query.q,
            region: query.region,
            status: query.status,
            category: query.category,
        },
    })
}

/// `Content-Disposition` for a download with a Chinese file name (RFC 6266 / 5987).
pub fn attachment(file_name: &str) -> String {
    let ascii: String = file_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = file_name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'.' || b == b'-' {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

pub async fn export_records(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
    Query(query): Query<ListQuery>,
) -> AppResult<Response> {
    let kind = registry_from_path(code.trim_end_matches(".xlsx"))?;
    let rows = records::all(
        &state.store,
        &user.scope,
        Some(&state.search),
        kind.code(),
        &query.filter(),
        EXPORT_LIMIT,
    )
    .await?;
    let (table, data) = records_export(kind, &rows);
    let bytes = meijian_exports::to_xlsx_bytes(&table, data).map_err(crate::xlsx::failed)?;
    let name = format!(
        "{}-{}.xlsx",
        kind.label_zh(),
        timefmt::display(&timefmt::to_db(state.now())).replace([' ', ':'], "")
    );
    Ok(crate::xlsx::download(&name, bytes))
}

/// A registry's records as a table: its fields in the order of DATA.md, then 状态标记 and
/// 最后更新. Every value is text, as imported (a USCC, a region code or a date is not a number);
/// the export reads back through the importer.
fn records_export(
    kind: RegistryKind,
    rows: &[RecordRow],
) -> (Table, impl Iterator<Item = Vec<Cell>> + '_) {
    use meijian_registry::FieldKind;
    let fields = kind.spec().fields;
    let mut columns: Vec<Column> = fields
        .iter()
        .map(|f| match f.kind {
            FieldKind::Date | FieldKind::DateOpenEnded => Column::date(f.header),
            _ => Column::text(f.header),
        })
        .collect();
    columns.extend([Column::text("状态标记"), Column::date("最后更新")]);
    let data = rows.iter().map(move |r| {
        let values: std::collections::BTreeMap<String, String> =
            serde_json::from_str(&r.data_json).unwrap_or_default();
        let mut row: Vec<Cell> = fields
            .iter()
            .map(|f| Cell::from(values.get(f.name).cloned()))
            .collect();
        row.push(if r.missing_since.is_some() {
            Cell::text("最新完整导出中缺失")
        } else {
            Cell::Empty
        });
        row.push(Cell::text(timefmt::display(&r.updated_at)));
        row
    });
    (Table::new(kind.label_zh(), columns), data)
}

/// A value of a change pair as people read it.
fn change_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Bool(true) => "是".to_string(),
        serde_json::Value::Bool(false) => "否".to_string(),
        serde_json::Value::Null => "（空）".to_string(),
        other => other.to_string(),
    }
}

pub struct FieldRow {
    pub label: String,
    pub value: String,
}

pub struct VersionView {
    pub version: i64,
    pub at: String,
    pub file_name: String,
    pub import_id: String,
    pub line: i64,
    pub changes: Vec<(String, String, String)>,
    pub first: bool,
}

#[derive(Template)]
#[template(path = "record.html")]
struct RecordPage {
    chrome: Chrome,
    code: &'static str,
    label: &'static str,
    name: String,
    key: String,
    region: String,
    missing_since: Option<String>,
    fields: Vec<FieldRow>,
    versions: Vec<VersionView>,
    relatives: Vec<(String, String, String, String)>,
}

pub async fn show_record(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Html<String>> {
    let record = records::get(&state.store, &user.scope, &id).await?;
    let kind = registry_from_path(&record.registry)?;
    let values: std::collections::BTreeMap<String, String> =
        serde_json::from_str(&record.data_json).unwrap_or_default();
    let mut fields: Vec<FieldRow> = kind
        .spec()
        .fields
        .iter()
        .map(|f| FieldRow {
            label: f.header.to_string(),
            value: values.get(f.name).cloned().unwrap_or_default(),
        })
        .collect();
    fields.extend(
        values
            .iter()
            .filter(|(k, _)| k.starts_with("extra:"))
            .map(|(k, v)| FieldRow {
                label: format!("{}（附加列）", field_label(kind, k)),
                value: v.clone(),
            }),
    );
    let versions = records::versions(&state.store, &user.scope, &id)
        .await?
        .into_iter()
        .map(|v| {
            let diff: std::collections::BTreeMap<String, serde_json::Value> = v
                .changes_json
                .as_deref()
                .and_then(|c| serde_json::from_str(c).ok())
                .unwrap_or_default();
            let changes = diff
                .into_iter()
                .map(|(k, pair)| {
                    let label = if k == "_missing" {
                        "最新完整导出中缺失".to_string()
                    } else {
                        field_label(kind, &k)
                    };
                    (label, change_text(&pair[0]), change_text(&pair[1]))
                })
                .collect();
            VersionView {
                first: v.changes_json.is_none(),
                version: v.version,
                at: timefmt::display(&v.at),
                file_name: v.file_name,
                import_id: v.import_id,
                line: v.line,
                changes,
            }
        })
        .collect();
    let relatives = records::same_uscc(&state.store, &user.scope, &record)
        .await?
        .into_iter()
        .map(|r| {
            let label = RegistryKind::from_code(&r.registry)
                .map_or(r.registry.clone(), |k| k.label_zh().to_string());
            (r.id, label, r.name.unwrap_or_default(), r.record_key)
        })
        .collect();
    render(&RecordPage {
        chrome: Chrome::new(&user, "/registries"),
        code: kind.code(),
        label: kind.label_zh(),
        name: record
            .name
            .clone()
            .unwrap_or_else(|| record.record_key.clone()),
        key: record.record_key.clone(),
        region: region_name(&record.region_code),
        missing_since: record.missing_since.as_deref().map(timefmt::display),
        fields,
        versions,
        relatives,
    })
}

#[cfg(test)]
mod export_tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_registry_export_layout() {
        let record = |key: &str, data: &str, missing: bool| RecordRow {
            id: format!("id-{key}"),
            registry: "registrations".to_string(),
            record_key: key.to_string(),
            name: None,
            uscc: Some(key.to_string()),
            region_code: "370402".to_string(),
            status: None,
            category: None,
            data_json: data.to_string(),
            version: 1,
            missing_since: missing.then(|| "2026-11-20T01:00:00Z".to_string()),
            created_at: "2026-11-01T01:00:00Z".to_string(),
            updated_at: "2026-11-22T01:30:00Z".to_string(),
        };
        let rows = vec![
            record(
                "91370402MA3CKX0N1B",
                r#"{"uscc":"91370402MA3CKX0N1B","name":"市中区甲美容","legal_rep":"张三","founded":"2019-05-06","region":"370402"}"#,
                false,
            ),
            record("92370403MA3D00002X", r#"{"name":"=1+1"}"#, true),
        ];
        let (table, data) = records_export(RegistryKind::Registrations, &rows);
        insta::assert_snapshot!(meijian_exports::preview(&table, data).unwrap());
    }
}
