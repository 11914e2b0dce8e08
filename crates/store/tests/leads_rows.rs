//! Lead rows as types (issue 11), on SQLite and PostgreSQL: an unknown stored code is an error
//! naming the table, the row and the column, never a default; money is kept in fen; the list's
//! filters, built by the `Query` builder, still select what they say.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use meijian_domain::department::DepartmentKind;
use meijian_domain::lead::codes::LeadAction;
use meijian_domain::lead::rules::LeadRules;
use meijian_domain::lead::{Category, Channel, Fen, Finding, LeadKind, LeadState, Outcome};
use meijian_domain::region::RegionCode;
use meijian_domain::role::Role;
use meijian_domain::workdays::Calendar;
use meijian_store::leads::intake::{self, AttachmentLimits, NewComplaint, ReporterIn};
use meijian_store::leads::workflow::{self, Conclusion};
use meijian_store::leads::{self, reward, Due, LeadFilter};
use meijian_store::testing::TestDb;
use meijian_store::{both_backends, demo, Actor, Scope, Store, StoreError};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

/// Friday 2026-11-20, 10:00 in China.
const NOW: OffsetDateTime = datetime!(2026-11-20 02:00 UTC);

async fn scope(store: &Store, role: Role, kind: DepartmentKind, region: &str) -> Scope {
    let department: String =
        sqlx::query_scalar("select id from department where kind = $1 and region_code = $2")
            .bind(kind.code())
            .bind(region)
            .fetch_one(store.pool())
            .await
            .unwrap();
    let actor = Actor {
        account_id: Some(format!("{role}-{region}")),
        name: format!("{}@{region}", role.code()),
        ..Actor::default()
    };
    Scope::for_user(actor, role, department, RegionCode::parse(region).unwrap())
}

async fn submit(store: &Store, kind: LeadKind, category: Category, subject: &str) -> String {
    let c = NewComplaint {
        kind,
        category,
        channel: Channel::Online,
        channel_ref: None,
        region_code: "370402".into(),
        subject_name: subject.into(),
        subject_address: "光明路18号".into(),
        happened_on: Some("2026-11-18".into()),
        description: "在美容院注射了来历不明的玻尿酸，脸部红肿。".into(),
        reporter: Some(ReporterIn {
            name: "王小花".into(),
            phone: "13812345678".into(),
            address: "枣庄市市中区光明路20号".into(),
            email: String::new(),
        }),
        attachments: Vec::new(),
        received_at: None,
    };
    let p = intake::prepare_complaint(
        store,
        Calendar::embedded(),
        &LeadRules::default(),
        AttachmentLimits::default(),
        NOW,
        Actor::system("anonymous"),
        None,
        c,
    )
    .await
    .unwrap();
    let mut tx = store.begin().await.unwrap();
    intake::write_complaint(&mut tx, &p, NOW).await.unwrap();
    tx.commit().await.unwrap();
    p.ticket().lead_id
}

fn assert_corrupt(err: StoreError, id: &str, column: &str, value: &str) {
    match &err {
        StoreError::Corrupt {
            table,
            id: row,
            column: c,
            value: v,
        } => {
            assert_eq!(
                (*table, row.as_str(), *c, v.as_str()),
                ("lead", id, column, value)
            );
        }
        other => panic!("expected Corrupt, got {other:?}"),
    }
    let text = err.to_string();
    assert!(text.contains("lead") && text.contains(id), "{text}");
}

both_backends!(
    an_unknown_stored_lead_state_is_an_error_naming_the_lead,
    |db: TestDb| async move {
        let store = &db.store;
        demo::seed(store, NOW).await.unwrap();
        let id = submit(
            store,
            LeadKind::Report,
            Category::UnlicensedPractice,
            "丽人美容院",
        )
        .await;
        let officer = scope(
            store,
            Role::Officer,
            DepartmentKind::HealthSupervision,
            "370402",
        )
        .await;
        assert_eq!(
            leads::get(store, &officer, &id).await.unwrap().state,
            LeadState::Received
        );
        sqlx::query("update lead set state = 'archived' where id = $1")
            .bind(&id)
            .execute(store.pool())
            .await
            .unwrap();
        // Read alone or in the list: never a default state.
        assert_corrupt(
            leads::get(store, &officer, &id).await.unwrap_err(),
            &id,
            "state",
            "archived",
        );
        let listed = leads::list(store, &officer, &LeadFilter::default(), NOW, NOW).await;
        assert_corrupt(listed.unwrap_err(), &id, "state", "archived");
        // A stored instant that is not a time is named the same way.
        sqlx::query("update lead set state = 'received', accept_due = 'soon' where id = $1")
            .bind(&id)
            .execute(store.pool())
            .await
            .unwrap();
        assert_corrupt(
            leads::get(store, &officer, &id).await.unwrap_err(),
            &id,
            "accept_due",
            "soon",
        );
    }
);

both_backends!(
    an_unknown_stored_history_action_is_an_error_naming_the_event,
    |db: TestDb| async move {
        let store = &db.store;
        demo::seed(store, NOW).await.unwrap();
        let id = submit(
            store,
            LeadKind::Report,
            Category::UnlicensedPractice,
            "丽人美容院",
        )
        .await;
        let officer = scope(
            store,
            Role::Officer,
            DepartmentKind::HealthSupervision,
            "370402",
        )
        .await;
        let lead = leads::get(store, &officer, &id).await.unwrap();
        let events = workflow::events(store, &lead).await.unwrap();
        assert_eq!(
            events.iter().map(|e| e.action).collect::<Vec<_>>(),
            [LeadAction::Received]
        );
        assert_eq!(events[0].at, NOW);
        let event_id = events[0].id.clone();
        sqlx::query("update lead_event set action = 'teleported' where id = $1")
            .bind(&event_id)
            .execute(store.pool())
            .await
            .unwrap();
        let err = workflow::events(store, &lead).await.unwrap_err();
        match &err {
            StoreError::Corrupt {
                table,
                id: row,
                column,
                value,
            } => assert_eq!(
                (*table, row.as_str(), *column, value.as_str()),
                ("lead_event", event_id.as_str(), "action", "teleported")
            ),
            other => panic!("expected Corrupt, got {other:?}"),
        }
        let text = err.to_string();
        assert!(
            text.contains("lead_event") && text.contains(&event_id),
            "{text}"
        );
    }
);

both_backends!(money_is_kept_in_fen, |db: TestDb| async move {
    let store = &db.store;
    demo::seed(store, NOW).await.unwrap();
    let cal = Calendar::embedded();
    let rules = LeadRules::default();
    let id = submit(
        store,
        LeadKind::Report,
        Category::UnlicensedPractice,
        "丽人美容院",
    )
    .await;
    let officer = scope(
        store,
        Role::Officer,
        DepartmentKind::HealthSupervision,
        "370402",
    )
    .await;
    workflow::accept(store, &officer, cal, &rules, NOW, &id)
        .await
        .unwrap();
    workflow::verify(
        store,
        &officer,
        NOW,
        &id,
        Finding::Substantiated,
        "现场核查属实",
    )
    .await
    .unwrap();
    // 1234.56 元 as the officer types it, and 200,000 元 confiscated, decided on the case.
    let case_id = meijian_store::testing::decided_case(
        store,
        &officer,
        NOW,
        &id,
        meijian_domain::case::PartyKind::Person,
        &[
            (
                meijian_domain::case::PenaltyKind::Fine,
                Some(Fen::parse_yuan("1234.56").unwrap()),
            ),
            (
                meijian_domain::case::PenaltyKind::ConfiscateIncome,
                Some(Fen::from_yuan(200_000)),
            ),
        ],
    )
    .await
    .unwrap();
    let c = Conclusion {
        outcome: Outcome::Penalty,
        note: "罚款并没收违法所得。".into(),
    };
    workflow::conclude(store, &officer, cal, &rules, NOW, &id, &c)
        .await
        .unwrap();
    let stored: Vec<(String, i64)> =
        sqlx::query_as("select kind, amount_fen from case_action where case_id = $1 order by kind")
            .bind(&case_id)
            .fetch_all(store.pool())
            .await
            .unwrap();
    assert_eq!(
        stored,
        vec![
            ("confiscate_income".to_string(), 20_000_000),
            ("fine".to_string(), 123_456)
        ]
    );
    let lead = leads::get(store, &officer, &id).await.unwrap();
    let facts = meijian_store::cases::stats::penalty_facts(store, &id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(facts.forfeiture.to_string(), "201,234.56 元");
    // The reward is computed in fen: 5 % of 201,234.56 元 is 10,061.72 元.
    let w = reward::propose(store, &officer, &rules, NOW, &id, 0)
        .await
        .unwrap();
    let r = reward::for_lead(store, &lead).await.unwrap().unwrap();
    assert_eq!(r.id, w);
    assert_eq!(
        (r.forfeiture_fen, r.amount_fen),
        (Fen(20_123_456), Fen(1_006_172))
    );
    let amounts: (i64, i64) =
        sqlx::query_as("select amount_fen, amount_yuan from reward where id = $1")
            .bind(&w)
            .fetch_one(store.pool())
            .await
            .unwrap();
    assert_eq!(amounts, (1_006_172, 10_061));
});

both_backends!(
    the_list_filters_still_select_what_they_say,
    |db: TestDb| async move {
        let store = &db.store;
        demo::seed(store, NOW).await.unwrap();
        let cal = Calendar::embedded();
        let rules = LeadRules::default();
        let officer = scope(
            store,
            Role::Officer,
            DepartmentKind::HealthSupervision,
            "370402",
        )
        .await;
        let leader = scope(store, Role::Leader, DepartmentKind::Health, "370400").await;
        let drug = submit(
            store,
            LeadKind::Report,
            Category::UnlicensedPractice,
            "丽人_美容院",
        )
        .await;
        let ads = submit(
            store,
            LeadKind::Report,
            Category::MedicalInstitution,
            "百分%美容",
        )
        .await;
        let declined = submit(
            store,
            LeadKind::Report,
            Category::UnlicensedPractice,
            "星光美容",
        )
        .await;
        workflow::decline(store, &officer, NOW, &declined, "不属于本部门管辖范围")
            .await
            .unwrap();
        let ids = |rows: Vec<leads::Lead>| {
            let mut ids: Vec<String> = rows.into_iter().map(|l| l.id).collect();
            ids.sort();
            ids
        };
        let sorted = |mut v: Vec<&String>| {
            v.sort();
            v.into_iter().cloned().collect::<Vec<String>>()
        };
        let run = |filter: LeadFilter, now: OffsetDateTime, warn: OffsetDateTime| {
            let officer = officer.clone();
            async move {
                let (rows, total) = leads::list(store, &officer, &filter, now, warn)
                    .await
                    .unwrap();
                assert_eq!(rows.len() as i64, total, "one page holds them all");
                rows
            }
        };
        // Which leads of the officer's department (the demo data holds others).
        let mine = |rows: Vec<leads::Lead>| {
            ids(rows
                .into_iter()
                .filter(|l| [&drug, &ads, &declined].contains(&&l.id))
                .collect())
        };
        let all = run(LeadFilter::default(), NOW, NOW).await;
        assert_eq!(mine(all), sorted(vec![&drug, &ads, &declined]));
        let by_category = LeadFilter {
            category: Some(Category::UnlicensedPractice),
            ..Default::default()
        };
        let rows = run(by_category, NOW, NOW).await;
        assert!(rows
            .iter()
            .all(|l| l.category == Category::UnlicensedPractice));
        assert_eq!(mine(rows), sorted(vec![&drug, &declined]));
        // `_` and `%` in the search are literal characters, not patterns.
        let q = |q: &str| LeadFilter {
            q: Some(q.into()),
            ..Default::default()
        };
        assert_eq!(ids(run(q("丽人_"), NOW, NOW).await), vec![drug.clone()]);
        assert_eq!(ids(run(q("分%"), NOW, NOW).await), vec![ads.clone()]);
        assert!(run(q("人%美"), NOW, NOW).await.is_empty());
        let closed = LeadFilter {
            due: Due::Closed,
            ..Default::default()
        };
        assert_eq!(mine(run(closed, NOW, NOW).await), vec![declined.clone()]);
        let open = LeadFilter {
            due: Due::Open,
            ..Default::default()
        };
        assert_eq!(mine(run(open, NOW, NOW).await), sorted(vec![&drug, &ads]));
        // Accepting within 7 working days: due on 1 December, not overdue now; due soon
        // from the warning window, overdue after.
        let late = NOW + Duration::days(12);
        let overdue = LeadFilter {
            due: Due::Overdue,
            ..Default::default()
        };
        assert!(mine(run(overdue.clone(), NOW, NOW).await).is_empty());
        assert_eq!(
            mine(run(overdue, late, late).await),
            sorted(vec![&drug, &ads])
        );
        let soon = LeadFilter {
            due: Due::DueSoon,
            ..Default::default()
        };
        let warn = leads::deadlines::warn_until(cal, NOW, 2);
        assert!(mine(run(soon.clone(), NOW, warn).await).is_empty());
        let monday = datetime!(2026-11-30 02:00 UTC);
        let warn = leads::deadlines::warn_until(cal, monday, 2);
        assert_eq!(
            mine(run(soon, monday, warn).await),
            sorted(vec![&drug, &ads])
        );
        // A leader's list per department, and "mine" for the officer.
        let dept = officer.department_id.clone();
        let (rows, _) = leads::list(
            store,
            &leader,
            &LeadFilter {
                department_id: dept.clone(),
                ..Default::default()
            },
            NOW,
            NOW,
        )
        .await
        .unwrap();
        assert!(!rows.is_empty());
        assert!(rows.iter().all(|l| Some(&l.department_id) == dept.as_ref()));
        let (rows, _) = leads::list(
            store,
            &officer,
            &LeadFilter {
                mine: true,
                limit: 2,
                ..Default::default()
            },
            NOW,
            NOW,
        )
        .await
        .unwrap();
        assert_eq!(rows.len(), 2, "the page limit applies");
        assert!(rows.iter().all(|l| Some(&l.department_id) == dept.as_ref()));
        let _ = rules;
    }
);
