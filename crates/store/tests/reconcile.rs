//! The cross-check on imported registries, on SQLite and PostgreSQL: a run classifies operators
//! per district, shows each operator's records with evidence, keeps ids across runs, reports
//! operators that moved between lists, follows officers' decisions, and stays inside scopes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use meijian_domain::region::RegionCode;
use meijian_domain::role::Role;
use meijian_domain::uscc::Uscc;
use meijian_registry::RegistryKind;
use meijian_store::operators::Class;
use meijian_store::reconcile::{self, DecisionKind, OperatorFilter};
use meijian_store::registries::import::{import_file, ImportOptions};
use meijian_store::testing::TestDb;
use meijian_store::{both_backends, Actor, Scope, Store, StoreError};
use time::macros::datetime;
use time::OffsetDateTime;

const NOW: OffsetDateTime = datetime!(2026-11-20 02:00 UTC);

fn code(body: &str) -> String {
    Uscc::from_body(body).unwrap().to_string()
}

fn write(dir: &Path, name: &str, header: &str, lines: &[String]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, format!("{header}\n{}\n", lines.join("\n"))).unwrap();
    p
}

async fn import(store: &Store, path: &Path, registry: RegistryKind) {
    let scope = Scope::system(Actor::system("test"));
    import_file(
        store,
        &scope,
        &|| NOW,
        path,
        &ImportOptions::new(registry),
        &mut |_, _, _| {},
    )
    .await
    .unwrap();
}

const REG: &str = "统一社会信用代码,主体名称,主体类型,法定代表人,住所,经营范围,登记状态,成立日期,登记机关,行政区划代码";
const LIC: &str = "登记号,证件类型,机构名称,统一社会信用代码,机构类别,诊疗科目,地址,法定代表人,主要负责人,有效期至,发证机关,行政区划代码,状态";
const SHOP: &str =
    "平台名称,店铺名称,主体名称,统一社会信用代码,地址,服务类目,店铺链接,行政区划代码";

/// A licensed clinic in 薛城区 (registration, license, platform shop), a registered but
/// unlicensed one in 市中区, and a restaurant.
async fn city(store: &Store, dir: &Path, license_until: &str) -> (String, String) {
    let clinic = code("91370403MA3C5UQ81");
    let other = code("91370402MA3C5UQ82");
    let restaurant = code("92370402MA7XY1234");
    import(
        store,
        &write(
            dir,
            "registrations.csv",
            REG,
            &[
                format!("{clinic},枣庄市薛城区悦颜医疗美容有限公司,有限责任公司,王芳,山东省枣庄市薛城区泰山南路123号,医疗美容服务,存续,2020-01-02,薛城区市场监督管理局,370403"),
                format!("{other},枣庄丽人医疗美容有限公司,有限责任公司,李娜,枣庄市市中区青檀路88号,医疗美容服务,存续,2021-03-04,市中区市场监督管理局,370402"),
                format!("{restaurant},市中区鑫华饭店,个体工商户,张强,枣庄市市中区光明路8号,餐饮服务,存续,2019-05-06,市中区市场监督管理局,370402"),
            ],
        ),
        RegistryKind::Registrations,
    )
    .await;
    import(
        store,
        &write(
            dir,
            "licenses.csv",
            LIC,
            &[format!("PDY00001,执业许可证,悦颜医疗美容门诊部,{clinic},医疗美容门诊部,医疗美容科；美容皮肤科,泰山南路123号,王芳,王芳,{license_until},薛城区卫生健康局,370403,有效")],
        ),
        RegistryKind::Licenses,
    )
    .await;
    import(
        store,
        &write(
            dir,
            "platform_merchants.csv",
            SHOP,
            &["美团,悦颜醫美（薛城店）,,,枣庄市薛城区泰山南路123号,水光针,https://shop.example.com/1,370400".to_owned()],
        ),
        RegistryKind::PlatformMerchants,
    )
    .await;
    (clinic, other)
}

/// The operator a record belongs to in a run.
async fn operator_of(store: &Store, run_id: &str, record_key: &str) -> String {
    sqlx::query_scalar(
        "select operator_id from reconcile_member where run_id = $1 and record_key = $2",
    )
    .bind(run_id)
    .bind(record_key)
    .fetch_one(store.pool())
    .await
    .unwrap()
}

fn officer(region: &str) -> Scope {
    Scope::for_user(
        Actor::system("officer"),
        Role::Officer,
        "d".into(),
        RegionCode::parse(region).unwrap(),
    )
}

both_backends!(
    a_run_classifies_per_district_with_evidence,
    |db: TestDb| async move {
        let dir = tempfile::tempdir().unwrap();
        let (clinic, _) = city(&db.store, dir.path(), "2030-01-01").await;
        let city_officer = officer("370400");
        let run = reconcile::run(&db.store, &city_officer, "2026-11-22", NOW)
            .await
            .unwrap();
        assert_eq!(run.records, 5);
        assert_eq!(run.operators, 3);

        let counts = reconcile::district_counts(&db.store, &city_officer, &run.id)
            .await
            .unwrap();
        let of = |region: &str| {
            counts
                .iter()
                .find(|d| d.region_code == region)
                .unwrap()
                .counts
        };
        assert_eq!(of("370403"), [1, 0, 0, 0, 0], "薛城区: one 有证有照");
        assert_eq!(
            of("370402"),
            [0, 1, 0, 0, 1],
            "市中区: one 有照无证, one out of scope"
        );

        let (both, total) = reconcile::operators(
            &db.store,
            &city_officer,
            &run.id,
            &OperatorFilter {
                class: Some("both".into()),
                ..OperatorFilter::default()
            },
            50,
            0,
        )
        .await
        .unwrap();
        assert_eq!(total, 1);
        let (op, members, _) =
            reconcile::operator(&db.store, &city_officer, &run.id, &both[0].operator_id)
                .await
                .unwrap();
        assert_eq!(op.members, 3);
        assert!(members.iter().any(|m| m.record_key == clinic));
        let shop = members
            .iter()
            .find(|m| m.registry == RegistryKind::PlatformMerchants)
            .unwrap();
        assert!(
            !shop.evidence.is_empty() && shop.confidence > 500,
            "{shop:?}"
        );

        // A district officer sees only the district's operators.
        let xuecheng = officer("370403");
        let err =
            reconcile::operator(&db.store, &officer("370402"), &run.id, &op.operator_id).await;
        assert!(matches!(err, Err(StoreError::NotFound)));
        let (mine, _) = reconcile::operators(
            &db.store,
            &xuecheng,
            &run.id,
            &OperatorFilter::default(),
            50,
            0,
        )
        .await
        .unwrap();
        assert_eq!(mine.len(), 1);

        // The run is audited.
        let audited: i64 =
            sqlx::query_scalar("select count(*) from audit_entry where action = 'reconcile.run'")
                .fetch_one(db.store.pool())
                .await
                .unwrap();
        assert_eq!(audited, 1);
    }
);

both_backends!(
    ids_stay_and_moves_between_lists_are_reported,
    |db: TestDb| async move {
        let dir = tempfile::tempdir().unwrap();
        city(&db.store, dir.path(), "2030-01-01").await;
        let scope = officer("370400");
        let first = reconcile::run(&db.store, &scope, "2026-11-22", NOW)
            .await
            .unwrap();
        assert_eq!(first.changed, 3, "every operator is new");
        let (before, _) = reconcile::operators(
            &db.store,
            &scope,
            &first.id,
            &OperatorFilter::default(),
            50,
            0,
        )
        .await
        .unwrap();

        // The license expires: a later run on a later as-of date moves the clinic to 有照无证.
        let second = reconcile::run(&db.store, &scope, "2031-01-01", NOW)
            .await
            .unwrap();
        assert_eq!(second.changed, 1);
        let (moved, _) = reconcile::operators(
            &db.store,
            &scope,
            &second.id,
            &OperatorFilter {
                changed_only: true,
                ..OperatorFilter::default()
            },
            50,
            0,
        )
        .await
        .unwrap();
        assert_eq!(moved.len(), 1);
        assert_eq!(moved[0].previous_class, Some(Some(Class::Both)));
        assert_eq!(moved[0].class, Some(Class::RegisteredOnly));
        let (after, _) = reconcile::operators(
            &db.store,
            &scope,
            &second.id,
            &OperatorFilter::default(),
            50,
            0,
        )
        .await
        .unwrap();
        let ids = |ops: &[reconcile::OperatorRow]| {
            let mut v: Vec<String> = ops.iter().map(|o| o.operator_id.clone()).collect();
            v.sort();
            v
        };
        assert_eq!(ids(&before), ids(&after), "operator ids are kept");
    }
);

both_backends!(
    decisions_are_kept_applied_and_audited,
    |db: TestDb| async move {
        let dir = tempfile::tempdir().unwrap();
        let (clinic, other) = city(&db.store, dir.path(), "2030-01-01").await;
        let scope = officer("370400");
        // The shop is not the clinic's, says an officer; and the two clinics are one.
        reconcile::decide(
            &db.store,
            &scope,
            DecisionKind::Split,
            ("platform_merchants", "https://shop.example.com/1"),
            ("registrations", &clinic),
            "店铺为另一家工作室",
            NOW,
        )
        .await
        .unwrap();
        reconcile::decide(
            &db.store,
            &scope,
            DecisionKind::Merge,
            ("registrations", &clinic),
            ("registrations", &other),
            "",
            NOW,
        )
        .await
        .unwrap();
        let run = reconcile::run(&db.store, &scope, "2026-11-22", NOW)
            .await
            .unwrap();
        let clinic_op = operator_of(&db.store, &run.id, &clinic).await;
        assert_eq!(
            operator_of(&db.store, &run.id, &other).await,
            clinic_op,
            "merged"
        );
        assert_ne!(
            operator_of(&db.store, &run.id, "https://shop.example.com/1").await,
            clinic_op,
            "split"
        );
        assert_eq!(
            reconcile::decisions(&db.store, &scope).await.unwrap().len(),
            2
        );

        // Outside one's jurisdiction, or without the permission, nothing is decided.
        let err = reconcile::decide(
            &db.store,
            &officer("370402"),
            DecisionKind::Merge,
            ("registrations", &clinic),
            ("registrations", &other),
            "",
            NOW,
        )
        .await;
        assert!(matches!(err, Err(StoreError::NotFound)));
        let analyst = Scope::for_user(
            Actor::system("a"),
            Role::Analyst,
            "d".into(),
            RegionCode::parse("370400").unwrap(),
        );
        let err = reconcile::decide(
            &db.store,
            &analyst,
            DecisionKind::Merge,
            ("registrations", &clinic),
            ("registrations", &other),
            "",
            NOW,
        )
        .await;
        assert!(matches!(err, Err(StoreError::Forbidden)));
        let audited: i64 = sqlx::query_scalar(
            "select count(*) from audit_entry where action = 'reconcile.decide'",
        )
        .fetch_one(db.store.pool())
        .await
        .unwrap();
        assert_eq!(audited, 2);
        // A decision made in error is withdrawn, audited, and no longer applied.
        let merge = reconcile::decisions(&db.store, &scope)
            .await
            .unwrap()
            .into_iter()
            .find(|d| d.kind == DecisionKind::Merge)
            .unwrap();
        let err = reconcile::revoke_decision(&db.store, &officer("370402"), &merge.id, NOW).await;
        assert!(
            matches!(err, Err(StoreError::NotFound)),
            "the merge lies in 薛城区"
        );
        reconcile::revoke_decision(&db.store, &scope, &merge.id, NOW)
            .await
            .unwrap();
        assert_eq!(
            reconcile::decisions(&db.store, &scope).await.unwrap().len(),
            1
        );
        let again = reconcile::run(&db.store, &scope, "2026-11-22", NOW)
            .await
            .unwrap();
        assert_ne!(
            operator_of(&db.store, &again.id, &clinic).await,
            operator_of(&db.store, &again.id, &other).await,
            "the merge is no longer applied"
        );
        let revoked: i64 = sqlx::query_scalar(
            "select count(*) from audit_entry where action = 'reconcile.revoke'",
        )
        .fetch_one(db.store.pool())
        .await
        .unwrap();
        assert_eq!(revoked, 1);
    }
);

both_backends!(
    an_unknown_stored_class_is_an_error_naming_the_run,
    |db: TestDb| async move {
        let dir = tempfile::tempdir().unwrap();
        city(&db.store, dir.path(), "2030-01-01").await;
        let scope = officer("370400");
        let run = reconcile::run(&db.store, &scope, "2026-11-22", NOW)
            .await
            .unwrap();
        sqlx::query("update reconcile_operator set class = 'licensed' where run_id = $1")
            .bind(&run.id)
            .execute(db.store.pool())
            .await
            .unwrap();
        let err = reconcile::operators(
            &db.store,
            &scope,
            &run.id,
            &OperatorFilter::default(),
            50,
            0,
        )
        .await
        .unwrap_err();
        assert!(
            matches!(
                &err,
                StoreError::Corrupt {
                    table: "reconcile_operator",
                    column: "class",
                    ..
                }
            ),
            "{err:?}"
        );
        assert!(err.to_string().contains(&run.id), "{err}");
        let err = reconcile::district_counts(&db.store, &scope, &run.id)
            .await
            .unwrap_err();
        assert!(
            matches!(err, StoreError::Corrupt { .. }),
            "not counted as 非医美: {err:?}"
        );
    }
);
