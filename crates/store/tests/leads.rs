//! Complaints and leads on SQLite and PostgreSQL: intake routes by the duty matrix, the legal
//! clocks count working days, only the handling department reads the reporter, repeated
//! complaints are verified once, referrals move a lead and keep the sender informed, rewards
//! follow the rules, and the 汇总表 counts come from the records.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use meijian_domain::case::{PartyKind, PenaltyKind};
use meijian_domain::department::DepartmentKind;
use meijian_domain::lead::codes::NextStep;
use meijian_domain::lead::rules::LeadRules;
use meijian_domain::lead::{
    Category, Channel, Fen, Finding, LeadKind, LeadState, Outcome, ReferralState, RewardState,
    Satisfaction,
};
use meijian_domain::region::RegionCode;
use meijian_domain::role::Role;
use meijian_domain::workdays::Calendar;
use meijian_store::leads::intake::{
    self, AttachmentIn, AttachmentLimits, NewComplaint, ReporterIn,
};
use meijian_store::leads::workflow::{self, extension, Conclusion};
use meijian_store::leads::{
    self, batch, detail, referral, reward, routing, stats, status, suggest,
};
use meijian_store::testing::department;
use meijian_store::testing::{self, TestDb};
use meijian_store::{both_backends, demo, Actor, Scope, Store, StoreError};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

/// Friday 2026-11-20, 10:00 in China.
const NOW: OffsetDateTime = datetime!(2026-11-20 02:00 UTC);

/// A time as stored, to compare with the store's literals.
fn stored(t: OffsetDateTime) -> String {
    meijian_store::timefmt::to_db(t)
}

async fn scope(store: &Store, role: Role, kind: DepartmentKind, region: &str) -> Scope {
    let actor = Actor {
        account_id: Some(format!("{role}-{region}")),
        name: format!("{}@{region}", role.code()),
        ..Actor::default()
    };
    Scope::for_user(
        actor,
        role,
        department(store, kind, region).await,
        RegionCode::parse(region).unwrap(),
    )
}

fn complaint(kind: LeadKind, category: Category, region: &str, subject: &str) -> NewComplaint {
    NewComplaint {
        kind,
        category,
        channel: Channel::Online,
        channel_ref: None,
        region_code: region.into(),
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
    }
}

async fn submit(
    store: &Store,
    c: NewComplaint,
    now: OffsetDateTime,
) -> Result<intake::Ticket, StoreError> {
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
    .await?;
    let mut tx = store.begin().await?;
    intake::write_complaint(&mut tx, &p, now).await?;
    tx.commit().await?;
    Ok(p.ticket())
}

fn conclusion(outcome: Outcome) -> Conclusion {
    Conclusion {
        outcome,
        note: "现场检查属实，已依法处理。".into(),
    }
}

/// The lead's case, decided with a fine of `yuan` against an organisation.
async fn fined(store: &Store, scope: &Scope, now: OffsetDateTime, lead: &str, yuan: i64) {
    testing::decided_case(
        store,
        scope,
        now,
        lead,
        PartyKind::Organisation,
        &[(PenaltyKind::Fine, Some(Fen::from_yuan(yuan)))],
    )
    .await
    .unwrap();
}

both_backends!(
    complaints_route_by_duty_and_count_working_days,
    |db: TestDb| async move {
        let store = &db.store;
        demo::seed(store, NOW).await.unwrap();
        let t = submit(
            store,
            complaint(
                LeadKind::Report,
                Category::UnlicensedPractice,
                "370402",
                "丽人美容院",
            ),
            NOW,
        )
        .await
        .unwrap();
        let officer = scope(
            store,
            Role::Officer,
            DepartmentKind::HealthSupervision,
            "370402",
        )
        .await;
        let lead = leads::get(store, &officer, &t.lead_id).await.unwrap();
        assert_eq!(lead.department_id, officer.department_id.clone().unwrap());
        // Received on Friday the 20th: 7 working days end on Tuesday 1 December, 15 on the 11th.
        assert_eq!(
            lead.accept_due.map(stored).as_deref(),
            Some("2026-12-01T15:59:59Z")
        );
        assert_eq!(
            lead.verify_due.map(stored).as_deref(),
            Some("2026-12-11T15:59:59Z")
        );
        assert_eq!(lead.next_step, Some(NextStep::Accept));

        // Advertising goes to 市场监管, internet posts to the city's 网信办 (none in districts).
        let ad = submit(
            store,
            complaint(
                LeadKind::Report,
                Category::Advertising,
                "370403",
                "某某医美",
            ),
            NOW,
        )
        .await
        .unwrap();
        let mr = scope(
            store,
            Role::Officer,
            DepartmentKind::MarketRegulation,
            "370403",
        )
        .await;
        assert!(leads::get(store, &mr, &ad.lead_id).await.is_ok());
        let net = submit(
            store,
            complaint(
                LeadKind::Report,
                Category::InternetInfo,
                "370403",
                "某某医美",
            ),
            NOW,
        )
        .await
        .unwrap();
        let cyber = scope(store, Role::Officer, DepartmentKind::Cyberspace, "370400").await;
        assert!(leads::get(store, &cyber, &net.lead_id).await.is_ok());
        assert!(matches!(
            leads::get(store, &mr, &net.lead_id).await,
            Err(StoreError::NotFound)
        ));

        // An administrator gives advertising to the health supervisors of the city.
        let admin = scope(store, Role::Administrator, DepartmentKind::Health, "370400").await;
        routing::set_rule(
            store,
            &admin,
            NOW,
            Category::Advertising,
            &[DepartmentKind::HealthSupervision],
            &[],
            "市专班2026年会议纪要",
        )
        .await
        .unwrap();
        let ad2 = submit(
            store,
            complaint(
                LeadKind::Report,
                Category::Advertising,
                "370403",
                "某某医美",
            ),
            NOW,
        )
        .await
        .unwrap();
        let hs = scope(
            store,
            Role::Officer,
            DepartmentKind::HealthSupervision,
            "370403",
        )
        .await;
        assert!(leads::get(store, &hs, &ad2.lead_id).await.is_ok());
        assert!(matches!(
            routing::set_rule(
                store,
                &mr,
                NOW,
                Category::Tax,
                &[DepartmentKind::Tax],
                &[],
                "x依据"
            )
            .await,
            Err(StoreError::Forbidden)
        ));

        // Bad input names the field.
        let mut bad = complaint(LeadKind::Report, Category::Drug, "370402", "丽人");
        bad.description = "太短".into();
        match submit(store, bad, NOW).await {
            Err(StoreError::Invalid { field, .. }) => assert_eq!(field, "问题描述"),
            other => panic!("{other:?}"),
        }
        let mut exe = complaint(LeadKind::Report, Category::Drug, "370402", "丽人美容");
        exe.attachments = vec![AttachmentIn {
            file_name: "photo.jpg".into(),
            bytes: b"MZ\x90\x00rest".to_vec(),
        }];
        match submit(store, exe, NOW).await {
            Err(StoreError::Invalid { field, .. }) => assert_eq!(field, "附件"),
            other => panic!("{other:?}"),
        }
    }
);

both_backends!(
    only_the_handling_department_reads_the_reporter,
    |db: TestDb| async move {
        let store = &db.store;
        demo::seed(store, NOW).await.unwrap();
        let mut c = complaint(
            LeadKind::Complaint,
            Category::MedicalInstitution,
            "370402",
            "光明医疗美容门诊部",
        );
        c.attachments = vec![AttachmentIn {
            file_name: "../../etc/收据.jpg".into(),
            bytes: b"\xFF\xD8\xFF\xE0jpeg".to_vec(),
        }];
        let t = submit(store, c, NOW).await.unwrap();
        let officer = scope(
            store,
            Role::Officer,
            DepartmentKind::HealthSupervision,
            "370402",
        )
        .await;
        let leader = scope(store, Role::Leader, DepartmentKind::Health, "370400").await;
        let other = scope(
            store,
            Role::Officer,
            DepartmentKind::MarketRegulation,
            "370403",
        )
        .await;

        let mine = detail::complaints(
            store,
            &officer,
            &leads::get(store, &officer, &t.lead_id).await.unwrap(),
        )
        .await
        .unwrap();
        let r = mine[0].reporter.as_ref().unwrap();
        assert_eq!((r.phone.as_str(), r.masked), ("13812345678", false));
        assert_eq!(mine[0].attachments[0].file_name, "收据.jpg");
        let (_, kind, bytes) = detail::attachment(store, &officer, &mine[0].attachments[0].id)
            .await
            .unwrap();
        assert_eq!((kind.as_str(), bytes.len()), ("image/jpeg", 8));

        let theirs = detail::complaints(
            store,
            &leader,
            &leads::get(store, &leader, &t.lead_id).await.unwrap(),
        )
        .await
        .unwrap();
        let r = theirs[0].reporter.as_ref().unwrap();
        assert_eq!(
            (r.name.as_str(), r.phone.as_str(), r.masked),
            ("王**", "138****5678", true)
        );
        assert!(!theirs[0].can_download);
        assert!(matches!(
            detail::attachment(store, &leader, &mine[0].attachments[0].id).await,
            Err(StoreError::Forbidden)
        ));
        assert!(matches!(
            leads::get(store, &other, &t.lead_id).await,
            Err(StoreError::NotFound)
        ));

        // The audit log never carries the reporter.
        let audit: Vec<(Option<String>,)> = sqlx::query_as("select after_json from audit_entry")
            .fetch_all(store.pool())
            .await
            .unwrap();
        assert!(audit
            .iter()
            .all(|(a,)| !a.as_deref().unwrap_or("").contains("13812345678")
                && !a.as_deref().unwrap_or("").contains("王小花")));
        // Nor the public status.
        let s = status::lookup(store, &t.ticket_code, &t.secret)
            .await
            .unwrap();
        assert!(!format!("{s:?}").contains("13812345678"));
        assert!(matches!(
            status::lookup(store, &t.ticket_code, "WRONGSECRET22").await,
            Err(StoreError::NotFound)
        ));
    }
);

both_backends!(
    the_workflow_from_acceptance_to_satisfaction,
    |db: TestDb| async move {
        let store = &db.store;
        demo::seed(store, NOW).await.unwrap();
        let cal = Calendar::embedded();
        let rules = LeadRules::default();
        let t = submit(
            store,
            complaint(
                LeadKind::Report,
                Category::UnlicensedPractice,
                "370402",
                "丽人美容院",
            ),
            NOW,
        )
        .await
        .unwrap();
        let officer = scope(
            store,
            Role::Officer,
            DepartmentKind::HealthSupervision,
            "370402",
        )
        .await;
        let leader = scope(store, Role::Leader, DepartmentKind::Health, "370400").await;
        let id = &t.lead_id;
        // Steps out of order are refused, with the state named.
        assert!(matches!(
            workflow::verify(
                store,
                &officer,
                NOW,
                id,
                Finding::Substantiated,
                "现场核查属实"
            )
            .await,
            Err(StoreError::Invalid { .. })
        ));
        assert!(matches!(
            workflow::accept(store, &leader, cal, &rules, NOW, id).await,
            Err(StoreError::Forbidden)
        ));
        workflow::accept(store, &officer, cal, &rules, NOW, id)
            .await
            .unwrap();
        assert!(matches!(
            workflow::accept(store, &officer, cal, &rules, NOW, id).await,
            Err(StoreError::Invalid { .. })
        ));
        let later = NOW + Duration::days(3);
        workflow::verify(
            store,
            &officer,
            later,
            id,
            Finding::Substantiated,
            "现场核查属实，无证注射",
        )
        .await
        .unwrap();
        // Without a decided case, a penalty is refused.
        assert!(matches!(
            workflow::conclude(
                store,
                &officer,
                cal,
                &rules,
                later,
                id,
                &conclusion(Outcome::Penalty)
            )
            .await,
            Err(StoreError::Invalid {
                field: "办理结果",
                ..
            })
        ));
        fined(store, &officer, later, id, 200_000).await;
        workflow::conclude(
            store,
            &officer,
            cal,
            &rules,
            later,
            id,
            &conclusion(Outcome::Penalty),
        )
        .await
        .unwrap();
        let lead = leads::get(store, &officer, id).await.unwrap();
        assert_eq!(lead.next_step, Some(NextStep::Reply));
        workflow::reply(store, &officer, later, id, "经查属实，已对其罚款20万元。")
            .await
            .unwrap();
        let s = status::lookup(store, &t.ticket_code, &t.secret)
            .await
            .unwrap();
        assert_eq!(s.state, "已答复");
        assert!(s.can_rate);
        assert_eq!(s.reply.as_deref(), Some("经查属实，已对其罚款20万元。"));
        status::rate(
            store,
            &Actor::system("anonymous"),
            later,
            &t.ticket_code.to_lowercase(),
            &t.secret,
            Satisfaction::Satisfied,
        )
        .await
        .unwrap();
        assert!(status::rate(
            store,
            &Actor::system("anonymous"),
            later,
            &t.ticket_code,
            &t.secret,
            Satisfaction::Dissatisfied
        )
        .await
        .is_err());

        // 汇总表: one received, concluded, penalised, replied, satisfied in November 2026.
        let counts = stats::complaint_counts(
            store,
            &leader,
            datetime!(2026-10-31 16:00 UTC),
            datetime!(2026-11-30 16:00 UTC),
        )
        .await
        .unwrap();
        let total = counts.last().unwrap();
        assert_eq!(
            (
                total.received,
                total.concluded,
                total.penalised,
                total.replied,
                total.satisfied
            ),
            (1, 1, 1, 1, 1)
        );
        assert_eq!(counts[0].region_code, "370402");

        // The reward: 5 % of 200,000 is 10,000 at level one; a leader approves; paid.
        let w = reward::propose(store, &officer, &rules, later, id, 0)
            .await
            .unwrap();
        assert!(matches!(
            reward::propose(store, &officer, &rules, later, id, 0).await,
            Err(StoreError::Conflict { .. })
        ));
        let r = reward::for_lead(store, &leads::get(store, &officer, id).await.unwrap())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (r.amount_fen, r.level_name.as_str()),
            (Fen::from_yuan(10_000), "一级")
        );
        // Paying before a leader approves: the workflow table's refusal.
        assert!(matches!(
            reward::mark_paid(store, &officer, later, &w, "凭证001").await,
            Err(StoreError::Invalid {
                field: "举报奖励",
                ..
            })
        ));
        assert!(matches!(
            reward::decide(store, &officer, later, &w, true, "").await,
            Err(StoreError::Forbidden)
        ));
        reward::decide(store, &leader, later, &w, true, "同意")
            .await
            .unwrap();
        reward::mark_paid(store, &officer, later, &w, "财务凭证2026-118")
            .await
            .unwrap();
        assert_eq!(
            reward::for_lead(store, &leads::get(store, &officer, id).await.unwrap())
                .await
                .unwrap()
                .unwrap()
                .state,
            RewardState::Paid
        );
    }
);

both_backends!(
    overdue_leads_are_listed_and_chased,
    |db: TestDb| async move {
        let store = &db.store;
        demo::seed(store, NOW).await.unwrap();
        let cal = Calendar::embedded();
        let t = submit(
            store,
            complaint(
                LeadKind::Complaint,
                Category::MedicalInstitution,
                "370402",
                "光明门诊部",
            ),
            NOW,
        )
        .await
        .unwrap();
        let officer = scope(
            store,
            Role::Officer,
            DepartmentKind::HealthSupervision,
            "370402",
        )
        .await;
        let leader = scope(store, Role::Leader, DepartmentKind::Health, "370400").await;
        let warn = leads::deadlines::warn_until(cal, NOW, 2);
        let c = stats::due_counts(store, &officer, NOW, warn).await.unwrap();
        assert_eq!((c.open, c.due_soon, c.overdue), (1, 0, 0));
        assert!(matches!(
            workflow::supervise(store, &leader, NOW, &t.lead_id, "请尽快受理").await,
            Err(StoreError::Invalid { .. })
        ));
        // Eight working days later the acceptance is overdue.
        let late = NOW + Duration::days(12);
        let filter = leads::LeadFilter {
            due: leads::Due::Overdue,
            ..Default::default()
        };
        let (rows, total) = leads::list(store, &leader, &filter, late, late)
            .await
            .unwrap();
        assert_eq!((rows.len(), total), (1, 1));
        let load = stats::by_department(store, &leader, late).await.unwrap();
        assert_eq!((load[0].open, load[0].overdue), (1, 1));
        assert!(matches!(
            workflow::supervise(store, &officer, late, &t.lead_id, "催办").await,
            Err(StoreError::Forbidden)
        ));
        workflow::supervise(store, &leader, late, &t.lead_id, "请于三日内受理并回复")
            .await
            .unwrap();
        assert_eq!(
            workflow::supervisions(
                store,
                &leads::get(store, &officer, &t.lead_id).await.unwrap()
            )
            .await
            .unwrap()
            .len(),
            1
        );
    }
);

async fn operator(store: &Store, id: &str, name: &str, address: &str) {
    sqlx::query(
        "insert into reconcile_run (id, region_code, region_lo, region_hi, as_of, records, operators, \
         links, candidates, changed, actor_name, started_at, finished_at) \
         values ('run1', '370400', '370400', '370499', '2026-11-20', 1, 1, 0, 0, 0, 't', $1, $1) \
         on conflict (id) do nothing",
    )
    .bind("2026-11-20T01:00:00Z")
    .execute(store.pool())
    .await
    .unwrap();
    sqlx::query(
        "insert into reconcile_operator (run_id, operator_id, region_code, name, address, class, \
         unusable, members) values ('run1', $1, '370402', $2, $3, 'registered_only', 0, 1)",
    )
    .bind(id)
    .bind(name)
    .bind(address)
    .execute(store.pool())
    .await
    .unwrap();
    // The 主体库 as the run would have left it.
    sqlx::query(
        "insert into operator (id, origin, status, region_code, name, names, persons, address, \
         addresses, class, members, class_run_id, first_run_id, fingerprint, created_at, \
         updated_at) values ($1, 'registry', 'active', '370402', $2, $2, '', $3, $3, \
         'registered_only', 1, 'run1', 'run1', '', $4, $4)",
    )
    .bind(id)
    .bind(name)
    .bind(address)
    .bind("2026-11-20T01:00:00Z")
    .execute(store.pool())
    .await
    .unwrap();
}

both_backends!(
    repeated_complaints_about_one_operator_are_verified_once,
    |db: TestDb| async move {
        let store = &db.store;
        demo::seed(store, NOW).await.unwrap();
        let cal = Calendar::embedded();
        let rules = LeadRules::default();
        operator(
            store,
            "ZT0000000000000001",
            "枣庄市市中区丽人美容有限公司",
            "山东省枣庄市市中区光明路18号",
        )
        .await;
        operator(
            store,
            "ZT0000000000000002",
            "枣庄市光明口腔诊所",
            "市中区建设路1号",
        )
        .await;
        let officer = scope(
            store,
            Role::Officer,
            DepartmentKind::HealthSupervision,
            "370402",
        )
        .await;
        let a = submit(
            store,
            complaint(
                LeadKind::Report,
                Category::UnlicensedPractice,
                "370402",
                "丽人美容",
            ),
            NOW,
        )
        .await
        .unwrap();
        let b = submit(
            store,
            complaint(
                LeadKind::Report,
                Category::UnlicensedPractice,
                "370402",
                "丽人美容院（光明路店）",
            ),
            NOW,
        )
        .await
        .unwrap();
        let s = suggest::suggestions(store, &officer, &a.lead_id)
            .await
            .unwrap();
        assert_eq!(s[0].operator_id, "ZT0000000000000001", "{s:?}");
        assert!(s.iter().all(|x| x.operator_id != "ZT0000000000000002"));
        assert_eq!(
            suggest::link_operator(store, &officer, NOW, &a.lead_id, "ZT0000000000000001")
                .await
                .unwrap(),
            None
        );
        let grouped =
            suggest::link_operator(store, &officer, NOW, &b.lead_id, "ZT0000000000000001")
                .await
                .unwrap();
        assert_eq!(grouped.as_deref(), Some(a.lead_id.as_str()));
        assert!(
            suggest::link_operator(store, &officer, NOW, &b.lead_id, "ZT9999999999999999")
                .await
                .is_err()
        );

        workflow::accept(store, &officer, cal, &rules, NOW, &a.lead_id)
            .await
            .unwrap();
        assert!(matches!(
            workflow::verify(
                store,
                &officer,
                NOW,
                &b.lead_id,
                Finding::Unfounded,
                "核查情况"
            )
            .await,
            Err(StoreError::Invalid {
                field: "合并办理",
                ..
            })
        ));
        assert_eq!(
            workflow::verify(
                store,
                &officer,
                NOW,
                &a.lead_id,
                Finding::Substantiated,
                "现场核查属实"
            )
            .await
            .unwrap(),
            2
        );
        assert_eq!(
            workflow::conclude(
                store,
                &officer,
                cal,
                &rules,
                NOW,
                &a.lead_id,
                &conclusion(Outcome::Corrected)
            )
            .await
            .unwrap(),
            2
        );
        let sb = status::lookup(store, &b.ticket_code, &b.secret)
            .await
            .unwrap();
        assert_eq!(sb.state, "已办结");
        assert!(sb
            .steps
            .iter()
            .any(|s| s.note.as_deref().unwrap_or("").contains("合并核查")));
        // Each reporter gets their own reply.
        let lb = leads::get(store, &officer, &b.lead_id).await.unwrap();
        assert_eq!(lb.next_step, Some(NextStep::Reply));
        // A correction without a penalty earns no reward.
        assert!(reward::propose(store, &officer, &rules, NOW, &a.lead_id, 0)
            .await
            .is_err());
    }
);

both_backends!(
    referrals_move_the_lead_and_keep_the_sender_informed,
    |db: TestDb| async move {
        let store = &db.store;
        demo::seed(store, NOW).await.unwrap();
        let cal = Calendar::embedded();
        let rules = LeadRules::default();
        let t = submit(
            store,
            complaint(
                LeadKind::Report,
                Category::UnlicensedPractice,
                "370402",
                "丽人美容院",
            ),
            NOW,
        )
        .await
        .unwrap();
        let officer = scope(
            store,
            Role::Officer,
            DepartmentKind::HealthSupervision,
            "370402",
        )
        .await;
        let market = scope(
            store,
            Role::Officer,
            DepartmentKind::MarketRegulation,
            "370402",
        )
        .await;
        assert!(matches!(
            leads::get(store, &market, &t.lead_id).await,
            Err(StoreError::NotFound)
        ));
        let r = referral::refer(
            store,
            &officer,
            cal,
            &rules,
            NOW,
            &t.lead_id,
            market.department_id.as_deref().unwrap(),
            "涉及价格欺诈，属市场监管职责",
        )
        .await
        .unwrap();
        assert!(referral::refer(
            store,
            &officer,
            cal,
            &rules,
            NOW,
            &t.lead_id,
            market.department_id.as_deref().unwrap(),
            "再次移送试试"
        )
        .await
        .is_err());
        let inbox = referral::for_department(store, &market, true)
            .await
            .unwrap();
        assert_eq!(inbox.len(), 1);
        // Three working days to acknowledge from Friday the 20th: Wednesday the 25th.
        assert_eq!(inbox[0].acknowledge_due, datetime!(2026-11-25 15:59:59 UTC));
        assert!(leads::get(store, &market, &t.lead_id).await.is_ok());
        assert!(matches!(
            referral::respond(store, &officer, NOW, &r, referral::Response::Accept, "接收").await,
            Err(StoreError::NotFound)
        ));
        referral::respond(store, &market, NOW, &r, referral::Response::Acknowledge, "")
            .await
            .unwrap();
        referral::respond(
            store,
            &market,
            NOW,
            &r,
            referral::Response::Accept,
            "接收办理",
        )
        .await
        .unwrap();
        let lead = leads::get(store, &officer, &t.lead_id).await.unwrap();
        assert_eq!(lead.department_id, market.department_id.clone().unwrap());
        let sent = referral::for_department(store, &officer, false)
            .await
            .unwrap();
        assert_eq!(sent[0].state, ReferralState::Accepted);
        // The sender no longer handles it: the reporter is masked for them now.
        let c = detail::complaints(
            store,
            &officer,
            &leads::get(store, &officer, &t.lead_id).await.unwrap(),
        )
        .await
        .unwrap();
        assert!(c[0].reporter.as_ref().unwrap().masked);

        // The only referral of the lead is the department's: a crime goes to the police as a
        // step of its case (meijian_store::cases::transfer).
        let all = referral::for_lead(
            store,
            &leads::get(store, &market, &t.lead_id).await.unwrap(),
        )
        .await
        .unwrap();
        assert_eq!(
            all.iter().map(|r| r.state.as_str()).collect::<Vec<_>>(),
            ["accepted"]
        );
    }
);

both_backends!(
    group_commit_writes_every_submission,
    |db: TestDb| async move {
        let store = db.store.clone();
        demo::seed(&store, NOW).await.unwrap();
        let queue = batch::SubmitQueue::start(store.clone(), 16);
        let mut tasks = Vec::new();
        for i in 0..40 {
            let (store, queue) = (store.clone(), queue.clone());
            tasks.push(tokio::spawn(async move {
                let p = intake::prepare_complaint(
                    &store,
                    Calendar::embedded(),
                    &LeadRules::default(),
                    AttachmentLimits::default(),
                    NOW,
                    Actor::system("anonymous"),
                    None,
                    complaint(
                        LeadKind::Report,
                        Category::Drug,
                        "370402",
                        &format!("药店{i}号"),
                    ),
                )
                .await
                .unwrap();
                queue.submit(p, NOW).await.unwrap()
            }));
        }
        let mut codes = std::collections::HashSet::new();
        for t in tasks {
            codes.insert(t.await.unwrap().ticket_code);
        }
        assert_eq!(codes.len(), 40);
        let n: i64 = sqlx::query_scalar("select count(*) from lead")
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(n, 40);
        assert!(matches!(
            meijian_store::audit::verify(&store).await.unwrap(),
            meijian_store::audit::Verdict::Intact { .. }
        ));
    }
);

both_backends!(
    the_demo_leads_are_written_through_the_workflow,
    |db: TestDb| async move {
        let store = &db.store;
        demo::seed(store, NOW).await.unwrap();
        assert_eq!(leads::demo::seed(store, NOW).await.unwrap(), 8);
        let leader = scope(store, Role::Leader, DepartmentKind::Health, "370400").await;
        let (all, total) = leads::list(store, &leader, &leads::LeadFilter::default(), NOW, NOW)
            .await
            .unwrap();
        assert_eq!((all.len(), total), (8, 8));
        // The oldest report was received 12 days ago and is past its acceptance limit.
        let (overdue, _) = leads::list(
            store,
            &leader,
            &leads::LeadFilter {
                due: leads::Due::Overdue,
                ..Default::default()
            },
            NOW,
            NOW,
        )
        .await
        .unwrap();
        assert!(overdue
            .iter()
            .any(|l| l.subject_name == "丽人美容会所（光明路店）"));
        // The drug report's case waits for the leader's approval of its transfer.
        assert_eq!(
            meijian_store::cases::transfer::waiting(store, &leader)
                .await
                .unwrap()
                .len(),
            1
        );
        assert!(matches!(
            meijian_store::audit::verify(store).await.unwrap(),
            meijian_store::audit::Verdict::Intact { .. }
        ));
    }
);

both_backends!(
    a_leader_extends_the_verification_once,
    |db: TestDb| async move {
        let store = &db.store;
        // Friday 2026-09-11, 10:00 in China: the verification runs over 中秋 and 国庆 and two
        // 调休 Saturdays and Sundays.
        let now = datetime!(2026-09-11 02:00 UTC);
        demo::seed(store, now).await.unwrap();
        let cal = Calendar::embedded();
        let rules = LeadRules::default();
        operator(
            store,
            "ZT0000000000000001",
            "枣庄市市中区丽人美容有限公司",
            "山东省枣庄市市中区光明路18号",
        )
        .await;
        let officer = scope(
            store,
            Role::Officer,
            DepartmentKind::HealthSupervision,
            "370402",
        )
        .await;
        let leader = scope(store, Role::Leader, DepartmentKind::Health, "370400").await;
        let report = |subject: &str| NewComplaint {
            happened_on: Some("2026-09-10".into()),
            ..complaint(
                LeadKind::Report,
                Category::UnlicensedPractice,
                "370402",
                subject,
            )
        };
        let a = submit(store, report("丽人美容"), now).await.unwrap();
        // A second report about the same operator, on Monday the 14th.
        let monday = datetime!(2026-09-14 02:00 UTC);
        let b = submit(store, report("丽人美容院（光明路店）"), monday)
            .await
            .unwrap();
        for id in [&a.lead_id, &b.lead_id] {
            workflow::accept(store, &officer, cal, &rules, monday, id)
                .await
                .unwrap();
            suggest::link_operator(store, &officer, monday, id, "ZT0000000000000001")
                .await
                .unwrap();
        }
        let lead = |id: String| {
            let officer = officer.clone();
            async move { leads::get(store, &officer, &id).await.unwrap() }
        };
        let first = lead(a.lead_id.clone()).await;
        // 15 working days from Friday 11 September: 20 September (Sunday) is worked, 25
        // September and 1–7 October are holidays.
        assert_eq!(first.next_step, Some(NextStep::Verify));
        assert_eq!(
            first.next_due.map(stored).as_deref(),
            Some("2026-10-09T15:59:59Z")
        );
        assert_eq!(
            lead(b.lead_id.clone())
                .await
                .next_due
                .map(stored)
                .as_deref(),
            Some("2026-10-10T15:59:59Z"),
            "Saturday 10 October is worked"
        );

        // Nothing to decide yet; a reason is needed; a grouped lead asks through the first.
        assert!(matches!(
            extension::decide(store, &leader, cal, &rules, monday, &a.lead_id, true, "").await,
            Err(StoreError::Invalid { .. })
        ));
        assert!(matches!(
            extension::request(store, &officer, cal, &rules, monday, &a.lead_id, "忙").await,
            Err(StoreError::Invalid {
                field: "延期理由",
                ..
            })
        ));
        assert!(matches!(
            extension::request(store, &officer, cal, &rules, monday, &b.lead_id, "需要鉴定").await,
            Err(StoreError::Invalid {
                field: "延期", ..
            })
        ));
        let reason = "需委托鉴定机构对产品进行检验";
        extension::request(store, &officer, cal, &rules, monday, &a.lead_id, reason)
            .await
            .unwrap();
        assert!(matches!(
            extension::request(store, &officer, cal, &rules, monday, &a.lead_id, reason).await,
            Err(StoreError::Conflict { .. })
        ));
        let waiting = extension::pending(store, &leader).await.unwrap();
        assert_eq!(waiting.len(), 1);
        assert_eq!(waiting[0].new_due, datetime!(2026-10-29 15:59:59 UTC));
        assert!(matches!(
            extension::pending(store, &officer).await,
            Err(StoreError::Forbidden)
        ));
        assert!(matches!(
            extension::decide(store, &officer, cal, &rules, monday, &a.lead_id, true, "").await,
            Err(StoreError::Forbidden)
        ));

        // A refusal keeps the deadline and lets the officer ask again.
        assert!(matches!(
            extension::decide(store, &leader, cal, &rules, monday, &a.lead_id, false, "").await,
            Err(StoreError::Invalid {
                field: "审批意见",
                ..
            })
        ));
        extension::decide(
            store,
            &leader,
            cal,
            &rules,
            monday,
            &a.lead_id,
            false,
            "理由不足",
        )
        .await
        .unwrap();
        assert_eq!(
            lead(a.lead_id.clone())
                .await
                .next_due
                .map(stored)
                .as_deref(),
            Some("2026-10-09T15:59:59Z")
        );
        assert!(extension::may_request(
            &first,
            &extension::extensions(store, &first).await.unwrap(),
            datetime!(2026-09-14 02:00 UTC)
        ));
        extension::request(store, &officer, cal, &rules, monday, &a.lead_id, reason)
            .await
            .unwrap();
        extension::decide(store, &leader, cal, &rules, monday, &a.lead_id, true, "")
            .await
            .unwrap();

        // Granted: both leads of the group move, each by 15 working days from its own deadline.
        let first = lead(a.lead_id.clone()).await;
        assert_eq!(
            first.verify_due.map(stored).as_deref(),
            Some("2026-10-29T15:59:59Z")
        );
        assert_eq!(
            first.next_due.map(stored).as_deref(),
            Some("2026-10-29T15:59:59Z")
        );
        assert_eq!(
            lead(b.lead_id.clone())
                .await
                .next_due
                .map(stored)
                .as_deref(),
            Some("2026-10-30T15:59:59Z")
        );
        assert!(!extension::may_request(
            &first,
            &extension::extensions(store, &first).await.unwrap(),
            datetime!(2026-09-14 02:00 UTC)
        ));
        assert!(matches!(
            extension::request(store, &officer, cal, &rules, monday, &a.lead_id, reason).await,
            Err(StoreError::Conflict { .. })
        ));
        let history = extension::extensions(store, &first).await.unwrap();
        let states: Vec<&str> = history.iter().map(|x| x.state.as_str()).collect();
        assert_eq!(states, ["refused", "granted"]);
        let events = workflow::events(store, &first).await.unwrap();
        let granted = events
            .iter()
            .find(|e| e.action == meijian_domain::lead::codes::LeadAction::ExtensionGranted)
            .unwrap();
        assert!(granted.public, "the reporter sees the new deadline");
        let audited: i64 = sqlx::query_scalar(
            "select count(*) from audit_entry where action like 'lead.extension%' and entity_id = $1",
        )
        .bind(&a.lead_id)
        .fetch_one(store.pool())
        .await
        .unwrap();
        assert_eq!(audited, 4, "two requests, a refusal and a grant");

        // Once verified, the conclusion may be extended too, but not after its limit.
        workflow::verify(
            store,
            &officer,
            monday,
            &a.lead_id,
            Finding::Substantiated,
            "现场检查属实",
        )
        .await
        .unwrap();
        let concluding = lead(a.lead_id.clone()).await;
        assert_eq!(concluding.next_step, Some(NextStep::Conclude));
        let past =
            meijian_store::timefmt::from_db(concluding.next_due.map(stored).as_deref().unwrap())
                .unwrap()
                + Duration::minutes(1);
        assert!(matches!(
            extension::request(store, &officer, cal, &rules, past, &a.lead_id, reason).await,
            Err(StoreError::Invalid {
                field: "延期", ..
            })
        ));
        extension::request(store, &officer, cal, &rules, monday, &a.lead_id, reason)
            .await
            .unwrap();
    }
);

both_backends!(
    the_workflow_table_refuses_steps_not_in_it,
    |db: TestDb| async move {
        use meijian_store::leads::workflow::{available, LeadCommand, LeadStep};
        let store = &db.store;
        demo::seed(store, NOW).await.unwrap();
        let cal = Calendar::embedded();
        let rules = &LeadRules::default();
        let t = submit(
            store,
            complaint(
                LeadKind::Report,
                Category::UnlicensedPractice,
                "370402",
                "表格美容院",
            ),
            NOW,
        )
        .await
        .unwrap();
        let officer = scope(
            store,
            Role::Officer,
            DepartmentKind::HealthSupervision,
            "370402",
        )
        .await;
        let leader = scope(
            store,
            Role::Leader,
            DepartmentKind::HealthSupervision,
            "370402",
        )
        .await;
        let id = &t.lead_id;
        let act = |scope: &Scope, command: LeadCommand| {
            let scope = scope.clone();
            async move { workflow::act(store, &scope, cal, rules, NOW, id, command).await }
        };
        let steps = |scope: &Scope| {
            let scope = scope.clone();
            async move {
                let lead = leads::get(store, &scope, id).await.unwrap();
                let f = workflow::facts(store, &lead, NOW, Some(&rules.rewards))
                    .await
                    .unwrap();
                available(&f, &workflow::taker(&scope, &lead))
            }
        };
        assert_eq!(
            steps(&officer).await,
            [
                LeadStep::Accept,
                LeadStep::Decline,
                LeadStep::Link,
                LeadStep::Refer
            ]
        );
        // A leader of the handling department handles it too; nothing is overdue, nothing asked.
        assert_eq!(steps(&leader).await, steps(&officer).await);

        // Verifying a lead not yet accepted: the table refuses, naming the state.
        let verify = || LeadCommand::Verify {
            finding: Finding::Substantiated,
            note: "现场检查属实".into(),
        };
        match act(&officer, verify()).await {
            Err(StoreError::Invalid { field, message }) => {
                assert_eq!(field, "办理状态");
                assert_eq!(message, "线索当前为“待受理”，不能核查");
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
        match act(
            &officer,
            LeadCommand::Conclude(conclusion(Outcome::Penalty)),
        )
        .await
        {
            Err(StoreError::Invalid { message, .. }) => {
                assert_eq!(message, "线索当前为“待受理”，不能办结");
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
        match act(
            &officer,
            LeadCommand::Reply {
                text: "已处理完毕".into(),
            },
        )
        .await
        {
            Err(StoreError::Invalid { field, message }) => {
                assert_eq!(field, "答复");
                assert_eq!(message, "只能答复已办结且尚未答复的线索");
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
        // Another department may not accept; supervising a lead on time is refused with the
        // reason.
        let other = scope(
            store,
            Role::Officer,
            DepartmentKind::MarketRegulation,
            "370402",
        )
        .await;
        assert!(matches!(
            act(&other, LeadCommand::Accept).await,
            Err(StoreError::Forbidden | StoreError::NotFound)
        ));
        match act(
            &leader,
            LeadCommand::Supervise {
                note: "请加快".into(),
            },
        )
        .await
        {
            Err(StoreError::Invalid { field, message }) => {
                assert_eq!(field, "督办");
                assert_eq!(message, "只有逾期的线索需要督办");
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
        match act(
            &leader,
            LeadCommand::Extension {
                grant: true,
                note: String::new(),
            },
        )
        .await
        {
            Err(StoreError::Invalid { message, .. }) => {
                assert_eq!(message, "没有待审批的延期申请");
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
        // Nothing of the refused steps was written.
        let lead = leads::get(store, &officer, id).await.unwrap();
        assert_eq!(lead.state, LeadState::Received);

        // The legal sequence goes through the one entry point.
        let done = act(&officer, LeadCommand::Accept).await.unwrap();
        assert_eq!(done.step, LeadStep::Accept);
        assert!(matches!(
            act(&officer, LeadCommand::Accept).await,
            Err(StoreError::Invalid {
                field: "办理状态",
                ..
            })
        ));
        act(&officer, verify()).await.unwrap();
        fined(store, &officer, NOW, id, 1000).await;
        act(
            &officer,
            LeadCommand::Conclude(conclusion(Outcome::Penalty)),
        )
        .await
        .unwrap();
        // Concluded: closed, nothing moves it again, and it cannot be referred.
        let left = steps(&officer).await;
        assert!(left.contains(&LeadStep::Reply));
        assert!(!left.contains(&LeadStep::Refer));
        match act(
            &officer,
            LeadCommand::Refer {
                to_department_id: department(store, DepartmentKind::MarketRegulation, "370402")
                    .await,
                reason: "属于市场监管职责".into(),
            },
        )
        .await
        {
            Err(StoreError::Invalid { field, message }) => {
                assert_eq!(field, "移送");
                assert_eq!(message, "已办结或不予受理的线索不能移送");
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
        act(
            &officer,
            LeadCommand::Reply {
                text: "已依法处罚".into(),
            },
        )
        .await
        .unwrap();
        match act(
            &officer,
            LeadCommand::Reply {
                text: "再答复一次".into(),
            },
        )
        .await
        {
            Err(StoreError::Invalid { message, .. }) => {
                assert_eq!(message, "只能答复已办结且尚未答复的线索");
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
        act(&officer, LeadCommand::Satisfaction(Satisfaction::Satisfied))
            .await
            .unwrap();
        let lead = leads::get(store, &officer, id).await.unwrap();
        assert_eq!(lead.state, LeadState::Concluded);
        assert!(lead.replied_at.is_some());
    }
);
