//! Server-side sessions stored in the database, so several servers behind a load balancer
//! share them. The cookie holds a 256-bit random token; the table holds its SHA-256, so a
//! leaked database does not yield live sessions. Each session has its own CSRF token.

use rand::RngCore;
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};

use crate::accounts::{self, Principal};
use crate::{timefmt, Store, StoreError, Tx};

/// Session lifetimes.
#[derive(Debug, Clone, Copy)]
pub struct SessionPolicy {
    /// Signed out after this long without a request.
    pub idle: Duration,
    /// Signed out this long after signing in, however active.
    pub absolute: Duration,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        SessionPolicy {
            idle: Duration::minutes(30),
            absolute: Duration::hours(12),
        }
    }
}

/// A newly created session: the token for the cookie, and the CSRF token for forms.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub token: String,
    pub csrf_token: String,
}

/// A live session with its user.
#[derive(Debug, Clone)]
pub struct ActiveSession {
    pub token_hash: String,
    pub csrf_token: String,
    pub principal: Principal,
}

fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// SHA-256 of a cookie token, as stored.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Opens a session for an account (a fresh token at every sign-in, so a token planted before
/// sign-in is worthless).
pub async fn create(
    tx: &mut Tx,
    account_id: &str,
    now: OffsetDateTime,
    ip: Option<&str>,
) -> Result<NewSession, StoreError> {
    let new = NewSession {
        token: random_token(),
        csrf_token: random_token(),
    };
    let at = timefmt::to_db(now);
    sqlx::query(
        "insert into session (token_hash, account_id, csrf_token, created_at, last_seen_at, ip) \
         values ($1, $2, $3, $4, $4, $5)",
    )
    .bind(hash_token(&new.token))
    .bind(account_id)
    .bind(&new.csrf_token)
    .bind(&at)
    .bind(ip)
    .execute(&mut **tx)
    .await?;
    Ok(new)
}

#[derive(sqlx::FromRow)]
struct Row {
    token_hash: String,
    account_id: String,
    csrf_token: String,
    created_at: String,
    last_seen_at: String,
}

/// The live session for a cookie token, or `None` if it is unknown, idle too long, too old,
/// or its account is disabled. Expired sessions are deleted on sight.
pub async fn lookup(
    store: &Store,
    token: &str,
    now: OffsetDateTime,
    policy: &SessionPolicy,
) -> Result<Option<ActiveSession>, StoreError> {
    let token_hash = hash_token(token);
    let row: Option<Row> = sqlx::query_as(
        "select token_hash, account_id, csrf_token, created_at, last_seen_at from session \
         where token_hash = $1",
    )
    .bind(&token_hash)
    .fetch_optional(store.pool())
    .await?;
    let Some(row) = row else { return Ok(None) };
    let created = timefmt::from_db(&row.created_at);
    let seen = timefmt::from_db(&row.last_seen_at);
    let expired = match (created, seen) {
        (Some(c), Some(s)) => now - s > policy.idle || now - c > policy.absolute,
        _ => true,
    };
    if expired {
        delete(store, &row.token_hash).await?;
        return Ok(None);
    }
    let Some(principal) = accounts::principal_by_id(store, &row.account_id).await? else {
        return Ok(None);
    };
    if principal.account.disabled != 0 {
        return Ok(None);
    }
    // Touch at most once a minute: idle expiry needs no finer grain, and a write per request
    // would make every page view contend for SQLite's one writer.
    if seen.is_some_and(|s| now - s >= Duration::minutes(1)) {
        sqlx::query("update session set last_seen_at = $2 where token_hash = $1")
            .bind(&row.token_hash)
            .bind(timefmt::to_db(now))
            .execute(store.pool())
            .await?;
    }
    Ok(Some(ActiveSession {
        token_hash: row.token_hash,
        csrf_token: row.csrf_token,
        principal,
    }))
}

/// Ends one session (logout).
pub async fn delete(store: &Store, token_hash: &str) -> Result<(), StoreError> {
    sqlx::query("delete from session where token_hash = $1")
        .bind(token_hash)
        .execute(store.pool())
        .await?;
    Ok(())
}

/// Ends one session inside a transaction (logout, audited by the caller).
pub async fn delete_in(tx: &mut Tx, token_hash: &str) -> Result<(), StoreError> {
    sqlx::query("delete from session where token_hash = $1")
        .bind(token_hash)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Ends every session of an account (disabled, password changed).
pub async fn delete_for_account(tx: &mut Tx, account_id: &str) -> Result<u64, StoreError> {
    Ok(sqlx::query("delete from session where account_id = $1")
        .bind(account_id)
        .execute(&mut **tx)
        .await?
        .rows_affected())
}

/// Deletes sessions past either limit; returns how many.
pub async fn purge_expired(
    store: &Store,
    now: OffsetDateTime,
    policy: &SessionPolicy,
) -> Result<u64, StoreError> {
    Ok(
        sqlx::query("delete from session where last_seen_at < $1 or created_at < $2")
            .bind(timefmt::to_db(now - policy.idle))
            .bind(timefmt::to_db(now - policy.absolute))
            .execute(store.pool())
            .await?
            .rows_affected(),
    )
}

/// Number of live sessions of an account (for tests and the admin page).
pub async fn count_for_account(store: &Store, account_id: &str) -> Result<i64, StoreError> {
    Ok(
        sqlx::query_scalar("select count(*) from session where account_id = $1")
            .bind(account_id)
            .fetch_one(store.pool())
            .await?,
    )
}
