//! Demo leads for `meijian demo`: complaints in every district and state, some overdue, a
//! referral, a transfer to the police and an extension awaiting approval, so that every lead page has
//! something to show. Written through the same functions as real work, so the audit log and
//! the clocks are real too.

use crate::cases::{
    self,
    open::{NewCase, NewParty},
    workflow::CaseCommand,
};
use meijian_domain::case::{ActionInput, CaseOrigin, CaseRules, PartyKind, PenaltyKind};
use meijian_domain::department::DepartmentKind;
use meijian_domain::lead::rules::LeadRules;
use meijian_domain::lead::{Category, Channel, Fen, Finding, LeadKind, Outcome};
use meijian_domain::region::RegionCode;
use meijian_domain::role::Role;
use meijian_domain::workdays::Calendar;
use time::{Duration, OffsetDateTime};

use super::intake::{self, AttachmentLimits, NewComplaint, ReporterIn};
use super::suggest;
use super::workflow::{self, extension, Conclusion};
use crate::{Actor, Scope, Store, StoreError};

async fn officer(store: &Store, kind: DepartmentKind, region: &str) -> Result<Scope, StoreError> {
    let id: String =
        sqlx::query_scalar("select id from department where kind = $1 and region_code = $2")
            .bind(kind.code())
            .bind(region)
            .fetch_one(store.pool())
            .await?;
    let region = RegionCode::parse(region).map_err(|e| StoreError::Other(e.to_string()))?;
    Ok(Scope::for_user(
        Actor::system("demo"),
        Role::Officer,
        id,
        region,
    ))
}

/// kind, category, region, subject, address, days ago, description, named.
type DemoComplaint = (
    LeadKind,
    Category,
    &'static str,
    &'static str,
    &'static str,
    i64,
    &'static str,
    bool,
);

const COMPLAINTS: [DemoComplaint; 8] = [
    (
        LeadKind::Report,
        Category::UnlicensedPractice,
        "370402",
        "丽人美容会所",
        "市中区光明路18号",
        12,
        "该会所在二楼包间给顾客注射玻尿酸和肉毒素，操作人员没有医师资格。",
        true,
    ),
    (
        LeadKind::Complaint,
        Category::MedicalInstitution,
        "370402",
        "悦颜医疗美容门诊部",
        "市中区建设路66号",
        2,
        "做双眼皮手术后一直红肿，门诊部拒绝出示主诊医师资质，也不给病历。",
        true,
    ),
    (
        LeadKind::Report,
        Category::Advertising,
        "370403",
        "美莱医美",
        "薛城区泰山南路123号",
        5,
        "朋友圈和短视频平台发布“零风险、七天变美”的广告，还用患者术前术后对比照。",
        false,
    ),
    (
        LeadKind::Report,
        Category::Drug,
        "370403",
        "某微信卖家",
        "",
        9,
        "微信上有人出售没有中文标签的“瘦脸针”，说是韩国进口，价格很低。",
        true,
    ),
    (
        LeadKind::Complaint,
        Category::Price,
        "370404",
        "峄城区婕斯美容院",
        "峄城区坛山路9号",
        1,
        "宣传“原价9800现价980”，做完后又收麻醉费和材料费三千多元。",
        true,
    ),
    (
        LeadKind::Report,
        Category::Training,
        "370402",
        "速成微整形培训班",
        "市中区青檀路100号",
        3,
        "开办“三天学会注射”的微整形培训班，学员没有任何医学背景。",
        false,
    ),
    (
        LeadKind::Report,
        Category::UnlicensedPractice,
        "370402",
        "丽人美容会所（光明路店）",
        "市中区光明路18号",
        11,
        "上次举报的那家会所还在给人打针，前天我朋友打完脸肿了。",
        true,
    ),
    (
        LeadKind::Report,
        Category::Tax,
        "370403",
        "美莱医美",
        "薛城区泰山南路123号",
        4,
        "做项目一律不开发票，只收微信转账。",
        true,
    ),
];

/// Adds the demo leads. `now` is the demo's start.
#[tracing::instrument(skip_all)]
pub async fn seed(store: &Store, now: OffsetDateTime) -> Result<usize, StoreError> {
    let cal = Calendar::embedded();
    let rules = LeadRules::default();
    // The two reports about one place name a real 有照无证 operator of the cross-check, so the
    // suggestions find it and the two are grouped.
    let suspect: Option<(String, String, Option<String>)> = sqlx::query_as(
        "select operator_id, name, address from reconcile_operator \
         where region_code = '370402' and class = 'registered_only' order by operator_id limit 1",
    )
    .fetch_optional(store.pool())
    .await?;
    let mut ids = Vec::new();
    for (i, (kind, category, region, subject, address, days, text, named)) in
        COMPLAINTS.into_iter().enumerate()
    {
        let (subject, address) = match (&suspect, i) {
            (Some((_, name, addr)), 0 | 6) => (name.clone(), addr.clone().unwrap_or_default()),
            _ => (subject.to_string(), address.to_string()),
        };
        let received = now - Duration::days(days);
        let c = NewComplaint {
            kind,
            category,
            channel: [Channel::Online, Channel::Hotline12345, Channel::Phone][i % 3],
            channel_ref: (i % 3 == 1).then(|| format!("12345-2026-{:05}", 1200 + i)),
            region_code: region.into(),
            subject_name: subject,
            subject_address: address,
            happened_on: None,
            description: text.into(),
            reporter: named.then(|| ReporterIn {
                name: ["王小花", "李明", "赵静", "孙立", "周婷", "吴强"][i % 6].into(),
                phone: format!("1381234{:04}", 5670 + i),
                address: String::new(),
                email: String::new(),
            }),
            attachments: Vec::new(),
            received_at: Some(received),
        };
        let p = intake::prepare_complaint(
            store,
            cal,
            &rules,
            AttachmentLimits::default(),
            received,
            Actor::system("demo"),
            None,
            c,
        )
        .await?;
        let mut tx = store.begin().await?;
        intake::write_complaint(&mut tx, &p, received).await?;
        tx.commit().await?;
        ids.push(p.ticket().lead_id);
    }
    // The first report about 丽人 is accepted and grouped with the second, and its officer asks
    // for more time; the ad report is concluded with a penalty and replied to; the drug report goes to the police for approval.
    let health = officer(store, DepartmentKind::HealthSupervision, "370402").await?;
    let market = officer(store, DepartmentKind::MarketRegulation, "370403").await?;
    let day = |d: i64| now - Duration::days(d);
    workflow::accept(store, &health, cal, &rules, day(10), &ids[0]).await?;
    if let Some((op, _, _)) = &suspect {
        suggest::link_operator(store, &health, day(10), &ids[0], op).await?;
        suggest::link_operator(store, &health, day(9), &ids[6], op).await?;
    }
    // Its products must go to a laboratory: the officer asks the leader for more time.
    let first = super::get(store, &health, &ids[0]).await?;
    let requests = extension::extensions(store, &first).await?;
    if extension::may_request(&first, &requests, day(1)) {
        extension::request(
            store,
            &health,
            cal,
            &rules,
            day(1),
            &ids[0],
            "涉案注射产品须送检验机构检验，需延长核查期限。",
        )
        .await?;
    }
    workflow::accept(store, &market, cal, &rules, day(4), &ids[2]).await?;
    workflow::verify(
        store,
        &market,
        day(3),
        &ids[2],
        Finding::Substantiated,
        "平台截图与现场宣传材料一致，广告未经审查。",
    )
    .await?;
    // The ad report becomes a case (立案) against the advertiser, decided with a fine; the lead
    // is concluded with the case's penalty.
    let advertiser =
        crate::operators::actions::register_provisional(store, &market, &ids[2], day(3)).await?;
    let case_rules = CaseRules::default();
    let filed = crate::leads::deadlines::china_date(day(3));
    let case_id = cases::open::open(
        store,
        &market,
        cal,
        &case_rules,
        day(3),
        &NewCase {
            case_no: String::new(),
            title: format!("{}发布未经审查医疗美容广告案", advertiser.name),
            category: Category::Advertising,
            origin: CaseOrigin::Complaint,
            region_code: "370403".into(),
            violation: "在网络平台发布未经审查的医疗美容广告，宣传“零风险、永久有效”。".into(),
            filed_on: filed,
            parties: vec![NewParty {
                kind: PartyKind::Organisation,
                name: String::new(),
                id_number: None,
                operator_id: Some(advertiser.id.clone()),
            }],
            basis: Vec::new(),
            lead_id: Some(ids[2].clone()),
        },
    )
    .await?;
    let step = |version: i64, command: CaseCommand| {
        let (market, case_id, case_rules) = (&market, &case_id, &case_rules);
        async move {
            cases::workflow::act(
                store,
                market,
                cal,
                case_rules,
                day(2),
                case_id,
                version,
                &command,
            )
            .await
        }
    };
    step(1, CaseCommand::Investigate).await?;
    let party = cases::parties(store, &case_id).await?.remove(0);
    for (version, kind, amount) in [
        (2, PenaltyKind::Correct, None),
        (3, PenaltyKind::Fine, Some(Fen::from_yuan(80_000))),
    ] {
        cases::parties::add_action(
            store,
            &market,
            day(1),
            &case_id,
            version,
            &party.id,
            &ActionInput {
                kind,
                amount,
                ban_years: None,
                decided_on: crate::leads::deadlines::china_date(day(1)),
                decision_no: "薛市监罚〔2026〕18号".into(),
            },
        )
        .await?;
    }
    let decide = |version: i64, command: CaseCommand| {
        let (market, case_id, case_rules) = (&market, &case_id, &case_rules);
        async move {
            cases::workflow::act(
                store,
                market,
                cal,
                case_rules,
                day(1),
                case_id,
                version,
                &command,
            )
            .await
        }
    };
    decide(
        4,
        CaseCommand::Notify {
            on: crate::leads::deadlines::china_date(day(1)),
            hearing: false,
            note: "当事人未提出陈述申辩。".into(),
        },
    )
    .await?;
    decide(
        5,
        CaseCommand::Decide {
            on: crate::leads::deadlines::china_date(day(1)),
        },
    )
    .await?;
    workflow::conclude(
        store,
        &market,
        cal,
        &rules,
        day(1),
        &ids[2],
        &Conclusion {
            outcome: Outcome::Penalty,
            note: "责令停止发布，罚款人民币八万元。".into(),
        },
    )
    .await?;
    workflow::reply(
        store,
        &market,
        day(1),
        &ids[2],
        "您举报的违法广告经查属实，已责令停止发布并罚款八万元。感谢您的监督。",
    )
    .await?;
    workflow::accept(store, &market, cal, &rules, day(8), &ids[3]).await?;
    // The drug report becomes a case, and the case is proposed for transfer to the police,
    // waiting for the leader's approval.
    let drug_case = cases::open::open(
        store,
        &market,
        cal,
        &case_rules,
        day(3),
        &NewCase {
            case_no: String::new(),
            title: "微信销售假冒“瘦脸针”案".into(),
            category: Category::Drug,
            origin: CaseOrigin::Complaint,
            region_code: "370403".into(),
            violation: "微信用户销售无中文标签、未经注册的A型肉毒毒素制剂，货值较大。".into(),
            filed_on: crate::leads::deadlines::china_date(day(3)),
            parties: vec![NewParty {
                kind: PartyKind::Person,
                name: "张某（微信昵称“韩国小美”）".into(),
                id_number: None,
                operator_id: None,
            }],
            basis: Vec::new(),
            lead_id: Some(ids[3].clone()),
        },
    )
    .await?;
    cases::transfer::propose(
        store,
        &market,
        cal,
        &rules.limits,
        day(2),
        &drug_case,
        1,
        true,
        "涉嫌销售假药，货值较大，建议公安机关立案侦查。",
    )
    .await?;
    // An unlicensed clinic's case, opened by 市中区's health inspectors a hundred days ago and
    // still being investigated: past its decision limit, on the dashboard and the leaders' list.
    if let Some((op, _, _)) = &suspect {
        let opened = day(100);
        let late = cases::open::open(
            store,
            &health,
            cal,
            &case_rules,
            opened,
            &NewCase {
                case_no: "市中卫医罚立〔2026〕31号".into(),
                title: "无证开展注射类医疗美容案".into(),
                category: Category::UnlicensedPractice,
                origin: CaseOrigin::Inspection,
                region_code: "370402".into(),
                violation: "未取得《医疗机构执业许可证》，在美容会所内为顾客注射透明质酸钠。"
                    .into(),
                filed_on: crate::leads::deadlines::china_date(opened),
                parties: vec![NewParty {
                    kind: PartyKind::Organisation,
                    name: String::new(),
                    id_number: None,
                    operator_id: Some(op.clone()),
                }],
                basis: vec!["LB01".into(), "LB06".into()],
                lead_id: None,
            },
        )
        .await?;
        cases::workflow::act(
            store,
            &health,
            cal,
            &case_rules,
            day(98),
            &late,
            1,
            &CaseCommand::Investigate,
        )
        .await?;
    }
    Ok(ids.len())
}
