//! 典型案例 through the pages, on SQLite and PostgreSQL: a decided case links to it, the form
//! shows the count “共 N 字，限 1200 字” and the text after 技术处理 with its list of replacements,
//! a text over 1,200 characters is sent back with its count, the handling officer saves and a
//! leader publishes the anonymised text (no party or authority name left), the Word download is
//! the anonymised text, another district gets 404, and a case not yet decided has none.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::{Cursor, Read};

use common::TestApp;
use meijian_domain::case::typical::{anonymise_organisation, length, TypicalCase};
use meijian_domain::case::{CaseOrigin, CaseRules, PartyKind, PenaltyKind};
use meijian_domain::lead::{Category, Fen};
use meijian_domain::region::RegionCode;
use meijian_domain::role::Role;
use meijian_domain::workdays::Calendar;
use meijian_store::cases::open::{NewCase, NewParty};
use meijian_store::testing::{self, TestDb};
use meijian_store::{both_backends, Actor, Scope};

const SUBJECT: &str = "丽人美容医疗美容诊所";

/// The demo officer of 市中区 as the store sees them.
async fn officer_scope(app: &TestApp) -> Scope {
    Scope::for_user(
        Actor {
            account_id: Some(app.accounts["officer"].id.clone()),
            name: "officer".into(),
            ..Actor::default()
        },
        Role::Officer,
        app.department_id("health_supervision", "370402").await,
        RegionCode::parse("370402").unwrap(),
    )
}

/// A clue about [`SUBJECT`] recorded by the officer through the page; its lead id.
async fn clue(app: &TestApp, officer: &reqwest::Client, csrf: &str) -> String {
    let r = officer
        .post(app.url("/leads/clue"))
        .form(&[
            ("_csrf", csrf),
            ("source", "officer"),
            ("category", "unlicensed_practice"),
            ("region_code", "370402"),
            ("subject_name", SUBJECT),
            ("subject_address", "市中区光明路20号"),
            ("summary", "诊所超范围开展注射类医疗美容项目。"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    sqlx::query_scalar("select id from lead where subject_name = $1")
        .bind(SUBJECT)
        .fetch_one(app.db.store.pool())
        .await
        .unwrap()
}

async fn authority(app: &TestApp, case_id: &str) -> String {
    sqlx::query_scalar("select authority from enforcement_case where id = $1")
        .bind(case_id)
        .fetch_one(app.db.store.pool())
        .await
        .unwrap()
}

async fn post(
    app: &TestApp,
    c: &reqwest::Client,
    path: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    c.post(app.url(path)).form(form).send().await.unwrap()
}

fn document_xml(bytes: &[u8]) -> String {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("a zip");
    let mut out = String::new();
    zip.by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    out
}

both_backends!(
    an_officer_writes_and_a_leader_publishes_the_anonymised_case,
    |db: TestDb| async move {
        let app = TestApp::spawn(db).await;
        let officer = app.login("officer").await;
        let csrf = app.csrf(&officer).await;
        let lead = clue(&app, &officer, &csrf).await;
        let scope = officer_scope(&app).await;
        let now = meijian_web::Clock::now(app.clock.as_ref());
        let id = testing::decided_case(
            &app.db.store,
            &scope,
            now,
            &lead,
            PartyKind::Organisation,
            &[(PenaltyKind::Fine, Some(Fen::from_yuan(30_000)))],
        )
        .await
        .unwrap();
        let authority = authority(&app, &id).await;
        let page = format!("/cases/{id}/typical");

        // The decided case links to its typical case.
        let (status, html) = app.get_text(&officer, &format!("/cases/{id}")).await;
        assert_eq!(status, 200);
        assert!(
            html.contains(&format!("href=\"{page}\">典型案例</a>")),
            "{html}"
        );

        // The form: drafted from the record, counted, and anonymised for review.
        let (status, html) = app.get_text(&officer, &page).await;
        assert_eq!(status, 200, "{html}");
        assert!(html.contains("字，限 1200 字"), "{html}");
        assert!(html.contains("name=\"intro\""));
        assert!(html.contains("【案情介绍】"));
        assert!(html.contains(SUBJECT) && html.contains(&authority));
        assert!(
            html.contains("<th>原文</th><th>替换为</th><th>类别</th>"),
            "{html}"
        );
        assert!(html.contains("当事人姓名或名称") && html.contains("执法机关名称"));
        let hidden = anonymise_organisation(SUBJECT);
        assert!(
            html.contains(&format!("<td>{SUBJECT}</td><td>{hidden}</td>")),
            "{html}"
        );

        // Over 1,200 characters: sent back with the count, nothing saved.
        let long = "评".repeat(1_300);
        let title = format!("{SUBJECT}超范围执业案");
        let intro = format!(
            "{authority}根据线索对{SUBJECT}立案调查，依法作出罚款人民币30000元的行政处罚决定。"
        );
        let mut text = TypicalCase {
            title: title.clone(),
            intro: intro.clone(),
            analysis: long.clone(),
            suggestions: "建议加强日常监管。".into(),
        };
        let count = length(&text);
        let form = |t: &TypicalCase| {
            vec![
                ("_csrf".to_string(), csrf.clone()),
                ("title".to_string(), t.title.clone()),
                ("intro".to_string(), t.intro.clone()),
                ("analysis".to_string(), t.analysis.clone()),
                ("suggestions".to_string(), t.suggestions.clone()),
                // Nothing saved yet: the page names version 0.
                ("version".to_string(), "0".to_string()),
            ]
        };
        let r = officer
            .post(app.url(&page))
            .form(&form(&text))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(html.contains(&format!("案例共 {count} 字")), "{html}");
        assert!(html.contains(&format!(
            "共 {count} 字，限 1200 字，超出 {} 字",
            count - 1200
        )));
        assert!(html.contains(&long), "the edits come back");
        let saved: i64 = sqlx::query_scalar("select count(*) from typical_case")
            .fetch_one(app.db.store.pool())
            .await
            .unwrap();
        assert_eq!(saved, 0);

        text.analysis = format!("{SUBJECT}超出登记范围开展诊疗活动，{authority}依法查处。");
        let r = officer
            .post(app.url(&page))
            .form(&form(&text))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
        assert_eq!(r.headers()["location"], format!("{page}?notice=saved"));
        let (_, html) = app
            .get_text(&officer, &format!("{page}?notice=saved"))
            .await;
        assert!(html.contains("典型案例已保存。"));
        assert!(
            html.contains(&format!("共 {} 字，限 1200 字", length(&text))),
            "{html}"
        );
        assert!(html.contains("data-field=\"state\">草稿<"));

        // The officer does not publish; the leader of the city does.
        let r = post(
            &app,
            &officer,
            &format!("{page}/publish"),
            &[("_csrf", &csrf)],
        )
        .await;
        assert_eq!(r.status(), 403);
        let leader = app.login("leader").await;
        let lcsrf = app.csrf(&leader).await;
        let (status, html) = app.get_text(&leader, &page).await;
        assert_eq!(status, 200);
        assert!(
            !html.contains("name=\"intro\""),
            "a leader reads, does not edit"
        );
        assert!(html.contains("审阅无误，发布"));
        // The publish form names the version the leader reviews.
        assert!(html.contains("name=\"version\" value=\"1\""), "{html}");
        let r = post(
            &app,
            &leader,
            &format!("{page}/publish"),
            &[("_csrf", &lcsrf), ("version", "1")],
        )
        .await;
        assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
        let (_, html) = app
            .get_text(&leader, &format!("{page}?notice=published"))
            .await;
        assert!(html.contains("data-field=\"state\">已发布<"), "{html}");
        let (title_db, intro_db, analysis_db): (String, String, String) = sqlx::query_as(
            "select title, intro, analysis from typical_case where case_id = $1 \
             and state = 'published'",
        )
        .bind(&id)
        .fetch_one(app.db.store.pool())
        .await
        .unwrap();
        let published = format!("{title_db}{intro_db}{analysis_db}");
        for name in [SUBJECT, "丽人美容", authority.as_str()] {
            assert!(!published.contains(name), "“{name}” left in {published}");
        }
        assert!(published.contains(&hidden), "{published}");

        // The Word document is the anonymised text, with its title.
        let r = officer
            .get(app.url(&format!("/cases/{id}/typical.docx")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(
            r.headers()["content-type"],
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        );
        let bytes = r.bytes().await.unwrap();
        assert_eq!(&bytes[..2], b"PK");
        let xml = document_xml(&bytes);
        assert!(xml.contains(&title_db), "{xml}");
        assert!(xml.contains("【案情介绍】"));
        assert!(!xml.contains(SUBJECT) && !xml.contains(&authority), "{xml}");

        // Another district does not find it.
        let other = app.login("officer2").await;
        let ocsrf = app.csrf(&other).await;
        for path in [page.clone(), format!("/cases/{id}/typical.docx")] {
            let (status, _) = app.get_text(&other, &path).await;
            assert_eq!(status, 404, "{path}");
        }
        let mut f = form(&text);
        f[0].1 = ocsrf;
        let r = other.post(app.url(&page)).form(&f).send().await.unwrap();
        assert_eq!(r.status(), 404);
    }
);

both_backends!(
    a_case_not_yet_decided_has_no_typical_case,
    |db: TestDb| async move {
        let app = TestApp::spawn(db).await;
        let officer = app.login("officer").await;
        let csrf = app.csrf(&officer).await;
        let scope = officer_scope(&app).await;
        let now = meijian_web::Clock::now(app.clock.as_ref());
        let id = meijian_store::cases::open::open(
            &app.db.store,
            &scope,
            Calendar::embedded(),
            &CaseRules::default(),
            now,
            &NewCase {
                case_no: String::new(),
                title: "某工作室无证行医案".into(),
                category: Category::UnlicensedPractice,
                origin: CaseOrigin::Inspection,
                region_code: "370402".into(),
                violation: "无证开展注射美容".into(),
                filed_on: meijian_store::leads::deadlines::china_date(now),
                parties: vec![NewParty {
                    kind: PartyKind::Person,
                    name: "王大明".into(),
                    id_number: None,
                    operator_id: None,
                }],
                basis: Vec::new(),
                lead_id: None,
            },
        )
        .await
        .unwrap();
        let (_, html) = app.get_text(&officer, &format!("/cases/{id}")).await;
        assert!(!html.contains("/typical\""), "no link before the decision");
        let page = format!("/cases/{id}/typical");
        let (status, html) = app.get_text(&officer, &page).await;
        assert_eq!(status, 422);
        assert!(html.contains("作出处罚决定后才能撰写典型案例"), "{html}");
        let r = post(
            &app,
            &officer,
            &page,
            &[("_csrf", &csrf), ("title", "某案"), ("intro", "立案。")],
        )
        .await;
        assert_eq!(r.status(), 422);
        let (status, _) = app
            .get_text(&officer, &format!("/cases/{id}/typical.docx"))
            .await;
        assert_eq!(status, 422);
    }
);
