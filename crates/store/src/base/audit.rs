//! The audit log (审计日志): every change records who, when, what, before and after, in the
//! same transaction as the change, chained by SHA-256 so that an edited, inserted or deleted
//! entry shows up in [`verify`].
//!
//! Writers serialise on the one `audit_head` row (updated first in the transaction), so the
//! chain has no forks on PostgreSQL either. Nothing here ever updates or deletes an entry.

use serde::Serialize;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::stored::At;
use crate::{timefmt, Actor, Scope, Store, StoreError, Tx};

/// One change to record.
#[derive(Debug, Clone)]
pub struct Change<'a> {
    /// What happened, e.g. `account.create`, `session.login_failed`.
    pub action: &'a str,
    /// The kind of record, e.g. `account`.
    pub entity: &'a str,
    pub entity_id: &'a str,
    /// Region of the record, so the audit view can be scoped like everything else.
    pub region_code: Option<&'a str>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// An entry, as the audit view reads it: the time decoded, everything else as stored.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub seq: i64,
    #[serde(serialize_with = "crate::timefmt::as_stored::serialize")]
    pub at: OffsetDateTime,
    pub actor_id: Option<String>,
    pub actor_name: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub region_code: Option<String>,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
    pub ip: Option<String>,
    pub request_id: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

/// An entry exactly as stored: what the chain hashes.
#[derive(Debug, Clone, sqlx::FromRow)]
struct Stored {
    seq: i64,
    at: String,
    actor_id: Option<String>,
    actor_name: String,
    action: String,
    entity: String,
    entity_id: String,
    region_code: Option<String>,
    before_json: Option<String>,
    after_json: Option<String>,
    ip: Option<String>,
    request_id: Option<String>,
    prev_hash: String,
    hash: String,
}

impl TryFrom<Stored> for Entry {
    type Error = StoreError;

    fn try_from(r: Stored) -> Result<Entry, StoreError> {
        let seq = r.seq.to_string();
        let at = At::new("audit_entry", &seq).time("at", &r.at)?;
        Ok(Entry {
            seq: r.seq,
            at,
            actor_id: r.actor_id,
            actor_name: r.actor_name,
            action: r.action,
            entity: r.entity,
            entity_id: r.entity_id,
            region_code: r.region_code,
            before_json: r.before_json,
            after_json: r.after_json,
            ip: r.ip,
            request_id: r.request_id,
            prev_hash: r.prev_hash,
            hash: r.hash,
        })
    }
}

impl Stored {
    fn compute_hash(&self) -> String {
        let fields: [&str; 13] = [
            &self.seq.to_string(),
            &self.at,
            self.actor_id.as_deref().unwrap_or(""),
            &self.actor_name,
            &self.action,
            &self.entity,
            &self.entity_id,
            self.region_code.as_deref().unwrap_or(""),
            self.before_json.as_deref().unwrap_or(""),
            self.after_json.as_deref().unwrap_or(""),
            self.ip.as_deref().unwrap_or(""),
            self.request_id.as_deref().unwrap_or(""),
            &self.prev_hash,
        ];
        let mut h = Sha256::new();
        for f in fields {
            // Length-prefixed, so no two different entries hash the same input.
            h.update((f.len() as u64).to_be_bytes());
            h.update(f.as_bytes());
        }
        hex::encode(h.finalize())
    }
}

/// Appends an entry for `change` by `actor` inside `tx`. If it fails, the caller's
/// transaction fails with it: no change without its audit entry.
#[tracing::instrument(skip_all)]
pub async fn record(
    tx: &mut Tx,
    actor: &Actor,
    now: OffsetDateTime,
    change: Change<'_>,
) -> Result<i64, StoreError> {
    let (seq, prev_hash): (i64, String) =
        sqlx::query_as("update audit_head set seq = seq + 1 where id = 1 returning seq, hash")
            .fetch_one(&mut **tx)
            .await?;
    let mut entry = Stored {
        seq,
        at: timefmt::to_db(now),
        actor_id: actor.account_id.clone(),
        actor_name: actor.name.clone(),
        action: change.action.to_string(),
        entity: change.entity.to_string(),
        entity_id: change.entity_id.to_string(),
        region_code: change.region_code.map(str::to_string),
        before_json: change.before.map(|v| v.to_string()),
        after_json: change.after.map(|v| v.to_string()),
        ip: actor.ip.clone(),
        request_id: actor.request_id.clone(),
        prev_hash,
        hash: String::new(),
    };
    entry.hash = entry.compute_hash();
    sqlx::query(
        "insert into audit_entry (seq, at, actor_id, actor_name, action, entity, entity_id, \
         region_code, before_json, after_json, ip, request_id, prev_hash, hash) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(entry.seq)
    .bind(&entry.at)
    .bind(&entry.actor_id)
    .bind(&entry.actor_name)
    .bind(&entry.action)
    .bind(&entry.entity)
    .bind(&entry.entity_id)
    .bind(&entry.region_code)
    .bind(&entry.before_json)
    .bind(&entry.after_json)
    .bind(&entry.ip)
    .bind(&entry.request_id)
    .bind(&entry.prev_hash)
    .bind(&entry.hash)
    .execute(&mut **tx)
    .await?;
    sqlx::query("update audit_head set hash = $1 where id = 1")
        .bind(&entry.hash)
        .execute(&mut **tx)
        .await?;
    Ok(seq)
}

/// The newest entries within the scope's jurisdiction (entries without a region, such as
/// system events, only for the nationwide scope), newest first by the time they record (an
/// entry may record an event dated before it was written, as the demo's do).
#[tracing::instrument(skip_all)]
pub async fn recent(store: &Store, scope: &Scope, limit: i64) -> Result<Vec<Entry>, StoreError> {
    scope.require(meijian_domain::role::Permission::ViewAuditLog)?;
    let (lo, hi) = scope.region_range();
    let rows = sqlx::query_as::<_, Stored>(
        "select * from audit_entry where region_code between $1 and $2 \
         or (region_code is null and $3 = 1) order by at desc, seq desc limit $4",
    )
    .bind(lo)
    .bind(hi)
    .bind(i64::from(scope.region.is_none()))
    .bind(limit)
    .fetch_all(store.pool())
    .await?;
    rows.into_iter().map(Entry::try_from).collect()
}

/// The outcome of [`verify`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The chain is whole: `entries` checked.
    Intact { entries: i64 },
    /// The first place where the chain breaks, and why (in Chinese).
    Broken { seq: i64, reason: String },
}

/// Walks the whole chain and checks every link and the head.
#[tracing::instrument(skip_all)]
pub async fn verify(store: &Store) -> Result<Verdict, StoreError> {
    use futures_util::TryStreamExt;
    let mut rows =
        sqlx::query_as::<_, Stored>("select * from audit_entry order by seq").fetch(store.pool());
    let mut expected_seq = 1_i64;
    let mut prev_hash = "0".repeat(64);
    while let Some(entry) = rows.try_next().await? {
        if entry.seq != expected_seq {
            return Ok(Verdict::Broken {
                seq: expected_seq,
                reason: format!(
                    "缺少第 {expected_seq} 条记录（下一条为第 {} 条）",
                    entry.seq
                ),
            });
        }
        if entry.prev_hash != prev_hash {
            return Ok(Verdict::Broken {
                seq: entry.seq,
                reason: "与前一条记录的链接不符：前一条被修改或删除".to_string(),
            });
        }
        if entry.compute_hash() != entry.hash {
            return Ok(Verdict::Broken {
                seq: entry.seq,
                reason: "记录内容与其哈希不符：该条被修改".to_string(),
            });
        }
        prev_hash = entry.hash;
        expected_seq += 1;
    }
    drop(rows);
    let (head_seq, head_hash): (i64, String) =
        sqlx::query_as("select seq, hash from audit_head where id = 1")
            .fetch_one(store.pool())
            .await?;
    let last = expected_seq - 1;
    if head_seq != last || head_hash != prev_hash {
        return Ok(Verdict::Broken {
            seq: last + 1,
            reason: format!("链头记录为第 {head_seq} 条，实际最后一条为第 {last} 条：末尾记录被删除或链头被修改"),
        });
    }
    Ok(Verdict::Intact { entries: last })
}
