//! The steps of handling a lead: accept or decline, verify, conclude, reply, the reporter's
//! satisfaction, and a leader's 督办. Each step checks who may take it and what state the lead
//! is in, moves the deadline the lead waits for, records a history event and an audit entry,
//! all in one transaction. Repeated complaints grouped on one operator are verified and
//! concluded together: the step on the group's first lead answers every lead in the group.
//! The history of every step is in [`history`], 督办 in [`supervision`], 延期 in [`extension`].

use meijian_domain::case::Stage;
use meijian_domain::lead::codes::NextStep;
use meijian_domain::lead::rules::LeadRules;
use meijian_domain::lead::{Finding, LeadState, Outcome, Satisfaction};
use meijian_domain::workdays::Calendar;
use time::OffsetDateTime;

use super::{deadlines, written, Lead};
use crate::{audit, timefmt, Actor, Scope, Store, StoreError, Tx};

mod act;
pub mod extension;
mod history;
mod supervision;
mod table;
pub use act::{act, Acted, LeadCommand};
pub(crate) use history::public_events;
pub use history::{event, events, Event};
pub use meijian_domain::lead::workflow::{available, LeadFacts, LeadStep, Taker};
pub use supervision::{supervise, supervisions, Supervision};

pub(crate) use table::permitted;
pub use table::{facts, refusal, taker};

/// Moves one lead from `from` to a new state with `sets` (SQL `col = $n` starting at $4),
/// failing if another request moved it first.
async fn transition(
    tx: &mut Tx,
    id: &str,
    from: &[LeadState],
    to: LeadState,
    now: &str,
    sets: &str,
    binds: Vec<Option<String>>,
) -> Result<(), StoreError> {
    let states = from
        .iter()
        .map(|s| format!("'{}'", s.code()))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "update lead set state = $1, updated_at = $2{}{sets} where id = $3 and state in ({states})",
        if sets.is_empty() { "" } else { ", " }
    );
    let mut q = sqlx::query(&sql).bind(to.code()).bind(now).bind(id);
    for b in binds {
        q = q.bind(b);
    }
    if q.execute(&mut **tx).await?.rows_affected() == 0 {
        return Err(crate::leads::stale("办理状态", "线索已被他人处理"));
    }
    Ok(())
}

async fn audit_step(
    tx: &mut Tx,
    scope: &Scope,
    now: OffsetDateTime,
    lead: &Lead,
    action: &str,
    after: serde_json::Value,
) -> Result<(), StoreError> {
    audit::record(
        tx,
        &scope.actor,
        now,
        audit::Change {
            action,
            entity: "lead",
            entity_id: &lead.id,
            region_code: Some(&lead.region_code),
            before: Some(serde_json::json!({"state": lead.state.code()})),
            after: Some(after),
        },
    )
    .await?;
    Ok(())
}

/// A step on one lead as its history and the audit log record it.
struct Step<'a> {
    /// The history action (a [`meijian_domain::lead::codes::LeadAction`] code).
    event: &'a str,
    note: Option<&'a str>,
    /// Shown to the reporter on the status page.
    public: bool,
    /// The audit action, e.g. `lead.accept`.
    audit: &'a str,
    after: serde_json::Value,
}

/// Writes a step's history event and audit entry inside `tx`.
async fn record_step(
    tx: &mut Tx,
    scope: &Scope,
    now: OffsetDateTime,
    lead: &Lead,
    step: Step<'_>,
) -> Result<(), StoreError> {
    let department = Some(lead.department_id.as_str());
    event(
        tx,
        &lead.id,
        now,
        step.event,
        &scope.actor,
        department,
        step.note,
        step.public,
    )
    .await?;
    audit_step(tx, scope, now, lead, step.audit, step.after).await
}

/// 受理: accept a received lead; the verification (or conclusion) clock starts.
#[tracing::instrument(skip_all)]
pub async fn accept(
    store: &Store,
    scope: &Scope,
    cal: &Calendar,
    rules: &LeadRules,
    now: OffsetDateTime,
    id: &str,
) -> Result<(), StoreError> {
    let lead = permitted(store, scope, now, None, id, LeadStep::Accept).await?;
    let now_db = timefmt::to_db(now);
    let conclude_due = deadlines::due_db(cal, now, rules.limits.conclude);
    let (next_due, next_step) = match lead.verify_due {
        Some(v) => (timefmt::to_db(v), NextStep::Verify),
        None => (conclude_due.clone(), NextStep::Conclude),
    };
    let mut tx = store.begin().await?;
    transition(
        &mut tx,
        &lead.id,
        &[LeadState::Received],
        LeadState::Accepted,
        &now_db,
        "accepted_at = $4, conclude_due = $5, next_due = $6, next_step = $7",
        vec![
            Some(now_db.clone()),
            Some(conclude_due),
            Some(next_due),
            Some(next_step.code().into()),
        ],
    )
    .await?;
    record_step(
        &mut tx,
        scope,
        now,
        &lead,
        Step {
            event: "accepted",
            note: Some("已受理，正在核查"),
            public: true,
            audit: "lead.accept",
            after: serde_json::json!({"state": "accepted"}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// 不予受理, with the reason the reporter reads.
#[tracing::instrument(skip_all)]
pub async fn decline(
    store: &Store,
    scope: &Scope,
    now: OffsetDateTime,
    id: &str,
    reason: &str,
) -> Result<(), StoreError> {
    let lead = permitted(store, scope, now, None, id, LeadStep::Decline).await?;
    let reason = written("不予受理理由", reason, 4, 500)?;
    let now_db = timefmt::to_db(now);
    let mut tx = store.begin().await?;
    transition(
        &mut tx,
        &lead.id,
        &[LeadState::Received],
        LeadState::Declined,
        &now_db,
        "decline_reason = $4, declined_at = $5, next_due = null, next_step = null",
        vec![Some(reason.to_string()), Some(now_db.clone())],
    )
    .await?;
    record_step(
        &mut tx,
        scope,
        now,
        &lead,
        Step {
            event: "declined",
            note: Some(reason),
            public: true,
            audit: "lead.decline",
            after: serde_json::json!({"state": "declined", "reason": reason}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The leads a step on `lead` answers: the lead and, if it heads a group, the group's other
/// leads still in one of `states`.
async fn group_members(
    tx: &mut Tx,
    lead: &Lead,
    states: &[LeadState],
) -> Result<Vec<(String, String)>, StoreError> {
    let states = states
        .iter()
        .map(|s| format!("'{}'", s.code()))
        .collect::<Vec<_>>()
        .join(", ");
    Ok(sqlx::query_as(&format!(
        "select id, state from lead where group_id = $1 and id <> $1 and state in ({states})"
    ))
    .bind(&lead.id)
    .fetch_all(&mut **tx)
    .await?)
}

/// 核查: the finding of a verification. On a group's first lead it answers the whole group.
#[allow(clippy::too_many_arguments)]
#[tracing::instrument(skip_all)]
pub async fn verify(
    store: &Store,
    scope: &Scope,
    now: OffsetDateTime,
    id: &str,
    finding: Finding,
    note: &str,
) -> Result<usize, StoreError> {
    let lead = permitted(store, scope, now, None, id, LeadStep::Verify).await?;
    let note = written("核查情况", note, 4, 2000)?;
    let now_db = timefmt::to_db(now);
    let mut tx = store.begin().await?;
    let members =
        group_members(&mut tx, &lead, &[LeadState::Received, LeadState::Accepted]).await?;
    let mut ids = vec![lead.id.clone()];
    ids.extend(members.iter().map(|m| m.0.clone()));
    for lead_id in &ids {
        // conclude_due was set on acceptance; a member accepted here gets its own.
        transition(
            &mut tx,
            lead_id,
            &[LeadState::Received, LeadState::Accepted],
            LeadState::Verified,
            &now_db,
            "accepted_at = coalesce(accepted_at, $4), verified_at = $4, finding = $5, \
             verification_note = $6, next_due = coalesce(conclude_due, $7), \
             conclude_due = coalesce(conclude_due, $7), next_step = 'conclude'",
            vec![
                Some(now_db.clone()),
                Some(finding.code().into()),
                Some(note.to_string()),
                lead.conclude_due.map(timefmt::to_db),
            ],
        )
        .await?;
        // A lead whose case runs waits for the case's decision limit, not a clock of its own.
        sqlx::query(
            "update lead set next_due = null, next_step = null where id = $1 and exists \
             (select 1 from case_lead cl join enforcement_case c on c.id = cl.case_id \
             where cl.lead_id = $1 and c.stage <> 'withdrawn')",
        )
        .bind(lead_id)
        .execute(&mut *tx)
        .await?;
        let text = if lead_id == &lead.id {
            format!("核查结论：{}", finding.label_zh())
        } else {
            format!(
                "与线索 {} 合并核查，结论：{}",
                lead.code,
                finding.label_zh()
            )
        };
        event(
            &mut tx,
            lead_id,
            now,
            "verified",
            &scope.actor,
            Some(&lead.department_id),
            Some(&text),
            true,
        )
        .await?;
    }
    audit_step(
        &mut tx,
        scope,
        now,
        &lead,
        "lead.verify",
        serde_json::json!({"state": "verified", "finding": finding.code(), "group": ids}),
    )
    .await?;
    tx.commit().await?;
    Ok(ids.len())
}

/// What a conclusion established. The penalty facts are the lead's case's (`cases`): a lead
/// concluded with a penalty points at a case decided with one.
#[derive(Clone, Debug)]
pub struct Conclusion {
    pub outcome: Outcome,
    pub note: String,
}

/// 办结: the outcome. The reply to each reporter is then due.
#[tracing::instrument(skip_all)]
pub async fn conclude(
    store: &Store,
    scope: &Scope,
    cal: &Calendar,
    rules: &LeadRules,
    now: OffsetDateTime,
    id: &str,
    c: &Conclusion,
) -> Result<usize, StoreError> {
    let lead = permitted(store, scope, now, None, id, LeadStep::Conclude).await?;
    let note = written("办理结果", &c.note, 4, 2000)?;
    check_case(store, &lead, c.outcome).await?;
    let now_db = timefmt::to_db(now);
    let reply_due = deadlines::due_db(cal, now, rules.limits.reply);
    let mut tx = store.begin().await?;
    let members = group_members(&mut tx, &lead, &[LeadState::Verified]).await?;
    let mut ids = vec![lead.id.clone()];
    ids.extend(members.iter().map(|m| m.0.clone()));
    for lead_id in &ids {
        let has_complaint: i64 =
            sqlx::query_scalar("select count(*) from complaint where lead_id = $1")
                .bind(lead_id)
                .fetch_one(&mut *tx)
                .await?;
        let (next_due, next_step) = if has_complaint > 0 {
            (
                Some(reply_due.clone()),
                Some(NextStep::Reply.code().to_string()),
            )
        } else {
            (None, None)
        };
        transition(
            &mut tx,
            lead_id,
            &[LeadState::Verified],
            LeadState::Concluded,
            &now_db,
            "concluded_at = $4, outcome = $5, conclusion_note = $6, reply_due = $7, \
             next_due = $8, next_step = $9",
            vec![
                Some(now_db.clone()),
                Some(c.outcome.code().into()),
                Some(note.to_string()),
                next_due.clone(),
                next_due,
                next_step,
            ],
        )
        .await?;
        event(
            &mut tx,
            lead_id,
            now,
            "concluded",
            &scope.actor,
            Some(&lead.department_id),
            Some(&format!("办理结果：{}", c.outcome.label_zh())),
            true,
        )
        .await?;
    }
    audit_step(
        &mut tx,
        scope,
        now,
        &lead,
        "lead.conclude",
        serde_json::json!({
            "state": "concluded", "outcome": c.outcome.code(), "group": ids,
        }),
    )
    .await?;
    tx.commit().await?;
    Ok(ids.len())
}

/// A lead concluded with a penalty needs its case decided with a penalty; a lead whose case is
/// still open is concluded with its case, not before.
async fn check_case(store: &Store, lead: &Lead, outcome: Outcome) -> Result<(), StoreError> {
    let case = crate::cases::stats::case_of_lead(store, &lead.id).await?;
    let stage = case
        .as_ref()
        .map(|(_, _, stage)| Stage::from_code(stage).unwrap_or(Stage::Filed));
    match (outcome, &case, stage) {
        (Outcome::Penalty, None, _) => Err(StoreError::invalid(
            "办理结果",
            "实施行政处罚的，请先立案并在案件中作出处罚决定",
        )),
        (Outcome::Penalty, Some((_, no, _)), Some(stage)) if !stage.decided() => {
            Err(StoreError::invalid(
                "办理结果",
                format!(
                    "案件 {no} 处于“{}”阶段，作出处罚决定后才能按实施行政处罚办结",
                    stage.label_zh()
                ),
            ))
        }
        (Outcome::Penalty, Some((id, no, _)), _) => {
            let penalties: i64 = sqlx::query_scalar(
                "select count(*) from case_action where case_id = $1 and kind not in ('correct', 'judicial')",
            )
            .bind(id)
            .fetch_one(store.pool())
            .await?;
            if penalties == 0 {
                return Err(StoreError::invalid(
                    "办理结果",
                    format!(
                        "案件 {no} 没有行政处罚（只有责令改正或移送司法机关），请选择其他办理结果"
                    ),
                ));
            }
            Ok(())
        }
        (_, Some((_, no, _)), Some(stage)) if stage.is_open() => Err(StoreError::invalid(
            "办理结果",
            format!("案件 {no} 尚未结案（{}），请先办结案件", stage.label_zh()),
        )),
        _ => Ok(()),
    }
}

/// 答复: the reply the reporter reads on the status page (反馈).
#[tracing::instrument(skip_all)]
pub async fn reply(
    store: &Store,
    scope: &Scope,
    now: OffsetDateTime,
    id: &str,
    text: &str,
) -> Result<(), StoreError> {
    let lead = permitted(store, scope, now, None, id, LeadStep::Reply).await?;
    let text = written("答复内容", text, 4, 2000)?;
    let now_db = timefmt::to_db(now);
    let mut tx = store.begin().await?;
    transition(
        &mut tx,
        &lead.id,
        &[LeadState::Concluded],
        LeadState::Concluded,
        &now_db,
        "replied_at = $4, reply_text = $5, next_due = null, next_step = null",
        vec![Some(now_db.clone()), Some(text.to_string())],
    )
    .await?;
    record_step(
        &mut tx,
        scope,
        now,
        &lead,
        Step {
            event: "replied",
            note: Some(text),
            public: true,
            audit: "lead.reply",
            after: serde_json::json!({"replied": true}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// 满意度: recorded by the officer after a return call, or by the reporter on the status page.
#[tracing::instrument(skip_all)]
pub async fn record_satisfaction(
    tx: &mut Tx,
    actor: &Actor,
    now: OffsetDateTime,
    lead: &Lead,
    s: Satisfaction,
) -> Result<(), StoreError> {
    if lead.replied_at.is_none() {
        return Err(StoreError::invalid("满意度", "答复之后才能评价"));
    }
    if lead.satisfaction.is_some() {
        return Err(StoreError::invalid("满意度", "已经评价过"));
    }
    let n = sqlx::query(
        "update lead set satisfaction = $1, updated_at = $2 where id = $3 and satisfaction is null",
    )
    .bind(s.code())
    .bind(timefmt::to_db(now))
    .bind(&lead.id)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(StoreError::invalid("满意度", "已经评价过"));
    }
    event(
        tx,
        &lead.id,
        now,
        "satisfaction",
        actor,
        None,
        Some(s.label_zh()),
        true,
    )
    .await?;
    audit::record(
        tx,
        actor,
        now,
        audit::Change {
            action: "lead.satisfaction",
            entity: "lead",
            entity_id: &lead.id,
            region_code: Some(&lead.region_code),
            before: None,
            after: Some(serde_json::json!({"satisfaction": s.code()})),
        },
    )
    .await?;
    Ok(())
}

/// The officer records the reporter's satisfaction (回访).
#[tracing::instrument(skip_all)]
pub async fn officer_satisfaction(
    store: &Store,
    scope: &Scope,
    now: OffsetDateTime,
    id: &str,
    s: Satisfaction,
) -> Result<(), StoreError> {
    let lead = permitted(store, scope, now, None, id, LeadStep::Satisfaction).await?;
    let mut tx = store.begin().await?;
    record_satisfaction(&mut tx, &scope.actor, now, &lead, s).await?;
    tx.commit().await?;
    Ok(())
}
