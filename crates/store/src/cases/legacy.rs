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
