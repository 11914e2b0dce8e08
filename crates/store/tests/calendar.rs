//! The working-day calendar's overrides on SQLite and PostgreSQL: set, replace, remove, who may,
//! what is refused, and that each change leaves its audit entry.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use meijian_domain::region::RegionCode;
use meijian_domain::role::Role;
use meijian_domain::workdays::{Calendar, DayKind, DayOverride};
use meijian_store::audit::{self, Verdict};
use meijian_store::calendar::{self, parse_override};
use meijian_store::testing::TestDb;
use meijian_store::{both_backends, Actor, Scope, Store, StoreError};
use time::macros::{date, datetime};
use time::OffsetDateTime;

const NOW: OffsetDateTime = datetime!(2026-11-20 02:00 UTC);

fn admin() -> Scope {
    Scope::system(Actor::system("admin"))
}

fn officer() -> Scope {
    let region = RegionCode::parse("370400").unwrap();
    Scope::for_user(Actor::system("officer"), Role::Officer, "d1".into(), region)
}

fn day(date: time::Date, kind: DayKind, name: &str) -> DayOverride {
    DayOverride {
        date,
        kind,
        name: name.to_string(),
    }
}

async fn audit_rows(store: &Store) -> Vec<(String, String, Option<String>)> {
    sqlx::query_as(
        "select action, entity_id, region_code from audit_entry \
         where entity = 'calendar_override' order by seq",
    )
    .fetch_all(store.pool())
    .await
    .unwrap()
}

both_backends!(set_replace_and_remove_a_day, |db: TestDb| async move {
    let store = &db.store;
    let closure = day(date!(2025 - 11 - 12), DayKind::Holiday, " 停电闭馆 ");
    calendar::set_override(store, &admin(), NOW, closure)
        .await
        .unwrap();
    let stored = calendar::list(store).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].date, date!(2025 - 11 - 12));
    assert_eq!(stored[0].kind, DayKind::Holiday);
    assert_eq!(stored[0].created_at, NOW);
    assert_eq!(stored[0].name, "停电闭馆", "trimmed");
    assert_eq!(stored[0].created_by, "admin");
    assert_eq!(stored[0].kind_label(), "休息日");
    let cal = calendar::calendar(store).await.unwrap();
    assert!(!cal.is_working_day(date!(2025 - 11 - 12)));
    assert_eq!(
        cal.add_working_days(date!(2025 - 11 - 11), 1),
        date!(2025 - 11 - 13)
    );

    // The same date again replaces the row.
    let renamed = day(date!(2025 - 11 - 12), DayKind::Holiday, "设备检修");
    calendar::set_override(store, &admin(), NOW, renamed)
        .await
        .unwrap();
    let overrides = calendar::overrides(store).await.unwrap();
    assert_eq!(overrides.len(), 1);
    assert_eq!(overrides[0].name, "设备检修");

    calendar::remove_override(store, &admin(), NOW, date!(2025 - 11 - 12))
        .await
        .unwrap();
    assert!(calendar::list(store).await.unwrap().is_empty());
    assert_eq!(
        calendar::calendar(store).await.unwrap(),
        *Calendar::embedded()
    );
    let again = calendar::remove_override(store, &admin(), NOW, date!(2025 - 11 - 12)).await;
    assert!(matches!(again, Err(StoreError::NotFound)));

    let entries = audit_rows(store).await;
    let actions: Vec<&str> = entries.iter().map(|(a, _, _)| a.as_str()).collect();
    assert_eq!(
        actions,
        [
            "calendar_override.set",
            "calendar_override.set",
            "calendar_override.remove"
        ]
    );
    assert!(entries
        .iter()
        .all(|(_, id, region)| id == "2025-11-12" && region.is_none()));
    assert!(matches!(
        audit::verify(store).await.unwrap(),
        Verdict::Intact { entries: 3 }
    ));
});

both_backends!(
    an_override_wins_over_the_shipped_row,
    |db: TestDb| async move {
        let store = &db.store;
        let shipped = Calendar::embedded();
        assert!(!shipped.is_working_day(date!(2025 - 10 - 08)));
        let fix = day(date!(2025 - 10 - 08), DayKind::Workday, "更正");
        calendar::set_override(store, &admin(), NOW, fix)
            .await
            .unwrap();
        let next_year = day(date!(2027 - 02 - 06), DayKind::Workday, "春节");
        calendar::set_override(store, &admin(), NOW, next_year)
            .await
            .unwrap();
        let cal = calendar::calendar(store).await.unwrap();
        assert!(cal.is_working_day(date!(2025 - 10 - 08)));
        assert!(
            cal.is_working_day(date!(2027 - 02 - 06)),
            "a Saturday worked"
        );
        assert_eq!(cal.known_until(), date!(2027 - 12 - 31));
    }
);

both_backends!(only_administrators_change_it, |db: TestDb| async move {
    let store = &db.store;
    let closure = day(date!(2025 - 11 - 12), DayKind::Holiday, "停电闭馆");
    let set = calendar::set_override(store, &officer(), NOW, closure.clone()).await;
    assert!(matches!(set, Err(StoreError::Forbidden)));
    calendar::set_override(store, &admin(), NOW, closure)
        .await
        .unwrap();
    let removed = calendar::remove_override(store, &officer(), NOW, date!(2025 - 11 - 12)).await;
    assert!(matches!(removed, Err(StoreError::Forbidden)));
    assert_eq!(calendar::list(store).await.unwrap().len(), 1);
    assert_eq!(audit_rows(store).await.len(), 1);
});

both_backends!(
    bad_days_are_refused_naming_the_field,
    |db: TestDb| async move {
        let store = &db.store;
        let refused = |o: DayOverride| async move {
            calendar::set_override(store, &admin(), NOW, o)
                .await
                .unwrap_err()
                .to_string()
        };
        let d = date!(2025 - 11 - 12);
        assert_eq!(
            refused(day(d, DayKind::Holiday, "  ")).await,
            "名称：不能为空，请填写节假日名称，如：春节"
        );
        let long = "很".repeat(21);
        assert_eq!(
            refused(day(d, DayKind::Holiday, &long)).await,
            "名称：不能超过20个字"
        );
        assert!(calendar::set_override(
            store,
            &admin(),
            NOW,
            day(d, DayKind::Holiday, &"很".repeat(20))
        )
        .await
        .is_ok());
        assert_eq!(
            refused(day(date!(2025 - 11 - 13), DayKind::Workday, "调休")).await,
            "类别：2025-11-13 本来就是工作日，无需设置"
        );
        assert_eq!(
            refused(day(date!(2025 - 11 - 15), DayKind::Holiday, "周六")).await,
            "类别：2025-11-15 本来就是休息日，无需设置"
        );
        assert_eq!(
            refused(day(date!(1999 - 10 - 01), DayKind::Holiday, "国庆节")).await,
            "日期：应在2000年至2100年之间"
        );
        assert_eq!(calendar::list(store).await.unwrap().len(), 1);
        assert_eq!(audit_rows(store).await.len(), 1);
    }
);

#[test]
fn form_values_are_parsed_naming_the_field() {
    let ok = parse_override(" 2026-02-14 ", "workday", "春节").unwrap();
    assert_eq!(ok.date, date!(2026 - 02 - 14));
    assert_eq!(ok.kind, DayKind::Workday);
    let date_err = parse_override("2026-02-30", "holiday", "x").unwrap_err();
    assert_eq!(
        date_err.to_string(),
        "日期：“2026-02-30”不是有效日期，应为YYYY-MM-DD"
    );
    let kind_err = parse_override("2026-02-14", "rest", "x").unwrap_err();
    assert!(kind_err.to_string().starts_with("类别：未知类别“rest”"));
}
