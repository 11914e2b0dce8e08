//! Signing in (登录): the password check and failure counting. Guessing is slowed by the web
//! layer's throttles (per client address and per name, decision 0007), never by locking an
//! account: a lock lets anyone shut an officer out and tells which names exist. Wrong
//! username and wrong password give the same answer.

use serde_json::json;
use time::{Duration, OffsetDateTime};

use super::password;
use crate::accounts::{principal_by_id, Account, AccountRecord, Principal};
use crate::audit::{self, Change};
use crate::{Actor, Store, StoreError, Tx};

/// Login limits: `max_failures` wrong passwords for one name within `window`, after which
/// attempts for that name are slowed to one per `window / max_failures` (except from a
/// device where that name signed in before).
#[derive(Debug, Clone, Copy)]
pub struct LoginPolicy {
    pub max_failures: i64,
    pub window: Duration,
    pub min_password_len: usize,
    /// Failed sign-ins one client address may make per `window` (any names).
    pub failures_per_address: u32,
    /// Sign-in requests one client address may make per minute, failed or not.
    pub requests_per_minute: u32,
}

impl Default for LoginPolicy {
    fn default() -> Self {
        LoginPolicy {
            max_failures: 5,
            window: Duration::minutes(15),
            min_password_len: 10,
            failures_per_address: 30,
            requests_per_minute: 30,
        }
    }
}

/// Why a login failed. Wrong username and wrong password are one answer on purpose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginError {
    BadCredentials,
    Disabled,
}

/// Password checks at once at most: each takes tens of milliseconds of a core, so a flood of
/// sign-ins queues here instead of taking every core from the other requests.
static VERIFYING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// Runs the slow hash on the blocking pool, at most [`VERIFYING`] at a time.
async fn verify_slowly(password: &str, hash: Option<String>) -> Result<bool, StoreError> {
    let _permit = VERIFYING
        .acquire()
        .await
        .map_err(|e| StoreError::Other(format!("password check: {e}")))?;
    let password = password.to_string();
    tokio::task::spawn_blocking(move || match hash {
        Some(h) => password::verify(&password, &h),
        None => {
            password::verify_dummy(&password);
            false
        }
    })
    .await
    .map_err(|e| StoreError::Other(format!("password check: {e}")))
}

/// Checks a username and password. Counts consecutive failures (shown to administrators) and
/// audits every outcome for a known account.
#[tracing::instrument(skip_all)]
pub async fn authenticate(
    store: &Store,
    actor: &Actor,
    now: OffsetDateTime,
    username: &str,
    password: &str,
) -> Result<Result<Principal, LoginError>, StoreError> {
    let account: Option<AccountRecord> =
        sqlx::query_as("select * from account where username = $1")
            .bind(username.trim())
            .fetch_optional(store.pool())
            .await?;
    let account = account.map(Account::try_from).transpose()?;
    let Some(account) = account else {
        verify_slowly(password, None).await?;
        tracing::info!(outcome = "unknown_user", "login failed");
        return Ok(Err(LoginError::BadCredentials));
    };
    // The slow hash runs outside the transaction so that logins do not queue behind it.
    let matches = verify_slowly(password, Some(account.password_hash.clone())).await?;
    let region =
        sqlx::query_scalar::<_, String>("select region_code from department where id = $1")
            .bind(&account.department_id)
            .fetch_one(store.pool())
            .await?;
    let mut actor = actor.clone();
    actor.account_id = Some(account.id.clone());
    actor.name = account.username.clone();
    let mut tx = store.begin().await?;
    let outcome = if !matches {
        let failures: i64 = sqlx::query_scalar(
            "update account set failed_logins = failed_logins + 1 where id = $1 returning failed_logins",
        )
        .bind(&account.id)
        .fetch_one(&mut *tx)
        .await?;
        record_login(
            &mut tx,
            &actor,
            now,
            &account.id,
            &region,
            "account.login_failed",
            json!({"failures": failures}),
        )
        .await?;
        Err(LoginError::BadCredentials)
    } else if account.disabled {
        record_login(
            &mut tx,
            &actor,
            now,
            &account.id,
            &region,
            "account.login_refused",
            json!({"reason": "disabled"}),
        )
        .await?;
        Err(LoginError::Disabled)
    } else {
        sqlx::query("update account set failed_logins = 0, locked_until = null where id = $1")
            .bind(&account.id)
            .execute(&mut *tx)
            .await?;
        record_login(
            &mut tx,
            &actor,
            now,
            &account.id,
            &region,
            "account.login",
            json!({}),
        )
        .await?;
        Ok(())
    };
    tx.commit().await?;
    match outcome {
        Ok(()) => Ok(principal_by_id(store, &account.id)
            .await?
            .ok_or(LoginError::BadCredentials)),
        Err(e) => Ok(Err(e)),
    }
}

async fn record_login(
    tx: &mut Tx,
    actor: &Actor,
    now: OffsetDateTime,
    account_id: &str,
    region: &str,
    action: &str,
    after: serde_json::Value,
) -> Result<i64, StoreError> {
    audit::record(
        tx,
        actor,
        now,
        Change {
            action,
            entity: "account",
            entity_id: account_id,
            region_code: Some(region),
            before: None,
            after: Some(after),
        },
    )
    .await
}

/// The key under which failed sign-ins for `username` are counted (a hash: what people type
/// into the name field is sometimes their password). Names differing only in case or
/// surrounding space are one name.
pub fn name_key(username: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!("login-name|{}", username.trim().to_lowercase()));
    format!("login-name:{}", &hex::encode(digest)[..32])
}
