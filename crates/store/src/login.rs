//! Signing in (登录): the password check with failure counting and lockout. 5 failures lock
//! the account for 15 minutes by default (both configuration, see decision 0007). Wrong
//! username and wrong password give the same answer.

use serde_json::json;
use time::{Duration, OffsetDateTime};

use crate::accounts::{principal_by_id, Account, Principal};
use crate::audit::{self, Change};
use crate::{password, timefmt, Actor, Store, StoreError, Tx};

/// Login limits.
#[derive(Debug, Clone, Copy)]
pub struct LoginPolicy {
    pub max_failures: i64,
    pub lock_for: Duration,
    pub min_password_len: usize,
}

impl Default for LoginPolicy {
    fn default() -> Self {
        LoginPolicy {
            max_failures: 5,
            lock_for: Duration::minutes(15),
            min_password_len: 10,
        }
    }
}

/// Why a login failed. Wrong username and wrong password are one answer on purpose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginError {
    BadCredentials,
    Locked { until: OffsetDateTime },
    Disabled,
}

/// Checks a username and password. Counts failures, locks the account after
/// `policy.max_failures`, and audits every outcome for a known account.
pub async fn authenticate(
    store: &Store,
    actor: &Actor,
    now: OffsetDateTime,
    policy: &LoginPolicy,
    username: &str,
    password: &str,
) -> Result<Result<Principal, LoginError>, StoreError> {
    let account: Option<Account> = sqlx::query_as("select * from account where username = $1")
        .bind(username.trim())
        .fetch_optional(store.pool())
        .await?;
    let Some(account) = account else {
        password::verify_dummy(password);
        tracing::info!(outcome = "unknown_user", "login failed");
        return Ok(Err(LoginError::BadCredentials));
    };
    let locked_until = account.locked_until.as_deref().and_then(timefmt::from_db);
    if let Some(until) = locked_until.filter(|t| *t > now) {
        return Ok(Err(LoginError::Locked { until }));
    }
    // The slow hash runs outside the transaction so that logins do not queue behind it.
    let matches = password::verify(password, &account.password_hash);
    let region =
        sqlx::query_scalar::<_, String>("select region_code from department where id = $1")
            .bind(&account.department_id)
            .fetch_one(store.pool())
            .await?;
    let mut actor = actor.clone();
    actor.account_id = Some(account.id.clone());
    actor.name = account.username.clone();
    let mut tx = store.begin().await?;
    let at = timefmt::to_db(now);
    let outcome = if !matches {
        let failures: i64 = sqlx::query_scalar(
            "update account set failed_logins = failed_logins + 1 where id = $1 returning failed_logins",
        )
        .bind(&account.id)
        .fetch_one(&mut *tx)
        .await?;
        if failures >= policy.max_failures {
            let until = now + policy.lock_for;
            sqlx::query("update account set failed_logins = 0, locked_until = $2, updated_at = $3 where id = $1")
                .bind(&account.id)
                .bind(timefmt::to_db(until))
                .bind(&at)
                .execute(&mut *tx)
                .await?;
            record_login(
                &mut tx,
                &actor,
                now,
                &account.id,
                &region,
                "account.locked",
                json!({"failures": failures, "locked_until": timefmt::to_db(until)}),
            )
            .await?;
            Err(LoginError::Locked { until })
        } else {
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
        }
    } else if account.disabled != 0 {
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
