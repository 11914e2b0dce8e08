//! State that every server must see alike (共享状态): rate limits, one-time tokens and the
//! keys of signed values. See `docs/decisions/0014-shared-state-for-several-servers.md`.
//!
//! Two places hold it, one chosen per deployment by [`SharedState::for_store`]:
//! - **the database** (tables `rate_limit`, `used_token`, `app_secret`), used on PostgreSQL,
//!   where several servers behind a proxy share one database;
//! - **this process** ([`SharedState::local`]), used on SQLite, whose file serves one server:
//!   a write per public request would halve the complaint desk's throughput for nothing.
//!
//! Keys of signed values always come from the database (or the configuration), so they
//! survive restarts in both cases. The rate arithmetic is [`gcra`]; the database runs the same
//! rule as one statement (tested against it on both backends).

use std::collections::HashMap;
use std::sync::Mutex;

use rand::RngCore;
use time::OffsetDateTime;

use crate::{timefmt, Backend, Store, StoreError};

/// So many events per period, with a burst of the whole count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    pub count: u32,
    pub period: std::time::Duration,
}

impl Quota {
    pub fn per_minute(count: u32) -> Quota {
        Quota {
            count: count.max(1),
            period: std::time::Duration::from_secs(60),
        }
    }

    pub fn per_hour(count: u32) -> Quota {
        Quota {
            count: count.max(1),
            period: std::time::Duration::from_secs(3600),
        }
    }

    /// `count` events per `minutes` minutes.
    pub fn per_minutes(count: u32, minutes: u32) -> Quota {
        Quota {
            count: count.max(1),
            period: std::time::Duration::from_secs(u64::from(minutes.max(1)) * 60),
        }
    }

    fn period_ms(self) -> i64 {
        i64::try_from(self.period.as_millis()).unwrap_or(i64::MAX / 4)
    }

    /// The spacing of events once the burst is used.
    fn interval_ms(self) -> i64 {
        (self.period_ms() / i64::from(self.count.max(1))).max(1)
    }

    /// How far ahead of now the stored time may be and an event still pass.
    fn tolerance_ms(self) -> i64 {
        self.period_ms() - self.interval_ms()
    }
}

/// The generic cell rate algorithm: given the stored theoretical arrival time of a key (none
/// for a new key), either the time to store after counting one event, or how long to wait
/// (ms) before the next event is allowed.
pub fn gcra(stored_tat: Option<i64>, now_ms: i64, quota: Quota) -> Result<i64, i64> {
    let (interval, tolerance) = (quota.interval_ms(), quota.tolerance_ms());
    let tat = stored_tat.map_or(now_ms, |t| t.max(now_ms));
    if tat - now_ms > tolerance {
        Err(tat - now_ms - tolerance)
    } else {
        Ok(tat + interval)
    }
}

fn millis(t: OffsetDateTime) -> i64 {
    i64::try_from((t - OffsetDateTime::UNIX_EPOCH).whole_milliseconds()).unwrap_or(0)
}

fn wait(ms: i64) -> std::time::Duration {
    std::time::Duration::from_millis(u64::try_from(ms.max(1)).unwrap_or(1))
}

/// Rate limits and one-time tokens; see the module doc.
#[derive(Debug)]
pub enum SharedState {
    Local(Local),
    Database(Store),
}

/// The in-process variant.
#[derive(Debug, Default)]
pub struct Local {
    rates: Mutex<HashMap<String, i64>>,
    tokens: Mutex<HashMap<String, OffsetDateTime>>,
}

fn locked<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl SharedState {
    /// The database on PostgreSQL, this process on SQLite.
    pub fn for_store(store: &Store) -> SharedState {
        match store.backend() {
            Backend::Postgres => SharedState::Database(store.clone()),
            Backend::Sqlite => SharedState::local(),
        }
    }

    pub fn local() -> SharedState {
        SharedState::Local(Local::default())
    }

    /// Counts one event of `key`; over the quota, how long until the next is allowed (and
    /// nothing is counted).
    #[tracing::instrument(skip_all)]
    pub async fn hit(
        &self,
        key: &str,
        quota: Quota,
        now: OffsetDateTime,
    ) -> Result<Result<(), std::time::Duration>, StoreError> {
        let now_ms = millis(now);
        match self {
            SharedState::Local(l) => {
                let mut rates = locked(&l.rates);
                let stored = rates.get(key).copied();
                Ok(match gcra(stored, now_ms, quota) {
                    Ok(tat) => {
                        rates.insert(key.to_string(), tat);
                        Ok(())
                    }
                    Err(ms) => Err(wait(ms)),
                })
            }
            SharedState::Database(store) => {
                // `gcra` in one statement, so that servers counting at once queue on the row
                // (PostgreSQL's row lock, SQLite's one writer) instead of both taking the last
                // slot: insert a new key, or move an allowed key's time on.
                let (interval, tolerance) = (quota.interval_ms(), quota.tolerance_ms());
                let counted: Option<i64> = sqlx::query_scalar(
                    "insert into rate_limit (key, tat_ms) values ($1, $2 + $3) \
                     on conflict (key) do update \
                     set tat_ms = (case when rate_limit.tat_ms > $2 then rate_limit.tat_ms else $2 end) + $3 \
                     where (case when rate_limit.tat_ms > $2 then rate_limit.tat_ms else $2 end) - $2 <= $4 \
                     returning tat_ms",
                )
                .bind(key)
                .bind(now_ms)
                .bind(interval)
                .bind(tolerance)
                .fetch_optional(store.pool())
                .await?;
                if counted.is_some() {
                    return Ok(Ok(()));
                }
                let stored: Option<i64> =
                    sqlx::query_scalar("select tat_ms from rate_limit where key = $1")
                        .bind(key)
                        .fetch_optional(store.pool())
                        .await?;
                Ok(Err(wait(
                    gcra(stored, now_ms, quota).err().unwrap_or(interval),
                )))
            }
        }
    }

    /// Whether one more event of `key` would be allowed, without counting it.
    #[tracing::instrument(skip_all)]
    pub async fn peek(
        &self,
        key: &str,
        quota: Quota,
        now: OffsetDateTime,
    ) -> Result<Result<(), std::time::Duration>, StoreError> {
        let stored = match self {
            SharedState::Local(l) => locked(&l.rates).get(key).copied(),
            SharedState::Database(store) => {
                sqlx::query_scalar("select tat_ms from rate_limit where key = $1")
                    .bind(key)
                    .fetch_optional(store.pool())
                    .await?
            }
        };
        Ok(gcra(stored, millis(now), quota).map(|_| ()).map_err(wait))
    }

    /// Forgets the count of `key` (an administrator releases a throttled name).
    #[tracing::instrument(skip_all)]
    pub async fn forget(&self, key: &str) -> Result<(), StoreError> {
        match self {
            SharedState::Local(l) => {
                locked(&l.rates).remove(key);
            }
            SharedState::Database(store) => {
                sqlx::query("delete from rate_limit where key = $1")
                    .bind(key)
                    .execute(store.pool())
                    .await?;
            }
        }
        Ok(())
    }

    /// Takes the one-time token `nonce` (kept until `expires`); false if it was taken before.
    #[tracing::instrument(skip_all)]
    pub async fn take_once(
        &self,
        nonce: &str,
        expires: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        match self {
            SharedState::Local(l) => {
                let mut tokens = locked(&l.tokens);
                if tokens.contains_key(nonce) {
                    return Ok(false);
                }
                tokens.insert(nonce.to_string(), expires);
                Ok(true)
            }
            SharedState::Database(store) => Ok(sqlx::query(
                "insert into used_token (nonce, expires_at) values ($1, $2) \
                 on conflict (nonce) do nothing",
            )
            .bind(nonce)
            .bind(timefmt::to_db(expires))
            .execute(store.pool())
            .await?
            .rows_affected()
                == 1),
        }
    }

    /// Gives back a token taken by a request that then failed.
    #[tracing::instrument(skip_all)]
    pub async fn give_back(&self, nonce: &str) -> Result<(), StoreError> {
        match self {
            SharedState::Local(l) => {
                locked(&l.tokens).remove(nonce);
            }
            SharedState::Database(store) => {
                sqlx::query("delete from used_token where nonce = $1")
                    .bind(nonce)
                    .execute(store.pool())
                    .await?;
            }
        }
        Ok(())
    }

    /// Drops counts that have fully recovered and tokens that have expired anyway.
    #[tracing::instrument(skip_all)]
    pub async fn sweep(&self, now: OffsetDateTime) -> Result<(), StoreError> {
        let now_ms = millis(now);
        match self {
            SharedState::Local(l) => {
                locked(&l.rates).retain(|_, tat| *tat > now_ms);
                locked(&l.tokens).retain(|_, expires| *expires >= now);
            }
            SharedState::Database(store) => {
                sqlx::query("delete from rate_limit where tat_ms <= $1")
                    .bind(now_ms)
                    .execute(store.pool())
                    .await?;
                sqlx::query("delete from used_token where expires_at < $1")
                    .bind(timefmt::to_db(now))
                    .execute(store.pool())
                    .await?;
            }
        }
        Ok(())
    }
}

/// The shared key called `name` (32 random bytes), drawn and stored by the first server that
/// asks; every later call, on any server, gets the same bytes.
#[tracing::instrument(skip_all)]
pub async fn secret(store: &Store, name: &str, now: OffsetDateTime) -> Result<Vec<u8>, StoreError> {
    let mut fresh = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut fresh);
    sqlx::query(
        "insert into app_secret (name, value, created_at) values ($1, $2, $3) \
         on conflict (name) do nothing",
    )
    .bind(name)
    .bind(hex::encode(fresh))
    .bind(timefmt::to_db(now))
    .execute(store.pool())
    .await?;
    let stored: String = sqlx::query_scalar("select value from app_secret where name = $1")
        .bind(name)
        .fetch_one(store.pool())
        .await?;
    hex::decode(stored.trim())
        .map_err(|_| StoreError::Other(format!("app_secret {name}: not hexadecimal")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gcra_allows_a_burst_then_one_per_interval() {
        let q = Quota::per_minute(3);
        let mut tat = None;
        for _ in 0..3 {
            tat = Some(gcra(tat, 0, q).unwrap_or_else(|w| panic!("refused, wait {w}")));
        }
        assert_eq!(
            gcra(tat, 0, q),
            Err(20_000),
            "the fourth waits one interval"
        );
        assert!(gcra(tat, 19_999, q).is_err());
        assert!(gcra(tat, 20_000, q).is_ok());
        // Fully recovered after the period: the whole burst again.
        let later = tat.map(|t| t + 60_000);
        assert!(gcra(tat, later.unwrap_or(0), q).is_ok());
    }
}
