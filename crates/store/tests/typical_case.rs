//! 典型案例 of a decided case on SQLite and PostgreSQL: the draft is prefilled from the case
//! record in the seed's order, a draft over 1,200 characters is refused with its count and
//! nothing is written, only the handling department saves and only a leader of the district
//! publishes, publishing stores the anonymised text (no party or authority name left), another
//! district does not find it, a case without a decision (or withdrawn) has none, and a save or
//! publish naming a stale version is refused with nothing written.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use meijian_domain::case::typical::{TypicalCase, MAX_CHARS};
use meijian_domain::case::{ActionInput, CaseOrigin, CaseRules, PartyKind, PenaltyKind, Stage};
use meijian_domain::department::DepartmentKind;
use meijian_domain::lead::rules::LeadRules;
use meijian_domain::lead::{Category, Channel, Fen, Finding, LeadKind};
use meijian_domain::role::Role;
use meijian_domain::workdays::Calendar;
use meijian_store::cases::open::{NewCase, NewParty};
use meijian_store::cases::typical::{self, TypicalState};
use meijian_store::cases::workflow::CaseCommand;
use meijian_store::cases::{self, evidence, parties};
use meijian_store::leads::intake::{self, AttachmentLimits, NewComplaint};
use meijian_store::leads::workflow as lead_workflow;
use meijian_store::testing::user;
use meijian_store::testing::{self, TestDb};
use meijian_store::{both_backends, demo, Actor, Scope, Store, StoreError};
use time::macros::{date, datetime};
use time::{Date, Duration, OffsetDateTime};

/// Friday 2026-11-20, 10:00 in China.
const NOW: OffsetDateTime = datetime!(2026-11-20 02:00 UTC);
const TODAY: Date = date!(2026 - 11 - 20);
const SHIZHONG: &str = "370402";
const XUECHENG: &str = "370403";
const OPERATOR: &str = "ZT0000000000000001";
const OPERATOR_NAME: &str = "枣庄市市中区丽人美容有限公司";
const PERSON: &str = "王大明";
const PERSON_ID: &str = "370402199001011234";
const DECISION_NO: &str = "枣市中卫罚〔2026〕12号";
const CLOSE_NOTE: &str = "当事人已缴清罚款，停止违法行为";

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

async fn leader(store: &Store, region: &str) -> Scope {
    user(
        store,
        "市中领导",
        Role::Leader,
        DepartmentKind::Health,
        region,
    )
    .await
}

/// The demo city and one operator of the 主体库 in 市中区.
async fn setup(store: &Store) {
    demo::seed(store, NOW).await.unwrap();
    sqlx::query(
        "insert into reconcile_run (id, region_code, region_lo, region_hi, as_of, records, \
         operators, links, candidates, changed, actor_name, started_at, finished_at) \
         values ('run1', '370400', '370400', '370499', '2026-11-20', 1, 1, 0, 0, 0, 't', $1, $1)",
    )
    .bind("2026-11-20T01:00:00Z")
    .execute(store.pool())
    .await
    .unwrap();
    sqlx::query(
        "insert into operator (id, origin, status, region_code, name, names, persons, address, \
         addresses, class, members, class_run_id, first_run_id, fingerprint, created_at, \
         updated_at) values ($1, 'registry', 'active', '370402', $2, $2, '', '光明路18号', \
         '光明路18号', 'registered_only', 1, 'run1', 'run1', '', $3, $3)",
    )
    .bind(OPERATOR)
    .bind(OPERATOR_NAME)
    .bind("2026-11-20T01:00:00Z")
    .execute(store.pool())
    .await
    .unwrap();
}

async fn version(store: &Store, scope: &Scope, id: &str) -> i64 {
    cases::get(store, scope, id).await.unwrap().version
}

async fn act(store: &Store, scope: &Scope, id: &str, command: CaseCommand) {
    let v = version(store, scope, id).await;
    cases::workflow::act(
        store,
        scope,
        Calendar::embedded(),
        &CaseRules::default(),
        NOW,
        id,
        v,
        &command,
    )
    .await
    .unwrap();
}

/// A case of 市中区 opened by `scope` against the operator and a person, with a provision,
/// left at 调查取证.
async fn investigating_case(store: &Store, scope: &Scope) -> String {
    let id = cases::open::open(
        store,
        scope,
        Calendar::embedded(),
        &CaseRules::default(),
        NOW,
        &NewCase {
            case_no: String::new(),
            title: "丽人美容无证行医案".into(),
            category: Category::UnlicensedPractice,
            origin: CaseOrigin::Complaint,
            region_code: SHIZHONG.into(),
            violation: "未取得医疗机构执业许可证开展注射美容".into(),
            filed_on: TODAY,
            parties: vec![
                NewParty {
                    kind: PartyKind::Organisation,
                    name: String::new(),
                    id_number: None,
                    operator_id: Some(OPERATOR.into()),
                },
                NewParty {
                    kind: PartyKind::Person,
                    name: PERSON.into(),
                    id_number: Some(PERSON_ID.into()),
                    operator_id: None,
                },
            ],
            basis: vec!["LB01".into()],
            lead_id: None,
        },
    )
    .await
    .unwrap();
    act(store, scope, &id, CaseCommand::Investigate).await;
    id
}

/// The case of [`investigating_case`] with evidence, a fine and a warning, decided and closed.
async fn closed_case(store: &Store, scope: &Scope) -> String {
    let id = investigating_case(store, scope).await;
    let v = version(store, scope, &id).await;
    evidence::add(
        store,
        scope,
        NOW,
        &id,
        v,
        "现场检查笔录.pdf",
        b"%PDF-1.4 test",
        "",
    )
    .await
    .unwrap();
    let ps = cases::parties(store, &id).await.unwrap();
    for (party, kind, amount) in [
        (&ps[0].id, PenaltyKind::Fine, Some(Fen::from_yuan(30_000))),
        (&ps[1].id, PenaltyKind::Warning, None),
    ] {
        let v = version(store, scope, &id).await;
        parties::add_action(
            store,
            scope,
            NOW,
            &id,
            v,
            party,
            &ActionInput {
                kind,
                amount,
                ban_years: None,
                decided_on: TODAY,
                decision_no: DECISION_NO.into(),
            },
        )
        .await
        .unwrap();
    }
    act(
        store,
        scope,
        &id,
        CaseCommand::Notify {
            on: TODAY,
            hearing: false,
            note: String::new(),
        },
    )
    .await;
    act(store, scope, &id, CaseCommand::Decide { on: TODAY }).await;
    act(store, scope, &id, CaseCommand::Execute).await;
    act(
        store,
        scope,
        &id,
        CaseCommand::Close {
            on: TODAY,
            note: CLOSE_NOTE.into(),
        },
    )
    .await;
    id
}

/// A lead of 市中区 accepted and verified by `scope`.
async fn verified_lead(store: &Store, scope: &Scope, subject: &str) -> String {
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
        reporter: None,
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
    let id = p.ticket().lead_id;
    lead_workflow::accept(
        store,
        scope,
        Calendar::embedded(),
        &LeadRules::default(),
        NOW,
        &id,
    )
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

fn invalid<T: std::fmt::Debug>(r: Result<T, StoreError>) -> (&'static str, String) {
    match r {
        Err(StoreError::Invalid { field, message }) => (field, message),
        other => panic!("expected Invalid, got {other:?}"),
    }
}

fn conflict<T: std::fmt::Debug>(r: Result<T, StoreError>) -> (&'static str, String) {
    match r {
        Err(StoreError::Conflict { field, message }) => (field, message),
        other => panic!("expected Conflict, got {other:?}"),
    }
}

async fn count(store: &Store, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(store.pool())
        .await
        .unwrap()
}

/// Rows of the typical cases and of the audit log: what "nothing written" compares.
async fn written(store: &Store) -> (i64, i64) {
    (
        count(store, "select count(*) from typical_case").await,
        count(store, "select count(*) from audit_entry").await,
    )
}

async fn audit_actions(store: &Store, id: &str) -> Vec<(String, String)> {
    sqlx::query_as(
        "select action, actor_name from audit_entry where entity = 'typical_case' \
         and entity_id = $1 order by seq",
    )
    .bind(id)
    .fetch_all(store.pool())
    .await
    .unwrap()
}

/// Where `needle` starts in `text`, by characters; panics when absent.
fn at(text: &str, needle: &str) -> usize {
    text.find(needle)
        .unwrap_or_else(|| panic!("“{needle}” not in {text}"))
}

both_backends!(
    the_draft_is_prefilled_from_the_case_in_the_seed_order,
    |db: TestDb| async move {
        let store = &db.store;
        setup(store).await;
        let officer = officer(store).await;
        let id = closed_case(store, &officer).await;
        let case = cases::get(store, &officer, &id).await.unwrap();
        assert_eq!(case.stage, Stage::Closed);

        let input = typical::input_of(store, &officer, &case).await.unwrap();
        assert_eq!(input.authority, case.authority);
        assert_eq!(input.officers, vec!["张执法".to_string()]);
        assert_eq!(input.parties.len(), 2);
        assert_eq!(input.parties[0].name, OPERATOR_NAME);
        assert_eq!(input.parties[0].address.as_deref(), Some("光明路18号"));
        assert_eq!(input.parties[1].id_number.as_deref(), Some(PERSON_ID));
        assert_eq!(input.evidence, vec!["现场检查笔录.pdf".to_string()]);
        assert_eq!(input.bases.len(), 1);
        assert_eq!(input.actions.len(), 2);
        assert_eq!(input.actions[0].amount, Some(Fen::from_yuan(30_000)));
        assert_eq!(input.actions[0].party.as_deref(), Some(OPERATOR_NAME));
        assert_eq!(input.execution.as_deref(), Some(CLOSE_NOTE));
        assert_eq!(input.related_outcome, None);

        let draft = typical::draft(store, &officer, &id).await.unwrap();
        assert!(draft.saved.is_none());
        assert_eq!(draft.text.title, "丽人美容无证行医案");
        assert!(draft.text.analysis.is_empty() && draft.text.suggestions.is_empty());
        let intro = &draft.text.intro;
        // 受理情况, 调查经过 (evidence), 法律法规, 处罚决定, 履行情况: the seed's order.
        let order = [
            at(intro, "2026年11月20日"),
            at(intro, &case.authority),
            at(intro, OPERATOR_NAME),
            at(intro, PERSON_ID),
            at(intro, "现场检查笔录"),
            at(intro, "基本医疗卫生与健康促进法"),
            at(intro, DECISION_NO),
            at(intro, "人民币30000元"),
            at(intro, CLOSE_NOTE),
        ];
        assert!(
            order.windows(2).all(|w| w[0] < w[1]),
            "{order:?} in {intro}"
        );
        // Reading writes nothing.
        assert_eq!(written(store).await.0, 0);
    }
);

both_backends!(
    a_draft_over_1200_characters_is_refused_with_its_count,
    |db: TestDb| async move {
        let store = &db.store;
        setup(store).await;
        let officer = officer(store).await;
        let id = closed_case(store, &officer).await;
        let mut text = typical::draft(store, &officer, &id).await.unwrap().text;
        text.analysis = "评".repeat(MAX_CHARS);
        let total = meijian_domain::case::typical::length(&text);
        let before = written(store).await;
        let (field, message) = invalid(typical::save(store, &officer, NOW, &id, &text, 0).await);
        assert_eq!(field, "典型案例");
        assert!(message.contains(&format!("案例共 {total} 字")), "{message}");
        assert!(message.contains("1200"), "{message}");
        assert_eq!(written(store).await, before);

        // Within the limit it is kept, with blank parts still allowed in a draft.
        text.analysis = "本案的难点在于违法所得的认定。".into();
        let n = typical::save(store, &officer, NOW, &id, &text, 0)
            .await
            .unwrap();
        assert_eq!(n, meijian_domain::case::typical::length(&text));
        let draft = typical::draft(store, &officer, &id).await.unwrap();
        assert_eq!(draft.text.analysis, "本案的难点在于违法所得的认定。");
        let saved = draft.saved.unwrap();
        assert_eq!(saved.state, TypicalState::Draft);
        assert_eq!(saved.updated_by, "张执法");
        assert_eq!(saved.updated_at, NOW);
        assert_eq!(
            audit_actions(store, &id).await,
            vec![("typical_case.save".to_string(), "张执法".to_string())]
        );
    }
);

both_backends!(
    a_leader_publishes_the_anonymised_text,
    |db: TestDb| async move {
        let store = &db.store;
        setup(store).await;
        let officer = officer(store).await;
        let leader = leader(store, SHIZHONG).await;
        let id = closed_case(store, &officer).await;
        let case = cases::get(store, &officer, &id).await.unwrap();
        let mut text = typical::draft(store, &officer, &id).await.unwrap().text;

        // Nothing saved yet: nothing to publish.
        let (_, m) = invalid(typical::publish(store, &leader, NOW, &id, 0).await);
        assert!(m.contains("尚未保存"), "{m}");

        // The officer saves with the 评析 left empty; the leader may not publish it yet.
        typical::save(store, &officer, NOW, &id, &text, 0)
            .await
            .unwrap();
        let (_, m) = invalid(typical::publish(store, &leader, NOW, &id, 1).await);
        assert_eq!(m, "请填写案件评析");

        text.title = format!("{OPERATOR_NAME}无证行医案");
        text.analysis = format!(
            "{PERSON}在{OPERATOR_NAME}内无证注射，{}及时查处。",
            case.authority
        );
        text.suggestions = format!("建议{}加强日常巡查。", case.authority);
        typical::save(store, &officer, NOW, &id, &text, 1)
            .await
            .unwrap();

        // The officer does not publish, nor does a leader who does not cover the district (for
        // whom the case does not exist).
        assert!(matches!(
            typical::publish(store, &officer, NOW, &id, 2).await,
            Err(StoreError::Forbidden)
        ));
        let xuecheng = leader_of(store, XUECHENG).await;
        assert!(matches!(
            typical::publish(store, &xuecheng, NOW, &id, 2).await,
            Err(StoreError::NotFound)
        ));

        let at = NOW + Duration::hours(1);
        let published = typical::publish(store, &leader, at, &id, 2).await.unwrap();
        assert!(!published.replacements.is_empty());
        let draft = typical::draft(store, &officer, &id).await.unwrap();
        assert!(draft.published());
        let saved = draft.saved.as_ref().unwrap();
        assert_eq!(saved.published_by.as_deref(), Some("市中领导"));
        assert_eq!(saved.published_at, Some(at));
        assert_eq!(draft.text, published.case);
        let all = [
            draft.text.title.as_str(),
            &draft.text.intro,
            &draft.text.analysis,
            &draft.text.suggestions,
        ]
        .concat();
        for name in [
            OPERATOR_NAME,
            "丽人美容",
            PERSON,
            PERSON_ID,
            case.authority.as_str(),
            DECISION_NO,
            "光明路18号",
            "张执法",
        ] {
            assert!(!all.contains(name), "“{name}” left in {all}");
        }
        assert!(all.contains("王某"), "{all}");
        // The stored row holds the anonymised text only.
        let stored: String =
            sqlx::query_scalar("select intro from typical_case where case_id = $1")
                .bind(&id)
                .fetch_one(store.pool())
                .await
                .unwrap();
        assert!(!stored.contains(PERSON) && !stored.contains(&case.authority));
        assert_eq!(
            audit_actions(store, &id).await,
            vec![
                ("typical_case.save".to_string(), "张执法".to_string()),
                ("typical_case.save".to_string(), "张执法".to_string()),
                ("typical_case.publish".to_string(), "市中领导".to_string()),
            ]
        );

        // Anonymising a published text again changes nothing.
        assert!(draft.anonymised().replacements.is_empty());
        assert_eq!(draft.anonymised().case, draft.text);

        // Saved again by the officer, it is a draft until published again.
        let mut edited = draft.text.clone();
        edited.suggestions.push_str("同时加强宣传。");
        typical::save(store, &officer, at, &id, &edited, 3)
            .await
            .unwrap();
        let again = typical::draft(store, &officer, &id).await.unwrap();
        assert!(!again.published());
        assert_eq!(again.saved.unwrap().published_at, None);
    }
);

async fn leader_of(store: &Store, region: &str) -> Scope {
    user(
        store,
        "薛城领导",
        Role::Leader,
        DepartmentKind::Health,
        region,
    )
    .await
}

both_backends!(
    only_the_handling_department_of_the_district_writes_it,
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
            PartyKind::Person,
            &[(PenaltyKind::Fine, Some(Fen::from_yuan(5_000)))],
        )
        .await
        .unwrap();
        let text = TypicalCase {
            title: "某美容工作室无证行医案".into(),
            intro: "立案调查。".into(),
            analysis: String::new(),
            suggestions: String::new(),
        };
        // Another district's officer and leader do not find the case.
        let xuecheng_officer = user(
            store,
            "薛城执法",
            Role::Officer,
            DepartmentKind::HealthSupervision,
            XUECHENG,
        )
        .await;
        assert!(matches!(
            typical::draft(store, &xuecheng_officer, &id).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            typical::save(store, &xuecheng_officer, NOW, &id, &text, 0).await,
            Err(StoreError::NotFound)
        ));
        let xuecheng_leader = leader_of(store, XUECHENG).await;
        assert!(matches!(
            typical::draft(store, &xuecheng_leader, &id).await,
            Err(StoreError::NotFound)
        ));
        // The district's leader reads it but does not write the draft.
        let leader = leader(store, SHIZHONG).await;
        assert!(typical::draft(store, &leader, &id).await.is_ok());
        assert!(matches!(
            typical::save(store, &leader, NOW, &id, &text, 0).await,
            Err(StoreError::Forbidden)
        ));
        assert_eq!(written(store).await.0, 0);
        typical::save(store, &officer, NOW, &id, &text, 0)
            .await
            .unwrap();
        assert_eq!(written(store).await.0, 1);
    }
);

both_backends!(
    a_case_without_a_decision_has_no_typical_case,
    |db: TestDb| async move {
        let store = &db.store;
        setup(store).await;
        let officer = officer(store).await;
        let id = investigating_case(store, &officer).await;
        let case = cases::get(store, &officer, &id).await.unwrap();
        assert_eq!(case.stage, Stage::Investigating);
        let (field, m) = invalid(typical::draft(store, &officer, &id).await);
        assert_eq!(field, "典型案例");
        assert!(m.contains("作出处罚决定后"), "{m}");
        let text = TypicalCase {
            title: "案".into(),
            ..TypicalCase::default()
        };
        let before = written(store).await;
        invalid(typical::save(store, &officer, NOW, &id, &text, 0).await);
        let leader = leader(store, SHIZHONG).await;
        invalid(typical::publish(store, &leader, NOW, &id, 0).await);
        assert_eq!(written(store).await, before);

        // A withdrawn case never has one.
        let v = version(store, &leader, &id).await;
        cases::workflow::act(
            store,
            &leader,
            Calendar::embedded(),
            &CaseRules::default(),
            NOW,
            &id,
            v,
            &CaseCommand::Withdraw {
                reason: "当事人认定错误，误立案".into(),
            },
        )
        .await
        .unwrap();
        let (_, m) = invalid(typical::save(store, &officer, NOW, &id, &text, 0).await);
        assert!(m.contains("已撤销"), "{m}");
    }
);

both_backends!(
    a_stale_version_is_refused_and_nothing_is_written,
    |db: TestDb| async move {
        let store = &db.store;
        setup(store).await;
        let officer = officer(store).await;
        let leader = leader(store, SHIZHONG).await;
        let id = closed_case(store, &officer).await;
        let draft = typical::draft(store, &officer, &id).await.unwrap();
        assert_eq!(draft.version(), 0, "nothing saved yet");
        let mut mine = draft.text.clone();
        mine.analysis = "甲的评析：违法所得认定清楚。".into();
        mine.suggestions = "建议加强日常巡查。".into();
        let mut theirs = draft.text.clone();
        theirs.analysis = "乙的评析。".into();

        // Both read version 0: the first save wins, the second is refused.
        typical::save(store, &officer, NOW, &id, &mine, 0)
            .await
            .unwrap();
        let before = written(store).await;
        let (field, m) = conflict(typical::save(store, &officer, NOW, &id, &theirs, 0).await);
        assert_eq!(field, "典型案例");
        assert_eq!(m, "典型案例已被他人修改，请刷新页面查看最新内容后再操作");
        assert_eq!(written(store).await, before);
        let draft = typical::draft(store, &officer, &id).await.unwrap();
        assert_eq!(draft.version(), 1);
        assert_eq!(draft.text.analysis, mine.analysis);

        // Saved at 1 it becomes 2; 1 is stale from then on, and so is a version never issued.
        typical::save(store, &officer, NOW, &id, &mine, 1)
            .await
            .unwrap();
        let before = written(store).await;
        conflict(typical::save(store, &officer, NOW, &id, &theirs, 1).await);
        conflict(typical::publish(store, &leader, NOW, &id, 1).await);
        conflict(typical::publish(store, &leader, NOW, &id, 7).await);
        assert_eq!(written(store).await, before);
        let draft = typical::draft(store, &officer, &id).await.unwrap();
        assert!(!draft.published());
        assert_eq!(draft.version(), 2);

        // The leader publishes the version reviewed; a save naming the version before it does
        // not turn the published case back into a draft.
        typical::publish(store, &leader, NOW, &id, 2).await.unwrap();
        let before = written(store).await;
        conflict(typical::save(store, &officer, NOW, &id, &mine, 2).await);
        assert_eq!(written(store).await, before);
        let draft = typical::draft(store, &officer, &id).await.unwrap();
        assert!(draft.published());
        assert_eq!(draft.version(), 3);
        let stored: i64 = sqlx::query_scalar("select version from typical_case where case_id = $1")
            .bind(&id)
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(stored, 3);
    }
);
