//! 证据: files attached to a case, kept in the database with their SHA-256 so a copy handed to
//! a court can be shown to be the one recorded.

use meijian_domain::case::workflow::CaseStep;
use meijian_domain::case::CaseAction;
use serde::Serialize;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use super::open::text;
use super::workflow::{audit_step, bump, event, permitted};
use super::Case;
use crate::leads::intake::{safe_file_name, sniff};
use crate::stored::At;
use crate::{new_id, timefmt, Scope, Store, StoreError};

/// The largest evidence file taken (the request limit is the same).
pub const MAX_EVIDENCE_BYTES: usize = 20 * 1024 * 1024;

/// An evidence record, without its bytes.
#[derive(Clone, Debug, Serialize)]
pub struct Evidence {
    pub id: String,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub note: Option<String>,
    pub added_by: String,
    #[serde(with = "timefmt::as_stored")]
    pub added_at: OffsetDateTime,
}

/// id, file name, type, size, SHA-256, note, added by, added at.
type EvidenceRow = (
    String,
    String,
    String,
    i64,
    String,
    Option<String>,
    String,
    String,
);
/// file name, type, size, SHA-256, note, added by, added at, bytes.
type EvidenceFileRow = (
    String,
    String,
    i64,
    String,
    Option<String>,
    String,
    String,
    Vec<u8>,
);

/// Attaches a file. Returns its id.
#[allow(clippy::too_many_arguments)]
#[tracing::instrument(skip_all)]
pub async fn add(
    store: &Store,
    scope: &Scope,
    now: OffsetDateTime,
    case_id: &str,
    version: i64,
    file_name: &str,
    bytes: &[u8],
    note: &str,
) -> Result<String, StoreError> {
    let (case, _) = permitted(store, scope, now, case_id, version, CaseStep::Evidence).await?;
    if bytes.is_empty() {
        return Err(StoreError::invalid("证据文件", "请选择文件"));
    }
    if bytes.len() > MAX_EVIDENCE_BYTES {
        return Err(StoreError::invalid("证据文件", "单个文件不能超过 20 MB"));
    }
    let note = text("证据说明", note, 0, 500)?;
    let name = safe_file_name(file_name);
    // Images and PDFs are shown inline; anything else (video, audio, documents) is only ever
    // downloaded, so its declared type does not matter.
    let content_type = sniff(bytes).unwrap_or("application/octet-stream");
    let sha256 = hex::encode(Sha256::digest(bytes));
    let id = new_id();
    let mut tx = store.begin().await?;
    bump(&mut tx, &case, now, None).await?;
    sqlx::query(
        "insert into case_evidence (id, case_id, file_name, content_type, size_bytes, sha256, \
         data, note, added_by, added_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(&id)
    .bind(&case.id)
    .bind(&name)
    .bind(content_type)
    .bind(i64::try_from(bytes.len()).unwrap_or(i64::MAX))
    .bind(&sha256)
    .bind(bytes)
    .bind(Some(note).filter(|n| !n.is_empty()))
    .bind(&scope.actor.name)
    .bind(timefmt::to_db(now))
    .execute(&mut *tx)
    .await?;
    event(
        &mut tx,
        &case.id,
        now,
        CaseAction::EvidenceAdded,
        scope,
        Some(&format!("{name}（SHA-256 {sha256}）")),
    )
    .await?;
    audit_step(
        &mut tx,
        scope,
        now,
        &case,
        "case.evidence",
        serde_json::json!({"evidence": id, "file_name": name, "sha256": sha256, "size": bytes.len()}),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// The evidence records of a case, oldest first.
#[tracing::instrument(skip_all)]
pub async fn list(store: &Store, case: &Case) -> Result<Vec<Evidence>, StoreError> {
    let rows: Vec<EvidenceRow> = sqlx::query_as(
        "select id, file_name, content_type, size_bytes, sha256, note, added_by, added_at \
             from case_evidence where case_id = $1 order by added_at, id",
    )
    .bind(&case.id)
    .fetch_all(store.pool())
    .await?;
    rows.into_iter()
        .map(
            |(id, file_name, content_type, size_bytes, sha256, note, added_by, added_at)| {
                let at = At::new("case_evidence", &id).time("added_at", &added_at)?;
                Ok(Evidence {
                    id,
                    file_name,
                    content_type,
                    size_bytes,
                    sha256,
                    note,
                    added_by,
                    added_at: at,
                })
            },
        )
        .collect()
}

/// One evidence file with its bytes, if the scope may see its case.
#[tracing::instrument(skip_all)]
pub async fn file(
    store: &Store,
    scope: &Scope,
    case_id: &str,
    evidence_id: &str,
) -> Result<(Evidence, Vec<u8>), StoreError> {
    let case = super::get(store, scope, case_id).await?;
    let row: Option<EvidenceFileRow> = sqlx::query_as(
        "select file_name, content_type, size_bytes, sha256, note, added_by, added_at, data \
             from case_evidence where id = $1 and case_id = $2",
    )
    .bind(evidence_id)
    .bind(&case.id)
    .fetch_optional(store.pool())
    .await?;
    let (file_name, content_type, size_bytes, sha256, note, added_by, added_at, data) =
        row.ok_or(StoreError::NotFound)?;
    let added_at = At::new("case_evidence", evidence_id).time("added_at", &added_at)?;
    Ok((
        Evidence {
            id: evidence_id.to_string(),
            file_name,
            content_type,
            size_bytes,
            sha256,
            note,
            added_by,
            added_at,
        },
        data,
    ))
}
