//! Registry records (登记数据) as stored: browse with search and filters, one record with its
//! history and its relatives (records that share its USCC), all within the caller's scope; and
//! every record of a list streamed for an export ([`export`]).
//!
//! Rows are read as stored (text codes, RFC 3339 text) and decoded once, through
//! [`At`](crate::stored::At): the registry becomes a [`RegistryKind`], instants an
//! [`OffsetDateTime`]; an unknown code or a malformed time is [`StoreError::Corrupt`] naming
//! `registry_record`, the row and the column. Statuses and categories stay text: each registry
//! has its own values, and an import keeps an unknown one as given (with a warning).

use futures_util::{Stream, StreamExt};
use meijian_domain::role::Permission;
use meijian_registry::RegistryKind;
use sqlx::any::AnyArguments;
use sqlx::Arguments;
use time::OffsetDateTime;

use crate::registries::search_index::SearchIndex;
use crate::sql::{Arg, Query};
use crate::stored::At;
use crate::{Backend, Scope, Store, StoreError};

/// A record as listed and shown.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordRow {
    pub id: String,
    pub registry: RegistryKind,
    pub record_key: String,
    pub name: Option<String>,
    pub uscc: Option<String>,
    pub region_code: String,
    pub status: Option<String>,
    pub category: Option<String>,
    pub data_json: String,
    pub version: i64,
    /// When the latest full export of the jurisdiction lacked the record.
    pub missing_since: Option<OffsetDateTime>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

/// A record as stored.
#[derive(sqlx::FromRow)]
struct StoredRecord {
    id: String,
    registry: String,
    record_key: String,
    name: Option<String>,
    uscc: Option<String>,
    region_code: String,
    status: Option<String>,
    category: Option<String>,
    data_json: String,
    version: i64,
    missing_since: Option<String>,
    created_at: String,
    updated_at: String,
}

impl TryFrom<StoredRecord> for RecordRow {
    type Error = StoreError;

    fn try_from(r: StoredRecord) -> Result<RecordRow, StoreError> {
        let at = At::new("registry_record", &r.id);
        let registry = at.code("registry", &r.registry, RegistryKind::from_code)?;
        let missing_since = at.time_opt("missing_since", r.missing_since.as_deref())?;
        let created_at = at.time("created_at", &r.created_at)?;
        let updated_at = at.time("updated_at", &r.updated_at)?;
        Ok(RecordRow {
            id: r.id,
            registry,
            record_key: r.record_key,
            name: r.name,
            uscc: r.uscc,
            region_code: r.region_code,
            status: r.status,
            category: r.category,
            data_json: r.data_json,
            version: r.version,
            missing_since,
            created_at,
            updated_at,
        })
    }
}

fn decode_all(rows: Vec<StoredRecord>) -> Result<Vec<RecordRow>, StoreError> {
    rows.into_iter().map(RecordRow::try_from).collect()
}

/// One version of a record.
#[derive(Debug, Clone, PartialEq)]
pub struct VersionRow {
    pub version: i64,
    pub import_id: String,
    pub file_name: String,
    pub line: i64,
    pub changes_json: Option<String>,
    pub at: OffsetDateTime,
}

#[derive(sqlx::FromRow)]
struct StoredVersion {
    version: i64,
    import_id: String,
    file_name: String,
    line: i64,
    changes_json: Option<String>,
    at: String,
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

/// The order of a list and of its export.
const ORDER: &str = " order by region_code, name, record_key";

/// The conditions of a list: appended to a [`Query`] (count and page), and the same values in
/// the same order for the streamed export, which binds them itself.
#[derive(Default)]
struct Conditions {
    query: Query,
    args: Vec<Arg>,
}

impl Conditions {
    fn and(&mut self, condition: &str, value: impl Into<Arg>) -> &mut Query {
        let value = value.into();
        self.args.push(value.clone());
        self.query.and(condition, value)
    }

    fn in_range(&mut self, column: &str, (lo, hi): (&str, &str)) {
        self.args.push(lo.into());
        self.args.push(hi.into());
        self.query.in_range(column, (lo, hi));
    }

    fn arguments(&self) -> AnyArguments<'_> {
        let mut args = AnyArguments::default();
        for arg in &self.args {
            // Adding a text or integer to AnyArguments cannot fail.
            let added = match arg {
                Arg::Text(v) => args.add(v.as_str()),
                Arg::Int(v) => args.add(*v),
                Arg::Null => args.add(Option::<String>::None),
            };
            debug_assert!(added.is_ok());
        }
        args
    }
}

/// The where-conditions (after `where 1 = 1`) of `filter` for `registry` inside `scope`.
fn conditions(scope: &Scope, registry: RegistryKind, filter: &Filter) -> Conditions {
    let mut c = Conditions::default();
    c.and("registry =", registry.code());
    c.in_range("region_code", scope.region_range());
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let escaped = q
            .to_lowercase()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        c.and("search_text like", format!("%{escaped}%"))
            .push(" escape '\\'");
    }
    if let Some(region) = filter.region.as_deref().filter(|r| r.len() == 6) {
        // A code that is not a region matches nothing.
        let (rlo, rhi) = meijian_domain::region::RegionCode::parse(region)
            .map(|c| meijian_domain::region::Jurisdiction::new(c).code_range())
            .unwrap_or_else(|_| (String::from("x"), String::from("x")));
        c.in_range("region_code", (&rlo, &rhi));
    }
    if let Some(status) = filter.status.as_deref().filter(|s| !s.is_empty()) {
        c.and("status =", status);
    }
    if let Some(category) = filter.category.as_deref().filter(|s| !s.is_empty()) {
        c.and("category =", category);
    }
    if !filter.include_missing {
        c.query.push(" and missing_since is null");
    }
    c
}

/// One page of a registry's records in the scope, and the total that match. A text search
/// goes through the server's [`SearchIndex`] when one is given and loaded.
#[tracing::instrument(skip_all)]
pub async fn list(
    store: &Store,
    scope: &Scope,
    index: Option<&SearchIndex>,
    registry: RegistryKind,
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
        if let Some(hits) = index.search(registry.code(), lo, hi, filter, page, per_page) {
            return Ok((by_ids(store, scope, &hits.record_ids).await?, hits.total));
        }
    }
    let cond = conditions(scope, registry, filter).query;
    let total: i64 = Query::new("select count(*) from registry_record where 1 = 1")
        .append(&cond)
        .fetch_scalar(store.pool())
        .await?;
    let rows: Vec<StoredRecord> = Query::new(&format!(
        "select {COLUMNS} from registry_record where 1 = 1"
    ))
    .append(&cond)
    .push(ORDER)
    .page(per_page, (page.max(1) - 1).saturating_mul(per_page))
    .fetch_all(store.pool())
    .await?;
    Ok((decode_all(rows)?, total))
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
    let mut q = Query::new(&format!(
        "select {COLUMNS} from registry_record where 1 = 1"
    ));
    q.in_scope("region_code", scope).push(" and id in (");
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            q.push(", ");
        }
        q.bind(id);
    }
    q.push(")");
    let mut rows = decode_all(q.fetch_all(store.pool()).await?)?;
    rows.sort_by_key(|r| ids.iter().position(|i| *i == r.id));
    Ok(rows)
}

/// Every record of a list (the same filters, scope and order), read for an export: hold this
/// value and take its [`Export::rows`], a stream that holds one row at a time, however many
/// the list has. A text search reads the database (`like`), not the search index.
///
/// The export reads on a connection of its own, closed afterwards. On SQLite that connection
/// sorts in temporary files and keeps a small page cache, instead of the pool's in-memory
/// temporary store and 256 MiB cache: sorting a million records in memory would hold them all.
pub struct Export {
    conn: sqlx::pool::PoolConnection<sqlx::Any>,
    sql: String,
    conditions: Conditions,
}

/// The records of `registry` in `scope` that `filter` lists, to stream (see [`Export`]).
#[tracing::instrument(skip_all)]
pub async fn export(
    store: &Store,
    scope: &Scope,
    registry: RegistryKind,
    filter: &Filter,
) -> Result<Export, StoreError> {
    scope.require(Permission::ViewRegistries)?;
    let conditions = conditions(scope, registry, filter);
    let mut select = Query::new(&format!(
        "select {COLUMNS} from registry_record where 1 = 1"
    ));
    select.append(&conditions.query).push(ORDER);
    let mut conn = store.pool().acquire().await?;
    if store.backend() == Backend::Sqlite {
        conn.close_on_drop();
        sqlx::query("pragma temp_store = file")
            .execute(&mut *conn)
            .await?;
        sqlx::query("pragma cache_size = -16384")
            .execute(&mut *conn)
            .await?;
    }
    Ok(Export {
        conn,
        sql: select.sql(),
        conditions,
    })
}

impl Export {
    /// The records, in the order of the list, decoded one by one: a stored value that cannot
    /// be read ends the stream with [`StoreError::Corrupt`].
    pub fn rows(&mut self) -> impl Stream<Item = Result<RecordRow, StoreError>> + Send + '_ {
        sqlx::query_as_with::<_, StoredRecord, _>(&self.sql, self.conditions.arguments())
            .fetch(&mut *self.conn)
            .map(|row| row.map_err(StoreError::from).and_then(RecordRow::try_from))
    }
}

/// One record in the scope; `NotFound` otherwise.
#[tracing::instrument(skip_all)]
pub async fn get(store: &Store, scope: &Scope, id: &str) -> Result<RecordRow, StoreError> {
    scope.require(Permission::ViewRegistries)?;
    let stored: Option<StoredRecord> = Query::new(&format!(
        "select {COLUMNS} from registry_record where 1 = 1"
    ))
    .and("id =", id)
    .in_scope("region_code", scope)
    .fetch_optional(store.pool())
    .await?;
    stored.ok_or(StoreError::NotFound)?.try_into()
}

/// Every version of a record, newest first (the record must be in the scope).
#[tracing::instrument(skip_all)]
pub async fn versions(
    store: &Store,
    scope: &Scope,
    id: &str,
) -> Result<Vec<VersionRow>, StoreError> {
    let record = get(store, scope, id).await?;
    let rows = sqlx::query_as::<_, StoredVersion>(
        "select v.version, v.import_id, r.file_name, v.line, v.changes_json, v.at \
         from registry_version v join import_run r on r.id = v.import_id \
         where v.record_id = $1 order by v.version desc",
    )
    .bind(&record.id)
    .fetch_all(store.pool())
    .await?;
    rows.into_iter()
        .map(|v| {
            let row = format!("{}/{}", record.id, v.version);
            let at = At::new("registry_version", &row).time("at", &v.at)?;
            Ok(VersionRow {
                version: v.version,
                import_id: v.import_id,
                file_name: v.file_name,
                line: v.line,
                changes_json: v.changes_json,
                at,
            })
        })
        .collect()
}

/// Other records in the scope, of any registry, that carry the same USCC.
#[tracing::instrument(skip_all)]
pub async fn same_uscc(
    store: &Store,
    scope: &Scope,
    record: &RecordRow,
) -> Result<Vec<RecordRow>, StoreError> {
    let Some(uscc) = record.uscc.as_deref().filter(|u| !u.is_empty()) else {
        return Ok(Vec::new());
    };
    let rows = Query::new(&format!(
        "select {COLUMNS} from registry_record where 1 = 1"
    ))
    .and("uscc =", uscc)
    .and("id <>", &record.id)
    .in_scope("region_code", scope)
    .push(" order by registry, record_key limit 200")
    .fetch_all(store.pool())
    .await?;
    decode_all(rows)
}

/// Counts of records per registry in the scope (for the dashboard and the registry index).
#[tracing::instrument(skip_all)]
pub async fn counts(store: &Store, scope: &Scope) -> Result<Vec<(RegistryKind, i64)>, StoreError> {
    let rows: Vec<(String, i64)> =
        Query::new("select registry, count(*) from registry_record where 1 = 1")
            .in_scope("region_code", scope)
            .push(" and missing_since is null group by registry order by registry")
            .fetch_all(store.pool())
            .await?;
    rows.into_iter()
        .map(|(code, n)| {
            let kind = At::new("registry_record", "（按类别计数）").code(
                "registry",
                &code,
                RegistryKind::from_code,
            )?;
            Ok((kind, n))
        })
        .collect()
}
