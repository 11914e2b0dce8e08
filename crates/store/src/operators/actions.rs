//! What officers do to operators: merge two into one, ask for records to be split off, and
//! register a business no registry knows as a provisional operator from a lead. Each step is
//! checked against the table in `meijian_domain::operator` and audited in its transaction.

use meijian_domain::operator::{self as rule, EventKind, OperatorStatus, OperatorStep, Origin};
use meijian_domain::role::Permission;
use time::OffsetDateTime;

use super::read::{self, records};
use super::update::{merge_into, write_events, Event};
use super::{Operator, SEP};
use crate::audit::{self, Change};
use crate::reconcile::{insert_decision, DecisionKind};
use crate::sql::Query;
use crate::{timefmt, Scope, Store, StoreError};

fn check(scope: &Scope, step: OperatorStep, operator: &Operator) -> Result<(), StoreError> {
    rule::check(step, operator.origin, operator.status, |p| scope.can(p))
        .map(|_| ())
        .map_err(|refusal| match refusal {
            rule::Refusal::Permission => StoreError::Forbidden,
            other => StoreError::invalid("主体", other.message_zh()),
        })
}

fn check_note(note: &str) -> Result<&str, StoreError> {
    let note = note.trim();
    if note.is_empty() {
        return Err(StoreError::invalid("理由", "请写明理由"));
    }
    if note.chars().count() > 500 {
        return Err(StoreError::invalid("理由", "不能超过 500 字"));
    }
    Ok(note)
}

/// 合并: operator `id` is the same business as `into`; it becomes `into`, every reference
/// follows, and both keep the history. Two registry operators also get a merge decision
/// between their records, so every later cross-check keeps them one.
#[tracing::instrument(skip_all)]
pub async fn merge(
    store: &Store,
    scope: &Scope,
    id: &str,
    into: &str,
    note: &str,
    now: OffsetDateTime,
) -> Result<Operator, StoreError> {
    let note = check_note(note)?;
    let operator = read::get(store, scope, id).await?;
    check(scope, OperatorStep::Merge, &operator)?;
    let target = read::resolve(store, scope, into.trim())
        .await
        .map_err(|e| match e {
            StoreError::NotFound => {
                StoreError::invalid("合并到", format!("找不到主体“{}”", into.trim()))
            }
            other => other,
        })?;
    if target.id == operator.id {
        return Err(StoreError::invalid("合并到", "不能合并到主体自身"));
    }
    let at = timefmt::to_db(now);
    let mut tx = store.begin().await?;
    if operator.origin == Origin::Registry && target.origin == Origin::Registry {
        let (a, b) = (
            records(store, &operator).await?,
            records(store, &target).await?,
        );
        if let (Some(a), Some(b)) = (a.first(), b.first()) {
            insert_decision(
                &mut tx,
                scope,
                DecisionKind::Merge,
                (a.registry.code(), &a.record_key),
                (b.registry.code(), &b.record_key),
                &a.region_code,
                note,
                now,
            )
            .await?;
        }
    }
    merge_into(
        &mut tx,
        store.backend(),
        &scope.actor,
        &operator.id,
        &target.id,
        None,
        note,
        &at,
    )
    .await?;
    audit::record(
        &mut tx,
        &scope.actor,
        now,
        Change {
            action: "operator.merge",
            entity: "operator",
            entity_id: &operator.id,
            region_code: Some(&operator.region_code),
            before: Some(serde_json::json!({"status": operator.status.code()})),
            after: Some(serde_json::json!({"merged_into": target.id, "note": note})),
        },
    )
    .await?;
    tx.commit().await?;
    read::get(store, scope, &operator.id).await
}

/// 拆分: the records `record_ids` of operator `id` are a different business from the rest.
/// Recorded as split decisions between each of them and each other record; the next
/// cross-check carries it out and the part without the id gets a new one.
#[tracing::instrument(skip_all)]
pub async fn request_split(
    store: &Store,
    scope: &Scope,
    id: &str,
    record_ids: &[String],
    note: &str,
    now: OffsetDateTime,
) -> Result<usize, StoreError> {
    let note = check_note(note)?;
    let operator = read::get(store, scope, id).await?;
    check(scope, OperatorStep::Split, &operator)?;
    let members = records(store, &operator).await?;
    let (off, stay): (Vec<_>, Vec<_>) = members
        .iter()
        .partition(|m| record_ids.contains(&m.record_id));
    if off.len() != record_ids.len() {
        return Err(StoreError::invalid("登记记录", "所选记录不属于该主体"));
    }
    if off.is_empty() || stay.is_empty() {
        return Err(StoreError::invalid(
            "登记记录",
            "请选择要拆分出去的记录，并至少留下一条",
        ));
    }
    let mut tx = store.begin().await?;
    let mut decisions = 0;
    for a in &off {
        for b in &stay {
            insert_decision(
                &mut tx,
                scope,
                DecisionKind::Split,
                (a.registry.code(), &a.record_key),
                (b.registry.code(), &b.record_key),
                &a.region_code,
                note,
                now,
            )
            .await?;
            decisions += 1;
        }
    }
    write_events(
        &mut tx,
        store.backend(),
        &scope.actor,
        &timefmt::to_db(now),
        &[Event {
            operator_id: &operator.id,
            kind: EventKind::SplitRequested,
            other_id: None,
            run_id: None,
            note,
        }],
    )
    .await?;
    audit::record(
        &mut tx,
        &scope.actor,
        now,
        Change {
            action: "operator.split",
            entity: "operator",
            entity_id: &operator.id,
            region_code: Some(&operator.region_code),
            before: None,
            after: Some(serde_json::json!({
                "records": off.iter().map(|r| &r.record_id).collect::<Vec<_>>(),
                "note": note,
            })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(decisions)
}

/// A provisional operator for the business a lead names, which no registry knows (a studio
/// in a flat, a hotel room, a WeChat seller); the lead points at it. Its class is 无照无证
/// until a cross-check finds it among the registry operators. A lead already linked keeps its
/// operator.
#[tracing::instrument(skip_all)]
pub async fn register_provisional(
    store: &Store,
    scope: &Scope,
    lead_id: &str,
    now: OffsetDateTime,
) -> Result<Operator, StoreError> {
    scope.require(Permission::HandleLeads)?;
    let lead = crate::leads::get(store, scope, lead_id).await?;
    // Who may say which operator a lead is about (关联主体) may register one.
    if !crate::leads::is_handler(scope, &lead) {
        return Err(StoreError::Forbidden);
    }
    if let Some(existing) = &lead.operator_id {
        return Err(StoreError::Conflict {
            field: "关联主体",
            message: format!("该线索已关联主体 {existing}"),
        });
    }
    let name = lead.subject_name.trim().to_owned();
    if name.is_empty() {
        return Err(StoreError::invalid("被投诉对象", "线索未写明对象名称"));
    }
    let id = format!("ZP{}", &crate::new_id()[..16].to_uppercase());
    let at = timefmt::to_db(now);
    let address = lead
        .subject_address
        .clone()
        .filter(|a| !a.trim().is_empty());
    let mut tx = store.begin().await?;
    let mut insert = Query::new(
        "insert into operator (id, origin, status, region_code, name, names, persons, \
         address, addresses, class, members, source_lead_id, fingerprint, created_at, \
         updated_at) values (",
    );
    insert
        .bind(&id)
        .push(", ")
        .bind(Origin::Provisional.code())
        .push(", ")
        .bind(OperatorStatus::Active.code())
        .push(", ")
        .bind(&lead.region_code)
        .push(", ")
        .bind(&name)
        .push(", ")
        .bind(&name)
        .push(", '', ")
        .bind(address.clone())
        .push(", ")
        .bind(address.clone().unwrap_or_default().replace(SEP, " "))
        .push(", ")
        .bind(meijian_linkage::Class::Neither.code())
        .push(", 0, ")
        .bind(&lead.id)
        .push(", '', ")
        .bind(&at)
        .push(", ")
        .bind(&at)
        .push(")");
    insert.execute(&mut *tx).await?;
    let mut link = Query::new("update lead set operator_id = ");
    link.bind(&id)
        .push(", operator_name = ")
        .bind(&name)
        .push(" where id = ")
        .bind(&lead.id)
        .push(" and operator_id is null");
    if link.execute(&mut *tx).await? != 1 {
        return Err(StoreError::Conflict {
            field: "关联主体",
            message: "该线索刚被关联了主体，请刷新后查看".to_owned(),
        });
    }
    write_events(
        &mut tx,
        store.backend(),
        &scope.actor,
        &at,
        &[Event {
            operator_id: &id,
            kind: EventKind::Created,
            other_id: None,
            run_id: None,
            note: &lead.code,
        }],
    )
    .await?;
    audit::record(
        &mut tx,
        &scope.actor,
        now,
        Change {
            action: "operator.provisional",
            entity: "operator",
            entity_id: &id,
            region_code: Some(&lead.region_code),
            before: None,
            after: Some(serde_json::json!({"lead": lead.id, "name": name})),
        },
    )
    .await?;
    tx.commit().await?;
    read::get(store, &Scope::system(scope.actor.clone()), &id).await
}
