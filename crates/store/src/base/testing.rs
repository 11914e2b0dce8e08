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

/// The id of the department of `kind` in `region` (the demo city's, `demo::seed`).
pub async fn department(
    store: &Store,
    kind: meijian_domain::department::DepartmentKind,
    region: &str,
) -> String {
    sqlx::query_scalar("select id from department where kind = $1 and region_code = $2")
        .bind(kind.code())
        .bind(region)
        .fetch_one(store.pool())
        .await
        .unwrap_or_else(|e| panic!("no {kind:?} department in {region}: {e}"))
}

/// A user named `name` with `role` in that department, as tests act.
pub async fn user(
    store: &Store,
    name: &str,
    role: meijian_domain::role::Role,
    kind: meijian_domain::department::DepartmentKind,
    region: &str,
) -> crate::Scope {
    let actor = crate::Actor {
        account_id: Some(format!("acc-{name}")),
        name: name.to_string(),
        ..crate::Actor::default()
    };
    let region = meijian_domain::region::RegionCode::parse(region)
        .unwrap_or_else(|e| panic!("bad region {region}: {e}"));
    crate::Scope::for_user(
        actor,
        role,
        department(store, kind, region.as_str()).await,
        region,
    )
}

/// Opens a case from `lead_id` (立案) against one party and decides it with `actions`, all
/// dated the day of `now`: what a lead concluded with a penalty needs first. An organisation
/// party is the lead's operator, registered provisionally when the lead names none. Returns the
/// case id.
pub async fn decided_case(
    store: &Store,
    scope: &crate::Scope,
    now: time::OffsetDateTime,
    lead_id: &str,
    party: meijian_domain::case::PartyKind,
    actions: &[(
        meijian_domain::case::PenaltyKind,
        Option<meijian_domain::lead::Fen>,
    )],
) -> Result<String, crate::StoreError> {
    use crate::cases::{self, open::NewCase, open::NewParty, workflow::CaseCommand};
    use meijian_domain::case::{ActionInput, CaseRules, PartyKind};
    let cal = meijian_domain::workdays::Calendar::embedded();
    let rules = CaseRules::default();
    let lead = crate::leads::get(store, scope, lead_id).await?;
    let operator_id = match (party, &lead.operator_id) {
        (PartyKind::Person, _) => None,
        (PartyKind::Organisation, Some(id)) => Some(id.clone()),
        (PartyKind::Organisation, None) => Some(
            crate::operators::actions::register_provisional(store, scope, lead_id, now)
                .await?
                .id,
        ),
    };
    let today = crate::leads::deadlines::china_date(now);
    let id = cases::open::open(
        store,
        scope,
        cal,
        &rules,
        now,
        &NewCase {
            case_no: String::new(),
            title: format!("{}案", lead.subject_name),
            category: lead.category,
            origin: cases::open::origin_of(lead.source),
            region_code: lead.region_code.clone(),
            violation: lead.summary.clone(),
            filed_on: today,
            parties: vec![NewParty {
                kind: party,
                name: if operator_id.is_some() {
                    String::new()
                } else {
                    "张某某".into()
                },
                id_number: None,
                operator_id,
            }],
            basis: Vec::new(),
            lead_id: Some(lead_id.to_string()),
        },
    )
    .await?;
    let act = |version: i64, command: CaseCommand| {
        let (rules, id) = (&rules, &id);
        async move { cases::workflow::act(store, scope, cal, rules, now, id, version, &command).await }
    };
    act(1, CaseCommand::Investigate).await?;
    let party_id = cases::parties(store, &id).await?.remove(0).id;
    let mut version = 2;
    for (kind, amount) in actions {
        cases::parties::add_action(
            store,
            scope,
            now,
            &id,
            version,
            &party_id,
            &ActionInput {
                kind: *kind,
                amount: *amount,
                ban_years: (*kind == meijian_domain::case::PenaltyKind::Ban).then_some(3),
                decided_on: today,
                decision_no: "测试罚〔2026〕1号".into(),
            },
        )
        .await?;
        version += 1;
    }
    act(
        version,
        CaseCommand::Notify {
            on: today,
            hearing: false,
            note: String::new(),
        },
    )
    .await?;
    act(version + 1, CaseCommand::Decide { on: today }).await?;
    Ok(id)
}
