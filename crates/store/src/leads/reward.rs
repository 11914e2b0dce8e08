//! 举报奖励: a report that led to a penalty for a 重大违法行为 earns the reporter a reward by the
//! configured rules (国市监稽规〔2021〕4号). The handling officer proposes a level, the amount
//! follows from the rules, a leader approves or rejects, and the officer records the payment.
//! The reward points at the complaint, never at a case: the reporter's identity stays with the
//! complaint, read only by the handling department.

use meijian_domain::lead::rules::LeadRules;
use meijian_domain::lead::{LeadKind, LeadState, Outcome};
use meijian_domain::role::Permission;
use time::OffsetDateTime;

use super::workflow::event;
use super::{get, is_handler};
use crate::leads::Lead;
use crate::{audit, new_id, timefmt, Scope, Store, StoreError};

/// A reward with its lead's code.
#[derive(Clone, Debug, serde::Serialize, sqlx::FromRow)]
pub struct Reward {
    pub id: String,
    pub lead_id: String,
    pub lead_code: String,
    pub region_code: String,
    pub state: String,
    pub level_name: String,
    pub forfeiture_yuan: i64,
    pub amount_yuan: i64,
    pub joint_approval: i64,
    pub proposed_by: String,
    pub proposed_at: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    pub decision_note: Option<String>,
    pub paid_at: Option<String>,
    pub payment_ref: Option<String>,
}

impl Reward {
    pub fn state_zh(&self) -> &'static str {
        match self.state.as_str() {
            "proposed" => "待审批",
            "approved" => "已批准，待发放",
            "rejected" => "未批准",
            "paid" => "已发放",
            _ => "未知",
        }
    }
}

const SELECT: &str = "select w.id, w.lead_id, l.code as lead_code, l.region_code, w.state, \
    w.level_name, w.forfeiture_yuan, w.amount_yuan, w.joint_approval, w.proposed_by, \
    w.proposed_at, w.decided_by, w.decided_at, w.decision_note, w.paid_at, w.payment_ref \
    from reward w join lead l on l.id = w.lead_id";

/// The reward of a lead the caller may see, if any.
/// `lead` comes from [`crate::leads::get`] or [`crate::leads::list`], so the caller may see it.
pub async fn for_lead(store: &Store, lead: &Lead) -> Result<Option<Reward>, StoreError> {
    Ok(
        sqlx::query_as::<_, Reward>(&format!("{SELECT} where w.lead_id = $1"))
            .bind(&lead.id)
            .fetch_optional(store.pool())
            .await?,
    )
}

/// Rewards of the jurisdiction waiting for a leader's decision or for payment.
pub async fn open_in_jurisdiction(store: &Store, scope: &Scope) -> Result<Vec<Reward>, StoreError> {
    scope.require(Permission::ApproveRewards)?;
    let (lo, hi) = scope.region_range();
    Ok(sqlx::query_as::<_, Reward>(&format!(
        "{SELECT} where l.region_code between $1 and $2 and w.state in ('proposed', 'approved') \
         order by w.proposed_at"
    ))
    .bind(lo)
    .bind(hi)
    .fetch_all(store.pool())
    .await?)
}

/// The handling officer proposes a reward at level `level` (index into the rules' levels).
pub async fn propose(
    store: &Store,
    scope: &Scope,
    rules: &LeadRules,
    now: OffsetDateTime,
    lead_id: &str,
    level: usize,
) -> Result<String, StoreError> {
    let lead = get(store, scope, lead_id).await?;
    if !is_handler(scope, &lead) {
        return Err(StoreError::Forbidden);
    }
    if lead.kind != LeadKind::Report.code() {
        return Err(StoreError::invalid("举报奖励", "只有举报才能申请奖励"));
    }
    let outcome = lead.outcome.as_deref().and_then(Outcome::from_code);
    if lead.state() != LeadState::Concluded
        || !matches!(outcome, Some(Outcome::Penalty | Outcome::Criminal))
    {
        return Err(StoreError::invalid(
            "举报奖励",
            "举报须经查实并实施行政处罚或移送司法机关后才能奖励",
        ));
    }
    let facts = meijian_domain::lead::rules::PenaltyFacts {
        forfeiture_yuan: lead.fine_yuan + lead.confiscation_yuan,
        suspended_closed_or_revoked: lead.suspended_or_revoked != 0,
        criminal: outcome == Some(Outcome::Criminal),
        organisation: lead.party_organisation != 0,
    };
    let r = &rules.rewards;
    if !r.is_major(&facts) {
        return Err(StoreError::invalid(
            "举报奖励",
            "未达到重大违法行为的奖励条件（责令停产停业、吊销许可、较大数额罚没款或涉嫌犯罪）",
        ));
    }
    let amount = r
        .amount(level, facts.forfeiture_yuan)
        .ok_or_else(|| StoreError::invalid("奖励等级", "请选择奖励等级"))?;
    let level_name = r.levels[level].name.clone();
    let complaint_id: Option<String> =
        sqlx::query_scalar("select id from complaint where lead_id = $1")
            .bind(&lead.id)
            .fetch_optional(store.pool())
            .await?;
    let complaint_id =
        complaint_id.ok_or_else(|| StoreError::invalid("举报奖励", "该线索没有举报人"))?;
    let id = new_id();
    let now_db = timefmt::to_db(now);
    let mut tx = store.begin().await?;
    let inserted = sqlx::query(
        "insert into reward (id, lead_id, complaint_id, state, level_name, forfeiture_yuan, \
         amount_yuan, joint_approval, proposed_by, proposed_at) \
         values ($1, $2, $3, 'proposed', $4, $5, $6, $7, $8, $9)",
    )
    .bind(&id)
    .bind(&lead.id)
    .bind(&complaint_id)
    .bind(&level_name)
    .bind(facts.forfeiture_yuan)
    .bind(amount)
    .bind(i64::from(amount >= r.joint_approval_from_yuan))
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
        Some(&format!("申请{level_name}奖励 {amount} 元")),
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
            after: Some(
                serde_json::json!({"lead_id": lead.id, "level": level_name, "amount_yuan": amount}),
            ),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

async fn reward_in_scope(store: &Store, scope: &Scope, id: &str) -> Result<Reward, StoreError> {
    let (lo, hi) = scope.region_range();
    sqlx::query_as::<_, Reward>(&format!(
        "{SELECT} where w.id = $1 and l.region_code between $2 and $3"
    ))
    .bind(id)
    .bind(lo)
    .bind(hi)
    .fetch_optional(store.pool())
    .await?
    .ok_or(StoreError::NotFound)
}

#[allow(clippy::too_many_arguments)]
async fn set_state(
    store: &Store,
    scope: &Scope,
    now: OffsetDateTime,
    w: &Reward,
    from: &str,
    to: &str,
    sets: &str,
    value: &str,
) -> Result<(), StoreError> {
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
    if to != "paid" {
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
    let to = if approve { "approved" } else { "rejected" };
    set_state(
        store,
        scope,
        now,
        &w,
        "proposed",
        to,
        "decided_at = $2, decision_note = $3",
        note,
    )
    .await
}

/// The handling officer records the payment (发放) of an approved reward.
pub async fn mark_paid(
    store: &Store,
    scope: &Scope,
    now: OffsetDateTime,
    id: &str,
    payment_ref: &str,
) -> Result<(), StoreError> {
    // The handling department may sit outside the lead's district (a referred lead): the
    // lead's visibility decides, not the caller's region.
    let w = sqlx::query_as::<_, Reward>(&format!("{SELECT} where w.id = $1"))
        .bind(id)
        .fetch_optional(store.pool())
        .await?
        .ok_or(StoreError::NotFound)?;
    let lead = get(store, scope, &w.lead_id).await?;
    if !is_handler(scope, &lead) {
        return Err(StoreError::Forbidden);
    }
    let r = super::written("发放凭证号", payment_ref, 2, 100)?;
    set_state(
        store,
        scope,
        now,
        &w,
        "approved",
        "paid",
        "paid_at = $2, payment_ref = $3",
        r,
    )
    .await
}
