//! Leads across districts, on SQLite and PostgreSQL: intake says where a lead went (a clue of
//! another department's duty is referred there), a referral's destinations reach the whole city, the dashboard counts a lead for the
//! department handling it (not the one that sent it away), and the handler of a referred lead
//! in another district records its reward's payment.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use meijian_domain::lead::{
    Category, Channel, Fen, Finding, LeadKind, LeadRules, Outcome, RewardState, Source,
};
use meijian_domain::region::RegionCode;
use meijian_domain::role::Role;
use meijian_domain::workdays::Calendar;
use meijian_store::leads::intake::{self, AttachmentLimits, NewClue, NewComplaint, ReporterIn};
use meijian_store::leads::referral::{self, Response};
use meijian_store::leads::workflow::{self, Conclusion};
use meijian_store::leads::{self, reward, stats};
use meijian_store::testing::TestDb;
use meijian_store::{both_backends, demo, Actor, Scope, Store};
use time::macros::datetime;
use time::OffsetDateTime;

const NOW: OffsetDateTime = datetime!(2026-11-20 02:00 UTC);

async fn department(store: &Store, kind: &str, region: &str) -> (String, String) {
    sqlx::query_as("select id, name from department where kind = $1 and region_code = $2")
        .bind(kind)
        .bind(region)
        .fetch_one(store.pool())
        .await
        .unwrap()
}

fn scope(role: Role, department: &str, region: &str) -> Scope {
    Scope::for_user(
        Actor::system(role.code()),
        role,
        department.to_string(),
        RegionCode::parse(region).unwrap(),
    )
}

fn report() -> NewComplaint {
    NewComplaint {
        kind: LeadKind::Report,
        category: Category::UnlicensedPractice,
        channel: Channel::Phone,
        channel_ref: None,
        region_code: "370402".into(),
        subject_name: "悦颜美容工作室".into(),
        subject_address: "市中区光明路18号".into(),
        happened_on: None,
        description: "在居民楼内给顾客注射玻尿酸，没有执业许可证。".into(),
        reporter: Some(ReporterIn {
            name: "张三丰".into(),
            phone: "13812345678".into(),
            ..ReporterIn::default()
        }),
        attachments: Vec::new(),
        received_at: None,
    }
}

both_backends!(
    a_referred_lead_is_its_new_handlers_work_to_the_reward,
    |db: TestDb| async move {
        let store = &db.store;
        demo::seed(store, NOW).await.unwrap();
        let (cal, rules) = (Calendar::embedded(), LeadRules::default());
        let (hs, hs_name) = department(store, "health_supervision", "370402").await;
        let (mr, _) = department(store, "market_regulation", "370403").await;
        let (city, _) = department(store, "health", "370400").await;
        let shizhong = scope(Role::Officer, &hs, "370402");
        let xuecheng = scope(Role::Officer, &mr, "370403");
        let leader = scope(Role::Leader, &city, "370400");

        let ticket = intake::take_complaint(
            store,
            &shizhong,
            cal,
            &rules,
            AttachmentLimits::default(),
            NOW,
            report(),
        )
        .await
        .unwrap();
        assert_eq!(
            (
                ticket.department_id.as_str(),
                ticket.department_name.as_str()
            ),
            (hs.as_str(), hs_name.as_str())
        );
        let clue = NewClue {
            source: Source::Monitoring,
            category: Category::Advertising,
            region_code: "370402".into(),
            subject_name: "丽人医美".into(),
            subject_address: String::new(),
            summary: "朋友圈发布医美广告".into(),
        };
        let recorded = intake::record_clue(store, &shizhong, cal, &rules, NOW, clue)
            .await
            .unwrap();
        let (_, market_name) = department(store, "market_regulation", "370402").await;
        assert_eq!(
            recorded.department_id, hs,
            "the finder holds it until accepted"
        );
        assert_eq!(
            recorded.referred_to.as_deref(),
            Some(market_name.as_str()),
            "advertising is market regulation's"
        );

        let lead = ticket.lead_id.as_str();
        let to = referral::destinations(store, &shizhong, lead)
            .await
            .unwrap();
        assert!(
            to.iter().any(|d| d.id == mr),
            "another district of the city"
        );
        assert!(to.iter().any(|d| d.id == city), "the city itself");
        assert!(!to.iter().any(|d| d.id == hs), "not the handler itself");
        assert!(to
            .iter()
            .all(|d| d.region_code.starts_with("3704") || d.region_code == "370000"));

        let id = referral::refer(
            store,
            &shizhong,
            cal,
            &rules,
            NOW,
            lead,
            &mr,
            "属市场监管职责",
        )
        .await
        .unwrap();
        referral::respond(store, &xuecheng, NOW, &id, Response::Accept, "同意接收")
            .await
            .unwrap();
        let counts = stats::due_counts(store, &shizhong, NOW, NOW).await.unwrap();
        assert_eq!(
            counts.open, 1,
            "the complaint sent away is no longer ours; the clue waits for 市场监管 to accept"
        );
        let counts = stats::due_counts(store, &xuecheng, NOW, NOW).await.unwrap();
        assert_eq!((counts.open, counts.referrals_waiting), (1, 0));
        let counts = stats::due_counts(store, &leader, NOW, NOW).await.unwrap();
        assert_eq!(counts.open, 2, "a leader counts the jurisdiction");

        // 薛城区 links the 市中区 lead to its 市中区 operator, though 市中区 is outside its
        // jurisdiction: the lead keeps its place.
        sqlx::query(
            "insert into reconcile_run (id, region_code, region_lo, region_hi, as_of, records, \
             operators, links, candidates, changed, actor_name, started_at, finished_at) \
             values ('r1', '370400', '370400', '370499', '2026-11-20', 1, 1, 0, 0, 0, 't', \
             '2026-11-20T01:00:00Z', '2026-11-20T01:00:00Z')",
        )
        .execute(store.pool())
        .await
        .unwrap();
        sqlx::query(
            "insert into reconcile_operator (run_id, operator_id, region_code, name, class, \
             unusable, members) values ('r1', 'ZT00000000000000AA', '370402', '悦颜美容工作室', \
             'neither', 0, 1)",
        )
        .execute(store.pool())
        .await
        .unwrap();
        sqlx::query(
            "insert into operator (id, origin, status, region_code, name, names, persons, \
             addresses, class, members, class_run_id, first_run_id, fingerprint, created_at, \
             updated_at) values ('ZT00000000000000AA', 'registry', 'active', '370402', \
             '悦颜美容工作室', '悦颜美容工作室', '', '', 'neither', 1, 'r1', 'r1', '', \
             '2026-11-20T01:00:00Z', '2026-11-20T01:00:00Z')",
        )
        .execute(store.pool())
        .await
        .unwrap();
        meijian_store::leads::suggest::link_operator(
            store,
            &xuecheng,
            NOW,
            lead,
            "ZT00000000000000AA",
        )
        .await
        .unwrap();

        // 薛城区 handles the 市中区 lead to its end, reward included.
        workflow::accept(store, &xuecheng, cal, &rules, NOW, lead)
            .await
            .unwrap();
        workflow::verify(
            store,
            &xuecheng,
            NOW,
            lead,
            Finding::Substantiated,
            "现场查实",
        )
        .await
        .unwrap();
        meijian_store::testing::decided_case(
            store,
            &xuecheng,
            NOW,
            lead,
            meijian_domain::case::PartyKind::Person,
            &[(
                meijian_domain::case::PenaltyKind::Fine,
                Some(Fen::from_yuan(200_000)),
            )],
        )
        .await
        .unwrap();
        let c = Conclusion {
            outcome: Outcome::Penalty,
            note: "罚款二十万元".into(),
        };
        workflow::conclude(store, &xuecheng, cal, &rules, NOW, lead, &c)
            .await
            .unwrap();
        let w = reward::propose(store, &xuecheng, &rules, NOW, lead, 0)
            .await
            .unwrap();
        reward::decide(store, &leader, NOW, &w, true, "同意")
            .await
            .unwrap();
        reward::mark_paid(store, &xuecheng, NOW, &w, "ZF2026-118")
            .await
            .unwrap();
        let paid = reward::for_lead(store, &leads::get(store, &xuecheng, lead).await.unwrap())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (paid.state, paid.amount_fen),
            (RewardState::Paid, Fen::from_yuan(10_000))
        );
        // The sender may not record the payment.
        assert!(reward::mark_paid(store, &shizhong, NOW, &w, "x")
            .await
            .is_err());
    }
);
