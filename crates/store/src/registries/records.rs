//! Registry records (登记数据) as stored: browse with search and filters, one record with its
//! history and its relatives (records that share its USCC), all within the caller's scope.

use meijian_domain::role::Permission;
use serde::Serialize;

use crate::registries::search_index::SearchIndex;
use crate::{Scope, Store, StoreError};

/// A record as listed and shown.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct RecordRow {
    pub id: String,
    pub registry: String,
    pub record_key: String,
    pub name: Option<String>,
    pub uscc: Option<String>,
    pub region_code: String,
    pub status: Option<String>,
    pub category: Option<String>,
    pub data_json: String,
    pub version: i64,
    pub missing_since: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

/// One version of a record.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct VersionRow {
    pub version: i64,
    pub import_id: String,
    pub file_name: String,
    pub line: i64,
    pub changes_json: Option<String>,
    pub at: String,
}

/// What a list shows: the search and the filters, all optional.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Substring of the name, or of the key, USCC or another number (case-insensitive).
    pub q: Option<String>,
    /// A region code inside the scope; its subtree is listed.
    pub region: Option<String>,
    pub status: Option<String>,
    pub category: Option<String>,
    /// Include records marked missing from the latest full export.
    pub include_missing: bool,
}

const COLUMNS: &str = "id, registry, record_key, name, uscc, region_code, status, category, \
     data_json, version, missing_since, created_at, updated_at";

/// Builds the where-clause and its bind values for `filter` inside `scope`.
fn conditions(scope: &Scope, registry: &str, filter: &Filter) -> (String, Vec<String>) {
    let (lo, hi) = scope.region_range();
    let mut binds = vec![registry.to_string(), lo.to_string(), hi.to_string()];
    let mut sql = String::from("registry = $1 and region_code between $2 and $3");
    let mut push = |sql: &mut String, clause: &str, value: String| {
        binds.push(value);
        sql.push_str(&clause.replace('?', &format!("${}", binds.len())));
    };
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let escaped = q
            .to_lowercase()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        push(
            &mut sql,
            " and search_text like ? escape '\\'",
            format!("%{escaped}%"),
        );
    }
    if let Some(region) = filter.region.as_deref().filter(|r| r.len() == 6) {
        let (rlo, rhi) = meijian_domain::region::RegionCode::parse(region)
            .map(|c| meijian_domain::region::Jurisdiction::new(c).code_range())
            .unwrap_or_else(|_| (String::from("x"), String::from("x")));
        push(&mut sql, " and region_code >= ?", rlo);
        push(&mut sql, " and region_code <= ?", rhi);
    }
    if let Some(status) = filter.status.as_deref().filter(|s| !s.is_empty()) {
        push(&mut sql, " and status = ?", status.to_string());
    }
    if let Some(category) = filter.category.as_deref().filter(|s| !s.is_empty()) {
        push(&mut sql, " and category = ?", category.to_string());
    }
    if !filter.include_missing {
        sql.push_str(" and missing_since is null");
    }
    (sql, binds)
}

/// One page of a registry's records in the scope, and the total that match. A text search
/// goes through the server's [`SearchIndex`] when one is given and loaded.
pub async fn list(
    store: &Store,
    scope: &Scope,
    index: Option<&SearchIndex>,
    registry: &str,
    filter: &Filter,
    page: i64,
    per_page: i64,
) -> Result<(Vec<RecordRow>, i64), StoreError> {
    scope.require(Permission::ViewRegistries)?;
    let searching = filter.q.as_deref().is_some_and(|q| !q.trim().is_empty());
    if let Some(index) = index.filter(|i| searching && i.is_ready()) {
        index
            .refresh_if_older(store, std::time::Duration::from_secs(2))
            .await?;
        let (lo, hi) = scope.region_range();
        if let Some(hits) = index.search(registry, lo, hi, filter, page, per_page) {
            return Ok((by_ids(store, scope, &hits.record_ids).await?, hits.total));
        }
    }
    let (cond, binds) = conditions(scope, registry, filter);
    let count_sql = format!("select count(*) from registry_record where {cond}");
    let mut count = sqlx::query_scalar::<_, i64>(&count_sql);
    for b in &binds {
        count = count.bind(b);
    }
    let total = count.fetch_one(store.pool()).await?;
    let n = binds.len();
    let list_sql = format!(
        "select {COLUMNS} from registry_record where {cond} order by region_code, name, record_key limit ${} offset ${}",
        n + 1,
        n + 2
    );
    let mut q = sqlx::query_as::<_, RecordRow>(&list_sql);
    for b in &binds {
        q = q.bind(b);
    }
    let rows = q
        .bind(per_page)
        .bind((page.max(1) - 1).saturating_mul(per_page))
        .fetch_all(store.pool())
        .await?;
    Ok((rows, total))
}

/// Records by id, in the order given, within the scope.
async fn by_ids(
    store: &Store,
    scope: &Scope,
    ids: &[String],
) -> Result<Vec<RecordRow>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let (lo, hi) = scope.region_range();
    let placeholders: Vec<String> = (0..ids.len()).map(|i| format!("${}", i + 3)).collect();
    let sql = format!(
        "select {COLUMNS} from registry_record where region_code between $1 and $2 and id in ({})",
        placeholders.join(", ")
    );
    let mut q = sqlx::query_as::<_, RecordRow>(&sql).bind(lo).bind(hi);
    for id in ids {
        q = q.bind(id);
    }
    let mut rows = q.fetch_all(store.pool()).await?;
    rows.sort_by_key(|r| ids.iter().position(|i| *i == r.id));
    Ok(rows)
}

/// Every matching record (for export), in the same order as the list.
pub async fn all(
    store: &Store,
    scope: &Scope,
    index: Option<&SearchIndex>,
    registry: &str,
    filter: &Filter,
    limit: i64,
) -> Result<Vec<RecordRow>, StoreError> {
    Ok(list(store, scope, index, registry, filter, 1, limit)
        .await?
        .0)
}

/// One record in the scope; `NotFound` otherwise.
pub async fn get(store: &Store, scope: &Scope, id: &str) -> Result<RecordRow, StoreError> {
    scope.require(Permission::ViewRegistries)?;
    let (lo, hi) = scope.region_range();
    sqlx::query_as::<_, RecordRow>(&format!(
        "select {COLUMNS} from registry_record where id = $1 and region_code between $2 and $3"
    ))
    .bind(id)
    .bind(lo)
    .bind(hi)
    .fetch_optional(store.pool())
    .await?
    .ok_or(StoreError::NotFound)
}

/// Every version of a record, newest first (the record must be in the scope).
pub async fn versions(
    store: &Store,
    scope: &Scope,
    id: &str,
) -> Result<Vec<VersionRow>, StoreError> {
    let record = get(store, scope, id).await?;
    Ok(sqlx::query_as::<_, VersionRow>(
        "select v.version, v.import_id, r.file_name, v.line, v.changes_json, v.at \
         from registry_version v join import_run r on r.id = v.import_id \
         where v.record_id = $1 order by v.version desc",
    )
    .bind(&record.id)
    .fetch_all(store.pool())
    .await?)
}

/// Other records in the scope, of any registry, that carry the same USCC.
pub async fn same_uscc(
    store: &Store,
    scope: &Scope,
    record: &RecordRow,
) -> Result<Vec<RecordRow>, StoreError> {
    let Some(uscc) = record.uscc.as_deref().filter(|u| !u.is_empty()) else {
        return Ok(Vec::new());
    };
    let (lo, hi) = scope.region_range();
    Ok(sqlx::query_as::<_, RecordRow>(&format!(
        "select {COLUMNS} from registry_record where uscc = $1 and id <> $2 \
         and region_code between $3 and $4 order by registry, record_key limit 200"
    ))
    .bind(uscc)
    .bind(&record.id)
    .bind(lo)
    .bind(hi)
    .fetch_all(store.pool())
    .await?)
}

/// Counts of records per registry in the scope (for the dashboard and the registry index).
pub async fn counts(store: &Store, scope: &Scope) -> Result<Vec<(String, i64)>, StoreError> {
    let (lo, hi) = scope.region_range();
    Ok(sqlx::query_as::<_, (String, i64)>(
        "select registry, count(*) from registry_record where region_code between $1 and $2 \
         and missing_since is null group by registry order by registry",
    )
    .bind(lo)
    .bind(hi)
    .fetch_all(store.pool())
    .await?)
}
