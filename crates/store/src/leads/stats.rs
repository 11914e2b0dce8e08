//! Counts read straight from the leads: the complaint line of the seed 汇总表 (`001`: 投诉举报,
//! 办结, 实施行政处罚, 反馈, 举报人满意) per district, and the due and overdue work for the
//! dashboard and the leaders' list per department.

use meijian_domain::role::Permission;
use time::OffsetDateTime;

use super::{visible_binds, visible_sql};
use crate::{timefmt, Scope, Store, StoreError};

/// The complaint line of the 汇总表 for one district and period.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct ComplaintCounts {
    pub region_code: String,
    /// 投诉举报: complaints and reports received in the period.
    pub received: i64,
    /// 办结: of them and earlier ones, concluded or declined in the period.
    pub concluded: i64,
    /// 实施行政处罚: concluded in the period with a penalty, read from the lead's case (a case
    /// withdrawn since counts nowhere).
    pub penalised: i64,
    /// 反馈: replies given in the period (a declined complaint's notice counts as feedback).
    pub replied: i64,
    /// 举报人满意: replies of the period rated 满意 or 基本满意.
    pub satisfied: i64,
}

/// The 汇总表 complaint counts per district of the jurisdiction for `[from, to)`, plus a
/// total row with an empty region code at the end.
#[tracing::instrument(skip_all)]
pub async fn complaint_counts(
    store: &Store,
    scope: &Scope,
    from: OffsetDateTime,
    to: OffsetDateTime,
) -> Result<Vec<ComplaintCounts>, StoreError> {
    if !(scope.can(Permission::ViewStatistics) || scope.can(Permission::HandleLeads)) {
        return Err(StoreError::Forbidden);
    }
    let (lo, hi) = scope.region_range();
    let rows: Vec<(String, i64, i64, i64, i64, i64)> = sqlx::query_as(
        "select l.region_code, \
           sum(case when l.received_at >= $1 and l.received_at < $2 then 1 else 0 end), \
           sum(case when (l.concluded_at >= $1 and l.concluded_at < $2) \
                 or (l.declined_at >= $1 and l.declined_at < $2) then 1 else 0 end), \
           sum(case when l.concluded_at >= $1 and l.concluded_at < $2 and l.outcome = 'penalty' \
                 and exists (select 1 from case_lead cl join enforcement_case c on c.id = cl.case_id \
                 where cl.lead_id = l.id and c.stage <> 'withdrawn') then 1 else 0 end), \
           sum(case when (l.replied_at >= $1 and l.replied_at < $2) \
                 or (l.declined_at >= $1 and l.declined_at < $2) then 1 else 0 end), \
           sum(case when l.replied_at >= $1 and l.replied_at < $2 \
                 and l.satisfaction in ('satisfied', 'basic') then 1 else 0 end) \
         from lead l where l.source = 'complaint' and l.region_code between $3 and $4 \
         group by l.region_code order by l.region_code",
    )
    .bind(timefmt::to_db(from))
    .bind(timefmt::to_db(to))
    .bind(lo)
    .bind(hi)
    .fetch_all(store.pool())
    .await?;
    let mut total = ComplaintCounts::default();
    let mut out: Vec<ComplaintCounts> = rows
        .into_iter()
        .map(
            |(region_code, received, concluded, penalised, replied, satisfied)| {
                total.received += received;
                total.concluded += concluded;
                total.penalised += penalised;
                total.replied += replied;
                total.satisfied += satisfied;
                ComplaintCounts {
                    region_code,
                    received,
                    concluded,
                    penalised,
                    replied,
                    satisfied,
                }
            },
        )
        .collect();
    out.push(total);
    Ok(out)
}

/// Work waiting on the caller (their department's leads; a leader's whole jurisdiction).
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct DueCounts {
    pub open: i64,
    pub due_soon: i64,
    pub overdue: i64,
    /// Referrals to the caller's department not yet answered.
    pub referrals_waiting: i64,
}

/// Due counts for the dashboard: overdue before `now`, due soon until `warn_until`. A lead
/// the caller's department only sent or received a copy of is not its work: it counts for
/// the department handling it (and for the leaders).
#[tracing::instrument(skip_all)]
pub async fn due_counts(
    store: &Store,
    scope: &Scope,
    now: OffsetDateTime,
    warn_until: OffsetDateTime,
) -> Result<DueCounts, StoreError> {
    if !scope.can(Permission::HandleLeads) {
        return Ok(DueCounts::default());
    }
    let (dept, all, lo, hi) = visible_binds(scope);
    let row: (i64, i64, i64) = sqlx::query_as(&format!(
        "select count(*), \
           coalesce(sum(case when l.next_due >= $5 and l.next_due <= $6 then 1 else 0 end), 0), \
           coalesce(sum(case when l.next_due < $5 then 1 else 0 end), 0) \
         from lead l where l.next_due is not null and (l.department_id = $1 or $2 = 1) and {}",
        visible_sql(1)
    ))
    .bind(&dept)
    .bind(all)
    .bind(&lo)
    .bind(&hi)
    .bind(timefmt::to_db(now))
    .bind(timefmt::to_db(warn_until))
    .fetch_one(store.pool())
    .await?;
    let referrals_waiting: i64 = sqlx::query_scalar(
        "select count(*) from lead_referral where to_department_id = $1 \
         and state in ('sent', 'acknowledged')",
    )
    .bind(&dept)
    .fetch_one(store.pool())
    .await?;
    Ok(DueCounts {
        open: row.0,
        due_soon: row.1,
        overdue: row.2,
        referrals_waiting,
    })
}

/// One department's open and overdue leads, for a leader.
#[derive(Clone, Debug, serde::Serialize, sqlx::FromRow)]
pub struct DepartmentLoad {
    pub department_id: String,
    pub department_name: String,
    pub open: i64,
    pub overdue: i64,
}

/// Open and overdue leads per department of the leader's jurisdiction, most overdue first.
#[tracing::instrument(skip_all)]
pub async fn by_department(
    store: &Store,
    scope: &Scope,
    now: OffsetDateTime,
) -> Result<Vec<DepartmentLoad>, StoreError> {
    scope.require(Permission::SuperviseDeadlines)?;
    let (lo, hi) = scope.region_range();
    Ok(sqlx::query_as::<_, DepartmentLoad>(
        "select d.id as department_id, d.name as department_name, count(*) as open, \
           coalesce(sum(case when l.next_due < $1 then 1 else 0 end), 0) as overdue \
         from lead l join department d on d.id = l.department_id \
         where l.next_due is not null and l.region_code between $2 and $3 \
         group by d.id, d.name order by overdue desc, open desc",
    )
    .bind(timefmt::to_db(now))
    .bind(lo)
    .bind(hi)
    .fetch_all(store.pool())
    .await?)
}
