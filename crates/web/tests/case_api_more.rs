//! 典型案例 and the history import through the JSON API, on SQLite and PostgreSQL: the draft read
//! (prefilled, with its replacements and count), saved and published with the version read, a
//! stale version refused (409, nothing written), the Word file the page sends, another district
//! (404) and an institution account (403/404) kept out; the cases and penalties files imported
//! from the body (dry run first, one bad row reported with its line), the size limit, and the
//! OpenAPI document listing the new paths.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::{Cursor, Read};

use common::TestApp;
use meijian_domain::case::{PartyKind, PenaltyKind};
use meijian_domain::lead::Fen;
use meijian_domain::region::RegionCode;
use meijian_domain::role::Role;
use meijian_store::testing::{self, TestDb};
use meijian_store::{both_backends, Actor, Scope};
use meijian_web::WebSettings;
use serde_json::{json, Value};

const SUBJECT: &str = "丽人美容医疗美容诊所";
const CSV: &str = "text/csv";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

async fn send(
    app: &TestApp,
    c: &reqwest::Client,
    method: reqwest::Method,
    token: Option<&str>,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut r = c.request(method, app.url(path));
    if let Some(t) = token {
        r = r.header("X-CSRF-Token", t);
    }
    if let Some(b) = body {
        r = r.json(&b);
    }
    let r = r.send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn get(app: &TestApp, c: &reqwest::Client, path: &str) -> (u16, Value) {
    send(app, c, reqwest::Method::GET, None, path, None).await
}

async fn put(app: &TestApp, c: &reqwest::Client, t: &str, path: &str, b: Value) -> (u16, Value) {
    send(app, c, reqwest::Method::PUT, Some(t), path, Some(b)).await
}

async fn post(app: &TestApp, c: &reqwest::Client, t: &str, path: &str, b: Value) -> (u16, Value) {
    send(app, c, reqwest::Method::POST, Some(t), path, Some(b)).await
}

fn message(body: &Value) -> &str {
    body["error"]["message"].as_str().unwrap_or("")
}

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

/// A case of 市中区 against [`SUBJECT`], decided with a fine; its id.
async fn decided_case(app: &TestApp, officer: &reqwest::Client, token: &str) -> String {
    let (status, lead) = post(
        app,
        officer,
        token,
        "/api/leads/clues",
        json!({
            "source": "inspection", "category": "unlicensed_practice", "region_code": "370402",
            "subject_name": SUBJECT, "subject_address": "市中区光明路20号",
            "summary": "诊所超范围开展注射类医疗美容项目。"
        }),
    )
    .await;
    assert_eq!(status, 201, "{lead}");
    let scope = officer_scope(app).await;
    let now = meijian_web::Clock::now(app.clock.as_ref());
    testing::decided_case(
        &app.db.store,
        &scope,
        now,
        lead["lead_id"].as_str().unwrap(),
        PartyKind::Organisation,
        &[(PenaltyKind::Fine, Some(Fen::from_yuan(30_000)))],
    )
    .await
    .unwrap()
}

/// The stored typical case (analysis, state, version) and the count of its audit entries:
/// what "nothing written" compares.
async fn stored(app: &TestApp, id: &str) -> (Option<(String, String, i64)>, i64) {
    let pool = app.db.store.pool();
    let row =
        sqlx::query_as("select analysis, state, version from typical_case where case_id = $1")
            .bind(id)
            .fetch_optional(pool)
            .await
            .unwrap();
    let audits = sqlx::query_scalar(
        "select count(*) from audit_entry where entity = 'typical_case' and entity_id = $1",
    )
    .bind(id)
    .fetch_one(pool)
    .await
    .unwrap();
    (row, audits)
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

both_backends!(a_typical_case_through_the_api, |db: TestDb| async move {
    let app = TestApp::spawn(db).await;
    let (officer, token) = app.api_login("officer").await;
    let id = decided_case(&app, &officer, &token).await;
    let path = format!("/api/cases/{id}/typical");

    // Drafted from the record, counted, with what 技术处理 replaces.
    let (status, draft) = get(&app, &officer, &path).await;
    assert_eq!(status, 200, "{draft}");
    assert_eq!(draft["state"], "unsaved");
    assert_eq!(draft["version"], 0);
    assert_eq!(draft["max_chars"], 1200);
    assert_eq!(draft["may_edit"], true);
    assert_eq!(draft["may_publish"], false);
    assert!(draft["text"]["intro"].as_str().unwrap().contains(SUBJECT));
    assert!(draft["text"]["length"].as_u64().unwrap() > 0);
    assert!(!draft["anonymised"]["intro"]
        .as_str()
        .unwrap()
        .contains(SUBJECT));
    let replaced = draft["replacements"].as_array().unwrap();
    assert!(
        replaced
            .iter()
            .any(|r| r["original"] == SUBJECT && r["kind"] == "party"),
        "{draft}"
    );
    assert_eq!(stored(&app, &id).await, (None, 0), "reading writes nothing");

    // Saved with the version read.
    let edits = |analysis: &str, version: i64| {
        json!({
            "title": draft["text"]["title"], "intro": draft["text"]["intro"],
            "analysis": analysis, "suggestions": "建议加强日常监管。", "version": version
        })
    };
    let (status, saved) = put(&app, &officer, &token, &path, edits("甲的评析。", 0)).await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["state"], "draft");
    assert_eq!(saved["state_label"], "草稿");
    assert_eq!(saved["version"], 1);
    assert_eq!(saved["text"]["analysis"], "甲的评析。");
    assert_eq!(saved["updated_by"], "officer");

    // A second officer who read version 0 too is refused; nothing is written.
    let before = stored(&app, &id).await;
    let (status, body) = put(&app, &officer, &token, &path, edits("乙的评析。", 0)).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"]["code"], "conflict");
    assert!(message(&body).contains("已被他人修改"), "{body}");
    assert_eq!(stored(&app, &id).await, before);
    assert_eq!(before.0.as_ref().map(|r| r.0.as_str()), Some("甲的评析。"));

    // Over 1,200 characters: 422 with the count, nothing written.
    let (status, body) = put(&app, &officer, &token, &path, edits(&"评".repeat(1_300), 1)).await;
    assert_eq!(status, 422, "{body}");
    assert!(message(&body).contains("1200"), "{body}");
    assert_eq!(stored(&app, &id).await, before);
    // No CSRF token: refused.
    let (status, _) = send(
        &app,
        &officer,
        reqwest::Method::PUT,
        None,
        &path,
        Some(edits("丙", 1)),
    )
    .await;
    assert_eq!(status, 403);

    // Another district does not find it; an institution account gets nothing.
    let (other, otoken) = app.api_login("officer2").await;
    assert_eq!(get(&app, &other, &path).await.0, 404);
    assert_eq!(
        put(&app, &other, &otoken, &path, edits("丁", 1)).await.0,
        404
    );
    let (status, _) = get(&app, &other, &format!("{path}.docx")).await;
    assert_eq!(status, 404);
    let (institution, itoken) = app.api_login("institution").await;
    for status in [
        get(&app, &institution, &path).await.0,
        put(&app, &institution, &itoken, &path, edits("戊", 1))
            .await
            .0,
        post(
            &app,
            &institution,
            &itoken,
            &format!("{path}/publish"),
            json!({"version": 1}),
        )
        .await
        .0,
    ] {
        assert!(status == 403 || status == 404, "{status}");
    }
    assert_eq!(stored(&app, &id).await, before);

    // The officer does not publish; the leader does, naming the version reviewed.
    let publish = format!("{path}/publish");
    let (status, _) = post(&app, &officer, &token, &publish, json!({"version": 1})).await;
    assert_eq!(status, 403);
    let (leader, ltoken) = app.api_login("leader").await;
    let (status, seen) = get(&app, &leader, &path).await;
    assert_eq!(status, 200);
    assert_eq!(seen["may_publish"], true);
    assert_eq!(seen["may_edit"], false);
    let (status, body) = post(&app, &leader, &ltoken, &publish, json!({"version": 0})).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(stored(&app, &id).await, before);
    let (status, published) = post(&app, &leader, &ltoken, &publish, json!({"version": 1})).await;
    assert_eq!(status, 200, "{published}");
    assert_eq!(published["state"], "published");
    assert_eq!(published["version"], 2);
    assert_eq!(published["published_by"], "leader");
    assert!(published["replacements"].as_array().unwrap().is_empty());
    let text = published["text"].to_string();
    assert!(!text.contains(SUBJECT), "{text}");

    // The Word file: a ZIP, as an attachment, the page's document.
    let r = officer
        .get(app.url(&format!("{path}.docx")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], DOCX);
    let disposition = r.headers()["content-disposition"].to_str().unwrap();
    assert!(disposition.starts_with("attachment"), "{disposition}");
    let bytes = r.bytes().await.unwrap();
    assert_eq!(&bytes[..2], b"PK");
    let page = app.login("officer").await;
    let page_bytes = page
        .get(app.url(&format!("/cases/{id}/typical.docx")))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let xml = document_xml(&bytes);
    assert_eq!(xml, document_xml(&page_bytes));
    assert!(xml.contains(published["text"]["title"].as_str().unwrap()));
    assert!(!xml.contains(SUBJECT));

    // The page's form carries the version, and a stale one is refused there too.
    let csrf = app.csrf(&page).await;
    let (_, html) = app.get_text(&page, &format!("/cases/{id}/typical")).await;
    assert!(html.contains("name=\"version\" value=\"2\""), "{html}");
    let r = page
        .post(app.url(&format!("/cases/{id}/typical")))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("title", "某案"),
            ("intro", "立案。"),
            ("version", "1"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
    let html = r.text().await.unwrap();
    assert!(html.contains("已被他人修改"), "{html}");
    assert!(
        html.contains("name=\"version\" value=\"1\""),
        "the refused form keeps the version it named"
    );
    let after = stored(&app, &id).await;
    assert_eq!(after.0.unwrap().1, "published");

    // The OpenAPI document lists the new paths.
    let (_, spec) = get(&app, &officer, "/api/openapi.json").await;
    for p in [
        "/api/cases/{id}/typical",
        "/api/cases/{id}/typical/publish",
        "/api/cases/{id}/typical.docx",
        "/api/cases/import/{kind}",
    ] {
        assert!(spec["paths"].get(p).is_some(), "OpenAPI documents {p}");
    }
    assert!(spec["paths"]["/api/cases/{id}/typical"]
        .get("put")
        .is_some());
    assert!(spec
        .pointer("/components/schemas/TypicalCaseView")
        .is_some());
    assert!(spec
        .pointer("/components/schemas/HistoryImportView")
        .is_some());
});

/// A cases file whose good rows were handled by `authority`; line 3 has a category that does
/// not exist.
fn cases_file(authority: &str) -> String {
    format!(
        "案件编号,案件名称,立案日期,办案机关,行政区划代码,案件类别,案件来源,案件状态,结案日期,违法行为
ZZA-001,某美容店无证行医历史案,2024-03-01,{authority},370402,无证行医,投诉举报,结案,2024-06-30,非法注射
ZZA-002,类别写错的案件,2024-04-01,{authority},370402,美容,投诉举报,立案,,
ZZA-003,某诊所超范围执业历史案,2024-05-01,{authority},370402,医疗机构,监督检查,调查取证,,超范围
"
    )
}

/// Line 3 names a case never imported.
const PENALTIES: &str =
    "处罚编号,案件编号,当事人名称,当事人类型,当事人证件号码,处罚种类,金额（元）,决定日期,决定书文号
CFA-001,ZZA-001,王某某,个人,,罚款,\"12,500.50\",2024-06-01,枣市中卫罚〔2024〕1号
CFA-002,ZZA-009,李某某,个人,,警告,,2024-06-01,枣市中卫罚〔2024〕2号
";

async fn import(
    app: &TestApp,
    c: &reqwest::Client,
    token: Option<&str>,
    path: &str,
    content_type: &str,
    body: Vec<u8>,
) -> (u16, Value) {
    let mut r = c
        .post(app.url(path))
        .header("content-type", content_type)
        .body(body);
    if let Some(t) = token {
        r = r.header("X-CSRF-Token", t);
    }
    let r = r.send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn history_cases(app: &TestApp) -> i64 {
    sqlx::query_scalar("select count(*) from enforcement_case where case_no like 'ZZA-%'")
        .fetch_one(app.db.store.pool())
        .await
        .unwrap()
}

async fn import_audits(app: &TestApp) -> i64 {
    sqlx::query_scalar("select count(*) from audit_entry where entity = 'case_import'")
        .fetch_one(app.db.store.pool())
        .await
        .unwrap()
}

both_backends!(
    the_history_imported_through_the_api,
    |db: TestDb| async move {
        let app = TestApp::spawn(db).await;
        let (c, token) = app.api_login("officer").await;
        let cases = cases_file(&app.accounts["officer"].department).into_bytes();

        // Refused before anything is read: no token, a type that is neither file, a kind that
        // does not exist, a user without the import right.
        let (status, _) = import(
            &app,
            &c,
            None,
            "/api/cases/import/cases",
            CSV,
            cases.clone(),
        )
        .await;
        assert_eq!(status, 403);
        let (status, body) = import(
            &app,
            &c,
            Some(&token),
            "/api/cases/import/cases",
            "application/json",
            cases.clone(),
        )
        .await;
        assert_eq!(status, 422, "{body}");
        assert!(message(&body).contains("text/csv"), "{body}");
        let (status, body) = import(
            &app,
            &c,
            Some(&token),
            "/api/cases/import/inspections",
            CSV,
            cases.clone(),
        )
        .await;
        assert_eq!(status, 422, "{body}");
        let (status, body) = import(
            &app,
            &c,
            Some(&token),
            "/api/cases/import/cases",
            CSV,
            Vec::new(),
        )
        .await;
        assert_eq!(status, 422, "{body}");
        let (institution, itoken) = app.api_login("institution").await;
        let (status, _) = import(
            &app,
            &institution,
            Some(&itoken),
            "/api/cases/import/cases",
            CSV,
            cases.clone(),
        )
        .await;
        assert_eq!(status, 403);

        // The dry run counts and reports, and writes nothing.
        let (status, report) = import(
            &app,
            &c,
            Some(&token),
            "/api/cases/import/cases?dry_run=true&file_name=案件.csv",
            CSV,
            cases.clone(),
        )
        .await;
        assert_eq!(status, 200, "{report}");
        assert_eq!(report["dry_run"], true);
        assert_eq!(report["run_id"], Value::Null);
        assert_eq!(report["file_name"], "案件.csv");
        assert_eq!(
            (
                &report["rows_read"],
                &report["inserted"],
                &report["rejected"]
            ),
            (&json!(3), &json!(2), &json!(1)),
            "{report}"
        );
        let bad = &report["rejections"][0];
        assert_eq!(bad["line"], 3, "{report}");
        assert_eq!(bad["field"], "案件类别");
        assert_eq!(bad["value"], "美容");
        assert!(!bad["reason"].as_str().unwrap().is_empty());
        assert_eq!(history_cases(&app).await, 0);
        assert_eq!(import_audits(&app).await, 0);

        // Imported: the same counts, the cases in the list, one audit entry.
        let (status, report) = import(
            &app,
            &c,
            Some(&token),
            "/api/cases/import/cases",
            "text/csv; charset=utf-8",
            cases.clone(),
        )
        .await;
        assert_eq!(status, 200, "{report}");
        assert_eq!(report["dry_run"], false);
        assert!(report["run_id"].is_string());
        assert_eq!(report["kind"], "cases");
        assert_eq!(
            (&report["inserted"], &report["rejected"]),
            (&json!(2), &json!(1))
        );
        assert_eq!(report["rejections"][0]["line"], 3);
        assert_eq!(history_cases(&app).await, 2);
        assert_eq!(import_audits(&app).await, 1);
        let (_, list) = get(&app, &c, "/api/cases?q=ZZA-001").await;
        assert_eq!(list["total"], 1, "{list}");

        // Again: nothing changes.
        let (_, report) = import(
            &app,
            &c,
            Some(&token),
            "/api/cases/import/cases",
            CSV,
            cases.clone(),
        )
        .await;
        assert_eq!(
            (
                &report["inserted"],
                &report["updated"],
                &report["unchanged"]
            ),
            (&json!(0), &json!(0), &json!(2)),
            "{report}"
        );

        // The penalties: the row of a case never imported is refused with its line.
        let (status, report) = import(
            &app,
            &c,
            Some(&token),
            "/api/cases/import/penalties",
            CSV,
            PENALTIES.as_bytes().to_vec(),
        )
        .await;
        assert_eq!(status, 200, "{report}");
        assert_eq!(report["kind"], "penalties");
        assert_eq!(
            (&report["inserted"], &report["rejected"]),
            (&json!(1), &json!(1))
        );
        let bad = &report["rejections"][0];
        assert_eq!(bad["line"], 3, "{report}");
        assert_eq!(bad["field"], "案件编号");
        let fined: i64 = sqlx::query_scalar(
            "select amount_fen from case_action a join enforcement_case c on c.id = a.case_id \
             where c.case_no = 'ZZA-001'",
        )
        .fetch_one(app.db.store.pool())
        .await
        .unwrap();
        assert_eq!(fined, 1_250_050);

        // An XLSX file is read as the page reads it.
        let headers = [
            "案件编号",
            "案件名称",
            "立案日期",
            "办案机关",
            "行政区划代码",
            "案件类别",
            "案件来源",
            "案件状态",
            "结案日期",
            "违法行为",
        ];
        let authority = app.accounts["officer"].department.clone();
        let row: Vec<meijian_exports::Cell> = [
            "ZZA-004",
            "某工作室无证行医历史案",
            "2024-07-01",
            authority.as_str(),
            "370402",
            "无证行医",
            "投诉举报",
            "立案",
            "",
            "非法注射",
        ]
        .iter()
        .map(|v| meijian_exports::Cell::text(*v))
        .collect();
        let xlsx = meijian_exports::to_xlsx_bytes(
            &meijian_exports::Table::of_texts("案件", &headers),
            vec![row],
        )
        .unwrap();
        let (status, report) = import(
            &app,
            &c,
            Some(&token),
            "/api/cases/import/cases",
            XLSX,
            xlsx,
        )
        .await;
        assert_eq!(status, 200, "{report}");
        assert_eq!(
            (&report["inserted"], &report["rejected"]),
            (&json!(1), &json!(0)),
            "{report}"
        );
        assert_eq!(report["file_name"], "cases.xlsx");
        assert_eq!(history_cases(&app).await, 3);
    }
);

both_backends!(
    an_import_over_the_upload_limit_is_refused,
    |db: TestDb| async move {
        let dir = tempfile::tempdir().unwrap();
        let settings = WebSettings {
            max_upload_bytes: 256,
            upload_dir: dir.path().to_path_buf(),
            ..WebSettings::default()
        };
        let app = TestApp::spawn_with(db, settings).await;
        let (c, token) = app.api_login("officer").await;
        let mut cases = cases_file(&app.accounts["officer"].department);
        while cases.len() <= 256 {
            cases.push_str("ZZA-099,填充行,2024-03-01,某局,370402,无证行医,投诉举报,立案,,\n");
        }
        let (status, body) = import(
            &app,
            &c,
            Some(&token),
            "/api/cases/import/cases",
            CSV,
            cases.into_bytes(),
        )
        .await;
        assert_eq!(status, 422, "{body}");
        assert!(message(&body).contains("上限"), "{body}");
        assert_eq!(history_cases(&app).await, 0);
        // Nothing is left staged.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
);
