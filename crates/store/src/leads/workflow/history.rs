//! The history of a lead (办理记录): every step, who took it, and whether the reporter sees it.

use time::OffsetDateTime;

use meijian_domain::lead::codes::LeadAction;

use crate::leads::Lead;
use crate::stored::At;
use crate::{new_id, timefmt, Actor, Store, StoreError, Tx};

/// Appends a history event. `public` events are shown to the reporter on the status page.
#[allow(clippy::too_many_arguments)]
#[tracing::instrument(skip_all)]
pub async fn event(
    tx: &mut Tx,
    lead_id: &str,
    now: OffsetDateTime,
    action: &str,
    actor: &Actor,
    department_id: Option<&str>,
    note: Option<&str>,
    public: bool,
) -> Result<(), StoreError> {
    sqlx::query(
        "insert into lead_event (id, lead_id, at, action, actor_id, actor_name, department_id, \
         note, public) values ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(new_id())
    .bind(lead_id)
    .bind(timefmt::to_db(now))
    .bind(action)
    .bind(&actor.account_id)
    .bind(&actor.name)
    .bind(department_id)
    .bind(note)
    .bind(i64::from(public))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// One history event, for the lead page. Read through [`EventRow`], so an unknown stored
/// action is an error naming the event ([`StoreError::Corrupt`]).
#[derive(Clone, Debug, serde::Serialize)]
pub struct Event {
    /// The stored row's id (not part of the JSON).
    #[serde(skip)]
    pub id: String,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub action: LeadAction,
    pub actor_name: String,
    pub note: Option<String>,
    /// Whether the reporter sees it; in JSON as stored, 1 or 0.
    #[serde(serialize_with = "as_flag")]
    pub public: bool,
}

fn as_flag<S: serde::Serializer>(public: &bool, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_i64(i64::from(*public))
}

impl Event {
    /// The step in Chinese.
    pub fn action_zh(&self) -> &'static str {
        self.action.label_zh()
    }
}

/// A history event as stored, converted once by [`EventRow::decode`].
#[derive(sqlx::FromRow)]
struct EventRow {
    id: String,
    at: String,
    action: String,
    actor_name: String,
    note: Option<String>,
    public: i64,
}

impl EventRow {
    fn decode(self) -> Result<Event, StoreError> {
        let at = At::new("lead_event", &self.id);
        Ok(Event {
            at: at.time("at", &self.at)?,
            action: at.code("action", &self.action, LeadAction::from_code)?,
            actor_name: self.actor_name,
            note: self.note,
            public: self.public != 0,
            id: self.id,
        })
    }
}

/// The history of a lead the caller may see.
/// `lead` comes from [`crate::leads::get`] or [`crate::leads::list`], so the caller may see it.
#[tracing::instrument(skip_all)]
pub async fn events(store: &Store, lead: &Lead) -> Result<Vec<Event>, StoreError> {
    sqlx::query_as::<_, EventRow>(
        "select id, at, action, actor_name, note, public from lead_event where lead_id = $1 \
         order by at, id",
    )
    .bind(&lead.id)
    .fetch_all(store.pool())
    .await?
    .into_iter()
    .map(EventRow::decode)
    .collect()
}

/// The public history of a lead, for the reporter's status page.
pub(crate) async fn public_events(store: &Store, lead_id: &str) -> Result<Vec<Event>, StoreError> {
    sqlx::query_as::<_, EventRow>(
        "select id, at, action, actor_name, note, public from lead_event \
         where lead_id = $1 and public = 1 order by at, id",
    )
    .bind(lead_id)
    .fetch_all(store.pool())
    .await?
    .into_iter()
    .map(EventRow::decode)
    .collect()
}
