//! 行刑衔接 on a case (`DOMAIN.md` §11): the transfer of a suspected crime to the police, the
//! police's requests (检验、鉴定 …) and 双向咨询. Each step is checked against the domain's table
//! (`meijian_domain::case::transfer`); proposing also passes the case's own gate
//! (`CaseStep::Police`), which refuses a second open transfer. Every write moves the case's
//! version, writes a case event and an audit entry in one transaction.

use meijian_domain::case::transfer::{
    self as table, Direction, Outcome, PackageDoc, PoliceTaskKind, TransferFacts, TransferState,
    TransferStep, TransferTaker,
};
use meijian_domain::case::workflow::Taker;
use meijian_domain::case::{CaseAction, CaseRules, CaseStep};
use meijian_domain::department::DepartmentKind;
use meijian_domain::lead::rules::TimeLimits;
use meijian_domain::role::Permission;
use meijian_domain::workdays::Calendar;
use serde::Serialize;
use time::{Date, OffsetDateTime};

use super::open::text;
use super::workflow::{bump, event, permitted, taker};
use super::{get, Case};
use crate::leads::deadlines;
use crate::leads::routing::{departments_along, nearest};
use crate::stored::At;
use crate::{audit, new_id, timefmt, Scope, Store, StoreError, Tx};

/// `(…)`: the codes of the open states, for `state in …`.
fn open_states() -> String {
    let codes: Vec<String> = TransferState::ALL
        .iter()
        .filter(|s| s.is_open())
        .map(|s| format!("'{}'", s.code()))
        .collect();
    format!("({})", codes.join(", "))
}

/// A transfer of a case to the police.
#[derive(Clone, Debug, Serialize)]
pub struct Transfer {
    pub id: String,
    pub case_id: String,
    pub police_department_id: String,
    pub procuratorate_department_id: Option<String>,
    /// 证据可能灭失.
    pub urgent: bool,
    pub reason: String,
    pub state: TransferState,
    #[serde(with = "timefmt::as_stored")]
    pub proposed_at: OffsetDateTime,
    pub proposed_by: String,
    /// The leader decides by then (3 days).
    #[serde(with = "timefmt::as_stored")]
    pub decide_due: OffsetDateTime,
    #[serde(with = "timefmt::as_stored::option")]
    pub decided_at: Option<OffsetDateTime>,
    pub decided_by: Option<String>,
    pub decide_note: Option<String>,
    /// Sent by then once approved (24 hours).
    #[serde(with = "timefmt::as_stored::option")]
    pub send_due: Option<OffsetDateTime>,
    #[serde(with = "timefmt::as_stored::option")]
    pub sent_at: Option<OffsetDateTime>,
    pub package: Vec<PackageDoc>,
    #[serde(with = "timefmt::as_stored::option")]
    pub receipt_at: Option<OffsetDateTime>,
    /// The police decide on 立案 by then (3 days from receipt).
    #[serde(with = "timefmt::as_stored::option")]
    pub police_due: Option<OffsetDateTime>,
    /// [`TransferState::Filed`] or [`TransferState::Refused`].
    pub police_decision: Option<TransferState>,
    #[serde(with = "timefmt::as_stored::option")]
    pub police_decided_at: Option<OffsetDateTime>,
    pub police_note: Option<String>,
    /// 抄送检察院.
    #[serde(with = "timefmt::as_stored::option")]
    pub copied_at: Option<OffsetDateTime>,
    pub outcome: Option<Outcome>,
    #[serde(with = "timefmt::as_day::option")]
    pub outcome_on: Option<Date>,
    pub outcome_note: Option<String>,
    /// 复议 or 立案监督 may be asked until then (after a refusal).
    #[serde(with = "timefmt::as_stored::option")]
    pub challenge_due: Option<OffsetDateTime>,
    #[serde(with = "timefmt::as_stored::option")]
    pub reconsidered_at: Option<OffsetDateTime>,
    #[serde(with = "timefmt::as_stored::option")]
    pub supervised_at: Option<OffsetDateTime>,
    pub challenge_note: Option<String>,
    /// 移交涉案物品 by then (after 立案).
    #[serde(with = "timefmt::as_stored::option")]
    pub handover_due: Option<OffsetDateTime>,
    #[serde(with = "timefmt::as_stored::option")]
    pub handed_over_at: Option<OffsetDateTime>,
    pub handover_note: Option<String>,
}

impl Transfer {
    /// The limit the transfer now waits on, if it has passed.
    pub fn overdue(&self, now: OffsetDateTime) -> bool {
        let due = match self.state {
            TransferState::Proposed => Some(self.decide_due),
            TransferState::Approved => self.send_due,
            TransferState::Received | TransferState::Reconsidering => self.police_due,
            TransferState::Filed if self.handed_over_at.is_none() => self.handover_due,
            _ => None,
        };
        due.is_some_and(|d| d < now)
    }

    /// What the table reads of the transfer at `now`.
    pub fn facts(&self, now: OffsetDateTime) -> TransferFacts {
        TransferFacts {
            reconsidered: self.reconsidered_at.is_some(),
            supervised: self.supervised_at.is_some(),
            challenge_late: self.challenge_due.is_some_and(|d| d < now),
        }
    }
}

#[derive(sqlx::FromRow)]
struct TransferRow {
    id: String,
    case_id: String,
    police_department_id: String,
    procuratorate_department_id: Option<String>,
    urgent: i64,
    reason: String,
    state: String,
    proposed_at: String,
    proposed_by: String,
    decide_due: String,
    decided_at: Option<String>,
    decided_by: Option<String>,
    decide_note: Option<String>,
    send_due: Option<String>,
    sent_at: Option<String>,
    package: Option<String>,
    receipt_at: Option<String>,
    police_due: Option<String>,
    police_decision: Option<String>,
    police_decided_at: Option<String>,
    police_note: Option<String>,
    copied_at: Option<String>,
    outcome: Option<String>,
    outcome_on: Option<String>,
    outcome_note: Option<String>,
    challenge_due: Option<String>,
    reconsidered_at: Option<String>,
    supervised_at: Option<String>,
    challenge_note: Option<String>,
    handover_due: Option<String>,
    handed_over_at: Option<String>,
    handover_note: Option<String>,
}

const COLUMNS: &str = "id, case_id, police_department_id, procuratorate_department_id, urgent, \
    reason, state, proposed_at, proposed_by, decide_due, decided_at, decided_by, decide_note, \
    send_due, sent_at, package, receipt_at, police_due, police_decision, police_decided_at, \
    police_note, copied_at, outcome, outcome_on, outcome_note, challenge_due, reconsidered_at, \
    supervised_at, challenge_note, handover_due, handed_over_at, handover_note";

impl TransferRow {
    fn decode(self) -> Result<Transfer, StoreError> {
        let at = At::new("case_transfer", &self.id);
        let package = self
            .package
            .as_deref()
            .unwrap_or("")
            .split(',')
            .filter(|c| !c.is_empty())
            .map(|c| at.code("package", c, PackageDoc::from_code))
            .collect::<Result<_, _>>()?;
        Ok(Transfer {
            state: at.code("state", &self.state, TransferState::from_code)?,
            proposed_at: at.time("proposed_at", &self.proposed_at)?,
            decide_due: at.time("decide_due", &self.decide_due)?,
            decided_at: at.time_opt("decided_at", self.decided_at.as_deref())?,
            send_due: at.time_opt("send_due", self.send_due.as_deref())?,
            sent_at: at.time_opt("sent_at", self.sent_at.as_deref())?,
            receipt_at: at.time_opt("receipt_at", self.receipt_at.as_deref())?,
            police_due: at.time_opt("police_due", self.police_due.as_deref())?,
            police_decision: at.code_opt(
                "police_decision",
                self.police_decision.as_deref(),
                TransferState::from_code,
            )?,
            police_decided_at: at
                .time_opt("police_decided_at", self.police_decided_at.as_deref())?,
            copied_at: at.time_opt("copied_at", self.copied_at.as_deref())?,
            outcome: at.code_opt("outcome", self.outcome.as_deref(), Outcome::from_code)?,
            outcome_on: at.date_opt("outcome_on", self.outcome_on.as_deref())?,
            challenge_due: at.time_opt("challenge_due", self.challenge_due.as_deref())?,
            reconsidered_at: at.time_opt("reconsidered_at", self.reconsidered_at.as_deref())?,
            supervised_at: at.time_opt("supervised_at", self.supervised_at.as_deref())?,
            handover_due: at.time_opt("handover_due", self.handover_due.as_deref())?,
            handed_over_at: at.time_opt("handed_over_at", self.handed_over_at.as_deref())?,
            challenge_note: self.challenge_note,
            handover_note: self.handover_note,
            package,
            urgent: self.urgent != 0,
            id: self.id,
            case_id: self.case_id,
            police_department_id: self.police_department_id,
            procuratorate_department_id: self.procuratorate_department_id,
            reason: self.reason,
            proposed_by: self.proposed_by,
            decided_by: self.decided_by,
            decide_note: self.decide_note,
            police_note: self.police_note,
            outcome_note: self.outcome_note,
        })
    }
}

/// A request of the police to the agency (检验、鉴定、认定, 涉案物品保管、销毁).
#[derive(Clone, Debug, Serialize)]
pub struct PoliceTask {
    pub id: String,
    pub transfer_id: String,
    pub kind: PoliceTaskKind,
    pub detail: String,
    #[serde(with = "timefmt::as_stored")]
    pub requested_at: OffsetDateTime,
    #[serde(with = "timefmt::as_stored")]
    pub due: OffsetDateTime,
    #[serde(with = "timefmt::as_stored::option")]
    pub done_at: Option<OffsetDateTime>,
    pub done_note: Option<String>,
}

impl PoliceTask {
    pub fn overdue(&self, now: OffsetDateTime) -> bool {
        self.done_at.is_none() && self.due < now
    }
}

type TaskTuple = (
    String,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
);

fn decode_task(t: TaskTuple) -> Result<PoliceTask, StoreError> {
    let (id, transfer_id, kind, detail, requested_at, due, done_at, done_note) = t;
    let at = At::new("case_police_task", &id);
    Ok(PoliceTask {
        kind: at.code("kind", &kind, PoliceTaskKind::from_code)?,
        requested_at: at.time("requested_at", &requested_at)?,
        due: at.time("due", &due)?,
        done_at: at.time_opt("done_at", done_at.as_deref())?,
        id,
        transfer_id,
        detail,
        done_note,
    })
}

/// One 双向咨询.
#[derive(Clone, Debug, Serialize)]
pub struct Consultation {
    pub id: String,
    pub case_id: String,
    pub direction: Direction,
    pub question: String,
    #[serde(with = "timefmt::as_stored")]
    pub asked_at: OffsetDateTime,
    pub asked_by: String,
    pub answer: Option<String>,
    #[serde(with = "timefmt::as_stored::option")]
    pub answered_at: Option<OffsetDateTime>,
    pub answered_by: Option<String>,
    #[serde(with = "timefmt::as_stored")]
    pub due: OffsetDateTime,
}

impl Consultation {
    pub fn overdue(&self, now: OffsetDateTime) -> bool {
        self.answered_at.is_none() && self.due < now
    }
}

#[derive(sqlx::FromRow)]
struct ConsultationRow {
    id: String,
    case_id: String,
    direction: String,
    question: String,
    asked_at: String,
    asked_by: String,
    answer: Option<String>,
    answered_at: Option<String>,
    answered_by: Option<String>,
    due: String,
}

impl ConsultationRow {
    fn decode(self) -> Result<Consultation, StoreError> {
        let at = At::new("case_consultation", &self.id);
        Ok(Consultation {
            direction: at.code("direction", &self.direction, Direction::from_code)?,
            asked_at: at.time("asked_at", &self.asked_at)?,
            answered_at: at.time_opt("answered_at", self.answered_at.as_deref())?,
            due: at.time("due", &self.due)?,
            id: self.id,
            case_id: self.case_id,
            question: self.question,
            asked_by: self.asked_by,
            answer: self.answer,
            answered_by: self.answered_by,
        })
    }
}

/// Whether case `case_id` has a transfer proposed or waiting for the police (the case table's
/// `Cond::NoOpenPoliceTransfer`).
pub(crate) async fn has_open(store: &Store, case_id: &str) -> Result<bool, StoreError> {
    let n: i64 = sqlx::query_scalar(&format!(
        "select count(*) from case_transfer where case_id = $1 and state in {}",
        open_states()
    ))
    .bind(case_id)
    .fetch_one(store.pool())
    .await?;
    Ok(n > 0)
}

async fn load(store: &Store, id: &str) -> Result<Transfer, StoreError> {
    sqlx::query_as::<_, TransferRow>(&format!(
        "select {COLUMNS} from case_transfer where id = $1"
    ))
    .bind(id)
    .fetch_optional(store.pool())
    .await?
    .ok_or(StoreError::NotFound)?
    .decode()
}

fn refused(
    step: TransferStep,
    state: Option<TransferState>,
    r: table::TransferRefusal,
) -> StoreError {
    match r {
        table::TransferRefusal::Forbidden => StoreError::Forbidden,
        table::TransferRefusal::NotFound => StoreError::NotFound,
        _ => StoreError::invalid("行刑衔接", table::refusal_zh(step, state, r)),
    }
}

/// The caller as the transfer table sees them: the police of transfer `t` act on it too.
async fn transfer_taker(
    store: &Store,
    scope: &Scope,
    case: &Case,
    t: &Transfer,
) -> Result<TransferTaker, StoreError> {
    Ok(TransferTaker {
        case: taker(store, scope, case).await?,
        police: scope.department_id.as_deref() == Some(t.police_department_id.as_str()),
    })
}

/// The transfer, its case and the table's row, if the scope may take `step` on it now.
async fn transfer_permitted(
    store: &Store,
    scope: &Scope,
    now: OffsetDateTime,
    id: &str,
    step: TransferStep,
) -> Result<(Case, Transfer, &'static table::TransferRow), StoreError> {
    let t = load(store, id).await?;
    let case = get(store, scope, &t.case_id).await?;
    let who = transfer_taker(store, scope, &case, &t).await?;
    let row = table::check(Some(t.state), t.facts(now), &who, step)
        .map_err(|r| refused(step, Some(t.state), r))?;
    Ok((case, t, row))
}

/// Moves the transfer from the state it was read in; another user's change meanwhile is refused.
async fn moved(
    tx: &mut Tx,
    t: &Transfer,
    to: TransferState,
    set: &str,
    binds: &[Option<String>],
) -> Result<(), StoreError> {
    let n = binds.len();
    let sql = format!(
        "update case_transfer set state = ${}{set} where id = ${} and state = ${}",
        n + 1,
        n + 2,
        n + 3
    );
    let mut q = sqlx::query(&sql);
    for b in binds {
        q = q.bind(b.clone());
    }
    let done = q
        .bind(to.code())
        .bind(&t.id)
        .bind(t.state.code())
        .execute(&mut **tx)
        .await?
        .rows_affected();
    if done == 0 {
        return Err(changed());
    }
    Ok(())
}

fn changed() -> StoreError {
    StoreError::Conflict {
        field: "行刑衔接",
        message: "移送记录已被他人修改，请刷新页面查看最新内容后再操作".into(),
    }
}

/// [`record`] of a step that moves transfer `t` on from the state it was read in.
#[allow(clippy::too_many_arguments)]
async fn record_step(
    tx: &mut Tx,
    scope: &Scope,
    now: OffsetDateTime,
    case: &Case,
    t: &Transfer,
    action: CaseAction,
    note: &str,
    after: serde_json::Value,
) -> Result<(), StoreError> {
    let before = serde_json::json!({"state": t.state.code()});
    record(
        tx,
        scope,
        now,
        case,
        action,
        note,
        "case_transfer",
        &t.id,
        Some(before),
        after,
    )
    .await
}

/// The case event, the case's version and the audit entry of one step.
#[allow(clippy::too_many_arguments)]
async fn record(
    tx: &mut Tx,
    scope: &Scope,
    now: OffsetDateTime,
    case: &Case,
    action: CaseAction,
    note: &str,
    entity: &str,
    entity_id: &str,
    before: Option<serde_json::Value>,
    after: serde_json::Value,
) -> Result<(), StoreError> {
    bump(tx, case, now, None).await?;
    event(tx, &case.id, now, action, scope, Some(note)).await?;
    audit::record(
        tx,
        &scope.actor,
        now,
        audit::Change {
            action: &format!("case.transfer.{}", action.code()),
            entity,
            entity_id,
            region_code: Some(&case.region_code),
            before,
            after: Some(after),
        },
    )
    .await?;
    Ok(())
}

/// 提请移送: the handling department proposes to transfer case `case_id` (seen at `version`) to
/// the police nearest its district, copying the procuratorate. The leader's decision is due
/// within `crime_decide`. Returns the transfer's id.
#[allow(clippy::too_many_arguments)]
#[tracing::instrument(skip_all)]
pub async fn propose(
    store: &Store,
    scope: &Scope,
    cal: &Calendar,
    limits: &TimeLimits,
    now: OffsetDateTime,
    case_id: &str,
    version: i64,
    urgent: bool,
    reason: &str,
) -> Result<String, StoreError> {
    let (case, _) = permitted(store, scope, now, case_id, version, CaseStep::Police).await?;
    let reason = text("移送理由", reason, 4, 2000)?;
    let (chain, found) = departments_along(store, &case.region_code).await?;
    let (police, police_name) = nearest(&chain, &found, &[DepartmentKind::Police])
        .ok_or_else(|| StoreError::invalid("公安机关", "当地没有公安部门账号，无法移送"))?;
    let procuratorate = nearest(&chain, &found, &[DepartmentKind::Procuratorate]).map(|(id, _)| id);
    let id = new_id();
    let decide_due = deadlines::due_db(cal, now, limits.crime_decide);
    let mut tx = store.begin().await?;
    // The case's gate read no open transfer; the count inside the transaction closes the race
    // of two officers proposing at once as far as each backend's isolation allows.
    let open: i64 = sqlx::query_scalar(&format!(
        "select count(*) from case_transfer where case_id = $1 and state in {}",
        open_states()
    ))
    .bind(&case.id)
    .fetch_one(&mut *tx)
    .await?;
    if open > 0 {
        return Err(StoreError::invalid(
            "行刑衔接",
            table::refusal_zh(
                TransferStep::Propose,
                None,
                table::TransferRefusal::OpenTransfer,
            ),
        ));
    }
    sqlx::query(
        "insert into case_transfer (id, case_id, police_department_id, \
         procuratorate_department_id, urgent, reason, state, proposed_at, proposed_by, decide_due) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(&id)
    .bind(&case.id)
    .bind(&police)
    .bind(procuratorate.as_deref())
    .bind(i64::from(urgent))
    .bind(reason)
    .bind(TransferState::Proposed.code())
    .bind(timefmt::to_db(now))
    .bind(&scope.actor.name)
    .bind(&decide_due)
    .execute(&mut *tx)
    .await?;
    let note = format!(
        "提请移送{police_name}{}：{reason}",
        if urgent {
            "（证据可能灭失，紧急）"
        } else {
            ""
        }
    );
    record(
        &mut tx,
        scope,
        now,
        &case,
        CaseAction::TransferProposed,
        &note,
        "case_transfer",
        &id,
        None,
        serde_json::json!({"case_id": case.id, "state": "proposed", "police": police,
            "procuratorate": procuratorate, "urgent": urgent, "decide_due": decide_due}),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// A leader of the jurisdiction (正职负责人) approves the transfer — it must then be sent within
/// `crime_transfer` — or refuses it with a reason (不予移送).
#[allow(clippy::too_many_arguments)]
#[tracing::instrument(skip_all)]
pub async fn decide(
    store: &Store,
    scope: &Scope,
    cal: &Calendar,
    limits: &TimeLimits,
    now: OffsetDateTime,
    transfer_id: &str,
    approve: bool,
    note: &str,
) -> Result<(), StoreError> {
    let step = if approve {
        TransferStep::Approve
    } else {
        TransferStep::Refuse
    };
    let (case, t, row) = transfer_permitted(store, scope, now, transfer_id, step).await?;
    let note = text("审批意见", note, if approve { 0 } else { 2 }, 1000)?;
    let to = row.to.unwrap_or(t.state);
    let send_due = approve.then(|| deadlines::due_db(cal, now, limits.crime_transfer));
    let mut tx = store.begin().await?;
    moved(
        &mut tx,
        &t,
        to,
        ", decided_at = $1, decided_by = $2, decide_note = $3, send_due = $4",
        &[
            Some(timefmt::to_db(now)),
            Some(scope.actor.name.clone()),
            Some(note.to_string()).filter(|n| !n.is_empty()),
            send_due.clone(),
        ],
    )
    .await?;
    let (action, said) = if approve {
        (
            CaseAction::TransferApproved,
            format!(
                "批准移送公安机关{}",
                if note.is_empty() {
                    String::new()
                } else {
                    format!("：{note}")
                }
            ),
        )
    } else {
        (CaseAction::TransferRefused, format!("不批准移送：{note}"))
    };
    record_step(
        &mut tx,
        scope,
        now,
        &case,
        &t,
        action,
        &said,
        serde_json::json!({"state": to.code(), "send_due": send_due}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// 移送: the documents go to the police; 移送书 and 调查报告 are required. The procuratorate,
/// when the district has one, is copied at the same time (`copied_at`).
#[tracing::instrument(skip_all)]
pub async fn send(
    store: &Store,
    scope: &Scope,
    now: OffsetDateTime,
    transfer_id: &str,
    package: &[PackageDoc],
) -> Result<(), StoreError> {
    let (case, t, row) =
        transfer_permitted(store, scope, now, transfer_id, TransferStep::Send).await?;
    let missing: Vec<&str> = PackageDoc::REQUIRED
        .iter()
        .filter(|d| !package.contains(d))
        .map(|d| d.label_zh())
        .collect();
    if !missing.is_empty() {
        return Err(StoreError::invalid(
            "移送材料",
            format!("缺少{}", missing.join("、")),
        ));
    }
    let docs: Vec<PackageDoc> = PackageDoc::ALL
        .iter()
        .copied()
        .filter(|d| package.contains(d))
        .collect();
    let codes = docs.iter().map(|d| d.code()).collect::<Vec<_>>().join(",");
    let to = row.to.unwrap_or(t.state);
    let copied = t
        .procuratorate_department_id
        .as_ref()
        .map(|_| timefmt::to_db(now));
    let mut tx = store.begin().await?;
    moved(
        &mut tx,
        &t,
        to,
        ", sent_at = $1, package = $2, copied_at = $3",
        &[
            Some(timefmt::to_db(now)),
            Some(codes.clone()),
            copied.clone(),
        ],
    )
    .await?;
    // The police and the procuratorate see the case from now on, through the grant of 联合办案.
    let receivers: Vec<&String> = std::iter::once(&t.police_department_id)
        .chain(&t.procuratorate_department_id)
        .collect();
    for dept in &receivers {
        super::share::grant_in(&mut tx, scope, now, &case.id, dept, "涉嫌犯罪移送").await?;
    }
    let labels = docs
        .iter()
        .map(|d| d.label_zh())
        .collect::<Vec<_>>()
        .join("、");
    let said = format!(
        "移送公安机关{}：{labels}",
        if copied.is_some() {
            "，抄送人民检察院"
        } else {
            ""
        }
    );
    record_step(
        &mut tx,
        scope,
        now,
        &case,
        &t,
        CaseAction::TransferSent,
        &said,
        serde_json::json!({"state": to.code(), "package": codes, "copied_at": copied,
            "granted": receivers}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// 回执: the police received the transfer at `at`; their decision on 立案 is due within
/// `police_decide` of it.
#[allow(clippy::too_many_arguments)]
#[tracing::instrument(skip_all)]
pub async fn receipt(
    store: &Store,
    scope: &Scope,
    cal: &Calendar,
    limits: &TimeLimits,
    now: OffsetDateTime,
    transfer_id: &str,
    at: OffsetDateTime,
) -> Result<(), StoreError> {
    let (case, t, row) =
        transfer_permitted(store, scope, now, transfer_id, TransferStep::Receipt).await?;
    if at > now {
        return Err(StoreError::invalid("回执时间", "不能晚于现在"));
    }
    if t.sent_at.is_some_and(|s| at < s) {
        return Err(StoreError::invalid("回执时间", "不能早于移送时间"));
    }
    let to = row.to.unwrap_or(t.state);
    let police_due = deadlines::due_db(cal, at, limits.police_decide);
    let mut tx = store.begin().await?;
    moved(
        &mut tx,
        &t,
        to,
        ", receipt_at = $1, police_due = $2",
        &[Some(timefmt::to_db(at)), Some(police_due.clone())],
    )
    .await?;
    record_step(
        &mut tx,
        scope,
        now,
        &case,
        &t,
        CaseAction::TransferReceived,
        "公安机关已接收移送（回执）",
        serde_json::json!({"state": to.code(), "receipt_at": timefmt::to_db(at),
            "police_due": police_due}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The police's decision: 立案 (`filed`), or 不予立案 with their written reasons.
#[tracing::instrument(skip_all)]
#[allow(clippy::too_many_arguments)]
pub async fn police_decision(
    store: &Store,
    scope: &Scope,
    cal: &Calendar,
    rules: &CaseRules,
    now: OffsetDateTime,
    transfer_id: &str,
    filed: bool,
    note: &str,
) -> Result<(), StoreError> {
    let (case, t, _) =
        transfer_permitted(store, scope, now, transfer_id, TransferStep::PoliceDecision).await?;
    let note = if filed {
        text("公安机关决定", note, 0, 2000)?
    } else {
        text("不予立案理由", note, 2, 2000)?
    };
    let to = if filed {
        TransferState::Filed
    } else {
        TransferState::Refused
    };
    // After 立案 the seized items are handed over within `handover`; after a refusal the agency
    // may challenge it within `challenge`.
    let (handover_due, challenge_due) = if filed {
        (Some(deadlines::due_db(cal, now, rules.handover)), None)
    } else {
        (None, Some(deadlines::due_db(cal, now, rules.challenge)))
    };
    let mut tx = store.begin().await?;
    moved(
        &mut tx,
        &t,
        to,
        ", police_decision = $1, police_decided_at = $2, police_note = $3, handover_due = $4, \
         challenge_due = $5",
        &[
            Some(to.code().to_string()),
            Some(timefmt::to_db(now)),
            Some(note.to_string()).filter(|n| !n.is_empty()),
            handover_due.clone(),
            challenge_due.clone(),
        ],
    )
    .await?;
    let after = match t.state {
        TransferState::Reconsidering => "复议后",
        TransferState::Supervising => "立案监督后",
        _ => "",
    };
    let (action, said) = if filed {
        (
            CaseAction::PoliceFiled,
            format!("公安机关{after}决定立案{}", tail(note)),
        )
    } else {
        (
            CaseAction::PoliceRefused,
            format!("公安机关{after}不予立案：{note}"),
        )
    };
    record_step(
        &mut tx,
        scope,
        now,
        &case,
        &t,
        action,
        &said,
        serde_json::json!({"state": to.code(), "handover_due": handover_due,
            "challenge_due": challenge_due}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// 复议 (`supervise` false) or 立案监督 (`supervise` true) of the police's refusal, with the
/// agency's reasons. The police decide on a reconsideration within `reconsider_decide`; under
/// 立案监督 the procuratorate sets no limit of ours.
#[allow(clippy::too_many_arguments)]
#[tracing::instrument(skip_all)]
pub async fn challenge(
    store: &Store,
    scope: &Scope,
    cal: &Calendar,
    rules: &CaseRules,
    now: OffsetDateTime,
    transfer_id: &str,
    supervise: bool,
    reason: &str,
) -> Result<(), StoreError> {
    let step = if supervise {
        TransferStep::Supervise
    } else {
        TransferStep::Reconsider
    };
    let (case, t, row) = transfer_permitted(store, scope, now, transfer_id, step).await?;
    let reason = text(
        if supervise {
            "立案监督理由"
        } else {
            "复议理由"
        },
        reason,
        4,
        2000,
    )?;
    let to = row.to.unwrap_or(t.state);
    let police_due = (!supervise).then(|| deadlines::due_db(cal, now, rules.reconsider_decide));
    let column = if supervise {
        "supervised_at"
    } else {
        "reconsidered_at"
    };
    let mut tx = store.begin().await?;
    moved(
        &mut tx,
        &t,
        to,
        &format!(", {column} = $1, challenge_note = $2, police_due = $3"),
        &[
            Some(timefmt::to_db(now)),
            Some(reason.to_string()),
            police_due.clone(),
        ],
    )
    .await?;
    let (action, said) = if supervise {
        (
            CaseAction::TransferSupervise,
            format!("提请人民检察院立案监督：{reason}"),
        )
    } else {
        (
            CaseAction::TransferReconsider,
            format!("提请公安机关复议：{reason}"),
        )
    };
    record_step(
        &mut tx,
        scope,
        now,
        &case,
        &t,
        action,
        &said,
        serde_json::json!({"state": to.code(), "police_due": police_due}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// 移交涉案物品: the agency handed the seized items and materials over to the police after
/// their 立案, with what was handed over.
#[tracing::instrument(skip_all)]
pub async fn handover(
    store: &Store,
    scope: &Scope,
    now: OffsetDateTime,
    transfer_id: &str,
    note: &str,
) -> Result<(), StoreError> {
    let (case, t, _) =
        transfer_permitted(store, scope, now, transfer_id, TransferStep::Handover).await?;
    if t.handed_over_at.is_some() {
        return Err(StoreError::invalid("移交涉案物品", "已登记移交"));
    }
    let note = text("移交清单", note, 2, 2000)?;
    let mut tx = store.begin().await?;
    moved(
        &mut tx,
        &t,
        t.state,
        ", handed_over_at = $1, handover_note = $2",
        &[Some(timefmt::to_db(now)), Some(note.to_string())],
    )
    .await?;
    record(
        &mut tx,
        scope,
        now,
        &case,
        CaseAction::TransferHandover,
        &format!("已向公安机关移交涉案物品：{note}"),
        "case_transfer",
        &t.id,
        None,
        serde_json::json!({"handed_over_at": timefmt::to_db(now)}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

fn tail(note: &str) -> String {
    if note.is_empty() {
        String::new()
    } else {
        format!("：{note}")
    }
}

/// A request of the police on a received (or filed) transfer. Due on `due` when the request
/// names a day, else within the `police_request` limit. Returns the task's id.
#[allow(clippy::too_many_arguments)]
#[tracing::instrument(skip_all)]
pub async fn add_task(
    store: &Store,
    scope: &Scope,
    cal: &Calendar,
    rules: &CaseRules,
    now: OffsetDateTime,
    transfer_id: &str,
    kind: PoliceTaskKind,
    detail: &str,
    due: Option<Date>,
) -> Result<String, StoreError> {
    let (case, t, _) =
        transfer_permitted(store, scope, now, transfer_id, TransferStep::Task).await?;
    let detail = text("请求内容", detail, 2, 2000)?;
    let due = match due {
        Some(d) if d < deadlines::china_date(now) => {
            return Err(StoreError::invalid("办理期限", "不能早于今天"));
        }
        Some(d) => timefmt::to_db(deadlines::end_of_day(d)),
        None => deadlines::due_db(cal, now, rules.police_request),
    };
    let id = new_id();
    let mut tx = store.begin().await?;
    sqlx::query(
        "insert into case_police_task (id, transfer_id, kind, detail, requested_at, due) \
         values ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&id)
    .bind(&t.id)
    .bind(kind.code())
    .bind(detail)
    .bind(timefmt::to_db(now))
    .bind(&due)
    .execute(&mut *tx)
    .await?;
    record(
        &mut tx,
        scope,
        now,
        &case,
        CaseAction::PoliceTaskAdded,
        &format!("公安机关请求{}：{detail}", kind.label_zh()),
        "case_police_task",
        &id,
        None,
        serde_json::json!({"transfer_id": t.id, "kind": kind.code(), "due": due}),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Marks a police request done, with how.
#[tracing::instrument(skip_all)]
pub async fn finish_task(
    store: &Store,
    scope: &Scope,
    now: OffsetDateTime,
    task_id: &str,
    note: &str,
) -> Result<(), StoreError> {
    let task: TaskTuple = sqlx::query_as(
        "select id, transfer_id, kind, detail, requested_at, due, done_at, done_note \
         from case_police_task where id = $1",
    )
    .bind(task_id)
    .fetch_optional(store.pool())
    .await?
    .ok_or(StoreError::NotFound)?;
    let task = decode_task(task)?;
    let t = load(store, &task.transfer_id).await?;
    let case = get(store, scope, &t.case_id).await?;
    let who = taker(store, scope, &case).await?;
    if !scope.can(Permission::HandleLeads) || !who.handler {
        return Err(StoreError::Forbidden);
    }
    if task.done_at.is_some() {
        return Err(StoreError::invalid("协助请求", "该请求已办理完毕"));
    }
    let note = text("办理情况", note, 2, 2000)?;
    let mut tx = store.begin().await?;
    let n = sqlx::query(
        "update case_police_task set done_at = $1, done_note = $2 where id = $3 \
         and done_at is null",
    )
    .bind(timefmt::to_db(now))
    .bind(note)
    .bind(&task.id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(changed());
    }
    record(
        &mut tx,
        scope,
        now,
        &case,
        CaseAction::PoliceTaskDone,
        &format!("已办理公安机关{}请求：{note}", task.kind.label_zh()),
        "case_police_task",
        &task.id,
        None,
        serde_json::json!({"done_at": timefmt::to_db(now)}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// 刑事处理结果 of a transfer the police filed.
#[tracing::instrument(skip_all)]
pub async fn record_outcome(
    store: &Store,
    scope: &Scope,
    now: OffsetDateTime,
    transfer_id: &str,
    outcome: Outcome,
    on: Date,
    note: &str,
) -> Result<(), StoreError> {
    let (case, t, _) =
        transfer_permitted(store, scope, now, transfer_id, TransferStep::Outcome).await?;
    if on > deadlines::china_date(now) {
        return Err(StoreError::invalid("结果日期", "不能晚于今天"));
    }
    if t.police_decided_at
        .is_some_and(|d| on < deadlines::china_date(d))
    {
        return Err(StoreError::invalid("结果日期", "不能早于公安机关立案日期"));
    }
    let note = text("处理结果说明", note, 0, 2000)?;
    let mut tx = store.begin().await?;
    moved(
        &mut tx,
        &t,
        t.state,
        ", outcome = $1, outcome_on = $2, outcome_note = $3",
        &[
            Some(outcome.code().to_string()),
            Some(timefmt::day_to_db(on)),
            Some(note.to_string()).filter(|n| !n.is_empty()),
        ],
    )
    .await?;
    record(
        &mut tx,
        scope,
        now,
        &case,
        CaseAction::TransferOutcome,
        &format!("{on} {}{}", outcome.label_zh(), tail(note)),
        "case_transfer",
        &t.id,
        Some(serde_json::json!({"outcome": t.outcome.map(Outcome::code)})),
        serde_json::json!({"outcome": outcome.code(), "outcome_on": timefmt::day_to_db(on)}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The handling department or a partner (联合办案) of case.
async fn consultant(store: &Store, scope: &Scope, case_id: &str) -> Result<Case, StoreError> {
    let case = get(store, scope, case_id).await?;
    let who: Taker = taker(store, scope, &case).await?;
    if !scope.can(Permission::HandleLeads) || !(who.handler || who.partner) {
        return Err(StoreError::Forbidden);
    }
    Ok(case)
}

/// 双向咨询: a question to the police, or one of theirs recorded here; the answer is due within
/// the `consultation_answer` limit. Returns its id.
#[allow(clippy::too_many_arguments)]
#[tracing::instrument(skip_all)]
pub async fn ask(
    store: &Store,
    scope: &Scope,
    cal: &Calendar,
    rules: &CaseRules,
    now: OffsetDateTime,
    case_id: &str,
    direction: Direction,
    question: &str,
) -> Result<String, StoreError> {
    let case = consultant(store, scope, case_id).await?;
    let question = text("咨询内容", question, 4, 2000)?;
    let due = deadlines::due_db(cal, now, rules.consultation_answer);
    let id = new_id();
    let mut tx = store.begin().await?;
    sqlx::query(
        "insert into case_consultation (id, case_id, direction, question, asked_at, asked_by, \
         due) values ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&id)
    .bind(&case.id)
    .bind(direction.code())
    .bind(question)
    .bind(timefmt::to_db(now))
    .bind(&scope.actor.name)
    .bind(&due)
    .execute(&mut *tx)
    .await?;
    record(
        &mut tx,
        scope,
        now,
        &case,
        CaseAction::ConsultationAsked,
        &format!("{}：{question}", direction.label_zh()),
        "case_consultation",
        &id,
        None,
        serde_json::json!({"direction": direction.code(), "due": due}),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Records the answer to a consultation.
#[tracing::instrument(skip_all)]
pub async fn answer(
    store: &Store,
    scope: &Scope,
    now: OffsetDateTime,
    consultation_id: &str,
    answer: &str,
) -> Result<(), StoreError> {
    let c = sqlx::query_as::<_, ConsultationRow>(
        "select id, case_id, direction, question, asked_at, asked_by, answer, answered_at, \
         answered_by, due from case_consultation where id = $1",
    )
    .bind(consultation_id)
    .fetch_optional(store.pool())
    .await?
    .ok_or(StoreError::NotFound)?
    .decode()?;
    let case = consultant(store, scope, &c.case_id).await?;
    if c.answered_at.is_some() {
        return Err(StoreError::invalid("咨询答复", "该咨询已答复"));
    }
    let answer = text("答复内容", answer, 2, 2000)?;
    let mut tx = store.begin().await?;
    let n = sqlx::query(
        "update case_consultation set answer = $1, answered_at = $2, answered_by = $3 \
         where id = $4 and answered_at is null",
    )
    .bind(answer)
    .bind(timefmt::to_db(now))
    .bind(&scope.actor.name)
    .bind(&c.id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(changed());
    }
    record(
        &mut tx,
        scope,
        now,
        &case,
        CaseAction::ConsultationAnswered,
        &format!("答复：{answer}"),
        "case_consultation",
        &c.id,
        None,
        serde_json::json!({"answered_at": timefmt::to_db(now)}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The transfers of a case the scope sees, oldest first.
#[tracing::instrument(skip_all)]
pub async fn transfers(
    store: &Store,
    scope: &Scope,
    case_id: &str,
) -> Result<Vec<Transfer>, StoreError> {
    let case = get(store, scope, case_id).await?;
    sqlx::query_as::<_, TransferRow>(&format!(
        "select {COLUMNS} from case_transfer where case_id = $1 order by proposed_at, id"
    ))
    .bind(&case.id)
    .fetch_all(store.pool())
    .await?
    .into_iter()
    .map(TransferRow::decode)
    .collect()
}

/// The police's requests on a transfer, oldest first.
#[tracing::instrument(skip_all)]
pub async fn tasks(
    store: &Store,
    scope: &Scope,
    transfer_id: &str,
) -> Result<Vec<PoliceTask>, StoreError> {
    let t = load(store, transfer_id).await?;
    get(store, scope, &t.case_id).await?;
    sqlx::query_as::<_, TaskTuple>(
        "select id, transfer_id, kind, detail, requested_at, due, done_at, done_note \
         from case_police_task where transfer_id = $1 order by requested_at, id",
    )
    .bind(&t.id)
    .fetch_all(store.pool())
    .await?
    .into_iter()
    .map(decode_task)
    .collect()
}

/// The consultations of a case, oldest first.
#[tracing::instrument(skip_all)]
pub async fn consultations(
    store: &Store,
    scope: &Scope,
    case_id: &str,
) -> Result<Vec<Consultation>, StoreError> {
    let case = get(store, scope, case_id).await?;
    sqlx::query_as::<_, ConsultationRow>(
        "select id, case_id, direction, question, asked_at, asked_by, answer, answered_at, \
         answered_by, due from case_consultation where case_id = $1 order by asked_at, id",
    )
    .bind(&case.id)
    .fetch_all(store.pool())
    .await?
    .into_iter()
    .map(ConsultationRow::decode)
    .collect()
}

/// The steps the scope may take on a transfer now (the page's buttons).
#[tracing::instrument(skip_all)]
pub async fn available(
    store: &Store,
    scope: &Scope,
    now: OffsetDateTime,
    transfer: &Transfer,
) -> Result<Vec<TransferStep>, StoreError> {
    let case = get(store, scope, &transfer.case_id).await?;
    let who = transfer_taker(store, scope, &case, transfer).await?;
    Ok(
        table::available(Some(transfer.state), transfer.facts(now), &who)
            .into_iter()
            .filter(|s| *s != TransferStep::Propose)
            .collect(),
    )
}

/// A transfer waiting for the caller, with its case.
#[derive(Clone, Debug, Serialize)]
pub struct Waiting {
    pub transfer: Transfer,
    pub case_no: String,
    pub case_title: String,
    /// The department handling the case.
    pub authority: String,
}

/// The transfers waiting for the caller's answer, oldest first: for a leader, proposals in
/// the jurisdiction (批准移送); for the police, transfers sent to them and not yet decided,
/// including 复议; for the procuratorate, transfers under 立案监督 and those copied to it
/// that the police have not decided yet.
#[tracing::instrument(skip_all)]
pub async fn waiting(store: &Store, scope: &Scope) -> Result<Vec<Waiting>, StoreError> {
    use TransferState as T;
    let dept = scope.department_id.clone().unwrap_or_default();
    let mut q = crate::sql::Query::new(&format!(
        "select t.*, c.case_no, c.title, c.authority from (select {COLUMNS} from case_transfer) t \
         join enforcement_case c on c.id = t.case_id where "
    ));
    // `column = dept and t.state in (states)`.
    let waits_for = |q: &mut crate::sql::Query, column: &str, states: &[T]| {
        q.push("(")
            .push(column)
            .push(" = ")
            .bind(&dept)
            .push(" and t.state in (");
        for (i, s) in states.iter().enumerate() {
            q.push(if i == 0 { "" } else { ", " }).bind(s.code());
        }
        q.push("))");
    };
    q.push("(");
    waits_for(
        &mut q,
        "t.police_department_id",
        &[T::Sent, T::Received, T::Reconsidering],
    );
    q.push(" or ");
    waits_for(
        &mut q,
        "t.procuratorate_department_id",
        &[T::Sent, T::Received, T::Supervising],
    );
    if scope.can(Permission::SuperviseDeadlines) {
        q.push(" or (t.state = ")
            .bind(T::Proposed.code())
            .in_scope("c.region_code", scope)
            .push(")");
    }
    q.push(") order by t.proposed_at, t.id limit 500");
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        t: TransferRow,
        case_no: String,
        title: String,
        authority: String,
    }
    q.fetch_all::<Row, _>(store.pool())
        .await?
        .into_iter()
        .map(|r| {
            Ok(Waiting {
                transfer: r.t.decode()?,
                case_no: r.case_no,
                case_title: r.title,
                authority: r.authority,
            })
        })
        .collect()
}
