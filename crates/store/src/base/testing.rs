//! Test helpers: a fresh, migrated database per test on SQLite or PostgreSQL, so the same
//! test runs on both and no test shares state with another.
//!
//! PostgreSQL comes from `MEIJIAN_TEST_DATABASE_URL` (set by `scripts/test`, which starts a
//! throwaway server when none runs), else `postgres://postgres@127.0.0.1:5432/postgres`. Each
//! test gets its own database, dropped when the [`TestDb`] is dropped.

use crate::{Backend, Store};

/// A migrated database that lives as long as this value.
pub struct TestDb {
    pub store: Store,
    pub url: String,
    backend: Backend,
    _dir: Option<tempfile::TempDir>,
    pg_admin: Option<(String, String)>,
}

/// The admin URL of the PostgreSQL server the tests use.
pub fn postgres_admin_url() -> String {
    std::env::var("MEIJIAN_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_string())
}

impl TestDb {
    /// A fresh database on `backend`. Panics with a plain message when PostgreSQL is not
    /// reachable: run the tests through `scripts/test`, which provides one.
    pub async fn new(backend: Backend) -> TestDb {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
                let url = format!("sqlite:{}", dir.path().join("test.db").display());
                let store = connect_and_migrate(&url).await;
                TestDb {
                    store,
                    url,
                    backend,
                    _dir: Some(dir),
                    pg_admin: None,
                }
            }
            Backend::Postgres => {
                let admin = postgres_admin_url();
                let name = format!("meijian_t_{}", crate::new_id());
                let admin_store = Store::connect(&admin).await.unwrap_or_else(|e| {
                    panic!(
                        "PostgreSQL is needed for this test and is not reachable ({e}). \
                         Run the tests with scripts/test, or set MEIJIAN_TEST_DATABASE_URL."
                    )
                });
                sqlx::query(&format!("create database {name}"))
                    .execute(admin_store.pool())
                    .await
                    .unwrap_or_else(|e| panic!("create database {name}: {e}"));
                admin_store.close().await;
                let url = with_database(&admin, &name);
                let store = connect_and_migrate(&url).await;
                TestDb {
                    store,
                    url,
                    backend,
                    _dir: None,
                    pg_admin: Some((admin, name)),
                }
            }
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }
}

async fn connect_and_migrate(url: &str) -> Store {
    let store = Store::connect(url)
        .await
        .unwrap_or_else(|e| panic!("connect {url}: {e}"));
    store
        .migrate()
        .await
        .unwrap_or_else(|e| panic!("migrate {url}: {e}"));
    store
}

/// `admin` with its database name replaced by `name`.
fn with_database(admin: &str, name: &str) -> String {
    match url::Url::parse(admin) {
        Ok(mut u) => {
            u.set_path(&format!("/{name}"));
            u.to_string()
        }
        Err(_) => admin.to_string(),
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some((admin, name)) = self.pg_admin.take() else {
            return;
        };
        // Drop runs inside the test's runtime, which may have a single thread: a separate
        // thread with its own runtime drops the database (FORCE ends this test's connections)
        // without needing the test's runtime to make progress.
        let handle = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async move {
                if let Ok(admin_store) = Store::connect(&admin).await {
                    let _ = sqlx::query(&format!("drop database if exists {name} with (force)"))
                        .execute(admin_store.pool())
                        .await;
                    admin_store.close().await;
                }
            });
        });
        let _ = handle.join();
    }
}

/// Runs one async test body on both backends, SQLite first. Use as
/// `both_backends!(name, |db| async move { … })` to get `name_sqlite` and `name_postgres`.
#[macro_export]
macro_rules! both_backends {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let db = $crate::testing::TestDb::new($crate::Backend::Sqlite).await;
                ($body)(db).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let db = $crate::testing::TestDb::new($crate::Backend::Postgres).await;
                ($body)(db).await;
            }
        }
    };
}
