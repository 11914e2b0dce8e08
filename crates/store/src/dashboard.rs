//! The counts on the dashboard (工作台), read from the database within the user's scope.

use serde::Serialize;
use time::OffsetDateTime;

use crate::{timefmt, Scope, Store, StoreError};

/// Counts for the dashboard; every figure is within the scope's jurisdiction.
#[derive(Debug, Clone, Serialize)]
pub struct Counts {
    pub departments: i64,
    pub accounts: i64,
    pub active_accounts_today: i64,
    pub audit_entries_today: i64,
}

/// Reads the counts. "Today" is the China Standard Time calendar day of `now`.
#[tracing::instrument(skip_all)]
pub async fn counts(
    store: &Store,
    scope: &Scope,
    now: OffsetDateTime,
) -> Result<Counts, StoreError> {
    scope.require(meijian_domain::role::Permission::ViewDashboard)?;
    let (lo, hi) = scope.region_range();
    let local = now.to_offset(timefmt::cst());
    let midnight = local.replace_time(time::Time::MIDNIGHT);
    let since = timefmt::to_db(midnight);
    let departments =
        sqlx::query_scalar("select count(*) from department where region_code between $1 and $2")
            .bind(lo)
            .bind(hi)
            .fetch_one(store.pool())
            .await?;
    let accounts = sqlx::query_scalar(
        "select count(*) from account a join department d on d.id = a.department_id \
         where d.region_code between $1 and $2 and a.disabled = 0",
    )
    .bind(lo)
    .bind(hi)
    .fetch_one(store.pool())
    .await?;
    let active_accounts_today = sqlx::query_scalar(
        "select count(distinct actor_id) from audit_entry where action = 'account.login' \
         and at >= $1 and region_code between $2 and $3",
    )
    .bind(&since)
    .bind(lo)
    .bind(hi)
    .fetch_one(store.pool())
    .await?;
    let audit_entries_today = sqlx::query_scalar(
        "select count(*) from audit_entry where at >= $1 and region_code between $2 and $3",
    )
    .bind(&since)
    .bind(lo)
    .bind(hi)
    .fetch_one(store.pool())
    .await?;
    Ok(Counts {
        departments,
        accounts,
        active_accounts_today,
        audit_entries_today,
    })
}
