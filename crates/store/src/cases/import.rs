//! Importing the enforcement history (执法记录导入): the `cases` and `penalties` files of
//! `DATA.md` §Enforcement history go into the tables officers' cases live in, so every count
//! reads them alike.
//!
//! The rules are the registry imports': a bad row never stops the file (it is reported with its
//! line, column and a reason in Chinese, and the good rows go in); re-importing a file changes
//! nothing; a newer export updates rows by their key (案件编号, 处罚编号) and each created or
//! changed case gets a history event (`case_event`) naming the file and what changed.
//!
//! Rows are read and checked on a thread of their own, one batch ahead of the writes; each batch
//! is one transaction with the history events of its cases. A killed import leaves whole
//! batches: importing the file again finds them unchanged and completes the rest. One audit
//! entry per import names the file and its counts.
//!
//! Cases: `source = 'history'`, no decision limit (`decide_due` null), the handling department
//! the one whose name is the 办案机关 (else none; `authority` keeps the text). A case number
//! already used by a case opened in this system is refused: history never overwrites a case
//! being worked. Penalties: the case must have been imported (a penalty row naming an unknown
//! case is refused), each row is checked like the officers' form ([`ActionInput::check`]), and
//! the party is found or added (by 当事人证件号码, else by 当事人名称; an organisation whose
//! number is a USCC of the 主体库 is linked to that operator).

use std::collections::HashMap;
use std::path::Path;

use meijian_domain::case::{ActionInput, CaseAction, CaseOrigin, PartyKind, PenaltyKind, Stage};
use meijian_domain::lead::{Category, Fen};
use meijian_domain::region::RegionCode;
use meijian_domain::role::Permission;
use meijian_domain::uscc::Uscc;
use meijian_registry::{FieldKind, FieldSpec, ParsedRow, ReadOptions, Record, Rejection};
use serde::Serialize;
use serde_json::json;
use time::{Date, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

use crate::audit::{self, Change};
use crate::registries::import::Progress;
use crate::{new_id, sql, timefmt, Backend, Scope, Store, StoreError};

/// Rows per transaction unless told otherwise.
pub const DEFAULT_BATCH_SIZE: usize = 20_000;
/// Rejected rows kept in a report (all of them are counted).
pub const MAX_REPORTED_REJECTIONS: usize = 10_000;
/// The `actor_name` of the history events an import writes.
pub const EVENT_ACTOR: &str = "历史数据导入";

// Keys per lookup, and binds per multi-row insert. SQLite finds each parameter by a linear
// search of the statement's parameters, so its statements stay at about a thousand binds (see
// the registry import); PostgreSQL takes larger ones, in fewer round trips.
const KEYS_PER_LOOKUP: usize = 500;

/// Rows of `columns` columns per multi-row insert.
fn rows_per_insert(backend: Backend, columns: usize) -> usize {
    let binds = match backend {
        Backend::Sqlite => 1_000,
        Backend::Postgres => 4_000,
    };
    (binds / columns).max(1)
}

/// The two enforcement history files this module imports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HistoryFile {
    /// 行政处罚案件, key 案件编号.
    Cases,
    /// 处罚决定, key 处罚编号.
    Penalties,
}

const fn column(
    name: &'static str,
    header: &'static str,
    kind: FieldKind,
    required: bool,
) -> FieldSpec {
    FieldSpec {
        name,
        header,
        kind,
        required,
    }
}

/// The columns of a `cases` file (`DATA.md`): Chinese header and English alias. Dates, codes and
/// amounts are read as text and checked here (a date may be a date-time with an offset).
pub static CASE_COLUMNS: [FieldSpec; 10] = [
    column("case_no", "案件编号", FieldKind::Code, true),
    column("title", "案件名称", FieldKind::Text, true),
    column("filed", "立案日期", FieldKind::Text, true),
    column("authority", "办案机关", FieldKind::Text, false),
    column("region", "行政区划代码", FieldKind::Text, true),
    column("category", "案件类别", FieldKind::Text, true),
    column("origin", "案件来源", FieldKind::Text, true),
    column("status", "案件状态", FieldKind::Text, true),
    column("closed", "结案日期", FieldKind::Text, false),
    column("violation", "违法行为", FieldKind::Text, false),
];

/// The columns of a `penalties` file (`DATA.md`).
pub static PENALTY_COLUMNS: [FieldSpec; 9] = [
    column("penalty_id", "处罚编号", FieldKind::Code, true),
    column("case_no", "案件编号", FieldKind::Code, true),
    column("party", "当事人名称", FieldKind::Text, true),
    column("party_kind", "当事人类型", FieldKind::Text, true),
    column("party_id", "当事人证件号码", FieldKind::Code, false),
    column("kind", "处罚种类", FieldKind::Text, true),
    column("amount_yuan", "金额（元）", FieldKind::Text, false),
    column("decided", "决定日期", FieldKind::Text, true),
    column("decision_no", "决定书文号", FieldKind::Text, false),
];

impl HistoryFile {
    pub const ALL: [HistoryFile; 2] = [HistoryFile::Cases, HistoryFile::Penalties];

    /// The name `DATA.md` and the command line use: `cases`, `penalties`.
    pub fn code(self) -> &'static str {
        match self {
            HistoryFile::Cases => "cases",
            HistoryFile::Penalties => "penalties",
        }
    }

    pub fn from_code(code: &str) -> Option<HistoryFile> {
        Self::ALL.into_iter().find(|f| f.code() == code)
    }

    /// The Chinese name shown to users.
    pub fn label_zh(self) -> &'static str {
        match self {
            HistoryFile::Cases => "行政处罚案件",
            HistoryFile::Penalties => "处罚决定",
        }
    }

    /// The alias of the record key.
    pub fn key(self) -> &'static str {
        match self {
            HistoryFile::Cases => "case_no",
            HistoryFile::Penalties => "penalty_id",
        }
    }

    /// The columns of the file.
    pub fn columns(self) -> &'static [FieldSpec] {
        match self {
            HistoryFile::Cases => &CASE_COLUMNS,
            HistoryFile::Penalties => &PENALTY_COLUMNS,
        }
    }

    /// The Chinese header of a column by its alias.
    fn header(self, name: &str) -> &'static str {
        self.columns()
            .iter()
            .find(|c| c.name == name)
            .map_or("", |c| c.header)
    }
}

/// What to import and how.
#[derive(Debug, Clone)]
pub struct HistoryImportOptions {
    pub file: HistoryFile,
    pub read: ReadOptions,
    /// Check and count everything, write nothing.
    pub dry_run: bool,
    /// Rows per transaction.
    pub batch_size: usize,
    /// The file's name as its owner knows it (an upload waits under another name on disk).
    pub file_name: Option<String>,
}

impl HistoryImportOptions {
    /// The usual import of `file`: detected encoding, first sheet, [`DEFAULT_BATCH_SIZE`].
    pub fn new(file: HistoryFile) -> HistoryImportOptions {
        HistoryImportOptions {
            file,
            read: ReadOptions::default(),
            dry_run: false,
            batch_size: DEFAULT_BATCH_SIZE,
            file_name: None,
        }
    }
}

/// The outcome of an import (or of a dry run).
#[derive(Debug, Clone, Default, Serialize)]
pub struct HistoryImportReport {
    /// The id of the run, as its audit entry names it (none for a dry run).
    pub run_id: Option<String>,
    /// `cases` or `penalties`.
    pub file: String,
    pub file_name: String,
    pub encoding: String,
    pub rows_read: i64,
    /// Rows that created a record (a case, or a penalty).
    pub added: i64,
    /// Rows that changed a record imported before.
    pub changed: i64,
    pub unchanged: i64,
    pub rejected: i64,
    /// Cases that got a history event (created or changed).
    pub cases_touched: i64,
    /// Progress of reading: done of total (bytes for CSV, rows for XLSX).
    pub progress: (u64, u64),
    /// The rejected rows in file order: line, column (the Chinese header), value and reason;
    /// the first [`MAX_REPORTED_REJECTIONS`].
    pub rejections: Vec<Rejection>,
}

/// Rows of an opened file. [`meijian_registry::RowReader`] is one; tests may bring their own.
pub trait RowSource: Send {
    fn next_row(&mut self) -> Option<ParsedRow>;
    /// (done, total) for a progress bar.
    fn progress(&self) -> (u64, u64);
    /// The text encoding used, for the report.
    fn encoding(&self) -> String;
}

impl RowSource for meijian_registry::RowReader {
    fn next_row(&mut self) -> Option<ParsedRow> {
        self.next()
    }

    fn progress(&self) -> (u64, u64) {
        meijian_registry::RowReader::progress(self)
    }

    fn encoding(&self) -> String {
        meijian_registry::RowReader::encoding(self).to_string()
    }
}

/// Opens an enforcement history file with the registry reader's rules (encodings, delimiters,
/// XLSX, Chinese headers or English aliases, extra columns kept, row errors).
pub fn open(
    path: &Path,
    file: HistoryFile,
    read: &ReadOptions,
) -> Result<Box<dyn RowSource>, StoreError> {
    let table = meijian_registry::TableSpec {
        key: file.key(),
        fields: file.columns(),
    };
    let reader = meijian_registry::open_table(path, table, read)
        .map_err(|e| StoreError::invalid("文件", e.to_string()))?;
    Ok(Box::new(reader))
}

/// Imports the history file at `path` within `scope` (the web layer passes the signed-in
/// user's; the command line an administrator's): rows of a region outside it are refused. See
/// the module doc. `progress` hears of every batch: done and total (bytes for CSV, rows for
/// XLSX) and the rows read so far.
#[tracing::instrument(skip_all)]
pub async fn import_file(
    store: &Store,
    scope: &Scope,
    now: &(dyn Fn() -> OffsetDateTime + Send + Sync),
    path: &Path,
    opts: &HistoryImportOptions,
    progress: &mut (dyn Progress + Send),
) -> Result<HistoryImportReport, StoreError> {
    scope.require(Permission::ImportRegistries)?;
    let source = open(path, opts.file, &opts.read)?;
    let file_name = opts.file_name.clone().unwrap_or_else(|| {
        path.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    });
    let opts = HistoryImportOptions {
        file_name: Some(file_name),
        ..opts.clone()
    };
    import_rows(store, scope, now, source, &opts, progress).await
}

/// Imports rows already opened (by [`open`], or any [`RowSource`]). `opts.file_name` names the
/// file in the history events and the audit entry.
#[tracing::instrument(skip_all)]
pub async fn import_rows(
    store: &Store,
    scope: &Scope,
    now: &(dyn Fn() -> OffsetDateTime + Send + Sync),
    source: Box<dyn RowSource>,
    opts: &HistoryImportOptions,
    progress: &mut (dyn Progress + Send),
) -> Result<HistoryImportReport, StoreError> {
    scope.require(Permission::ImportRegistries)?;
    let file_name = opts.file_name.clone().unwrap_or_default();
    let mut report = HistoryImportReport {
        run_id: (!opts.dry_run).then(new_id),
        file: opts.file.code().to_string(),
        file_name: file_name.clone(),
        encoding: source.encoding(),
        ..HistoryImportReport::default()
    };
    let departments: HashMap<String, String> =
        sqlx::query_as::<_, (String, String)>("select name, id from department order by id desc")
            .fetch_all(store.pool())
            .await?
            .into_iter()
            .collect();
    let ctx = Ctx {
        file_name,
        scope: scope.clone(),
        departments,
    };

    // Reading and checking rows runs on a thread of its own, one batch ahead of the writes.
    let (sender, mut receiver) = tokio::sync::mpsc::channel::<Batch>(1);
    let reader = Reader {
        file: opts.file,
        scope: scope.clone(),
        today: china_day(now()),
        batch_size: opts.batch_size.max(1),
    };
    let producer = tokio::task::spawn_blocking(move || reader.run(source, sender));
    // One connection for every batch, as the registry import does: SQLite's page cache stays
    // warm across batches.
    let mut conn = store.pool().acquire().await?;
    if store.backend() == Backend::Sqlite {
        conn.close_on_drop();
        sqlx::query("pragma wal_autocheckpoint = 16384")
            .execute(&mut *conn)
            .await?;
        sqlx::query("pragma synchronous = normal")
            .execute(&mut *conn)
            .await?;
    }
    let mut batches = 0u64;
    while let Some(batch) = receiver.recv().await {
        report.rows_read += batch.rows_read;
        report.progress = batch.progress;
        let mut rejections = batch.rejections;
        let begin = match store.backend() {
            Backend::Sqlite => "begin immediate",
            Backend::Postgres => "begin",
        };
        let mut tx = sqlx::Connection::begin_with(&mut *conn, begin).await?;
        let at = timefmt::to_db(now());
        let tally = match batch.rows {
            Rows::Cases(rows) => write_cases(&mut tx, &ctx, &at, rows, &mut rejections).await?,
            Rows::Penalties(rows) => {
                write_penalties(&mut tx, &ctx, &at, rows, &mut rejections).await?
            }
        };
        if opts.dry_run {
            tx.rollback().await?;
        } else {
            tx.commit().await?;
        }
        batches += 1;
        // Fresh statistics as the tables grow (after batches 1, 2, 4, 8 …) keep PostgreSQL's
        // plans of the key lookups on the unique indexes.
        if store.backend() == Backend::Postgres && !opts.dry_run && batches.is_power_of_two() {
            for table in ["enforcement_case", "case_party", "case_action"] {
                sqlx::query(&format!("analyze {table}"))
                    .execute(&mut *conn)
                    .await?;
            }
        }
        report.added += tally.added;
        report.changed += tally.changed;
        report.unchanged += tally.unchanged;
        report.cases_touched += tally.cases_touched;
        report.rejected += rejections.len() as i64;
        rejections.sort_by_key(|r| r.line);
        let room = MAX_REPORTED_REJECTIONS.saturating_sub(report.rejections.len());
        report.rejections.extend(rejections.into_iter().take(room));
        progress.update(
            report.progress.0,
            report.progress.1,
            report.rows_read as u64,
        );
    }
    drop(conn);
    producer
        .await
        .map_err(|e| StoreError::Other(format!("读取文件的线程异常结束：{e}")))?;

    if let Some(run_id) = report.run_id.as_deref() {
        let finished = now();
        let mut tx = store.begin().await?;
        audit::record(
            &mut tx,
            &scope.actor,
            finished,
            Change {
                action: match opts.file {
                    HistoryFile::Cases => "case.import_cases",
                    HistoryFile::Penalties => "case.import_penalties",
                },
                entity: "case_import",
                entity_id: run_id,
                region_code: scope.region.as_ref().map(|r| r.as_str()),
                before: None,
                after: Some(json!({
                    "file": opts.file.code(), "file_name": report.file_name,
                    "rows_read": report.rows_read, "added": report.added,
                    "changed": report.changed, "unchanged": report.unchanged,
                    "rejected": report.rejected, "cases_touched": report.cases_touched,
                })),
            },
        )
        .await?;
        tx.commit().await?;
    }
    Ok(report)
}

// ---------------------------------------------------------------------------------------------
// Reading and checking rows (no database).

/// A case row, checked.
#[derive(Debug, Clone)]
struct CaseIn {
    line: u64,
    case_no: String,
    title: String,
    category: Category,
    origin: CaseOrigin,
    stage: Stage,
    region: String,
    authority: String,
    violation: String,
    filed_on: Date,
    closed_on: Option<Date>,
}

/// A penalty row, checked as far as it can be without its case.
#[derive(Debug, Clone)]
struct PenaltyIn {
    line: u64,
    penalty_no: String,
    case_no: String,
    party: String,
    party_kind: PartyKind,
    party_id: Option<String>,
    kind: PenaltyKind,
    amount: Option<Fen>,
    decided_on: Date,
    decision_no: String,
}

enum Rows {
    Cases(Vec<CaseIn>),
    Penalties(Vec<PenaltyIn>),
}

/// The rows of one transaction.
struct Batch {
    rows: Rows,
    rejections: Vec<Rejection>,
    rows_read: i64,
    progress: (u64, u64),
}

struct Reader {
    file: HistoryFile,
    scope: Scope,
    today: Date,
    batch_size: usize,
}

fn reject(line: u64, column: &str, value: &str, reason: impl Into<String>) -> Rejection {
    Rejection {
        line,
        column: column.to_string(),
        value: value.to_string(),
        reason: reason.into(),
    }
}

impl Reader {
    fn empty(&self) -> Batch {
        Batch {
            rows: match self.file {
                HistoryFile::Cases => Rows::Cases(Vec::new()),
                HistoryFile::Penalties => Rows::Penalties(Vec::new()),
            },
            rejections: Vec::new(),
            rows_read: 0,
            progress: (0, 0),
        }
    }

    /// Reads every row and sends full batches. A key seen twice in the file is refused the
    /// second time, naming the first line.
    fn run(self, mut source: Box<dyn RowSource>, sender: tokio::sync::mpsc::Sender<Batch>) {
        let mut seen: HashMap<String, u64> = HashMap::new();
        let mut batch = self.empty();
        while let Some(parsed) = source.next_row() {
            batch.rows_read += 1;
            match parsed {
                ParsedRow::Rejected(r) => batch.rejections.push(r),
                ParsedRow::Ok(record) => {
                    let key = record.key.trim().to_string();
                    if let Some(first) = seen.get(&key) {
                        batch.rejections.push(reject(
                            record.line,
                            self.file.header(self.file.key()),
                            &key,
                            format!(
                                "{}“{key}”在文件中重复，首次出现在第 {first} 行",
                                self.file.header(self.file.key())
                            ),
                        ));
                    } else {
                        seen.insert(key, record.line);
                        let checked = match &mut batch.rows {
                            Rows::Cases(rows) => self.case(&record).map(|c| rows.push(c)),
                            Rows::Penalties(rows) => self.penalty(&record).map(|p| rows.push(p)),
                        };
                        if let Err(r) = checked {
                            batch.rejections.push(r);
                        }
                    }
                }
            }
            if batch.rows_read as usize >= self.batch_size {
                batch.progress = source.progress();
                let next = self.empty();
                if sender
                    .blocking_send(std::mem::replace(&mut batch, next))
                    .is_err()
                {
                    return; // the writer stopped on an error and reports it
                }
            }
        }
        batch.progress = source.progress();
        let _ = sender.blocking_send(batch);
    }

    fn case(&self, r: &Record) -> Result<CaseIn, Rejection> {
        let f = HistoryFile::Cases;
        let get = |name: &str| r.get(name).map(str::trim).unwrap_or("");
        let case_no = code_text(get("case_no"));
        required(r.line, f, "case_no", &case_no)?;
        if case_no.chars().count() > 60 {
            return Err(reject(
                r.line,
                f.header("case_no"),
                &case_no,
                "案件编号不能超过 60 个字",
            ));
        }
        let title = get("title");
        required(r.line, f, "title", title)?;
        if title.chars().count() > 200 {
            return Err(reject(
                r.line,
                f.header("title"),
                title,
                "案件名称不能超过 200 个字",
            ));
        }
        let filed = get("filed");
        required(r.line, f, "filed", filed)?;
        let filed_on = day(filed).map_err(|e| reject(r.line, f.header("filed"), filed, e))?;
        if filed_on > self.today {
            return Err(reject(
                r.line,
                f.header("filed"),
                filed,
                "立案日期不能晚于今天",
            ));
        }
        let region = code_text(get("region"));
        required(r.line, f, "region", &region)?;
        let code = RegionCode::parse(&region)
            .map_err(|e| reject(r.line, f.header("region"), &region, e.to_string()))?;
        if !self.scope.covers(code.as_str()) {
            return Err(outside(r.line, &code));
        }
        let category = get("category");
        let category = Category::from_name(category).ok_or_else(|| {
            reject(
                r.line,
                f.header("category"),
                category,
                not_allowed(
                    "案件类别",
                    category,
                    "无证行医、医疗机构、药品、医疗器械、违规医疗美容培训、违法发布医疗美容广告、违规发布互联网信息、价格、税收、其他",
                ),
            )
        })?;
        let origin = get("origin");
        let origin = CaseOrigin::from_label_zh(origin).ok_or_else(|| {
            reject(
                r.line,
                f.header("origin"),
                origin,
                not_allowed(
                    "案件来源",
                    origin,
                    &labels(CaseOrigin::ALL, |o| o.label_zh()),
                ),
            )
        })?;
        let status = get("status");
        let stage = Stage::from_label_zh(status).ok_or_else(|| {
            reject(
                r.line,
                f.header("status"),
                status,
                not_allowed("案件状态", status, &labels(Stage::ALL, |s| s.label_zh())),
            )
        })?;
        let closed = get("closed");
        let closed_on = match closed {
            "" => None,
            text => Some(day(text).map_err(|e| reject(r.line, f.header("closed"), text, e))?),
        };
        if let Some(c) = closed_on {
            if stage.is_open() {
                return Err(reject(
                    r.line,
                    f.header("closed"),
                    closed,
                    format!("案件状态为“{}”，结案日期应为空", stage.label_zh()),
                ));
            }
            if c < filed_on {
                return Err(reject(
                    r.line,
                    f.header("closed"),
                    closed,
                    format!("结案日期 {c} 早于立案日期 {filed_on}"),
                ));
            }
            if c > self.today {
                return Err(reject(
                    r.line,
                    f.header("closed"),
                    closed,
                    "结案日期不能晚于今天",
                ));
            }
        }
        let authority = get("authority");
        if authority.chars().count() > 200 {
            return Err(reject(
                r.line,
                f.header("authority"),
                authority,
                "办案机关不能超过 200 个字",
            ));
        }
        let violation = get("violation");
        if violation.chars().count() > 4000 {
            return Err(reject(
                r.line,
                f.header("violation"),
                &violation.chars().take(50).collect::<String>(),
                "违法行为不能超过 4000 个字",
            ));
        }
        Ok(CaseIn {
            line: r.line,
            case_no,
            title: title.to_string(),
            category,
            origin,
            stage,
            region: code.as_str().to_string(),
            authority: authority.to_string(),
            violation: violation.to_string(),
            filed_on,
            closed_on,
        })
    }

    fn penalty(&self, r: &Record) -> Result<PenaltyIn, Rejection> {
        let f = HistoryFile::Penalties;
        let get = |name: &str| r.get(name).map(str::trim).unwrap_or("");
        let penalty_no = code_text(get("penalty_id"));
        required(r.line, f, "penalty_id", &penalty_no)?;
        if penalty_no.chars().count() > 60 {
            return Err(reject(
                r.line,
                f.header("penalty_id"),
                &penalty_no,
                "处罚编号不能超过 60 个字",
            ));
        }
        let case_no = code_text(get("case_no"));
        required(r.line, f, "case_no", &case_no)?;
        let party = get("party");
        required(r.line, f, "party", party)?;
        if party.chars().count() > 200 {
            return Err(reject(
                r.line,
                f.header("party"),
                party,
                "当事人名称不能超过 200 个字",
            ));
        }
        let party_kind = get("party_kind");
        required(r.line, f, "party_kind", party_kind)?;
        let party_kind = PartyKind::from_label_zh(party_kind).ok_or_else(|| {
            reject(
                r.line,
                f.header("party_kind"),
                party_kind,
                not_allowed("当事人类型", party_kind, "单位、个人"),
            )
        })?;
        let party_id = Some(code_text(get("party_id")).to_uppercase()).filter(|s| !s.is_empty());
        if party_id.as_deref().is_some_and(|p| p.chars().count() > 50) {
            return Err(reject(
                r.line,
                f.header("party_id"),
                party_id.as_deref().unwrap_or(""),
                "当事人证件号码不能超过 50 个字",
            ));
        }
        let kind = get("kind");
        required(r.line, f, "kind", kind)?;
        let kind = PenaltyKind::from_label_zh(kind).ok_or_else(|| {
            reject(
                r.line,
                f.header("kind"),
                kind,
                not_allowed(
                    "处罚种类",
                    kind,
                    &labels(PenaltyKind::ALL, |k| k.label_zh()),
                ),
            )
        })?;
        let amount_text = get("amount_yuan");
        let amount = amount(amount_text)
            .map_err(|e| reject(r.line, f.header("amount_yuan"), amount_text, e))?;
        let decided = get("decided");
        required(r.line, f, "decided", decided)?;
        let decided_on =
            day(decided).map_err(|e| reject(r.line, f.header("decided"), decided, e))?;
        if decided_on > self.today {
            return Err(reject(
                r.line,
                f.header("decided"),
                decided,
                "决定日期不能晚于今天",
            ));
        }
        Ok(PenaltyIn {
            line: r.line,
            penalty_no,
            case_no,
            party: party.to_string(),
            party_kind,
            party_id,
            kind,
            amount,
            decided_on,
            decision_no: get("decision_no").to_string(),
        })
    }
}

fn required(line: u64, f: HistoryFile, name: &str, value: &str) -> Result<(), Rejection> {
    if value.is_empty() {
        let header = f.header(name);
        return Err(reject(line, header, "", format!("{header}不能为空")));
    }
    Ok(())
}

fn not_allowed(what: &str, value: &str, allowed: &str) -> String {
    format!("{what}“{value}”不是允许的值，应为：{allowed}")
}

fn labels<T: Copy>(all: &[T], label: impl Fn(T) -> &'static str) -> String {
    all.iter().map(|v| label(*v)).collect::<Vec<_>>().join("、")
}

fn outside(line: u64, code: &RegionCode) -> Rejection {
    reject(
        line,
        "行政区划代码",
        code.as_str(),
        format!(
            "{}（{code}）不在您的管辖范围内",
            crate::accounts::departments::short_region_name(code)
                .unwrap_or_else(|| "该行政区划".to_string())
        ),
    )
}

/// An identifier: full-width ASCII to half-width, trimmed.
fn code_text(text: &str) -> String {
    text.chars()
        .map(meijian_registry::half_width)
        .collect::<String>()
        .trim()
        .to_string()
}

/// The China calendar day of an instant.
fn china_day(t: OffsetDateTime) -> Date {
    t.to_offset(timefmt::cst()).date()
}

/// A date cell: a date in any form the registries accept, or a date-time. A date-time without
/// an offset is China time (its day is the day written); with one (`…Z`, `+08:00`, `+0800`) it
/// is converted to China time first.
pub fn day(text: &str) -> Result<Date, String> {
    let text: String = text.chars().map(meijian_registry::half_width).collect();
    let text = text.trim();
    let fail = |e: meijian_registry::DateError| format!("“{text}”{e}");
    if let Some((date_part, time_part)) = split_date_time(text) {
        if let Some((clock, offset)) = split_offset(time_part) {
            let date = meijian_registry::parse_date(date_part).map_err(fail)?;
            let clock =
                clock_time(clock).ok_or_else(|| format!("“{text}”中的时间不是有效的时刻"))?;
            let offset = offset.ok_or_else(|| format!("“{text}”中的时区不正确"))?;
            return Ok(PrimitiveDateTime::new(date, clock)
                .assume_offset(offset)
                .to_offset(timefmt::cst())
                .date());
        }
    }
    meijian_registry::parse_date(text).map_err(fail)
}

/// `2024-03-01T10:00:00Z` → (`2024-03-01`, `10:00:00Z`); a date alone → `None`.
fn split_date_time(text: &str) -> Option<(&str, &str)> {
    if text.contains('年') {
        return None;
    }
    let at = text.find(['T', 't', ' '])?;
    Some((text[..at].trim(), text[at + 1..].trim()))
}

/// The clock and the offset of a time part that has one: `10:00:00Z`, `10:00+08:00`,
/// `10:00:00.5 +0800`. `None` when there is no offset; `Some((clock, None))` for an offset
/// that is not one.
fn split_offset(time: &str) -> Option<(&str, Option<UtcOffset>)> {
    if let Some(clock) = time.strip_suffix(['Z', 'z']) {
        return Some((clock.trim(), Some(UtcOffset::UTC)));
    }
    let at = time.rfind(['+', '-'])?;
    let (clock, offset) = (time[..at].trim(), &time[at..]);
    let sign: i8 = if offset.starts_with('-') { -1 } else { 1 };
    let digits: String = offset[1..].chars().filter(|c| *c != ':').collect();
    let parsed = (digits.len() == 4 || digits.len() == 2)
        .then(|| {
            let h: i8 = digits.get(0..2)?.parse().ok()?;
            let m: i8 = digits
                .get(2..)
                .filter(|m| !m.is_empty())
                .map_or(Some(0), |m| m.parse().ok())?;
            UtcOffset::from_hms(sign * h, sign * m, 0).ok()
        })
        .flatten();
    Some((clock, parsed))
}

/// `HH:MM`, `HH:MM:SS` or `HH:MM:SS.fff`.
fn clock_time(text: &str) -> Option<Time> {
    let mut parts = text.split(':');
    let h: u8 = parts.next()?.trim().parse().ok()?;
    let m: u8 = parts.next()?.trim().parse().ok()?;
    let s: u8 = match parts.next() {
        Some(s) => s.split('.').next()?.trim().parse().ok()?,
        None => 0,
    };
    if parts.next().is_some() {
        return None;
    }
    Time::from_hms(h, m, s).ok()
}

/// An amount in 元 as the files write it: digits with optional thousands separators, up to two
/// decimals, an optional trailing 元. Blank is `None`.
pub fn amount(text: &str) -> Result<Option<Fen>, String> {
    let t = text.trim();
    let t = t.strip_suffix('元').unwrap_or(t).trim();
    if t.is_empty() {
        return Ok(None);
    }
    let t: String = t.chars().map(meijian_registry::half_width).collect();
    Fen::parse_yuan(&t).map(Some).map_err(str::to_string)
}

// ---------------------------------------------------------------------------------------------
// Writing.

/// What a batch's writes need besides its rows.
struct Ctx {
    file_name: String,
    scope: Scope,
    /// Department id by name (办案机关).
    departments: HashMap<String, String>,
}

#[derive(Default)]
struct Tally {
    added: i64,
    changed: i64,
    unchanged: i64,
    cases_touched: i64,
}

/// One history event to write.
struct EventRow {
    case_id: String,
    action: CaseAction,
    note: String,
}

#[derive(sqlx::FromRow)]
struct StoredCase {
    id: String,
    case_no: String,
    title: String,
    category: String,
    origin: String,
    stage: String,
    region_code: String,
    department_id: Option<String>,
    authority: String,
    violation: String,
    filed_on: String,
    closed_on: Option<String>,
    source: String,
}

/// The values of `column in (…)` for `keys`, bound from `first`.
fn in_list(backend: Backend, keys: usize, first: usize) -> String {
    sql::values(backend, 1, keys, first)
}

async fn cases_by_no(
    conn: &mut sqlx::AnyConnection,
    case_nos: &[&str],
) -> Result<HashMap<String, StoredCase>, StoreError> {
    let select = "select id, case_no, title, category, origin, stage, region_code, department_id, \
                  authority, violation, filed_on, closed_on, source from enforcement_case \
                  where case_no in";
    Ok(lookup::<StoredCase>(conn, select, case_nos)
        .await?
        .into_iter()
        .map(|c| (c.case_no.clone(), c))
        .collect())
}

/// A value as a history note shows it: empty as 空, long text cut.
fn shown(value: &str) -> String {
    if value.is_empty() {
        return "空".to_string();
    }
    if value.chars().count() > 40 {
        let cut: String = value.chars().take(40).collect();
        return format!("{cut}…");
    }
    value.to_string()
}

fn label_of<T>(
    code: &str,
    from: impl Fn(&str) -> Option<T>,
    label: impl Fn(T) -> &'static str,
) -> String {
    from(code).map_or_else(|| code.to_string(), |v| label(v).to_string())
}

async fn write_cases(
    conn: &mut sqlx::AnyConnection,
    ctx: &Ctx,
    at: &str,
    rows: Vec<CaseIn>,
    rejections: &mut Vec<Rejection>,
) -> Result<Tally, StoreError> {
    let mut tally = Tally::default();
    if rows.is_empty() {
        return Ok(tally);
    }
    let backend = sql::backend_of(conn);
    let keys: Vec<&str> = rows.iter().map(|r| r.case_no.as_str()).collect();
    let existing = cases_by_no(conn, &keys).await?;
    let mut inserts: Vec<(String, &CaseIn, Option<&String>)> = Vec::new();
    let mut events: Vec<EventRow> = Vec::new();
    let header = |n: &str| -> &'static str { HistoryFile::Cases.header(n) };
    for row in &rows {
        let department = ctx
            .departments
            .get(&row.authority)
            .filter(|_| !row.authority.is_empty());
        let Some(old) = existing.get(&row.case_no) else {
            let id = new_id();
            events.push(EventRow {
                case_id: id.clone(),
                action: CaseAction::Imported,
                note: format!("由文件“{}”第 {} 行导入", ctx.file_name, row.line),
            });
            inserts.push((id, row, department));
            continue;
        };
        if old.source != "history" {
            rejections.push(reject(
                row.line,
                header("case_no"),
                &row.case_no,
                format!(
                    "案件编号“{}”是本系统中立案办理的案件，不能用历史数据覆盖",
                    row.case_no
                ),
            ));
            continue;
        }
        if !ctx.scope.covers(&old.region_code) {
            let code = RegionCode::parse(&old.region_code);
            rejections.push(match code {
                Ok(code) => outside(row.line, &code),
                Err(_) => reject(
                    row.line,
                    "行政区划代码",
                    &old.region_code,
                    "原案件不在您的管辖范围内",
                ),
            });
            continue;
        }
        let filed = timefmt::day_to_db(row.filed_on);
        let closed = row.closed_on.map(timefmt::day_to_db);
        let mut changes: Vec<String> = Vec::new();
        let mut change = |name: &str, before: String, after: String| {
            if before != after {
                changes.push(format!(
                    "{}（{} → {}）",
                    header(name),
                    shown(&before),
                    shown(&after)
                ));
            }
        };
        change("title", old.title.clone(), row.title.clone());
        change("filed", old.filed_on.clone(), filed.clone());
        change("authority", old.authority.clone(), row.authority.clone());
        change("region", old.region_code.clone(), row.region.clone());
        change(
            "category",
            label_of(&old.category, Category::from_code, |c| c.label_zh()),
            row.category.label_zh().to_string(),
        );
        change(
            "origin",
            label_of(&old.origin, CaseOrigin::from_code, |o| o.label_zh()),
            row.origin.label_zh().to_string(),
        );
        change(
            "status",
            label_of(&old.stage, Stage::from_code, |s| s.label_zh()),
            row.stage.label_zh().to_string(),
        );
        change(
            "closed",
            old.closed_on.clone().unwrap_or_default(),
            closed.clone().unwrap_or_default(),
        );
        if old.violation != row.violation {
            changes.push(header("violation").to_string());
        }
        if old.department_id.as_ref() != department && old.authority == row.authority {
            changes.push("办案部门".to_string());
        }
        if changes.is_empty() {
            tally.unchanged += 1;
            continue;
        }
        tally.changed += 1;
        events.push(EventRow {
            case_id: old.id.clone(),
            action: CaseAction::ImportChanged,
            note: format!(
                "由文件“{}”第 {} 行更新：{}",
                ctx.file_name,
                row.line,
                changes.join("、")
            ),
        });
        sqlx::query(
            "update enforcement_case set title = $2, category = $3, origin = $4, stage = $5, \
             region_code = $6, department_id = $7, authority = $8, violation = $9, filed_on = $10, \
             closed_on = $11, updated_at = $12, version = version + 1 where id = $1",
        )
        .bind(old.id.as_str())
        .bind(row.title.as_str())
        .bind(row.category.code())
        .bind(row.origin.code())
        .bind(row.stage.code())
        .bind(row.region.as_str())
        .bind(department.map(String::as_str))
        .bind(row.authority.as_str())
        .bind(row.violation.as_str())
        .bind(filed.as_str())
        .bind(closed.as_deref())
        .bind(at)
        .execute(&mut *conn)
        .await?;
    }
    tally.added = inserts.len() as i64;
    let actor = ctx.scope.actor.name.as_str();
    for chunk in inserts.chunks(rows_per_insert(backend, 18)) {
        let text = format!(
            "{} enforcement_case (id, case_no, title, category, origin, stage, region_code, \
             department_id, authority, violation, filed_on, decide_due, closed_on, source, \
             created_by, created_at, updated_at, version) values {}",
            sql::bulk_insert(backend),
            sql::values(backend, chunk.len(), 18, 1)
        );
        let mut q = sqlx::query(&text);
        for (id, row, department) in chunk {
            q = q
                .bind(id.as_str())
                .bind(row.case_no.as_str())
                .bind(row.title.as_str())
                .bind(row.category.code())
                .bind(row.origin.code())
                .bind(row.stage.code())
                .bind(row.region.as_str())
                .bind(department.map(String::as_str))
                .bind(row.authority.as_str())
                .bind(row.violation.as_str())
                .bind(timefmt::day_to_db(row.filed_on))
                .bind(Option::<&str>::None)
                .bind(row.closed_on.map(timefmt::day_to_db))
                .bind("history")
                .bind(actor)
                .bind(at)
                .bind(at)
                .bind(1i64);
        }
        q.execute(&mut *conn).await?;
    }
    tally.cases_touched = events.len() as i64;
    write_events(conn, ctx, at, &events).await?;
    Ok(tally)
}

async fn write_events(
    conn: &mut sqlx::AnyConnection,
    ctx: &Ctx,
    at: &str,
    events: &[EventRow],
) -> Result<(), StoreError> {
    let backend = sql::backend_of(conn);
    for chunk in events.chunks(rows_per_insert(backend, 8)) {
        let text = format!(
            "{} case_event (id, case_id, at, action, actor_id, actor_name, department_id, note) \
             values {}",
            sql::bulk_insert(backend),
            sql::values(backend, chunk.len(), 8, 1)
        );
        let mut q = sqlx::query(&text);
        for e in chunk {
            q = q
                .bind(new_id())
                .bind(e.case_id.as_str())
                .bind(at)
                .bind(e.action.code())
                .bind(ctx.scope.actor.account_id.as_deref())
                .bind(EVENT_ACTOR)
                .bind(ctx.scope.department_id.as_deref())
                .bind(e.note.as_str());
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

#[derive(sqlx::FromRow, Clone)]
struct StoredParty {
    id: String,
    case_id: String,
    seq: i64,
    kind: String,
    name: String,
    id_number: Option<String>,
    operator_id: Option<String>,
}

#[derive(sqlx::FromRow)]
struct StoredAction {
    id: String,
    penalty_no: String,
    case_id: String,
    party_id: String,
    kind: String,
    amount_fen: i64,
    decided_on: String,
    decision_no: String,
}

/// What the rows of a penalty batch are checked and matched against, read in a few statements
/// per batch (never one per row).
struct Known {
    /// The cases the rows name, by 案件编号.
    cases: HashMap<String, StoredCase>,
    parties: Parties,
    /// The penalties imported before, by 处罚编号.
    actions: HashMap<String, StoredAction>,
    /// The source (history or officer) of the case of each of those penalties, by case id.
    action_sources: HashMap<String, String>,
    /// Operators of the 主体库 by USCC, for organisations whose number is one.
    operators: HashMap<String, String>,
}

/// Rows of `select … where <column> in (keys)`, a few hundred keys a statement. `select` ends
/// with `in`.
async fn lookup<T>(
    conn: &mut sqlx::AnyConnection,
    select: &str,
    keys: &[&str],
) -> Result<Vec<T>, StoreError>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
{
    let backend = sql::backend_of(conn);
    let mut out = Vec::new();
    for chunk in keys.chunks(KEYS_PER_LOOKUP) {
        let text = format!("{select} {}", in_list(backend, chunk.len(), 1));
        let mut q = sqlx::query_as::<_, T>(&text);
        for k in chunk {
            q = q.bind(*k);
        }
        out.extend(q.fetch_all(&mut *conn).await?);
    }
    Ok(out)
}

fn distinct<'a>(keys: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut keys: Vec<&str> = keys.collect();
    keys.sort_unstable();
    keys.dedup();
    keys
}

impl Known {
    async fn load(conn: &mut sqlx::AnyConnection, rows: &[PenaltyIn]) -> Result<Known, StoreError> {
        let case_nos = distinct(rows.iter().map(|r| r.case_no.as_str()));
        let cases = cases_by_no(conn, &case_nos).await?;
        let case_ids = distinct(cases.values().map(|c| c.id.as_str()));
        let mut parties = Parties::default();
        let select = "select id, case_id, seq, kind, name, id_number, operator_id from case_party \
                      where case_id in";
        for p in lookup::<StoredParty>(conn, select, &case_ids).await? {
            parties
                .by_case
                .entry(p.case_id.clone())
                .or_default()
                .push(p);
        }
        let penalty_nos: Vec<&str> = rows.iter().map(|r| r.penalty_no.as_str()).collect();
        let select = "select id, penalty_no, case_id, party_id, kind, amount_fen, decided_on, \
                      decision_no from case_action where penalty_no in";
        let actions: HashMap<String, StoredAction> =
            lookup::<StoredAction>(conn, select, &penalty_nos)
                .await?
                .into_iter()
                .map(|a| (a.penalty_no.clone(), a))
                .collect();
        let mut action_sources: HashMap<String, String> = cases
            .values()
            .map(|c| (c.id.clone(), c.source.clone()))
            .collect();
        let other_ids = distinct(
            actions
                .values()
                .map(|a| a.case_id.as_str())
                .filter(|id| !action_sources.contains_key(*id)),
        );
        let select = "select id, source from enforcement_case where id in";
        let others = lookup::<(String, String)>(conn, select, &other_ids).await?;
        action_sources.extend(others);
        let usccs: Vec<String> = rows
            .iter()
            .filter(|r| r.party_kind == PartyKind::Organisation)
            .filter_map(|r| r.party_id.as_deref())
            .filter_map(|n| Uscc::parse(n).ok())
            .map(|u| u.as_str().to_string())
            .collect();
        // A merged operator stands for the one it was merged into.
        let select = "select uscc, coalesce(merged_into, id) from operator where uscc in";
        let operators =
            lookup::<(String, String)>(conn, select, &distinct(usccs.iter().map(String::as_str)))
                .await?
                .into_iter()
                .collect();
        Ok(Known {
            cases,
            parties,
            actions,
            action_sources,
            operators,
        })
    }

    /// The checks that need the row's case: it was imported, lies in the scope, and the action
    /// passes the officers' form; a 处罚编号 of a case worked here is not overwritten.
    fn check(&self, ctx: &Ctx, row: &PenaltyIn) -> Result<&StoredCase, Rejection> {
        let header = |n: &str| -> &'static str { HistoryFile::Penalties.header(n) };
        let refuse = |reason: String| reject(row.line, header("case_no"), &row.case_no, reason);
        let Some(case) = self.cases.get(&row.case_no) else {
            return Err(refuse(format!(
                "案件编号“{}”没有对应的已导入案件，请先导入该案件",
                row.case_no
            )));
        };
        if case.source != "history" {
            return Err(refuse(format!(
                "案件“{}”是本系统中立案办理的案件，处罚决定请在案件页面录入",
                row.case_no
            )));
        }
        if !ctx.scope.covers(&case.region_code) {
            let place = RegionCode::parse(&case.region_code)
                .ok()
                .and_then(|c| crate::accounts::departments::short_region_name(&c))
                .unwrap_or_else(|| "该行政区划".to_string());
            return Err(refuse(format!(
                "案件“{}”所在的{place}（{}）不在您的管辖范围内",
                row.case_no, case.region_code
            )));
        }
        let Some(filed_on) = timefmt::day_from_db(&case.filed_on) else {
            return Err(refuse("案件的立案日期有误，请重新导入该案件".to_string()));
        };
        // The officers' form, word for word. A 行业禁入 row carries no years (the files have
        // no such column): its years stay unset, and only the check that they are given and
        // in range is skipped — by checking with a placeholder of one year.
        let input = ActionInput {
            kind: row.kind,
            amount: row.amount,
            ban_years: (row.kind == PenaltyKind::Ban).then_some(1),
            decided_on: row.decided_on,
            decision_no: row.decision_no.clone(),
        };
        if let Err(e) = input.check(row.party_kind, filed_on) {
            let (column, value) = match e.field {
                "金额" => (
                    header("amount_yuan"),
                    row.amount.map(|a| a.yuan_text()).unwrap_or_default(),
                ),
                "决定日期" => (header("decided"), timefmt::day_to_db(row.decided_on)),
                "决定书文号" => (header("decision_no"), row.decision_no.clone()),
                "处罚种类" => (header("kind"), row.kind.label_zh().to_string()),
                other => (other, String::new()),
            };
            return Err(reject(row.line, column, &value, e.message));
        }
        if let Some(old) = self.actions.get(&row.penalty_no) {
            if self.action_sources.get(&old.case_id).map(String::as_str) != Some("history") {
                return Err(reject(
                    row.line,
                    header("penalty_id"),
                    &row.penalty_no,
                    format!(
                        "处罚编号“{}”已被本系统中办理的案件使用，不能用历史数据覆盖",
                        row.penalty_no
                    ),
                ));
            }
        }
        Ok(case)
    }
}

/// The parties of the cases of a batch, as they stand in the transaction (new ones added as
/// the batch goes).
#[derive(Default)]
struct Parties {
    by_case: HashMap<String, Vec<StoredParty>>,
}

impl Parties {
    /// The party a row names: by 证件号码 when the row has one, else by name. A row with a
    /// number no party has takes the party of that name recorded without a number (an older
    /// export left the number out).
    fn find(&self, case_id: &str, row: &PenaltyIn) -> Option<&StoredParty> {
        let list = self.by_case.get(case_id)?;
        match &row.party_id {
            Some(number) => list
                .iter()
                .find(|p| p.id_number.as_deref() == Some(number))
                .or_else(|| {
                    list.iter()
                        .find(|p| p.id_number.is_none() && p.name == row.party)
                }),
            None => list.iter().find(|p| p.name == row.party),
        }
    }

    /// The id of the party `row` names, found or added; and what changed of a party found
    /// (name, kind, a number given at last), for the history note.
    fn resolve(
        &mut self,
        case_id: &str,
        row: &PenaltyIn,
        operator_id: Option<String>,
        writes: &mut PenaltyWrites<'_>,
    ) -> (String, Option<String>) {
        let Some(found) = self.find(case_id, row).cloned() else {
            let list = self.by_case.entry(case_id.to_string()).or_default();
            let party = StoredParty {
                id: new_id(),
                case_id: case_id.to_string(),
                seq: list.iter().map(|p| p.seq).max().unwrap_or(0) + 1,
                kind: row.party_kind.code().to_string(),
                name: row.party.clone(),
                id_number: row.party_id.clone(),
                operator_id,
            };
            list.push(party.clone());
            let id = party.id.clone();
            writes.new_parties.push(party);
            return (id, None);
        };
        let mut what = Vec::new();
        if found.name != row.party {
            what.push(format!(
                "当事人名称（{} → {}）",
                shown(&found.name),
                shown(&row.party)
            ));
        }
        if found.kind != row.party_kind.code() {
            what.push(format!(
                "当事人类型（{} → {}）",
                label_of(&found.kind, PartyKind::from_code, |k| k.label_zh()),
                row.party_kind.label_zh()
            ));
        }
        if let (None, Some(number)) = (&found.id_number, &row.party_id) {
            what.push(format!("当事人证件号码（空 → {number}）"));
        }
        let operator_id = operator_id.or(found.operator_id.clone());
        if what.is_empty() && operator_id == found.operator_id {
            return (found.id, None);
        }
        let updated = StoredParty {
            kind: row.party_kind.code().to_string(),
            name: row.party.clone(),
            id_number: found.id_number.clone().or(row.party_id.clone()),
            operator_id,
            ..found.clone()
        };
        if let Some(stored) = self
            .by_case
            .get_mut(case_id)
            .and_then(|l| l.iter_mut().find(|p| p.id == found.id))
        {
            *stored = updated.clone();
        }
        writes.party(updated);
        (found.id, (!what.is_empty()).then(|| what.join("、")))
    }
}

/// What changed of a penalty imported before, as the history note says it; empty when nothing.
fn action_changes(
    old: &StoredAction,
    row: &PenaltyIn,
    case_id: &str,
    party_id: &str,
    party_note: Option<String>,
) -> Vec<String> {
    let mut what: Vec<String> = Vec::new();
    if old.case_id != case_id {
        what.push("案件编号".to_string());
    }
    if old.party_id != party_id {
        what.push("当事人".to_string());
    }
    what.extend(party_note);
    if old.kind != row.kind.code() {
        what.push(format!(
            "处罚种类（{} → {}）",
            label_of(&old.kind, PenaltyKind::from_code, |k| k.label_zh()),
            row.kind.label_zh()
        ));
    }
    let amount_fen = row.amount.map_or(0, |a| a.fen());
    if old.amount_fen != amount_fen {
        what.push(format!(
            "金额（{} → {}）",
            Fen(old.amount_fen).yuan_text(),
            Fen(amount_fen).yuan_text()
        ));
    }
    let decided = timefmt::day_to_db(row.decided_on);
    if old.decided_on != decided {
        what.push(format!("决定日期（{} → {decided}）", old.decided_on));
    }
    if old.decision_no != row.decision_no {
        what.push(format!(
            "决定书文号（{} → {}）",
            shown(&old.decision_no),
            shown(&row.decision_no)
        ));
    }
    what
}

/// The writes of a penalty batch: parties first (actions point at them).
#[derive(Default)]
struct PenaltyWrites<'a> {
    new_parties: Vec<StoredParty>,
    party_updates: Vec<StoredParty>,
    /// (id, row, case id, party id).
    new_actions: Vec<(String, &'a PenaltyIn, String, String)>,
    action_updates: Vec<(String, &'a PenaltyIn, String, String)>,
}

impl PenaltyWrites<'_> {
    /// A changed party: a party added by this batch is inserted with its last values.
    fn party(&mut self, updated: StoredParty) {
        if let Some(pending) = self.new_parties.iter_mut().find(|p| p.id == updated.id) {
            *pending = updated;
        } else {
            self.party_updates.retain(|p| p.id != updated.id);
            self.party_updates.push(updated);
        }
    }

    async fn write(&self, conn: &mut sqlx::AnyConnection, at: &str) -> Result<(), StoreError> {
        let backend = sql::backend_of(conn);
        for p in &self.party_updates {
            sqlx::query(
                "update case_party set kind = $2, name = $3, id_number = $4, operator_id = $5 \
                 where id = $1",
            )
            .bind(p.id.as_str())
            .bind(p.kind.as_str())
            .bind(p.name.as_str())
            .bind(p.id_number.as_deref())
            .bind(p.operator_id.as_deref())
            .execute(&mut *conn)
            .await?;
        }
        for chunk in self.new_parties.chunks(rows_per_insert(backend, 8)) {
            let text = format!(
                "{} case_party (id, case_id, seq, kind, name, id_number, operator_id, created_at) \
                 values {}",
                sql::bulk_insert(backend),
                sql::values(backend, chunk.len(), 8, 1)
            );
            let mut q = sqlx::query(&text);
            for p in chunk {
                q = q
                    .bind(p.id.as_str())
                    .bind(p.case_id.as_str())
                    .bind(p.seq)
                    .bind(p.kind.as_str())
                    .bind(p.name.as_str())
                    .bind(p.id_number.as_deref())
                    .bind(p.operator_id.as_deref())
                    .bind(at);
            }
            q.execute(&mut *conn).await?;
        }
        for chunk in self.new_actions.chunks(rows_per_insert(backend, 10)) {
            let text = format!(
                "{} case_action (id, penalty_no, case_id, party_id, kind, amount_fen, ban_years, \
                 decided_on, decision_no, created_at) values {}",
                sql::bulk_insert(backend),
                sql::values(backend, chunk.len(), 10, 1)
            );
            let mut q = sqlx::query(&text);
            for (id, row, case_id, party_id) in chunk {
                q = q
                    .bind(id.as_str())
                    .bind(row.penalty_no.as_str())
                    .bind(case_id.as_str())
                    .bind(party_id.as_str())
                    .bind(row.kind.code())
                    .bind(row.amount.map_or(0, |a| a.fen()))
                    .bind(Option::<i64>::None)
                    .bind(timefmt::day_to_db(row.decided_on))
                    .bind(row.decision_no.as_str())
                    .bind(at);
            }
            q.execute(&mut *conn).await?;
        }
        for (id, row, case_id, party_id) in &self.action_updates {
            sqlx::query(
                "update case_action set case_id = $2, party_id = $3, kind = $4, amount_fen = $5, \
                 decided_on = $6, decision_no = $7 where id = $1",
            )
            .bind(id.as_str())
            .bind(case_id.as_str())
            .bind(party_id.as_str())
            .bind(row.kind.code())
            .bind(row.amount.map_or(0, |a| a.fen()))
            .bind(timefmt::day_to_db(row.decided_on))
            .bind(row.decision_no.as_str())
            .execute(&mut *conn)
            .await?;
        }
        Ok(())
    }
}

/// Per case of a batch: the penalties it got and those that changed, for its history event.
#[derive(Default)]
struct CaseNote {
    added: Vec<String>,
    changed: Vec<String>,
}

/// `A、B、C` for at most 20 items, else the first 20 and how many in all.
fn listed(items: &[String]) -> String {
    if items.len() <= 20 {
        items.join("、")
    } else {
        format!("{} 等 {} 项", items[..20].join("、"), items.len())
    }
}

async fn write_penalties(
    conn: &mut sqlx::AnyConnection,
    ctx: &Ctx,
    at: &str,
    rows: Vec<PenaltyIn>,
    rejections: &mut Vec<Rejection>,
) -> Result<Tally, StoreError> {
    let mut tally = Tally::default();
    if rows.is_empty() {
        return Ok(tally);
    }
    let mut known = Known::load(conn, &rows).await?;
    let mut writes = PenaltyWrites::default();
    // Per case, in the order the file first names it.
    let mut notes: HashMap<String, CaseNote> = HashMap::new();
    let mut order: Vec<String> = Vec::new();
    for row in &rows {
        let case_id = match known.check(ctx, row) {
            Ok(case) => case.id.clone(),
            Err(r) => {
                rejections.push(r);
                continue;
            }
        };
        let operator_id = match (row.party_kind, row.party_id.as_deref()) {
            (PartyKind::Organisation, Some(n)) => Uscc::parse(n)
                .ok()
                .and_then(|u| known.operators.get(u.as_str()).cloned()),
            _ => None,
        };
        let (party_id, party_note) = known
            .parties
            .resolve(&case_id, row, operator_id, &mut writes);
        let note = notes.entry(case_id.clone()).or_insert_with(|| {
            order.push(case_id.clone());
            CaseNote::default()
        });
        match known.actions.get(&row.penalty_no) {
            None => {
                tally.added += 1;
                note.added.push(row.penalty_no.clone());
                writes.new_actions.push((new_id(), row, case_id, party_id));
            }
            Some(old) => {
                let what = action_changes(old, row, &case_id, &party_id, party_note);
                if what.is_empty() {
                    tally.unchanged += 1;
                    continue;
                }
                tally.changed += 1;
                note.changed
                    .push(format!("{}：{}", row.penalty_no, what.join("、")));
                writes
                    .action_updates
                    .push((old.id.clone(), row, case_id, party_id));
            }
        }
    }
    writes.write(conn, at).await?;
    let mut events = Vec::new();
    for case_id in order {
        let Some(note) = notes.remove(&case_id) else {
            continue;
        };
        let mut parts = Vec::new();
        if !note.added.is_empty() {
            parts.push(format!("新增处罚决定 {}", listed(&note.added)));
        }
        if !note.changed.is_empty() {
            parts.push(format!("更新处罚决定 {}", listed(&note.changed)));
        }
        if !parts.is_empty() {
            events.push(EventRow {
                case_id,
                action: CaseAction::ImportChanged,
                note: format!("由文件“{}”导入：{}", ctx.file_name, parts.join("；")),
            });
        }
    }
    tally.cases_touched = events.len() as i64;
    write_events(conn, ctx, at, &events).await?;
    Ok(tally)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn amounts_in_yuan_become_exact_fen() {
        assert_eq!(amount("12,500.50元"), Ok(Some(Fen(1_250_050))));
        assert_eq!(amount(" 12500 元 "), Ok(Some(Fen(1_250_000))));
        assert_eq!(amount("0.05"), Ok(Some(Fen(5))));
        assert_eq!(amount(""), Ok(None));
        assert_eq!(amount("元"), Ok(None));
        assert!(amount("-100").is_err());
        assert!(amount("1.234").is_err());
        assert!(amount("一万").is_err());
    }

    #[test]
    fn dates_and_date_times_are_china_days() {
        assert_eq!(day("2024-03-01"), Ok(date!(2024 - 03 - 01)));
        assert_eq!(day("2024/3/1"), Ok(date!(2024 - 03 - 01)));
        assert_eq!(day("2024年3月1日"), Ok(date!(2024 - 03 - 01)));
        // No offset: China time, the day written.
        assert_eq!(day("2024-03-01 23:30:00"), Ok(date!(2024 - 03 - 01)));
        assert_eq!(day("2024-03-01T23:30"), Ok(date!(2024 - 03 - 01)));
        // UTC 16:30 is 00:30 the next day in China.
        assert_eq!(day("2024-03-01T16:30:00Z"), Ok(date!(2024 - 03 - 02)));
        assert_eq!(day("2024-03-01T15:59:59Z"), Ok(date!(2024 - 03 - 01)));
        assert_eq!(day("2024-03-01T23:30:00+08:00"), Ok(date!(2024 - 03 - 01)));
        assert_eq!(day("2024-03-01T20:00:00-05:00"), Ok(date!(2024 - 03 - 02)));
        assert_eq!(
            day("2024-03-01 10:00:00.5 +0800"),
            Ok(date!(2024 - 03 - 01))
        );
        assert!(day("2024-02-30").is_err());
        assert!(day("明天").is_err());
        assert!(day("2024-03-01T25:00:00Z").is_err());
    }

    #[test]
    fn every_column_has_a_chinese_header_and_the_key_is_required() {
        for f in HistoryFile::ALL {
            let key = f.columns().iter().find(|c| c.name == f.key());
            assert!(key.is_some_and(|k| k.required), "{}", f.code());
            assert_eq!(HistoryFile::from_code(f.code()), Some(f));
        }
        assert_eq!(HistoryFile::Penalties.header("amount_yuan"), "金额（元）");
    }
}
