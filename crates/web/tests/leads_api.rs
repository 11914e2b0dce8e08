//! Leads through the JSON API, on SQLite and PostgreSQL: intake at the desk, the steps of the
//! workflow, masking of the reporter for everyone but the handling department, 404 outside
//! what one may see, CSRF on every step, the 汇总表 counts and the OpenAPI document.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::TestApp;
use meijian_store::both_backends;
use meijian_store::testing::TestDb;
use serde_json::{json, Value};

async fn post(
    app: &TestApp,
    c: &reqwest::Client,
    token: &str,
    path: &str,
    body: Value,
) -> (u16, Value) {
    let r = c
        .post(app.url(path))
        .header("X-CSRF-Token", token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn get(app: &TestApp, c: &reqwest::Client, path: &str) -> (u16, Value) {
    let r = c.get(app.url(path)).send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

both_backends!(a_phone_complaint_through_the_api, |db: TestDb| async move {
    let app = TestApp::spawn(db).await;
    let (officer, token) = app.api_login("officer").await;
    let intake = json!({
        "kind": "report", "category": "unlicensed_practice", "channel": "hotline_12345",
        "channel_ref": "12345-2026-00077", "region_code": "370402",
        "subject_name": "丽人美容会所", "subject_address": "光明路18号",
        "description": "来电反映该会所无证注射玻尿酸，多人出现红肿。",
        "reporter": {"name": "王小花", "phone": "13812345678"}
    });
    let (status, ticket) = post(&app, &officer, &token, "/api/leads", intake.clone()).await;
    assert_eq!(status, 201, "{ticket}");
    let id = ticket["lead_id"].as_str().unwrap().to_string();
    assert_eq!(ticket["ticket_code"].as_str().unwrap().len(), 12);
    // Received Friday 2026-11-20 (the test clock): acceptance due Tuesday 1 December.
    assert_eq!(ticket["accept_due"], "2026-12-01T15:59:59Z");

    let (status, lead) = get(&app, &officer, &format!("/api/leads/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(lead["handling"], true);
    assert_eq!(lead["complaints"][0]["reporter"]["phone"], "13812345678");
    assert_eq!(lead["complaints"][0]["channel"], "12345转办");

    let (leader, leader_token) = app.api_login("leader").await;
    let (_, seen) = get(&app, &leader, &format!("/api/leads/{id}")).await;
    assert_eq!(seen["handling"], false);
    assert_eq!(seen["complaints"][0]["reporter"]["phone"], "138****5678");
    let (other, _) = app.api_login("officer2").await;
    assert_eq!(get(&app, &other, &format!("/api/leads/{id}")).await.0, 404);

    // Steps: out of order refused; without the token refused; then the whole path.
    let act = format!("/api/leads/{id}/actions");
    let (status, err) = post(
        &app,
        &officer,
        &token,
        &act,
        json!({"action": "verify", "finding": "substantiated", "note": "现场核查属实"}),
    )
    .await;
    assert_eq!(status, 422, "{err}");
    assert!(err["error"]["message"].as_str().unwrap().contains("待受理"));
    let r = officer
        .post(app.url(&act))
        .json(&json!({"action": "accept"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(
        post(
            &app,
            &leader,
            &leader_token,
            &act,
            json!({"action": "accept"})
        )
        .await
        .0,
        403
    );
    let (status, _) = post(&app, &officer, &token, &act, json!({"action": "accept"})).await;
    assert_eq!(status, 200);
    // 延期: the officer asks, the leader grants, and the lead waits for the new deadline. (15
    // working days from 20 November run to 11 December.)
    let ask = json!({"action": "request_extension", "reason": "需委托检验机构检验"});
    let (status, body) = post(&app, &officer, &token, &act, ask).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["extensions"][0]["state"], "requested");
    assert_eq!(body["extensions"][0]["old_due"], "2026-12-11T15:59:59Z");
    let grant = json!({"action": "decide_extension", "grant": true});
    assert_eq!(
        post(&app, &officer, &token, &act, grant.clone()).await.0,
        403
    );
    let (status, body) = post(&app, &leader, &leader_token, &act, grant).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["extensions"][0]["state"], "granted");
    let new_due = body["extensions"][0]["new_due"].as_str().unwrap();
    assert!(new_due > "2026-12-11T15:59:59Z", "{new_due}");
    assert_eq!(body["lead"]["next_due"], new_due);
    let (status, _) = post(
        &app,
        &officer,
        &token,
        &act,
        json!({"action": "verify", "finding": "substantiated", "note": "现场核查属实"}),
    )
    .await;
    assert_eq!(status, 200);
    // A penalty is decided on the lead's case: concluding with one before is refused.
    let conclude = json!({"action": "conclude", "outcome": "penalty", "note": "罚款二十万元"});
    let (status, body) = post(&app, &officer, &token, &act, conclude.clone()).await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("办理结果"),
        "{body}"
    );
    app.decide_case_for_lead(&officer, &token, &id, "200000")
        .await;
    for step in [
        conclude,
        json!({"action": "reply", "text": "经查属实，已依法处罚。"}),
        json!({"action": "satisfaction", "satisfaction": "basic"}),
        json!({"action": "propose_reward", "level": 1}),
    ] {
        let (status, body) = post(&app, &officer, &token, &act, step.clone()).await;
        assert_eq!(status, 200, "{step} → {body}");
    }
    let (_, lead) = get(&app, &officer, &format!("/api/leads/{id}")).await;
    assert_eq!(lead["lead"]["state"], "concluded");
    assert_eq!(lead["lead"]["satisfaction"], "basic");
    // 二级: 3 % of 200,000.
    assert_eq!(lead["reward"]["amount_yuan"], 6000);
    // Money in fen; whole yuan kept for clients of the first version.
    assert_eq!(lead["reward"]["amount_fen"], 600_000);
    assert_eq!(lead["reward"]["state"], "proposed");
    // Times as RFC 3339.
    assert!(lead["lead"]["received_at"].as_str().unwrap().ends_with('Z'));

    let (status, counts) = get(&app, &leader, "/api/leads/summary?month=2026-11").await;
    assert_eq!(status, 200);
    let total = counts.as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        total,
        json!({"region_code": "", "received": 1, "concluded": 1, "penalised": 1, "replied": 1, "satisfied": 1})
    );
    assert_eq!(
        get(&app, &leader, "/api/leads/summary?month=2026-13")
            .await
            .0,
        422
    );

    let (status, list) = get(&app, &leader, "/api/leads?due=closed").await;
    assert_eq!(status, 200);
    assert_eq!(list["total"], 1);
    assert_eq!(get(&app, &leader, "/api/leads?due=soon").await.0, 422);

    let (_, spec) = get(&app, &leader, "/api/openapi.json").await;
    for p in [
        "/api/leads",
        "/api/leads/{id}",
        "/api/leads/{id}/actions",
        "/api/referrals/{id}/actions",
        "/api/leads/summary",
    ] {
        assert!(spec["paths"].get(p).is_some(), "OpenAPI documents {p}");
    }
});

both_backends!(
    a_referral_and_a_police_transfer_through_the_api,
    |db: TestDb| async move {
        let app = TestApp::spawn(db).await;
        let (officer, token) = app.api_login("officer").await;
        let (_, t) = post(
            &app,
            &officer,
            &token,
            "/api/leads/clues",
            json!({
                "source": "inspection", "category": "price", "region_code": "370402",
                "subject_name": "婕斯美容院", "summary": "检查发现虚假原价标示。"
            }),
        )
        .await;
        let id = t["lead_id"]
            .as_str()
            .unwrap_or_else(|| panic!("{t}"))
            .to_string();
        // A price matter found by the health supervisors is referred to 市场监管 by the duty
        // matrix; the finder keeps it until they accept, and sees the referral.
        let (_, lead) = get(&app, &officer, &format!("/api/leads/{id}")).await;
        assert_eq!(lead["handling"], true);
        assert_eq!(lead["referrals"][0]["state"], "sent", "{lead}");
        assert!(lead["referrals"][0]["to_name"]
            .as_str()
            .unwrap()
            .contains("市场监督管理局"));

        let (_, mine) = post(
            &app,
            &officer,
            &token,
            "/api/leads/clues",
            json!({
                "source": "officer", "category": "unlicensed_practice", "region_code": "370402",
                "subject_name": "某居民楼工作室", "summary": "居民楼内疑似无证注射。"
            }),
        )
        .await;
        let mine = mine["lead_id"].as_str().unwrap().to_string();
        // A crime goes to the police as a step of the lead's case.
        let (status, body) = post(
            &app,
            &officer,
            &token,
            &format!("/api/leads/{mine}/actions"),
            json!({"action": "refer_to_police", "reason": "涉嫌非法行医，情节严重"}),
        )
        .await;
        assert_eq!(status, 422, "{body}");
        let (status, case) = post(
            &app,
            &officer,
            &token,
            "/api/cases",
            json!({
                "title": "某居民楼工作室非法行医案", "category": "unlicensed_practice",
                "origin": "inspection", "region_code": "370402", "filed_on": "2026-11-19",
                "violation": "居民楼内无证注射", "lead_id": mine,
                "parties": [{"kind": "person", "name": "王某"}]
            }),
        )
        .await;
        assert_eq!(status, 201, "{case}");
        let case_id = case["case"]["id"].as_str().unwrap().to_string();
        let version = case["case"]["version"].as_i64().unwrap();
        let (status, body) = post(
            &app,
            &officer,
            &token,
            &format!("/api/cases/{case_id}/transfers"),
            json!({"version": version, "urgent": true, "reason": "涉嫌非法行医，情节严重"}),
        )
        .await;
        assert_eq!(status, 201, "{body}");
        let tid = body["transfers"][0]["id"].as_str().unwrap().to_string();
        assert_eq!(body["transfers"][0]["state"], "proposed");
        let act = format!("/api/cases/{case_id}/transfers/{tid}/actions");
        let (leader, leader_token) = app.api_login("leader").await;
        let (_, waiting) = get(&app, &leader, "/api/transfers/waiting").await;
        assert_eq!(waiting[0]["transfer"]["id"], tid.as_str(), "{waiting}");
        assert_eq!(
            waiting[0]["transfer"]["steps"],
            json!(["approve", "refuse"])
        );
        let (status, body) = post(
            &app,
            &leader,
            &leader_token,
            &act,
            json!({"action": "approve"}),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["transfers"][0]["state"], "approved");
        // The police see it only once it is sent.
        let (police, police_token) = app.api_login("police").await;
        assert_eq!(
            get(&app, &police, "/api/transfers/waiting").await.1,
            json!([])
        );
        assert_eq!(
            get(&app, &police, &format!("/api/cases/{case_id}/transfers"))
                .await
                .0,
            404
        );
        let (status, body) = post(
            &app,
            &officer,
            &token,
            &act,
            json!({"action": "send", "package": ["letter"]}),
        )
        .await;
        assert_eq!(
            (status, body["error"]["message"].as_str()),
            (422, Some("移送材料：缺少涉嫌犯罪案件情况的调查报告"))
        );
        let (status, _) = post(
            &app,
            &officer,
            &token,
            &act,
            json!({"action": "send", "package": ["letter", "report", "items"]}),
        )
        .await;
        assert_eq!(status, 200);
        let (_, waiting) = get(&app, &police, "/api/transfers/waiting").await;
        assert_eq!(
            waiting[0]["transfer"]["steps"],
            json!(["receipt"]),
            "{waiting}"
        );
        let (status, body) = post(
            &app,
            &police,
            &police_token,
            &act,
            json!({"action": "receipt"}),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        let (status, body) = post(
            &app,
            &police,
            &police_token,
            &act,
            json!({"action": "police_decision", "filed": true, "note": "枣公立〔2026〕9号"}),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["transfers"][0]["state"], "filed");
        assert!(body["transfers"][0]["handover_due"].is_string());
        let (status, _) = post(
            &app,
            &police,
            &police_token,
            &act,
            json!({"action": "task", "kind": "appraisal", "detail": "对涉案注射剂进行鉴定"}),
        )
        .await;
        assert_eq!(status, 200);
        // The agency answers the request; the police may not mark it done for them.
        let (_, body) = get(&app, &officer, &format!("/api/cases/{case_id}/transfers")).await;
        let task = body["transfers"][0]["tasks"][0]["id"]
            .as_str()
            .unwrap()
            .to_string();
        let done = format!("/api/cases/{case_id}/police-tasks/{task}/done");
        assert_eq!(
            post(
                &app,
                &police,
                &police_token,
                &done,
                json!({"note": "已送检"})
            )
            .await
            .0,
            403
        );
        let (status, body) = post(&app, &officer, &token, &done, json!({"note": "已送检"})).await;
        assert_eq!(status, 200, "{body}");
        assert!(body["transfers"][0]["tasks"][0]["done_at"].is_string());
        let (_, spec) = get(&app, &officer, "/api/openapi.json").await;
        for p in [
            "/api/cases/{id}/transfers",
            "/api/cases/{id}/transfers/{transfer_id}/actions",
            "/api/transfers/waiting",
        ] {
            assert!(spec["paths"].get(p).is_some(), "OpenAPI documents {p}");
        }
    }
);
