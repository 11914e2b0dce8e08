//! 延期: when a report is complex, the handling officer asks, before the limit runs out, to
//! extend the verification (核查) or the conclusion (办结) once; a leader of the jurisdiction
//! grants or refuses. A grant moves the deadline of the lead and of every lead grouped with it
//! that waits for the same step, each by the configured extension from its own deadline.

use meijian_domain::lead::rules::{LeadRules, Limit};
use meijian_domain::role::Permission;
use meijian_domain::workdays::Calendar;
use time::OffsetDateTime;

use super::{audit_step, event, permitted};
use crate::leads::{deadlines, stale, written, Lead};
use crate::stored::At;
use crate::{new_id, timefmt, Scope, Store, StoreError};
use meijian_domain::lead::codes::NextStep;
use meijian_domain::lead::{ExtensionState, LeadStep};

/// A step whose limit may be extended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Extendable {
    Verify,
    Conclude,
}

impl Extendable {
    /// The step a lead waits for, if its limit may be extended.
    pub fn of(step: NextStep) -> Option<Extendable> {
        match step {
            NextStep::Verify => Some(Extendable::Verify),
            NextStep::Conclude => Some(Extendable::Conclude),
            NextStep::Accept | NextStep::Reply => None,
        }
    }
    pub fn from_code(code: &str) -> Option<Extendable> {
        match code {
            "verify" => Some(Extendable::Verify),
            "conclude" => Some(Extendable::Conclude),
            _ => None,
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Extendable::Verify => "verify",
            Extendable::Conclude => "conclude",
        }
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            Extendable::Verify => "核查",
            Extendable::Conclude => "办结",
        }
    }
    /// The lead's column holding this step's deadline.
    fn column(self) -> &'static str {
        match self {
            Extendable::Verify => "verify_due",
            Extendable::Conclude => "conclude_due",
        }
    }
    pub fn limit(self, rules: &LeadRules) -> Limit {
        match self {
            Extendable::Verify => rules.limits.verify_extension,
            Extendable::Conclude => rules.limits.conclude_extension,
        }
    }
}

/// Serialized as its code.
impl serde::Serialize for Extendable {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

/// One request to extend a limit.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Extension {
    pub id: String,
    pub lead_id: String,
    pub step: Extendable,
    pub state: ExtensionState,
    pub reason: String,
    #[serde(with = "time::serde::rfc3339")]
    pub requested_at: OffsetDateTime,
    pub requested_by_name: String,
    #[serde(with = "time::serde::rfc3339")]
    pub old_due: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub new_due: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub decided_at: Option<OffsetDateTime>,
    pub decided_by_name: Option<String>,
    pub decision_note: Option<String>,
}

/// An extension row as stored.
#[derive(sqlx::FromRow)]
struct ExtensionRow {
    id: String,
    lead_id: String,
    step: String,
    state: String,
    reason: String,
    requested_at: String,
    requested_by_name: String,
    old_due: String,
    new_due: String,
    decided_at: Option<String>,
    decided_by_name: Option<String>,
    decision_note: Option<String>,
}

impl ExtensionRow {
    fn decode(self) -> Result<Extension, StoreError> {
        let id = self.id.clone();
        let at = At::new("lead_extension", &id);
        Ok(Extension {
            step: at.code("step", &self.step, Extendable::from_code)?,
            state: at.code("state", &self.state, ExtensionState::from_code)?,
            requested_at: at.time("requested_at", &self.requested_at)?,
            old_due: at.time("old_due", &self.old_due)?,
            new_due: at.time("new_due", &self.new_due)?,
            decided_at: at.time_opt("decided_at", self.decided_at.as_deref())?,
            id: self.id,
            lead_id: self.lead_id,
            reason: self.reason,
            requested_by_name: self.requested_by_name,
            decided_by_name: self.decided_by_name,
            decision_note: self.decision_note,
        })
    }
}

impl Extension {
    pub fn step_zh(&self) -> &'static str {
        self.step.label_zh()
    }
    pub fn state_zh(&self) -> &'static str {
        self.state.label_zh()
    }
}

const COLUMNS: &str = "id, lead_id, step, state, reason, requested_at, requested_by_name, \
                       old_due, new_due, decided_at, decided_by_name, decision_note";

/// A deadline as stored, as an instant.
fn stored_instant(s: &str) -> Result<OffsetDateTime, StoreError> {
    timefmt::from_db(s).ok_or_else(|| StoreError::Other(format!("期限“{s}”不是有效时间")))
}

/// The step a lead waits for, if its limit may be extended, with its deadline.
fn waiting(lead: &Lead) -> Option<(Extendable, OffsetDateTime)> {
    let step = Extendable::of(lead.next_step?)?;
    Some((step, lead.next_due?))
}

/// 申请延期: the handling officer asks to extend the limit the lead waits for now. Returns the
/// request's id.
#[tracing::instrument(skip_all)]
pub async fn request(
    store: &Store,
    scope: &Scope,
    cal: &Calendar,
    rules: &LeadRules,
    now: OffsetDateTime,
    id: &str,
    reason: &str,
) -> Result<String, StoreError> {
    let lead = permitted(store, scope, now, None, id, LeadStep::Extend).await?;
    // The table checked that the lead waits for an extendable limit not yet passed.
    let Some((step, old_due)) = waiting(&lead) else {
        return Err(StoreError::invalid(
            "延期",
            "只有核查或办结期限可以申请延期",
        ));
    };
    let now_db = timefmt::to_db(now);
    let reason = written("延期理由", reason, 4, 500)?;
    let new_due = deadlines::due_db(cal, old_due, step.limit(rules));
    let request_id = new_id();
    let mut tx = store.begin().await?;
    let inserted = sqlx::query(
        "insert into lead_extension (id, lead_id, step, state, reason, requested_at, \
         requested_by_id, requested_by_name, old_due, new_due) \
         values ($1, $2, $3, 'requested', $4, $5, $6, $7, $8, $9)",
    )
    .bind(&request_id)
    .bind(&lead.id)
    .bind(step.code())
    .bind(reason)
    .bind(&now_db)
    .bind(scope.actor.account_id.clone().unwrap_or_default())
    .bind(&scope.actor.name)
    .bind(timefmt::to_db(old_due))
    .bind(&new_due)
    .execute(&mut *tx)
    .await;
    if let Err(e) = inserted {
        return Err(if StoreError::is_unique_violation(&e) {
            StoreError::Conflict {
                field: "延期",
                message: format!("{}期限已申请过延期", step.label_zh()),
            }
        } else {
            e.into()
        });
    }
    event(
        &mut tx,
        &lead.id,
        now,
        "extension_requested",
        &scope.actor,
        Some(&lead.department_id),
        Some(&format!(
            "申请{}期限延长{}至{}：{reason}",
            step.label_zh(),
            step.limit(rules).label_zh(),
            timefmt::display(&new_due)
        )),
        false,
    )
    .await?;
    audit_step(
        &mut tx,
        scope,
        now,
        &lead,
        "lead.extension_request",
        serde_json::json!({
            "step": step.code(), "old_due": timefmt::to_db(old_due), "new_due": new_due
        }),
    )
    .await?;
    tx.commit().await?;
    Ok(request_id)
}

/// 审批延期: a leader of the jurisdiction grants or refuses the open request on a lead. A
/// refusal needs a note; the deadline stays.
#[allow(clippy::too_many_arguments)]
#[tracing::instrument(skip_all)]
pub async fn decide(
    store: &Store,
    scope: &Scope,
    cal: &Calendar,
    rules: &LeadRules,
    now: OffsetDateTime,
    id: &str,
    grant: bool,
    note: &str,
) -> Result<(), StoreError> {
    let lead = permitted(store, scope, now, None, id, LeadStep::Extension).await?;
    let open = extensions(store, &lead).await?;
    // The table checked that a request waits.
    let Some(x) = open
        .into_iter()
        .find(|x| x.state == ExtensionState::Requested)
    else {
        return Err(StoreError::invalid("延期", "没有待审批的延期申请"));
    };
    let note = note.trim();
    if !grant && note.chars().count() < 2 {
        return Err(StoreError::invalid("审批意见", "不批准时请写明理由"));
    }
    let step = x.step;
    let now_db = timefmt::to_db(now);
    let mut tx = store.begin().await?;
    let n = sqlx::query(
        "update lead_extension set state = $1, decided_at = $2, decided_by_name = $3, \
         decision_note = $4 where id = $5 and state = $6",
    )
    .bind(if grant {
        ExtensionState::Granted.code()
    } else {
        ExtensionState::Refused.code()
    })
    .bind(&now_db)
    .bind(&scope.actor.name)
    .bind(Some(note).filter(|n| !n.is_empty()))
    .bind(&x.id)
    .bind(ExtensionState::Requested.code())
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(stale("延期", "延期申请已被他人审批"));
    }
    if grant {
        // The lead and the members of its group that wait for the same step, each from its
        // own deadline. A lead past the step keeps its history as it is.
        let col = step.column();
        let group: Vec<(String, Option<String>)> = sqlx::query_as(&format!(
            "select id, {col} from lead where (id = $1 or group_id = $1) and next_step = $2"
        ))
        .bind(&lead.id)
        .bind(step.code())
        .fetch_all(&mut *tx)
        .await?;
        if !group.iter().any(|(gid, _)| gid == &lead.id) {
            return Err(stale("延期", "线索已进入下一环节，无需延期"));
        }
        for (gid, due) in group {
            let new_due = match due.as_deref() {
                Some(d) if gid != lead.id => {
                    deadlines::due_db(cal, stored_instant(d)?, step.limit(rules))
                }
                _ => timefmt::to_db(x.new_due),
            };
            sqlx::query(&format!(
                "update lead set {col} = $1, next_due = $1, updated_at = $2 \
                 where id = $3 and next_step = $4"
            ))
            .bind(&new_due)
            .bind(&now_db)
            .bind(&gid)
            .bind(step.code())
            .execute(&mut *tx)
            .await?;
        }
    }
    let text = if grant {
        format!(
            "经批准，{}期限延长至{}",
            step.label_zh(),
            timefmt::display(&timefmt::to_db(x.new_due))
        )
    } else {
        format!("延期申请未获批准：{note}")
    };
    event(
        &mut tx,
        &lead.id,
        now,
        if grant {
            "extension_granted"
        } else {
            "extension_refused"
        },
        &scope.actor,
        scope.department_id.as_deref(),
        Some(&text),
        grant,
    )
    .await?;
    audit_step(
        &mut tx,
        scope,
        now,
        &lead,
        if grant {
            "lead.extension_grant"
        } else {
            "lead.extension_refuse"
        },
        serde_json::json!({
            "step": step.code(), "granted": grant, "new_due": timefmt::to_db(x.new_due)
        }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Every request on `lead`, oldest first. `lead` comes from [`crate::leads::get`], so the
/// caller may see it.
#[tracing::instrument(skip_all)]
pub async fn extensions(store: &Store, lead: &Lead) -> Result<Vec<Extension>, StoreError> {
    sqlx::query_as::<_, ExtensionRow>(&format!(
        "select {COLUMNS} from lead_extension where lead_id = $1 order by requested_at"
    ))
    .bind(&lead.id)
    .fetch_all(store.pool())
    .await?
    .into_iter()
    .map(ExtensionRow::decode)
    .collect()
}

/// Whether the lead's current step may still be extended, given its requests from
/// [`extensions`]: it is extendable, not past its deadline, and not extended or asked for
/// already. The forms ask this; [`request`] holds the rule with the database's unique index.
pub fn may_request(lead: &Lead, requests: &[Extension], now: OffsetDateTime) -> bool {
    let Some((step, due)) = waiting(lead) else {
        return false;
    };
    due >= now
        && !lead.is_grouped_member()
        && !requests
            .iter()
            .any(|x| x.step == step && x.state != ExtensionState::Refused)
}

/// A request waiting for a leader, for the dashboard.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Pending {
    pub lead_id: String,
    pub lead_code: String,
    pub department_name: String,
    pub step: Extendable,
    pub reason: String,
    pub requested_by_name: String,
    #[serde(with = "time::serde::rfc3339")]
    pub old_due: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub new_due: OffsetDateTime,
}

/// A waiting request as stored.
#[derive(sqlx::FromRow)]
struct PendingRow {
    id: String,
    lead_id: String,
    lead_code: String,
    department_name: String,
    step: String,
    reason: String,
    requested_by_name: String,
    old_due: String,
    new_due: String,
}

impl PendingRow {
    fn decode(self) -> Result<Pending, StoreError> {
        let at = At::new("lead_extension", &self.id);
        Ok(Pending {
            step: at.code("step", &self.step, Extendable::from_code)?,
            old_due: at.time("old_due", &self.old_due)?,
            new_due: at.time("new_due", &self.new_due)?,
            lead_id: self.lead_id,
            lead_code: self.lead_code,
            department_name: self.department_name,
            reason: self.reason,
            requested_by_name: self.requested_by_name,
        })
    }
}

/// Requests waiting for a leader of `scope`'s jurisdiction, oldest deadline first.
#[tracing::instrument(skip_all)]
pub async fn pending(store: &Store, scope: &Scope) -> Result<Vec<Pending>, StoreError> {
    scope.require(Permission::SuperviseDeadlines)?;
    let (lo, hi) = scope.region_range();
    sqlx::query_as::<_, PendingRow>(
        "select x.id, l.id as lead_id, l.code as lead_code, d.name as department_name, x.step, \
           x.reason, x.requested_by_name, x.old_due, x.new_due \
         from lead_extension x join lead l on l.id = x.lead_id \
           join department d on d.id = l.department_id \
         where x.state = 'requested' and l.region_code between $1 and $2 \
         order by x.old_due, x.id limit 100",
    )
    .bind(lo)
    .bind(hi)
    .fetch_all(store.pool())
    .await?
    .into_iter()
    .map(PendingRow::decode)
    .collect()
}
