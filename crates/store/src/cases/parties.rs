//! 当事人 and 处罚: the parties of a case and the actions decided against each, with the
//! discretion (裁量) and its reason. Parties change while investigating; actions until the
//! decision, each checked by the domain's rule ([`ActionInput::check`]).

use meijian_domain::case::workflow::CaseStep;
use meijian_domain::case::{ActionInput, CaseAction, Severity};
use time::OffsetDateTime;

use super::open::{checked_party, insert_party, text, NewParty};
use super::workflow::{audit_step, bump, event, permitted};
use super::{parties, Party};
use crate::{new_id, timefmt, Scope, Store, StoreError};

/// Adds a party (an operator of the 主体库 or a named person).
#[tracing::instrument(skip_all)]
pub async fn add_party(
    store: &Store,
    scope: &Scope,
    now: OffsetDateTime,
    case_id: &str,
    version: i64,
    party: &NewParty,
) -> Result<String, StoreError> {
    let (case, _) = permitted(store, scope, now, case_id, version, CaseStep::Parties).await?;
    let party = checked_party(store, scope, party).await?;
    let existing = parties(store, &case.id).await?;
    if existing.iter().any(|p| {
        (party.operator_id.is_some() && p.operator_id == party.operator_id)
            || (party.id_number.is_some() && p.id_number == party.id_number)
    }) {
        return Err(StoreError::invalid(
            "当事人",
            format!("“{}”已是本案当事人", party.name),
        ));
    }
    let mut tx = store.begin().await?;
    bump(&mut tx, &case, now, None).await?;
    let id = insert_party(&mut tx, &case.id, &party, now).await?;
    event(
        &mut tx,
        &case.id,
        now,
        CaseAction::PartyAdded,
        scope,
        Some(&party.name),
    )
    .await?;
    audit_step(
        &mut tx,
        scope,
        now,
        &case,
        "case.party_add",
        serde_json::json!({"party": id, "kind": party.kind.code(), "operator_id": party.operator_id}),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// The party `party_id` of the case, or not found.
async fn party_of(store: &Store, case_id: &str, party_id: &str) -> Result<Party, StoreError> {
    parties(store, case_id)
        .await?
        .into_iter()
        .find(|p| p.id == party_id)
        .ok_or(StoreError::NotFound)
}

/// Removes a party that has no action yet.
#[tracing::instrument(skip_all)]
pub async fn remove_party(
    store: &Store,
    scope: &Scope,
    now: OffsetDateTime,
    case_id: &str,
    version: i64,
    party_id: &str,
) -> Result<(), StoreError> {
    let (case, _) = permitted(store, scope, now, case_id, version, CaseStep::Parties).await?;
    let party = party_of(store, &case.id, party_id).await?;
    let actions: i64 = sqlx::query_scalar("select count(*) from case_action where party_id = $1")
        .bind(&party.id)
        .fetch_one(store.pool())
        .await?;
    if actions > 0 {
        return Err(StoreError::invalid("当事人", "请先删除该当事人的处罚"));
    }
    let mut tx = store.begin().await?;
    bump(&mut tx, &case, now, None).await?;
    sqlx::query("delete from case_party where id = $1")
        .bind(&party.id)
        .execute(&mut *tx)
        .await?;
    event(
        &mut tx,
        &case.id,
        now,
        CaseAction::PartyRemoved,
        scope,
        Some(&party.name),
    )
    .await?;
    audit_step(
        &mut tx,
        scope,
        now,
        &case,
        "case.party_remove",
        serde_json::json!({"party": party.id}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Records the discretion (从轻/一般/从重) of a party's penalty and its reason.
#[allow(clippy::too_many_arguments)]
#[tracing::instrument(skip_all)]
pub async fn set_severity(
    store: &Store,
    scope: &Scope,
    now: OffsetDateTime,
    case_id: &str,
    version: i64,
    party_id: &str,
    severity: Severity,
    reason: &str,
) -> Result<(), StoreError> {
    let (case, _) = permitted(store, scope, now, case_id, version, CaseStep::Penalties).await?;
    let party = party_of(store, &case.id, party_id).await?;
    let min = if severity == Severity::Ordinary { 0 } else { 4 };
    if reason.trim().chars().count() < min {
        return Err(StoreError::invalid(
            "裁量理由",
            format!(
                "{}处罚请写明理由（如危害后果、再次违法、从严从重情形）",
                severity.label_zh()
            ),
        ));
    }
    let reason = text("裁量理由", reason, 0, 1000)?;
    let mut tx = store.begin().await?;
    bump(&mut tx, &case, now, None).await?;
    sqlx::query("update case_party set severity = $1, severity_reason = $2 where id = $3")
        .bind(severity.code())
        .bind(Some(reason).filter(|r| !r.is_empty()))
        .bind(&party.id)
        .execute(&mut *tx)
        .await?;
    let note = format!(
        "{}：{}{}",
        party.name,
        severity.label_zh(),
        if reason.is_empty() {
            String::new()
        } else {
            format!("（{reason}）")
        }
    );
    event(
        &mut tx,
        &case.id,
        now,
        CaseAction::SeverityChanged,
        scope,
        Some(&note),
    )
    .await?;
    audit_step(
        &mut tx,
        scope,
        now,
        &case,
        "case.severity",
        serde_json::json!({"party": party.id, "severity": severity.code()}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Adds an action against a party. Returns its 处罚编号.
#[allow(clippy::too_many_arguments)]
#[tracing::instrument(skip_all)]
pub async fn add_action(
    store: &Store,
    scope: &Scope,
    now: OffsetDateTime,
    case_id: &str,
    version: i64,
    party_id: &str,
    action: &ActionInput,
) -> Result<String, StoreError> {
    let (case, _) = permitted(store, scope, now, case_id, version, CaseStep::Penalties).await?;
    let party = party_of(store, &case.id, party_id).await?;
    action
        .check(party.kind, case.filed_on)
        .map_err(|e| StoreError::invalid(e.field, e.message))?;
    if action.decided_on > crate::leads::deadlines::china_date(now) {
        return Err(StoreError::invalid("决定日期", "不能晚于今天"));
    }
    let n: i64 = sqlx::query_scalar("select count(*) from case_action where case_id = $1")
        .bind(&case.id)
        .fetch_one(store.pool())
        .await?;
    let penalty_no = format!("{}-{}", case.case_no, n + 1);
    let id = new_id();
    let mut tx = store.begin().await?;
    bump(&mut tx, &case, now, None).await?;
    sqlx::query(
        "insert into case_action (id, penalty_no, case_id, party_id, kind, amount_fen, \
         ban_years, decided_on, decision_no, created_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(&id)
    .bind(&penalty_no)
    .bind(&case.id)
    .bind(&party.id)
    .bind(action.kind.code())
    .bind(action.amount.map_or(0, |a| a.fen()))
    .bind(action.ban_years.map(i64::from))
    .bind(timefmt::day_to_db(action.decided_on))
    .bind(action.decision_no.trim())
    .bind(timefmt::to_db(now))
    .execute(&mut *tx)
    .await?;
    let amount = action
        .amount
        .map(|a| format!(" {}元", a.yuan_text()))
        .unwrap_or_default();
    let years = action
        .ban_years
        .map(|y| format!(" {y}年"))
        .unwrap_or_default();
    let note = format!(
        "{}：{}{amount}{years}（{}，{}）",
        party.name,
        action.kind.label_zh(),
        action.decision_no.trim(),
        action.decided_on
    );
    event(
        &mut tx,
        &case.id,
        now,
        CaseAction::ActionAdded,
        scope,
        Some(&note),
    )
    .await?;
    audit_step(
        &mut tx,
        scope,
        now,
        &case,
        "case.action_add",
        serde_json::json!({
            "penalty_no": penalty_no, "party": party.id, "kind": action.kind.code(),
            "amount_fen": action.amount.map(|a| a.fen()), "ban_years": action.ban_years,
            "decided_on": timefmt::day_to_db(action.decided_on), "decision_no": action.decision_no.trim(),
        }),
    )
    .await?;
    tx.commit().await?;
    Ok(penalty_no)
}

/// Removes an action entered by mistake, before the decision.
#[tracing::instrument(skip_all)]
pub async fn remove_action(
    store: &Store,
    scope: &Scope,
    now: OffsetDateTime,
    case_id: &str,
    version: i64,
    action_id: &str,
) -> Result<(), StoreError> {
    let (case, _) = permitted(store, scope, now, case_id, version, CaseStep::Penalties).await?;
    let found: Option<(String, String)> =
        sqlx::query_as("select penalty_no, kind from case_action where id = $1 and case_id = $2")
            .bind(action_id)
            .bind(&case.id)
            .fetch_optional(store.pool())
            .await?;
    let (penalty_no, kind) = found.ok_or(StoreError::NotFound)?;
    let mut tx = store.begin().await?;
    bump(&mut tx, &case, now, None).await?;
    sqlx::query("delete from case_action where id = $1")
        .bind(action_id)
        .execute(&mut *tx)
        .await?;
    event(
        &mut tx,
        &case.id,
        now,
        CaseAction::ActionRemoved,
        scope,
        Some(&penalty_no),
    )
    .await?;
    audit_step(
        &mut tx,
        scope,
        now,
        &case,
        "case.action_remove",
        serde_json::json!({"penalty_no": penalty_no, "kind": kind}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
