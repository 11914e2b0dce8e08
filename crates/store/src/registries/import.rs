//! Importing a registry file (导入登记数据): validated rows go in, bad rows are reported, and
//! nothing is ever half-written.
//!
//! Rows are written in batches, each one transaction that also moves the run's `resume_line`.
//! A killed process therefore leaves whole batches and a run marked `running`; importing the
//! same file again (same registry, same SHA-256, same jurisdiction) resumes after the last
//! committed batch. Re-importing an imported file changes no record: a record changes only
//! when its content hash does, and each change is a new version naming the import.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::path::Path;

use futures_util::TryStreamExt;
use meijian_domain::role::Permission;
use meijian_registry::{ParsedRow, ReadOptions, Record, RegistryKind, Rejection};
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::audit::{self, Change};
use crate::sql::Query;
use crate::stored::At;
use crate::{new_id, sql, timefmt, Scope, Store, StoreError};

// Rows per multi-row statement. SQLite finds each `$N` parameter by a linear search of the
// statement's parameter list, so the cost per row grows with the statement's size: a few
// hundred parameters per statement is the sweet spot measured by `bench/import.sh`.
const KEYS_PER_LOOKUP: usize = 500;
const RECORDS_PER_INSERT: usize = 100;
const VERSIONS_PER_INSERT: usize = 250;

/// Rows per transaction unless told otherwise. Each transaction rewrites every page of the
/// key and USCC indexes that one of its rows falls on; for a large registry that is most of
/// their pages whatever the batch size, so larger batches write far less in all. Memory grows
/// with it: about 1.5 KB a row, three batches in flight.
pub const DEFAULT_BATCH_SIZE: usize = 50_000;

/// What to import and how.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    pub registry: RegistryKind,
    pub read: ReadOptions,
    /// The file is a complete export of the jurisdiction: records it lacks are marked missing.
    pub full_export: bool,
    /// For a key that appears twice in the file, keep the last row instead of rejecting it.
    pub last_wins: bool,
    /// Report what would happen; write nothing.
    pub dry_run: bool,
    /// Rows per transaction.
    pub batch_size: usize,
    /// The id for a new run (so a caller can point to it before it ends); made if `None`.
    pub run_id: Option<String>,
    /// The file's name as its owner knows it (an upload waits under another name on disk).
    pub file_name: Option<String>,
}

impl ImportOptions {
    /// The usual import of `registry`: a full export, first row of a duplicated key kept,
    /// written in batches of [`DEFAULT_BATCH_SIZE`], file read with detected encoding and first
    /// sheet.
    pub fn new(registry: RegistryKind) -> ImportOptions {
        ImportOptions {
            registry,
            read: ReadOptions::default(),
            full_export: true,
            last_wins: false,
            dry_run: false,
            batch_size: DEFAULT_BATCH_SIZE,
            run_id: None,
            file_name: None,
        }
    }
}

/// The outcome of an import (or of a dry run).
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportReport {
    pub run_id: Option<String>,
    pub registry: String,
    pub file_name: String,
    pub encoding: String,
    /// The line after which this run resumed an interrupted one, if it did.
    pub resumed_after_line: Option<i64>,
    pub rows_read: i64,
    pub added: i64,
    pub changed: i64,
    pub unchanged: i64,
    pub rejected: i64,
    /// Rows imported with a warning (an invalid code kept as given, an unknown region …).
    pub warned: i64,
    pub missing: i64,
    /// Progress of reading the file: done of total (bytes for CSV, rows for XLSX).
    pub progress: (u64, u64),
    /// The rejected rows (all of them for a dry run; the first 1,000 otherwise: all are stored).
    pub rejections: Vec<Rejection>,
    /// The rows imported with warnings, the reason being the warning (the same limits).
    pub warnings: Vec<Rejection>,
}

/// A problem with one row of a file, as stored with its run.
#[derive(Debug, Clone, Serialize)]
pub struct RowIssue {
    pub line: u64,
    pub column: String,
    pub value: String,
    pub reason: String,
    /// `true`: the row was not imported; `false`: imported with a warning.
    pub rejected: bool,
}

/// Progress callback: bytes (or rows) done, total, rows read so far.
pub trait Progress {
    fn update(&mut self, done: u64, total: u64, rows: u64);
}

impl<F: FnMut(u64, u64, u64)> Progress for F {
    fn update(&mut self, done: u64, total: u64, rows: u64) {
        self(done, total, rows)
    }
}

/// SHA-256 of a file, streamed.
fn file_sha256(path: &Path) -> Result<String, StoreError> {
    let mut f = std::fs::File::open(path)
        .map_err(|e| StoreError::invalid("文件", format!("无法打开 {}：{e}", path.display())))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f
            .read(&mut buf)
            .map_err(|e| StoreError::invalid("文件", format!("读取失败：{e}")))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex::encode(h.finalize()))
}

/// A validated row ready to store.
struct Prepared {
    line: i64,
    key: String,
    name: Option<String>,
    uscc: Option<String>,
    region: String,
    status: Option<String>,
    category: Option<String>,
    search_text: String,
    data_json: String,
    hash: String,
}

/// The region a record belongs to: its own region field, else the region part of a valid
/// USCC. `None` when neither is there.
fn record_region(record: &Record) -> Option<String> {
    if let Some(r) = record
        .fields
        .get("region")
        .filter(|r| r.len() == 6 && r.bytes().all(|b| b.is_ascii_digit()))
    {
        return Some(r.clone());
    }
    let uscc = record
        .fields
        .get("uscc")
        .or_else(|| record.fields.get("taxpayer_id"))?;
    meijian_domain::uscc::Uscc::parse(uscc)
        .ok()
        .map(|u| u.region_code().to_string())
}

fn first<'a>(record: &'a Record, names: &[&'static str]) -> Option<&'a String> {
    names
        .iter()
        .find_map(|n| record.fields.get(n).filter(|v| !v.is_empty()))
}

fn prepare(record: Record, region: String) -> Prepared {
    let name = first(
        &record,
        &["name", "shop_name", "institution", "entity_name"],
    )
    .cloned();
    let uscc = first(&record, &["uscc", "taxpayer_id"]).cloned();
    let status = first(&record, &["status"]).cloned();
    let category = first(
        &record,
        &[
            "category",
            "entity_type",
            "kind",
            "license_type",
            "service_category",
            "media",
            "practice_category",
        ],
    )
    .cloned();
    // The canonical JSON: fields by alias and extras as `extra:<header>`, in key order. Built
    // from borrowed strings: a copy of every value per row was a third of the reading thread.
    let mut data: BTreeMap<Cow<'_, str>, &str> = record
        .fields
        .iter()
        .map(|(k, v)| (Cow::Borrowed(*k), v.as_str()))
        .collect();
    for (k, v) in &record.extras {
        data.insert(Cow::Owned(format!("extra:{k}")), v.as_str());
    }
    let data_json = serde_json::to_string(&data).unwrap_or_default();
    drop(data);
    // Each value once: a registration's key is its USCC, which would otherwise appear twice.
    let mut search: Vec<String> = Vec::new();
    for f in [
        "name",
        "shop_name",
        "entity_name",
        "institution",
        "uscc",
        "taxpayer_id",
        "license_no",
        "institution_license_no",
        "cert_no",
        "filing_no",
        "reg_no",
    ] {
        if let Some(v) = record.fields.get(f) {
            let v = v.to_lowercase();
            if !search.contains(&v) {
                search.push(v);
            }
        }
    }
    let key = record.key.to_lowercase();
    if !search.contains(&key) {
        search.push(key);
    }
    let hash = hex::encode(Sha256::digest(data_json.as_bytes()));
    Prepared {
        line: record.line as i64,
        key: record.key,
        name,
        uscc,
        region,
        status,
        category,
        search_text: search.join(" "),
        data_json,
        hash,
    }
}

/// Field-by-field differences between two versions: `{field: [old, new]}`.
fn changes(old: &BTreeMap<String, String>, new: &BTreeMap<String, String>) -> serde_json::Value {
    let mut out = serde_json::Map::new();
    for k in old.keys().chain(new.keys()) {
        let (a, b) = (old.get(k), new.get(k));
        if a != b && !out.contains_key(k) {
            out.insert(k.clone(), json!([a, b]));
        }
    }
    serde_json::Value::Object(out)
}

#[derive(sqlx::FromRow)]
struct Existing {
    id: String,
    record_key: String,
    content_hash: String,
    version: i64,
    missing_since: Option<String>,
    /// The stored row, read only when it changed (an unchanged re-import reads none).
    #[sqlx(skip)]
    data_json: Option<String>,
    /// Position in this batch's inserts of a record new in this batch (not yet written).
    #[sqlx(skip)]
    pending: Option<usize>,
}

/// Counters of one batch.
#[derive(Default)]
struct Tally {
    added: i64,
    changed: i64,
    unchanged: i64,
}

/// Writes (or, for a dry run, only classifies) one batch of prepared rows.
async fn apply_batch(
    conn: &mut sqlx::AnyConnection,
    registry: &str,
    run_id: &str,
    at: &str,
    rows: &[Prepared],
    write: bool,
) -> Result<Tally, StoreError> {
    let mut tally = Tally::default();
    if rows.is_empty() {
        return Ok(tally);
    }
    let backend = sql::backend_of(conn);
    // What exists already, by key.
    let mut existing: HashMap<String, Existing> = HashMap::new();
    for chunk in rows.chunks(KEYS_PER_LOOKUP) {
        let sql = format!(
            "select id, record_key, content_hash, version, missing_since from registry_record \
             where registry = {} and record_key in {}",
            sql::param(backend, 1),
            sql::values(backend, 1, chunk.len(), 2)
        );
        let mut q = sqlx::query_as::<_, Existing>(&sql).bind(registry);
        for r in chunk {
            q = q.bind(r.key.as_str());
        }
        for e in q.fetch_all(&mut *conn).await? {
            existing.insert(e.record_key.clone(), e);
        }
    }
    // New records (row, id, version): written after the loop, so a key repeated in the batch
    // (with "last wins") changes the pending row instead of updating a row not yet written.
    let mut inserts: Vec<(&Prepared, String, i64)> = Vec::new();
    let mut versions: Vec<(String, i64, &Prepared, Option<String>)> = Vec::new();
    for row in rows {
        match existing.get_mut(&row.key) {
            None => {
                let id = new_id();
                tally.added += 1;
                versions.push((id.clone(), 1, row, None));
                existing.insert(
                    row.key.clone(),
                    Existing {
                        id: id.clone(),
                        record_key: row.key.clone(),
                        content_hash: row.hash.clone(),
                        version: 1,
                        data_json: None,
                        missing_since: None,
                        pending: Some(inserts.len()),
                    },
                );
                inserts.push((row, id, 1));
            }
            Some(e) if e.content_hash == row.hash && e.missing_since.is_none() => {
                tally.unchanged += 1
            }
            Some(e) => {
                tally.changed += 1;
                let stored = match (e.pending, e.data_json.take()) {
                    (Some(i), _) => inserts[i].0.data_json.clone(),
                    (None, Some(d)) => d,
                    (None, None) => {
                        sqlx::query_scalar::<_, String>(
                            "select data_json from registry_record where id = $1",
                        )
                        .bind(&e.id)
                        .fetch_one(&mut *conn)
                        .await?
                    }
                };
                let old: BTreeMap<String, String> =
                    serde_json::from_str(&stored).unwrap_or_default();
                let new: BTreeMap<String, String> =
                    serde_json::from_str(&row.data_json).unwrap_or_default();
                let mut diff = changes(&old, &new);
                if e.missing_since.is_some() {
                    diff["_missing"] = json!([true, false]);
                }
                e.version += 1;
                e.content_hash = row.hash.clone();
                e.missing_since = None;
                versions.push((e.id.clone(), e.version, row, Some(diff.to_string())));
                if let Some(i) = e.pending {
                    inserts[i] = (row, e.id.clone(), e.version);
                    continue;
                }
                e.data_json = Some(row.data_json.clone());
                if write {
                    sqlx::query(
                        "update registry_record set name = $2, uscc = $3, region_code = $4, status = $5, \
                         category = $6, search_text = $7, data_json = $8, content_hash = $9, version = $10, \
                         last_import_id = $11, missing_since = null, missing_import_id = null, updated_at = $12 \
                         where id = $1",
                    )
                    .bind(&e.id)
                    .bind(&row.name)
                    .bind(&row.uscc)
                    .bind(&row.region)
                    .bind(&row.status)
                    .bind(&row.category)
                    .bind(&row.search_text)
                    .bind(&row.data_json)
                    .bind(&row.hash)
                    .bind(e.version)
                    .bind(run_id)
                    .bind(at)
                    .execute(&mut *conn)
                    .await?;
                }
            }
        }
    }
    if !write {
        return Ok(tally);
    }
    for chunk in inserts.chunks(RECORDS_PER_INSERT) {
        let sql = format!(
            "{} registry_record (id, registry, record_key, name, uscc, region_code, status, category, \
             search_text, data_json, content_hash, version, first_import_id, last_import_id, created_at, updated_at) \
             values {}",
            sql::bulk_insert(backend),
            sql::values(backend, chunk.len(), 16, 1)
        );
        let mut q = sqlx::query(&sql);
        for (row, id, version) in chunk {
            // `&str` binds are borrowed by the driver; `&String` ones would be copied.
            q = q
                .bind(id.as_str())
                .bind(registry)
                .bind(row.key.as_str())
                .bind(row.name.as_deref())
                .bind(row.uscc.as_deref())
                .bind(row.region.as_str())
                .bind(row.status.as_deref())
                .bind(row.category.as_deref())
                .bind(row.search_text.as_str())
                .bind(row.data_json.as_str())
                .bind(row.hash.as_str())
                .bind(*version)
                .bind(run_id)
                .bind(run_id)
                .bind(at)
                .bind(at);
        }
        q.execute(&mut *conn).await?;
    }
    for chunk in versions.chunks(VERSIONS_PER_INSERT) {
        let sql = format!(
            "{} registry_version (record_id, version, import_id, line, changes_json, at) values {}",
            sql::bulk_insert(backend),
            sql::values(backend, chunk.len(), 6, 1)
        );
        let mut q = sqlx::query(&sql);
        for (id, version, row, diff) in chunk {
            q = q
                .bind(id.as_str())
                .bind(*version)
                .bind(run_id)
                .bind(row.line)
                .bind(diff.as_deref())
                .bind(at);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(tally)
}

/// The rows of one transaction: to write, rejected, and written with a warning.
#[derive(Default)]
struct Batch {
    rows: Vec<Prepared>,
    rejections: Vec<Rejection>,
    warnings: Vec<Rejection>,
    /// Rows of the file this batch covers (after the resume point).
    rows_read: i64,
    /// Physical line of its last row: the resume point once it is committed.
    last_line: i64,
    /// Where reading the file stood after this batch.
    progress: (u64, u64),
}

/// Turns the rows of a file into batches: duplicates, jurisdiction and region decided here.
struct Classifier {
    scope: Scope,
    last_wins: bool,
    resume_line: i64,
    batch_size: usize,
}

impl Classifier {
    /// Reads every row, sends full batches, and returns the keys seen with their first line
    /// (for marking what a full export lacks).
    fn run(
        self,
        mut reader: meijian_registry::RowReader,
        sender: tokio::sync::mpsc::Sender<Batch>,
    ) -> HashMap<String, i64> {
        let mut seen: HashMap<String, i64> = HashMap::new();
        let mut batch = Batch {
            last_line: self.resume_line,
            ..Batch::default()
        };
        while let Some(parsed) = reader.next() {
            let line = parsed.line() as i64;
            let skip = line <= self.resume_line;
            match parsed {
                ParsedRow::Rejected(r) => {
                    if !skip {
                        batch.rejections.push(r);
                    }
                }
                ParsedRow::Ok(record) => {
                    let first_line = seen.get(&record.key).copied();
                    if first_line.is_none() {
                        seen.insert(record.key.clone(), line);
                    }
                    if !skip {
                        self.classify(&mut batch, record, first_line);
                    }
                }
            }
            if skip {
                continue;
            }
            batch.rows_read += 1;
            batch.last_line = line;
            if batch.rows.len() + batch.rejections.len() >= self.batch_size {
                batch.progress = reader.progress();
                let next = Batch {
                    last_line: line,
                    ..Batch::default()
                };
                if sender
                    .blocking_send(std::mem::replace(&mut batch, next))
                    .is_err()
                {
                    return seen; // the writer stopped on an error; it reports it
                }
            }
        }
        batch.progress = reader.progress();
        let _ = sender.blocking_send(batch);
        seen
    }

    fn classify(&self, batch: &mut Batch, record: Record, first_line: Option<i64>) {
        if let Some(first_line) = first_line.filter(|_| !self.last_wins) {
            batch.rejections.push(Rejection {
                line: record.line,
                column: String::new(),
                value: record.key.clone(),
                reason: format!(
                    "记录键“{}”在文件中重复，首次出现在第 {first_line} 行（如需以后出现的为准，请使用“以后者为准”选项）",
                    record.key
                ),
            });
            return;
        }
        match record_region(&record) {
            Some(region) if self.scope.covers(&region) => batch.accept(record, region),
            Some(region) => batch.rejections.push(Rejection {
                line: record.line,
                column: "行政区划代码".to_string(),
                value: region.clone(),
                reason: format!(
                    "{}（{region}）不在您的管辖范围内",
                    meijian_domain::region::RegionCode::parse(&region)
                        .ok()
                        .and_then(|c| crate::accounts::departments::short_region_name(&c))
                        .unwrap_or_else(|| "该行政区划".to_string())
                ),
            }),
            None => match self.scope.region.as_ref() {
                Some(root) => batch.accept(record, root.as_str().to_string()),
                None => batch.rejections.push(Rejection {
                    line: record.line,
                    column: "行政区划代码".to_string(),
                    value: String::new(),
                    reason: "缺少行政区划代码，也无法从统一社会信用代码推断".to_string(),
                }),
            },
        }
    }
}

impl Batch {
    /// Takes a valid row of the jurisdiction; its warnings are kept for the report.
    fn accept(&mut self, record: Record, region: String) {
        if !record.warnings.is_empty() {
            self.warnings.push(Rejection {
                line: record.line,
                column: String::new(),
                value: record.key.clone(),
                reason: record.warnings.join("；"),
            });
        }
        self.rows.push(prepare(record, region));
    }

    fn is_empty(&self) -> bool {
        self.rows.is_empty() && self.rejections.is_empty() && self.warnings.is_empty()
    }
}

#[derive(sqlx::FromRow)]
struct UnfinishedRun {
    id: String,
    resume_line: i64,
}

/// Problem rows of a batch (`kind` rejected or warning), stored with the run.
async fn store_rejections(
    conn: &mut sqlx::AnyConnection,
    run_id: &str,
    first_seq: i64,
    kind: &str,
    rows: &[Rejection],
) -> Result<(), StoreError> {
    let backend = sql::backend_of(conn);
    for (i, chunk) in rows.chunks(200).enumerate() {
        let sql = format!(
            "insert into import_rejection (import_id, kind, seq, line, column_name, value, reason) values {}",
            sql::values(backend, chunk.len(), 7, 1)
        );
        let mut q = sqlx::query(&sql);
        for (j, r) in chunk.iter().enumerate() {
            q = q
                .bind(run_id)
                .bind(kind)
                .bind(first_seq + (i * 200 + j) as i64)
                .bind(r.line as i64)
                .bind(&r.column)
                .bind(&r.value)
                .bind(&r.reason);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Imports `path` into the registry of `opts`, within `scope`. See the module doc.
#[tracing::instrument(skip_all)]
pub async fn import_file(
    store: &Store,
    scope: &Scope,
    now: &(dyn Fn() -> OffsetDateTime + Send + Sync),
    path: &Path,
    opts: &ImportOptions,
    progress: &mut (dyn Progress + Send),
) -> Result<ImportReport, StoreError> {
    scope.require(Permission::ImportRegistries)?;
    let registry = opts.registry.code();
    let file_name = opts.file_name.clone().unwrap_or_else(|| {
        path.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    });
    let sha = file_sha256(path)?;
    let reader = meijian_registry::open(path, opts.registry, &opts.read)
        .map_err(|e| StoreError::invalid("文件", e.to_string()))?;
    let (lo, hi) = scope.region_range();
    let mut report = ImportReport {
        registry: registry.to_string(),
        file_name: file_name.clone(),
        encoding: reader.encoding().to_string(),
        ..ImportReport::default()
    };

    // Resume an interrupted run of the same file, or start a new one.
    let mut resume_line = 0i64;
    let mut rejection_seq = 0i64;
    let run_id = if opts.dry_run {
        None
    } else {
        let unfinished: Option<UnfinishedRun> = sqlx::query_as(
            "select id, resume_line from import_run where registry = $1 and file_sha256 = $2 \
             and region_lo = $3 and region_hi = $4 and status = 'running' order by started_at desc limit 1",
        )
        .bind(registry)
        .bind(&sha)
        .bind(lo)
        .bind(hi)
        .fetch_optional(store.pool())
        .await?;
        let id = match unfinished {
            Some(run) => {
                resume_line = run.resume_line;
                report.resumed_after_line = Some(run.resume_line);
                rejection_seq = sqlx::query_scalar(
                    "select count(*) from import_rejection where import_id = $1",
                )
                .bind(&run.id)
                .fetch_one(store.pool())
                .await?;
                let counts: (i64, i64, i64, i64, i64, i64) = sqlx::query_as(
                    "select rows_read, rows_added, rows_changed, rows_unchanged, rows_rejected, rows_warned \
                     from import_run where id = $1",
                )
                .bind(&run.id)
                .fetch_one(store.pool())
                .await?;
                (
                    report.rows_read,
                    report.added,
                    report.changed,
                    report.unchanged,
                    report.rejected,
                    report.warned,
                ) = counts;
                run.id
            }
            None => {
                let id = opts.run_id.clone().unwrap_or_else(new_id);
                let at = timefmt::to_db(now());
                let mut tx = store.begin().await?;
                sqlx::query(
                    "insert into import_run (id, registry, file_name, file_sha256, encoding, full_export, last_wins, \
                     status, actor_id, actor_name, region_lo, region_hi, started_at, updated_at) \
                     values ($1, $2, $3, $4, $5, $6, $7, 'running', $8, $9, $10, $11, $12, $12)",
                )
                .bind(&id)
                .bind(registry)
                .bind(&file_name)
                .bind(&sha)
                .bind(&report.encoding)
                .bind(i64::from(opts.full_export))
                .bind(i64::from(opts.last_wins))
                .bind(&scope.actor.account_id)
                .bind(&scope.actor.name)
                .bind(lo)
                .bind(hi)
                .bind(&at)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                id
            }
        };
        Some(id)
    };
    report.run_id = run_id.clone();

    // Reading, validating and preparing rows runs on a thread of its own, one batch ahead of
    // the writes: the two halves of an import then use both cores.
    let (sender, mut receiver) = tokio::sync::mpsc::channel::<Batch>(1);
    let classify = Classifier {
        scope: scope.clone(),
        last_wins: opts.last_wins,
        resume_line,
        batch_size: opts.batch_size.max(1),
    };
    let producer = tokio::task::spawn_blocking(move || classify.run(reader, sender));
    // One connection for every batch: SQLite's page cache belongs to a connection, and a cache
    // that stays warm across batches halves the time of a large import.
    let mut conn = store.pool().acquire().await?;
    if store.backend() == crate::Backend::Sqlite {
        // The settings below are for this import only: the connection is closed afterwards
        // (also on an error) instead of going back to the pool.
        conn.close_on_drop();
        // Checkpoint the write-ahead log every ~64 MB instead of every 4 MB: index pages that
        // change in every batch are then copied into the database once, not once per batch.
        sqlx::query("pragma wal_autocheckpoint = 16384")
            .execute(&mut *conn)
            .await?;
        // A batch is durable at the next checkpoint rather than at its commit: a power cut can
        // lose the last batches, never corrupt the file, and their resume point goes with them,
        // so importing the file again redoes exactly those.
        sqlx::query("pragma synchronous = normal")
            .execute(&mut *conn)
            .await?;
    }
    let mut first = true;
    while let Some(mut batch) = receiver.recv().await {
        report.rows_read += batch.rows_read;
        report.progress = batch.progress;
        if std::mem::take(&mut first) && run_id.is_some() && is_bulk(&mut conn, &batch).await? {
            sqlx::query("drop index if exists registry_record_uscc")
                .execute(&mut *conn)
                .await?;
        }
        let last_line = batch.last_line;
        flush(
            &mut conn,
            store.backend(),
            opts,
            run_id.as_deref(),
            registry,
            now,
            &mut batch,
            &mut rejection_seq,
            last_line,
            &mut report,
        )
        .await?;
        progress.update(
            report.progress.0,
            report.progress.1,
            report.rows_read as u64,
        );
    }
    if run_id.is_some() {
        // Also after an import that was killed while the index was dropped.
        sqlx::query(USCC_INDEX).execute(&mut *conn).await?;
    }
    drop(conn);
    let seen = producer
        .await
        .map_err(|e| StoreError::Other(format!("读取文件的线程异常结束：{e}")))?;

    // Records of the jurisdiction that a full export lacks.
    if opts.full_export {
        // Streamed: only the ids of missing records are kept, not every key of the registry.
        let mut missing: Vec<String> = Vec::new();
        let mut current = sqlx::query_as::<_, (String, String)>(
            "select id, record_key from registry_record where registry = $1 and region_code between $2 and $3 \
             and missing_since is null",
        )
        .bind(registry)
        .bind(lo)
        .bind(hi)
        .fetch(store.pool());
        while let Some((id, key)) = current.try_next().await? {
            if !seen.contains_key(&key) {
                missing.push(id);
            }
        }
        drop(current);
        report.missing = missing.len() as i64;
        if let Some(run_id) = run_id.as_deref() {
            let at = timefmt::to_db(now());
            for chunk in missing.chunks(500) {
                let mut tx = store.begin().await?;
                let mut insert = Query::new(
                    "insert into registry_version (record_id, version, import_id, line, changes_json, at) \
                     select id, version + 1, ",
                );
                insert
                    .bind(run_id)
                    .push(", 0, '{\"_missing\":[false,true]}', ")
                    .bind(&at)
                    .push(" from registry_record where id in ");
                id_list(&mut insert, chunk).execute(&mut *tx).await?;
                let mut update = Query::new("update registry_record set missing_since = ");
                update
                    .bind(&at)
                    .push(", missing_import_id = ")
                    .bind(run_id)
                    .push(", version = version + 1, updated_at = ")
                    .bind(&at)
                    .push(" where id in ");
                id_list(&mut update, chunk).execute(&mut *tx).await?;
                tx.commit().await?;
            }
        }
    }

    if let Some(run_id) = run_id.as_deref() {
        let finished = now();
        let at = timefmt::to_db(finished);
        let mut tx = store.begin().await?;
        sqlx::query(
            "update import_run set status = 'completed', rows_missing = $2, finished_at = $3, updated_at = $3 where id = $1",
        )
        .bind(run_id)
        .bind(report.missing)
        .bind(&at)
        .execute(&mut *tx)
        .await?;
        audit::record(
            &mut tx,
            &scope.actor,
            finished,
            Change {
                action: "registry.import",
                entity: "import_run",
                entity_id: run_id,
                region_code: scope.region.as_ref().map(|r| r.as_str()),
                before: None,
                after: Some(json!({
                    "registry": registry, "file": file_name, "sha256": sha,
                    "rows_read": report.rows_read, "added": report.added, "changed": report.changed,
                    "unchanged": report.unchanged, "rejected": report.rejected, "warned": report.warned, "missing": report.missing,
                    "resumed_after_line": report.resumed_after_line,
                })),
            },
        )
        .await?;
        tx.commit().await?;
    }
    Ok(report)
}

/// Appends `(id, id, …)`, one placeholder per id.
fn id_list<'q>(q: &'q mut Query, ids: &[String]) -> &'q mut Query {
    q.push("(");
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            q.push(", ");
        }
        q.bind(id);
    }
    q.push(")")
}

/// The USCC index of migration 0002, created again after a bulk import dropped it.
const USCC_INDEX: &str =
    "create index if not exists registry_record_uscc on registry_record (uscc)";

/// Files at least this large (estimated rows) are loaded without the USCC index.
const BULK_ROWS: u64 = 100_000;

/// Whether the file of which `batch` is the first batch is a bulk load: at least
/// [`BULK_ROWS`] rows and at least as many as the table holds. Each row of such a load would
/// change a random page of the USCC index, which costs more than building the index again
/// at the end (in SQLite alone, a million rows took a third less CPU without it). Meanwhile
/// "same USCC" lookups scan; a kill leaves the index missing until the next import ends.
async fn is_bulk(conn: &mut sqlx::AnyConnection, batch: &Batch) -> Result<bool, StoreError> {
    let (done, total) = batch.progress;
    if done == 0 {
        return Ok(false);
    }
    let estimate = (batch.rows_read.max(0) as u64).saturating_mul(total) / done;
    if estimate < BULK_ROWS {
        return Ok(false);
    }
    let records: i64 = sqlx::query_scalar("select count(*) from registry_record")
        .fetch_one(&mut *conn)
        .await?;
    Ok(estimate >= records.max(0) as u64)
}

/// Writes one batch and moves the run's resume point, in one transaction.
#[allow(clippy::too_many_arguments)]
async fn flush(
    conn: &mut sqlx::pool::PoolConnection<sqlx::Any>,
    backend: crate::Backend,
    opts: &ImportOptions,
    run_id: Option<&str>,
    registry: &str,
    now: &(dyn Fn() -> OffsetDateTime + Send + Sync),
    batch: &mut Batch,
    issue_seq: &mut i64,
    last_line: i64,
    report: &mut ImportReport,
) -> Result<(), StoreError> {
    if batch.is_empty() {
        return Ok(());
    }
    let at = timefmt::to_db(now());
    report.rejected += batch.rejections.len() as i64;
    report.warned += batch.warnings.len() as i64;
    let tally = match run_id {
        None => apply_batch(conn, registry, "", &at, &batch.rows, false).await?,
        Some(run_id) => {
            let begin = match backend {
                crate::Backend::Sqlite => "begin immediate",
                crate::Backend::Postgres => "begin",
            };
            let mut tx = sqlx::Connection::begin_with(&mut **conn, begin).await?;
            let t = apply_batch(&mut tx, registry, run_id, &at, &batch.rows, !opts.dry_run).await?;
            store_rejections(&mut tx, run_id, *issue_seq, "rejected", &batch.rejections).await?;
            *issue_seq += batch.rejections.len() as i64;
            store_rejections(&mut tx, run_id, *issue_seq, "warning", &batch.warnings).await?;
            *issue_seq += batch.warnings.len() as i64;
            sqlx::query(
                "update import_run set resume_line = $2, batches = batches + 1, rows_read = $3, rows_added = $4, \
                 rows_changed = $5, rows_unchanged = $6, rows_rejected = $7, updated_at = $8, \
                 progress_done = $9, progress_total = $10, rows_warned = $11 where id = $1",
            )
            .bind(run_id)
            .bind(last_line)
            .bind(report.rows_read)
            .bind(report.added + t.added)
            .bind(report.changed + t.changed)
            .bind(report.unchanged + t.unchanged)
            .bind(report.rejected)
            .bind(&at)
            .bind(report.progress.0 as i64)
            .bind(report.progress.1 as i64)
            .bind(report.warned)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            // PostgreSQL plans the key lookup once for a statement it has prepared; planned on
            // a nearly empty table, that plan scans. Fresh statistics as the table grows (after
            // batches 1, 2, 4, 8, …) keep the unique index in use.
            if backend == crate::Backend::Postgres {
                let batches =
                    sqlx::query_scalar::<_, i64>("select batches from import_run where id = $1")
                        .bind(run_id)
                        .fetch_one(&mut **conn)
                        .await?;
                if batches & (batches - 1) == 0 {
                    sqlx::query("analyze registry_record")
                        .execute(&mut **conn)
                        .await?;
                    sqlx::query("analyze registry_version")
                        .execute(&mut **conn)
                        .await?;
                }
            }
            t
        }
    };
    report.added += tally.added;
    report.changed += tally.changed;
    report.unchanged += tally.unchanged;
    // A dry run keeps every problem for the preview; a real run keeps the first 1,000 in memory
    // (all of them are in the database).
    let cap = if run_id.is_none() { usize::MAX } else { 1000 };
    let room = cap.saturating_sub(report.rejections.len());
    report
        .rejections
        .extend(batch.rejections.drain(..).take(room));
    let room = cap.saturating_sub(report.warnings.len());
    report.warnings.extend(batch.warnings.drain(..).take(room));
    batch.rows.clear();
    batch.rejections.clear();
    batch.warnings.clear();
    Ok(())
}

/// Problem rows of a run — rejected, then imported with a warning — in file order.
#[tracing::instrument(skip_all)]
pub async fn issues_of(
    store: &Store,
    scope: &Scope,
    run_id: &str,
) -> Result<Vec<RowIssue>, StoreError> {
    scope.require(Permission::ViewRegistries)?;
    let (lo, hi) = scope.region_range();
    let owned: Option<String> = sqlx::query_scalar(
        "select id from import_run where id = $1 and region_lo >= $2 and region_hi <= $3",
    )
    .bind(run_id)
    .bind(lo)
    .bind(hi)
    .fetch_optional(store.pool())
    .await?;
    owned.ok_or(StoreError::NotFound)?;
    let rows: Vec<(String, i64, String, String, String)> = sqlx::query_as(
        "select kind, line, column_name, value, reason from import_rejection where import_id = $1 \
         order by line, seq",
    )
    .bind(run_id)
    .fetch_all(store.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(kind, line, column, value, reason)| RowIssue {
            line: line as u64,
            column,
            value,
            reason,
            rejected: kind == "rejected",
        })
        .collect())
}

/// Where an import run stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunStatus {
    Running,
    Completed,
    Failed,
}

impl RunStatus {
    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            RunStatus::Running => "running",
            RunStatus::Completed => "completed",
            RunStatus::Failed => "failed",
        }
    }

    pub fn from_code(code: &str) -> Option<RunStatus> {
        [RunStatus::Running, RunStatus::Completed, RunStatus::Failed]
            .into_iter()
            .find(|s| s.code() == code)
    }

    /// As people read it.
    pub fn label_zh(self) -> &'static str {
        match self {
            RunStatus::Running => "进行中",
            RunStatus::Completed => "已完成",
            RunStatus::Failed => "失败",
        }
    }
}

/// An import run as listed and shown.
#[derive(Debug, Clone, PartialEq)]
pub struct RunRow {
    pub id: String,
    pub registry: RegistryKind,
    pub file_name: String,
    pub encoding: Option<String>,
    pub full_export: bool,
    pub status: RunStatus,
    pub rows_read: i64,
    pub rows_added: i64,
    pub rows_changed: i64,
    pub rows_unchanged: i64,
    pub rows_rejected: i64,
    pub rows_warned: i64,
    pub rows_missing: i64,
    pub progress_done: i64,
    pub progress_total: i64,
    pub error: Option<String>,
    pub actor_name: String,
    pub started_at: OffsetDateTime,
    pub finished_at: Option<OffsetDateTime>,
}

/// An import run as stored.
#[derive(sqlx::FromRow)]
struct StoredRun {
    id: String,
    registry: String,
    file_name: String,
    encoding: Option<String>,
    full_export: i64,
    status: String,
    rows_read: i64,
    rows_added: i64,
    rows_changed: i64,
    rows_unchanged: i64,
    rows_rejected: i64,
    rows_warned: i64,
    rows_missing: i64,
    progress_done: i64,
    progress_total: i64,
    error: Option<String>,
    actor_name: String,
    started_at: String,
    finished_at: Option<String>,
}

impl TryFrom<StoredRun> for RunRow {
    type Error = StoreError;

    fn try_from(r: StoredRun) -> Result<RunRow, StoreError> {
        let at = At::new("import_run", &r.id);
        Ok(RunRow {
            registry: at.code("registry", &r.registry, RegistryKind::from_code)?,
            status: at.code("status", &r.status, RunStatus::from_code)?,
            started_at: at.time("started_at", &r.started_at)?,
            finished_at: at.time_opt("finished_at", r.finished_at.as_deref())?,
            full_export: r.full_export != 0,
            file_name: r.file_name,
            encoding: r.encoding,
            rows_read: r.rows_read,
            rows_added: r.rows_added,
            rows_changed: r.rows_changed,
            rows_unchanged: r.rows_unchanged,
            rows_rejected: r.rows_rejected,
            rows_warned: r.rows_warned,
            rows_missing: r.rows_missing,
            progress_done: r.progress_done,
            progress_total: r.progress_total,
            error: r.error,
            actor_name: r.actor_name,
            id: r.id,
        })
    }
}

const RUN_COLUMNS: &str = "id, registry, file_name, encoding, full_export, status, rows_read, rows_added, \
     rows_changed, rows_unchanged, rows_rejected, rows_warned, rows_missing, progress_done, progress_total, error, \
     actor_name, started_at, finished_at";

/// The newest runs whose jurisdiction lies inside the scope.
#[tracing::instrument(skip_all)]
pub async fn recent_runs(
    store: &Store,
    scope: &Scope,
    limit: i64,
) -> Result<Vec<RunRow>, StoreError> {
    scope.require(Permission::ViewRegistries)?;
    let (lo, hi) = scope.region_range();
    let rows: Vec<StoredRun> =
        Query::new(&format!("select {RUN_COLUMNS} from import_run where 1 = 1"))
            .and("region_lo >=", lo)
            .and("region_hi <=", hi)
            .push(" order by started_at desc limit ")
            .bind(limit)
            .fetch_all(store.pool())
            .await?;
    rows.into_iter().map(RunRow::try_from).collect()
}

/// One run inside the scope; `NotFound` otherwise.
#[tracing::instrument(skip_all)]
pub async fn get_run(store: &Store, scope: &Scope, id: &str) -> Result<RunRow, StoreError> {
    scope.require(Permission::ViewRegistries)?;
    let (lo, hi) = scope.region_range();
    let row: Option<StoredRun> =
        Query::new(&format!("select {RUN_COLUMNS} from import_run where 1 = 1"))
            .and("id =", id)
            .and("region_lo >=", lo)
            .and("region_hi <=", hi)
            .fetch_optional(store.pool())
            .await?;
    row.ok_or(StoreError::NotFound)?.try_into()
}

/// Marks a run failed with a reason (an import task that stopped on an error).
#[tracing::instrument(skip_all)]
pub async fn fail_run(
    store: &Store,
    id: &str,
    now: OffsetDateTime,
    reason: &str,
) -> Result<(), StoreError> {
    sqlx::query("update import_run set status = 'failed', error = $2, updated_at = $3 where id = $1 and status = 'running'")
        .bind(id)
        .bind(reason)
        .bind(timefmt::to_db(now))
        .execute(store.pool())
        .await?;
    Ok(())
}
