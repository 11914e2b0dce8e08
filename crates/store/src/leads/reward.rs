//! 举报奖励: a report that led to a penalty for a 重大违法行为 earns the reporter a reward by the
//! configured rules (国市监稽规〔2021〕4号). The handling officer proposes a level, the amount
//! follows from the rules, a leader approves or rejects, and the officer records the payment.
//! The reward points at the complaint, never at a case: the reporter's identity stays with the
//! complaint, read only by the handling department.

use meijian_domain::lead::referral::RewardStep;
use meijian_domain::lead::rules::LeadRules;
use meijian_domain::lead::workflow::LeadStep;
use meijian_domain::lead::{Fen, RewardState};
use meijian_domain::role::Permission;
use time::OffsetDateTime;

use super::workflow::event;
use super::workflow::permitted;
use crate::leads::Lead;
use crate::stored::At;
use crate::{audit, new_id, timefmt, Scope, Store, StoreError};

/// A reward with its lead's code. Amounts in fen.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Reward {
    pub id: String,
    pub lead_id: String,
    pub lead_code: String,
    pub region_code: String,
    pub state: RewardState,
    pub level_name: String,
    pub forfeiture_fen: Fen,
    pub amount_fen: Fen,
    pub joint_approval: bool,
    pub proposed_by: String,
    #[serde(with = "time::serde::rfc3339")]
    pub proposed_at: OffsetDateTime,
    pub decided_by: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub decided_at: Option<OffsetDateTime>,
    pub decision_note: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub paid_at: Option<OffsetDateTime>,
    pub payment_ref: Option<String>,
}

/// A reward row as stored.
#[derive(sqlx::FromRow)]
struct RewardRow {
    id: String,
    lead_id: String,
    lead_code: String,
    region_code: String,
    state: String,
    level_name: String,
    forfeiture_fen: i64,
    amount_fen: i64,
    joint_approval: i64,
    proposed_by: String,
    proposed_at: String,
    decided_by: Option<String>,
    decided_at: Option<String>,
    decision_note: Option<String>,
    paid_at: Option<String>,
    payment_ref: Option<String>,
}

impl RewardRow {
    fn decode(self) -> Result<Reward, StoreError> {
        let id = self.id.clone();
        let at = At::new("reward", &id);
        let state = at.code("state", &self.state, RewardState::from_code)?;
        let proposed_at = at.time("proposed_at", &self.proposed_at)?;
        let decided_at = at.time_opt("decided_at", self.decided_at.as_deref())?;
        let paid_at = at.time_opt("paid_at", self.paid_at.as_deref())?;
        Ok(Reward {
            id: self.id,
            lead_id: self.lead_id,
            lead_code: self.lead_code,
            region_code: self.region_code,
            state,
            level_name: self.level_name,
            forfeiture_fen: Fen(self.forfeiture_fen),
            amount_fen: Fen(self.amount_fen),
            joint_approval: self.joint_approval != 0,
            proposed_by: self.proposed_by,
            proposed_at,
            decided_by: self.decided_by,
            decided_at,
            decision_note: self.decision_note,
            paid_at,
            payment_ref: self.payment_ref,
        })
    }
}

impl Reward {
    pub fn state_zh(&self) -> &'static str {
        self.state.label_zh()
    }
}

const SELECT: &str = "select w.id, w.lead_id, l.code as lead_code, l.region_code, w.state, \
    w.level_name, w.forfeiture_fen, w.amount_fen, w.joint_approval, w.proposed_by, \
    w.proposed_at, w.decided_by, w.decided_at, w.decision_note, w.paid_at, w.payment_ref \
    from reward w join lead l on l.id = w.lead_id";

/// The reward of a lead the caller may see, if any.
/// `lead` comes from [`crate::leads::get`] or [`crate::leads::list`], so the caller may see it.
#[tracing::instrument(skip_all)]
pub async fn for_lead(store: &Store, lead: &Lead) -> Result<Option<Reward>, StoreError> {
    sqlx::query_as::<_, RewardRow>(&format!("{SELECT} where w.lead_id = $1"))
        .bind(&lead.id)
        .fetch_optional(store.pool())
        .await?
        .map(RewardRow::decode)
        .transpose()
}

/// Rewards of the jurisdiction waiting for a leader's decision or for payment.
#[tracing::instrument(skip_all)]
pub async fn open_in_jurisdiction(store: &Store, scope: &Scope) -> Result<Vec<Reward>, StoreError> {
    scope.require(Permission::ApproveRewards)?;
    let (lo, hi) = scope.region_range();
    sqlx::query_as::<_, RewardRow>(&format!(
        "{SELECT} where l.region_code between $1 and $2 and w.state in ('proposed', 'approved') \
         order by w.proposed_at"
    ))
    .bind(lo)
    .bind(hi)
    .fetch_all(store.pool())
    .await?
    .into_iter()
    .map(RewardRow::decode)
    .collect()
}

/// The handling officer proposes a reward at level `level` (index into the rules' levels).
/// Whether the lead earns one is the workflow table's rule (`LeadStep::Reward`).
#[tracing::instrument(skip_all)]
pub async fn propose(
    store: &Store,
    scope: &Scope,
    rules: &LeadRules,
    now: OffsetDateTime,
    lead_id: &str,
    level: usize,
) -> Result<String, StoreError> {
    let r = &rules.rewards;
    let lead = permitted(store, scope, now, Some(r), lead_id, LeadStep::Reward).await?;
    // 罚没款: what the lead's case decided.
    let forfeiture = crate::cases::stats::penalty_facts(store, &lead.id)
        .await?
        .unwrap_or_default()
        .forfeiture;
    let amount = r
        .amount(level, forfeiture)
        .ok_or_else(|| StoreError::invalid("奖励等级", "请选择奖励等级"))?;
    let level_name = r.levels[level].name.clone();
    // The table checked that the lead has a reporter.
    let complaint_id: String = sqlx::query_scalar("select id from complaint where lead_id = $1")
        .bind(&lead.id)
        .fetch_optional(store.pool())
        .await?
        .ok_or(StoreError::NotFound)?;
    let id = new_id();
    let now_db = timefmt::to_db(now);
    let mut tx = store.begin().await?;
    // The yuan columns are kept for the previous release until they are dropped.
    let inserted = sqlx::query(
        "insert into reward (id, lead_id, complaint_id, state, level_name, forfeiture_fen, \
         amount_fen, forfeiture_yuan, amount_yuan, joint_approval, proposed_by, proposed_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(&id)
    .bind(&lead.id)
    .bind(&complaint_id)
    .bind(RewardState::Proposed.code())
    .bind(&level_name)
    .bind(forfeiture.fen())
    .bind(amount.fen())
    .bind(forfeiture.fen() / 100)
    .bind(amount.fen() / 100)
    .bind(i64::from(r.joint_approval(amount)))
    .bind(&scope.actor.name)
    .bind(&now_db)
    .execute(&mut *tx)
    .await;
    if let Err(e) = inserted {
        return Err(if StoreError::is_unique_violation(&e) {
            StoreError::Conflict {
                field: "举报奖励",
                message: "该线索已申请过奖励".into(),
            }
        } else {
            e.into()
        });
    }
    event(
        &mut tx,
        &lead.id,
        now,
        "reward",
        &scope.actor,
        Some(&lead.department_id),
        Some(&format!("申请{level_name}奖励 {amount}")),
        false,
    )
    .await?;
    audit::record(
        &mut tx,
        &scope.actor,
        now,
        audit::Change {
            action: "reward.propose",
            entity: "reward",
            entity_id: &id,
            region_code: Some(&lead.region_code),
            before: None,
            after: Some(serde_json::json!({
                "lead_id": lead.id, "level": level_name, "amount_fen": amount.fen()
            })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

async fn reward_in_scope(store: &Store, scope: &Scope, id: &str) -> Result<Reward, StoreError> {
    let (lo, hi) = scope.region_range();
    sqlx::query_as::<_, RewardRow>(&format!(
        "{SELECT} where w.id = $1 and l.region_code between $2 and $3"
    ))
    .bind(id)
    .bind(lo)
    .bind(hi)
    .fetch_optional(store.pool())
    .await?
    .ok_or(StoreError::NotFound)?
    .decode()
}

#[allow(clippy::too_many_arguments)]
async fn set_state(
    store: &Store,
    scope: &Scope,
    now: OffsetDateTime,
    w: &Reward,
    step: RewardStep,
    sets: &str,
    value: &str,
) -> Result<(), StoreError> {
    let row = step.row();
    let (from, to) = (row.from.code(), row.to.code());
    let now_db = timefmt::to_db(now);
    let mut tx = store.begin().await?;
    let n = sqlx::query(&format!(
        "update reward set state = $1, {sets} where id = $4 and state = $5"
    ))
    .bind(to)
    .bind(&now_db)
    .bind(value)
    .bind(&w.id)
    .bind(from)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(crate::leads::stale("举报奖励", "奖励状态已变化"));
    }
    if row.to != RewardState::Paid {
        sqlx::query("update reward set decided_by = $1 where id = $2")
            .bind(&scope.actor.name)
            .bind(&w.id)
            .execute(&mut *tx)
            .await?;
    }
    audit::record(
        &mut tx,
        &scope.actor,
        now,
        audit::Change {
            action: &format!("reward.{to}"),
            entity: "reward",
            entity_id: &w.id,
            region_code: Some(&w.region_code),
            before: Some(serde_json::json!({"state": from})),
            after: Some(serde_json::json!({"state": to, "note": value})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A leader approves or rejects a proposed reward.
#[tracing::instrument(skip_all)]
pub async fn decide(
    store: &Store,
    scope: &Scope,
    now: OffsetDateTime,
    id: &str,
    approve: bool,
    note: &str,
) -> Result<(), StoreError> {
    scope.require(Permission::ApproveRewards)?;
    let w = reward_in_scope(store, scope, id).await?;
    let note = note.trim();
    if !approve && note.chars().count() < 2 {
        return Err(StoreError::invalid("审批意见", "不批准时请写明理由"));
    }
    let step = if approve {
        RewardStep::Approve
    } else {
        RewardStep::Reject
    };
    set_state(
        store,
        scope,
        now,
        &w,
        step,
        "decided_at = $2, decision_note = $3",
        note,
    )
    .await
}

/// The handling officer records the payment (发放) of an approved reward. Who may and when
/// is the workflow table's rule (`LeadStep::Paid`).
#[tracing::instrument(skip_all)]
pub async fn mark_paid(
    store: &Store,
    scope: &Scope,
    now: OffsetDateTime,
    id: &str,
    payment_ref: &str,
) -> Result<(), StoreError> {
    // The handling department may sit outside the lead's district (a referred lead): the
    // lead's visibility decides, not the caller's region.
    let w = sqlx::query_as::<_, RewardRow>(&format!("{SELECT} where w.id = $1"))
        .bind(id)
        .fetch_optional(store.pool())
        .await?
        .ok_or(StoreError::NotFound)?
        .decode()?;
    permitted(store, scope, now, None, &w.lead_id, LeadStep::Paid).await?;
    pay(store, scope, now, &w, payment_ref).await
}

/// [`mark_paid`] for the reward of lead `lead_id`.
#[tracing::instrument(skip_all)]
pub async fn mark_paid_for_lead(
    store: &Store,
    scope: &Scope,
    now: OffsetDateTime,
    lead_id: &str,
    payment_ref: &str,
) -> Result<(), StoreError> {
    let lead = permitted(store, scope, now, None, lead_id, LeadStep::Paid).await?;
    let w = for_lead(store, &lead).await?.ok_or(StoreError::NotFound)?;
    pay(store, scope, now, &w, payment_ref).await
}

async fn pay(
    store: &Store,
    scope: &Scope,
    now: OffsetDateTime,
    w: &Reward,
    payment_ref: &str,
) -> Result<(), StoreError> {
    let r = super::written("发放凭证号", payment_ref, 2, 100)?;
    set_state(
        store,
        scope,
        now,
        w,
        RewardStep::Pay,
        "paid_at = $2, payment_ref = $3",
        r,
    )
    .await
}
