//! The cross-check (证照比对) on the imported registries: run it over a jurisdiction, keep the
//! operators with their class and evidence, list them per district, and keep the officers'
//! decisions (merge / split) that every later run follows.
//!
//! A run reads the current records of the five cross-check registries inside the caller's
//! jurisdiction (records missing from the latest full export are left out), links them with
//! `meijian-linkage`, and writes the whole result in one transaction with its audit entry. The
//! previous run of the same jurisdiction gives the operator ids to keep and the classes to
//! compare with, so a run reports which operators moved between lists.

use std::collections::BTreeMap;

use meijian_domain::role::Permission;
use meijian_linkage::{Class, Decisions, InputRecord, RecordRef, Settings, Source};
use meijian_registry::{Record, RegistryKind};
use rustc_hash::FxHashMap;
use serde::Serialize;
use time::OffsetDateTime;

use crate::audit::{self, Change};
use crate::operators::{self, Identity, Moves};
use crate::sql::{bulk_insert, values, Query};
use crate::stored::At;
use crate::{new_id, timefmt, Scope, Store, StoreError};

/// Rows per multi-row insert (8 columns × 1000 stays under both databases' bind limits).
const BATCH: usize = 1000;

/// A run as listed.
#[derive(Debug, Clone, Serialize)]
pub struct RunRow {
    pub id: String,
    pub region_code: String,
    pub as_of: String,
    pub records: i64,
    pub operators: i64,
    pub links: i64,
    pub candidates: i64,
    pub changed: i64,
    pub previous_run_id: Option<String>,
    pub actor_name: String,
    #[serde(with = "time::serde::rfc3339")]
    pub started_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub finished_at: OffsetDateTime,
    /// How long each part of this run took (not stored; for the command line and benchmarks).
    #[serde(skip)]
    pub timings: Timings,
}

/// A run as stored.
#[derive(sqlx::FromRow)]
struct StoredRun {
    id: String,
    region_code: String,
    as_of: String,
    records: i64,
    operators: i64,
    links: i64,
    candidates: i64,
    changed: i64,
    previous_run_id: Option<String>,
    actor_name: String,
    started_at: String,
    finished_at: String,
}

impl TryFrom<StoredRun> for RunRow {
    type Error = StoreError;

    fn try_from(r: StoredRun) -> Result<RunRow, StoreError> {
        let at = At::new("reconcile_run", &r.id);
        Ok(RunRow {
            started_at: at.time("started_at", &r.started_at)?,
            finished_at: at.time("finished_at", &r.finished_at)?,
            id: r.id,
            region_code: r.region_code,
            as_of: r.as_of,
            records: r.records,
            operators: r.operators,
            links: r.links,
            candidates: r.candidates,
            changed: r.changed,
            previous_run_id: r.previous_run_id,
            actor_name: r.actor_name,
            timings: Timings::default(),
        })
    }
}

/// Seconds spent in each part of a run.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Timings {
    /// Reading records, decisions and the previous run.
    pub read: f64,
    /// Linking and classifying.
    pub link: f64,
    /// Writing the run (operators, members, review pairs) and its audit entry.
    pub write: f64,
    /// Bringing the 主体库 up to the run, inside the same transaction.
    pub operators: f64,
}

/// An operator of a run as listed.
#[derive(Debug, Clone, Serialize)]
pub struct OperatorRow {
    pub operator_id: String,
    pub region_code: String,
    pub name: String,
    pub uscc: Option<String>,
    pub legal_rep: Option<String>,
    pub address: Option<String>,
    /// `None` outside medical aesthetics.
    #[serde(serialize_with = "serialize_class")]
    pub class: Option<Class>,
    /// The class in the previous run: `None` for an operator new in this run.
    #[serde(skip)]
    pub previous_class: Option<Option<Class>>,
    pub public_kind: Option<String>,
    pub scope_reason: Option<String>,
    /// A record with no usable name and no code, listed alone.
    pub unusable: bool,
    pub members: i64,
}

/// Serialises a class as its stored code (`""` outside medical aesthetics).
pub(crate) fn serialize_class<S: serde::Serializer>(
    class: &Option<Class>,
    s: S,
) -> Result<S::Ok, S::Error> {
    s.serialize_str(class_code_of(*class))
}

/// The stored code of a class: `""` outside medical aesthetics.
pub fn class_code_of(class: Option<Class>) -> &'static str {
    class.map_or("", Class::code)
}

/// A stored class code: `""` is outside medical aesthetics, an unknown code an error naming
/// the row.
fn decode_class(at: At, column: &'static str, code: &str) -> Result<Option<Class>, StoreError> {
    match code {
        "" => Ok(None),
        code => at.code(column, code, Class::from_code).map(Some),
    }
}

impl OperatorRow {
    /// 分类 in Chinese, or "非医美" for an operator outside medical aesthetics.
    pub fn class_zh(&self) -> &'static str {
        self.class.map_or("非医美", Class::label_zh)
    }

    pub fn previous_class_zh(&self) -> &'static str {
        match self.previous_class {
            None => "（新主体）",
            Some(c) => c.map_or("非医美", Class::label_zh),
        }
    }

    /// Whether the class differs from the previous run's (new operators included).
    pub fn changed(&self) -> bool {
        self.previous_class != Some(self.class)
    }
}

/// An operator row as stored.
#[derive(sqlx::FromRow)]
struct StoredOperator {
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

impl StoredOperator {
    fn decode(self, run_id: &str) -> Result<OperatorRow, StoreError> {
        let at = At::new("reconcile_operator", run_id);
        Ok(OperatorRow {
            class: decode_class(at, "class", &self.class)?,
            previous_class: self
                .previous_class
                .as_deref()
                .map(|c| decode_class(at, "previous_class", c))
                .transpose()?,
            operator_id: self.operator_id,
            region_code: self.region_code,
            name: self.name,
            uscc: self.uscc,
            legal_rep: self.legal_rep,
            address: self.address,
            public_kind: self.public_kind,
            scope_reason: self.scope_reason,
            unusable: self.unusable != 0,
            members: self.members,
        })
    }
}

/// One record of an operator, with the link that joined it.
#[derive(Debug, Clone, Serialize)]
pub struct MemberRow {
    #[serde(serialize_with = "registry_code")]
    pub registry: RegistryKind,
    pub record_key: String,
    pub record_id: String,
    pub region_code: String,
    pub confidence: i64,
    pub evidence: String,
    pub name: Option<String>,
    pub uscc: Option<String>,
    pub status: Option<String>,
    pub data_json: String,
}

fn registry_code<S: serde::Serializer>(kind: &RegistryKind, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(kind.code())
}

/// A member row as stored.
#[derive(sqlx::FromRow)]
struct StoredMember {
    registry: String,
    record_key: String,
    record_id: String,
    region_code: String,
    confidence: i64,
    evidence: String,
    name: Option<String>,
    uscc: Option<String>,
    status: Option<String>,
    data_json: String,
}

impl StoredMember {
    fn decode(self) -> Result<MemberRow, StoreError> {
        Ok(MemberRow {
            registry: At::new("registry_record", &self.record_id).code(
                "registry",
                &self.registry,
                RegistryKind::from_code,
            )?,
            record_key: self.record_key,
            record_id: self.record_id,
            region_code: self.region_code,
            confidence: self.confidence,
            evidence: self.evidence,
            name: self.name,
            uscc: self.uscc,
            status: self.status,
            data_json: self.data_json,
        })
    }
}

/// A pair left for review.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct CandidateRow {
    pub seq: i64,
    pub a_registry: String,
    pub a_key: String,
    pub a_operator: String,
    pub b_registry: String,
    pub b_key: String,
    pub b_operator: String,
    pub region_code: String,
    pub confidence: i64,
    pub evidence: String,
}

/// An officer's decision.
#[derive(Debug, Clone, Serialize)]
pub struct DecisionRow {
    pub id: String,
    #[serde(serialize_with = "decision_code")]
    pub kind: DecisionKind,
    pub a_registry: String,
    pub a_key: String,
    pub b_registry: String,
    pub b_key: String,
    pub region_code: String,
    pub note: String,
    pub actor_name: String,
    #[serde(with = "time::serde::rfc3339")]
    pub decided_at: OffsetDateTime,
}

fn decision_code<S: serde::Serializer>(kind: &DecisionKind, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(kind.code())
}

/// A decision as stored.
#[derive(sqlx::FromRow)]
struct StoredDecision {
    id: String,
    kind: String,
    a_registry: String,
    a_key: String,
    b_registry: String,
    b_key: String,
    region_code: String,
    note: String,
    actor_name: String,
    decided_at: String,
}

impl TryFrom<StoredDecision> for DecisionRow {
    type Error = StoreError;

    fn try_from(d: StoredDecision) -> Result<DecisionRow, StoreError> {
        let at = At::new("reconcile_decision", &d.id);
        Ok(DecisionRow {
            kind: at.code("kind", &d.kind, DecisionKind::from_code)?,
            decided_at: at.time("decided_at", &d.decided_at)?,
            id: d.id,
            a_registry: d.a_registry,
            a_key: d.a_key,
            b_registry: d.b_registry,
            b_key: d.b_key,
            region_code: d.region_code,
            note: d.note,
            actor_name: d.actor_name,
        })
    }
}

fn decode_decisions(rows: Vec<StoredDecision>) -> Result<Vec<DecisionRow>, StoreError> {
    rows.into_iter().map(DecisionRow::try_from).collect()
}

/// Counts of one district: operators per class.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DistrictCounts {
    pub region_code: String,
    /// In [`Class::ALL`] order, then outside medical aesthetics.
    pub counts: [i64; 5],
}

/// 合并 or 拆分.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecisionKind {
    Merge,
    Split,
}

impl DecisionKind {
    pub fn code(self) -> &'static str {
        match self {
            DecisionKind::Merge => "merge",
            DecisionKind::Split => "split",
        }
    }

    pub fn from_code(code: &str) -> Option<DecisionKind> {
        match code {
            "merge" => Some(DecisionKind::Merge),
            "split" => Some(DecisionKind::Split),
            _ => None,
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            DecisionKind::Merge => "合并（确认为同一主体）",
            DecisionKind::Split => "拆分（不是同一主体）",
        }
    }
}

/// The columns of [`DecisionRow`].
const DECISION_COLUMNS: &str =
    "id, kind, a_registry, a_key, b_registry, b_key, region_code, note, actor_name, decided_at";

#[derive(sqlx::FromRow)]
struct StoredRecord {
    id: String,
    registry: String,
    record_key: String,
    region_code: String,
    data_json: String,
}

/// Runs the cross-check over the scope's jurisdiction as of `as_of` (`YYYY-MM-DD`).
#[tracing::instrument(skip_all)]
pub async fn run(
    store: &Store,
    scope: &Scope,
    as_of: &str,
    now: OffsetDateTime,
) -> Result<RunRow, StoreError> {
    scope.require(Permission::Reconcile)?;
    let clock = std::time::Instant::now();
    let as_of = meijian_registry::parse_date(as_of)
        .map_err(|e| StoreError::invalid("比对基准日", format!("“{as_of}”{e}")))?
        .to_string();
    let (lo, hi) = scope.region_range();
    let (lo, hi) = (lo.to_owned(), hi.to_owned());
    let root = scope
        .region
        .as_ref()
        .map(|r| r.as_str().to_owned())
        .unwrap_or_else(|| "000000".to_owned());

    let stored: Vec<StoredRecord> = sqlx::query_as(
        "select id, registry, record_key, region_code, data_json from registry_record \
         where registry in ('registrations', 'licenses', 'salon_filings', 'platform_merchants', 'tax') \
         and region_code between $1 and $2 and missing_since is null \
         order by registry, record_key",
    )
    .bind(&lo)
    .bind(&hi)
    .fetch_all(store.pool())
    .await?;
    let decisions = load_decisions(store, &lo, &hi).await?;
    let previous_run: Option<String> = sqlx::query_scalar(
        "select id from reconcile_run where region_lo = $1 and region_hi = $2 \
         order by finished_at desc, id desc limit 1",
    )
    .bind(&lo)
    .bind(&hi)
    .fetch_optional(store.pool())
    .await?;
    let previous = match &previous_run {
        Some(id) => previous_members(store, id).await?,
        None => PreviousRun::default(),
    };

    let read = clock.elapsed().as_secs_f64();
    let settings = Settings::new(as_of.clone());
    let outcome =
        tokio::task::spawn_blocking(move || compute(stored, &settings, &decisions, previous))
            .await
            .map_err(|e| StoreError::Other(format!("比对任务异常退出：{e}")))?;

    let run = RunRow {
        id: new_id(),
        region_code: root,
        as_of,
        records: outcome.members.len() as i64,
        operators: outcome.operators.len() as i64,
        links: outcome.links as i64,
        candidates: outcome.candidates.len() as i64,
        changed: outcome.operators.iter().filter(|o| o.changed()).count() as i64,
        previous_run_id: previous_run,
        actor_name: scope.actor.name.clone(),
        started_at: now,
        finished_at: OffsetDateTime::now_utc(),
        timings: Timings::default(),
    };
    let link = clock.elapsed().as_secs_f64() - read;
    let operators = write(store, scope, &run, &lo, &hi, &outcome, now).await?;
    let write = clock.elapsed().as_secs_f64() - read - link - operators;
    let timings = Timings {
        read,
        link,
        write,
        operators,
    };
    tracing::info!(
        records = run.records,
        operators = run.operators,
        read_s = read,
        link_s = link,
        write_s = write,
        operator_record_s = operators,
        "cross-check run"
    );
    Ok(RunRow { timings, ..run })
}

/// What a run computed, ready to store.
struct Outcome {
    operators: Vec<OperatorRow>,
    /// The same operators as the 主体库 keeps them, and how records moved between them.
    identities: Vec<Identity>,
    moves: Moves,
    members: Vec<(String, String, String, String, String, i64, String)>,
    candidates: Vec<CandidateRow>,
    links: usize,
}

/// The previous run's operator of each record, and each operator's class.
#[derive(Default)]
struct PreviousRun {
    operator_of: FxHashMap<RecordRef, String>,
    class_of: FxHashMap<String, Option<Class>>,
}

fn compute(
    stored: Vec<StoredRecord>,
    settings: &Settings,
    decisions: &Decisions,
    previous: PreviousRun,
) -> Outcome {
    let mut inputs = Vec::with_capacity(stored.len());
    let mut ids = Vec::with_capacity(stored.len());
    for row in &stored {
        let Some(kind) = RegistryKind::from_code(&row.registry) else {
            continue;
        };
        let Some(input) = InputRecord::from_registry(kind, &to_record(kind, row)) else {
            continue;
        };
        inputs.push(input);
        ids.push((row.id.clone(), row.region_code.clone()));
    }
    drop(stored);
    let linkage = meijian_linkage::link(&inputs, settings, decisions, &previous.operator_of);
    let best = linkage.best_links();
    let rows = linkage.result_rows_of(&inputs, 0..inputs.len(), &best);

    let mut identities = Vec::with_capacity(linkage.operators.len());
    let operators = linkage
        .operators
        .iter()
        .map(|op| {
            let anchor_index = meijian_linkage::operator_id::anchor(&op.members, &inputs);
            let anchor = &inputs[anchor_index as usize];
            let class = op.verdict.class;
            // The district whose list the operator is on: the anchor's, or, when the anchor
            // gives only a city (a platform shop), the first member's county.
            let anchor_region = &ids[anchor_index as usize].1;
            let region = if anchor_region.ends_with("00") {
                op.members
                    .iter()
                    .map(|&i| &ids[i as usize].1)
                    .find(|r| !r.ends_with("00"))
                    .unwrap_or(anchor_region)
            } else {
                anchor_region
            };
            let members: Vec<&InputRecord> =
                op.members.iter().map(|&i| &inputs[i as usize]).collect();
            // The anchor's name, else (a taxpayer without one) the first name a member has.
            let name = Some(anchor.name.as_str())
                .into_iter()
                .chain(anchor.entity_name.as_deref())
                .chain(members.iter().map(|m| m.name.as_str()))
                .chain(members.iter().filter_map(|m| m.entity_name.as_deref()))
                .find(|n| !n.trim().is_empty())
                .unwrap_or("")
                .to_owned();
            let row = OperatorRow {
                operator_id: op.id.clone(),
                region_code: region.clone(),
                name,
                uscc: anchor
                    .uscc
                    .clone()
                    .or_else(|| members.iter().find_map(|m| m.uscc.clone())),
                legal_rep: anchor
                    .persons
                    .first()
                    .or_else(|| members.iter().find_map(|m| m.persons.first()))
                    .cloned(),
                address: anchor
                    .address
                    .clone()
                    .or_else(|| members.iter().find_map(|m| m.address.clone())),
                previous_class: previous.class_of.get(&op.id).copied(),
                class,
                public_kind: op
                    .verdict
                    .public_institution
                    .map(|k| k.label_zh().to_owned()),
                scope_reason: op.verdict.scope_reason.clone(),
                unusable: op.unusable,
                members: op.members.len() as i64,
            };
            identities.push(identity_of(&row, &members));
            row
        })
        .collect();
    let moves = moves_between(&previous.operator_of, &rows);
    for (new, from) in &moves.split {
        if let Some(i) = identities.iter_mut().find(|i| &i.id == new) {
            i.split_from = Some(from.clone());
        }
    }
    let members = rows
        .into_iter()
        .zip(&ids)
        .map(|(row, (id, region))| {
            (
                row.source.to_owned(),
                row.key,
                id.clone(),
                row.operator_id,
                region.clone(),
                (row.confidence * 1000.0).round() as i64,
                row.evidence,
            )
        })
        .collect();
    let candidates = linkage
        .candidates
        .iter()
        .enumerate()
        .map(|(seq, link)| {
            let (a, b) = (&inputs[link.a as usize], &inputs[link.b as usize]);
            CandidateRow {
                seq: seq as i64,
                a_registry: a.source.code().to_owned(),
                a_key: a.key.clone(),
                a_operator: linkage.operator(link.a).id.clone(),
                b_registry: b.source.code().to_owned(),
                b_key: b.key.clone(),
                b_operator: linkage.operator(link.b).id.clone(),
                region_code: ids[link.a as usize].1.clone(),
                confidence: (link.probability * 1000.0).round() as i64,
                evidence: linkage.evidence_zh(link.a, link.b),
            }
        })
        .collect();
    Outcome {
        operators,
        identities,
        moves,
        members,
        candidates,
        links: linkage.links.len(),
    }
}

/// What the 主体库 keeps of an operator of a run: the run's row and every distinct name,
/// person and address of its records.
fn identity_of(row: &OperatorRow, members: &[&InputRecord]) -> Identity {
    fn distinct<'a>(items: impl Iterator<Item = &'a str>) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for item in items.map(str::trim).filter(|s| !s.is_empty()) {
            if !out.iter().any(|o| o == item) {
                out.push(item.to_owned());
            }
        }
        out
    }
    Identity {
        id: row.operator_id.clone(),
        region_code: row.region_code.clone(),
        name: row.name.clone(),
        names: distinct(
            members
                .iter()
                .flat_map(|m| std::iter::once(m.name.as_str()).chain(m.entity_name.as_deref())),
        ),
        uscc: row.uscc.clone(),
        legal_rep: row.legal_rep.clone(),
        persons: distinct(
            members
                .iter()
                .flat_map(|m| m.persons.iter().map(String::as_str)),
        ),
        address: row.address.clone(),
        addresses: distinct(members.iter().filter_map(|m| m.address.as_deref())),
        class: class_code_of(row.class).to_owned(),
        public_kind: row.public_kind.clone(),
        members: row.members,
        split_from: None,
    }
}

/// How records moved between the previous run's operators and this run's: an old id that is
/// gone went to the operator holding most of its records (a merge); a new id whose records
/// mostly sat in an old operator that is still there was split off it.
fn moves_between(
    previous: &FxHashMap<RecordRef, String>,
    rows: &[meijian_linkage::result::ResultRow],
) -> Moves {
    let mut now_of: FxHashMap<&str, FxHashMap<&str, usize>> = FxHashMap::default();
    let mut was_of: FxHashMap<&str, FxHashMap<&str, usize>> = FxHashMap::default();
    let current: rustc_hash::FxHashSet<&str> =
        rows.iter().map(|r| r.operator_id.as_str()).collect();
    let old_ids: rustc_hash::FxHashSet<&str> = previous.values().map(String::as_str).collect();
    for row in rows {
        let Some(source) = RegistryKind::from_code(row.source).and_then(Source::of_registry) else {
            continue;
        };
        let Some(old) = previous.get(&(source, row.key.clone())) else {
            continue;
        };
        *now_of
            .entry(old.as_str())
            .or_default()
            .entry(row.operator_id.as_str())
            .or_default() += 1;
        *was_of
            .entry(row.operator_id.as_str())
            .or_default()
            .entry(old.as_str())
            .or_default() += 1;
    }
    let top = |votes: &FxHashMap<&str, usize>| -> Option<String> {
        votes
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
            .map(|(id, _)| (*id).to_owned())
    };
    let mut moves = Moves::default();
    for (old, votes) in &now_of {
        if !current.contains(old) {
            if let Some(new) = top(votes) {
                moves.merged.push(((*old).to_owned(), new));
            }
        }
    }
    for (new, votes) in &was_of {
        if !old_ids.contains(new) {
            if let Some(from) = top(votes).filter(|f| current.contains(f.as_str())) {
                moves.split.push(((*new).to_owned(), from));
            }
        }
    }
    moves.merged.sort();
    moves.split.sort();
    moves
}

/// A stored record as the registry reader would have yielded it.
fn to_record(kind: RegistryKind, row: &StoredRecord) -> Record {
    let data: BTreeMap<String, String> = serde_json::from_str(&row.data_json).unwrap_or_default();
    let spec = kind.spec();
    let fields = data
        .into_iter()
        .filter_map(|(k, v)| spec.field(&k).map(|f| (f.name, v)))
        .collect();
    Record {
        line: 0,
        key: row.record_key.clone(),
        fields,
        extras: BTreeMap::new(),
        warnings: Vec::new(),
    }
}

async fn load_decisions(store: &Store, lo: &str, hi: &str) -> Result<Decisions, StoreError> {
    let rows: Vec<StoredDecision> = sqlx::query_as(&format!(
        "select {DECISION_COLUMNS} from reconcile_decision \
         where revoked_at is null and region_code between $1 and $2 order by decided_at, id"
    ))
    .bind(lo)
    .bind(hi)
    .fetch_all(store.pool())
    .await?;
    let mut decisions = Decisions::default();
    for d in rows {
        let (Some(a), Some(b)) = (
            record_ref(&d.a_registry, &d.a_key),
            record_ref(&d.b_registry, &d.b_key),
        ) else {
            continue;
        };
        match DecisionRow::try_from(d)?.kind {
            DecisionKind::Merge => decisions.merges.push((a, b)),
            DecisionKind::Split => decisions.splits.push((a, b)),
        }
    }
    Ok(decisions)
}

fn record_ref(registry: &str, key: &str) -> Option<RecordRef> {
    let source = RegistryKind::from_code(registry).and_then(Source::of_registry)?;
    Some((source, key.to_owned()))
}

async fn previous_members(store: &Store, run_id: &str) -> Result<PreviousRun, StoreError> {
    // An operator merged since (by an officer or by linking) is read as the one it became,
    // so the run keeps that id.
    let members: Vec<(String, String, String)> = sqlx::query_as(
        "select m.registry, m.record_key, coalesce(o.merged_into, m.operator_id) \
         from reconcile_member m left join operator o on o.id = m.operator_id \
         and o.status = 'merged' where m.run_id = $1",
    )
    .bind(run_id)
    .fetch_all(store.pool())
    .await?;
    let classes: Vec<(String, String)> =
        sqlx::query_as("select operator_id, class from reconcile_operator where run_id = $1")
            .bind(run_id)
            .fetch_all(store.pool())
            .await?;
    let mut previous = PreviousRun::default();
    for (registry, key, operator) in members {
        if let Some(r) = record_ref(&registry, &key) {
            previous.operator_of.insert(r, operator);
        }
    }
    let at = At::new("reconcile_operator", run_id);
    previous.class_of = classes
        .into_iter()
        .map(|(id, class)| Ok((id, decode_class(at, "class", &class)?)))
        .collect::<Result<_, StoreError>>()?;
    Ok(previous)
}

async fn write(
    store: &Store,
    scope: &Scope,
    run: &RunRow,
    lo: &str,
    hi: &str,
    outcome: &Outcome,
    now: OffsetDateTime,
) -> Result<f64, StoreError> {
    let backend = store.backend();
    let mut tx = store.begin().await?;
    sqlx::query(
        "insert into reconcile_run (id, region_code, region_lo, region_hi, as_of, records, \
         operators, links, candidates, changed, previous_run_id, actor_id, actor_name, \
         started_at, finished_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
    )
    .bind(&run.id)
    .bind(&run.region_code)
    .bind(lo)
    .bind(hi)
    .bind(&run.as_of)
    .bind(run.records)
    .bind(run.operators)
    .bind(run.links)
    .bind(run.candidates)
    .bind(run.changed)
    .bind(&run.previous_run_id)
    .bind(&scope.actor.account_id)
    .bind(&run.actor_name)
    .bind(timefmt::to_db(run.started_at))
    .bind(timefmt::to_db(run.finished_at))
    .execute(&mut *tx)
    .await?;

    for chunk in outcome.operators.chunks(BATCH) {
        let sql = format!(
            "{} reconcile_operator (run_id, operator_id, region_code, name, uscc, legal_rep, \
             address, class, previous_class, public_kind, scope_reason, unusable, members) \
             values {}",
            bulk_insert(backend),
            values(backend, chunk.len(), 13, 1)
        );
        let mut q = sqlx::query(&sql);
        for o in chunk {
            q = q
                .bind(&run.id)
                .bind(&o.operator_id)
                .bind(&o.region_code)
                .bind(&o.name)
                .bind(&o.uscc)
                .bind(&o.legal_rep)
                .bind(&o.address)
                .bind(class_code_of(o.class))
                .bind(o.previous_class.map(class_code_of))
                .bind(&o.public_kind)
                .bind(&o.scope_reason)
                .bind(i64::from(o.unusable))
                .bind(o.members);
        }
        q.execute(&mut *tx).await?;
    }
    for chunk in outcome.members.chunks(BATCH) {
        let sql = format!(
            "{} reconcile_member (run_id, registry, record_key, record_id, operator_id, \
             region_code, confidence, evidence) values {}",
            bulk_insert(backend),
            values(backend, chunk.len(), 8, 1)
        );
        let mut q = sqlx::query(&sql);
        for (registry, key, record_id, operator, region, confidence, evidence) in chunk {
            q = q
                .bind(&run.id)
                .bind(registry)
                .bind(key)
                .bind(record_id)
                .bind(operator)
                .bind(region)
                .bind(*confidence)
                .bind(evidence);
        }
        q.execute(&mut *tx).await?;
    }
    for chunk in outcome.candidates.chunks(BATCH) {
        let sql = format!(
            "{} reconcile_candidate (run_id, seq, a_registry, a_key, a_operator, b_registry, \
             b_key, b_operator, region_code, confidence, evidence) values {}",
            bulk_insert(backend),
            values(backend, chunk.len(), 11, 1)
        );
        let mut q = sqlx::query(&sql);
        for c in chunk {
            q = q
                .bind(&run.id)
                .bind(c.seq)
                .bind(&c.a_registry)
                .bind(&c.a_key)
                .bind(&c.a_operator)
                .bind(&c.b_registry)
                .bind(&c.b_key)
                .bind(&c.b_operator)
                .bind(&c.region_code)
                .bind(c.confidence)
                .bind(&c.evidence);
        }
        q.execute(&mut *tx).await?;
    }
    let operators_started = std::time::Instant::now();
    let updated = operators::update::after_run(
        &mut tx,
        backend,
        &scope.actor,
        &run.id,
        (lo, hi),
        &outcome.identities,
        &outcome.moves,
        now,
    )
    .await?;
    let operators_took = operators_started.elapsed().as_secs_f64();
    audit::record(
        &mut tx,
        &scope.actor,
        now,
        Change {
            action: "reconcile.run",
            entity: "reconcile_run",
            entity_id: &run.id,
            region_code: Some(&run.region_code),
            before: None,
            after: Some(serde_json::json!({
                "as_of": run.as_of,
                "records": run.records,
                "operators": run.operators,
                "changed": run.changed,
                "operator_record": {
                    "added": updated.added,
                    "changed": updated.changed,
                    "absent": updated.absent,
                    "merged": updated.merged,
                    "linked": updated.linked,
                },
            })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(operators_took)
}

/// The newest run that covers the scope's whole jurisdiction.
#[tracing::instrument(skip_all)]
pub async fn latest_run(store: &Store, scope: &Scope) -> Result<Option<RunRow>, StoreError> {
    scope.require(Permission::ViewRegistries)?;
    let (lo, hi) = scope.region_range();
    sqlx::query_as::<_, StoredRun>(
        "select id, region_code, as_of, records, operators, links, candidates, changed, \
         previous_run_id, actor_name, started_at, finished_at from reconcile_run \
         where region_lo <= $1 and region_hi >= $2 order by finished_at desc, id desc limit 1",
    )
    .bind(lo)
    .bind(hi)
    .fetch_optional(store.pool())
    .await?
    .map(RunRow::try_from)
    .transpose()
}

/// Operators per district and class in the scope, districts in code order.
#[tracing::instrument(skip_all)]
pub async fn district_counts(
    store: &Store,
    scope: &Scope,
    run_id: &str,
) -> Result<Vec<DistrictCounts>, StoreError> {
    scope.require(Permission::ViewRegistries)?;
    let (lo, hi) = scope.region_range();
    let rows: Vec<(String, String, i64)> = sqlx::query_as(
        "select region_code, class, count(*) from reconcile_operator \
         where run_id = $1 and region_code between $2 and $3 \
         group by region_code, class order by region_code",
    )
    .bind(run_id)
    .bind(lo)
    .bind(hi)
    .fetch_all(store.pool())
    .await?;
    let mut out: Vec<DistrictCounts> = Vec::new();
    for (region, class, n) in rows {
        if out.last().is_none_or(|d| d.region_code != region) {
            out.push(DistrictCounts {
                region_code: region.clone(),
                counts: [0; 5],
            });
        }
        // Outside medical aesthetics ("") is the last column; an unknown code is an error.
        let slot = match decode_class(At::new("reconcile_operator", run_id), "class", &class)? {
            Some(c) => Class::ALL.iter().position(|&x| x == c).unwrap_or(4),
            None => 4,
        };
        if let Some(last) = out.last_mut() {
            last.counts[slot] += n;
        }
    }
    Ok(out)
}

/// What an operator list shows.
#[derive(Debug, Clone, Default)]
pub struct OperatorFilter {
    /// A class code, `out` for operators outside medical aesthetics, or none for all.
    pub class: Option<String>,
    /// A region inside the scope; its subtree.
    pub region: Option<String>,
    /// Only operators whose class changed since the previous run.
    pub changed_only: bool,
}

/// Operators of a run in the scope, by region and name; `limit` rows from `offset`.
#[tracing::instrument(skip_all)]
pub async fn operators(
    store: &Store,
    scope: &Scope,
    run_id: &str,
    filter: &OperatorFilter,
    limit: i64,
    offset: i64,
) -> Result<(Vec<OperatorRow>, i64), StoreError> {
    scope.require(Permission::ViewRegistries)?;
    let (lo, hi) = match &filter.region {
        Some(r) if scope.covers(r) => meijian_domain::region::Jurisdiction::new(
            meijian_domain::region::RegionCode::parse(r)
                .map_err(|e| StoreError::invalid("行政区划", e.to_string()))?,
        )
        .code_range(),
        Some(_) => return Err(StoreError::NotFound),
        None => {
            let (lo, hi) = scope.region_range();
            (lo.to_owned(), hi.to_owned())
        }
    };
    let mut conds = Query::default();
    conds
        .and("run_id =", run_id)
        .in_range("region_code", (&lo, &hi));
    if let Some(class) = &filter.class {
        conds.and("class =", if class == "out" { "" } else { class });
    }
    if filter.changed_only {
        conds.push(" and (previous_class is null or previous_class <> class)");
    }
    let total: i64 = Query::new("select count(*) from reconcile_operator where 1 = 1")
        .append(&conds)
        .fetch_scalar(store.pool())
        .await?;
    let rows: Vec<StoredOperator> = Query::new(
        "select operator_id, region_code, name, uscc, legal_rep, address, class, previous_class, \
         public_kind, scope_reason, unusable, members from reconcile_operator where 1 = 1",
    )
    .append(&conds)
    .push(" order by region_code, name, operator_id")
    .page(limit, offset)
    .fetch_all(store.pool())
    .await?;
    let rows = rows
        .into_iter()
        .map(|r| r.decode(run_id))
        .collect::<Result<_, _>>()?;
    Ok((rows, total))
}

/// One operator of a run, if it lies in the scope, with its records side by side.
#[tracing::instrument(skip_all)]
pub async fn operator(
    store: &Store,
    scope: &Scope,
    run_id: &str,
    operator_id: &str,
) -> Result<(OperatorRow, Vec<MemberRow>, Vec<CandidateRow>), StoreError> {
    scope.require(Permission::ViewRegistries)?;
    let (lo, hi) = scope.region_range();
    let op = sqlx::query_as::<_, StoredOperator>(
        "select operator_id, region_code, name, uscc, legal_rep, address, class, previous_class, \
         public_kind, scope_reason, \
         unusable, members from reconcile_operator \
         where run_id = $1 and operator_id = $2 and region_code between $3 and $4",
    )
    .bind(run_id)
    .bind(operator_id)
    .bind(lo)
    .bind(hi)
    .fetch_optional(store.pool())
    .await?
    .ok_or(StoreError::NotFound)?
    .decode(run_id)?;
    let members = sqlx::query_as::<_, StoredMember>(
        "select m.registry, m.record_key, m.record_id, m.region_code, m.confidence, m.evidence, \
         r.name, r.uscc, r.status, r.data_json \
         from reconcile_member m join registry_record r on r.id = m.record_id \
         where m.run_id = $1 and m.operator_id = $2 \
         order by m.registry, m.record_key",
    )
    .bind(run_id)
    .bind(operator_id)
    .fetch_all(store.pool())
    .await?
    .into_iter()
    .map(StoredMember::decode)
    .collect::<Result<Vec<_>, _>>()?;
    let candidates = sqlx::query_as::<_, CandidateRow>(
        "select seq, a_registry, a_key, a_operator, b_registry, b_key, b_operator, region_code, \
         confidence, evidence from reconcile_candidate \
         where run_id = $1 and (a_operator = $2 or b_operator = $2) order by confidence desc",
    )
    .bind(run_id)
    .bind(operator_id)
    .fetch_all(store.pool())
    .await?;
    Ok((op, members, candidates))
}

/// Pairs left for review in the scope, most likely first.
#[tracing::instrument(skip_all)]
pub async fn candidates(
    store: &Store,
    scope: &Scope,
    run_id: &str,
    limit: i64,
    offset: i64,
) -> Result<(Vec<CandidateRow>, i64), StoreError> {
    scope.require(Permission::ViewRegistries)?;
    let (lo, hi) = scope.region_range();
    let total: i64 = sqlx::query_scalar(
        "select count(*) from reconcile_candidate where run_id = $1 and region_code between $2 and $3",
    )
    .bind(run_id)
    .bind(lo)
    .bind(hi)
    .fetch_one(store.pool())
    .await?;
    let rows = sqlx::query_as::<_, CandidateRow>(&format!(
        "select seq, a_registry, a_key, a_operator, b_registry, b_key, b_operator, region_code, \
         confidence, evidence from reconcile_candidate \
         where run_id = $1 and region_code between $2 and $3 \
         order by confidence desc, seq limit {limit} offset {offset}"
    ))
    .bind(run_id)
    .bind(lo)
    .bind(hi)
    .fetch_all(store.pool())
    .await?;
    Ok((rows, total))
}

/// Records an officer's decision about two records; both must lie in the scope. Applied by
/// the next run and every run after.
#[tracing::instrument(skip_all)]
pub async fn decide(
    store: &Store,
    scope: &Scope,
    kind: DecisionKind,
    a: (&str, &str),
    b: (&str, &str),
    note: &str,
    now: OffsetDateTime,
) -> Result<DecisionRow, StoreError> {
    scope.require(Permission::Reconcile)?;
    if a == b {
        return Err(StoreError::invalid("记录", "不能对同一条记录作出决定"));
    }
    let mut regions = Vec::new();
    for (registry, key) in [a, b] {
        if record_ref(registry, key).is_none() {
            return Err(StoreError::invalid(
                "登记表",
                format!("“{registry}”不是比对登记表"),
            ));
        }
        let region: Option<String> = sqlx::query_scalar(
            "select region_code from registry_record where registry = $1 and record_key = $2",
        )
        .bind(registry)
        .bind(key)
        .fetch_optional(store.pool())
        .await?;
        match region {
            Some(r) if scope.covers(&r) => regions.push(r),
            _ => return Err(StoreError::NotFound),
        }
    }
    let note = note.trim();
    if note.chars().count() > 500 {
        return Err(StoreError::invalid("说明", "不能超过 500 字"));
    }
    let mut tx = store.begin().await?;
    let row = insert_decision(&mut tx, scope, kind, a, b, &regions[0], note, now).await?;
    tx.commit().await?;
    Ok(row)
}

/// Writes a decision and its audit entry in the caller's transaction (the operator merge and
/// split of the 主体库 use it too). The records are the caller's to have checked.
#[allow(clippy::too_many_arguments)]
#[tracing::instrument(skip_all)]
pub(crate) async fn insert_decision(
    tx: &mut crate::Tx,
    scope: &Scope,
    kind: DecisionKind,
    a: (&str, &str),
    b: (&str, &str),
    region_code: &str,
    note: &str,
    now: OffsetDateTime,
) -> Result<DecisionRow, StoreError> {
    let row = DecisionRow {
        id: new_id(),
        kind,
        a_registry: a.0.to_owned(),
        a_key: a.1.to_owned(),
        b_registry: b.0.to_owned(),
        b_key: b.1.to_owned(),
        region_code: region_code.to_owned(),
        note: note.to_owned(),
        actor_name: scope.actor.name.clone(),
        decided_at: now,
    };
    sqlx::query(
        "insert into reconcile_decision (id, kind, a_registry, a_key, b_registry, b_key, \
         region_code, note, actor_id, actor_name, decided_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(&row.id)
    .bind(row.kind.code())
    .bind(&row.a_registry)
    .bind(&row.a_key)
    .bind(&row.b_registry)
    .bind(&row.b_key)
    .bind(&row.region_code)
    .bind(&row.note)
    .bind(&scope.actor.account_id)
    .bind(&row.actor_name)
    .bind(timefmt::to_db(row.decided_at))
    .execute(&mut **tx)
    .await?;
    audit::record(
        tx,
        &scope.actor,
        now,
        Change {
            action: "reconcile.decide",
            entity: "reconcile_decision",
            entity_id: &row.id,
            region_code: Some(&row.region_code),
            before: None,
            after: Some(serde_json::json!({
                "kind": row.kind.code(),
                "a": [row.a_registry, row.a_key],
                "b": [row.b_registry, row.b_key],
                "note": row.note,
            })),
        },
    )
    .await?;
    Ok(row)
}

/// Withdraws a decision made in error (撤销): later runs no longer apply it. The decision must
/// be in force and in the scope.
#[tracing::instrument(skip_all)]
pub async fn revoke_decision(
    store: &Store,
    scope: &Scope,
    id: &str,
    now: OffsetDateTime,
) -> Result<(), StoreError> {
    scope.require(Permission::Reconcile)?;
    let (lo, hi) = scope.region_range();
    let decision = sqlx::query_as::<_, StoredDecision>(&format!(
        "select {DECISION_COLUMNS} from reconcile_decision \
         where id = $1 and revoked_at is null and region_code between $2 and $3"
    ))
    .bind(id)
    .bind(lo)
    .bind(hi)
    .fetch_optional(store.pool())
    .await?
    .ok_or(StoreError::NotFound)
    .and_then(DecisionRow::try_from)?;
    let mut tx = store.begin().await?;
    sqlx::query(
        "update reconcile_decision set revoked_at = $1 where id = $2 and revoked_at is null",
    )
    .bind(timefmt::to_db(now))
    .bind(id)
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        &scope.actor,
        now,
        Change {
            action: "reconcile.revoke",
            entity: "reconcile_decision",
            entity_id: id,
            region_code: Some(&decision.region_code),
            before: Some(serde_json::json!({
                "kind": decision.kind.code(),
                "a": [decision.a_registry, decision.a_key],
                "b": [decision.b_registry, decision.b_key],
            })),
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The decisions in force in the scope, newest first.
#[tracing::instrument(skip_all)]
pub async fn decisions(store: &Store, scope: &Scope) -> Result<Vec<DecisionRow>, StoreError> {
    scope.require(Permission::ViewRegistries)?;
    let (lo, hi) = scope.region_range();
    decode_decisions(
        sqlx::query_as::<_, StoredDecision>(&format!(
            "select {DECISION_COLUMNS} from reconcile_decision \
             where revoked_at is null and region_code between $1 and $2 \
             order by decided_at desc, id"
        ))
        .bind(lo)
        .bind(hi)
        .fetch_all(store.pool())
        .await?,
    )
}

/// One row of DATA.md's `result.csv` for a stored run.
#[derive(Debug, Clone, Serialize)]
pub struct ResultRow {
    pub registry: String,
    pub record_key: String,
    pub operator_id: String,
    #[serde(serialize_with = "serialize_class")]
    pub class: Option<Class>,
    pub confidence: i64,
    pub evidence: String,
    pub public_kind: Option<String>,
    pub unusable: i64,
}

impl ResultRow {
    /// The fields in the order of `meijian_linkage::result::HEADER`.
    pub fn fields(&self) -> [String; 7] {
        let class = self.class.map_or("", Class::label_zh);
        [
            self.registry.clone(),
            self.record_key.clone(),
            self.operator_id.clone(),
            class.to_owned(),
            format!("{:.3}", self.confidence as f64 / 1000.0),
            self.evidence.clone(),
            meijian_linkage::result::note_zh(self.unusable != 0, self.public_kind.as_deref()),
        ]
    }
}

/// Every record of a run in the scope, as `result.csv` rows.
#[tracing::instrument(skip_all)]
pub async fn result_rows(
    store: &Store,
    scope: &Scope,
    run_id: &str,
) -> Result<Vec<ResultRow>, StoreError> {
    scope.require(Permission::ViewRegistries)?;
    let (lo, hi) = scope.region_range();
    type Stored = (
        String,
        String,
        String,
        String,
        i64,
        String,
        Option<String>,
        i64,
    );
    let rows: Vec<Stored> = sqlx::query_as(
        "select m.registry, m.record_key, m.operator_id, o.class, m.confidence, m.evidence, \
         o.public_kind, o.unusable from reconcile_member m \
         join reconcile_operator o on o.run_id = m.run_id and o.operator_id = m.operator_id \
         where m.run_id = $1 and m.region_code between $2 and $3 \
         order by m.registry, m.record_key",
    )
    .bind(run_id)
    .bind(lo)
    .bind(hi)
    .fetch_all(store.pool())
    .await?;
    let at = At::new("reconcile_operator", run_id);
    rows.into_iter()
        .map(
            |(registry, record_key, operator_id, class, confidence, evidence, public_kind, u)| {
                Ok(ResultRow {
                    class: decode_class(at, "class", &class)?,
                    registry,
                    record_key,
                    operator_id,
                    confidence,
                    evidence,
                    public_kind,
                    unusable: u,
                })
            },
        )
        .collect()
}
