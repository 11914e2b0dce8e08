//! Storage rules on SQLite and PostgreSQL: migrations, the audit chain and its tamper
//! detection, atomicity of a change with its audit entry, lockout, backup and restore.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use meijian_domain::department::DepartmentKind;
use meijian_domain::region::RegionCode;
use meijian_store::accounts::departments::{self, NewDepartment};
use meijian_store::audit::{self, Verdict};
use meijian_store::testing::TestDb;
use meijian_store::{accounts, both_backends, demo, Actor, Backend, Scope, Store};
use time::macros::datetime;
use time::OffsetDateTime;

const NOW: OffsetDateTime = datetime!(2026-11-20 02:00 UTC);

async fn scalar(store: &Store, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(store.pool())
        .await
        .unwrap()
}

both_backends!(
    migrations_are_recorded_and_idempotent,
    |db: TestDb| async move {
        let versions = db.store.applied_versions().await.unwrap();
        assert!(!versions.is_empty());
        assert!(
            db.store.migrate().await.unwrap().is_empty(),
            "a second run applies nothing"
        );
    }
);

both_backends!(
    audit_chain_detects_edit_insert_and_deletion,
    |db: TestDb| async move {
        let store = &db.store;
        demo::seed(store, NOW).await.unwrap();
        let n = scalar(store, "select count(*) from audit_entry").await;
        assert!(n > 40);
        assert_eq!(
            audit::verify(store).await.unwrap(),
            Verdict::Intact { entries: n }
        );

        // Edit one field of entry 7.
        sqlx::query("update audit_entry set actor_name = 'someone-else' where seq = 7")
            .execute(store.pool())
            .await
            .unwrap();
        assert!(matches!(
            audit::verify(store).await.unwrap(),
            Verdict::Broken { seq: 7, .. }
        ));
        sqlx::query("update audit_entry set actor_name = 'demo' where seq = 7")
            .execute(store.pool())
            .await
            .unwrap();
        assert!(matches!(
            audit::verify(store).await.unwrap(),
            Verdict::Intact { .. }
        ));

        // Edit another entry, then delete it outright: both show at that place.
        sqlx::query("update audit_entry set after_json = '{}' where seq = 9")
            .execute(store.pool())
            .await
            .unwrap();
        assert!(matches!(
            audit::verify(store).await.unwrap(),
            Verdict::Broken { seq: 9, .. }
        ));
        sqlx::query("delete from audit_entry where seq = 9")
            .execute(store.pool())
            .await
            .unwrap();
        assert!(matches!(
            audit::verify(store).await.unwrap(),
            Verdict::Broken { seq: 9, .. }
        ));
    }
);

both_backends!(audit_detects_a_deleted_tail, |db: TestDb| async move {
    let store = &db.store;
    demo::seed(store, NOW).await.unwrap();
    let n = scalar(store, "select count(*) from audit_entry").await;
    sqlx::query("delete from audit_entry where seq = $1")
        .bind(n)
        .execute(store.pool())
        .await
        .unwrap();
    assert!(matches!(audit::verify(store).await.unwrap(), Verdict::Broken { seq, .. } if seq == n));
});

both_backends!(
    a_failed_change_leaves_neither_record_nor_audit_entry,
    |db: TestDb| async move {
        let store = &db.store;
        let scope = Scope::system(Actor::system("test"));
        let new = || NewDepartment {
            kind: DepartmentKind::Customs,
            region: RegionCode::parse("370402").unwrap(),
            name: None,
        };
        let mut tx = store.begin().await.unwrap();
        departments::create(&mut tx, &scope, NOW, new())
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let entries = scalar(store, "select count(*) from audit_entry").await;
        let mut tx = store.begin().await.unwrap();
        let err = departments::create(&mut tx, &scope, NOW, new())
            .await
            .unwrap_err();
        assert!(err.to_string().contains("已有海关"), "{err}");
        drop(tx); // rolled back
        let mut tx = store.begin().await.unwrap();
        let long = NewDepartment {
            kind: DepartmentKind::Tax,
            region: RegionCode::parse("370402").unwrap(),
            name: Some("税".repeat(61)),
        };
        let err = departments::create(&mut tx, &scope, NOW, long)
            .await
            .unwrap_err();
        assert!(err.to_string().contains("不能超过 60 个字"), "{err}");
        drop(tx);
        assert_eq!(scalar(store, "select count(*) from department").await, 1);
        assert_eq!(
            scalar(store, "select count(*) from audit_entry").await,
            entries
        );
        // A transaction dropped half-way (a crash mid-request) leaves nothing behind.
        let mut tx = store.begin().await.unwrap();
        departments::create(
            &mut tx,
            &scope,
            NOW,
            NewDepartment {
                kind: DepartmentKind::Postal,
                region: RegionCode::parse("370403").unwrap(),
                name: None,
            },
        )
        .await
        .unwrap();
        drop(tx);
        assert_eq!(scalar(store, "select count(*) from department").await, 1);
        assert!(matches!(
            audit::verify(store).await.unwrap(),
            Verdict::Intact { .. }
        ));
    }
);

both_backends!(
    concurrent_audited_writes_keep_one_chain,
    |db: TestDb| async move {
        let store = db.store.clone();
        let scope = Scope::system(Actor::system("test"));
        let regions: Vec<&str> = vec!["370402", "370403", "370404", "370405", "370406", "370481"];
        let mut tasks = Vec::new();
        for (i, r) in regions.iter().enumerate() {
            for kind in [
                DepartmentKind::Customs,
                DepartmentKind::Postal,
                DepartmentKind::Tax,
            ] {
                let store = store.clone();
                let scope = scope.clone();
                let region = RegionCode::parse(r).unwrap();
                tasks.push(tokio::spawn(async move {
                    let mut tx = store.begin().await.unwrap();
                    departments::create(
                        &mut tx,
                        &scope,
                        NOW + time::Duration::seconds(i as i64),
                        NewDepartment {
                            kind,
                            region,
                            name: None,
                        },
                    )
                    .await
                    .unwrap();
                    tx.commit().await.unwrap();
                }));
            }
        }
        for t in tasks {
            t.await.unwrap();
        }
        assert_eq!(
            audit::verify(&store).await.unwrap(),
            Verdict::Intact { entries: 18 }
        );
    }
);

both_backends!(
    department_names_follow_region_and_kind,
    |db: TestDb| async move {
        let scope = Scope::system(Actor::system("test"));
        let mut tx = db.store.begin().await.unwrap();
        let d = departments::create(
            &mut tx,
            &scope,
            NOW,
            NewDepartment {
                kind: DepartmentKind::MarketRegulation,
                region: RegionCode::parse("370403").unwrap(),
                name: None,
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(d.name, "枣庄市薛城区市场监督管理局");
        let mut tx = db.store.begin().await.unwrap();
        let err = departments::create(
            &mut tx,
            &scope,
            NOW,
            NewDepartment {
                kind: DepartmentKind::Health,
                region: RegionCode::parse("379999").unwrap(),
                name: None,
            },
        )
        .await
        .unwrap_err();
        assert!(err.to_string().contains("不是有效的行政区划代码"), "{err}");
    }
);

both_backends!(
    login_counts_failures_and_resets_on_success,
    |db: TestDb| async move {
        let store = &db.store;
        let accounts = demo::seed(store, NOW).await.unwrap();
        let pw = accounts
            .iter()
            .find(|a| a.username == "analyst")
            .unwrap()
            .password
            .clone();
        let actor = Actor::default();
        for i in 1..=3 {
            let r = accounts::authenticate(store, &actor, NOW, "analyst", "nope")
                .await
                .unwrap();
            assert_eq!(r.unwrap_err(), accounts::LoginError::BadCredentials);
            assert_eq!(
                scalar(
                    store,
                    "select failed_logins from account where username = 'analyst'"
                )
                .await,
                i
            );
        }
        assert!(accounts::authenticate(store, &actor, NOW, "analyst", &pw)
            .await
            .unwrap()
            .is_ok());
        assert_eq!(
            scalar(
                store,
                "select failed_logins from account where username = 'analyst'"
            )
            .await,
            0
        );
        let hash: String =
            sqlx::query_scalar("select password_hash from account where username = 'analyst'")
                .fetch_one(store.pool())
                .await
                .unwrap();
        assert!(hash.starts_with("$argon2id$") && !hash.contains(&pw));
    }
);

#[tokio::test]
async fn backup_while_writing_then_restore_gives_back_every_record() {
    let db = TestDb::new(Backend::Sqlite).await;
    let store = db.store.clone();
    demo::seed(&store, NOW).await.unwrap();
    // A writer keeps adding audited departments while the backup runs.
    let writer = {
        let store = store.clone();
        tokio::spawn(async move {
            let scope = Scope::system(Actor::system("writer"));
            for code in ["370405", "370406", "370481"] {
                for kind in [DepartmentKind::Customs, DepartmentKind::Postal] {
                    let mut tx = store.begin().await.unwrap();
                    departments::create(
                        &mut tx,
                        &scope,
                        NOW,
                        NewDepartment {
                            kind,
                            region: RegionCode::parse(code).unwrap(),
                            name: None,
                        },
                    )
                    .await
                    .unwrap();
                    tx.commit().await.unwrap();
                }
            }
        })
    };
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("backup.db");
    let manifest = meijian_store::backup::backup(&store, &copy).await.unwrap();
    writer.await.unwrap();
    let departments_in_copy = manifest
        .rows
        .iter()
        .find(|(t, _)| t == "department")
        .unwrap()
        .1;
    assert!(
        departments_in_copy >= 36,
        "the snapshot holds at least the seeded departments"
    );

    let target = dir.path().join("restored.db");
    meijian_store::backup::restore(&copy, &target, false)
        .await
        .unwrap();
    let restored = Store::connect(&format!("sqlite:{}", target.display()))
        .await
        .unwrap();
    for (table, n) in &manifest.rows {
        assert_eq!(
            scalar(&restored, &format!("select count(*) from {table}")).await,
            *n,
            "{table}"
        );
    }
    // Every record comes back as it was: compare the ids and the audit hashes.
    let ids = |s: Store| async move {
        let d: Vec<(String, String)> =
            sqlx::query_as("select id, name from department order by id")
                .fetch_all(s.pool())
                .await
                .unwrap();
        let a: Vec<(i64, String)> =
            sqlx::query_as("select seq, hash from audit_entry order by seq")
                .fetch_all(s.pool())
                .await
                .unwrap();
        (d, a)
    };
    let (rd, ra) = ids(restored.clone()).await;
    let (od, oa) = ids(store.clone()).await;
    assert!(rd.iter().all(|x| od.contains(x)));
    assert_eq!(ra[..], oa[..ra.len()]);
    assert!(matches!(
        audit::verify(&restored).await.unwrap(),
        Verdict::Intact { .. }
    ));

    // A backup altered after the fact is refused.
    let mut bytes = std::fs::read(&copy).unwrap();
    let last = bytes.len() - 100;
    bytes[last] ^= 0xff;
    std::fs::write(&copy, bytes).unwrap();
    let err = meijian_store::backup::restore(&copy, &dir.path().join("again.db"), false)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("不符"), "{err}");
}

#[tokio::test]
async fn postgres_backup_points_to_pg_dump() {
    let db = TestDb::new(Backend::Postgres).await;
    let dir = tempfile::tempdir().unwrap();
    let err = meijian_store::backup::backup(&db.store, &dir.path().join("x.db"))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("pg_dump"));
}

both_backends!(
    an_unknown_stored_role_is_an_error_naming_the_account,
    |db: TestDb| async move {
        let store = &db.store;
        demo::seed(store, NOW).await.unwrap();
        let scope = Scope::system(Actor::system("test"));
        let analyst = accounts::find_by_username(store, &scope, "analyst")
            .await
            .unwrap();
        assert_eq!(analyst.role, meijian_domain::Role::Analyst);
        assert_eq!(analyst.created_at, NOW);
        assert!(!analyst.disabled);
        sqlx::query("update account set role = 'janitor' where id = $1")
            .bind(&analyst.id)
            .execute(store.pool())
            .await
            .unwrap();
        let expected = format!("account 表 {} 行的 role 无法读取：“janitor”", analyst.id);
        let err = accounts::get(store, &scope, &analyst.id).await.unwrap_err();
        assert_eq!(err.to_string(), expected);
        let err = accounts::list(store, &scope).await.unwrap_err();
        assert_eq!(err.to_string(), expected);
        // Signing in reads the account too: no guessed role, an error.
        let err = accounts::authenticate(store, &Actor::default(), NOW, "analyst", "x")
            .await
            .unwrap_err();
        assert_eq!(err.to_string(), expected);
    }
);

both_backends!(
    an_unknown_department_kind_is_an_error_naming_the_department,
    |db: TestDb| async move {
        let store = &db.store;
        let scope = Scope::system(Actor::system("test"));
        let mut tx = store.begin().await.unwrap();
        let d = departments::create(
            &mut tx,
            &scope,
            NOW,
            NewDepartment {
                kind: DepartmentKind::Customs,
                region: RegionCode::parse("370402").unwrap(),
                name: None,
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let read = departments::get(store, &scope, &d.id).await.unwrap();
        assert_eq!(read.kind, DepartmentKind::Customs);
        assert_eq!(read.created_at, NOW);
        sqlx::query("update department set kind = 'circus' where id = $1")
            .bind(&d.id)
            .execute(store.pool())
            .await
            .unwrap();
        let expected = format!("department 表 {} 行的 kind 无法读取：“circus”", d.id);
        let err = departments::get(store, &scope, &d.id).await.unwrap_err();
        assert_eq!(err.to_string(), expected);
        let err = departments::list(store, &scope).await.unwrap_err();
        assert_eq!(err.to_string(), expected);
    }
);

both_backends!(
    reading_the_audit_log_after_a_change_keeps_the_chain,
    |db: TestDb| async move {
        let store = &db.store;
        demo::seed(store, NOW).await.unwrap();
        let scope = Scope::system(Actor::system("test"));
        let analyst = accounts::find_by_username(store, &scope, "analyst")
            .await
            .unwrap();
        let later = NOW + time::Duration::hours(1);
        accounts::act(
            store,
            &scope,
            later,
            &accounts::LoginPolicy::default(),
            &analyst.id,
            accounts::AccountAction::Disable,
        )
        .await
        .unwrap();
        let entries = audit::recent(store, &scope, 5).await.unwrap();
        let entry = &entries[0];
        assert_eq!(entry.action, "account.disable");
        assert_eq!(entry.at, later);
        // What the entry records keeps the stored shape: codes, 0/1, stored times.
        let after: serde_json::Value =
            serde_json::from_str(entry.after_json.as_deref().unwrap()).unwrap();
        assert_eq!(after["disabled"], 1);
        assert_eq!(after["role"], "analyst");
        assert_eq!(after["created_at"], "2026-11-20T02:00:00Z");
        let n = scalar(store, "select count(*) from audit_entry").await;
        assert_eq!(
            audit::verify(store).await.unwrap(),
            Verdict::Intact { entries: n }
        );
        // A malformed stored time is an error naming the entry, not a blank.
        sqlx::query("update audit_entry set at = 'yesterday' where seq = $1")
            .bind(entry.seq)
            .execute(store.pool())
            .await
            .unwrap();
        let err = audit::recent(store, &scope, 5).await.unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("audit_entry 表 {} 行的 at 无法读取：“yesterday”", entry.seq)
        );
    }
);
