//! 处置 and 销号 of the 有照无证 / 无照无证 lists (seed `002` task (11), (19)): officers record
//! what became of a listed operator — 刑事打击, 行政处罚, 引导规范经营（已取得许可）, 转型生活美容,
//! 停止经营 — dated, with a note, evidence files (kept with their SHA-256) and optionally the case
//! it led to; they close the entry (销号) when the matter is settled, and a leader may reopen
//! it. Every change is audited in its transaction. The lists read each operator's
//! [`Summary`] and filter by [`DisposalFilter`].
//!
//! The rules (codes, who may take which step, dates) are `meijian_domain::disposal`.

use std::collections::HashMap;

use meijian_domain::disposal::{
    self as rule, DisposalAction, DisposalFilter, DisposalKind, DisposalStep, Standing,
};
use meijian_domain::operator::OperatorStatus;
use meijian_domain::region::{Jurisdiction, RegionCode};
use meijian_domain::role::Permission;
use meijian_linkage::Class;
use serde::Serialize;
use sha2::{Digest, Sha256};
use time::{Date, OffsetDateTime};

use super::read;
use super::Operator;
use crate::audit::{self, Change};
use crate::leads::intake::{safe_file_name, sniff};
use crate::reconcile::{OperatorFilter, OperatorRow};
use crate::sql::Query;
use crate::stored::At;
use crate::{new_id, timefmt, Scope, Store, StoreError, Tx};

/// The largest evidence file taken.
pub const MAX_FILE_BYTES: usize = 20 * 1024 * 1024;
/// The most evidence files one disposal takes.
pub const MAX_FILES: usize = 10;
/// The longest note or reason, in characters.
const MAX_NOTE: usize = 1000;
/// Up to this many ids are looked up by id; more load the whole jurisdiction.
const BY_ID: usize = 500;

/// An evidence file, without its bytes.
#[derive(Debug, Clone, Serialize)]
pub struct EvidenceFile {
    pub id: String,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
}

/// One disposal of an operator.
#[derive(Debug, Clone, Serialize)]
pub struct Disposal {
    pub id: String,
    pub operator_id: String,
    pub kind: DisposalKind,
    #[serde(with = "timefmt::as_day")]
    pub disposed_on: Date,
    pub note: String,
    pub case_id: Option<String>,
    pub recorded_by: String,
    #[serde(with = "timefmt::as_stored")]
    pub recorded_at: OffsetDateTime,
    pub files: Vec<EvidenceFile>,
}

/// One 销号 of an operator's entry, and its reopening if any.
#[derive(Debug, Clone, Serialize)]
pub struct Closure {
    pub id: String,
    pub reason: String,
    pub closed_by: String,
    #[serde(with = "timefmt::as_stored")]
    pub closed_at: OffsetDateTime,
    pub reopen_reason: Option<String>,
    pub reopened_by: Option<String>,
    #[serde(with = "timefmt::as_stored::option")]
    pub reopened_at: Option<OffsetDateTime>,
}

/// 处置情况 of one operator, as the lists show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub standing: Standing,
    pub disposals: i64,
    /// The kind and day of the latest disposal.
    pub latest: Option<(DisposalKind, Date)>,
}

impl Default for Summary {
    fn default() -> Summary {
        Summary {
            standing: Standing::Undisposed,
            disposals: 0,
            latest: None,
        }
    }
}

impl Summary {
    /// `未处置`, `处置中（行政处罚，2026-11-20）`, `已销号（行政处罚）`.
    pub fn label_zh(&self) -> String {
        match (self.standing, self.latest) {
            (Standing::Undisposed, _) | (_, None) => self.standing.label_zh().to_owned(),
            (Standing::InProgress, Some((kind, day))) => format!(
                "{}（{}，{}）",
                self.standing.label_zh(),
                kind.label_zh(),
                timefmt::day_to_db(day)
            ),
            (Standing::Closed, Some((kind, _))) => {
                format!("{}（{}）", self.standing.label_zh(), kind.label_zh())
            }
        }
    }
}

/// A file handed in with a disposal.
#[derive(Debug, Clone)]
pub struct NewFile {
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// A disposal as a form or a request gives it: codes and text, checked here.
#[derive(Debug, Clone, Default)]
pub struct NewDisposal {
    /// A [`DisposalKind`] code.
    pub kind: String,
    /// `YYYY-MM-DD`.
    pub disposed_on: String,
    pub note: String,
    /// An enforcement case: its id or its 案件编号; empty for none.
    pub case_id: Option<String>,
    pub files: Vec<NewFile>,
}

fn text<'a>(field: &'static str, value: &'a str, required: bool) -> Result<&'a str, StoreError> {
    let value = value.trim();
    if required && value.is_empty() {
        return Err(StoreError::invalid(field, "请填写"));
    }
    if value.chars().count() > MAX_NOTE {
        return Err(StoreError::invalid(
            field,
            format!("不能超过 {MAX_NOTE} 字"),
        ));
    }
    Ok(value)
}

/// The operator, if the scope may take `step` on it: the permission, and the operator in the
/// scope's own jurisdiction (an institution account never).
async fn permitted(
    store: &Store,
    scope: &Scope,
    operator_id: &str,
    step: DisposalStep,
) -> Result<Operator, StoreError> {
    let operator = read::get(store, scope, operator_id).await?;
    if !scope.can(step.permission())
        || scope.operator_id.is_some()
        || !scope.covers(&operator.region_code)
    {
        return Err(StoreError::Forbidden);
    }
    Ok(operator)
}

/// The standing of the operator's entry now, read inside the step's transaction.
async fn standing_in(tx: &mut Tx, operator_id: &str) -> Result<Standing, StoreError> {
    let closed: i64 = Query::new(
        "select count(*) from operator_closure where reopened_at is null and operator_id = ",
    )
    .bind(operator_id)
    .fetch_scalar(&mut **tx)
    .await?;
    let disposals: i64 = Query::new("select count(*) from operator_disposal where operator_id = ")
        .bind(operator_id)
        .fetch_scalar(&mut **tx)
        .await?;
    Ok(rule::standing(closed > 0, disposals))
}

/// The records of files handed in: checked (count, size), named safely, typed by their bytes
/// and hashed.
fn prepare(files: &[NewFile]) -> Result<Vec<EvidenceFile>, StoreError> {
    if files.len() > MAX_FILES {
        return Err(StoreError::invalid(
            "证据材料",
            format!("每次最多上传 {MAX_FILES} 个文件"),
        ));
    }
    files
        .iter()
        .map(|f| {
            if f.bytes.is_empty() {
                return Err(StoreError::invalid("证据材料", "文件内容为空"));
            }
            if f.bytes.len() > MAX_FILE_BYTES {
                return Err(StoreError::invalid("证据材料", "单个文件不能超过 20 MB"));
            }
            Ok(EvidenceFile {
                id: new_id(),
                file_name: safe_file_name(&f.file_name),
                // Images and PDFs are shown inline; anything else is only ever downloaded.
                content_type: sniff(&f.bytes)
                    .unwrap_or("application/octet-stream")
                    .to_owned(),
                size_bytes: i64::try_from(f.bytes.len()).unwrap_or(i64::MAX),
                sha256: hex::encode(Sha256::digest(&f.bytes)),
            })
        })
        .collect()
}

async fn insert_files(
    tx: &mut Tx,
    disposal_id: &str,
    records: &[EvidenceFile],
    files: &[NewFile],
    at: &str,
) -> Result<(), StoreError> {
    for (f, input) in records.iter().zip(files) {
        // Bytes are bound directly: the `Query` builder carries text and integers only.
        sqlx::query(
            "insert into operator_disposal_file (id, disposal_id, file_name, content_type, \
             size_bytes, sha256, data, created_at) values ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&f.id)
        .bind(disposal_id)
        .bind(&f.file_name)
        .bind(&f.content_type)
        .bind(f.size_bytes)
        .bind(&f.sha256)
        .bind(input.bytes.as_slice())
        .bind(at)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

fn files_json(files: &[EvidenceFile]) -> serde_json::Value {
    files
        .iter()
        .map(|f| {
            serde_json::json!({
                "id": f.id, "file_name": f.file_name, "sha256": f.sha256, "size": f.size_bytes,
            })
        })
        .collect()
}

/// 记录处置: a disposal of a listed operator. Returns its id.
#[tracing::instrument(skip_all)]
pub async fn record(
    store: &Store,
    scope: &Scope,
    operator_id: &str,
    input: &NewDisposal,
    now: OffsetDateTime,
) -> Result<String, StoreError> {
    let operator = permitted(store, scope, operator_id, DisposalStep::Record).await?;
    if operator.status == OperatorStatus::Merged {
        return Err(StoreError::invalid(
            "主体",
            format!(
                "该主体已并入 {}，请在现主体下记录",
                operator.merged_into.as_deref().unwrap_or("其他主体")
            ),
        ));
    }
    let class = crate::reconcile::class_code_of(operator.class);
    if !rule::on_lists(class) {
        return Err(StoreError::invalid(
            "主体",
            "该主体不在“有照无证”或“无照无证”名单上，无需登记处置",
        ));
    }
    let kind = DisposalKind::from_code(input.kind.trim())
        .or_else(|| DisposalKind::from_label_zh(input.kind.trim()))
        .ok_or_else(|| StoreError::invalid("处置方式", "请从列表中选择处置方式"))?;
    let day = timefmt::day_from_db(input.disposed_on.trim())
        .ok_or_else(|| StoreError::invalid("处置日期", "请按“2026-11-20”的格式填写"))?;
    let today = now.to_offset(timefmt::cst()).date();
    rule::check_day(day, today).map_err(|m| StoreError::invalid("处置日期", m))?;
    let note = text("处置情况说明", &input.note, true)?;
    let case_id = match input.case_id.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(id) => {
            // The case's id, or its 案件编号 as officers know it.
            let by_no: Option<(String,)> =
                Query::new("select id from enforcement_case where case_no = ")
                    .bind(id)
                    .fetch_optional(store.pool())
                    .await?;
            let id = by_no.as_ref().map_or(id, |(id,)| id.as_str());
            let case = crate::cases::get(store, scope, id)
                .await
                .map_err(|e| match e {
                    StoreError::NotFound | StoreError::Forbidden => {
                        StoreError::invalid("关联案件", "找不到该案件，或案件不在您的管辖范围内")
                    }
                    other => other,
                })?;
            Some(case.id)
        }
    };
    let files = prepare(&input.files)?;
    let id = new_id();
    let at = timefmt::to_db(now);
    let mut tx = store.begin().await?;
    let standing = standing_in(&mut tx, &operator.id).await?;
    DisposalStep::Record
        .check(standing)
        .map_err(|m| StoreError::invalid("处置", m))?;
    let mut insert = Query::new(
        "insert into operator_disposal (id, operator_id, region_code, kind, disposed_on, note, \
         case_id, recorded_by_id, recorded_by, recorded_at) values (",
    );
    insert
        .bind(&id)
        .push(", ")
        .bind(&operator.id)
        .push(", ")
        .bind(&operator.region_code)
        .push(", ")
        .bind(kind.code())
        .push(", ")
        .bind(timefmt::day_to_db(day))
        .push(", ")
        .bind(note)
        .push(", ")
        .bind(case_id.clone())
        .push(", ")
        .bind(scope.actor.account_id.clone())
        .push(", ")
        .bind(&scope.actor.name)
        .push(", ")
        .bind(&at)
        .push(")");
    insert.execute(&mut *tx).await?;
    insert_files(&mut tx, &id, &files, &input.files, &at).await?;
    audit::record(
        &mut tx,
        &scope.actor,
        now,
        Change {
            action: "operator.disposal",
            entity: "operator",
            entity_id: &operator.id,
            region_code: Some(&operator.region_code),
            before: None,
            after: Some(serde_json::json!({
                "disposal": id,
                "action": DisposalAction::Recorded.code(),
                "kind": kind.code(),
                "disposed_on": timefmt::day_to_db(day),
                "note": note,
                "case_id": case_id,
                "files": files_json(&files),
            })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// More evidence for a disposal already recorded (while the entry is not closed). Returns the
/// records of the files added.
#[tracing::instrument(skip_all)]
pub async fn add_files(
    store: &Store,
    scope: &Scope,
    operator_id: &str,
    disposal_id: &str,
    files: &[NewFile],
    now: OffsetDateTime,
) -> Result<Vec<EvidenceFile>, StoreError> {
    let operator = permitted(store, scope, operator_id, DisposalStep::Record).await?;
    if files.is_empty() {
        return Err(StoreError::invalid("证据材料", "请选择文件"));
    }
    let records = prepare(files)?;
    let at = timefmt::to_db(now);
    let mut tx = store.begin().await?;
    let known: i64 = Query::new("select count(*) from operator_disposal where id = ")
        .bind(disposal_id)
        .push(" and operator_id = ")
        .bind(&operator.id)
        .fetch_scalar(&mut *tx)
        .await?;
    if known == 0 {
        return Err(StoreError::NotFound);
    }
    DisposalStep::Record
        .check(standing_in(&mut tx, &operator.id).await?)
        .map_err(|m| StoreError::invalid("处置", m))?;
    insert_files(&mut tx, disposal_id, &records, files, &at).await?;
    audit::record(
        &mut tx,
        &scope.actor,
        now,
        Change {
            action: "operator.disposal_files",
            entity: "operator",
            entity_id: &operator.id,
            region_code: Some(&operator.region_code),
            before: None,
            after: Some(serde_json::json!({
                "disposal": disposal_id,
                "files": files_json(&records),
            })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(records)
}

/// 销号: the matter of a listed operator is settled; with the reason.
#[tracing::instrument(skip_all)]
pub async fn close(
    store: &Store,
    scope: &Scope,
    operator_id: &str,
    reason: &str,
    now: OffsetDateTime,
) -> Result<Closure, StoreError> {
    let operator = permitted(store, scope, operator_id, DisposalStep::Close).await?;
    let reason = text("销号理由", reason, true)?;
    let id = new_id();
    let at = timefmt::to_db(now);
    let mut tx = store.begin().await?;
    let standing = standing_in(&mut tx, &operator.id).await?;
    DisposalStep::Close
        .check(standing)
        .map_err(|m| StoreError::invalid("销号", m))?;
    let mut insert = Query::new(
        "insert into operator_closure (id, operator_id, region_code, reason, closed_by_id, \
         closed_by, closed_at) values (",
    );
    insert
        .bind(&id)
        .push(", ")
        .bind(&operator.id)
        .push(", ")
        .bind(&operator.region_code)
        .push(", ")
        .bind(reason)
        .push(", ")
        .bind(scope.actor.account_id.clone())
        .push(", ")
        .bind(&scope.actor.name)
        .push(", ")
        .bind(&at)
        .push(")");
    // Two officers closing at once: the unique index on open closures refuses the second.
    if let Err(e) = insert.execute(&mut *tx).await {
        return Err(if StoreError::is_unique_violation(&e) {
            StoreError::Conflict {
                field: "销号",
                message: "该主体已销号，不能重复销号".to_owned(),
            }
        } else {
            e.into()
        });
    }
    audit::record(
        &mut tx,
        &scope.actor,
        now,
        Change {
            action: "operator.close",
            entity: "operator",
            entity_id: &operator.id,
            region_code: Some(&operator.region_code),
            before: Some(serde_json::json!({"standing": standing.code()})),
            after: Some(serde_json::json!({
                "standing": Standing::Closed.code(),
                "closure": id,
                "reason": reason,
            })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Closure {
        id,
        reason: reason.to_owned(),
        closed_by: scope.actor.name.clone(),
        closed_at: timefmt::from_db(&at).unwrap_or(now),
        reopen_reason: None,
        reopened_by: None,
        reopened_at: None,
    })
}

/// 恢复: a leader reopens a closed entry, with the reason; disposals may be recorded again.
#[tracing::instrument(skip_all)]
pub async fn reopen(
    store: &Store,
    scope: &Scope,
    operator_id: &str,
    reason: &str,
    now: OffsetDateTime,
) -> Result<(), StoreError> {
    let operator = permitted(store, scope, operator_id, DisposalStep::Reopen).await?;
    let reason = text("恢复理由", reason, true)?;
    let at = timefmt::to_db(now);
    let mut tx = store.begin().await?;
    DisposalStep::Reopen
        .check(standing_in(&mut tx, &operator.id).await?)
        .map_err(|m| StoreError::invalid("恢复", m))?;
    let mut update = Query::new("update operator_closure set reopen_reason = ");
    update
        .bind(reason)
        .push(", reopened_by_id = ")
        .bind(scope.actor.account_id.clone())
        .push(", reopened_by = ")
        .bind(&scope.actor.name)
        .push(", reopened_at = ")
        .bind(&at)
        .push(" where reopened_at is null and operator_id = ")
        .bind(&operator.id);
    if update.execute(&mut *tx).await? != 1 {
        return Err(StoreError::Conflict {
            field: "恢复",
            message: "该主体刚被恢复，请刷新后查看".to_owned(),
        });
    }
    audit::record(
        &mut tx,
        &scope.actor,
        now,
        Change {
            action: "operator.reopen",
            entity: "operator",
            entity_id: &operator.id,
            region_code: Some(&operator.region_code),
            before: Some(serde_json::json!({"standing": Standing::Closed.code()})),
            after: Some(serde_json::json!({
                "action": DisposalAction::Reopened.code(),
                "reason": reason,
            })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Who may read disposals: those who see the operator, institutions excepted.
async fn readable(store: &Store, scope: &Scope, operator_id: &str) -> Result<Operator, StoreError> {
    let operator = read::get(store, scope, operator_id).await?;
    if scope.operator_id.is_some() || !scope.can(Permission::ViewRegistries) {
        return Err(StoreError::Forbidden);
    }
    Ok(operator)
}

/// The disposals of an operator, newest first, with their evidence files.
#[tracing::instrument(skip_all)]
pub async fn list(
    store: &Store,
    scope: &Scope,
    operator_id: &str,
) -> Result<Vec<Disposal>, StoreError> {
    let operator = readable(store, scope, operator_id).await?;
    #[derive(sqlx::FromRow)]
    struct Row {
        id: String,
        kind: String,
        disposed_on: String,
        note: String,
        case_id: Option<String>,
        recorded_by: String,
        recorded_at: String,
    }
    let rows: Vec<Row> = Query::new(
        "select id, kind, disposed_on, note, case_id, recorded_by, recorded_at \
         from operator_disposal where operator_id = ",
    )
    .bind(&operator.id)
    .push(" order by disposed_on desc, recorded_at desc, id desc")
    .fetch_all(store.pool())
    .await?;
    let files: Vec<(String, String, String, String, i64, String)> = Query::new(
        "select f.disposal_id, f.id, f.file_name, f.content_type, f.size_bytes, f.sha256 \
         from operator_disposal_file f join operator_disposal d on d.id = f.disposal_id \
         where d.operator_id = ",
    )
    .bind(&operator.id)
    .push(" order by f.created_at, f.id")
    .fetch_all(store.pool())
    .await?;
    let mut by_disposal: HashMap<String, Vec<EvidenceFile>> = HashMap::new();
    for (disposal_id, id, file_name, content_type, size_bytes, sha256) in files {
        by_disposal
            .entry(disposal_id)
            .or_default()
            .push(EvidenceFile {
                id,
                file_name,
                content_type,
                size_bytes,
                sha256,
            });
    }
    rows.into_iter()
        .map(|r| {
            let at = At::new("operator_disposal", &r.id);
            Ok(Disposal {
                kind: at.code("kind", &r.kind, DisposalKind::from_code)?,
                disposed_on: at.date("disposed_on", &r.disposed_on)?,
                recorded_at: at.time("recorded_at", &r.recorded_at)?,
                files: by_disposal.remove(&r.id).unwrap_or_default(),
                operator_id: operator.id.clone(),
                id: r.id,
                note: r.note,
                case_id: r.case_id,
                recorded_by: r.recorded_by,
            })
        })
        .collect()
}

/// The 销号 history of an operator, newest first.
#[tracing::instrument(skip_all)]
pub async fn closures(
    store: &Store,
    scope: &Scope,
    operator_id: &str,
) -> Result<Vec<Closure>, StoreError> {
    let operator = readable(store, scope, operator_id).await?;
    #[derive(sqlx::FromRow)]
    struct Row {
        id: String,
        reason: String,
        closed_by: String,
        closed_at: String,
        reopen_reason: Option<String>,
        reopened_by: Option<String>,
        reopened_at: Option<String>,
    }
    let rows: Vec<Row> = Query::new(
        "select id, reason, closed_by, closed_at, reopen_reason, reopened_by, reopened_at \
         from operator_closure where operator_id = ",
    )
    .bind(&operator.id)
    .push(" order by closed_at desc, id desc")
    .fetch_all(store.pool())
    .await?;
    rows.into_iter()
        .map(|r| {
            let at = At::new("operator_closure", &r.id);
            Ok(Closure {
                closed_at: at.time("closed_at", &r.closed_at)?,
                reopened_at: at.time_opt("reopened_at", r.reopened_at.as_deref())?,
                id: r.id,
                reason: r.reason,
                closed_by: r.closed_by,
                reopen_reason: r.reopen_reason,
                reopened_by: r.reopened_by,
            })
        })
        .collect()
}

/// One evidence file with its bytes, if the scope may read the operator's disposals.
#[tracing::instrument(skip_all)]
pub async fn file(
    store: &Store,
    scope: &Scope,
    operator_id: &str,
    file_id: &str,
) -> Result<(EvidenceFile, Vec<u8>), StoreError> {
    let operator = readable(store, scope, operator_id).await?;
    let row: Option<(String, String, i64, String, Vec<u8>)> = Query::new(
        "select f.file_name, f.content_type, f.size_bytes, f.sha256, f.data \
         from operator_disposal_file f join operator_disposal d on d.id = f.disposal_id \
         where f.id = ",
    )
    .bind(file_id)
    .push(" and d.operator_id = ")
    .bind(&operator.id)
    .fetch_optional(store.pool())
    .await?;
    let (file_name, content_type, size_bytes, sha256, data) = row.ok_or(StoreError::NotFound)?;
    Ok((
        EvidenceFile {
            id: file_id.to_owned(),
            file_name,
            content_type,
            size_bytes,
            sha256,
        },
        data,
    ))
}

/// The 处置情况 of one operator.
#[tracing::instrument(skip_all)]
pub async fn summary(
    store: &Store,
    scope: &Scope,
    operator_id: &str,
) -> Result<Summary, StoreError> {
    let operator = readable(store, scope, operator_id).await?;
    let mut all = summaries(store, scope, std::slice::from_ref(&operator.id)).await?;
    Ok(all.remove(&operator.id).unwrap_or_default())
}

/// The 处置情况 of operators of the scope's jurisdiction, by id; an operator with nothing
/// recorded is absent from the map ([`Summary::default`], 未处置).
#[tracing::instrument(skip_all)]
pub async fn summaries(
    store: &Store,
    scope: &Scope,
    ids: &[String],
) -> Result<HashMap<String, Summary>, StoreError> {
    scope.require(Permission::ViewRegistries)?;
    let only = |q: &mut Query| {
        if ids.len() <= BY_ID {
            q.push(" and operator_id in (''");
            for id in ids {
                q.push(", ").bind(id);
            }
            q.push(")");
        }
    };
    let mut disposals =
        Query::new("select id, operator_id, kind, disposed_on from operator_disposal where 1 = 1");
    disposals.in_scope("region_code", scope);
    only(&mut disposals);
    disposals.push(" order by operator_id, disposed_on, recorded_at, id");
    let rows: Vec<(String, String, String, String)> = disposals.fetch_all(store.pool()).await?;
    let mut closed =
        Query::new("select operator_id from operator_closure where reopened_at is null");
    closed.in_scope("region_code", scope);
    only(&mut closed);
    let closed: Vec<(String,)> = closed.fetch_all(store.pool()).await?;
    let mut out: HashMap<String, Summary> = HashMap::new();
    for (id, operator_id, kind, day) in rows {
        let at = At::new("operator_disposal", &id);
        let latest = (
            at.code("kind", &kind, DisposalKind::from_code)?,
            at.date("disposed_on", &day)?,
        );
        let s = out.entry(operator_id).or_default();
        s.disposals += 1;
        s.standing = Standing::InProgress;
        s.latest = Some(latest);
    }
    for (operator_id,) in closed {
        out.entry(operator_id).or_default().standing = Standing::Closed;
    }
    if ids.len() > BY_ID {
        let wanted: std::collections::HashSet<&str> = ids.iter().map(String::as_str).collect();
        out.retain(|id, _| wanted.contains(id.as_str()));
    }
    Ok(out)
}

/// ` and {column} …`: the condition of a disposal filter on a table whose `column` holds
/// operator ids and `class` their class code. 未处置 are the operators on the lists with
/// nothing recorded.
pub(crate) fn condition(column: &str, class: &str, filter: DisposalFilter) -> Query {
    let closed = "(select operator_id from operator_closure where reopened_at is null)";
    let disposed = "(select operator_id from operator_disposal)";
    let mut q = Query::default();
    match filter {
        DisposalFilter::Standing(Standing::Undisposed) => {
            q.push(&format!(
                " and {column} not in {disposed} and {column} not in {closed} and {class} in ("
            ));
            for (i, code) in rule::LIST_CLASSES.iter().enumerate() {
                if i > 0 {
                    q.push(", ");
                }
                q.bind(*code);
            }
            q.push(")");
        }
        DisposalFilter::Standing(Standing::InProgress) => {
            q.push(&format!(
                " and {column} in {disposed} and {column} not in {closed}"
            ));
        }
        DisposalFilter::Standing(Standing::Closed) => {
            q.push(&format!(" and {column} in {closed}"));
        }
        DisposalFilter::Kind(kind) => {
            q.push(&format!(
                " and {column} in (select operator_id from operator_disposal where kind = "
            ))
            .bind(kind.code())
            .push(")");
        }
    }
    q
}

/// The code of a disposal filter as a query string carries it; an unknown one is refused.
pub fn parse_filter(code: &str) -> Result<Option<DisposalFilter>, StoreError> {
    match code.trim() {
        "" => Ok(None),
        c => DisposalFilter::from_code(c)
            .map(Some)
            .ok_or_else(|| StoreError::invalid("处置情况", "未知的处置情况")),
    }
}

/// The range of a region filter inside the scope (its subtree), or the scope's own.
fn region_range(scope: &Scope, region: Option<&str>) -> Result<(String, String), StoreError> {
    match region {
        Some(r) if scope.covers(r) => {
            let code =
                RegionCode::parse(r).map_err(|e| StoreError::invalid("行政区划", e.to_string()))?;
            Ok(Jurisdiction::new(code).code_range())
        }
        Some(_) => Err(StoreError::NotFound),
        None => {
            let (lo, hi) = scope.region_range();
            Ok((lo.to_owned(), hi.to_owned()))
        }
    }
}

/// [`crate::reconcile::operators`] with a disposal filter: the operators of a run in the
/// scope whose 处置情况 matches. Without a filter it is `reconcile::operators` itself.
#[tracing::instrument(skip_all)]
pub async fn run_operators(
    store: &Store,
    scope: &Scope,
    run_id: &str,
    list: &OperatorFilter,
    filter: Option<DisposalFilter>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<OperatorRow>, i64), StoreError> {
    let Some(filter) = filter else {
        return crate::reconcile::operators(store, scope, run_id, list, limit, offset).await;
    };
    scope.require(Permission::ViewRegistries)?;
    // The conditions of `reconcile::operators` (kept in step with it), plus the filter.
    let (lo, hi) = region_range(scope, list.region.as_deref())?;
    let mut q = Query::default();
    q.and("run_id =", run_id)
        .in_range("region_code", (&lo, &hi));
    if let Some(class) = &list.class {
        q.and("class =", if class == "out" { "" } else { class });
    }
    if list.changed_only {
        q.push(" and (previous_class is null or previous_class <> class)");
    }
    q.append(&condition("operator_id", "class", filter));
    let total: i64 = Query::new("select count(*) from reconcile_operator where 1 = 1")
        .append(&q)
        .fetch_scalar(store.pool())
        .await?;
    #[derive(sqlx::FromRow)]
    struct Row {
        operator_id: String,
        region_code: String,
        name: String,
        uscc: Option<String>,
        legal_rep: Option<String>,
        address: Option<String>,
        class: String,
        previous_class: Option<String>,
        public_kind: Option<String>,
        scope_reason: Option<String>,
        unusable: i64,
        members: i64,
    }
    let rows: Vec<Row> = Query::new(
        "select operator_id, region_code, name, uscc, legal_rep, address, class, previous_class, \
         public_kind, scope_reason, unusable, members from reconcile_operator where 1 = 1",
    )
    .append(&q)
    .push(" order by region_code, name, operator_id")
    .page(limit, offset)
    .fetch_all(store.pool())
    .await?;
    let decode = |at: At<'_>, column: &'static str, code: &str| match code {
        "" => Ok(None),
        c => at.code(column, c, Class::from_code).map(Some),
    };
    let rows = rows
        .into_iter()
        .map(|r| {
            let at = At::new("reconcile_operator", run_id);
            Ok(OperatorRow {
                class: decode(at, "class", &r.class)?,
                previous_class: r
                    .previous_class
                    .as_deref()
                    .map(|c| decode(at, "previous_class", c))
                    .transpose()?,
                operator_id: r.operator_id,
                region_code: r.region_code,
                name: r.name,
                uscc: r.uscc,
                legal_rep: r.legal_rep,
                address: r.address,
                public_kind: r.public_kind,
                scope_reason: r.scope_reason,
                unusable: r.unusable != 0,
                members: r.members,
            })
        })
        .collect::<Result<_, StoreError>>()?;
    Ok((rows, total))
}
