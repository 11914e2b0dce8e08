//! 涉嫌犯罪移送 (行刑衔接, `DOMAIN.md` §11): the officer proposes a transfer to the police, a
//! leader decides, the police decide on 立案, and the sender may ask them to reconsider. The
//! procuratorate is copied; neither sees the lead before the leader approves.

use meijian_domain::department::DepartmentKind;
use meijian_domain::lead::referral::ReferralStep;
use meijian_domain::lead::rules::LeadRules;
use meijian_domain::lead::workflow::LeadStep;
use meijian_domain::lead::{ReferralKind, ReferralState};
use meijian_domain::role::Permission;
use meijian_domain::workdays::Calendar;
use time::OffsetDateTime;

use super::{
    check_reason, decode_all, insert, referral, referral_permitted, Referral, ReferralRow, COLUMNS,
    FROM,
};
use crate::leads::routing::{departments_along, nearest};
use crate::leads::workflow::{event, permitted};
use crate::leads::{deadlines, get};
use crate::{audit, timefmt, Scope, Store, StoreError};

/// 涉嫌犯罪移送: to the police nearest the place, with a copy to the procuratorate. Whether the
/// lead may be transferred now is the workflow table's rule (`LeadStep::Police`).
#[tracing::instrument(skip_all)]
pub async fn refer_to_police(
    store: &Store,
    scope: &Scope,
    cal: &Calendar,
    rules: &LeadRules,
    now: OffsetDateTime,
    lead_id: &str,
    reason: &str,
) -> Result<String, StoreError> {
    let lead = permitted(store, scope, now, None, lead_id, LeadStep::Police).await?;
    let reason = check_reason(reason)?;
    let (chain, found) = departments_along(store, &lead.region_code).await?;
    let (police, _) = nearest(&chain, &found, &[DepartmentKind::Police])
        .ok_or_else(|| StoreError::invalid("公安机关", "当地没有公安部门账号，无法移送"))?;
    let procuratorate = nearest(&chain, &found, &[DepartmentKind::Procuratorate]).map(|(id, _)| id);
    let l = &rules.limits;
    let mut tx = store.begin().await?;
    let id = insert(
        &mut tx,
        scope,
        now,
        &lead.id,
        ReferralKind::Police,
        &lead.department_id,
        &police,
        procuratorate.as_deref(),
        &reason,
        deadlines::due_db(cal, now, l.crime_decide),
        deadlines::due_db(cal, now, l.crime_decide),
    )
    .await?;
    event(
        &mut tx,
        &lead.id,
        now,
        "referred",
        &scope.actor,
        Some(&lead.department_id),
        Some(&format!("提请涉嫌犯罪移送公安机关（抄送检察院）：{reason}")),
        false,
    )
    .await?;
    audit::record(
        &mut tx,
        &scope.actor,
        now,
        audit::Change {
            action: "referral.police",
            entity: "lead_referral",
            entity_id: &id,
            region_code: Some(&lead.region_code),
            before: None,
            after: Some(
                serde_json::json!({"lead_id": lead.id, "to": police, "copy": procuratorate}),
            ),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// A leader (正职负责人) of the jurisdiction approves or refuses a proposed transfer to the
/// police. On approval the transfer and the police's decision become due.
#[allow(clippy::too_many_arguments)]
#[tracing::instrument(skip_all)]
pub async fn approve_police(
    store: &Store,
    scope: &Scope,
    cal: &Calendar,
    rules: &LeadRules,
    now: OffsetDateTime,
    referral_id: &str,
    approve: bool,
    note: &str,
) -> Result<(), StoreError> {
    let r = referral(store, referral_id).await?;
    let lead = get(store, scope, &r.lead_id).await?;
    if r.kind != ReferralKind::Police {
        return Err(StoreError::NotFound);
    }
    let step = if approve {
        ReferralStep::Approve
    } else {
        ReferralStep::Withdraw
    };
    let row = referral_permitted(scope, &r, &lead.region_code, step)?;
    let note = note.trim();
    if !approve && note.chars().count() < 2 {
        return Err(StoreError::invalid("审批意见", "不批准时请写明理由"));
    }
    let l = &rules.limits;
    let transfer_due = deadlines::due(cal, now, l.crime_transfer);
    let decide_due = deadlines::due(cal, transfer_due, l.police_decide);
    let (to_state, action) = (row.to.code(), row.event);
    let note = Some(note).filter(|n| !n.is_empty());
    let mut tx = store.begin().await?;
    let n = sqlx::query(
        "update lead_referral set state = $1, acknowledge_due = $2, act_due = $3, \
         response = $4 where id = $5 and state = $6",
    )
    .bind(to_state)
    .bind(timefmt::to_db(transfer_due))
    .bind(timefmt::to_db(decide_due))
    .bind(note)
    .bind(&r.id)
    .bind(r.state.code())
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(crate::leads::stale("移送状态", "移送已被他人处理"));
    }
    event(
        &mut tx,
        &r.lead_id,
        now,
        action,
        &scope.actor,
        scope.department_id.as_deref(),
        note,
        false,
    )
    .await?;
    audit::record(
        &mut tx,
        &scope.actor,
        now,
        audit::Change {
            action: &format!("referral.{action}"),
            entity: "lead_referral",
            entity_id: &r.id,
            region_code: Some(&lead.region_code),
            before: Some(serde_json::json!({"state": r.state.code()})),
            after: Some(serde_json::json!({"state": to_state, "note": note})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// After the police refuse to open a case, the sender asks them to reconsider (复议) within
/// `police_decide` of the refusal, and the police decide again within the same limit.
#[tracing::instrument(skip_all)]
pub async fn request_reconsideration(
    store: &Store,
    scope: &Scope,
    cal: &Calendar,
    rules: &LeadRules,
    now: OffsetDateTime,
    referral_id: &str,
    reason: &str,
) -> Result<(), StoreError> {
    let r = referral(store, referral_id).await?;
    let row = referral_permitted(scope, &r, "", ReferralStep::Reconsider)?;
    let l = &rules.limits;
    let refused_at = r.acted_at.unwrap_or(now);
    if now > deadlines::due(cal, refused_at, l.police_decide) {
        return Err(StoreError::invalid(
            "复议",
            format!("申请复议须在不予立案后{}内提出", l.police_decide.label_zh()),
        ));
    }
    let reason = check_reason(reason)?;
    let mut tx = store.begin().await?;
    let n = sqlx::query(
        "update lead_referral set state = $4, act_due = $1, reason = $2 \
         where id = $3 and state = $5",
    )
    .bind(deadlines::due_db(cal, now, l.police_decide))
    .bind(format!("{}\n复议理由：{reason}", r.reason))
    .bind(&r.id)
    .bind(row.to.code())
    .bind(r.state.code())
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(crate::leads::stale("移送状态", "移送已被他人处理"));
    }
    event(
        &mut tx,
        &r.lead_id,
        now,
        row.event,
        &scope.actor,
        Some(&r.from_department_id),
        Some(&reason),
        false,
    )
    .await?;
    let region: Option<String> = sqlx::query_scalar("select region_code from lead where id = $1")
        .bind(&r.lead_id)
        .fetch_optional(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        &scope.actor,
        now,
        audit::Change {
            action: "referral.reconsider",
            entity: "lead_referral",
            entity_id: &r.id,
            region_code: region.as_deref(),
            before: Some(serde_json::json!({"state": r.state.code()})),
            after: Some(serde_json::json!({"state": row.to.code()})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Proposed transfers to the police waiting for a leader of the jurisdiction.
#[tracing::instrument(skip_all)]
pub async fn awaiting_approval(store: &Store, scope: &Scope) -> Result<Vec<Referral>, StoreError> {
    scope.require(Permission::SuperviseDeadlines)?;
    let (lo, hi) = scope.region_range();
    decode_all(
        sqlx::query_as::<_, ReferralRow>(&format!(
            "select {COLUMNS} from {FROM} where r.state = $3 \
             and l.region_code between $1 and $2 order by r.sent_at"
        ))
        .bind(lo)
        .bind(hi)
        .bind(ReferralState::Proposed.code())
        .fetch_all(store.pool())
        .await?,
    )
}
