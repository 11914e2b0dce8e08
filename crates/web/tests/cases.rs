//! The case pages as officers use them: 立案, the steps in order, penalties and their refusals,
//! the version check, evidence with its SHA-256, the list with its filters and XLSX, the scope,
//! and the operator's file listing its cases.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{case_version, first_party, page_field, TestApp};
use meijian_store::both_backends;
use meijian_store::testing::TestDb;
use sha2::{Digest, Sha256};

async fn post(
    app: &TestApp,
    c: &reqwest::Client,
    path: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    c.post(app.url(path)).form(form).send().await.unwrap()
}

/// Opens a case with `party` (fields of the 立案 form); returns the response.
async fn open(
    app: &TestApp,
    c: &reqwest::Client,
    csrf: &str,
    party: &[(&str, &str)],
) -> reqwest::Response {
    let mut form = vec![
        ("_csrf", csrf),
        ("title", "李某某无证注射玻尿酸案"),
        ("category", "unlicensed_practice"),
        ("origin", "inspection"),
        ("region", "370402"),
        ("filed_on", "2026-11-19"),
        (
            "violation",
            "在居民楼内给顾客注射玻尿酸，未取得医疗机构执业许可证",
        ),
    ];
    form.extend_from_slice(party);
    post(app, c, "/cases/new", &form).await
}

fn case_id(r: &reqwest::Response) -> String {
    let location = r.headers()["location"].to_str().unwrap();
    location
        .trim_start_matches("/cases/")
        .split('?')
        .next()
        .unwrap()
        .to_string()
}

async fn error_of(r: reqwest::Response) -> (u16, String) {
    let status = r.status().as_u16();
    let html = r.text().await.unwrap();
    (status, page_field(&html, "error"))
}

both_backends!(a_case_through_its_pages, |db: TestDb| async move {
    let app = TestApp::spawn(db).await;
    let officer = app.login("officer").await;
    let csrf = app.csrf(&officer).await;

    // A party that is neither an operator nor a named person is refused, in Chinese.
    let (status, error) = error_of(open(&app, &officer, &csrf, &[]).await).await;
    assert_eq!(
        (status, error.as_str()),
        (422, "当事人：请至少添加一个当事人")
    );
    let org_without_operator = [("party_kind", "organisation"), ("party_name", "某美容院")];
    let (status, error) = error_of(open(&app, &officer, &csrf, &org_without_operator).await).await;
    assert_eq!(status, 422);
    assert!(
        error.starts_with("当事人：单位当事人须从主体库中选择"),
        "{error}"
    );
    let r = open(
        &app,
        &officer,
        &csrf,
        &[
            ("party_kind", "person"),
            ("party_name", "李某某"),
            ("party_id_number", "370402199001011234"),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    let id = case_id(&r);
    let page = format!("/cases/{id}");
    let (_, html) = app.get_text(&officer, &page).await;
    assert_eq!(page_field(&html, "stage"), "立案");
    // A person's ID number is masked.
    assert!(html.contains("370402********1234"), "{html}");
    assert!(!html.contains("370402199001011234"));

    // Out of order: refused with the reason, nothing moves.
    let (status, error) = error_of(app.case_step(&officer, &csrf, &id, "execute", &[]).await).await;
    assert_eq!(status, 422);
    assert_eq!(error, "办案流程：案件处于“立案”阶段，不能开始执行");
    assert_eq!(
        app.case_step(&officer, &csrf, &id, "investigate", &[])
            .await
            .status(),
        303
    );

    // Penalties: amounts in yuan to the fen, checked like every form of the system.
    let (_, html) = app.get_text(&officer, &page).await;
    let party = first_party(&html);
    let penalty = |kind: &'static str, amount: &'static str, on: &'static str| {
        vec![
            ("op", "add"),
            ("party_id", party.clone().leak() as &str),
            ("kind", kind),
            ("amount_yuan", amount),
            ("on", on),
            ("decision_no", "市中卫罚〔2026〕9号"),
        ]
    };
    for (fields, expected) in [
        (penalty("fine", "-5", "2026-11-19"), "金额："),
        (penalty("fine", "", "2026-11-19"), "金额：罚款必须填写金额"),
        (penalty("fine", "abc", "2026-11-19"), "金额："),
        (
            penalty("warning", "100", "2026-11-19"),
            "金额：警告不填写金额",
        ),
        (
            penalty("fine", "12,500.50", "2026-11-01"),
            "决定日期：2026-11-01 早于立案日期 2026-11-19",
        ),
    ] {
        let (status, error) = error_of(
            app.case_step(&officer, &csrf, &id, "penalties", &fields)
                .await,
        )
        .await;
        assert_eq!(status, 422, "{fields:?}");
        assert!(error.starts_with(expected), "{error}");
    }
    // Two officers: the second sends the version the first has since changed.
    let (_, html) = app.get_text(&officer, &page).await;
    let seen = case_version(&html);
    let r = app
        .case_step(
            &officer,
            &csrf,
            &id,
            "penalties",
            &penalty("fine", "12,500.50", "2026-11-19"),
        )
        .await;
    assert_eq!(r.status(), 303);
    let mut stale = vec![("_csrf", csrf.as_str()), ("version", seen.as_str())];
    stale.extend(penalty("warning", "", "2026-11-19"));
    let r = post(&app, &officer, &format!("/cases/{id}/penalties"), &stale).await;
    let (status, error) = error_of(r).await;
    assert_eq!(status, 409);
    assert!(error.contains("已被他人修改"), "{error}");
    let (_, html) = app.get_text(&officer, &page).await;
    assert!(html.contains("12,500.50 元"));
    assert!(
        !html.contains("data-action=\"警告\""),
        "the stale change was not written"
    );

    // Evidence: stored with its SHA-256, downloaded as it was, never inline.
    let bytes = b"%PDF-1.4 test evidence".to_vec();
    let body = reqwest::multipart::Form::new()
        .text("_csrf", csrf.clone())
        .text("version", case_version(&html))
        .text("note", "现场检查笔录")
        .part(
            "attachments",
            reqwest::multipart::Part::bytes(bytes.clone()).file_name("笔录.pdf"),
        );
    let r = officer
        .post(app.url(&format!("/cases/{id}/evidence")))
        .multipart(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let (_, html) = app.get_text(&officer, &page).await;
    let sha = hex::encode(Sha256::digest(&bytes));
    assert!(html.contains(&sha), "{html}");
    let marker = format!("href=\"/cases/{id}/evidence/");
    let start = html.find(&marker).unwrap() + marker.len();
    let evidence = html[start..].split('"').next().unwrap();
    let r = officer
        .get(app.url(&format!("/cases/{id}/evidence/{evidence}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    assert!(r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment"));
    assert_eq!(r.bytes().await.unwrap().to_vec(), bytes);

    // Another district's officer: the case does not exist for them.
    let other = app.login("officer2").await;
    assert_eq!(app.get_text(&other, &page).await.0, 404);
    assert_eq!(
        app.get_text(&other, &format!("/cases/{id}/evidence/{evidence}"))
            .await
            .0,
        404
    );

    // The list filters by district, stage and category and exports what it shows.
    let (_, list) = app
        .get_text(
            &officer,
            "/cases?region=370402&stage=investigating&category=unlicensed_practice",
        )
        .await;
    assert!(list.contains(&format!("/cases/{id}")), "{list}");
    let (_, list) = app.get_text(&officer, "/cases?stage=closed").await;
    assert!(!list.contains(&format!("/cases/{id}")));
    let (_, list) = app.get_text(&other, "/cases").await;
    assert!(!list.contains(&format!("/cases/{id}")));
    let r = officer
        .get(app.url("/cases.xlsx?stage=investigating"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.bytes().await.unwrap().starts_with(b"PK"));

    // 告知 → 决定 → 执行 → 结案, each recorded with who did it.
    for (step, fields) in [
        (
            "notify",
            vec![("on", "2026-11-19"), ("note", "当事人未提出陈述申辩")],
        ),
        ("decide", vec![("on", "2026-11-20")]),
        ("execute", vec![]),
        ("close", vec![("on", "2026-11-20"), ("note", "罚款已缴清")]),
    ] {
        let r = app.case_step(&officer, &csrf, &id, step, &fields).await;
        assert_eq!(r.status(), 303, "{step}");
    }
    let (_, html) = app.get_text(&officer, &page).await;
    assert_eq!(page_field(&html, "stage"), "结案");
    for what in [
        "立案",
        "开始调查取证",
        "添加处罚",
        "添加证据",
        "告知当事人",
        "作出处罚决定",
        "结案",
    ] {
        assert!(html.contains(&format!("<td>{what}</td>")), "{what}");
    }
    assert!(html.contains("张执法"));
});

both_backends!(an_operators_file_lists_its_cases, |db: TestDb| async move {
    let app = TestApp::spawn(db).await;
    let officer = app.login("officer").await;
    let csrf = app.csrf(&officer).await;
    // An officer's own finding names a studio no registry knows: it becomes a provisional
    // operator of the 主体库, and the party of the case.
    let r = post(
        &app,
        &officer,
        "/leads/clue",
        &[
            ("_csrf", csrf.as_str()),
            ("source", "inspection"),
            ("category", "unlicensed_practice"),
            ("region_code", "370402"),
            ("subject_name", "悦颜美容工作室"),
            ("subject_address", "市中区光明路18号3单元"),
            ("summary", "检查发现在居民楼内给顾客注射玻尿酸"),
        ],
    )
    .await;
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    let marker = "href=\"/leads/";
    let start = html
        .match_indices(marker)
        .map(|(i, _)| i + marker.len())
        .find(|&i| html[i..].starts_with(|c: char| c.is_ascii_hexdigit()))
        .unwrap();
    let lead = html[start..].split('"').next().unwrap().to_string();
    let r = post(
        &app,
        &officer,
        "/operators/provisional",
        &[("_csrf", csrf.as_str()), ("lead", lead.as_str())],
    )
    .await;
    assert_eq!(r.status(), 303);
    let operator = r.headers()["location"]
        .to_str()
        .unwrap()
        .trim_start_matches("/operators/")
        .split('?')
        .next()
        .unwrap()
        .to_string();
    let r = open(
        &app,
        &officer,
        &csrf,
        &[
            ("party_kind", "organisation"),
            ("party_operator", operator.as_str()),
            ("party_name", ""),
        ],
    )
    .await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    let id = case_id(&r);
    let (_, html) = app
        .get_text(&officer, &format!("/operators/{operator}"))
        .await;
    assert!(html.contains(&format!("href=\"/cases/{id}\"")), "{html}");
    // The list narrowed to the operator.
    let (_, list) = app
        .get_text(&officer, &format!("/cases?operator={operator}"))
        .await;
    assert!(list.contains(&format!("/cases/{id}")));
    // The dashboard counts the case as waiting for a decision.
    let (_, home) = app.get_text(&officer, "/").await;
    assert!(home.contains("data-count=\"cases_open\">1<"), "{home}");
});

both_backends!(
    a_notice_from_the_police_or_a_court_opens_a_lead,
    |db: TestDb| async move {
        let app = TestApp::spawn(db).await;
        let officer = app.login("officer").await;
        let csrf = app.csrf(&officer).await;
        let (_, form) = app.get_text(&officer, "/leads/clue").await;
        assert!(form.contains("公安、法院告知"), "{form}");
        let r = post(
            &app,
            &officer,
            "/leads/clue",
            &[
                ("_csrf", csrf.as_str()),
                ("source", "judicial_notice"),
                ("category", "unlicensed_practice"),
                ("region_code", "370402"),
                ("subject_name", "丽人美容会所"),
                ("subject_address", "市中区光明路18号"),
                (
                    "summary",
                    "公安机关在办理非法行医案件中发现该会所另有无证开展医疗美容行为，函告处理",
                ),
            ],
        )
        .await;
        assert_eq!(r.status(), 200);
        let source: String = sqlx::query_scalar(
            "select source from lead where subject_name = '丽人美容会所' and source = 'judicial_notice'",
        )
        .fetch_one(app.db.store.pool())
        .await
        .unwrap();
        assert_eq!(source, "judicial_notice");
    }
);

both_backends!(
    a_suspected_crime_goes_to_the_police_from_the_case_page,
    |db: TestDb| async move {
        let app = TestApp::spawn(db).await;
        let officer = app.login("officer").await;
        let csrf = app.csrf(&officer).await;
        let r = open(
            &app,
            &officer,
            &csrf,
            &[("party_kind", "person"), ("party_name", "李某某")],
        )
        .await;
        let id = case_id(&r);
        let page = format!("/cases/{id}");
        let (_, html) = app.get_text(&officer, &page).await;
        let r = post(
            &app,
            &officer,
            &format!("/cases/{id}/transfer"),
            &[
                ("_csrf", csrf.as_str()),
                ("version", case_version(&html).as_str()),
                ("urgent", "1"),
                ("reason", "多名顾客注射后出现严重感染，涉嫌非法行医罪"),
            ],
        )
        .await;
        assert_eq!(r.status(), 303);
        let (_, html) = app.get_text(&officer, &page).await;
        assert_eq!(page_field(&html, "transfer-state"), "待审批");
        let marker = "data-transfer=\"";
        let start = html.find(marker).unwrap() + marker.len();
        let transfer = html[start..].split('"').next().unwrap().to_string();
        let step =
            |who: &'static str, step: &'static str, fields: Vec<(&'static str, &'static str)>| {
                let (app, transfer, id) = (&app, transfer.clone(), id.clone());
                async move {
                    let c = app.login(who).await;
                    let csrf = app.csrf(&c).await;
                    let mut form = vec![("_csrf", csrf.as_str())];
                    form.extend(fields);
                    post(
                        app,
                        &c,
                        &format!("/cases/{id}/transfer/{transfer}/{step}"),
                        &form,
                    )
                    .await
                    .status()
                    .as_u16()
                }
            };
        // The officer may not approve; a leader of the city does.
        assert_eq!(step("officer", "approve", vec![]).await, 403);
        // Out of order: sending before approval is refused with the reason.
        assert_eq!(
            step("officer", "send", vec![("package", "letter")]).await,
            422
        );
        assert_eq!(
            step("leader", "approve", vec![("note", "同意移送")]).await,
            303
        );
        assert_eq!(
            step(
                "officer",
                "send",
                vec![("package", "letter"), ("package", "report")]
            )
            .await,
            303
        );
        assert_eq!(step("officer", "receipt", vec![]).await, 303);
        assert_eq!(
            step(
                "officer",
                "police_decision",
                vec![("decision", "filed"), ("note", "枣公（刑）立字〔2026〕5号")]
            )
            .await,
            303
        );
        assert_eq!(
            step(
                "officer",
                "task",
                vec![("kind", "appraisal"), ("detail", "对涉案注射剂进行鉴定")]
            )
            .await,
            303
        );
        let (_, html) = app.get_text(&officer, &page).await;
        assert_eq!(page_field(&html, "transfer-state"), "公安机关已立案");
        assert!(
            html.contains("涉嫌犯罪案件移送书、涉嫌犯罪案件情况的调查报告"),
            "{html}"
        );
        assert!(html.contains("对涉案注射剂进行鉴定"));
        assert!(html.contains("抄送检察院"));
    }
);
