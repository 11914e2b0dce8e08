//! What was submitted for a lead: each complaint with its channel, text, reporter (masked for
//! all but the handling department) and attachments (downloadable by the handling department
//! only, since photos and documents often show the reporter).

use meijian_domain::lead::Channel;
use time::OffsetDateTime;

use super::{get, is_handler, ReporterView};
use crate::leads::Lead;
use crate::stored::At;
use crate::{Scope, Store, StoreError};

/// An attachment's description, without its bytes.
#[derive(Clone, Debug, serde::Serialize, sqlx::FromRow)]
pub struct AttachmentMeta {
    pub id: String,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
}

/// One complaint of a lead, as the caller may see it.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ComplaintView {
    pub id: String,
    pub channel: &'static str,
    pub channel_ref: Option<String>,
    pub happened_on: Option<String>,
    pub description: String,
    #[serde(with = "time::serde::rfc3339")]
    pub received_at: OffsetDateTime,
    /// `None` when anonymous.
    pub reporter: Option<ReporterView>,
    pub attachments: Vec<AttachmentMeta>,
    /// Whether the caller may download the attachments.
    pub can_download: bool,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    channel: String,
    channel_ref: Option<String>,
    happened_on: Option<String>,
    description: String,
    received_at: String,
    name: Option<String>,
    phone: Option<String>,
    address: Option<String>,
    email: Option<String>,
}

/// The complaints of a lead the caller may see.
/// The complaints of `lead`; `lead` comes from [`crate::leads::get`] or [`crate::leads::list`], so the caller may see it.
#[tracing::instrument(skip_all)]
pub async fn complaints(
    store: &Store,
    scope: &Scope,
    lead: &Lead,
) -> Result<Vec<ComplaintView>, StoreError> {
    let reveal = is_handler(scope, lead);
    let rows: Vec<Row> = sqlx::query_as(
        "select c.id, c.channel, c.channel_ref, c.happened_on, c.description, c.received_at, \
         p.name, p.phone, p.address, p.email \
         from complaint c left join reporter p on p.id = c.reporter_id where c.lead_id = $1 \
         order by c.received_at, c.id",
    )
    .bind(&lead.id)
    .fetch_all(store.pool())
    .await?;
    let mut out = Vec::new();
    for r in rows {
        let at = At::new("complaint", &r.id);
        let channel = at.code("channel", &r.channel, Channel::from_code)?;
        let received_at = at.time("received_at", &r.received_at)?;
        let attachments = sqlx::query_as::<_, AttachmentMeta>(
            "select id, file_name, content_type, size_bytes from complaint_attachment \
             where complaint_id = $1 order by created_at, id",
        )
        .bind(&r.id)
        .fetch_all(store.pool())
        .await?;
        let reporter = match (r.name, r.phone) {
            (Some(name), Some(phone)) => {
                Some(ReporterView::new(name, phone, r.address, r.email, reveal))
            }
            _ => None,
        };
        out.push(ComplaintView {
            id: r.id,
            channel: channel.label_zh(),
            channel_ref: r.channel_ref,
            happened_on: r.happened_on,
            description: r.description,
            received_at,
            reporter,
            attachments,
            can_download: reveal,
        });
    }
    Ok(out)
}

/// An attachment's name, type and bytes, for the handling department only.
#[tracing::instrument(skip_all)]
pub async fn attachment(
    store: &Store,
    scope: &Scope,
    id: &str,
) -> Result<(String, String, Vec<u8>), StoreError> {
    let row: Option<(String, String, String, Vec<u8>)> = sqlx::query_as(
        "select c.lead_id, a.file_name, a.content_type, a.data from complaint_attachment a \
         join complaint c on c.id = a.complaint_id where a.id = $1",
    )
    .bind(id)
    .fetch_optional(store.pool())
    .await?;
    let (lead_id, name, kind, data) = row.ok_or(StoreError::NotFound)?;
    let lead = get(store, scope, &lead_id).await?;
    if !is_handler(scope, &lead) {
        return Err(StoreError::Forbidden);
    }
    Ok((name, kind, data))
}
