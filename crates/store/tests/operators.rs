//! The lasting operator record (主体库), on SQLite and PostgreSQL: runs fill and update it and
//! never delete from it, a re-run over unchanged registries rewrites nothing, officers' merges
//! move every reference, a provisional operator from a lead is linked by a later run, a split
//! asked for is carried out by the next run, and search and reads stay inside scopes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use meijian_domain::department::DepartmentKind;
use meijian_domain::lead::rules::LeadRules;
use meijian_domain::lead::{Category, Source};
use meijian_domain::operator::{EventKind, OperatorStatus, Origin};
use meijian_domain::region::RegionCode;
use meijian_domain::role::Role;
use meijian_domain::uscc::Uscc;
use meijian_domain::workdays::Calendar;
use meijian_registry::RegistryKind;
use meijian_store::leads::intake::{record_clue, NewClue};
use meijian_store::operators::{actions, read};
use meijian_store::reconcile;
use meijian_store::registries::import::{import_file, ImportOptions};
use meijian_store::testing::TestDb;
use meijian_store::{both_backends, demo, Actor, Scope, Store, StoreError};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

const NOW: OffsetDateTime = datetime!(2026-11-20 02:00 UTC);
const REG: &str = "统一社会信用代码,主体名称,主体类型,法定代表人,住所,经营范围,登记状态,成立日期,登记机关,行政区划代码";
const LIC: &str = "登记号,证件类型,机构名称,统一社会信用代码,机构类别,诊疗科目,地址,法定代表人,主要负责人,有效期至,发证机关,行政区划代码,状态";

fn code(body: &str) -> String {
    Uscc::from_body(body).unwrap().to_string()
}

fn write(dir: &Path, name: &str, header: &str, lines: &[String]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, format!("{header}\n{}\n", lines.join("\n"))).unwrap();
    p
}

async fn import(store: &Store, path: &Path, registry: RegistryKind, now: OffsetDateTime) {
    let scope = Scope::system(Actor::system("test"));
    let mut options = ImportOptions::new(registry);
    options.full_export = true;
    import_file(store, &scope, &|| now, path, &options, &mut |_, _, _| {})
        .await
        .unwrap();
}

fn registrations(extra: &[String]) -> Vec<String> {
    let mut lines = vec![
        format!("{},枣庄市薛城区悦颜医疗美容有限公司,有限责任公司,王芳,山东省枣庄市薛城区泰山南路123号,医疗美容服务,存续,2020-01-02,薛城区市场监督管理局,370403", code("91370403MA3C5UQ81")),
        format!("{},枣庄丽人医疗美容有限公司,有限责任公司,李娜,枣庄市市中区青檀路88号,医疗美容服务,存续,2021-03-04,市中区市场监督管理局,370402", code("91370402MA3C5UQ82")),
    ];
    lines.extend_from_slice(extra);
    lines
}

fn admin() -> Scope {
    Scope::system_at(Actor::system("admin"), RegionCode::parse("370400").unwrap())
}

fn person(role: Role, department: &str, region: &str) -> Scope {
    Scope::for_user(
        Actor::system(role.code()),
        role,
        department.into(),
        RegionCode::parse(region).unwrap(),
    )
}

async fn run(store: &Store, now: OffsetDateTime) -> reconcile::RunRow {
    reconcile::run(store, &admin(), "2026-11-20", now)
        .await
        .unwrap()
}

async fn operator_of(store: &Store, run_id: &str, key: &str) -> String {
    sqlx::query_scalar(
        "select operator_id from reconcile_member where run_id = $1 and record_key = $2",
    )
    .bind(run_id)
    .bind(key)
    .fetch_one(store.pool())
    .await
    .unwrap()
}

async fn updated_at(store: &Store) -> Vec<(String, String)> {
    sqlx::query_as("select id, updated_at from operator order by id")
        .fetch_all(store.pool())
        .await
        .unwrap()
}

both_backends!(
    runs_fill_the_record_rewrite_only_changes_and_never_delete,
    |db: TestDb| async move {
        let store = &db.store;
        let dir = tempfile::tempdir().unwrap();
        let salon = format!("{},枣庄市市中区美丽约定美容店,个体工商户,赵敏,枣庄市市中区光明路8号,生活美容服务,存续,2019-05-06,市中区市场监督管理局,370402", code("92370402MA7XY1234"));
        import(
            store,
            &write(dir.path(), "r.csv", REG, &registrations(&[salon])),
            RegistryKind::Registrations,
            NOW,
        )
        .await;
        import(store, &write(dir.path(), "l.csv", LIC, &[format!("PDY00001,执业许可证,悦颜医疗美容门诊部,{},医疗美容门诊部,医疗美容科,泰山南路123号,王芳,王芳,2030-01-01,薛城区卫生健康局,370403,有效", code("91370403MA3C5UQ81"))]), RegistryKind::Licenses, NOW).await;
        let first = run(store, NOW).await;
        let clinic_id = operator_of(store, &first.id, &code("91370403MA3C5UQ81")).await;
        let salon_id = operator_of(store, &first.id, &code("92370402MA7XY1234")).await;
        let clinic = read::get(store, &admin(), &clinic_id).await.unwrap();
        assert_eq!(clinic.origin, Origin::Registry);
        assert_eq!(clinic.status, OperatorStatus::Active);
        assert_eq!(clinic.class_zh(), "有证有照");
        assert_eq!(clinic.region_code, "370403");
        assert_eq!(clinic.members, 2);
        assert!(
            clinic.names.contains(&"悦颜医疗美容门诊部".to_owned()),
            "{:?}",
            clinic.names
        );
        assert_eq!(clinic.class_run_id.as_deref(), Some(first.id.as_str()));
        let records = read::records(store, &clinic).await.unwrap();
        assert_eq!(records.len(), 2);

        // The same registries again: nothing is rewritten.
        let before = updated_at(store).await;
        let second = run(store, NOW + Duration::hours(1)).await;
        assert_eq!(updated_at(store).await, before);
        let classes = read::classes(store, &clinic).await.unwrap();
        assert_eq!(classes.len(), 2);
        assert_eq!(classes[1].run_id, second.id);

        // A full export without the salon: it is kept, marked absent, and comes back.
        import(
            store,
            &write(dir.path(), "r2.csv", REG, &registrations(&[])),
            RegistryKind::Registrations,
            NOW + Duration::hours(2),
        )
        .await;
        run(store, NOW + Duration::hours(3)).await;
        let gone = read::get(store, &admin(), &salon_id).await.unwrap();
        assert_eq!(gone.status, OperatorStatus::Absent);
        assert!(gone.absent_since.is_some());
        let events = read::events(store, &gone).await.unwrap();
        assert_eq!(events[0].kind, EventKind::Absent);
        let salon = format!("{},枣庄市市中区美丽约定美容店,个体工商户,赵敏,枣庄市市中区光明路8号,生活美容服务,存续,2019-05-06,市中区市场监督管理局,370402", code("92370402MA7XY1234"));
        import(
            store,
            &write(dir.path(), "r3.csv", REG, &registrations(&[salon])),
            RegistryKind::Registrations,
            NOW + Duration::hours(4),
        )
        .await;
        run(store, NOW + Duration::hours(5)).await;
        let back = read::get(store, &admin(), &salon_id).await.unwrap();
        assert_eq!(back.status, OperatorStatus::Active);
        assert_eq!(
            read::events(store, &back).await.unwrap()[0].kind,
            EventKind::Returned
        );
    }
);

both_backends!(
    merges_move_references_and_provisional_operators_are_linked_by_a_run,
    |db: TestDb| async move {
        let store = &db.store;
        demo::seed(store, NOW).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        import(
            store,
            &write(dir.path(), "r.csv", REG, &registrations(&[])),
            RegistryKind::Registrations,
            NOW,
        )
        .await;
        let first = run(store, NOW).await;
        let market: String = sqlx::query_scalar(
            "select id from department where kind = $1 and region_code = '370402'",
        )
        .bind(DepartmentKind::MarketRegulation.code())
        .fetch_one(store.pool())
        .await
        .unwrap();
        let officer = person(Role::Officer, &market, "370402");

        // A lead about a studio no registry knows: a provisional operator, 无照无证.
        let lead = record_clue(
            store,
            &officer,
            Calendar::embedded(),
            &LeadRules::default(),
            NOW,
            NewClue {
                source: Source::Inspection,
                category: Category::UnlicensedPractice,
                region_code: "370402".into(),
                subject_name: "枣庄市市中区丽颜美容工作室".into(),
                subject_address: "青檀路100号1单元502室".into(),
                summary: "居民楼内开展注射美容。".into(),
            },
        )
        .await
        .unwrap();
        let provisional = actions::register_provisional(store, &officer, &lead.lead_id, NOW)
            .await
            .unwrap();
        assert_eq!(provisional.origin, Origin::Provisional);
        assert!(provisional.id.starts_with("ZP"));
        assert_eq!(provisional.class_zh(), "无照无证");
        let again = actions::register_provisional(store, &officer, &lead.lead_id, NOW).await;
        assert!(
            matches!(again, Err(StoreError::Conflict { .. })),
            "{again:?}"
        );

        // The studio registers; the next run finds it and the lead follows.
        let studio = format!("{},枣庄市市中区丽颜美容工作室,个体工商户,孙丽,枣庄市市中区青檀路100号,生活美容服务,存续,2026-11-01,市中区市场监督管理局,370402", code("92370402MA7XY5678"));
        import(
            store,
            &write(dir.path(), "r2.csv", REG, &registrations(&[studio])),
            RegistryKind::Registrations,
            NOW + Duration::hours(1),
        )
        .await;
        let second = run(store, NOW + Duration::hours(2)).await;
        let studio_id = operator_of(store, &second.id, &code("92370402MA7XY5678")).await;
        let linked = read::get(store, &admin(), &provisional.id).await.unwrap();
        assert_eq!(linked.status, OperatorStatus::Merged);
        assert_eq!(linked.merged_into.as_deref(), Some(studio_id.as_str()));
        assert_eq!(
            read::resolve(store, &admin(), &provisional.id)
                .await
                .unwrap()
                .id,
            studio_id
        );
        let lead_operator: Option<String> =
            sqlx::query_scalar("select operator_id from lead where id = $1")
                .bind(&lead.lead_id)
                .fetch_one(store.pool())
                .await
                .unwrap();
        assert_eq!(lead_operator.as_deref(), Some(studio_id.as_str()));

        // An officer merges the studio into 丽人: the lead follows again, history kept on
        // both, and the next run keeps 丽人's id for both registrations.
        let liren = operator_of(store, &first.id, &code("91370402MA3C5UQ82")).await;
        let bad = actions::merge(store, &officer, &studio_id, &liren, "", NOW).await;
        assert!(matches!(
            bad,
            Err(StoreError::Invalid {
                field: "理由", ..
            })
        ));
        let leader = person(Role::Leader, &market, "370402");
        let refused = actions::merge(store, &leader, &studio_id, &liren, "同一经营者", NOW).await;
        assert!(matches!(refused, Err(StoreError::Forbidden)));
        let merged = actions::merge(
            store,
            &admin(),
            &studio_id,
            &liren,
            "同一经营者，现场核实",
            NOW + Duration::hours(3),
        )
        .await
        .unwrap();
        assert_eq!(merged.merged_into.as_deref(), Some(liren.as_str()));
        let lead_operator: Option<String> =
            sqlx::query_scalar("select operator_id from lead where id = $1")
                .bind(&lead.lead_id)
                .fetch_one(store.pool())
                .await
                .unwrap();
        assert_eq!(lead_operator.as_deref(), Some(liren.as_str()));
        let third = run(store, NOW + Duration::hours(4)).await;
        assert_eq!(
            operator_of(store, &third.id, &code("92370402MA7XY5678")).await,
            liren
        );
        let kinds: Vec<EventKind> =
            read::events(store, &read::get(store, &admin(), &liren).await.unwrap())
                .await
                .unwrap()
                .into_iter()
                .map(|e| e.kind)
                .collect();
        assert!(kinds.contains(&EventKind::Absorbed), "{kinds:?}");
        let twice = actions::merge(store, &admin(), &studio_id, &liren, "再次合并", NOW).await;
        assert!(
            matches!(
                twice,
                Err(StoreError::Invalid {
                    field: "主体", ..
                })
            ),
            "{twice:?}"
        );
        let audit: i64 = sqlx::query_scalar(
            "select count(*) from audit_entry where action in ('operator.merge', 'operator.provisional')",
        )
        .fetch_one(store.pool())
        .await
        .unwrap();
        assert_eq!(audit, 2);
    }
);

both_backends!(
    a_split_asked_for_is_carried_out_by_the_next_run,
    |db: TestDb| async move {
        let store = &db.store;
        let dir = tempfile::tempdir().unwrap();
        import(
            store,
            &write(dir.path(), "r.csv", REG, &registrations(&[])),
            RegistryKind::Registrations,
            NOW,
        )
        .await;
        import(store, &write(dir.path(), "l.csv", LIC, &[format!("PDY00001,执业许可证,悦颜医疗美容门诊部,{},医疗美容门诊部,医疗美容科,泰山南路123号,王芳,王芳,2030-01-01,薛城区卫生健康局,370403,有效", code("91370403MA3C5UQ81"))]), RegistryKind::Licenses, NOW).await;
        let first = run(store, NOW).await;
        let clinic_id = operator_of(store, &first.id, &code("91370403MA3C5UQ81")).await;
        let clinic = read::get(store, &admin(), &clinic_id).await.unwrap();
        let records = read::records(store, &clinic).await.unwrap();
        let license = records
            .iter()
            .find(|r| r.registry == RegistryKind::Licenses)
            .unwrap()
            .record_id
            .clone();
        let all: Vec<String> = records.iter().map(|r| r.record_id.clone()).collect();
        let whole =
            actions::request_split(store, &admin(), &clinic_id, &all, "不是同一家", NOW).await;
        assert!(
            matches!(whole, Err(StoreError::Invalid { .. })),
            "{whole:?}"
        );
        actions::request_split(
            store,
            &admin(),
            &clinic_id,
            &[license],
            "许可证属于另一机构",
            NOW,
        )
        .await
        .unwrap();
        let second = run(store, NOW + Duration::hours(1)).await;
        // Two operators now; one keeps the id (the previous run's records vote), the other is
        // new and remembers where it came from.
        let license_op = operator_of(store, &second.id, "PDY00001").await;
        let registration_op = operator_of(store, &second.id, &code("91370403MA3C5UQ81")).await;
        assert_ne!(license_op, registration_op);
        let new_id = if license_op == clinic_id {
            &registration_op
        } else {
            &license_op
        };
        assert!([&license_op, &registration_op].contains(&&clinic_id));
        let new = read::get(store, &admin(), new_id).await.unwrap();
        assert_eq!(new.split_from.as_deref(), Some(clinic_id.as_str()));
        let kinds: Vec<EventKind> = read::events(store, &clinic)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.kind)
            .collect();
        assert!(
            kinds.contains(&EventKind::SplitOff) && kinds.contains(&EventKind::SplitRequested),
            "{kinds:?}"
        );
    }
);

both_backends!(
    search_and_reads_stay_inside_scopes,
    |db: TestDb| async move {
        let store = &db.store;
        let dir = tempfile::tempdir().unwrap();
        import(
            store,
            &write(dir.path(), "r.csv", REG, &registrations(&[])),
            RegistryKind::Registrations,
            NOW,
        )
        .await;
        let first = run(store, NOW).await;
        let clinic_id = operator_of(store, &first.id, &code("91370403MA3C5UQ81")).await;
        let liren_id = operator_of(store, &first.id, &code("91370402MA3C5UQ82")).await;
        let city = person(Role::Analyst, "d", "370400");
        let search = |q: &str| read::Search {
            q: Some(q.into()),
            ..read::Search::default()
        };
        for q in [
            "悦颜",
            "王芳",
            "泰山南路",
            &clinic_id,
            &code("91370403MA3C5UQ81"),
        ] {
            let (rows, total) = read::search(store, &city, &search(q), 50, 0).await.unwrap();
            assert_eq!((total, rows[0].id.as_str()), (1, clinic_id.as_str()), "{q}");
        }
        let in_district = read::Search {
            region: Some("370402".into()),
            ..read::Search::default()
        };
        let (rows, _) = read::search(store, &city, &in_district, 50, 0)
            .await
            .unwrap();
        assert_eq!(
            rows.iter().map(|o| o.id.as_str()).collect::<Vec<_>>(),
            [liren_id.as_str()]
        );
        let by_class = read::Search {
            class: Some("registered_only".into()),
            ..read::Search::default()
        };
        assert_eq!(
            read::search(store, &city, &by_class, 50, 0)
                .await
                .unwrap()
                .1,
            2
        );
        let bad_class = read::Search {
            class: Some("both;".into()),
            ..read::Search::default()
        };
        assert!(matches!(
            read::search(store, &city, &bad_class, 50, 0).await,
            Err(StoreError::Invalid { .. })
        ));

        // 市中区 sees its own operator only; an institution account only the one it is bound to.
        let district = person(Role::Officer, "d", "370402");
        assert_eq!(
            read::search(store, &district, &search("悦颜"), 50, 0)
                .await
                .unwrap()
                .1,
            0
        );
        assert!(matches!(
            read::get(store, &district, &clinic_id).await,
            Err(StoreError::NotFound)
        ));
        let outside = read::Search {
            region: Some("370403".into()),
            ..read::Search::default()
        };
        assert!(matches!(
            read::search(store, &district, &outside, 50, 0).await,
            Err(StoreError::NotFound)
        ));
        let institution =
            person(Role::Institution, "d", "370400").bound_to(Some(clinic_id.clone()));
        assert_eq!(
            read::get(store, &institution, &clinic_id).await.unwrap().id,
            clinic_id
        );
        assert!(matches!(
            read::get(store, &institution, &liren_id).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            read::search(store, &institution, &search("悦颜"), 50, 0).await,
            Err(StoreError::Forbidden)
        ));
        let unbound = person(Role::Institution, "d", "370400");
        assert!(matches!(
            read::get(store, &unbound, &clinic_id).await,
            Err(StoreError::NotFound)
        ));

        // A stored status this build does not know is an error naming the row.
        sqlx::query("update operator set status = 'archived' where id = $1")
            .bind(&liren_id)
            .execute(store.pool())
            .await
            .unwrap();
        let err = read::get(store, &city, &liren_id).await.unwrap_err();
        assert!(
            err.to_string()
                .contains(&format!("operator 表 {liren_id} 行的 status")),
            "{err}"
        );
    }
);
