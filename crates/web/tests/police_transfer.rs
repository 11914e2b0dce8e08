//! 行刑衔接 through the pages, on SQLite and PostgreSQL, with the police in the system: a lead
//! becomes a case, the officer proposes the transfer, a leader approves it from the 移送 page,
//! the police see nothing before it is sent, then answer on the case page themselves (receipt,
//! refusal); the officer asks them to reconsider within the limit, they file, and the officer
//! hands the seized items over.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{case_version, page_field, TestApp};
use meijian_store::both_backends;
use meijian_store::testing::TestDb;

async fn post(
    app: &TestApp,
    c: &reqwest::Client,
    path: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    c.post(app.url(path)).form(form).send().await.unwrap()
}

both_backends!(
    a_transfer_hangs_on_the_case_and_the_police_answer_it,
    |db: TestDb| async move {
        let app = TestApp::spawn(db).await;
        let officer = app.login("officer").await;
        let csrf = app.csrf(&officer).await;
        let r = post(
            &app,
            &officer,
            "/leads/clue",
            &[
                ("_csrf", csrf.as_str()),
                ("source", "officer"),
                ("category", "unlicensed_practice"),
                ("region_code", "370402"),
                ("subject_name", "某居民楼工作室"),
                ("subject_address", "市中区光明路20号"),
                ("summary", "居民楼内无证注射，已致两人面部感染。"),
            ],
        )
        .await;
        assert_eq!(r.status(), 200);
        let lead_id: String =
            sqlx::query_scalar("select id from lead where subject_name = '某居民楼工作室'")
                .fetch_one(app.db.store.pool())
                .await
                .unwrap();
        // The lead page has no transfer of its own any more: a crime goes through the case.
        let (_, html) = app.get_text(&officer, &format!("/leads/{lead_id}")).await;
        assert!(!html.contains("step-police"));
        let r = post(
            &app,
            &officer,
            "/cases/new",
            &[
                ("_csrf", csrf.as_str()),
                ("lead", lead_id.as_str()),
                ("title", "某居民楼工作室非法行医案"),
                ("category", "unlicensed_practice"),
                ("origin", "other"),
                ("region", "370402"),
                ("filed_on", "2026-11-19"),
                ("violation", "在居民楼内给顾客注射，致二人面部感染"),
                ("party_kind", "person"),
                ("party_name", "王某"),
            ],
        )
        .await;
        assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
        let case_id: String =
            sqlx::query_scalar("select case_id from case_lead where lead_id = $1")
                .bind(&lead_id)
                .fetch_one(app.db.store.pool())
                .await
                .unwrap();
        let page = format!("/cases/{case_id}");
        let (_, html) = app.get_text(&officer, &page).await;
        let r = post(
            &app,
            &officer,
            &format!("/cases/{case_id}/transfer"),
            &[
                ("_csrf", csrf.as_str()),
                ("version", case_version(&html).as_str()),
                ("reason", "涉嫌非法行医罪，致二人感染"),
            ],
        )
        .await;
        assert_eq!(r.status(), 303);
        let transfer: String =
            sqlx::query_scalar("select id from case_transfer where case_id = $1")
                .bind(&case_id)
                .fetch_one(app.db.store.pool())
                .await
                .unwrap();

        // The leader finds it on the 移送 page, waiting for approval.
        let leader = app.login("leader").await;
        let (_, html) = app.get_text(&leader, "/referrals").await;
        assert!(html.contains("某居民楼工作室非法行医案"), "{html}");
        assert_eq!(page_field(&html, "transfer-state"), "待审批");

        let police = app.login("police").await;
        let step =
            |who: &reqwest::Client, step: &str, fields: Vec<(&'static str, &'static str)>| {
                let (app, who) = (&app, who.clone());
                let path = format!("/cases/{case_id}/transfer/{transfer}/{step}");
                async move {
                    let csrf = app.csrf(&who).await;
                    let mut form = vec![("_csrf", csrf.as_str())];
                    form.extend(fields);
                    let r = post(app, &who, &path, &form).await;
                    let status = r.status().as_u16();
                    let html = r.text().await.unwrap();
                    let error = if html.contains("data-field=\"error\"") {
                        page_field(&html, "error")
                    } else {
                        String::new()
                    };
                    (status, error)
                }
            };
        // Before it is sent the police do not see the case.
        assert_eq!(app.get_text(&police, &page).await.0, 404);
        assert_eq!(
            step(&leader, "approve", vec![("note", "同意")]).await.0,
            303
        );
        assert_eq!(
            step(
                &officer,
                "send",
                vec![("package", "letter"), ("package", "report")]
            )
            .await
            .0,
            303
        );

        // Now they do, and it waits for them on their 移送 page.
        let (status, html) = app.get_text(&police, "/referrals").await;
        assert_eq!(status, 200);
        assert!(html.contains("某居民楼工作室非法行医案"));
        assert_eq!(app.get_text(&police, &page).await.0, 200);
        // The police answer themselves, but do not act for the agency.
        assert_eq!(step(&police, "receipt", vec![]).await.0, 303);
        assert_eq!(
            step(
                &police,
                "police_decision",
                vec![("decision", "refused"), ("note", "证据不足")]
            )
            .await
            .0,
            303
        );
        assert_eq!(
            step(&police, "reconsider", vec![("note", "补充鉴定意见")])
                .await
                .0,
            403
        );
        let (_, html) = app.get_text(&officer, &page).await;
        assert_eq!(page_field(&html, "transfer-state"), "公安机关不予立案");
        assert!(html.contains("提请公安机关复议"));

        // 复议 once; a second is refused with the reason.
        assert_eq!(
            step(
                &officer,
                "reconsider",
                vec![("note", "已补充鉴定意见，请复议")]
            )
            .await
            .0,
            303
        );
        assert_eq!(
            step(
                &police,
                "police_decision",
                vec![("decision", "refused"), ("note", "仍不足")]
            )
            .await
            .0,
            303
        );
        let (status, error) = step(&officer, "reconsider", vec![("note", "再次复议")]).await;
        assert_eq!(
            (status, error.as_str()),
            (422, "行刑衔接：已经提请过复议或立案监督，不能再提请复议")
        );
        // 立案监督 still; the police file after it; the items are handed over.
        assert_eq!(
            step(&officer, "supervise", vec![("note", "请检察院监督立案")])
                .await
                .0,
            303
        );
        assert_eq!(
            step(
                &police,
                "police_decision",
                vec![("decision", "filed"), ("note", "枣公立〔2026〕9号")]
            )
            .await
            .0,
            303
        );
        assert_eq!(
            step(&officer, "handover", vec![("note", "注射器12支、药品3盒")])
                .await
                .0,
            303
        );
        let (_, html) = app.get_text(&officer, &page).await;
        assert_eq!(page_field(&html, "transfer-state"), "公安机关已立案");
        assert!(html.contains("公安机关立案监督后决定立案"), "{html}");
        assert!(html.contains("已移交：注射器12支、药品3盒"));
        // The police's answers are in the case history under their account.
        assert!(
            html.contains("<td>公安机关不予立案</td><td>police</td>"),
            "{html}"
        );
    }
);
