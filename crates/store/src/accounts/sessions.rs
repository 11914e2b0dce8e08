//! Server-side sessions stored in the database, so several servers behind a load balancer
//! share them. The cookie holds a 256-bit random token; the table holds its SHA-256, so a
//! leaked database does not yield live sessions. Each session has its own CSRF token.

use rand::RngCore;
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};

use crate::accounts::{self, Principal};
use crate::stored::At;
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
#[tracing::instrument(skip_all)]
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
///
/// Idle expiry is exact at the second precision of the stored times: an active session — no
/// gap between two of its requests longer than the idle limit — never expires, and one left
/// alone is refused from the first whole second past its limit. Both hold because the check
/// and the stored time use the same grain: `now` is cut to its second as stored, and the
/// session is touched whenever that second differs from the stored one (so the stored time is
/// always the second of its latest request). Two requests `t1 ≤ t2` with `t2 - t1 ≤ idle` have
/// `⌊t2⌋ - ⌊t1⌋ ≤ idle`, so nothing active is cut off; the cost is that an idle session may
/// outlive its limit by less than a second, below the stored precision.
///
/// The write cost: at most one `update` per session per second, and only for requests that
/// carry a session cookie, i.e. signed-in officers (hundreds, each a few page views a minute);
/// the public complaint pages, where the request flood is, have no session and never get
/// here. A request within the same second as the last one (a page's stylesheet, a double
/// click) writes nothing. Touching less often (say once a minute, as before) would either end
/// active sessions early or let idle ones outlive their limit by that minute.
#[tracing::instrument(skip_all)]
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
    // The clock at the grain of the stored times (see above).
    let now = now.replace_nanosecond(0).unwrap_or(now);
    let now_db = timefmt::to_db(now);
    // A malformed stored time is an error naming the session, not a silent sign-out.
    let at = At::new("session", &row.token_hash);
    let created = at.time("created_at", &row.created_at)?;
    let last_seen = at.time("last_seen_at", &row.last_seen_at)?;
    let expired = now - last_seen > policy.idle || now - created > policy.absolute;
    if expired {
        delete(store, &row.token_hash).await?;
        return Ok(None);
    }
    let Some(principal) = accounts::principal_by_id(store, &row.account_id).await? else {
        return Ok(None);
    };
    if principal.account.disabled {
        return Ok(None);
    }
    // Touch whenever the stored second is not this one. `<` keeps the latest of concurrent
    // requests (stored times sort as text).
    if last_seen < now {
        sqlx::query(
            "update session set last_seen_at = $2 where token_hash = $1 and last_seen_at < $2",
        )
        .bind(&row.token_hash)
        .bind(&now_db)
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
#[tracing::instrument(skip_all)]
pub async fn delete(store: &Store, token_hash: &str) -> Result<(), StoreError> {
    sqlx::query("delete from session where token_hash = $1")
        .bind(token_hash)
        .execute(store.pool())
        .await?;
    Ok(())
}

/// Ends one session inside a transaction (logout, audited by the caller).
#[tracing::instrument(skip_all)]
pub async fn delete_in(tx: &mut Tx, token_hash: &str) -> Result<(), StoreError> {
    sqlx::query("delete from session where token_hash = $1")
        .bind(token_hash)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Ends every session of an account (disabled, password changed).
#[tracing::instrument(skip_all)]
pub async fn delete_for_account(tx: &mut Tx, account_id: &str) -> Result<u64, StoreError> {
    Ok(sqlx::query("delete from session where account_id = $1")
        .bind(account_id)
        .execute(&mut **tx)
        .await?
        .rows_affected())
}

/// Deletes sessions past either limit; returns how many. The same rule as [`lookup`]: the
/// bounds are cut to the second as stored, so a session is swept exactly when a lookup would
/// refuse it.
#[tracing::instrument(skip_all)]
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
#[tracing::instrument(skip_all)]
pub async fn count_for_account(store: &Store, account_id: &str) -> Result<i64, StoreError> {
    Ok(
        sqlx::query_scalar("select count(*) from session where account_id = $1")
            .bind(account_id)
            .fetch_one(store.pool())
            .await?,
    )
}
