//! Registry pages (登记数据): an index with counts and recent imports, a searchable list per
//! registry with XLSX export, and a record page with every version and its relatives.

use askama::Template;
use axum::extract::DefaultBodyLimit;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use meijian_domain::region::{RegionCode, RegionTable};
use meijian_exports::{Cell, Column, Table};
use meijian_registry::RegistryKind;
use meijian_store::registries::records::{self, Filter, RecordRow};
use meijian_store::StoreError;
use serde::Deserialize;

use crate::chrome::Chrome;
use crate::error::{AppError, AppResult};
use crate::pages::{region_name, render, show_time};
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

#[tracing::instrument(skip_all)]
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
            count: counts.iter().find(|(c, _)| c == k).map_or(0, |(_, n)| *n),
        })
        .collect();
    let runs = meijian_store::registries::import::recent_runs(&state.store, &user.scope, 20)
        .await?
        .into_iter()
        .map(|r| RunRow {
            status: r.status.label_zh(),
            registry: r.registry.label_zh().to_string(),
            rows: format!(
                "新增 {}，更新 {}，未变 {}，拒绝 {}",
                r.rows_added, r.rows_changed, r.rows_unchanged, r.rows_rejected
            ),
            started_at: show_time(r.started_at),
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

#[tracing::instrument(skip_all)]
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
        kind,
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

/// Exports the whole list (its filters, no row limit) as XLSX: the rows stream from the
/// database into the writer ([`write_records_xlsx`]) and the workbook goes to a temporary file,
/// which is sent and then deleted.
#[tracing::instrument(skip_all)]
pub async fn export_records(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
    Query(query): Query<ListQuery>,
) -> AppResult<Response> {
    let kind = registry_from_path(code.trim_end_matches(".xlsx"))?;
    let export = records::export(&state.store, &user.scope, kind, &query.filter()).await?;
    let temp = TempFile::new()?;
    let file = temp
        .file
        .try_clone()
        .map_err(|e| AppError::Internal(format!("导出临时文件：{e}")))?;
    write_records_xlsx(export, kind, file).await?;
    let name = format!(
        "{}-{}.xlsx",
        kind.label_zh(),
        show_time(state.now()).replace([' ', ':'], "")
    );
    temp.download(&name).await
}

/// Why an export stopped: the database, or writing the workbook.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Write(#[from] meijian_exports::Error),
}

impl From<ExportError> for AppError {
    fn from(e: ExportError) -> AppError {
        match e {
            ExportError::Store(e) => e.into(),
            ExportError::Write(e) => crate::xlsx::failed(e),
        }
    }
}

/// Rows in flight between the database and the XLSX writer.
const EXPORT_CHANNEL_ROWS: usize = 1024;

/// The most records one sheet holds: Excel's 1,048,576 rows less the header.
const SHEET_ROWS: u64 = 1_048_575;

/// Writes the records of `export` (one registry, `kind`) as an XLSX workbook to `file`, and
/// returns how many rows it wrote. The rows stream from the database through a bounded channel
/// to the writer on a blocking thread, which turns each into cells and writes it
/// (`meijian-exports`, constant-memory beyond the first 1,000 rows): memory stays bounded
/// however long the list. A row the store cannot read ends the export with its error, and so
/// does a list longer than one sheet holds ([`SHEET_ROWS`]: narrow it by district). Used by the
/// page and by `meijian export`.
#[tracing::instrument(skip_all)]
pub async fn write_records_xlsx(
    mut export: records::Export,
    kind: RegistryKind,
    file: std::fs::File,
) -> Result<u64, ExportError> {
    use futures_util::StreamExt;
    use std::io::Write;

    let (sender, mut receiver) = tokio::sync::mpsc::channel::<RecordRow>(EXPORT_CHANNEL_ROWS);
    let writer = tokio::task::spawn_blocking(move || -> Result<(), meijian_exports::Error> {
        let rows = std::iter::from_fn(|| receiver.blocking_recv()).map(|r| record_cells(kind, &r));
        let mut out = std::io::BufWriter::with_capacity(1 << 16, file);
        meijian_exports::to_xlsx(&records_table(kind), rows, &mut out)?;
        out.flush()?;
        Ok(())
    });
    let mut count = 0u64;
    let mut failed = None;
    {
        let mut rows = std::pin::pin!(export.rows());
        while let Some(row) = rows.next().await {
            match row {
                Ok(_) if count == SHEET_ROWS => {
                    failed = Some(StoreError::invalid(
                        "导出",
                        format!(
                            "超过 Excel 一张工作表的上限（{SHEET_ROWS} 行）：请按区县或状态筛选后分批导出"
                        ),
                    ));
                    break;
                }
                Ok(row) => {
                    if sender.send(row).await.is_err() {
                        break; // the writer stopped: its error is reported below
                    }
                    count += 1;
                }
                Err(e) => {
                    failed = Some(e);
                    break;
                }
            }
        }
    }
    drop(sender);
    let written = writer
        .await
        .map_err(|e| StoreError::Other(format!("写入导出文件的线程异常结束：{e}")))?;
    if let Some(e) = failed {
        return Err(e.into());
    }
    written?;
    Ok(count)
}

/// A temporary file for a download, in the system's temporary directory: deleted when this
/// value is dropped, i.e. after the response body that owns it has been sent (or the client
/// went away), and on every error before.
struct TempFile {
    path: std::path::PathBuf,
    file: std::fs::File,
}

impl TempFile {
    fn new() -> AppResult<TempFile> {
        let path = std::env::temp_dir().join(format!(
            "meijian-export-{}.xlsx",
            hex::encode(rand::random::<[u8; 12]>())
        ));
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| AppError::Internal(format!("导出临时文件 {}：{e}", path.display())))?;
        Ok(TempFile { path, file })
    }

    /// The file as an XLSX download named `file_name`, streamed from the start of the file.
    async fn download(self, file_name: &str) -> AppResult<Response> {
        use axum::http::header;
        use tokio::io::AsyncReadExt;

        let internal = |e: std::io::Error| AppError::Internal(format!("导出临时文件：{e}"));
        let file = tokio::fs::File::open(&self.path).await.map_err(internal)?;
        let length = file.metadata().await.map_err(internal)?.len();
        // The body owns the guard: the file is deleted once it has been read to the end, on a
        // read error, or when the client goes away and the body is dropped.
        let chunks =
            futures_util::stream::unfold((file, Some(self)), |(mut file, guard)| async move {
                let guard = guard?;
                let mut buf = vec![0u8; 1 << 16];
                match file.read(&mut buf).await {
                    Ok(0) => None,
                    Ok(n) => {
                        buf.truncate(n);
                        Some((Ok(axum::body::Bytes::from(buf)), (file, Some(guard))))
                    }
                    Err(e) => Some((Err(e), (file, None))),
                }
            });
        Ok((
            [
                (
                    header::CONTENT_TYPE,
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
                ),
                (header::CONTENT_DISPOSITION, attachment(file_name)),
                (header::CONTENT_LENGTH, length.to_string()),
            ],
            axum::body::Body::from_stream(chunks),
        )
            .into_response())
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// A registry's records as a table: its fields in the order of DATA.md, then 状态标记 and
/// 最后更新. Every value is text, as imported (a USCC, a region code or a date is not a number);
/// the export reads back through the importer. Rows are [`record_cells`].
fn records_table(kind: RegistryKind) -> Table {
    use meijian_registry::FieldKind;
    let mut columns: Vec<Column> = kind
        .spec()
        .fields
        .iter()
        .map(|f| match f.kind {
            FieldKind::Date | FieldKind::DateOpenEnded => Column::date(f.header),
            _ => Column::text(f.header),
        })
        .collect();
    columns.extend([Column::text("状态标记"), Column::date("最后更新")]);
    Table::new(kind.label_zh(), columns)
}

/// One record as a row of [`records_table`].
fn record_cells(kind: RegistryKind, r: &RecordRow) -> Vec<Cell> {
    let mut values: std::collections::BTreeMap<String, String> =
        serde_json::from_str(&r.data_json).unwrap_or_default();
    let mut row: Vec<Cell> = kind
        .spec()
        .fields
        .iter()
        .map(|f| Cell::from(values.remove(f.name)))
        .collect();
    row.push(if r.missing_since.is_some() {
        Cell::text("最新完整导出中缺失")
    } else {
        Cell::Empty
    });
    row.push(Cell::text(show_time(r.updated_at)));
    row
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

#[tracing::instrument(skip_all)]
pub async fn show_record(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Html<String>> {
    let record = records::get(&state.store, &user.scope, &id).await?;
    let kind = record.registry;
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
                at: show_time(v.at),
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
            (
                r.id,
                r.registry.label_zh().to_string(),
                r.name.unwrap_or_default(),
                r.record_key,
            )
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
        missing_since: record.missing_since.map(show_time),
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
        use time::macros::datetime;
        let record = |key: &str, data: &str, missing: bool| RecordRow {
            id: format!("id-{key}"),
            registry: RegistryKind::Registrations,
            record_key: key.to_string(),
            name: None,
            uscc: Some(key.to_string()),
            region_code: "370402".to_string(),
            status: None,
            category: None,
            data_json: data.to_string(),
            version: 1,
            missing_since: missing.then_some(datetime!(2026-11-20 01:00 UTC)),
            created_at: datetime!(2026-11-01 01:00 UTC),
            updated_at: datetime!(2026-11-22 01:30 UTC),
        };
        let rows = [
            record(
                "91370402MA3CKX0N1B",
                r#"{"uscc":"91370402MA3CKX0N1B","name":"市中区甲美容","legal_rep":"张三","founded":"2019-05-06","region":"370402"}"#,
                false,
            ),
            record("92370403MA3D00002X", r#"{"name":"=1+1"}"#, true),
        ];
        let kind = RegistryKind::Registrations;
        let data = rows.iter().map(|r| record_cells(kind, r));
        insta::assert_snapshot!(meijian_exports::preview(&records_table(kind), data).unwrap());
    }
}

#[cfg(test)]
mod streamed_export_tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use meijian_store::registries::import::{import_file, ImportOptions};
    use meijian_store::testing::TestDb;
    use meijian_store::{both_backends, Actor, Scope};

    /// A valid USCC of 市中区 numbered `n`.
    fn uscc(n: u32) -> String {
        let org = format!("MA{n:06}");
        let check = meijian_domain::uscc::org_code_check_char(&org).unwrap();
        meijian_domain::uscc::Uscc::from_body(&format!("91370402{org}{check}"))
            .unwrap()
            .as_str()
            .to_string()
    }

    /// `rows` registrations of 市中区 imported into `db`.
    async fn imported(db: &TestDb, dir: &std::path::Path, rows: u32) -> Scope {
        let mut csv = String::from(
            "统一社会信用代码,主体名称,主体类型,法定代表人,住所,经营范围,登记状态,成立日期,登记机关,行政区划代码\n",
        );
        for n in 1..=rows {
            csv.push_str(&format!(
                "{},第{n}号医疗美容诊所有限公司,有限责任公司,张三,枣庄市某路{n}号,医疗美容服务,存续,2020-01-02,枣庄市市场监督管理局,370402\n",
                uscc(n)
            ));
        }
        let file = dir.join("registrations.csv");
        std::fs::write(&file, csv).unwrap();
        let scope = Scope::system(Actor::system("test"));
        let now = || time::macros::datetime!(2026-11-22 01:30 UTC);
        let opts = ImportOptions::new(RegistryKind::Registrations);
        let report = import_file(&db.store, &scope, &now, &file, &opts, &mut |_, _, _| {})
            .await
            .unwrap();
        assert_eq!(report.added, i64::from(rows), "{:?}", report.rejections);
        scope
    }

    both_backends!(
        the_streamed_export_writes_every_row_past_the_sample_and_reads_back,
        |db: TestDb| async move {
            // More rows than the writer samples (1,000): the constant-memory path.
            let dir = tempfile::tempdir().unwrap();
            let scope = imported(&db, dir.path(), 1_500).await;
            let kind = RegistryKind::Registrations;
            let export = records::export(&db.store, &scope, kind, &Filter::default())
                .await
                .unwrap();
            let out = dir.path().join("export.xlsx");
            let written = write_records_xlsx(export, kind, std::fs::File::create(&out).unwrap())
                .await
                .unwrap();
            assert_eq!(written, 1_500);
            let rows: Vec<_> = meijian_registry::open(&out, kind, &Default::default())
                .unwrap()
                .collect();
            assert_eq!(rows.len(), 1_500);
            assert!(rows
                .iter()
                .all(|r| matches!(r, meijian_registry::ParsedRow::Ok(_))));

            // A stored value that cannot be read ends the export with the store's error.
            sqlx::query("update registry_record set updated_at = 'soon' where record_key = $1")
                .bind(uscc(1_200))
                .execute(db.store.pool())
                .await
                .unwrap();
            let export = records::export(&db.store, &scope, kind, &Filter::default())
                .await
                .unwrap();
            let err = write_records_xlsx(export, kind, std::fs::File::create(&out).unwrap())
                .await
                .unwrap_err();
            assert!(
                matches!(
                    err,
                    ExportError::Store(StoreError::Corrupt {
                        column: "updated_at",
                        ..
                    })
                ),
                "{err:?}"
            );
        }
    );
}
