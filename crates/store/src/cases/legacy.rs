//! The cases that migration `20261203000050` made from the penalty facts of concluded leads.
//! Portable SQL has no calendar arithmetic, so the migration wrote each day as the UTC day of
//! its instant; [`china_days`] rewrites them as days in China (an instant at 01:30 in China is
//! still the day before in UTC), right after the migration has run.

use crate::leads::deadlines::china_date;
use crate::stored::At;
use crate::{timefmt, Store, StoreError};

/// The migration that moved lead penalty facts into cases.
pub const MIGRATION: i64 = 20261203000050;

/// Rewrites the 立案, 决定 and 结案 days of the migrated cases, and their actions' days, as days
/// in China. Idempotent: the days are computed again from the leads' instants.
#[tracing::instrument(skip_all)]
pub async fn china_days(store: &Store) -> Result<usize, StoreError> {
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "select c.id, coalesce(l.accepted_at, l.received_at), l.concluded_at \
         from enforcement_case c join lead l on 'AJ' || l.code = c.id \
         where c.created_by = '系统迁移' and l.concluded_at is not null",
    )
    .fetch_all(store.pool())
    .await?;
    let mut tx = store.begin().await?;
    for (id, filed, concluded) in &rows {
        let at = At::new("lead", id);
        let filed = timefmt::day_to_db(china_date(at.time("accepted_at", filed)?));
        let decided = timefmt::day_to_db(china_date(at.time("concluded_at", concluded)?));
        sqlx::query(
            "update enforcement_case set filed_on = $1, decided_on = $2, closed_on = $2 \
             where id = $3",
        )
        .bind(&filed)
        .bind(&decided)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("update case_action set decided_on = $1 where case_id = $2")
            .bind(&decided)
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(rows.len())
}

/// The migration that made the transfer to the police a step of the case only.
pub const TRANSFER_MIGRATION: i64 = 20261203000056;

/// A lead-level transfer to the police as the previous release left it.
#[derive(sqlx::FromRow)]
struct OldTransfer {
    id: String,
    lead_id: String,
    to_department_id: String,
    copy_department_id: Option<String>,
    reason: String,
    state: String,
    sent_at: String,
    sent_by: String,
    act_due: String,
    acknowledged_at: Option<String>,
    acted_at: Option<String>,
    response: Option<String>,
}

/// Moves every lead-level transfer to the police (`lead_referral` of kind `police`) onto the
/// case of its lead (or its group), opening a case for a lead that has none: 立案 on the day the
/// lead was accepted, closed when the lead is concluded, its decision due when the lead's
/// conclusion was. The police and the procuratorate get the grant a sent transfer gives them.
/// The lead's own events stay as they were. One transaction; idempotent (moved rows are gone).
#[tracing::instrument(skip_all)]
pub async fn police_referrals(store: &Store) -> Result<usize, StoreError> {
    use meijian_domain::case::transfer::TransferState as T;
    let old: Vec<OldTransfer> = sqlx::query_as(
        "select id, lead_id, to_department_id, copy_department_id, reason, state, sent_at, \
         sent_by, act_due, acknowledged_at, acted_at, response from lead_referral \
         where kind = 'police' order by sent_at, id",
    )
    .fetch_all(store.pool())
    .await?;
    let mut tx = store.begin().await?;
    for r in &old {
        let at = At::new("lead_referral", &r.id);
        let case_id = case_of(&mut tx, &r.lead_id).await?;
        let state = match r.state.as_str() {
            "proposed" => T::Proposed,
            "sent" => T::Sent,
            "acknowledged" => T::Received,
            "filed" => T::Filed,
            "refused" => T::Refused,
            "reconsider" => T::Reconsidering,
            "withdrawn" => T::Withdrawn,
            other => {
                return Err(StoreError::Corrupt {
                    table: "lead_referral",
                    id: r.id.clone(),
                    column: "state",
                    value: other.to_string(),
                })
            }
        };
        // The lead's events hold when the leader approved (which sent it) and 复议 was asked.
        let approved: Option<String> = sqlx::query_scalar(
            "select min(at) from lead_event where lead_id = $1 and action = 'police_approved'",
        )
        .bind(&r.lead_id)
        .fetch_one(&mut *tx)
        .await?;
        let reconsidered: Option<String> = sqlx::query_scalar(
            "select max(at) from lead_event where lead_id = $1 and action = 'police_reconsider'",
        )
        .bind(&r.lead_id)
        .fetch_one(&mut *tx)
        .await?;
        let proposed = state == T::Proposed;
        let withdrawn = state == T::Withdrawn;
        let sent_at = approved.clone().filter(|_| !proposed && !withdrawn);
        let waits_police = matches!(state, T::Sent | T::Received | T::Reconsidering);
        let decided = matches!(state, T::Filed | T::Refused);
        at.time("sent_at", &r.sent_at)?;
        sqlx::query(
            "insert into case_transfer (id, case_id, police_department_id, \
             procuratorate_department_id, urgent, reason, state, proposed_at, proposed_by, \
             decide_due, decided_at, sent_at, receipt_at, police_due, police_decision, \
             police_decided_at, police_note, copied_at, reconsidered_at) \
             values ($1, $2, $3, $4, 0, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, \
             $17, $18)",
        )
        .bind(&r.id)
        .bind(&case_id)
        .bind(&r.to_department_id)
        .bind(&r.copy_department_id)
        .bind(&r.reason)
        .bind(state.code())
        .bind(&r.sent_at)
        .bind(&r.sent_by)
        .bind(if proposed { &r.act_due } else { &r.sent_at })
        .bind(approved.clone().filter(|_| !proposed))
        .bind(&sent_at)
        .bind(&r.acknowledged_at)
        .bind(Some(&r.act_due).filter(|_| waits_police))
        .bind(Some(state.code()).filter(|_| decided))
        .bind(r.acted_at.as_ref().filter(|_| decided))
        .bind(r.response.as_ref().filter(|_| decided))
        .bind(sent_at.as_ref().filter(|_| r.copy_department_id.is_some()))
        .bind(&reconsidered)
        .execute(&mut *tx)
        .await?;
        if let Some(sent) = &sent_at {
            for dept in std::iter::once(&r.to_department_id).chain(&r.copy_department_id) {
                sqlx::query(
                    "insert into case_grant (case_id, department_id, granted_by, granted_at, \
                     note) select $1, $2, $3, $4, '涉嫌犯罪移送' where not exists \
                     (select 1 from case_grant where case_id = $1 and department_id = $2)",
                )
                .bind(&case_id)
                .bind(dept)
                .bind(&r.sent_by)
                .bind(sent)
                .execute(&mut *tx)
                .await?;
            }
        }
        sqlx::query(
            "insert into case_event (id, case_id, at, action, actor_name, note) \
             values ($1, $2, $3, 'transfer_proposed', $4, $5)",
        )
        .bind(crate::new_id())
        .bind(&case_id)
        .bind(&r.sent_at)
        .bind(&r.sent_by)
        .bind(format!("由线索的涉嫌犯罪移送迁移：{}", r.reason))
        .execute(&mut *tx)
        .await?;
        sqlx::query("delete from lead_referral where id = $1")
            .bind(&r.id)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(old.len())
}

/// The case of lead `lead_id`'s group, opened (with its leads linked) when there is none.
async fn case_of(tx: &mut crate::Tx, lead_id: &str) -> Result<String, StoreError> {
    let group: String = sqlx::query_scalar("select coalesce(group_id, id) from lead where id = $1")
        .bind(lead_id)
        .fetch_one(&mut **tx)
        .await?;
    let found: Option<String> = sqlx::query_scalar(
        "select cl.case_id from case_lead cl join enforcement_case c on c.id = cl.case_id \
         join lead l on l.id = cl.lead_id \
         where (l.id = $1 or l.group_id = $1) and c.stage <> 'withdrawn' \
         order by c.created_at limit 1",
    )
    .bind(&group)
    .fetch_optional(&mut **tx)
    .await?;
    if let Some(id) = found {
        return Ok(id);
    }
    #[derive(sqlx::FromRow)]
    struct Head {
        code: String,
        category: String,
        source: String,
        region_code: String,
        department_id: Option<String>,
        summary: String,
        subject_name: String,
        operator_id: Option<String>,
        operator_name: Option<String>,
        state: String,
        received_at: String,
        accepted_at: Option<String>,
        concluded_at: Option<String>,
        next_step: Option<String>,
        next_due: Option<String>,
    }
    let l: Head = sqlx::query_as(
        "select code, category, source, region_code, department_id, summary, subject_name, \
         operator_id, operator_name, state, received_at, accepted_at, concluded_at, next_step, \
         next_due from lead where id = $1",
    )
    .bind(&group)
    .fetch_one(&mut **tx)
    .await?;
    let at = At::new("lead", &group);
    let day = |v: &str, col: &'static str| -> Result<String, StoreError> {
        Ok(timefmt::day_to_db(china_date(at.time(col, v)?)))
    };
    let filed_on = day(
        l.accepted_at.as_deref().unwrap_or(&l.received_at),
        "accepted_at",
    )?;
    let closed_on = l
        .concluded_at
        .as_deref()
        .filter(|_| l.state == "concluded")
        .map(|c| day(c, "concluded_at"))
        .transpose()?;
    let stage = if closed_on.is_some() {
        "closed"
    } else {
        "investigating"
    };
    let decide_due = l
        .next_due
        .clone()
        .filter(|_| closed_on.is_none() && l.next_step.as_deref() == Some("conclude"));
    let origin = match l.source.as_str() {
        "complaint" => "complaint",
        "inspection" => "inspection",
        "monitoring" => "monitoring",
        "judicial_notice" => "referral",
        _ => "other",
    };
    let authority: Option<String> = match &l.department_id {
        Some(d) => {
            sqlx::query_scalar("select name from department where id = $1")
                .bind(d)
                .fetch_optional(&mut **tx)
                .await?
        }
        None => None,
    };
    let id = crate::new_id();
    let created = l
        .accepted_at
        .clone()
        .unwrap_or_else(|| l.received_at.clone());
    sqlx::query(
        "insert into enforcement_case (id, case_no, title, category, origin, stage, region_code, \
         department_id, authority, violation, filed_on, decide_due, closed_on, close_note, \
         source, created_by, created_at, updated_at, version) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 'officer', \
         '系统迁移（涉嫌犯罪移送）', $15, $15, 1)",
    )
    .bind(&id)
    .bind(format!("YS{}", l.code))
    .bind(format!("{}案", l.subject_name))
    .bind(&l.category)
    .bind(origin)
    .bind(stage)
    .bind(&l.region_code)
    .bind(&l.department_id)
    .bind(authority.unwrap_or_default())
    .bind(&l.summary)
    .bind(&filed_on)
    .bind(&decide_due)
    .bind(&closed_on)
    .bind(closed_on.as_ref().map(|_| "由线索的涉嫌犯罪移送迁移"))
    .bind(&created)
    .execute(&mut **tx)
    .await?;
    let (kind, name) = match (&l.operator_id, &l.operator_name) {
        (Some(_), Some(n)) => ("organisation", n.clone()),
        _ => ("person", l.subject_name.clone()),
    };
    sqlx::query(
        "insert into case_party (id, case_id, seq, kind, name, operator_id, created_at) \
         values ($1, $2, 1, $3, $4, $5, $6)",
    )
    .bind(format!("{id}-P1"))
    .bind(&id)
    .bind(kind)
    .bind(name)
    .bind(&l.operator_id)
    .bind(&created)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "insert into case_lead (case_id, lead_id) \
         select $1, id from lead where id = $2 or group_id = $2",
    )
    .bind(&id)
    .bind(&group)
    .execute(&mut **tx)
    .await?;
    // The case's decision limit replaces the lead's conclude clock.
    sqlx::query(
        "update lead set next_due = null, next_step = null \
         where (id = $1 or group_id = $1) and next_step = 'conclude'",
    )
    .bind(&group)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "insert into case_event (id, case_id, at, action, actor_name, note) \
         values ($1, $2, $3, 'opened', '系统迁移', $4)",
    )
    .bind(crate::new_id())
    .bind(&id)
    .bind(&created)
    .bind(format!("由线索 {} 的涉嫌犯罪移送立案", l.code))
    .execute(&mut **tx)
    .await?;
    Ok(id)
}
