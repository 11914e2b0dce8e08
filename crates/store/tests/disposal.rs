//! 处置 and 销号 of the 有照无证 / 无照无证 lists (seed `002` task (11)) on SQLite and
//! PostgreSQL: officers record dated disposals with evidence (kept with SHA-256) and an
//! optional case in scope, close the entry once, a leader reopens it; every change is audited;
//! bad input is refused with a Chinese reason; the lists' summaries and filters follow.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use meijian_domain::disposal::{DisposalFilter, DisposalKind, Standing};
use meijian_domain::region::RegionCode;
use meijian_domain::role::Role;
use meijian_store::operators::disposal::{self, NewDisposal, NewFile};
use meijian_store::operators::read::{self, Search};
use meijian_store::testing::TestDb;
use meijian_store::{audit, both_backends, Actor, Scope, Store, StoreError};
use sha2::{Digest, Sha256};
use time::macros::datetime;
use time::OffsetDateTime;

const NOW: OffsetDateTime = datetime!(2026-11-20 02:00 UTC);

fn person(role: Role, region: &str) -> Scope {
    Scope::for_user(
        Actor::system(role.code()),
        role,
        "dept".into(),
        RegionCode::parse(region).unwrap(),
    )
}

/// An operator of the record, inserted as a run would leave it.
async fn operator(store: &Store, id: &str, region: &str, class: &str, status: &str) {
    sqlx::query(
        "insert into operator (id, origin, status, region_code, name, names, persons, addresses, \
         class, members, fingerprint, created_at, updated_at) values ($1, 'registry', $2, $3, \
         $4, $4, '', '', $5, 1, '', '2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z')",
    )
    .bind(id)
    .bind(status)
    .bind(region)
    .bind(format!("{id} 美容工作室"))
    .bind(class)
    .execute(store.pool())
    .await
    .unwrap();
}

async fn case(store: &Store, id: &str, region: &str) {
    sqlx::query(
        "insert into enforcement_case (id, case_no, title, category, origin, stage, region_code, \
         authority, violation, filed_on, source, created_by, created_at, updated_at) values \
         ($1, $2, '无证行医案', 'unlicensed_practice', 'inspection', 'filed', $3, '卫生健康局', \
         '未取得医疗机构执业许可证开展医疗美容', '2026-11-10', 'officer', '测试', \
         '2026-11-10T00:00:00Z', '2026-11-10T00:00:00Z')",
    )
    .bind(id)
    .bind(format!("NO-{id}"))
    .bind(region)
    .execute(store.pool())
    .await
    .unwrap();
}

fn new(kind: &str, day: &str) -> NewDisposal {
    NewDisposal {
        kind: kind.into(),
        disposed_on: day.into(),
        note: "现场检查，责令停止执业活动".into(),
        case_id: None,
        files: vec![],
    }
}

fn field(e: StoreError) -> (String, String) {
    match e {
        StoreError::Invalid { field, message } | StoreError::Conflict { field, message } => {
            (field.to_owned(), message)
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

async fn audited(store: &Store, action: &str) -> i64 {
    sqlx::query_scalar("select count(*) from audit_entry where action = $1")
        .bind(action)
        .fetch_one(store.pool())
        .await
        .unwrap()
}

both_backends!(
    an_officer_records_closes_and_a_leader_reopens,
    |db: TestDb| async move {
        let store = &db.store;
        operator(store, "ZT1", "370402", "registered_only", "active").await;
        operator(store, "ZT2", "370402", "neither", "active").await;
        operator(store, "ZT3", "370402", "both", "active").await;
        let officer = person(Role::Officer, "370402");
        let leader = person(Role::Leader, "370400");

        // A disposal with an evidence file, kept with its hash.
        let photo = b"\x89PNG\r\n\x1a\nphoto of the closed door".to_vec();
        let mut input = new("penalty", "2026-11-19");
        input.files.push(NewFile {
            file_name: "../现场照片.png".into(),
            bytes: photo.clone(),
        });
        let id = disposal::record(store, &officer, "ZT1", &input, NOW)
            .await
            .unwrap();
        let list = disposal::list(store, &officer, "ZT1").await.unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].id, id);
        assert_eq!(list[0].kind, DisposalKind::Penalty);
        assert_eq!(list[0].recorded_by, "officer");
        assert_eq!(list[0].files.len(), 1);
        let f = &list[0].files[0];
        assert_eq!(f.file_name, "现场照片.png");
        assert_eq!(f.content_type, "image/png");
        assert_eq!(f.sha256, hex::encode(Sha256::digest(&photo)));
        let (meta, bytes) = disposal::file(store, &officer, "ZT1", &f.id).await.unwrap();
        assert_eq!(bytes, photo);
        assert_eq!(meta.size_bytes, photo.len() as i64);
        assert!(matches!(
            disposal::file(store, &officer, "ZT2", &f.id).await,
            Err(StoreError::NotFound)
        ));
        assert_eq!(audited(store, "operator.disposal").await, 1);

        let s = disposal::summary(store, &officer, "ZT1").await.unwrap();
        assert_eq!(s.standing, Standing::InProgress);
        assert_eq!(s.label_zh(), "处置中（行政处罚，2026-11-19）");
        assert_eq!(
            disposal::summary(store, &officer, "ZT2")
                .await
                .unwrap()
                .label_zh(),
            "未处置"
        );

        // More evidence later, for that disposal of that operator only.
        let more = [NewFile {
            file_name: "询问笔录.pdf".into(),
            bytes: b"%PDF-1.7 record".to_vec(),
        }];
        let added = disposal::add_files(store, &officer, "ZT1", &id, &more, NOW)
            .await
            .unwrap();
        assert_eq!(added[0].content_type, "application/pdf");
        assert!(matches!(
            disposal::add_files(store, &officer, "ZT2", &id, &more, NOW).await,
            Err(StoreError::NotFound)
        ));
        assert_eq!(
            disposal::list(store, &officer, "ZT1").await.unwrap()[0]
                .files
                .len(),
            2
        );

        // 销号, once; no more disposals while closed; an officer cannot reopen.
        disposal::close(store, &officer, "ZT1", "已责令停业并罚款，整改到位", NOW)
            .await
            .unwrap();
        let (f, m) = field(
            disposal::close(store, &officer, "ZT1", "再次销号", NOW)
                .await
                .unwrap_err(),
        );
        assert_eq!(
            (f.as_str(), m.as_str()),
            ("销号", "该主体已销号，不能重复销号")
        );
        let (_, m) = field(
            disposal::record(store, &officer, "ZT1", &new("ceased", "2026-11-20"), NOW)
                .await
                .unwrap_err(),
        );
        assert!(m.contains("已销号"), "{m}");
        assert!(matches!(
            disposal::add_files(store, &officer, "ZT1", &id, &more, NOW).await,
            Err(StoreError::Invalid { .. })
        ));
        assert!(matches!(
            disposal::reopen(store, &officer, "ZT1", "复查发现继续营业", NOW).await,
            Err(StoreError::Forbidden)
        ));
        assert_eq!(
            disposal::summary(store, &officer, "ZT1")
                .await
                .unwrap()
                .label_zh(),
            "已销号（行政处罚）"
        );

        // The leader reopens; disposals may be recorded again and it may be closed again.
        disposal::reopen(store, &leader, "ZT1", "复查发现继续营业", NOW)
            .await
            .unwrap();
        let (_, m) = field(
            disposal::reopen(store, &leader, "ZT1", "再次恢复", NOW)
                .await
                .unwrap_err(),
        );
        assert!(m.contains("未销号"), "{m}");
        disposal::record(store, &officer, "ZT1", &new("ceased", "2026-11-20"), NOW)
            .await
            .unwrap();
        disposal::close(store, &officer, "ZT1", "已停止经营", NOW)
            .await
            .unwrap();
        let closures = disposal::closures(store, &officer, "ZT1").await.unwrap();
        assert_eq!(closures.len(), 2);
        assert_eq!(
            closures.iter().filter(|c| c.reopened_at.is_none()).count(),
            1
        );
        assert_eq!(
            closures
                .iter()
                .find(|c| c.reopened_at.is_some())
                .unwrap()
                .reopened_by
                .as_deref(),
            Some("leader")
        );
        assert_eq!(audited(store, "operator.disposal").await, 2);
        assert_eq!(audited(store, "operator.close").await, 2);
        assert_eq!(audited(store, "operator.reopen").await, 1);
        assert!(matches!(
            audit::verify(store).await.unwrap(),
            audit::Verdict::Intact { .. }
        ));
        let s = disposal::summary(store, &officer, "ZT1").await.unwrap();
        assert_eq!((s.standing, s.disposals), (Standing::Closed, 2));
    }
);

both_backends!(bad_input_is_refused_in_chinese, |db: TestDb| async move {
    let store = &db.store;
    operator(store, "ZT1", "370402", "neither", "active").await;
    operator(store, "ZT3", "370402", "both", "active").await;
    operator(store, "ZT4", "370402", "neither", "merged").await;
    operator(store, "ZT9", "370403", "neither", "active").await;
    case(store, "AJ1", "370402").await;
    case(store, "AJ9", "370403").await;
    let officer = person(Role::Officer, "370402");
    let leader = person(Role::Leader, "370402");

    let refused = |r: Result<String, StoreError>| field(r.unwrap_err());
    let (f, m) =
        refused(disposal::record(store, &officer, "ZT1", &new("penalty", "2026-11-21"), NOW).await);
    assert_eq!((f.as_str(), m.as_str()), ("处置日期", "不能晚于今天"));
    // 2026-11-20 10:00 in China is still the 20th: today is allowed.
    disposal::record(store, &officer, "ZT1", &new("licensed", "2026-11-20"), NOW)
        .await
        .unwrap();
    let (f, _) =
        refused(disposal::record(store, &officer, "ZT1", &new("penalty", "20261119"), NOW).await);
    assert_eq!(f, "处置日期");
    let (f, m) =
        refused(disposal::record(store, &officer, "ZT1", &new("warning", "2026-11-19"), NOW).await);
    assert_eq!(
        (f.as_str(), m.as_str()),
        ("处置方式", "请从列表中选择处置方式")
    );
    let (f, m) =
        refused(disposal::record(store, &officer, "ZT3", &new("penalty", "2026-11-19"), NOW).await);
    assert_eq!(f, "主体");
    assert!(m.contains("不在“有照无证”或“无照无证”名单上"), "{m}");
    let (_, m) =
        refused(disposal::record(store, &officer, "ZT4", &new("penalty", "2026-11-19"), NOW).await);
    assert!(m.contains("已并入"), "{m}");
    let mut empty = new("penalty", "2026-11-19");
    empty.note = "  ".into();
    assert_eq!(
        refused(disposal::record(store, &officer, "ZT1", &empty, NOW).await).0,
        "处置情况说明"
    );
    // Another district's operator is not found; a liaison may not record.
    assert!(matches!(
        disposal::record(store, &officer, "ZT9", &new("penalty", "2026-11-19"), NOW).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        disposal::record(
            store,
            &person(Role::Liaison, "370402"),
            "ZT1",
            &new("penalty", "2026-11-19"),
            NOW
        )
        .await,
        Err(StoreError::Forbidden)
    ));

    // A case: it must exist and be in scope.
    let mut with_case = new("penalty", "2026-11-19");
    with_case.case_id = Some("AJ9".into());
    let (f, m) = refused(disposal::record(store, &leader, "ZT1", &with_case, NOW).await);
    assert_eq!(f, "关联案件");
    assert!(m.contains("不在您的管辖范围内"), "{m}");
    with_case.case_id = Some("AJ404".into());
    assert_eq!(
        refused(disposal::record(store, &leader, "ZT1", &with_case, NOW).await).0,
        "关联案件"
    );
    with_case.case_id = Some("NO-AJ9".into());
    assert_eq!(
        refused(disposal::record(store, &leader, "ZT1", &with_case, NOW).await).0,
        "关联案件",
        "by its number, still out of scope"
    );
    with_case.case_id = Some("NO-AJ1".into());
    disposal::record(store, &leader, "ZT1", &with_case, NOW)
        .await
        .unwrap();
    let list = disposal::list(store, &leader, "ZT1").await.unwrap();
    assert_eq!(list[0].kind, DisposalKind::Licensed, "newest day first");
    assert_eq!(list[1].case_id.as_deref(), Some("AJ1"));

    // Nothing recorded: no 销号.
    operator(store, "ZT5", "370402", "neither", "active").await;
    let (f, m) = field(
        disposal::close(store, &officer, "ZT5", "无需处置", NOW)
            .await
            .unwrap_err(),
    );
    assert_eq!(
        (f.as_str(), m.as_str()),
        ("销号", "尚未记录处置情况，不能销号")
    );
    assert_eq!(audited(store, "operator.close").await, 0);
    // Refusals left nothing behind.
    let n: i64 = sqlx::query_scalar("select count(*) from operator_disposal")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(n, 2);
});

both_backends!(the_lists_filter_by_disposal, |db: TestDb| async move {
    let store = &db.store;
    for (id, class) in [
        ("ZT1", "registered_only"),
        ("ZT2", "neither"),
        ("ZT3", "neither"),
        ("ZT4", "both"),
    ] {
        operator(store, id, "370402", class, "active").await;
    }
    operator(store, "ZT9", "370403", "neither", "active").await;
    let officer = person(Role::Officer, "370402");
    let other = person(Role::Officer, "370403");
    disposal::record(store, &officer, "ZT1", &new("criminal", "2026-11-01"), NOW)
        .await
        .unwrap();
    disposal::record(store, &officer, "ZT2", &new("cosmetic", "2026-11-02"), NOW)
        .await
        .unwrap();
    disposal::close(store, &officer, "ZT2", "已转型生活美容", NOW)
        .await
        .unwrap();
    disposal::record(store, &other, "ZT9", &new("criminal", "2026-11-02"), NOW)
        .await
        .unwrap();

    let ids = |filter: &str| {
        let officer = officer.clone();
        let filter = filter.to_owned();
        async move {
            let f = disposal::parse_filter(&filter).unwrap();
            let search = Search {
                disposal: f,
                ..Search::default()
            };
            let (rows, total) = read::search(store, &officer, &search, 50, 0).await.unwrap();
            assert_eq!(total as usize, rows.len());
            rows.into_iter().map(|o| o.id).collect::<Vec<_>>()
        }
    };
    assert_eq!(ids("").await, ["ZT1", "ZT2", "ZT3", "ZT4"]);
    assert_eq!(
        ids("undisposed").await,
        ["ZT3"],
        "not ZT4, which is on no list"
    );
    assert_eq!(ids("in_progress").await, ["ZT1"]);
    assert_eq!(ids("closed").await, ["ZT2"]);
    assert_eq!(ids("criminal").await, ["ZT1"], "not the other district's");
    assert_eq!(ids("cosmetic").await, ["ZT2"]);
    assert!(ids("penalty").await.is_empty());
    assert!(matches!(
        disposal::parse_filter("nonsense"),
        Err(StoreError::Invalid {
            field: "处置情况",
            ..
        })
    ));
    assert_eq!(
        DisposalFilter::from_code("closed"),
        Some(DisposalFilter::Standing(Standing::Closed))
    );

    let all: Vec<String> = ["ZT1", "ZT2", "ZT3", "ZT9"].map(String::from).to_vec();
    let map = disposal::summaries(store, &officer, &all).await.unwrap();
    assert_eq!(map["ZT1"].standing, Standing::InProgress);
    assert_eq!(map["ZT2"].standing, Standing::Closed);
    assert!(!map.contains_key("ZT3"), "未处置 has no entry");
    assert!(!map.contains_key("ZT9"), "outside the jurisdiction");

    // A merge moves the disposals to the operator it became.
    let city = Scope::system_at(Actor::system("admin"), RegionCode::parse("370400").unwrap());
    meijian_store::operators::actions::merge(store, &city, "ZT1", "ZT3", "同一经营者", NOW)
        .await
        .unwrap();
    assert_eq!(
        disposal::list(store, &officer, "ZT3").await.unwrap().len(),
        1
    );
});

both_backends!(
    an_unknown_stored_kind_is_corrupt_and_one_open_closure_only,
    |db: TestDb| async move {
        let store = &db.store;
        operator(store, "ZT1", "370402", "neither", "active").await;
        let officer = person(Role::Officer, "370402");
        disposal::record(store, &officer, "ZT1", &new("ceased", "2026-11-19"), NOW)
            .await
            .unwrap();
        disposal::close(store, &officer, "ZT1", "已停止经营", NOW)
            .await
            .unwrap();
        // The database itself keeps one open 销号 per operator (two officers at once).
        let second = sqlx::query(
            "insert into operator_closure (id, operator_id, region_code, reason, closed_by, \
             closed_at) values ('x2', 'ZT1', '370402', '重复', 'b', '2026-11-20T02:00:00Z')",
        )
        .execute(store.pool())
        .await;
        assert!(second.is_err());
        sqlx::query("update operator_disposal set kind = 'bogus'")
            .execute(store.pool())
            .await
            .unwrap();
        match disposal::list(store, &officer, "ZT1").await {
            Err(StoreError::Corrupt {
                table,
                column,
                value,
                ..
            }) => {
                assert_eq!(
                    (table, column, value.as_str()),
                    ("operator_disposal", "kind", "bogus")
                );
            }
            other => panic!("expected Corrupt, got {other:?}"),
        }
        assert!(matches!(
            disposal::summary(store, &officer, "ZT1").await,
            Err(StoreError::Corrupt { .. })
        ));
    }
);
