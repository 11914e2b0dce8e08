//! Cases (案件) on SQLite and PostgreSQL: one case per group of repeated complaints, bad input
//! refused with the field and a Chinese reason and nothing written, the workflow in order with
//! its history and audit entries, 撤销 by a leader only (a withdrawn case counts nowhere), the
//! 90-day decision limit and its one extension, stale versions refused, who sees and acts on a
//! case (shared departments add evidence, never decide), evidence kept byte for byte with its
//! SHA-256, and the lead penalty facts moved into closed cases by the migration.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use meijian_domain::case::{
    ActionInput, CaseAction, CaseOrigin, CaseRules, PartyKind, PenaltyKind, Stage,
};
use meijian_domain::department::DepartmentKind;
use meijian_domain::lead::codes::NextStep;
use meijian_domain::lead::rules::{LeadRules, PenaltyFacts};
use meijian_domain::lead::{Category, Channel, Fen, Finding, LeadKind};
use meijian_domain::role::Role;
use meijian_domain::workdays::Calendar;
use meijian_store::cases::open::{NewCase, NewParty};
use meijian_store::cases::workflow::CaseCommand;
use meijian_store::cases::{self, evidence, parties, share, stats, Filter};
use meijian_store::leads::intake::{self, AttachmentLimits, NewComplaint, ReporterIn};
use meijian_store::leads::{self, suggest, workflow as lead_workflow};
use meijian_store::testing::{self, TestDb};
use meijian_store::testing::{department, user};
use meijian_store::{both_backends, demo, Actor, Backend, Scope, Store, StoreError};
use sha2::{Digest, Sha256};
use time::macros::{date, datetime};
use time::{Date, Duration, OffsetDateTime};

/// Friday 2026-11-20, 10:00 in China.
const NOW: OffsetDateTime = datetime!(2026-11-20 02:00 UTC);
/// The 立案 day of cases opened at [`NOW`].
const TODAY: Date = date!(2026 - 11 - 20);
/// 市中区 of the demo city; 薛城区 is its neighbour.
const SHIZHONG: &str = "370402";
const XUECHENG: &str = "370403";
/// An operator of the 主体库 in 市中区.
const OPERATOR: &str = "ZT0000000000000001";

fn stored(t: OffsetDateTime) -> String {
    meijian_store::timefmt::to_db(t)
}

/// A user of `role` in the department of `kind` at `region`, named `name`.
/// The officer of 市中区's 卫生监督 who handles the cases here.
async fn officer(store: &Store) -> Scope {
    user(
        store,
        "张执法",
        Role::Officer,
        DepartmentKind::HealthSupervision,
        SHIZHONG,
    )
    .await
}

/// An operator in the 主体库, as a cross-check run leaves it.
async fn operator(store: &Store, id: &str, name: &str) {
    sqlx::query(
        "insert into reconcile_run (id, region_code, region_lo, region_hi, as_of, records, \
         operators, links, candidates, changed, actor_name, started_at, finished_at) \
         values ('run1', '370400', '370400', '370499', '2026-11-20', 1, 1, 0, 0, 0, 't', $1, $1) \
         on conflict (id) do nothing",
    )
    .bind("2026-11-20T01:00:00Z")
    .execute(store.pool())
    .await
    .unwrap();
    sqlx::query(
        "insert into reconcile_operator (run_id, operator_id, region_code, name, address, class, \
         unusable, members) values ('run1', $1, '370402', $2, '光明路18号', 'registered_only', 0, 1)",
    )
    .bind(id)
    .bind(name)
    .execute(store.pool())
    .await
    .unwrap();
    sqlx::query(
        "insert into operator (id, origin, status, region_code, name, names, persons, address, \
         addresses, class, members, class_run_id, first_run_id, fingerprint, created_at, \
         updated_at) values ($1, 'registry', 'active', '370402', $2, $2, '', '光明路18号', \
         '光明路18号', 'registered_only', 1, 'run1', 'run1', '', $3, $3)",
    )
    .bind(id)
    .bind(name)
    .bind("2026-11-20T01:00:00Z")
    .execute(store.pool())
    .await
    .unwrap();
}

/// The demo city, and one operator in 市中区.
async fn setup(store: &Store) {
    demo::seed(store, NOW).await.unwrap();
    operator(store, OPERATOR, "枣庄市市中区丽人美容有限公司").await;
}

/// A complaint about an unlicensed beauty salon in 市中区, submitted at `now`; its lead id.
async fn complaint(store: &Store, subject: &str, now: OffsetDateTime) -> String {
    let c = NewComplaint {
        kind: LeadKind::Report,
        category: Category::UnlicensedPractice,
        channel: Channel::Online,
        channel_ref: None,
        region_code: SHIZHONG.into(),
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
        now,
        Actor::system("anonymous"),
        None,
        c,
    )
    .await
    .unwrap();
    let mut tx = store.begin().await.unwrap();
    intake::write_complaint(&mut tx, &p, now).await.unwrap();
    tx.commit().await.unwrap();
    p.ticket().lead_id
}

/// A lead accepted and verified by `scope` at NOW: it waits for its conclusion.
async fn verified_lead(store: &Store, scope: &Scope, subject: &str) -> String {
    let id = complaint(store, subject, NOW).await;
    let cal = Calendar::embedded();
    lead_workflow::accept(store, scope, cal, &LeadRules::default(), NOW, &id)
        .await
        .unwrap();
    lead_workflow::verify(
        store,
        scope,
        NOW,
        &id,
        Finding::Substantiated,
        "现场核查属实，无证注射",
    )
    .await
    .unwrap();
    id
}

fn org_party() -> NewParty {
    NewParty {
        kind: PartyKind::Organisation,
        name: String::new(),
        id_number: None,
        operator_id: Some(OPERATOR.into()),
    }
}

fn person(name: &str) -> NewParty {
    NewParty {
        kind: PartyKind::Person,
        name: name.into(),
        id_number: Some("370402199001011234".into()),
        operator_id: None,
    }
}

/// A case of 市中区 against the 主体库 operator, filed today, from no lead.
fn new_case() -> NewCase {
    NewCase {
        case_no: String::new(),
        title: "丽人美容无证行医案".into(),
        category: Category::UnlicensedPractice,
        origin: CaseOrigin::Inspection,
        region_code: SHIZHONG.into(),
        violation: "未取得医疗机构执业许可证开展注射美容".into(),
        filed_on: TODAY,
        parties: vec![org_party()],
        basis: vec!["LB01".into()],
        lead_id: None,
    }
}

async fn open(store: &Store, scope: &Scope, now: OffsetDateTime, new: &NewCase) -> String {
    cases::open::open(
        store,
        scope,
        Calendar::embedded(),
        &CaseRules::default(),
        now,
        new,
    )
    .await
    .unwrap()
}

async fn act(
    store: &Store,
    scope: &Scope,
    now: OffsetDateTime,
    id: &str,
    command: CaseCommand,
) -> Result<(), StoreError> {
    // The version the user saw: the current one, read as the user would read the page.
    let version = cases::get(store, scope, id).await?.version;
    act_at(store, scope, now, id, version, command).await
}

async fn act_at(
    store: &Store,
    scope: &Scope,
    now: OffsetDateTime,
    id: &str,
    version: i64,
    command: CaseCommand,
) -> Result<(), StoreError> {
    cases::workflow::act(
        store,
        scope,
        Calendar::embedded(),
        &CaseRules::default(),
        now,
        id,
        version,
        &command,
    )
    .await
}

fn fine(yuan: i64, on: Date) -> ActionInput {
    ActionInput {
        kind: PenaltyKind::Fine,
        amount: Some(Fen::from_yuan(yuan)),
        ban_years: None,
        decided_on: on,
        decision_no: "枣市中卫罚〔2026〕12号".into(),
    }
}

/// Adds `action` against the case's first party at the current version.
async fn add_action(
    store: &Store,
    scope: &Scope,
    now: OffsetDateTime,
    id: &str,
    action: &ActionInput,
) -> Result<String, StoreError> {
    let case = cases::get(store, scope, id).await?;
    let party = cases::parties(store, id).await?.remove(0);
    parties::add_action(store, scope, now, id, case.version, &party.id, action).await
}

async fn count(store: &Store, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(store.pool())
        .await
        .unwrap()
}

/// How many rows the case tables and the audit log hold: what "nothing written" compares.
async fn written(store: &Store) -> Vec<i64> {
    let mut out = Vec::new();
    for table in [
        "enforcement_case",
        "case_party",
        "case_action",
        "case_basis",
        "case_lead",
        "case_event",
        "case_evidence",
        "case_grant",
        "audit_entry",
        "lead_event",
    ] {
        out.push(count(store, &format!("select count(*) from {table}")).await);
    }
    out
}

/// The audit actions written for entity `id`, in order.
async fn audit_actions(store: &Store, id: &str) -> Vec<(String, String)> {
    sqlx::query_as("select action, actor_name from audit_entry where entity_id = $1 order by seq")
        .bind(id)
        .fetch_all(store.pool())
        .await
        .unwrap()
}

fn invalid(r: Result<impl std::fmt::Debug, StoreError>) -> (&'static str, String) {
    match r {
        Err(StoreError::Invalid { field, message }) => (field, message),
        other => panic!("expected Invalid, got {other:?}"),
    }
}

both_backends!(
    a_group_of_repeated_complaints_leads_to_one_case,
    |db: TestDb| async move {
        let store = &db.store;
        setup(store).await;
        let officer = officer(store).await;
        let cal = Calendar::embedded();
        let rules = LeadRules::default();
        // Two complaints about one operator, grouped (合并办理) under the first.
        let a = complaint(store, "丽人美容", NOW).await;
        let b = complaint(store, "丽人美容院（光明路店）", NOW).await;
        suggest::link_operator(store, &officer, NOW, &a, OPERATOR)
            .await
            .unwrap();
        let grouped = suggest::link_operator(store, &officer, NOW, &b, OPERATOR)
            .await
            .unwrap();
        assert_eq!(grouped.as_deref(), Some(a.as_str()));
        lead_workflow::accept(store, &officer, cal, &rules, NOW, &a)
            .await
            .unwrap();
        let later = NOW + Duration::hours(2);
        assert_eq!(
            lead_workflow::verify(
                store,
                &officer,
                later,
                &a,
                Finding::Substantiated,
                "现场核查属实"
            )
            .await
            .unwrap(),
            2
        );
        for id in [&a, &b] {
            let lead = leads::get(store, &officer, id).await.unwrap();
            assert_eq!(lead.next_step, Some(NextStep::Conclude));
            assert!(lead.next_due.is_some());
        }

        // 立案 from the group's second lead: one case, linked to both.
        let at = NOW + Duration::hours(3);
        let id = open(
            store,
            &officer,
            at,
            &NewCase {
                lead_id: Some(b.clone()),
                origin: cases::open::origin_of(meijian_domain::lead::Source::Complaint),
                ..new_case()
            },
        )
        .await;
        assert_eq!(
            count(store, "select count(*) from enforcement_case").await,
            1
        );
        let case = cases::get(store, &officer, &id).await.unwrap();
        assert_eq!(case.origin, CaseOrigin::Complaint);
        let linked = cases::leads(store, &case).await.unwrap();
        let mut ids: Vec<&str> = linked.iter().map(|l| l.0.as_str()).collect();
        ids.sort_unstable();
        let mut both = [a.as_str(), b.as_str()];
        both.sort_unstable();
        assert_eq!(ids, both);
        // Listed by 线索编号.
        assert!(linked[0].1 < linked[1].1, "{linked:?}");
        for lead_id in [&a, &b] {
            // The lead's own conclusion clock stops: the case's decision limit is the clock.
            let lead = leads::get(store, &officer, lead_id).await.unwrap();
            assert_eq!(lead.next_step, None, "{}", lead.code);
            assert_eq!(lead.next_due, None, "{}", lead.code);
            // Its history says so.
            let events = lead_workflow::events(store, &lead).await.unwrap();
            let last = events.last().unwrap();
            assert_eq!(last.action.code(), "case_opened");
            assert!(
                last.note.as_deref().unwrap().contains(&case.case_no),
                "{:?}",
                last.note
            );
            assert_eq!(
                stats::case_of_lead(store, lead_id).await.unwrap(),
                Some((id.clone(), case.case_no.clone(), "filed".to_string()))
            );
        }
        let events = cases::events(store, &case).await.unwrap();
        assert_eq!(
            events
                .iter()
                .filter(|e| e.action == CaseAction::Opened)
                .count(),
            1
        );
        assert_eq!(
            events
                .iter()
                .filter(|e| e.action == CaseAction::LeadLinked)
                .count(),
            2
        );

        // A second case for a lead of the group is refused, and nothing is written.
        let before = written(store).await;
        for lead_id in [&a, &b] {
            let again = cases::open::open(
                store,
                &officer,
                cal,
                &CaseRules::default(),
                at,
                &NewCase {
                    lead_id: Some(lead_id.clone()),
                    ..new_case()
                },
            )
            .await;
            match again {
                Err(StoreError::Conflict { field, message }) => {
                    assert_eq!(field, "线索");
                    assert!(message.contains(&case.case_no), "{message}");
                }
                other => panic!("expected Conflict, got {other:?}"),
            }
        }
        assert_eq!(written(store).await, before);
        // The history reads in order: 立案 first, then the leads it came from.
        let order: Vec<CaseAction> = events.iter().map(|e| e.action).collect();
        assert_eq!(
            order,
            [
                CaseAction::Opened,
                CaseAction::LeadLinked,
                CaseAction::LeadLinked
            ]
        );
    }
);

both_backends!(
    a_complaint_grouped_after_the_case_opened_gets_no_second_case,
    |db: TestDb| async move {
        let store = &db.store;
        setup(store).await;
        let officer = officer(store).await;
        let cal = Calendar::embedded();
        let rules = LeadRules::default();
        let a = complaint(store, "丽人美容", NOW).await;
        suggest::link_operator(store, &officer, NOW, &a, OPERATOR)
            .await
            .unwrap();
        lead_workflow::accept(store, &officer, cal, &rules, NOW, &a)
            .await
            .unwrap();
        let id = open(
            store,
            &officer,
            NOW,
            &NewCase {
                lead_id: Some(a.clone()),
                ..new_case()
            },
        )
        .await;
        // A later complaint about the same operator joins the group of the lead under case.
        let c = complaint(store, "丽人美容院", NOW + Duration::hours(1)).await;
        let grouped = suggest::link_operator(store, &officer, NOW, &c, OPERATOR)
            .await
            .unwrap();
        assert_eq!(grouped.as_deref(), Some(a.as_str()));
        lead_workflow::accept(store, &officer, cal, &rules, NOW, &c)
            .await
            .unwrap();
        // Repeated complaints lead to one case: a second case for the group is refused, and the
        // first lead stays the lead of one case.
        let again = cases::open::open(
            store,
            &officer,
            cal,
            &CaseRules::default(),
            NOW + Duration::hours(2),
            &NewCase {
                lead_id: Some(c.clone()),
                ..new_case()
            },
        )
        .await;
        let cases_of_a = count(
            store,
            &format!("select count(*) from case_lead where lead_id = '{a}'"),
        )
        .await;
        assert_eq!(cases_of_a, 1, "lead a is linked to {cases_of_a} cases");
        assert!(
            matches!(
                again,
                Err(StoreError::Conflict {
                    field: "线索", ..
                })
            ),
            "{again:?}"
        );
        assert_eq!(
            stats::case_of_lead(store, &a).await.unwrap().map(|c| c.0),
            Some(id)
        );
    }
);

both_backends!(
    a_lead_under_a_case_gets_no_conclusion_clock_when_verified_later,
    |db: TestDb| async move {
        let store = &db.store;
        setup(store).await;
        let officer = officer(store).await;
        let cal = Calendar::embedded();
        let rules = LeadRules::default();
        let a = complaint(store, "丽人美容", NOW).await;
        lead_workflow::accept(store, &officer, cal, &rules, NOW, &a)
            .await
            .unwrap();
        open(
            store,
            &officer,
            NOW,
            &NewCase {
                lead_id: Some(a.clone()),
                ..new_case()
            },
        )
        .await;
        lead_workflow::verify(
            store,
            &officer,
            NOW + Duration::days(1),
            &a,
            Finding::Substantiated,
            "现场核查属实",
        )
        .await
        .unwrap();
        // The case's decision limit is the clock of a lead that became a case.
        let lead = leads::get(store, &officer, &a).await.unwrap();
        assert_ne!(
            lead.next_step,
            Some(NextStep::Conclude),
            "{:?}",
            lead.next_due
        );
    }
);

both_backends!(
    a_case_opened_directly_has_its_number_limit_parties_and_basis,
    |db: TestDb| async move {
        let store = &db.store;
        setup(store).await;
        let officer = officer(store).await;
        let id = open(
            store,
            &officer,
            NOW,
            &NewCase {
                parties: vec![org_party(), person("李某某")],
                ..new_case()
            },
        )
        .await;
        let case = cases::get(store, &officer, &id).await.unwrap();
        assert_eq!(case.stage, Stage::Filed);
        assert_eq!(case.version, 1);
        assert!(case.case_no.starts_with("AJ20261120"), "{}", case.case_no);
        assert_eq!(case.filed_on, TODAY);
        assert_eq!(case.region_code, SHIZHONG);
        assert_eq!(case.department_id, officer.department_id);
        assert_eq!(case.created_by, "张执法");
        // 90 days from Friday 20 November 2026: Thursday 18 February 2027, end of the day in China.
        assert_eq!(CaseRules::default().decide.amount, 90);
        assert_eq!(
            case.decide_due.map(stored).as_deref(),
            Some("2027-02-18T15:59:59Z")
        );
        assert!(cases::leads(store, &case).await.unwrap().is_empty());
        let ps = cases::parties(store, &id).await.unwrap();
        assert_eq!(ps.len(), 2);
        // An operator party takes its name from the 主体库.
        assert_eq!(ps[0].kind, PartyKind::Organisation);
        assert_eq!(ps[0].name, "枣庄市市中区丽人美容有限公司");
        assert_eq!(ps[0].operator_id.as_deref(), Some(OPERATOR));
        assert_eq!(ps[1].kind, PartyKind::Person);
        assert_eq!(ps[1].name, "李某某");
        let basis = cases::basis::of_case(store, &id).await.unwrap();
        assert_eq!(
            basis.iter().map(|b| b.id.as_str()).collect::<Vec<_>>(),
            ["LB01"]
        );
        // A given case number is kept, and a second case may not take it.
        let given = open(
            store,
            &officer,
            NOW,
            &NewCase {
                case_no: "枣市中卫立〔2026〕7号".into(),
                ..new_case()
            },
        )
        .await;
        assert_eq!(
            cases::get(store, &officer, &given).await.unwrap().case_no,
            "枣市中卫立〔2026〕7号"
        );
        let before = written(store).await;
        let dup = cases::open::open(
            store,
            &officer,
            Calendar::embedded(),
            &CaseRules::default(),
            NOW,
            &NewCase {
                case_no: "枣市中卫立〔2026〕7号".into(),
                ..new_case()
            },
        )
        .await;
        assert!(
            matches!(
                dup,
                Err(StoreError::Conflict {
                    field: "案件编号",
                    ..
                })
            ),
            "{dup:?}"
        );
        assert_eq!(written(store).await, before);
    }
);

both_backends!(
    bad_input_is_refused_with_the_field_and_reason_and_nothing_is_written,
    |db: TestDb| async move {
        let store = &db.store;
        setup(store).await;
        let officer = officer(store).await;
        let cal = Calendar::embedded();
        let rules = CaseRules::default();
        let try_open = |new: NewCase| {
            let officer = officer.clone();
            let rules = rules.clone();
            async move { cases::open::open(store, &officer, cal, &rules, NOW, &new).await }
        };

        let before = written(store).await;
        let (field, message) = invalid(
            try_open(NewCase {
                parties: vec![NewParty {
                    kind: PartyKind::Organisation,
                    name: "某某美容工作室".into(),
                    id_number: None,
                    operator_id: None,
                }],
                ..new_case()
            })
            .await,
        );
        assert_eq!(field, "当事人");
        assert!(message.contains("单位当事人须从主体库中选择"), "{message}");

        for name in ["", " ", "张"] {
            let (field, message) = invalid(
                try_open(NewCase {
                    parties: vec![person(name)],
                    ..new_case()
                })
                .await,
            );
            assert_eq!(field, "当事人");
            assert_eq!(message, "个人当事人请填写姓名（至少2个字）");
        }

        let (field, message) = invalid(
            try_open(NewCase {
                filed_on: date!(2026 - 11 - 21),
                ..new_case()
            })
            .await,
        );
        assert_eq!((field, message.as_str()), ("立案日期", "不能晚于今天"));

        // 薛城区 and Beijing are outside a 市中区 officer's jurisdiction, and so is the city.
        for region in [XUECHENG, "370400", "110101"] {
            let (field, message) = invalid(
                try_open(NewCase {
                    region_code: region.into(),
                    ..new_case()
                })
                .await,
            );
            assert_eq!(field, "行政区划", "{region}");
            assert_eq!(message, "请选择管辖范围内的县（市、区）");
        }

        // A city department's officer still opens a case in a district, not at the city.
        let city_officer = user(
            store,
            "市卫监执法",
            Role::Officer,
            DepartmentKind::HealthSupervision,
            "370400",
        )
        .await;
        let (field, _) = invalid(
            cases::open::open(
                store,
                &city_officer,
                cal,
                &rules,
                NOW,
                &NewCase {
                    region_code: "370400".into(),
                    ..new_case()
                },
            )
            .await,
        );
        assert_eq!(field, "行政区划");

        let (field, message) = invalid(
            try_open(NewCase {
                basis: vec!["LB01".into(), "LB99".into()],
                ..new_case()
            })
            .await,
        );
        assert_eq!((field, message.as_str()), ("法律依据", "没有依据“LB99”"));
        assert_eq!(
            written(store).await,
            before,
            "a refused 立案 writes nothing"
        );

        // Penalties: on a case under investigation.
        let id = open(store, &officer, NOW, &new_case()).await;
        act(store, &officer, NOW, &id, CaseCommand::Investigate)
            .await
            .unwrap();
        let before = written(store).await;
        let version = cases::get(store, &officer, &id).await.unwrap().version;
        let (field, message) = invalid(
            add_action(
                store,
                &officer,
                NOW,
                &id,
                &ActionInput {
                    amount: None,
                    ..fine(0, TODAY)
                },
            )
            .await,
        );
        assert_eq!((field, message.as_str()), ("金额", "罚款必须填写金额"));
        for fen in [-100, 0] {
            let (field, message) = invalid(
                add_action(
                    store,
                    &officer,
                    NOW,
                    &id,
                    &ActionInput {
                        amount: Some(Fen(fen)),
                        ..fine(0, TODAY)
                    },
                )
                .await,
            );
            assert_eq!((field, message.as_str()), ("金额", "金额必须大于零"));
        }
        let (field, message) = invalid(
            add_action(
                store,
                &officer,
                NOW,
                &id,
                &fine(5_000, date!(2026 - 11 - 19)),
            )
            .await,
        );
        assert_eq!(field, "决定日期");
        assert_eq!(message, "2026-11-19 早于立案日期 2026-11-20");
        let (field, _) = invalid(
            add_action(
                store,
                &officer,
                NOW,
                &id,
                &fine(5_000, date!(2026 - 11 - 21)),
            )
            .await,
        );
        assert_eq!(field, "决定日期");
        // 行业禁入 is for persons only.
        let (field, message) = invalid(
            add_action(
                store,
                &officer,
                NOW,
                &id,
                &ActionInput {
                    kind: PenaltyKind::Ban,
                    amount: None,
                    ban_years: Some(3),
                    ..fine(0, TODAY)
                },
            )
            .await,
        );
        assert_eq!(
            (field, message.as_str()),
            ("处罚种类", "行业禁入只适用于个人")
        );
        // A party added later is checked the same way.
        let (field, _) =
            invalid(parties::add_party(store, &officer, NOW, &id, version, &person("王")).await);
        assert_eq!(field, "当事人");
        // So are the basis and the dates of the steps.
        let (field, _) = invalid(
            cases::basis::set_for_case(store, &officer, NOW, &id, version, &["LB99".into()]).await,
        );
        assert_eq!(field, "法律依据");
        assert_eq!(
            written(store).await,
            before,
            "refused changes write nothing"
        );
        let case = cases::get(store, &officer, &id).await.unwrap();
        assert_eq!(case.version, version);
        assert!(cases::actions(store, &case).await.unwrap().is_empty());
    }
);

both_backends!(
    steps_out_of_order_are_refused_with_the_stage,
    |db: TestDb| async move {
        let store = &db.store;
        setup(store).await;
        let officer = officer(store).await;
        let id = open(store, &officer, NOW, &new_case()).await;
        let before = written(store).await;
        for (command, message) in [
            (CaseCommand::Execute, "案件处于“立案”阶段，不能开始执行"),
            (
                CaseCommand::Close {
                    on: TODAY,
                    note: "违法事实不成立".into(),
                },
                "案件处于“立案”阶段，不能结案",
            ),
        ] {
            let (field, m) = invalid(act(store, &officer, NOW, &id, command).await);
            assert_eq!(field, "办案流程");
            assert_eq!(m, message);
        }
        // Penalties are decided while investigating.
        let (_, m) = invalid(add_action(store, &officer, NOW, &id, &fine(5_000, TODAY)).await);
        assert_eq!(m, "案件处于“立案”阶段，不能修改处罚");
        assert_eq!(written(store).await, before);
        act(store, &officer, NOW, &id, CaseCommand::Investigate)
            .await
            .unwrap();
        let (_, m) = invalid(act(store, &officer, NOW, &id, CaseCommand::Investigate).await);
        assert_eq!(m, "案件处于“调查取证”阶段，不能开始调查取证");
        let notify = || CaseCommand::Notify {
            on: TODAY,
            hearing: false,
            note: String::new(),
        };
        // 告知 needs every party to have an action.
        let (_, m) = invalid(act(store, &officer, NOW, &id, notify()).await);
        assert_eq!(m, "不能告知当事人：每个当事人都要有处罚或处理措施");
        add_action(store, &officer, NOW, &id, &fine(5_000, TODAY))
            .await
            .unwrap();
        // With every party's penalty in, 决定 still waits for 告知, and 执行 for 决定.
        let before = written(store).await;
        let (_, m) =
            invalid(act(store, &officer, NOW, &id, CaseCommand::Decide { on: TODAY }).await);
        assert_eq!(m, "案件处于“调查取证”阶段，不能作出处罚决定");
        let (_, m) = invalid(act(store, &officer, NOW, &id, CaseCommand::Execute).await);
        assert_eq!(m, "案件处于“调查取证”阶段，不能开始执行");
        assert_eq!(written(store).await, before);
        act(store, &officer, NOW, &id, notify()).await.unwrap();
        let (_, m) = invalid(act(store, &officer, NOW, &id, notify()).await);
        assert_eq!(m, "案件处于“告知”阶段，不能告知当事人");
        let (_, m) = invalid(
            act(
                store,
                &officer,
                NOW,
                &id,
                CaseCommand::Close {
                    on: TODAY,
                    note: String::new(),
                },
            )
            .await,
        );
        assert_eq!(m, "案件处于“告知”阶段，不能结案");
        let case = cases::get(store, &officer, &id).await.unwrap();
        assert_eq!(case.stage, Stage::Notified);
        assert_eq!(case.version, 4);
    }
);

both_backends!(
    the_full_path_writes_who_did_what_when,
    |db: TestDb| async move {
        let store = &db.store;
        setup(store).await;
        let officer = officer(store).await;
        let id = open(store, &officer, NOW, &new_case()).await;
        let t = |h: i64| NOW + Duration::hours(h);
        act(store, &officer, t(1), &id, CaseCommand::Investigate)
            .await
            .unwrap();
        let penalty_no = add_action(store, &officer, t(2), &id, &fine(20_000, TODAY))
            .await
            .unwrap();
        let case = cases::get(store, &officer, &id).await.unwrap();
        assert_eq!(penalty_no, format!("{}-1", case.case_no));
        act(
            store,
            &officer,
            t(3),
            &id,
            CaseCommand::Notify {
                on: TODAY,
                hearing: true,
                note: "当事人提出陈述申辩".into(),
            },
        )
        .await
        .unwrap();
        // A decision dated before 立案 is refused.
        let (field, _) = invalid(
            act(
                store,
                &officer,
                t(4),
                &id,
                CaseCommand::Decide {
                    on: date!(2026 - 11 - 19),
                },
            )
            .await,
        );
        assert_eq!(field, "决定日期");
        let decide_at = NOW + Duration::days(10);
        let decided_on = date!(2026 - 11 - 30);
        act(
            store,
            &officer,
            decide_at,
            &id,
            CaseCommand::Decide { on: decided_on },
        )
        .await
        .unwrap();
        act(
            store,
            &officer,
            decide_at + Duration::hours(1),
            &id,
            CaseCommand::Execute,
        )
        .await
        .unwrap();
        let close_at = NOW + Duration::days(20);
        act(
            store,
            &officer,
            close_at,
            &id,
            CaseCommand::Close {
                on: date!(2026 - 12 - 10),
                note: "罚款已缴清".into(),
            },
        )
        .await
        .unwrap();

        let case = cases::get(store, &officer, &id).await.unwrap();
        assert_eq!(case.stage, Stage::Closed);
        assert_eq!(case.notified_on, Some(TODAY));
        assert!(case.hearing);
        assert_eq!(case.defence_note.as_deref(), Some("当事人提出陈述申辩"));
        assert_eq!(case.decided_on, Some(decided_on));
        assert_eq!(case.closed_on, Some(date!(2026 - 12 - 10)));
        assert_eq!(case.close_note.as_deref(), Some("罚款已缴清"));
        assert_eq!(
            case.decide_due, None,
            "a decided case has no decision limit"
        );
        assert_eq!(case.version, 7);
        let actions = cases::actions(store, &case).await.unwrap();
        assert_eq!(actions.len(), 1);
        assert_eq!(actions[0].kind, PenaltyKind::Fine);
        assert_eq!(actions[0].amount, Fen(2_000_000));
        assert_eq!(actions[0].decision_no, "枣市中卫罚〔2026〕12号");

        // Who did what when.
        let events = cases::events(store, &case).await.unwrap();
        let seen: Vec<(CaseAction, OffsetDateTime, &str)> = events
            .iter()
            .map(|e| (e.action, e.at, e.actor_name.as_str()))
            .collect();
        assert_eq!(
            seen,
            [
                (CaseAction::Opened, NOW, "张执法"),
                (CaseAction::Investigating, t(1), "张执法"),
                (CaseAction::ActionAdded, t(2), "张执法"),
                (CaseAction::Notified, t(3), "张执法"),
                (CaseAction::Decided, decide_at, "张执法"),
                (
                    CaseAction::Executing,
                    decide_at + Duration::hours(1),
                    "张执法"
                ),
                (CaseAction::Closed, close_at, "张执法"),
            ]
        );
        assert!(events[3]
            .note
            .as_deref()
            .unwrap()
            .contains("当事人要求听证"));
        assert!(events[2]
            .note
            .as_deref()
            .unwrap()
            .contains("罚款 20,000.00元"));

        // And the audit log, in the same transactions, on an unbroken chain.
        assert_eq!(
            audit_actions(store, &id).await,
            [
                "case.open",
                "case.investigate",
                "case.action_add",
                "case.notify",
                "case.decide",
                "case.execute",
                "case.close",
            ]
            .map(|a| (a.to_string(), "张执法".to_string()))
        );
        assert!(matches!(
            meijian_store::audit::verify(store).await.unwrap(),
            meijian_store::audit::Verdict::Intact { .. }
        ));

        // Nothing moves a closed case.
        for command in [
            CaseCommand::Execute,
            CaseCommand::Investigate,
            CaseCommand::Decide { on: decided_on },
        ] {
            let (_, m) = invalid(act(store, &officer, close_at, &id, command).await);
            assert!(m.starts_with("案件处于“结案”阶段，不能"), "{m}");
        }
    }
);

both_backends!(
    only_a_leader_of_the_district_withdraws_and_a_withdrawn_case_counts_nowhere,
    |db: TestDb| async move {
        let store = &db.store;
        setup(store).await;
        let officer = officer(store).await;
        let lead = verified_lead(store, &officer, "丽人美容").await;
        let id = testing::decided_case(
            store,
            &officer,
            NOW,
            &lead,
            PartyKind::Organisation,
            &[
                (PenaltyKind::Fine, Some(Fen::from_yuan(30_000))),
                (PenaltyKind::ConfiscateIncome, Some(Fen(123_456))),
                (PenaltyKind::Suspend, None),
            ],
        )
        .await
        .unwrap();
        assert_eq!(
            stats::penalty_facts(store, &lead).await.unwrap(),
            Some(PenaltyFacts {
                forfeiture: Fen(3_000_000 + 123_456),
                suspended_closed_or_revoked: true,
                criminal: false,
                organisation: true,
            })
        );
        let withdraw = || CaseCommand::Withdraw {
            reason: "当事人认定错误，误立案".into(),
        };
        let before = written(store).await;
        // The handling officer may not; a leader of another district does not see the case.
        assert!(matches!(
            act(store, &officer, NOW, &id, withdraw()).await,
            Err(StoreError::Forbidden)
        ));
        let xuecheng_leader = user(
            store,
            "薛城领导",
            Role::Leader,
            DepartmentKind::Health,
            XUECHENG,
        )
        .await;
        let version = cases::get(store, &officer, &id).await.unwrap().version;
        assert!(matches!(
            act_at(store, &xuecheng_leader, NOW, &id, version, withdraw()).await,
            Err(StoreError::NotFound)
        ));
        let leader = user(
            store,
            "市中领导",
            Role::Leader,
            DepartmentKind::Health,
            SHIZHONG,
        )
        .await;
        let (field, _) = invalid(
            act(
                store,
                &leader,
                NOW,
                &id,
                CaseCommand::Withdraw {
                    reason: "错".into(),
                },
            )
            .await,
        );
        assert_eq!(field, "撤销理由");
        assert_eq!(written(store).await, before);

        let at = NOW + Duration::hours(1);
        act(store, &leader, at, &id, withdraw()).await.unwrap();
        let case = cases::get(store, &leader, &id).await.unwrap();
        assert_eq!(case.stage, Stage::Withdrawn);
        assert_eq!(case.withdrawn_at, Some(at));
        assert_eq!(
            case.withdraw_reason.as_deref(),
            Some("当事人认定错误，误立案")
        );
        let last = cases::events(store, &case).await.unwrap().pop().unwrap();
        assert_eq!(last.action, CaseAction::Withdrawn);
        assert_eq!(last.actor_name, "市中领导");
        assert_eq!(
            audit_actions(store, &id).await.pop().unwrap(),
            ("case.withdraw".to_string(), "市中领导".to_string())
        );
        // Its penalties count nowhere, and the lead may get a case again.
        assert_eq!(stats::penalty_facts(store, &lead).await.unwrap(), None);
        assert_eq!(stats::case_of_lead(store, &lead).await.unwrap(), None);
        assert!(matches!(
            act(store, &leader, at, &id, withdraw()).await,
            Err(StoreError::Invalid { .. })
        ));
        let again = open(
            store,
            &officer,
            at,
            &NewCase {
                lead_id: Some(lead.clone()),
                ..new_case()
            },
        )
        .await;
        assert_eq!(
            stats::case_of_lead(store, &lead)
                .await
                .unwrap()
                .map(|c| c.0),
            Some(again)
        );
    }
);

both_backends!(
    the_decision_limit_is_90_days_and_one_extension_adds_30,
    |db: TestDb| async move {
        let store = &db.store;
        setup(store).await;
        let officer = officer(store).await;
        let leader = user(
            store,
            "李主任",
            Role::Leader,
            DepartmentKind::Health,
            "370400",
        )
        .await;
        let id = open(store, &officer, NOW, &new_case()).await;
        let case = cases::get(store, &officer, &id).await.unwrap();
        assert_eq!(
            case.decide_due.map(stored).as_deref(),
            Some("2027-02-18T15:59:59Z")
        );
        // Nothing to approve yet; only a leader approves.
        let (_, m) = invalid(
            act(
                store,
                &leader,
                NOW,
                &id,
                CaseCommand::Extension {
                    approve: true,
                    note: String::new(),
                },
            )
            .await,
        );
        assert_eq!(m, "不能审批延期：没有待审批的延期申请");
        act(
            store,
            &officer,
            NOW,
            &id,
            CaseCommand::Extend {
                reason: "需要等待鉴定结果".into(),
            },
        )
        .await
        .unwrap();
        assert!(matches!(
            act(
                store,
                &officer,
                NOW,
                &id,
                CaseCommand::Extension {
                    approve: true,
                    note: String::new(),
                },
            )
            .await,
            Err(StoreError::Forbidden)
        ));
        act(
            store,
            &leader,
            NOW + Duration::hours(1),
            &id,
            CaseCommand::Extension {
                approve: true,
                note: "同意延期".into(),
            },
        )
        .await
        .unwrap();
        // 30 days after 18 February 2027 is Saturday 20 March: the limit ends on Monday the 22nd.
        let case = cases::get(store, &officer, &id).await.unwrap();
        assert_eq!(
            case.decide_due.map(stored).as_deref(),
            Some("2027-03-22T15:59:59Z")
        );
        assert_eq!(
            case.extension_state,
            Some(meijian_domain::lead::ExtensionState::Granted)
        );
        // A second request is refused, and changes nothing.
        let before = written(store).await;
        let (field, m) = invalid(
            act(
                store,
                &officer,
                NOW + Duration::hours(2),
                &id,
                CaseCommand::Extend {
                    reason: "鉴定结果仍未出具".into(),
                },
            )
            .await,
        );
        assert_eq!(
            (field, m.as_str()),
            ("办案流程", "不能申请延期：已申请过延期")
        );
        assert_eq!(written(store).await, before);
        let events: Vec<CaseAction> = cases::events(store, &case)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect();
        assert_eq!(
            events,
            [
                CaseAction::Opened,
                CaseAction::ExtensionRequested,
                CaseAction::ExtensionGranted
            ]
        );
        let audit: Vec<String> = audit_actions(store, &id)
            .await
            .into_iter()
            .map(|a| a.0)
            .collect();
        assert_eq!(audit, ["case.open", "case.extend", "case.extension"]);
    }
);

both_backends!(
    a_refused_extension_may_be_asked_again_before_the_limit,
    |db: TestDb| async move {
        let store = &db.store;
        setup(store).await;
        let officer = officer(store).await;
        let leader = user(
            store,
            "李主任",
            Role::Leader,
            DepartmentKind::Health,
            "370400",
        )
        .await;
        let id = open(store, &officer, NOW, &new_case()).await;
        let extend = || CaseCommand::Extend {
            reason: "需要等待鉴定结果".into(),
        };
        act(store, &officer, NOW, &id, extend()).await.unwrap();
        // Refusing needs a reason; a refusal keeps the limit.
        let (field, _) = invalid(
            act(
                store,
                &leader,
                NOW,
                &id,
                CaseCommand::Extension {
                    approve: false,
                    note: String::new(),
                },
            )
            .await,
        );
        assert_eq!(field, "审批意见");
        act(
            store,
            &leader,
            NOW,
            &id,
            CaseCommand::Extension {
                approve: false,
                note: "理由不充分".into(),
            },
        )
        .await
        .unwrap();
        let case = cases::get(store, &officer, &id).await.unwrap();
        assert_eq!(
            case.decide_due.map(stored).as_deref(),
            Some("2027-02-18T15:59:59Z")
        );
        act(store, &officer, NOW, &id, extend()).await.unwrap();
        // Once the limit has passed, no extension may be asked.
        let other = open(store, &officer, NOW, &new_case()).await;
        let late = NOW + Duration::days(100);
        let (_, m) = invalid(act(store, &officer, late, &other, extend()).await);
        assert_eq!(m, "不能申请延期：决定期限已过，不能再申请延期");
    }
);

both_backends!(
    an_overdue_case_is_counted_and_listed,
    |db: TestDb| async move {
        let store = &db.store;
        setup(store).await;
        let officer = officer(store).await;
        let leader = user(
            store,
            "李主任",
            Role::Leader,
            DepartmentKind::Health,
            "370400",
        )
        .await;
        let late_one = open(store, &officer, NOW, &new_case()).await;
        let decided = open(store, &officer, NOW, &new_case()).await;
        act(store, &officer, NOW, &decided, CaseCommand::Investigate)
            .await
            .unwrap();
        add_action(store, &officer, NOW, &decided, &fine(1_000, TODAY))
            .await
            .unwrap();
        act(
            store,
            &officer,
            NOW,
            &decided,
            CaseCommand::Notify {
                on: TODAY,
                hearing: false,
                note: String::new(),
            },
        )
        .await
        .unwrap();
        act(
            store,
            &officer,
            NOW,
            &decided,
            CaseCommand::Decide { on: TODAY },
        )
        .await
        .unwrap();
        // Due at the end of 18 February 2027 (China): not yet overdue on that day.
        let last_day = datetime!(2027-02-18 15:00 UTC);
        let after = datetime!(2027-02-18 16:00 UTC);
        let soon = |t: OffsetDateTime| t + Duration::days(3);
        let overdue = Filter {
            overdue: true,
            ..Filter::default()
        };
        for scope in [&officer, &leader] {
            assert_eq!(
                stats::due_counts(store, scope, NOW, soon(NOW))
                    .await
                    .unwrap(),
                stats::DueCounts {
                    open: 1,
                    due_soon: 0,
                    overdue: 0
                }
            );
            assert_eq!(
                stats::due_counts(store, scope, last_day, soon(last_day))
                    .await
                    .unwrap(),
                stats::DueCounts {
                    open: 1,
                    due_soon: 1,
                    overdue: 0
                }
            );
            assert_eq!(
                stats::due_counts(store, scope, after, soon(after))
                    .await
                    .unwrap(),
                stats::DueCounts {
                    open: 1,
                    due_soon: 0,
                    overdue: 1
                }
            );
            assert!(cases::get(store, scope, &late_one)
                .await
                .unwrap()
                .overdue(after));
        }
        // A district that does not handle it does not count it.
        let xuecheng = user(
            store,
            "薛城执法",
            Role::Officer,
            DepartmentKind::HealthSupervision,
            XUECHENG,
        )
        .await;
        assert_eq!(
            stats::due_counts(store, &xuecheng, after, soon(after))
                .await
                .unwrap(),
            stats::DueCounts::default()
        );
        // A leader presses it (督办); before the limit there is nothing to press.
        let (_, m) = invalid(
            act(
                store,
                &leader,
                NOW,
                &late_one,
                CaseCommand::Supervise {
                    note: "请尽快作出决定".into(),
                },
            )
            .await,
        );
        assert_eq!(m, "不能督办：案件没有超过决定期限");
        act(
            store,
            &leader,
            after,
            &late_one,
            CaseCommand::Supervise {
                note: "请尽快作出决定".into(),
            },
        )
        .await
        .unwrap();
        let events = cases::events(store, &cases::get(store, &leader, &late_one).await.unwrap())
            .await
            .unwrap();
        let last = events.last().unwrap();
        assert_eq!(last.action, CaseAction::Supervised);
        assert_eq!(last.actor_name, "李主任");
        // The overdue list: only the case past its limit, for its officer and the city's leader.
        for scope in [&officer, &leader] {
            let (rows, total) = cases::list(store, scope, &overdue, last_day, 50, 0)
                .await
                .unwrap();
            assert_eq!((rows.len(), total), (0, 0));
            let (rows, total) = cases::list(store, scope, &overdue, after, 50, 0)
                .await
                .unwrap();
            assert_eq!(total, 1);
            assert_eq!(rows[0].case.id, late_one);
        }
    }
);

both_backends!(
    a_change_on_a_stale_version_is_refused_and_nothing_of_it_is_written,
    |db: TestDb| async move {
        let store = &db.store;
        setup(store).await;
        let first = officer(store).await;
        let second = user(
            store,
            "王执法",
            Role::Officer,
            DepartmentKind::HealthSupervision,
            SHIZHONG,
        )
        .await;
        let id = open(store, &first, NOW, &new_case()).await;
        act(store, &first, NOW, &id, CaseCommand::Investigate)
            .await
            .unwrap();
        // Both load the case at the same version.
        let seen_first = cases::get(store, &first, &id).await.unwrap();
        let seen_second = cases::get(store, &second, &id).await.unwrap();
        assert_eq!(seen_first.version, seen_second.version);
        let n = seen_first.version;
        let party = cases::parties(store, &id).await.unwrap().remove(0).id;
        parties::add_action(store, &first, NOW, &id, n, &party, &fine(5_000, TODAY))
            .await
            .unwrap();
        let before = written(store).await;
        let warning = ActionInput {
            kind: PenaltyKind::Warning,
            amount: None,
            ..fine(0, TODAY)
        };
        let refused = [
            parties::add_action(store, &second, NOW, &id, n, &party, &warning)
                .await
                .map(|_| ()),
            parties::add_party(store, &second, NOW, &id, n, &person("李某某"))
                .await
                .map(|_| ()),
            evidence::add(store, &second, NOW, &id, n, "照片.jpg", b"photo", "")
                .await
                .map(|_| ()),
            act_at(
                store,
                &second,
                NOW,
                &id,
                n,
                CaseCommand::Extend {
                    reason: "需要等待鉴定结果".into(),
                },
            )
            .await,
        ];
        for r in refused {
            match r {
                Err(StoreError::Conflict { field, message }) => {
                    assert_eq!(field, "案件");
                    assert!(message.contains("已被他人修改"), "{message}");
                }
                other => panic!("expected Conflict, got {other:?}"),
            }
        }
        assert_eq!(written(store).await, before, "nothing of the stale changes");
        let case = cases::get(store, &first, &id).await.unwrap();
        assert_eq!(case.version, n + 1);
        let actions = cases::actions(store, &case).await.unwrap();
        assert_eq!(actions.len(), 1);
        assert_eq!(actions[0].kind, PenaltyKind::Fine);
        assert!(audit_actions(store, &id)
            .await
            .iter()
            .all(|(_, who)| who == "张执法"));

        // Two changes at the same version at the same moment: exactly one goes in.
        let v = case.version;
        let (a, b) = tokio::join!(
            evidence::add(store, &first, NOW, &id, v, "a.txt", b"first", ""),
            evidence::add(store, &second, NOW, &id, v, "b.txt", b"second", ""),
        );
        assert!(
            a.is_ok() != b.is_ok(),
            "exactly one of two concurrent changes: {a:?} {b:?}"
        );
        for r in [&a, &b] {
            if let Err(e) = r {
                assert!(
                    matches!(
                        e,
                        StoreError::Conflict {
                            field: "案件", ..
                        }
                    ),
                    "{e:?}"
                );
            }
        }
        let case = cases::get(store, &first, &id).await.unwrap();
        assert_eq!(case.version, v + 1);
        assert_eq!(evidence::list(store, &case).await.unwrap().len(), 1);
    }
);

both_backends!(
    who_sees_a_case_and_who_may_act_on_it,
    |db: TestDb| async move {
        let store = &db.store;
        setup(store).await;
        let officer = officer(store).await;
        let id = open(store, &officer, NOW, &new_case()).await;
        act(store, &officer, NOW, &id, CaseCommand::Investigate)
            .await
            .unwrap();
        let version = || async { cases::get(store, &officer, &id).await.unwrap().version };

        // Another district's department: the case does not exist for it.
        let xuecheng = user(
            store,
            "薛城执法",
            Role::Officer,
            DepartmentKind::HealthSupervision,
            XUECHENG,
        )
        .await;
        let v = version().await;
        assert!(matches!(
            cases::get(store, &xuecheng, &id).await,
            Err(StoreError::NotFound)
        ));
        let before = written(store).await;
        assert!(matches!(
            act_at(
                store,
                &xuecheng,
                NOW,
                &id,
                v,
                CaseCommand::Close {
                    on: TODAY,
                    note: "违法事实不成立".into(),
                }
            )
            .await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            evidence::add(store, &xuecheng, NOW, &id, v, "x.txt", b"x", "").await,
            Err(StoreError::NotFound)
        ));
        assert_eq!(written(store).await, before);
        let (rows, total) = cases::list(store, &xuecheng, &Filter::default(), NOW, 50, 0)
            .await
            .unwrap();
        assert_eq!((rows.len(), total), (0, 0));

        // 市场监管 of the same district, once the case is shared with it (联合办案).
        let partner = user(
            store,
            "市场执法",
            Role::Officer,
            DepartmentKind::MarketRegulation,
            SHIZHONG,
        )
        .await;
        assert!(matches!(
            cases::get(store, &partner, &id).await,
            Err(StoreError::NotFound)
        ));
        let partner_dept = partner.department_id.clone().unwrap();
        share::share(
            store,
            &officer,
            NOW,
            &id,
            version().await,
            &partner_dept,
            true,
            "涉及价格欺诈，联合办案",
        )
        .await
        .unwrap();
        let seen = cases::get(store, &partner, &id).await.unwrap();
        let grants = share::grants(store, &seen).await.unwrap();
        assert_eq!(grants.len(), 1);
        assert_eq!(grants[0].department_id, partner_dept);
        let ev = evidence::add(
            store,
            &partner,
            NOW,
            &id,
            seen.version,
            "价格表.jpg",
            b"price list",
            "现场价格表",
        )
        .await
        .unwrap();
        assert_eq!(
            evidence::file(store, &partner, &id, &ev)
                .await
                .unwrap()
                .0
                .added_by,
            "市场执法"
        );
        // A partner does not decide, move the case, change penalties or share it on.
        let v = version().await;
        let before = written(store).await;
        for command in [
            CaseCommand::Decide { on: TODAY },
            CaseCommand::Close {
                on: TODAY,
                note: "违法事实不成立".into(),
            },
            CaseCommand::Extend {
                reason: "需要等待鉴定结果".into(),
            },
        ] {
            assert!(matches!(
                act_at(store, &partner, NOW, &id, v, command).await,
                Err(StoreError::Forbidden)
            ));
        }
        let party = cases::parties(store, &id).await.unwrap().remove(0).id;
        assert!(matches!(
            parties::add_action(store, &partner, NOW, &id, v, &party, &fine(100, TODAY)).await,
            Err(StoreError::Forbidden)
        ));
        let police = department(store, DepartmentKind::Police, SHIZHONG).await;
        assert!(matches!(
            share::share(store, &partner, NOW, &id, v, &police, true, "请公安协助").await,
            Err(StoreError::Forbidden)
        ));
        assert_eq!(written(store).await, before);

        // Revoked: the partner no longer sees it.
        share::share(
            store,
            &officer,
            NOW,
            &id,
            version().await,
            &partner_dept,
            false,
            "",
        )
        .await
        .unwrap();
        assert!(matches!(
            cases::get(store, &partner, &id).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            evidence::file(store, &partner, &id, &ev).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            evidence::add(
                store,
                &partner,
                NOW,
                &id,
                version().await,
                "y.txt",
                b"y",
                ""
            )
            .await,
            Err(StoreError::NotFound)
        ));
        let (_, total) = cases::list(store, &partner, &Filter::default(), NOW, 50, 0)
            .await
            .unwrap();
        assert_eq!(total, 0);
        let audit: Vec<String> = audit_actions(store, &id)
            .await
            .into_iter()
            .map(|a| a.0)
            .collect();
        assert!(audit.contains(&"case.share".to_string()), "{audit:?}");
        assert!(audit.contains(&"case.unshare".to_string()), "{audit:?}");

        // The city's leader sees every case of the city.
        let leader = user(
            store,
            "李主任",
            Role::Leader,
            DepartmentKind::Health,
            "370400",
        )
        .await;
        assert!(cases::get(store, &leader, &id).await.is_ok());

        // An institution account, bound to its operator, reads no cases — not even its own.
        let institution = user(
            store,
            "孙机构",
            Role::Institution,
            DepartmentKind::Health,
            SHIZHONG,
        )
        .await
        .bound_to(Some(OPERATOR.to_string()));
        assert!(matches!(
            cases::list(store, &institution, &Filter::default(), NOW, 50, 0).await,
            Err(StoreError::Forbidden)
        ));
        assert!(matches!(
            cases::get(store, &institution, &id).await,
            Err(StoreError::Forbidden)
        ));
        let bound_officer = officer.clone().bound_to(Some(OPERATOR.to_string()));
        assert!(matches!(
            cases::list(store, &bound_officer, &Filter::default(), NOW, 50, 0).await,
            Err(StoreError::Forbidden)
        ));

        // Shared again, the partner's list shows the case.
        share::share(
            store,
            &officer,
            NOW,
            &id,
            version().await,
            &partner_dept,
            true,
            "继续联合办案",
        )
        .await
        .unwrap();
        let (rows, total) = cases::list(store, &partner, &Filter::default(), NOW, 50, 0)
            .await
            .unwrap();
        assert_eq!(total, 1);
        assert_eq!(rows[0].case.id, id);
    }
);

both_backends!(
    evidence_comes_back_byte_for_byte_with_its_sha256,
    |db: TestDb| async move {
        let store = &db.store;
        setup(store).await;
        let officer = officer(store).await;
        let id = open(store, &officer, NOW, &new_case()).await;
        let v = cases::get(store, &officer, &id).await.unwrap().version;
        // "abc": the FIPS 180-2 test vector.
        let abc = evidence::add(store, &officer, NOW, &id, v, "笔录.txt", b"abc", "询问笔录")
            .await
            .unwrap();
        let (e, data) = evidence::file(store, &officer, &id, &abc).await.unwrap();
        assert_eq!(data, b"abc");
        assert_eq!(
            e.sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(e.size_bytes, 3);
        assert_eq!(e.file_name, "笔录.txt");
        assert_eq!(e.note.as_deref(), Some("询问笔录"));
        assert_eq!(e.added_by, "张执法");
        // Every byte value, NULs and invalid UTF-8 included, a PNG signature in front.
        let mut blob = b"\x89PNG\r\n\x1a\n".to_vec();
        blob.extend((0..=255u8).cycle().take(70_000));
        let big = evidence::add(store, &officer, NOW, &id, v + 1, "现场照片.png", &blob, "")
            .await
            .unwrap();
        let (e, data) = evidence::file(store, &officer, &id, &big).await.unwrap();
        assert_eq!(data, blob);
        assert_eq!(e.sha256, hex::encode(Sha256::digest(&blob)));
        assert_eq!(e.size_bytes, blob.len() as i64);
        assert_eq!(e.note, None);
        let case = cases::get(store, &officer, &id).await.unwrap();
        let listed = evidence::list(store, &case).await.unwrap();
        assert_eq!(
            listed.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(),
            [abc.as_str(), big.as_str()]
        );
        // The history carries the hash, so a copy can be matched to the record.
        let events = cases::events(store, &case).await.unwrap();
        let added: Vec<_> = events
            .iter()
            .filter(|e| e.action == CaseAction::EvidenceAdded)
            .collect();
        assert_eq!(added.len(), 2);
        assert!(added[1]
            .note
            .as_deref()
            .unwrap()
            .contains(&hex::encode(Sha256::digest(&blob))));

        // An empty file is refused, and nothing is written.
        let before = written(store).await;
        let (field, m) = invalid(
            evidence::add(store, &officer, NOW, &id, case.version, "空.txt", b"", "").await,
        );
        assert_eq!((field, m.as_str()), ("证据文件", "请选择文件"));
        assert_eq!(written(store).await, before);
        assert_eq!(
            cases::get(store, &officer, &id).await.unwrap().version,
            case.version
        );
        // Evidence of one case is not reachable through another.
        let other = open(store, &officer, NOW, &new_case()).await;
        assert!(matches!(
            evidence::file(store, &officer, &other, &abc).await,
            Err(StoreError::NotFound)
        ));
    }
);

/// The migrations before the cases migration, run on a fresh database; then the lead facts of
/// the previous release; then the remaining migrations.
mod migration {
    use super::*;

    const CASES_MIGRATION: i64 = 20261203000050;

    /// A fresh, empty database on `backend` that is dropped with the guard.
    struct Fresh {
        store: Store,
        _dir: Option<tempfile::TempDir>,
        pg: Option<(String, String)>,
    }

    impl Drop for Fresh {
        fn drop(&mut self) {
            let Some((admin, name)) = self.pg.take() else {
                return;
            };
            let handle = std::thread::spawn(move || {
                let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                else {
                    return;
                };
                rt.block_on(async move {
                    if let Ok(admin_store) = Store::connect(&admin).await {
                        let _ =
                            sqlx::query(&format!("drop database if exists {name} with (force)"))
                                .execute(admin_store.pool())
                                .await;
                        admin_store.close().await;
                    }
                });
            });
            let _ = handle.join();
        }
    }

    async fn fresh(backend: Backend) -> Fresh {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                let url = format!("sqlite:{}", dir.path().join("test.db").display());
                Fresh {
                    store: Store::connect(&url).await.unwrap(),
                    _dir: Some(dir),
                    pg: None,
                }
            }
            Backend::Postgres => {
                let admin = testing::postgres_admin_url();
                let name = format!("meijian_t_{}", meijian_store::new_id());
                let admin_store = Store::connect(&admin).await.unwrap();
                sqlx::query(&format!("create database {name}"))
                    .execute(admin_store.pool())
                    .await
                    .unwrap();
                admin_store.close().await;
                let mut url = url::Url::parse(&admin).unwrap();
                url.set_path(&format!("/{name}"));
                Fresh {
                    store: Store::connect(url.as_str()).await.unwrap(),
                    _dir: None,
                    pg: Some((admin, name)),
                }
            }
        }
    }

    /// Runs the project's migrations older than `before`: the same files (so the same
    /// checksums), copied to a folder of their own, through sqlx's public `Migrator`.
    async fn migrate_before(store: &Store, before: i64) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
        let mut copied = 0;
        for entry in std::fs::read_dir(&src).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            let Some(version) = name.split('_').next().and_then(|v| v.parse::<i64>().ok()) else {
                continue;
            };
            if name.ends_with(".sql") && version < before {
                std::fs::copy(&path, dir.path().join(&name)).unwrap();
                copied += 1;
            }
        }
        assert!(copied >= 10, "the migrations before the cases were found");
        let migrator = sqlx::migrate::Migrator::new(dir.path()).await.unwrap();
        migrator.run(store.pool()).await.unwrap();
        assert!(!store.applied_versions().await.unwrap().contains(&before));
        dir
    }

    /// A lead as the previous release left it: concluded with a penalty, its facts on the lead.
    #[allow(clippy::too_many_arguments)]
    async fn old_lead(
        store: &Store,
        id: &str,
        code: &str,
        group: Option<&str>,
        department: &str,
        outcome: &str,
        (fine_fen, confiscation_fen, suspended, organisation): (i64, i64, i64, i64),
        concluded_at: &str,
    ) {
        sqlx::query(
            "insert into lead (id, code, kind, source, category, region_code, department_id, \
             state, subject_name, subject_address, operator_id, operator_name, group_id, summary, \
             received_at, accepted_at, verified_at, finding, concluded_at, outcome, \
             conclusion_note, fine_yuan, confiscation_yuan, fine_fen, confiscation_fen, \
             suspended_or_revoked, party_organisation, next_due, next_step, created_at, \
             updated_at) values ($1, $2, 'report', 'complaint', 'unlicensed_practice', '370402', \
             $3, 'concluded', '丽人美容', '光明路18号', $4, $5, $6, '无证注射玻尿酸', \
             '2026-11-02T02:00:00Z', '2026-11-03T02:00:00Z', '2026-11-05T02:00:00Z', \
             'substantiated', $7, $8, '已依法处罚', $9, $10, $11, $12, $13, $14, null, 'reply', \
             '2026-11-02T02:00:00Z', $7)",
        )
        .bind(id)
        .bind(code)
        .bind(department)
        .bind(Some(OPERATOR))
        .bind(Some("枣庄市市中区丽人美容有限公司"))
        .bind(group)
        .bind(concluded_at)
        .bind(outcome)
        .bind(fine_fen / 100)
        .bind(confiscation_fen / 100)
        .bind(fine_fen)
        .bind(confiscation_fen)
        .bind(suspended)
        .bind(organisation)
        .execute(store.pool())
        .await
        .unwrap();
    }

    async fn lead_penalty_facts_move_into_closed_cases(backend: Backend) {
        let db = fresh(backend).await;
        let store = &db.store;
        let _dir = migrate_before(store, CASES_MIGRATION).await;
        demo::seed(store, NOW).await.unwrap();
        let dept = department(store, DepartmentKind::HealthSupervision, SHIZHONG).await;
        let dept_name: String = sqlx::query_scalar("select name from department where id = $1")
            .bind(&dept)
            .fetch_one(store.pool())
            .await
            .unwrap();
        // Concluded at 11:00 on 10 November in China; a grouped complaint with it; and a lead
        // corrected without a penalty, which gets no case.
        let concluded = "2026-11-10T03:00:00Z";
        old_lead(
            store,
            "L1",
            "XS20261102001",
            Some("L1"),
            &dept,
            "penalty",
            (2_000_000, 123_456, 1, 1),
            concluded,
        )
        .await;
        old_lead(
            store,
            "L2",
            "XS20261102002",
            Some("L1"),
            &dept,
            "penalty",
            (2_000_000, 123_456, 1, 1),
            concluded,
        )
        .await;
        old_lead(
            store,
            "L3",
            "XS20261102003",
            None,
            &dept,
            "corrected",
            (0, 0, 0, 0),
            concluded,
        )
        .await;
        let applied = store.migrate().await.unwrap();
        assert!(applied.contains(&CASES_MIGRATION), "{applied:?}");

        let system = Scope::system(Actor::system("test"));
        assert_eq!(
            count(store, "select count(*) from enforcement_case").await,
            1
        );
        let (id,): (String,) =
            sqlx::query_as("select id from enforcement_case where case_no = 'QYXS20261102001'")
                .fetch_one(store.pool())
                .await
                .unwrap();
        let case = cases::get(store, &system, &id).await.unwrap();
        assert_eq!(case.case_no, "QYXS20261102001");
        assert_eq!(case.stage, Stage::Closed);
        assert_eq!(case.origin, CaseOrigin::Complaint);
        assert_eq!(case.category, Category::UnlicensedPractice);
        assert_eq!(case.region_code, SHIZHONG);
        assert_eq!(case.department_id.as_deref(), Some(dept.as_str()));
        assert_eq!(case.authority, dept_name);
        assert_eq!(case.filed_on, date!(2026 - 11 - 03));
        assert_eq!(case.decided_on, Some(date!(2026 - 11 - 10)));
        assert_eq!(case.closed_on, Some(date!(2026 - 11 - 10)));
        assert_eq!(case.decide_due, None);
        assert!(!case.overdue(NOW));

        let ps = cases::parties(store, &id).await.unwrap();
        assert_eq!(ps.len(), 1);
        assert_eq!(ps[0].kind, PartyKind::Organisation);
        assert_eq!(ps[0].name, "枣庄市市中区丽人美容有限公司");
        assert_eq!(ps[0].operator_id.as_deref(), Some(OPERATOR));
        let actions: Vec<(PenaltyKind, Fen, Date)> = cases::actions(store, &case)
            .await
            .unwrap()
            .into_iter()
            .map(|a| (a.kind, a.amount, a.decided_on))
            .collect();
        let mut actions = actions;
        actions.sort_by_key(|a| a.0.code());
        assert_eq!(
            actions,
            [
                (
                    PenaltyKind::ConfiscateIncome,
                    Fen(123_456),
                    date!(2026 - 11 - 10)
                ),
                (PenaltyKind::Fine, Fen(2_000_000), date!(2026 - 11 - 10)),
                (PenaltyKind::Suspend, Fen(0), date!(2026 - 11 - 10)),
            ]
        );
        let linked: Vec<String> = cases::leads(store, &case)
            .await
            .unwrap()
            .into_iter()
            .map(|l| l.0)
            .collect();
        assert_eq!(linked, ["L1", "L2"]);
        let events = cases::events(store, &case).await.unwrap();
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].action, CaseAction::Migrated);

        // What the reward rules read is what the lead said before.
        let old = PenaltyFacts {
            forfeiture: Fen(2_000_000 + 123_456),
            suspended_closed_or_revoked: true,
            criminal: false,
            organisation: true,
        };
        assert_eq!(stats::penalty_facts(store, "L1").await.unwrap(), Some(old));
        assert_eq!(stats::penalty_facts(store, "L2").await.unwrap(), Some(old));
        assert_eq!(stats::penalty_facts(store, "L3").await.unwrap(), None);
        // Running the migrations again changes nothing.
        assert!(store.migrate().await.unwrap().is_empty());
        assert_eq!(count(store, "select count(*) from case_action").await, 3);
        // The case list and its 罚没 sum read it too.
        let (rows, total) = cases::list(store, &system, &Filter::default(), NOW, 50, 0)
            .await
            .unwrap();
        assert_eq!(total, 1);
        assert_eq!(rows[0].forfeiture, Fen(2_123_456));
    }

    /// The migrated case's days are days in China, like every day the cases store: a lead
    /// accepted at 04:00 and concluded at 01:30 in China keeps those days.
    async fn migrated_days_are_days_in_china(backend: Backend) {
        let db = fresh(backend).await;
        let store = &db.store;
        let _dir = migrate_before(store, CASES_MIGRATION).await;
        demo::seed(store, NOW).await.unwrap();
        let dept = department(store, DepartmentKind::HealthSupervision, SHIZHONG).await;
        // 1 December 2026, 01:30 in China.
        old_lead(
            store,
            "L1",
            "XS20261102001",
            None,
            &dept,
            "penalty",
            (500_000, 0, 0, 1),
            "2026-11-30T17:30:00Z",
        )
        .await;
        // 3 November 2026, 04:00 in China.
        sqlx::query("update lead set accepted_at = '2026-11-02T20:00:00Z' where id = 'L1'")
            .execute(store.pool())
            .await
            .unwrap();
        store.migrate().await.unwrap();
        let system = Scope::system(Actor::system("test"));
        let case = cases::get(store, &system, "AJXS20261102001").await.unwrap();
        let actions = cases::actions(store, &case).await.unwrap();
        // (立案日期, 决定日期, 结案日期, 处罚决定日期)
        assert_eq!(
            (
                case.filed_on,
                case.decided_on,
                case.closed_on,
                actions[0].decided_on
            ),
            (
                date!(2026 - 11 - 03),
                Some(date!(2026 - 12 - 01)),
                Some(date!(2026 - 12 - 01)),
                date!(2026 - 12 - 01)
            )
        );
    }

    /// A lead-level transfer to the police as the previous release left it, with the lead's
    /// event of the leader's approval.
    async fn old_police_referral(store: &Store, id: &str, lead: &str, state: &str) {
        let police = department(store, DepartmentKind::Police, SHIZHONG).await;
        let procuratorate = department(store, DepartmentKind::Procuratorate, demo::CITY).await;
        let from = department(store, DepartmentKind::HealthSupervision, SHIZHONG).await;
        sqlx::query(
            "insert into lead_referral (id, lead_id, kind, from_department_id, to_department_id, \
             copy_department_id, reason, state, sent_at, sent_by, acknowledge_due, act_due, \
             acknowledged_at, acted_at, response) values ($1, $2, 'police', $3, $4, $5, \
             '涉嫌非法行医罪', $6, '2026-11-12T02:00:00Z', '张执法', '2026-11-13T02:00:00Z', \
             '2026-11-16T15:59:59Z', $7, $8, $9)",
        )
        .bind(id)
        .bind(lead)
        .bind(&from)
        .bind(&police)
        .bind(&procuratorate)
        .bind(state)
        .bind((state == "filed").then_some("2026-11-12T08:00:00Z"))
        .bind((state == "filed").then_some("2026-11-13T08:00:00Z"))
        .bind((state == "filed").then_some("枣公立〔2026〕7号"))
        .execute(store.pool())
        .await
        .unwrap();
        sqlx::query(
            "insert into lead_event (id, lead_id, at, action, actor_name) \
             values ($1, $2, '2026-11-12T06:00:00Z', 'police_approved', '李主任')",
        )
        .bind(format!("E-{id}"))
        .bind(lead)
        .execute(store.pool())
        .await
        .unwrap();
    }

    async fn lead_transfers_to_the_police_move_onto_cases(backend: Backend) {
        use meijian_domain::case::transfer::TransferState;
        let db = fresh(backend).await;
        let store = &db.store;
        let _dir = migrate_before(store, cases::legacy::TRANSFER_MIGRATION).await;
        demo::seed(store, NOW).await.unwrap();
        let dept = department(store, DepartmentKind::HealthSupervision, SHIZHONG).await;
        // A lead concluded as a crime after the cases migration, and an open one whose
        // conclusion limit runs.
        old_lead(
            store,
            "L1",
            "XS20261102001",
            None,
            &dept,
            "criminal",
            (0, 0, 0, 0),
            "2026-11-20T03:00:00Z",
        )
        .await;
        old_lead(
            store,
            "L2",
            "XS20261102002",
            None,
            &dept,
            "penalty",
            (0, 0, 0, 0),
            "2026-11-20T03:00:00Z",
        )
        .await;
        sqlx::query(
            "update lead set state = 'verified', concluded_at = null, outcome = null, \
             next_step = 'conclude', next_due = '2026-12-31T15:59:59Z' where id = 'L2'",
        )
        .execute(store.pool())
        .await
        .unwrap();
        old_police_referral(store, "R1", "L1", "filed").await;
        old_police_referral(store, "R2", "L2", "sent").await;
        store.migrate().await.unwrap();

        let left: i64 = sqlx::query_scalar("select count(*) from lead_referral")
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(left, 0);
        let system = Scope::system(Actor::system("test"));
        // The concluded lead's transfer is on a closed case, decided by the police.
        let case_of = |lead: &'static str| async move {
            let id: String = sqlx::query_scalar("select case_id from case_lead where lead_id = $1")
                .bind(lead)
                .fetch_one(store.pool())
                .await
                .unwrap();
            id
        };
        let closed = cases::get(store, &system, &case_of("L1").await)
            .await
            .unwrap();
        assert_eq!(closed.stage, Stage::Closed);
        assert_eq!(closed.closed_on, Some(date!(2026 - 11 - 20)));
        let t1 = cases::transfer::transfers(store, &system, &closed.id)
            .await
            .unwrap();
        assert_eq!(t1.len(), 1);
        assert_eq!(t1[0].state, TransferState::Filed);
        assert_eq!(t1[0].police_note.as_deref(), Some("枣公立〔2026〕7号"));
        assert_eq!(t1[0].sent_at, Some(datetime!(2026-11-12 06:00 UTC)));
        // The open lead gets a case under investigation whose decision limit is the lead's old
        // conclusion limit; the lead's own clock stops.
        let case_id = case_of("L2").await;
        let case = cases::get(store, &system, &case_id).await.unwrap();
        assert_eq!(case.case_no, "YSXS20261102002");
        assert_eq!(case.stage, Stage::Investigating);
        assert_eq!(case.filed_on, date!(2026 - 11 - 03));
        assert_eq!(case.decide_due, Some(datetime!(2026-12-31 15:59:59 UTC)));
        let next: Option<String> = sqlx::query_scalar("select next_step from lead where id = 'L2'")
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(next, None);
        let t2 = cases::transfer::transfers(store, &system, &case_id)
            .await
            .unwrap();
        assert_eq!(t2[0].state, TransferState::Sent);
        assert_eq!(t2[0].police_due, Some(datetime!(2026-11-16 15:59:59 UTC)));
        // The police it was sent to see the case and answer it.
        let police = user(
            store,
            "孙警官",
            Role::Officer,
            DepartmentKind::Police,
            SHIZHONG,
        )
        .await;
        cases::get(store, &police, &case_id).await.unwrap();
        assert_eq!(
            cases::transfer::waiting(store, &police)
                .await
                .unwrap()
                .len(),
            1
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn lead_transfers_to_the_police_move_onto_cases_sqlite() {
        lead_transfers_to_the_police_move_onto_cases(Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn lead_transfers_to_the_police_move_onto_cases_postgres() {
        lead_transfers_to_the_police_move_onto_cases(Backend::Postgres).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn migrated_days_are_days_in_china_sqlite() {
        migrated_days_are_days_in_china(Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn migrated_days_are_days_in_china_postgres() {
        migrated_days_are_days_in_china(Backend::Postgres).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn lead_penalty_facts_move_into_closed_cases_sqlite() {
        lead_penalty_facts_move_into_closed_cases(Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn lead_penalty_facts_move_into_closed_cases_postgres() {
        lead_penalty_facts_move_into_closed_cases(Backend::Postgres).await;
    }
}
