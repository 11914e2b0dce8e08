//! 进度查询: what the reporter reads with the ticket code and secret — the steps taken, the
//! reply, and a place to say whether they are satisfied. A wrong code and a wrong secret give
//! the same answer; officers' names are never shown.

use meijian_domain::lead::codes::LeadAction;
use meijian_domain::lead::{LeadState, Satisfaction};
use time::OffsetDateTime;

use super::intake::{normalise_code, secret_hash};
use super::{workflow, Lead, LeadRow, LEAD_COLUMNS};
use crate::{Actor, Store, StoreError};

/// One step as the reporter sees it.
#[derive(Clone, Debug, serde::Serialize)]
pub struct PublicStep {
    pub at: OffsetDateTime,
    pub step: &'static str,
    pub note: Option<String>,
}

/// The status page of one complaint.
#[derive(Clone, Debug, serde::Serialize)]
pub struct PublicStatus {
    pub ticket_code: String,
    pub lead_code: String,
    pub kind: &'static str,
    pub category: &'static str,
    pub department: String,
    pub state: &'static str,
    pub received_at: OffsetDateTime,
    /// When the acceptance decision is due, while it is pending.
    pub accept_due: Option<OffsetDateTime>,
    pub steps: Vec<PublicStep>,
    pub reply: Option<String>,
    pub satisfaction: Option<&'static str>,
    /// Whether the reporter may rate now (replied, not yet rated).
    pub can_rate: bool,
}

fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// A lead found by its ticket, with the stored hash of the ticket's secret.
#[derive(sqlx::FromRow)]
struct Found {
    #[sqlx(flatten)]
    lead: LeadRow,
    secret_hash: String,
}

/// One read: the public status page is the most frequent request of the public side.
async fn find(store: &Store, ticket: &str, secret: &str) -> Result<Lead, StoreError> {
    let found = sqlx::query_as::<_, Found>(&format!(
        "select {LEAD_COLUMNS}, c.secret_hash from complaint c join lead l on l.id = c.lead_id \
         join department d on d.id = l.department_id where c.ticket_code = $1"
    ))
    .bind(normalise_code(ticket))
    .fetch_optional(store.pool())
    .await?
    .ok_or(StoreError::NotFound)?;
    if !same(&found.secret_hash, &secret_hash(secret)) {
        return Err(StoreError::NotFound);
    }
    found.lead.decode()
}

/// The status behind a ticket; `NotFound` unless code and secret match.
#[tracing::instrument(skip_all)]
pub async fn lookup(store: &Store, ticket: &str, secret: &str) -> Result<PublicStatus, StoreError> {
    let lead = find(store, ticket, secret).await?;
    let steps = workflow::public_events(store, &lead.id).await?;
    let state = lead.state();
    Ok(PublicStatus {
        ticket_code: normalise_code(ticket),
        lead_code: lead.code.clone(),
        kind: lead.kind.label_zh(),
        category: lead.category.label_zh(),
        department: lead.department_name.clone(),
        state: if state == LeadState::Concluded && lead.replied_at.is_some() {
            "已答复"
        } else {
            state.label_zh()
        },
        received_at: lead.received_at,
        accept_due: (state == LeadState::Received)
            .then_some(lead.accept_due)
            .flatten(),
        steps: steps
            .into_iter()
            .map(|e| PublicStep {
                at: e.at,
                step: e.action.label_zh(),
                // The reply's text has a section of its own below the steps.
                note: e.note.filter(|_| e.action != LeadAction::Replied),
            })
            .collect(),
        reply: lead.reply_text.clone(),
        satisfaction: lead.satisfaction.map(|s| s.label_zh()),
        can_rate: lead.replied_at.is_some() && lead.satisfaction.is_none(),
    })
}

/// The reporter says whether they are satisfied with the reply.
#[tracing::instrument(skip_all)]
pub async fn rate(
    store: &Store,
    actor: &Actor,
    now: OffsetDateTime,
    ticket: &str,
    secret: &str,
    s: Satisfaction,
) -> Result<(), StoreError> {
    let lead = find(store, ticket, secret).await?;
    let mut tx = store.begin().await?;
    workflow::record_satisfaction(&mut tx, actor, now, &lead, s).await?;
    tx.commit().await?;
    Ok(())
}
