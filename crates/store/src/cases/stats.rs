//! What other features read from cases: the penalty facts of a lead for the reward rules, and
//! the overdue decisions for the dashboard.

use meijian_domain::lead::rules::PenaltyFacts;
use meijian_domain::lead::Fen;
use time::OffsetDateTime;

use super::visible;
use crate::sql::Query;
use crate::{timefmt, Scope, Store, StoreError};

/// What the cases a lead led to established (withdrawn cases count nowhere); `None` when the
/// lead has no such case.
#[tracing::instrument(skip_all)]
pub async fn penalty_facts(
    store: &Store,
    lead_id: &str,
) -> Result<Option<PenaltyFacts>, StoreError> {
    let (cases, forfeiture, stops, judicial, organisation): (i64, i64, i64, i64, i64) =
        sqlx::query_as(
            "select count(distinct c.id), \
             cast(coalesce(sum(case when a.kind in ('fine', 'confiscate_income') then a.amount_fen else 0 end), 0) as bigint), \
             cast(coalesce(sum(case when a.kind in ('suspend', 'suspend_licence', 'revoke') then 1 else 0 end), 0) as bigint), \
             cast(coalesce(sum(case when a.kind = 'judicial' then 1 else 0 end), 0) as bigint), \
             cast(coalesce(sum(case when p.kind = 'organisation' then 1 else 0 end), 0) as bigint) \
             from case_lead cl join enforcement_case c on c.id = cl.case_id \
             left join case_action a on a.case_id = c.id \
             left join case_party p on p.id = a.party_id \
             where cl.lead_id = $1 and c.stage <> 'withdrawn'",
        )
        .bind(lead_id)
        .fetch_one(store.pool())
        .await?;
    if cases == 0 {
        return Ok(None);
    }
    Ok(Some(PenaltyFacts {
        forfeiture: Fen(forfeiture),
        suspended_closed_or_revoked: stops > 0,
        criminal: judicial > 0,
        organisation: organisation > 0,
    }))
}

/// The case a lead led to (not withdrawn): (id, 案件编号, stage code).
#[tracing::instrument(skip_all)]
pub async fn case_of_lead(
    store: &Store,
    lead_id: &str,
) -> Result<Option<(String, String, String)>, StoreError> {
    Ok(sqlx::query_as(
        "select c.id, c.case_no, c.stage from case_lead cl \
         join enforcement_case c on c.id = cl.case_id \
         where cl.lead_id = $1 and c.stage <> 'withdrawn' order by c.filed_on desc",
    )
    .bind(lead_id)
    .fetch_optional(store.pool())
    .await?)
}

/// The cases waiting for a decision that the scope sees: how many, how many are near their
/// limit (due by `soon`) and how many are past it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct DueCounts {
    pub open: i64,
    pub due_soon: i64,
    pub overdue: i64,
}

/// [`DueCounts`] at `now`, with `soon` the end of the warning window.
#[tracing::instrument(skip_all)]
pub async fn due_counts(
    store: &Store,
    scope: &Scope,
    now: OffsetDateTime,
    soon: OffsetDateTime,
) -> Result<DueCounts, StoreError> {
    let (now, soon) = (timefmt::to_db(now), timefmt::to_db(soon));
    let mut q = Query::new("select count(*), cast(coalesce(sum(case when c.decide_due >= ");
    q.bind(&now)
        .push(" and c.decide_due <= ")
        .bind(&soon)
        .push(" then 1 else 0 end), 0) as bigint), cast(coalesce(sum(case when c.decide_due < ")
        .bind(&now)
        .push(
            " then 1 else 0 end), 0) as bigint) from enforcement_case c \
             where c.stage in ('filed', 'investigating', 'notified')",
        )
        .append(&visible(scope));
    let row: Option<(i64, i64, i64)> = q.fetch_optional(store.pool()).await?;
    let (open, due_soon, overdue) = row.unwrap_or((0, 0, 0));
    Ok(DueCounts {
        open,
        due_soon,
        overdue,
    })
}

/// A request to extend a case's decision limit, waiting for a leader.
#[derive(Clone, Debug, serde::Serialize)]
pub struct PendingExtension {
    pub case_id: String,
    pub case_no: String,
    pub authority: String,
    pub reason: String,
}

/// The extension requests of cases in the scope's jurisdiction (for its leaders).
#[tracing::instrument(skip_all)]
pub async fn pending_extensions(
    store: &Store,
    scope: &Scope,
) -> Result<Vec<PendingExtension>, StoreError> {
    let mut q = Query::new(
        "select c.id, c.case_no, c.authority, coalesce(c.extension_reason, '') \
         from enforcement_case c where c.extension_state = 'requested'",
    );
    q.in_scope("c.region_code", scope)
        .push(" order by c.decide_due");
    let rows: Vec<(String, String, String, String)> = q.fetch_all(store.pool()).await?;
    Ok(rows
        .into_iter()
        .map(|(case_id, case_no, authority, reason)| PendingExtension {
            case_id,
            case_no,
            authority,
            reason,
        })
        .collect())
}
