//! 行刑衔接 on a case, on SQLite and PostgreSQL: the full path from the proposal to the outcome
//! with its time limits (3 days to decide, 24 hours to send, 3 days for the police), the
//! procuratorate copied on sending; steps out of order refused with a Chinese reason; only a
//! leader of the district approves; a second open transfer refused; the police's requests due
//! by the default limit or the named day; a consultation answered once; the police, who see the
//! case only once it is sent, answering themselves; 复议 and 立案监督 of a refusal once each
//! within 3 days; the seized items handed over after 立案; the lead-level transfers of the
//! previous release moved onto cases by the migration.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use meijian_domain::case::transfer::{
    Direction, Outcome, PackageDoc, PoliceTaskKind, TransferState, TransferStep,
};
use meijian_domain::case::{CaseAction, CaseOrigin, CaseRules, CaseStep, PartyKind};
use meijian_domain::department::DepartmentKind;
use meijian_domain::lead::rules::TimeLimits;
use meijian_domain::lead::Category;
use meijian_domain::role::Role;
use meijian_domain::workdays::Calendar;
use meijian_store::cases::open::{NewCase, NewParty};
use meijian_store::cases::transfer;
use meijian_store::cases::workflow::CaseCommand;
use meijian_store::cases::{self};
use meijian_store::testing::TestDb;
use meijian_store::testing::{department, user};
use meijian_store::{both_backends, demo, Scope, Store, StoreError};
use time::macros::{date, datetime};
use time::{Date, Duration, OffsetDateTime};

/// Friday 2026-11-20, 10:00 in China.
const NOW: OffsetDateTime = datetime!(2026-11-20 02:00 UTC);
const TODAY: Date = date!(2026 - 11 - 20);
const SHIZHONG: &str = "370402";
const XUECHENG: &str = "370403";
const REASON: &str = "无证注射致人重伤，涉嫌非法行医罪";

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
        "区领导",
        Role::Leader,
        DepartmentKind::Health,
        region,
    )
    .await
}

/// The demo city (with its city-level procuratorate).
async fn setup(store: &Store) {
    demo::seed(store, NOW).await.unwrap();
}

async fn version(store: &Store, scope: &Scope, id: &str) -> i64 {
    cases::get(store, scope, id).await.unwrap().version
}

/// A case of 市中区 against one person, at 调查取证.
async fn investigating_case(store: &Store, scope: &Scope) -> String {
    let id = cases::open::open(
        store,
        scope,
        Calendar::embedded(),
        &CaseRules::default(),
        NOW,
        &NewCase {
            case_no: String::new(),
            title: "王大明无证行医案".into(),
            category: Category::UnlicensedPractice,
            origin: CaseOrigin::Complaint,
            region_code: SHIZHONG.into(),
            violation: "未取得医师资格开展注射美容".into(),
            filed_on: TODAY,
            parties: vec![NewParty {
                kind: PartyKind::Person,
                name: "王大明".into(),
                id_number: Some("370402199001011234".into()),
                operator_id: None,
            }],
            basis: vec!["LB01".into()],
            lead_id: None,
        },
    )
    .await
    .unwrap();
    let v = version(store, scope, &id).await;
    cases::workflow::act(
        store,
        scope,
        Calendar::embedded(),
        &CaseRules::default(),
        NOW,
        &id,
        v,
        &CaseCommand::Investigate,
    )
    .await
    .unwrap();
    id
}

async fn propose(store: &Store, scope: &Scope, case_id: &str) -> Result<String, StoreError> {
    let v = version(store, scope, case_id).await;
    transfer::propose(
        store,
        scope,
        Calendar::embedded(),
        &TimeLimits::default(),
        NOW,
        case_id,
        v,
        true,
        REASON,
    )
    .await
}

async fn decide(
    store: &Store,
    scope: &Scope,
    id: &str,
    approve: bool,
    note: &str,
) -> Result<(), StoreError> {
    transfer::decide(
        store,
        scope,
        Calendar::embedded(),
        &TimeLimits::default(),
        NOW,
        id,
        approve,
        note,
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn police_decision(
    store: &Store,
    scope: &Scope,
    now: OffsetDateTime,
    id: &str,
    filed: bool,
    note: &str,
) -> Result<(), StoreError> {
    let rules = CaseRules::default();
    transfer::police_decision(
        store,
        scope,
        Calendar::embedded(),
        &rules,
        now,
        id,
        filed,
        note,
    )
    .await
}

async fn challenge(
    store: &Store,
    scope: &Scope,
    now: OffsetDateTime,
    id: &str,
    supervise: bool,
) -> Result<(), StoreError> {
    let rules = CaseRules::default();
    let why = if supervise {
        "请检察院监督立案"
    } else {
        "已补充鉴定意见"
    };
    transfer::challenge(
        store,
        scope,
        Calendar::embedded(),
        &rules,
        now,
        id,
        supervise,
        why,
    )
    .await
}

async fn police(store: &Store) -> Scope {
    user(
        store,
        "孙警官",
        Role::Officer,
        DepartmentKind::Police,
        SHIZHONG,
    )
    .await
}

async fn receipt(
    store: &Store,
    scope: &Scope,
    id: &str,
    at: OffsetDateTime,
) -> Result<(), StoreError> {
    transfer::receipt(
        store,
        scope,
        Calendar::embedded(),
        &TimeLimits::default(),
        at,
        id,
        at,
    )
    .await
}

async fn add_task(
    store: &Store,
    scope: &Scope,
    id: &str,
    kind: PoliceTaskKind,
    due: Option<Date>,
) -> Result<String, StoreError> {
    transfer::add_task(
        store,
        scope,
        Calendar::embedded(),
        &CaseRules::default(),
        NOW,
        id,
        kind,
        "对查获的玻尿酸进行检验",
        due,
    )
    .await
}

fn invalid<T: std::fmt::Debug>(r: Result<T, StoreError>) -> String {
    match r {
        Err(StoreError::Invalid { message, .. }) => message,
        other => panic!("expected Invalid, got {other:?}"),
    }
}

async fn the_transfer(store: &Store, scope: &Scope, case_id: &str) -> transfer::Transfer {
    transfer::transfers(store, scope, case_id)
        .await
        .unwrap()
        .pop()
        .unwrap()
}

async fn case_actions(store: &Store, scope: &Scope, case_id: &str) -> Vec<CaseAction> {
    let case = cases::get(store, scope, case_id).await.unwrap();
    cases::events(store, &case)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect()
}

both_backends!(
    the_full_path_from_proposal_to_outcome,
    |db: TestDb| async move {
        let store = &db.store;
        setup(store).await;
        let o = officer(store).await;
        let l = leader(store, SHIZHONG).await;
        let case_id = investigating_case(store, &o).await;

        let id = propose(store, &o, &case_id).await.unwrap();
        let t = the_transfer(store, &o, &case_id).await;
        assert_eq!(t.state, TransferState::Proposed);
        assert!(t.urgent);
        assert_eq!(t.reason, REASON);
        assert_eq!(
            t.police_department_id,
            department(store, DepartmentKind::Police, SHIZHONG).await
        );
        assert_eq!(
            t.procuratorate_department_id,
            Some(department(store, DepartmentKind::Procuratorate, demo::CITY).await)
        );
        // 3 calendar days: Monday 23 November, end of day in China.
        assert_eq!(t.decide_due, datetime!(2026-11-23 15:59:59 UTC));
        // The case's own gate now sees the open transfer.
        let case = cases::get(store, &o, &case_id).await.unwrap();
        let steps = cases::workflow::available(store, &o, &case, NOW)
            .await
            .unwrap();
        assert!(!steps.contains(&CaseStep::Police));

        decide(store, &l, &id, true, "同意移送").await.unwrap();
        let t = the_transfer(store, &o, &case_id).await;
        assert_eq!(t.state, TransferState::Approved);
        assert_eq!(t.decided_by.as_deref(), Some("区领导"));
        assert_eq!(t.send_due, Some(NOW + Duration::hours(24)));

        transfer::send(
            store,
            &o,
            NOW,
            &id,
            &[PackageDoc::Items, PackageDoc::Letter, PackageDoc::Report],
        )
        .await
        .unwrap();
        let t = the_transfer(store, &o, &case_id).await;
        assert_eq!(t.state, TransferState::Sent);
        assert_eq!(
            t.package,
            vec![PackageDoc::Letter, PackageDoc::Report, PackageDoc::Items]
        );
        assert_eq!(t.sent_at, Some(NOW));
        assert_eq!(t.copied_at, Some(NOW));

        let at = NOW + Duration::hours(2);
        receipt(store, &o, &id, at).await.unwrap();
        let t = the_transfer(store, &o, &case_id).await;
        assert_eq!(t.state, TransferState::Received);
        assert_eq!(t.receipt_at, Some(at));
        assert_eq!(t.police_due, Some(datetime!(2026-11-23 15:59:59 UTC)));

        police_decision(store, &o, NOW, &id, true, "枣公刑立字〔2026〕88号")
            .await
            .unwrap();
        let t = the_transfer(store, &o, &case_id).await;
        assert_eq!(t.state, TransferState::Filed);
        assert_eq!(t.police_decision, Some(TransferState::Filed));

        let task = add_task(store, &o, &id, PoliceTaskKind::Inspection, None)
            .await
            .unwrap();
        transfer::finish_task(store, &o, NOW, &task, "已出具检验报告")
            .await
            .unwrap();
        transfer::record_outcome(
            store,
            &o,
            NOW,
            &id,
            Outcome::Prosecuted,
            TODAY,
            "检察院提起公诉",
        )
        .await
        .unwrap();
        let t = the_transfer(store, &o, &case_id).await;
        assert_eq!(t.outcome, Some(Outcome::Prosecuted));
        assert_eq!(t.outcome_on, Some(TODAY));
        assert!(!t.overdue(NOW));

        // Every step is in the case's history and the audit log.
        let actions = case_actions(store, &o, &case_id).await;
        for a in [
            CaseAction::TransferProposed,
            CaseAction::TransferApproved,
            CaseAction::TransferSent,
            CaseAction::TransferReceived,
            CaseAction::PoliceFiled,
            CaseAction::PoliceTaskAdded,
            CaseAction::PoliceTaskDone,
            CaseAction::TransferOutcome,
        ] {
            assert!(actions.contains(&a), "{a:?} missing from {actions:?}");
        }
        let audited: i64 = sqlx::query_scalar(
        "select count(*) from audit_entry where entity in ('case_transfer', 'case_police_task')",
    )
    .fetch_one(store.pool())
    .await
    .unwrap();
        assert_eq!(audited, 8);
        // Closed: the case may propose again.
        let case = cases::get(store, &o, &case_id).await.unwrap();
        let steps = cases::workflow::available(store, &o, &case, NOW)
            .await
            .unwrap();
        assert!(steps.contains(&CaseStep::Police));
    }
);

both_backends!(
    steps_out_of_order_are_refused_in_chinese,
    |db: TestDb| async move {
        let store = &db.store;
        setup(store).await;
        let o = officer(store).await;
        let l = leader(store, SHIZHONG).await;
        let case_id = investigating_case(store, &o).await;
        let id = propose(store, &o, &case_id).await.unwrap();
        let before: i64 = sqlx::query_scalar("select count(*) from audit_entry")
            .fetch_one(store.pool())
            .await
            .unwrap();

        let why = invalid(
            transfer::send(
                store,
                &o,
                NOW,
                &id,
                &[PackageDoc::Letter, PackageDoc::Report],
            )
            .await,
        );
        assert_eq!(why, "移送状态为“待审批”，不能移送公安机关");
        let why = invalid(receipt(store, &o, &id, NOW).await);
        assert!(why.contains("不能登记回执"), "{why}");
        let why = invalid(police_decision(store, &o, NOW, &id, true, "").await);
        assert!(why.contains("不能登记公安机关立案决定"), "{why}");
        let why = invalid(add_task(store, &o, &id, PoliceTaskKind::Custody, None).await);
        assert!(why.contains("不能登记协助请求"), "{why}");

        decide(store, &l, &id, true, "").await.unwrap();
        // 移送书 and 调查报告 are required.
        let why = invalid(transfer::send(store, &o, NOW, &id, &[PackageDoc::Items]).await);
        assert_eq!(why, "缺少涉嫌犯罪案件移送书、涉嫌犯罪案件情况的调查报告");
        transfer::send(
            store,
            &o,
            NOW,
            &id,
            &[PackageDoc::Letter, PackageDoc::Report],
        )
        .await
        .unwrap();
        let why = invalid(receipt(store, &o, &id, NOW - Duration::hours(1)).await);
        assert_eq!(why, "不能早于移送时间");
        receipt(store, &o, &id, NOW).await.unwrap();
        // 不予立案 needs the police's reasons; then no outcome can follow.
        invalid(police_decision(store, &o, NOW, &id, false, "").await);
        police_decision(store, &o, NOW, &id, false, "证据不足，不予立案")
            .await
            .unwrap();
        let t = the_transfer(store, &o, &case_id).await;
        assert_eq!(t.state, TransferState::Refused);
        let why = invalid(
            transfer::record_outcome(store, &o, NOW, &id, Outcome::Judged, TODAY, "").await,
        );
        assert_eq!(why, "移送状态为“公安机关不予立案”，不能登记刑事处理结果");
        // Only the successful steps were audited: approve, send, receipt, police decision.
        let after: i64 = sqlx::query_scalar("select count(*) from audit_entry")
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(after - before, 4);
    }
);

both_backends!(
    only_a_leader_of_the_district_approves,
    |db: TestDb| async move {
        let store = &db.store;
        setup(store).await;
        let o = officer(store).await;
        let case_id = investigating_case(store, &o).await;
        let id = propose(store, &o, &case_id).await.unwrap();

        assert!(matches!(
            decide(store, &o, &id, true, "").await,
            Err(StoreError::Forbidden)
        ));
        let other = leader(store, XUECHENG).await;
        assert!(matches!(
            decide(store, &other, &id, true, "").await,
            Err(StoreError::NotFound)
        ));
        let l = leader(store, SHIZHONG).await;
        // A leader does not propose: the handling department does.
        let v = version(store, &l, &case_id).await;
        assert!(matches!(
            transfer::propose(
                store,
                &l,
                Calendar::embedded(),
                &TimeLimits::default(),
                NOW,
                &case_id,
                v,
                false,
                REASON
            )
            .await,
            Err(StoreError::Forbidden)
        ));
        let why = invalid(decide(store, &l, &id, false, "").await);
        assert!(why.contains("审批意见"), "{why}");
        decide(store, &l, &id, false, "证据尚不足以认定涉嫌犯罪")
            .await
            .unwrap();
        let t = the_transfer(store, &o, &case_id).await;
        assert_eq!(t.state, TransferState::Withdrawn);
        assert!(case_actions(store, &o, &case_id)
            .await
            .contains(&CaseAction::TransferRefused));
        // Refused, the case may propose again.
        propose(store, &o, &case_id).await.unwrap();
    }
);

both_backends!(a_second_open_transfer_is_refused, |db: TestDb| async move {
    let store = &db.store;
    setup(store).await;
    let o = officer(store).await;
    let l = leader(store, SHIZHONG).await;
    let case_id = investigating_case(store, &o).await;
    let id = propose(store, &o, &case_id).await.unwrap();
    let why = invalid(propose(store, &o, &case_id).await);
    assert!(why.contains("已有涉嫌犯罪移送正在办理"), "{why}");
    decide(store, &l, &id, true, "").await.unwrap();
    transfer::send(
        store,
        &o,
        NOW,
        &id,
        &[PackageDoc::Letter, PackageDoc::Report],
    )
    .await
    .unwrap();
    let why = invalid(propose(store, &o, &case_id).await);
    assert!(why.contains("已有涉嫌犯罪移送正在办理"), "{why}");
    assert_eq!(
        transfer::transfers(store, &o, &case_id)
            .await
            .unwrap()
            .len(),
        1
    );
});

both_backends!(
    police_requests_are_due_by_the_limit_or_the_named_day,
    |db: TestDb| async move {
        let store = &db.store;
        setup(store).await;
        let o = officer(store).await;
        let l = leader(store, SHIZHONG).await;
        let case_id = investigating_case(store, &o).await;
        let id = propose(store, &o, &case_id).await.unwrap();
        decide(store, &l, &id, true, "").await.unwrap();
        transfer::send(
            store,
            &o,
            NOW,
            &id,
            &[PackageDoc::Letter, PackageDoc::Report],
        )
        .await
        .unwrap();
        receipt(store, &o, &id, NOW).await.unwrap();

        let a = add_task(store, &o, &id, PoliceTaskKind::Inspection, None)
            .await
            .unwrap();
        let b = add_task(
            store,
            &o,
            &id,
            PoliceTaskKind::Custody,
            Some(date!(2026 - 11 - 27)),
        )
        .await
        .unwrap();
        let why = invalid(
            add_task(
                store,
                &o,
                &id,
                PoliceTaskKind::Appraisal,
                Some(date!(2026 - 11 - 19)),
            )
            .await,
        );
        assert_eq!(why, "不能早于今天");
        let tasks = transfer::tasks(store, &o, &id).await.unwrap();
        assert_eq!(tasks.len(), 2);
        let ta = tasks.iter().find(|t| t.id == a).unwrap();
        let tb = tasks.iter().find(|t| t.id == b).unwrap();
        // 10 working days from Friday 20 November: Friday 4 December, end of day in China.
        assert_eq!(ta.due, datetime!(2026-12-04 15:59:59 UTC));
        assert_eq!(tb.due, datetime!(2026-11-27 15:59:59 UTC));
        assert_eq!(tb.kind, PoliceTaskKind::Custody);
        assert!(tb.overdue(datetime!(2026-11-28 00:00 UTC)));
        transfer::finish_task(store, &o, NOW, &b, "涉案物品已移交公安机关保管")
            .await
            .unwrap();
        let why = invalid(transfer::finish_task(store, &o, NOW, &b, "重复办理").await);
        assert_eq!(why, "该请求已办理完毕");
        let tasks = transfer::tasks(store, &o, &id).await.unwrap();
        let tb = tasks.iter().find(|t| t.id == b).unwrap();
        assert!(!tb.overdue(datetime!(2026-11-28 00:00 UTC)));
        assert_eq!(tb.done_note.as_deref(), Some("涉案物品已移交公安机关保管"));
    }
);

both_backends!(a_consultation_is_answered_once, |db: TestDb| async move {
    let store = &db.store;
    setup(store).await;
    let o = officer(store).await;
    let case_id = investigating_case(store, &o).await;
    let q = transfer::ask(
        store,
        &o,
        Calendar::embedded(),
        &CaseRules::default(),
        NOW,
        &case_id,
        Direction::ToPolice,
        "注射致人重伤是否达到非法行医罪的立案标准？",
    )
    .await
    .unwrap();
    let cs = transfer::consultations(store, &o, &case_id).await.unwrap();
    assert_eq!(cs.len(), 1);
    // 3 working days from Friday 20 November: Wednesday 25 November.
    assert_eq!(cs[0].due, datetime!(2026-11-25 15:59:59 UTC));
    assert!(cs[0].answer.is_none());
    transfer::answer(store, &o, NOW, &q, "公安机关答复：已达到立案标准，建议移送")
        .await
        .unwrap();
    let why = invalid(transfer::answer(store, &o, NOW, &q, "再次答复").await);
    assert_eq!(why, "该咨询已答复");
    let cs = transfer::consultations(store, &o, &case_id).await.unwrap();
    assert_eq!(cs[0].answered_by.as_deref(), Some("张执法"));
    assert_eq!(cs[0].direction, Direction::ToPolice);
    let actions = case_actions(store, &o, &case_id).await;
    assert!(actions.contains(&CaseAction::ConsultationAsked));
    assert!(actions.contains(&CaseAction::ConsultationAnswered));
    // Another district's leader does not see the case's consultations.
    let other = leader(store, XUECHENG).await;
    assert!(matches!(
        transfer::consultations(store, &other, &case_id).await,
        Err(StoreError::NotFound)
    ));
});

both_backends!(
    the_police_answer_and_a_refusal_is_challenged_once_each_way,
    |db: TestDb| async move {
        let store = &db.store;
        setup(store).await;
        let o = officer(store).await;
        let l = leader(store, SHIZHONG).await;
        let p = police(store).await;
        let procurator = user(
            store,
            "钱检察官",
            Role::Officer,
            DepartmentKind::Procuratorate,
            demo::CITY,
        )
        .await;
        let case_id = investigating_case(store, &o).await;
        let id = propose(store, &o, &case_id).await.unwrap();
        // Before it is sent the police and the procuratorate do not see the case.
        assert!(matches!(
            cases::get(store, &p, &case_id).await,
            Err(StoreError::NotFound)
        ));
        assert!(transfer::waiting(store, &p).await.unwrap().is_empty());
        assert_eq!(transfer::waiting(store, &l).await.unwrap().len(), 1);
        decide(store, &l, &id, true, "").await.unwrap();
        transfer::send(
            store,
            &o,
            NOW,
            &id,
            &[PackageDoc::Letter, PackageDoc::Report],
        )
        .await
        .unwrap();
        // Sending grants them the case; it waits for the police and, copied, the procuratorate.
        cases::get(store, &p, &case_id).await.unwrap();
        cases::get(store, &procurator, &case_id).await.unwrap();
        assert_eq!(transfer::waiting(store, &p).await.unwrap().len(), 1);
        assert_eq!(
            transfer::waiting(store, &procurator).await.unwrap().len(),
            1
        );
        assert!(transfer::waiting(store, &l).await.unwrap().is_empty());
        let t = the_transfer(store, &p, &case_id).await;
        assert_eq!(
            transfer::available(store, &p, NOW, &t).await.unwrap(),
            [TransferStep::Receipt]
        );
        // Another police station is not the receiver.
        let other = user(
            store,
            "李警官",
            Role::Officer,
            DepartmentKind::Police,
            XUECHENG,
        )
        .await;
        assert!(receipt(store, &other, &id, NOW).await.is_err());
        receipt(store, &p, &id, NOW).await.unwrap();
        police_decision(store, &p, NOW, &id, false, "证据不足")
            .await
            .unwrap();
        let t = the_transfer(store, &o, &case_id).await;
        assert_eq!(t.state, TransferState::Refused);
        // 3 days from the refusal: Monday 23 November, end of day in China.
        assert_eq!(t.challenge_due, Some(datetime!(2026-11-23 15:59:59 UTC)));
        // The police do not challenge their own refusal; the agency does, in time.
        assert!(matches!(
            challenge(store, &p, NOW, &id, false).await,
            Err(StoreError::Forbidden)
        ));
        let late = NOW + Duration::days(4);
        assert_eq!(
            invalid(challenge(store, &o, late, &id, false).await),
            "已过收到不予立案通知后提请的期限"
        );
        challenge(store, &o, NOW, &id, false).await.unwrap();
        let t = the_transfer(store, &o, &case_id).await;
        assert_eq!(t.state, TransferState::Reconsidering);
        assert_eq!(t.police_due, Some(datetime!(2026-11-23 15:59:59 UTC)));
        assert_eq!(transfer::waiting(store, &p).await.unwrap().len(), 1);
        police_decision(store, &p, NOW, &id, false, "维持不予立案")
            .await
            .unwrap();
        assert_eq!(
            invalid(challenge(store, &o, NOW, &id, false).await),
            "已经提请过复议或立案监督，不能再提请复议"
        );
        challenge(store, &o, NOW, &id, true).await.unwrap();
        assert_eq!(
            the_transfer(store, &o, &case_id).await.state,
            TransferState::Supervising
        );
        assert_eq!(
            transfer::waiting(store, &procurator).await.unwrap().len(),
            1
        );
        police_decision(store, &p, NOW, &id, true, "枣公立〔2026〕9号")
            .await
            .unwrap();
        let t = the_transfer(store, &o, &case_id).await;
        assert_eq!(t.state, TransferState::Filed);
        assert_eq!(t.handover_due, Some(datetime!(2026-11-23 15:59:59 UTC)));
        assert!(t.overdue(datetime!(2026-11-24 00:00 UTC)));
        // The handover is the agency's.
        assert!(transfer::handover(store, &p, NOW, &id, "注射器12支")
            .await
            .is_err());
        transfer::handover(store, &o, NOW, &id, "注射器12支、药品3盒")
            .await
            .unwrap();
        let t = the_transfer(store, &o, &case_id).await;
        assert_eq!(t.handed_over_at, Some(NOW));
        assert!(!t.overdue(datetime!(2026-11-24 00:00 UTC)));
        assert!(transfer::handover(store, &o, NOW, &id, "再次移交")
            .await
            .is_err());
        let actions = case_actions(store, &o, &case_id).await;
        for a in [
            CaseAction::PoliceRefused,
            CaseAction::TransferReconsider,
            CaseAction::TransferSupervise,
            CaseAction::PoliceFiled,
            CaseAction::TransferHandover,
        ] {
            assert!(actions.contains(&a), "{a:?} missing from {actions:?}");
        }
        let by_police: i64 = sqlx::query_scalar(
            "select count(*) from audit_entry where entity = 'case_transfer' and actor_name = '孙警官'",
        )
        .fetch_one(store.pool())
        .await
        .unwrap();
        assert_eq!(by_police, 4);
    }
);
