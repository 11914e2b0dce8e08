//! The connection pool, the backend it talks to, migrations and transactions.

use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};
use std::str::FromStr;

use crate::StoreError;

/// A transaction on either backend.
pub type Tx = sqlx::Transaction<'static, sqlx::Any>;

/// Which database the store talks to. Code paths do not branch on it except where the two
/// databases truly differ (transaction start, backup).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Handle to the database; cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
}

impl Store {
    /// Connects to `sqlite://PATH` (the file is created if missing) or `postgres://…`.
    /// An unreachable database gives [`StoreError::Unreachable`] naming the host, never the
    /// password.
    #[tracing::instrument(skip_all)]
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let (backend, url) = normalise(url)?;
        let target = redact_url(&url);
        let options = AnyConnectOptions::from_str(&url).map_err(|e| StoreError::Unreachable {
            target: target.clone(),
            reason: e.to_string(),
        })?;
        let pool = match backend {
            Backend::Sqlite => {
                AnyPoolOptions::new()
                    .max_connections(4)
                    .acquire_timeout(Duration::from_secs(10))
                    .after_connect(|conn, _| {
                        Box::pin(async move {
                            // WAL: readers never block the writer. synchronous=FULL: a commit
                            // that returned is on disk. busy_timeout: wait for the write lock
                            // instead of failing at once.
                            conn.execute(
                                "pragma journal_mode = wal; pragma synchronous = full; \
                                 pragma foreign_keys = on; pragma busy_timeout = 10000; \
                                 pragma cache_size = -262144; pragma temp_store = memory;",
                            )
                            .await?;
                            Ok(())
                        })
                    })
                    .connect_with(options)
                    .await
            }
            Backend::Postgres => {
                AnyPoolOptions::new()
                    .max_connections(10)
                    .acquire_timeout(Duration::from_secs(5))
                    .connect_with(options)
                    .await
            }
        }
        .map_err(|e| StoreError::Unreachable {
            target,
            reason: connect_reason(&e),
        })?;
        Ok(Store { pool, backend })
    }

    /// Applies the embedded migrations that have not run yet; returns the versions applied.
    #[tracing::instrument(skip_all)]
    pub async fn migrate(&self) -> Result<Vec<i64>, StoreError> {
        let before = self.applied_versions().await.unwrap_or_default();
        MIGRATOR.run(&self.pool).await?;
        let after = self.applied_versions().await?;
        let applied: Vec<i64> = after.into_iter().filter(|v| !before.contains(v)).collect();
        // Data steps SQL cannot express portably, run once right after their migration.
        if applied.contains(&crate::cases::legacy::MIGRATION) {
            crate::cases::legacy::china_days(self).await?;
        }
        if applied.contains(&crate::cases::legacy::TRANSFER_MIGRATION) {
            crate::cases::legacy::police_referrals(self).await?;
        }
        Ok(applied)
    }

    /// The migration versions recorded in the database.
    #[tracing::instrument(skip_all)]
    pub async fn applied_versions(&self) -> Result<Vec<i64>, StoreError> {
        let rows: Vec<(i64,)> =
            sqlx::query_as("select version from _sqlx_migrations where success order by version")
                .fetch_all(&self.pool)
                .await?;
        Ok(rows.into_iter().map(|r| r.0).collect())
    }

    /// Starts a write transaction. On SQLite it takes the write lock up front
    /// (`BEGIN IMMEDIATE`), so a transaction that reads before it writes cannot fail to upgrade.
    #[tracing::instrument(skip_all)]
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        let tx = match self.backend {
            Backend::Sqlite => self.pool.begin_with("begin immediate").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        Ok(tx)
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Cheap liveness probe of the database.
    #[tracing::instrument(skip_all)]
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("select 1").execute(&self.pool).await?;
        Ok(())
    }

    #[tracing::instrument(skip_all)]
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Accepts `sqlite:PATH`, `sqlite://PATH`, `postgres://…` and `postgresql://…`.
fn normalise(url: &str) -> Result<(Backend, String), StoreError> {
    if let Some(rest) = url.strip_prefix("sqlite:") {
        let path = rest.trim_start_matches("//");
        if path.is_empty() {
            return Err(StoreError::invalid("数据库地址", "SQLite 地址缺少文件路径"));
        }
        let (file, query) = match path.split_once('?') {
            Some((f, q)) => (f, Some(q)),
            None => (path, None),
        };
        if file != ":memory:" {
            if let Some(parent) = std::path::Path::new(file).parent() {
                if !parent.as_os_str().is_empty() {
                    std::fs::create_dir_all(parent).map_err(|e| StoreError::Unreachable {
                        target: file.to_string(),
                        reason: format!("无法创建目录：{e}"),
                    })?;
                }
            }
        }
        let query = match query {
            Some(q) if q.contains("mode=") => q.to_string(),
            Some(q) => format!("{q}&mode=rwc"),
            None => "mode=rwc".to_string(),
        };
        Ok((Backend::Sqlite, format!("sqlite://{file}?{query}")))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok((Backend::Postgres, url.to_string()))
    } else {
        Err(StoreError::invalid(
            "数据库地址",
            "应以 sqlite: 或 postgres:// 开头",
        ))
    }
}

/// The URL with any password removed, for messages and logs.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.scheme().starts_with("postgres") => {
            if u.password().is_some() {
                let _ = u.set_password(None);
            }
            let host = u.host_str().unwrap_or("localhost").to_string();
            let port = u.port().map(|p| format!(":{p}")).unwrap_or_default();
            let user = if u.username().is_empty() {
                String::new()
            } else {
                format!("{}@", u.username())
            };
            format!("{}://{user}{host}{port}{}", u.scheme(), u.path())
        }
        _ => url.split('?').next().unwrap_or(url).to_string(),
    }
}

/// A short reason for a failed connection, without echoing the URL back.
fn connect_reason(e: &sqlx::Error) -> String {
    match e {
        sqlx::Error::Io(io) => io.to_string(),
        sqlx::Error::PoolTimedOut => "连接超时".to_string(),
        sqlx::Error::Database(db) => db.message().to_string(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_never_shows_the_password() {
        let r = redact_url("postgres://app:s3cret@db.example:5433/meijian?sslmode=require");
        assert_eq!(r, "postgres://app@db.example:5433/meijian");
        assert!(!r.contains("s3cret"));
    }

    #[test]
    fn sqlite_urls_are_normalised() {
        let dir = std::env::temp_dir().join(format!("meijian-{}", crate::new_id()));
        let file = dir.join("x.db");
        let (b, u) = normalise(&format!("sqlite:{}", file.display()))
            .unwrap_or((Backend::Postgres, String::new()));
        assert_eq!(b, Backend::Sqlite);
        assert_eq!(u, format!("sqlite://{}?mode=rwc", file.display()));
        assert!(dir.is_dir(), "the parent directory is created");
        let _ = std::fs::remove_dir_all(dir);
        assert!(normalise("mysql://x").is_err());
    }
}
