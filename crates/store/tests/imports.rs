//! Importing registry files on SQLite and PostgreSQL: bad rows reported and good rows kept,
//! re-import changes nothing, a newer export makes versions and marks missing records, dry
//! runs write nothing, and scopes bound what an import may touch.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use meijian_domain::region::RegionCode;
use meijian_domain::role::Role;
use meijian_domain::uscc::Uscc;
use meijian_registry::RegistryKind;
use meijian_store::registries::import::{import_file, ImportOptions, ImportReport};
use meijian_store::registries::records::{self, Filter, RecordRow};
use meijian_store::testing::TestDb;
use meijian_store::{both_backends, Actor, Scope, Store};
use time::macros::datetime;
use time::OffsetDateTime;

const HEADER: &str = "统一社会信用代码,主体名称,主体类型,法定代表人,住所,经营范围,登记状态,成立日期,登记机关,行政区划代码";

/// A valid USCC registered in `region`, numbered `n`.
fn uscc(region: &str, n: u32) -> String {
    // A valid embedded organisation code too, so the only warnings are the ones a test makes.
    let org = format!("MA{n:06}");
    let check = meijian_domain::uscc::org_code_check_char(&org).unwrap();
    Uscc::from_body(&format!("91{region}{org}{check}"))
        .unwrap()
        .as_str()
        .to_string()
}

fn row(code: &str, name: &str, status: &str, region: &str) -> String {
    format!("{code},{name},有限责任公司,张三,枣庄市某路1号,医疗美容服务,{status},2020-01-02,枣庄市市场监督管理局,{region}")
}

fn write(dir: &Path, name: &str, lines: &[String]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, format!("{HEADER}\n{}\n", lines.join("\n"))).unwrap();
    p
}

fn opts(dry_run: bool) -> ImportOptions {
    ImportOptions {
        dry_run,
        batch_size: 2,
        ..ImportOptions::new(RegistryKind::Registrations)
    }
}

const NOW: OffsetDateTime = datetime!(2026-11-20 02:00 UTC);

async fn run(store: &Store, scope: &Scope, path: &Path, o: &ImportOptions) -> ImportReport {
    import_file(store, scope, &|| NOW, path, o, &mut |_, _, _| {})
        .await
        .unwrap()
}

async fn count(store: &Store, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(store.pool())
        .await
        .unwrap()
}

both_backends!(
    bad_rows_are_reported_and_good_rows_imported_once,
    |db: TestDb| async move {
        let dir = tempfile::tempdir().unwrap();
        let scope = Scope::system(Actor::system("test"));
        let a = uscc("370402", 1);
        let b = uscc("370403", 2);
        let mut bad = uscc("370404", 3);
        bad.replace_range(17..18, if bad.ends_with('0') { "1" } else { "0" });
        let lines = vec![
            row(&a, "枣庄市美丽人生医疗美容诊所有限公司", "存续", "370402"),
            row(&b, "薛城区焕颜医疗美容门诊部有限公司", "在业", "370403"),
            row(&bad, "峄城区某某美容有限公司", "存续", "370404"),
            row(&a, "重复的一行", "存续", "370402"),
        ];
        let file = write(dir.path(), "reg.csv", &lines);
        let r = run(&db.store, &scope, &file, &opts(false)).await;
        // DATA.md: a registration with an invalid code "is reported, not linked by code": it
        // is imported with a warning, keyed by the code as given. The duplicate is rejected.
        assert_eq!(
            (
                r.rows_read,
                r.added,
                r.changed,
                r.unchanged,
                r.rejected,
                r.warned
            ),
            (4, 3, 0, 0, 1, 1)
        );
        assert_eq!(
            r.warnings[0].line, 4,
            "line numbers count the header as line 1"
        );
        assert!(
            r.warnings[0].reason.contains("校验") && r.warnings[0].reason.contains("不能按代码"),
            "{:?}",
            r.warnings[0]
        );
        assert_eq!(r.rejections[0].line, 5);
        assert!(
            r.rejections[0].reason.contains("重复") && r.rejections[0].reason.contains("第 2 行"),
            "{:?}",
            r.rejections[0]
        );
        assert_eq!(
            count(&db.store, "select count(*) from registry_record").await,
            3
        );
        let kinds = "select count(*) from import_rejection where kind = ";
        assert_eq!(count(&db.store, &format!("{kinds}'rejected'")).await, 1);
        assert_eq!(count(&db.store, &format!("{kinds}'warning'")).await, 1);

        // The same file again: nothing changes.
        let versions_before = count(&db.store, "select count(*) from registry_version").await;
        let r = run(&db.store, &scope, &file, &opts(false)).await;
        assert_eq!((r.added, r.changed, r.unchanged, r.missing), (0, 0, 3, 0));
        assert_eq!(
            count(&db.store, "select count(*) from registry_version").await,
            versions_before
        );
    }
);

both_backends!(
    a_newer_export_updates_by_key_keeps_history_and_marks_missing,
    |db: TestDb| async move {
        let dir = tempfile::tempdir().unwrap();
        let scope = Scope::system(Actor::system("test"));
        let (a, b, c) = (uscc("370402", 11), uscc("370403", 12), uscc("370404", 13));
        let first = write(
            dir.path(),
            "2026-10.csv",
            &[
                row(&a, "甲医疗美容诊所有限公司", "存续", "370402"),
                row(&b, "乙医疗美容门诊部有限公司", "存续", "370403"),
                row(&c, "丙美容有限公司", "存续", "370404"),
            ],
        );
        run(&db.store, &scope, &first, &opts(false)).await;
        // November: a renamed, b revoked, c gone.
        let second = write(
            dir.path(),
            "2026-11.csv",
            &[
                row(&a, "甲医疗美容医院有限公司", "存续", "370402"),
                row(&b, "乙医疗美容门诊部有限公司", "吊销", "370403"),
            ],
        );
        let r = run(&db.store, &scope, &second, &opts(false)).await;
        assert_eq!((r.added, r.changed, r.unchanged, r.missing), (0, 2, 0, 1));
        // Nothing is deleted: the missing record is marked and still readable.
        assert_eq!(
            count(&db.store, "select count(*) from registry_record").await,
            3
        );
        let (rows, total) = records::list(
            &db.store,
            &scope,
            None,
            RegistryKind::Registrations,
            &Filter::default(),
            1,
            10,
        )
        .await
        .unwrap();
        assert_eq!(total, 2, "lists hide missing records by default");
        assert!(rows.iter().all(|r| r.record_key != c));
        let with_missing = Filter {
            include_missing: true,
            ..Filter::default()
        };
        assert_eq!(
            records::list(
                &db.store,
                &scope,
                None,
                RegistryKind::Registrations,
                &with_missing,
                1,
                10
            )
            .await
            .unwrap()
            .1,
            3
        );
        // History of a: two versions, the second says what changed and from which file.
        let id_a: String =
            sqlx::query_scalar("select id from registry_record where record_key = $1")
                .bind(&a)
                .fetch_one(db.store.pool())
                .await
                .unwrap();
        let versions = records::versions(&db.store, &scope, &id_a).await.unwrap();
        assert_eq!(versions.len(), 2);
        assert_eq!(versions[0].file_name, "2026-11.csv");
        let changes: serde_json::Value =
            serde_json::from_str(versions[0].changes_json.as_deref().unwrap()).unwrap();
        assert_eq!(
            changes["name"],
            serde_json::json!(["甲医疗美容诊所有限公司", "甲医疗美容医院有限公司"])
        );
        assert_eq!(versions[1].file_name, "2026-10.csv");
        // c comes back in December: the mark is cleared and the return is a version.
        let third = write(
            dir.path(),
            "2026-12.csv",
            &[
                row(&a, "甲医疗美容医院有限公司", "存续", "370402"),
                row(&b, "乙医疗美容门诊部有限公司", "吊销", "370403"),
                row(&c, "丙美容有限公司", "存续", "370404"),
            ],
        );
        let r = run(&db.store, &scope, &third, &opts(false)).await;
        assert_eq!((r.changed, r.unchanged, r.missing), (1, 2, 0));
        assert_eq!(
            count(
                &db.store,
                "select count(*) from registry_record where missing_since is not null"
            )
            .await,
            0
        );
        // A partial file never marks anything missing.
        let partial = write(
            dir.path(),
            "part.csv",
            &[row(&a, "甲医疗美容医院有限公司", "存续", "370402")],
        );
        let r = run(
            &db.store,
            &scope,
            &partial,
            &ImportOptions {
                full_export: false,
                ..opts(false)
            },
        )
        .await;
        assert_eq!(r.missing, 0);
        assert_eq!(
            count(
                &db.store,
                "select count(*) from registry_record where missing_since is not null"
            )
            .await,
            0
        );
        // Every import is audited once, with its counts.
        assert_eq!(
            count(
                &db.store,
                "select count(*) from audit_entry where action = 'registry.import'"
            )
            .await,
            4
        );
    }
);

both_backends!(
    a_dry_run_reports_and_writes_nothing,
    |db: TestDb| async move {
        let dir = tempfile::tempdir().unwrap();
        let scope = Scope::system(Actor::system("test"));
        let file = write(
            dir.path(),
            "reg.csv",
            &[
                row(&uscc("370402", 21), "甲", "存续", "370402"),
                row(&uscc("370402", 22), "乙", "休眠", "370402"),
            ],
        );
        let r = run(&db.store, &scope, &file, &opts(true)).await;
        assert_eq!((r.added, r.rejected), (1, 1));
        assert!(r.run_id.is_none());
        for t in [
            "registry_record",
            "registry_version",
            "import_run",
            "import_rejection",
            "audit_entry",
        ] {
            assert_eq!(
                count(&db.store, &format!("select count(*) from {t}")).await,
                0,
                "{t}"
            );
        }
    }
);

both_backends!(
    an_import_stays_inside_the_importers_jurisdiction,
    |db: TestDb| async move {
        let dir = tempfile::tempdir().unwrap();
        let accounts = meijian_store::demo::seed(&db.store, NOW).await.unwrap();
        let officer = accounts.iter().find(|a| a.username == "officer").unwrap();
        let scope = Scope::for_user(
            Actor::system("officer"),
            Role::Officer,
            "x".into(),
            RegionCode::parse("370402").unwrap(),
        );
        let file = write(
            dir.path(),
            "reg.csv",
            &[
                row(&uscc("370402", 31), "市中区甲", "存续", "370402"),
                row(&uscc("370403", 32), "薛城区乙", "存续", "370403"),
            ],
        );
        let r = run(&db.store, &scope, &file, &opts(false)).await;
        assert_eq!((r.added, r.rejected), (1, 1));
        assert!(r.rejections[0].reason.contains("不在您的管辖范围内"));
        let _ = officer;
        // An analyst may read but not import.
        let analyst = Scope::for_user(
            Actor::system("analyst"),
            Role::Analyst,
            "x".into(),
            RegionCode::parse("370400").unwrap(),
        );
        let err = import_file(
            &db.store,
            &analyst,
            &|| NOW,
            &file,
            &opts(false),
            &mut |_, _, _| {},
        )
        .await
        .unwrap_err();
        assert!(matches!(err, meijian_store::StoreError::Forbidden));
        // The district officer's full export does not mark the other districts' records missing.
        let city = Scope::system(Actor::system("city"));
        let other = write(
            dir.path(),
            "city.csv",
            &[row(&uscc("370404", 33), "峄城区丙", "存续", "370404")],
        );
        run(
            &db.store,
            &city,
            &other,
            &ImportOptions {
                full_export: false,
                ..opts(false)
            },
        )
        .await;
        let only_mine = write(
            dir.path(),
            "mine.csv",
            &[row(&uscc("370402", 31), "市中区甲", "存续", "370402")],
        );
        let r = run(&db.store, &scope, &only_mine, &opts(false)).await;
        assert_eq!(r.missing, 0);
    }
);

both_backends!(
    a_file_that_is_not_a_registry_file_imports_nothing,
    |db: TestDb| async move {
        let dir = tempfile::tempdir().unwrap();
        let scope = Scope::system(Actor::system("test"));
        let pdf = dir.path().join("x.csv");
        std::fs::write(&pdf, b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n").unwrap();
        let err = import_file(
            &db.store,
            &scope,
            &|| NOW,
            &pdf,
            &opts(false),
            &mut |_, _, _| {},
        )
        .await
        .unwrap_err();
        assert!(
            err.to_string().contains("PDF") || err.to_string().contains("不是"),
            "{err}"
        );
        let wrong = dir.path().join("wrong.csv");
        std::fs::write(&wrong, "名称,地址\n甲,乙\n").unwrap();
        let err = import_file(
            &db.store,
            &scope,
            &|| NOW,
            &wrong,
            &opts(false),
            &mut |_, _, _| {},
        )
        .await
        .unwrap_err();
        assert!(
            err.to_string().contains("统一社会信用代码"),
            "the message names the expected headers: {err}"
        );
        assert_eq!(count(&db.store, "select count(*) from import_run").await, 0);
    }
);

both_backends!(
    last_wins_within_one_batch_keeps_the_last_row_and_both_versions,
    |db: TestDb| async move {
        let dir = tempfile::tempdir().unwrap();
        let scope = Scope::system(Actor::system("test"));
        let a = uscc("370402", 1);
        let file = write(
            dir.path(),
            "dup.csv",
            &[
                row(&a, "旧名字美容院", "存续", "370402"),
                row(&a, "新名字美容院", "存续", "370402"),
            ],
        );
        let o = ImportOptions {
            last_wins: true,
            batch_size: 100,
            ..opts(false)
        };
        let r = run(&db.store, &scope, &file, &o).await;
        assert_eq!((r.added, r.changed, r.rejected), (1, 1, 0));
        let (name, version): (String, i64) =
            sqlx::query_as("select name, version from registry_record")
                .fetch_one(db.store.pool())
                .await
                .unwrap();
        assert_eq!((name.as_str(), version), ("新名字美容院", 2));
        assert_eq!(
            count(&db.store, "select count(*) from registry_version").await,
            2
        );
    }
);

both_backends!(
    a_nul_character_rejects_its_row_and_the_rest_is_imported,
    |db: TestDb| async move {
        // PostgreSQL refuses U+0000 in text: the row must be rejected by the reader, never
        // reach the database, and the run must end like any other.
        let dir = tempfile::tempdir().unwrap();
        let scope = Scope::system(Actor::system("test"));
        let codes: Vec<String> = (41..46).map(|n| uscc("370402", n)).collect();
        let lines = vec![
            row(&codes[0], "甲医疗美容诊所有限公司", "存续", "370402"),
            row(&codes[1], "乙医疗美容诊所有限公司", "存续", "370402"),
            row(&codes[2], "丙医疗美容\0诊所有限公司", "存续", "370402"),
            row(&codes[3], "丁医疗美容诊所有限公司", "存续", "370402"),
            row(&codes[4], "戊医疗美容诊所有限公司", "存续", "370402"),
        ];
        let file = write(dir.path(), "nul.csv", &lines);
        let r = run(&db.store, &scope, &file, &opts(false)).await;
        assert_eq!(
            (r.rows_read, r.added, r.changed, r.rejected),
            (5, 4, 0, 1),
            "{:?}",
            r.rejections
        );
        let rejection = &r.rejections[0];
        assert_eq!(rejection.line, 4, "row 3 of the data is line 4");
        assert_eq!(rejection.column, "主体名称");
        assert!(
            rejection.reason.contains("NUL") && rejection.reason.contains("U+0000"),
            "{rejection:?}"
        );
        assert!(!rejection.value.contains('\0'), "{rejection:?}");
        let status: String = sqlx::query_scalar("select status from import_run")
            .fetch_one(db.store.pool())
            .await
            .unwrap();
        assert_eq!(status, "completed");
        assert_eq!(
            count(&db.store, "select count(*) from registry_record").await,
            4
        );
        let stored: String = sqlx::query_scalar(
            "select column_name || '|' || reason from import_rejection where kind = 'rejected'",
        )
        .fetch_one(db.store.pool())
        .await
        .unwrap();
        assert!(stored.starts_with("主体名称|"), "{stored}");

        // The same file again: a new run that changes nothing and also completes.
        let versions = count(&db.store, "select count(*) from registry_version").await;
        let r = run(&db.store, &scope, &file, &opts(false)).await;
        assert_eq!(r.resumed_after_line, None);
        assert_eq!(
            (r.added, r.changed, r.unchanged, r.rejected, r.missing),
            (0, 0, 4, 1, 0)
        );
        assert_eq!(
            count(&db.store, "select count(*) from registry_version").await,
            versions
        );
        assert_eq!(
            count(&db.store, "select count(*) from registry_record").await,
            4
        );
        assert_eq!(
            count(
                &db.store,
                "select count(*) from import_run where status <> 'completed'"
            )
            .await,
            0
        );
    }
);

/// Every record the export of `filter` streams, in order.
async fn exported(
    store: &Store,
    scope: &Scope,
    filter: &Filter,
) -> Result<Vec<RecordRow>, meijian_store::StoreError> {
    use futures_util::TryStreamExt;
    let mut export = records::export(store, scope, RegistryKind::Registrations, filter).await?;
    let rows: Vec<RecordRow> = export.rows().try_collect().await?;
    Ok(rows)
}

/// The keys of a page of the list (all of it: 1,000 a page).
async fn listed(store: &Store, scope: &Scope, filter: &Filter) -> Vec<String> {
    let (rows, total) = records::list(
        store,
        scope,
        None,
        RegistryKind::Registrations,
        filter,
        1,
        1000,
    )
    .await
    .unwrap();
    assert_eq!(rows.len() as i64, total);
    rows.into_iter().map(|r| r.record_key).collect()
}

fn keys(rows: &[RecordRow]) -> Vec<String> {
    rows.iter().map(|r| r.record_key.clone()).collect()
}

/// Three districts of 枣庄: 市中区 (370402) 30 records, 薛城区 (370403) 20, 峄城区 (370404) 10;
/// every third 吊销, the rest 存续; and a record of 市中区 missing from a later full export.
async fn three_districts(store: &Store, dir: &Path) -> String {
    let scope = Scope::system(Actor::system("test"));
    let mut lines = Vec::new();
    let mut n = 0;
    for (region, count) in [("370402", 30), ("370403", 20), ("370404", 10)] {
        for i in 0..count {
            n += 1;
            let status = if i % 3 == 0 { "吊销" } else { "存续" };
            lines.push(row(
                &uscc(region, n),
                &format!("{region}第{i}号医疗美容诊所有限公司"),
                status,
                region,
            ));
        }
    }
    let all = write(dir, "all.csv", &lines);
    let r = run(store, &scope, &all, &opts(false)).await;
    assert_eq!(r.added, 60, "{:?}", r.rejections);
    // A later full export of the city without the first record of 市中区.
    let gone = uscc("370402", 1);
    let later = write(dir, "later.csv", &lines[1..]);
    let r = run(store, &scope, &later, &opts(false)).await;
    assert_eq!(r.missing, 1);
    gone
}

both_backends!(
    the_export_streams_every_record_of_the_scope_and_none_outside,
    |db: TestDb| async move {
        let dir = tempfile::tempdir().unwrap();
        let gone = three_districts(&db.store, dir.path()).await;
        let district =
            Scope::system_at(Actor::system("test"), RegionCode::parse("370402").unwrap());
        let rows = exported(&db.store, &district, &Filter::default())
            .await
            .unwrap();
        assert_eq!(rows.len(), 29, "市中区 without its missing record");
        assert!(rows.iter().all(|r| r.region_code == "370402"));
        assert!(rows
            .iter()
            .all(|r| r.registry == RegistryKind::Registrations));
        assert!(rows.iter().all(|r| r.record_key != gone));
        assert!(rows.iter().all(|r| r.missing_since.is_none()));
        assert!(rows.iter().all(|r| r.updated_at == NOW));
        // The same records in the same order as the list.
        assert_eq!(
            keys(&rows),
            listed(&db.store, &district, &Filter::default()).await
        );
        let with_missing = Filter {
            include_missing: true,
            ..Filter::default()
        };
        let rows = exported(&db.store, &district, &with_missing).await.unwrap();
        assert_eq!(rows.len(), 30);
        let missing: Vec<&RecordRow> = rows.iter().filter(|r| r.missing_since.is_some()).collect();
        assert_eq!(missing.len(), 1);
        assert_eq!(missing[0].record_key, gone);
        assert_eq!(missing[0].missing_since, Some(NOW));
        // The city sees all three districts; a district outside the data nothing.
        let city = Scope::system_at(Actor::system("test"), RegionCode::parse("370400").unwrap());
        let rows = exported(&db.store, &city, &Filter::default())
            .await
            .unwrap();
        assert_eq!(rows.len(), 59);
        assert_eq!(
            keys(&rows),
            listed(&db.store, &city, &Filter::default()).await
        );
        let elsewhere =
            Scope::system_at(Actor::system("test"), RegionCode::parse("370405").unwrap());
        assert!(exported(&db.store, &elsewhere, &Filter::default())
            .await
            .unwrap()
            .is_empty());
        // Another registry of the same scope: nothing.
        let mut other =
            records::export(&db.store, &city, RegistryKind::Licenses, &Filter::default())
                .await
                .unwrap();
        use futures_util::StreamExt;
        assert!(other.rows().next().await.is_none());
        // Without the permission to view registries: refused before reading.
        let viewer = Scope::for_user(
            Actor::system("test"),
            Role::Institution,
            "d1".to_string(),
            RegionCode::parse("370400").unwrap(),
        );
        if !viewer.can(meijian_domain::role::Permission::ViewRegistries) {
            assert!(exported(&db.store, &viewer, &Filter::default())
                .await
                .is_err());
        }
    }
);

both_backends!(
    filter_combinations_list_and_export_the_same_records,
    |db: TestDb| async move {
        let dir = tempfile::tempdir().unwrap();
        three_districts(&db.store, dir.path()).await;
        let city = Scope::system_at(Actor::system("test"), RegionCode::parse("370400").unwrap());
        let f =
            |q: Option<&str>, region: Option<&str>, status: Option<&str>, missing: bool| Filter {
                q: q.map(str::to_string),
                region: region.map(str::to_string),
                status: status.map(str::to_string),
                category: None,
                include_missing: missing,
            };
        for (filter, expected) in [
            (f(None, None, None, false), 59),
            (f(None, None, None, true), 60),
            (f(None, Some("370403"), None, false), 20),
            (f(None, Some("370403"), Some("吊销"), false), 7),
            (f(None, None, Some("吊销"), false), 20),
            (f(None, None, Some("吊销"), true), 21),
            (f(Some("370404第"), None, None, false), 10),
            (f(Some("370404第1号"), Some("370404"), None, false), 1),
            (f(Some("370404第1号"), Some("370403"), None, false), 0),
            (f(Some("第2"), Some("370402"), Some("存续"), false), 8),
            (f(Some("100%_"), None, None, true), 0),
            (f(None, Some("999999"), None, false), 0),
        ] {
            let list = listed(&db.store, &city, &filter).await;
            assert_eq!(list.len(), expected, "{filter:?}");
            let rows = exported(&db.store, &city, &filter).await.unwrap();
            assert_eq!(keys(&rows), list, "{filter:?}");
        }
        // A category filter: every registration of the test data is 有限责任公司.
        let by_category = Filter {
            category: Some("有限责任公司".to_string()),
            ..Filter::default()
        };
        assert_eq!(listed(&db.store, &city, &by_category).await.len(), 59);
        let other_category = Filter {
            category: Some("个体工商户".to_string()),
            ..Filter::default()
        };
        assert!(exported(&db.store, &city, &other_category)
            .await
            .unwrap()
            .is_empty());
    }
);

both_backends!(
    a_corrupt_stored_value_is_an_error_naming_the_record,
    |db: TestDb| async move {
        let dir = tempfile::tempdir().unwrap();
        three_districts(&db.store, dir.path()).await;
        let scope = Scope::system(Actor::system("test"));
        let id: String = sqlx::query_scalar(
            "select id from registry_record where region_code = '370403' \
             order by record_key limit 1",
        )
        .fetch_one(db.store.pool())
        .await
        .unwrap();
        sqlx::query("update registry_record set registry = 'registries_of_mars' where id = $1")
            .bind(&id)
            .execute(db.store.pool())
            .await
            .unwrap();
        let err = records::get(&db.store, &scope, &id).await.unwrap_err();
        assert!(
            matches!(err, meijian_store::StoreError::Corrupt { .. }),
            "{err:?}"
        );
        let text = err.to_string();
        assert!(
            text.contains("registry_record")
                && text.contains(&id)
                && text.contains("registry")
                && text.contains("registries_of_mars"),
            "{text}"
        );
        // A malformed time ends the export with the same kind of error, naming the row.
        sqlx::query("update registry_record set registry = 'registrations', updated_at = 'yesterday' where id = $1")
            .bind(&id)
            .execute(db.store.pool())
            .await
            .unwrap();
        let err = exported(&db.store, &scope, &Filter::default())
            .await
            .unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("registry_record") && text.contains(&id) && text.contains("updated_at"),
            "{text}"
        );
        // The list page reads through the same check.
        assert!(records::list(
            &db.store,
            &scope,
            None,
            RegistryKind::Registrations,
            &Filter::default(),
            1,
            100
        )
        .await
        .is_err());
    }
);
