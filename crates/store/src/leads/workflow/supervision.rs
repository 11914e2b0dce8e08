//! 督办: a leader of the jurisdiction chases an overdue lead; the record stays on the lead.

use time::OffsetDateTime;

use super::{audit_step, event, permitted};
use crate::leads::{written, Lead};
use crate::stored::At;
use crate::{new_id, timefmt, Scope, Store, StoreError};
use meijian_domain::lead::LeadStep;

/// 督办: a leader chases an overdue lead of the jurisdiction.
#[tracing::instrument(skip_all)]
pub async fn supervise(
    store: &Store,
    scope: &Scope,
    now: OffsetDateTime,
    id: &str,
    note: &str,
) -> Result<(), StoreError> {
    let lead = permitted(store, scope, now, None, id, LeadStep::Supervise).await?;
    let now_db = timefmt::to_db(now);
    let note = written("督办意见", note, 2, 500)?;
    let mut tx = store.begin().await?;
    sqlx::query(
        "insert into lead_supervision (id, lead_id, at, by_id, by_name, note, due) \
         values ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(new_id())
    .bind(&lead.id)
    .bind(&now_db)
    .bind(scope.actor.account_id.clone().unwrap_or_default())
    .bind(&scope.actor.name)
    .bind(note)
    .bind(lead.next_due.map(timefmt::to_db))
    .execute(&mut *tx)
    .await?;
    event(
        &mut tx,
        &lead.id,
        now,
        "supervised",
        &scope.actor,
        scope.department_id.as_deref(),
        Some(note),
        false,
    )
    .await?;
    audit_step(
        &mut tx,
        scope,
        now,
        &lead,
        "lead.supervise",
        serde_json::json!({"note": note}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// 督办 records of a lead, read through [`SupervisionRow`].
#[derive(Clone, Debug, serde::Serialize)]
pub struct Supervision {
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub by_name: String,
    pub note: String,
    #[serde(with = "time::serde::rfc3339::option")]
    pub due: Option<OffsetDateTime>,
}

/// A supervision row as stored.
#[derive(sqlx::FromRow)]
struct SupervisionRow {
    id: String,
    at: String,
    by_name: String,
    note: String,
    due: Option<String>,
}

impl SupervisionRow {
    fn decode(self) -> Result<Supervision, StoreError> {
        let at = At::new("lead_supervision", &self.id);
        Ok(Supervision {
            at: at.time("at", &self.at)?,
            due: at.time_opt("due", self.due.as_deref())?,
            by_name: self.by_name,
            note: self.note,
        })
    }
}

/// `lead` comes from [`crate::leads::get`] or [`crate::leads::list`], so the caller may see it.
#[tracing::instrument(skip_all)]
pub async fn supervisions(store: &Store, lead: &Lead) -> Result<Vec<Supervision>, StoreError> {
    sqlx::query_as::<_, SupervisionRow>(
        "select id, at, by_name, note, due from lead_supervision where lead_id = $1 \
         order by at, id",
    )
    .bind(&lead.id)
    .fetch_all(store.pool())
    .await?
    .into_iter()
    .map(SupervisionRow::decode)
    .collect()
}
