//! Cases through the JSON API, on SQLite and PostgreSQL: 立案 with a person and a 主体库
//! operator, every stage to 结案 with penalties, discretion, basis, sharing and a meeting; a
//! stale version (409, nothing written), steps out of order, amounts refused, malformed days,
//! another district's officer (404), the evidence download, the list's filters, 督办, 延期 and
//! 撤销 by a leader, and the OpenAPI document.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::TestApp;
use meijian_store::both_backends;
use meijian_store::testing::TestDb;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

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

fn message(body: &Value) -> &str {
    body["error"]["message"].as_str().unwrap_or("")
}

/// An operator of the 主体库 for the officer: a provisional one registered from a clue.
async fn operator(app: &TestApp, c: &reqwest::Client, token: &str, name: &str) -> (String, String) {
    let (status, lead) = post(
        app,
        c,
        token,
        "/api/leads/clues",
        json!({
            "source": "inspection", "category": "unlicensed_practice", "region_code": "370402",
            "subject_name": name, "summary": "检查发现无证开展注射美容。"
        }),
    )
    .await;
    assert_eq!(status, 201, "{lead}");
    let lead_id = lead["lead_id"].as_str().unwrap().to_string();
    let (status, op) = post(
        app,
        c,
        token,
        "/api/operators/provisional",
        json!({ "lead_id": lead_id }),
    )
    .await;
    assert_eq!(status, 200, "{op}");
    (op["id"].as_str().unwrap().to_string(), lead_id)
}

fn new_case(title: &str, party: Value) -> Value {
    json!({
        "title": title, "category": "unlicensed_practice", "origin": "inspection",
        "region_code": "370402", "filed_on": "2026-11-18",
        "violation": "未取得医疗机构执业许可证擅自开展医疗美容注射。",
        "parties": [party], "basis_ids": ["LB01"]
    })
}

both_backends!(a_case_through_the_api, |db: TestDb| async move {
    let app = TestApp::spawn(db).await;
    let (officer, token) = app.api_login("officer").await;

    let (status, provisions) = get(&app, &officer, "/api/legal-basis").await;
    assert_eq!(status, 200);
    let lb01 = provisions
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["id"] == "LB01")
        .unwrap();
    assert_eq!(lb01["citation"], "《基本医疗卫生与健康促进法》第九十九条");

    // 立案 against a person; a malformed day is refused naming the field.
    let person = json!({"name": "张某某", "id_number": "370402199001011234"});
    let mut bad = new_case("张某某无证注射案", person.clone());
    bad["filed_on"] = json!("2026/11/18");
    let (status, err) = post(&app, &officer, &token, "/api/cases", bad).await;
    assert_eq!(status, 422, "{err}");
    assert!(message(&err).starts_with("立案日期"), "{err}");
    let mut bad = new_case("张某某无证注射案", person.clone());
    bad["category"] = json!("nonsense");
    assert_eq!(post(&app, &officer, &token, "/api/cases", bad).await.0, 422);
    let (status, case) = post(
        &app,
        &officer,
        &token,
        "/api/cases",
        new_case("张某某无证注射案", person),
    )
    .await;
    assert_eq!(status, 201, "{case}");
    let id = case["case"]["id"].as_str().unwrap().to_string();
    assert_eq!(case["case"]["stage"], "filed");
    assert_eq!(case["case"]["version"], 1);
    assert_eq!(case["case"]["filed_on"], "2026-11-18");
    assert!(case["case"]["case_no"].as_str().unwrap().starts_with("AJ"));
    assert_eq!(case["parties"][0]["kind"], "person");
    assert_eq!(case["parties"][0]["id_number"], "370402********1234");
    assert_eq!(case["basis"][0]["id"], "LB01");
    assert_eq!(case["events"][0]["action"], "opened");
    let steps: Vec<&str> = case["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert!(
        steps.contains(&"investigate") && steps.contains(&"parties"),
        "{steps:?}"
    );
    assert!(!steps.contains(&"decide"), "{steps:?}");
    let person_id = case["parties"][0]["id"].as_str().unwrap().to_string();

    let act = format!("/api/cases/{id}/actions");
    let mut version = 1;
    // Each step answers with the case afterwards; its version is the next step's.
    macro_rules! step {
        ($body:expr) => {{
            let mut body = $body;
            body["version"] = json!(version);
            let (status, after) = post(&app, &officer, &token, &act, body.clone()).await;
            assert_eq!(status, 200, "{body} → {after}");
            assert_eq!(after["case"]["version"], version + 1, "{body}");
            version += 1;
            after
        }};
    }

    // Out of order: 执行 while 立案.
    let (status, err) = post(
        &app,
        &officer,
        &token,
        &act,
        json!({"action": "execute", "version": 1}),
    )
    .await;
    assert_eq!(status, 422, "{err}");
    assert_eq!(message(&err), "办案流程：案件处于“立案”阶段，不能开始执行");
    // Without the CSRF token.
    let r = officer
        .post(app.url(&act))
        .json(&json!({"action": "investigate", "version": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);

    let after = step!(json!({"action": "investigate"}));
    assert_eq!(after["case"]["stage"], "investigating");

    // A 主体库 operator as the second party.
    let (op_id, _) = operator(&app, &officer, &token, "丽人美容会所").await;
    let after = step!(json!({"action": "add_party", "operator_id": op_id}));
    let org = &after["parties"][1];
    assert_eq!(org["kind"], "organisation");
    assert_eq!(org["name"], "丽人美容会所");
    let org_id = org["id"].as_str().unwrap().to_string();
    // A third, entered by mistake and removed.
    let after = step!(json!({"action": "add_party", "name": "李某"}));
    let li = after["parties"][2]["id"].as_str().unwrap().to_string();
    let after = step!(json!({"action": "remove_party", "party_id": li}));
    assert_eq!(after["parties"].as_array().unwrap().len(), 2);

    // Evidence is uploaded on the case page; here it is read back.
    let scope = meijian_store::Scope::for_user(
        meijian_store::Actor::system("officer"),
        app.accounts["officer"].role,
        app.department_id("health_supervision", "370402").await,
        meijian_domain::region::RegionCode::parse("370402").unwrap(),
    );
    let pdf = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n".to_vec();
    let evidence_id = meijian_store::cases::evidence::add(
        &app.db.store,
        &scope,
        meijian_web::Clock::now(app.clock.as_ref()),
        &id,
        version,
        "现场笔录.pdf",
        &pdf,
        "现场检查笔录",
    )
    .await
    .unwrap();
    version += 1;

    // Penalties: a 罚款 needs an amount, and not a negative or malformed one.
    let fine = |amount: Option<&str>| {
        let mut body = json!({
            "action": "add_penalty", "version": version, "party_id": org_id, "kind": "fine",
            "decided_on": "2026-11-19", "decision_no": "枣市中卫罚〔2026〕18号"
        });
        if let Some(a) = amount {
            body["amount_yuan"] = json!(a);
        }
        body
    };
    let (status, err) = post(&app, &officer, &token, &act, fine(None)).await;
    assert_eq!(status, 422, "{err}");
    assert_eq!(message(&err), "金额：罚款必须填写金额");
    let (status, err) = post(&app, &officer, &token, &act, fine(Some("-12,500.00"))).await;
    assert_eq!(status, 422, "{err}");
    assert_eq!(message(&err), "金额：金额不能为负数");
    let (status, err) = post(&app, &officer, &token, &act, fine(Some("12.345"))).await;
    assert_eq!(status, 422, "{err}");
    assert!(message(&err).starts_with("金额："), "{err}");
    let (status, err) = post(&app, &officer, &token, &act, fine(Some("0"))).await;
    assert_eq!(status, 422, "{err}");
    let mut bad_day = fine(Some("100"));
    bad_day["decided_on"] = json!("19/11/2026");
    let (status, err) = post(&app, &officer, &token, &act, bad_day).await;
    assert_eq!(status, 422, "{err}");
    assert!(message(&err).starts_with("决定日期"), "{err}");
    let after = step!(fine(Some("12,500.50")));
    let action = &after["actions"][0];
    assert_eq!(action["kind"], "fine");
    assert_eq!(action["amount_fen"], 1_250_050);
    assert_eq!(action["amount_yuan"], "12,500.50");
    assert_eq!(action["decided_on"], "2026-11-19");
    let after = step!(json!({
        "action": "add_penalty", "party_id": org_id, "kind": "warning",
        "decided_on": "2026-11-19", "decision_no": "枣市中卫罚〔2026〕18号"
    }));
    let warning = after["actions"][1]["id"].as_str().unwrap().to_string();
    let after = step!(json!({"action": "remove_penalty", "action_id": warning}));
    assert_eq!(after["actions"].as_array().unwrap().len(), 1);
    step!(json!({
        "action": "add_penalty", "party_id": person_id, "kind": "ban", "ban_years": 3,
        "decided_on": "2026-11-19", "decision_no": "枣市中卫罚〔2026〕19号"
    }));
    let after = step!(json!({
        "action": "severity", "party_id": org_id, "severity": "severe",
        "reason": "多次违法，造成多人损害"
    }));
    assert_eq!(after["parties"][1]["severity"], "severe");
    let after = step!(json!({"action": "set_basis", "basis_ids": ["LB01", "LB02"]}));
    assert_eq!(after["basis"].as_array().unwrap().len(), 2);
    let market = app.department_id("market_regulation", "370402").await;
    let after = step!(json!({
        "action": "share", "department_id": market, "grant": true, "note": "联合查处"
    }));
    assert_eq!(after["grants"][0]["department_id"], market.as_str());
    let after = step!(json!({
        "action": "meeting", "held_on": "2026-11-19", "department_ids": [market],
        "participants": "张执法、市场监管局王科长", "conclusions": "事实清楚，拟从重处罚"
    }));
    assert_eq!(after["meetings"][0]["held_on"], "2026-11-19");

    // A stale version is refused and writes nothing.
    let before = get(&app, &officer, &format!("/api/cases/{id}")).await.1;
    let (status, err) = post(
        &app,
        &officer,
        &token,
        &act,
        json!({"action": "notify", "version": version - 1, "on": "2026-11-19"}),
    )
    .await;
    assert_eq!(status, 409, "{err}");
    assert!(message(&err).contains("已被他人修改"), "{err}");
    let (status, err) = post(
        &app,
        &officer,
        &token,
        &act,
        json!({"action": "add_party", "version": 1, "name": "王某某"}),
    )
    .await;
    assert_eq!(status, 409, "{err}");
    let unchanged = get(&app, &officer, &format!("/api/cases/{id}")).await.1;
    assert_eq!(unchanged, before);
    assert_eq!(unchanged["case"]["stage"], "investigating");
    assert_eq!(unchanged["case"]["version"], version);

    // Another district's officer sees nothing of it.
    let (other, other_token) = app.api_login("officer2").await;
    assert_eq!(get(&app, &other, &format!("/api/cases/{id}")).await.0, 404);
    assert_eq!(
        post(
            &app,
            &other,
            &other_token,
            &act,
            json!({"action": "notify", "version": version, "on": "2026-11-19"})
        )
        .await
        .0,
        404
    );
    let r = other
        .get(app.url(&format!("/api/cases/{id}/evidence/{evidence_id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);

    // The evidence as recorded.
    let r = officer
        .get(app.url(&format!("/api/cases/{id}/evidence/{evidence_id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    let disposition = r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    assert_eq!(r.bytes().await.unwrap().to_vec(), pdf);
    let listed = &unchanged["evidence"][0];
    assert_eq!(listed["sha256"], hex::encode(Sha256::digest(&pdf)));
    assert_eq!(listed["size_bytes"], pdf.len());
    assert!(listed.get("data").is_none());
    assert_eq!(
        get(&app, &officer, &format!("/api/cases/{id}/evidence/nope"))
            .await
            .0,
        404
    );

    // 告知 → 决定 → 执行 → 结案.
    let after = step!(json!({
        "action": "notify", "on": "2026-11-19", "hearing": true, "note": "当事人提出陈述申辩"
    }));
    assert_eq!(after["case"]["stage"], "notified");
    assert_eq!(after["case"]["hearing"], true);
    let (status, err) = post(
        &app,
        &officer,
        &token,
        &act,
        json!({"action": "decide", "version": version, "on": "20261120"}),
    )
    .await;
    assert_eq!(status, 422, "{err}");
    assert!(message(&err).starts_with("决定日期"), "{err}");
    let after = step!(json!({"action": "decide", "on": "2026-11-20"}));
    assert_eq!(after["case"]["stage"], "decided");
    assert_eq!(after["case"]["decided_on"], "2026-11-20");
    assert!(after["case"]["decide_due"].is_null());
    step!(json!({"action": "execute"}));
    let after = step!(json!({"action": "close", "on": "2026-11-20", "note": "罚款已缴清"}));
    assert_eq!(after["case"]["stage"], "closed");
    assert_eq!(after["case"]["version"], version);
    assert_eq!(after["case"]["closed_on"], "2026-11-20");
    assert!(
        after["steps"].as_array().unwrap().is_empty(),
        "{}",
        after["steps"]
    );
    let events: Vec<&str> = after["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for e in [
        "opened",
        "investigating",
        "party_added",
        "party_removed",
        "evidence_added",
        "action_added",
        "action_removed",
        "severity_changed",
        "basis_changed",
        "shared",
        "meeting",
        "notified",
        "decided",
        "executing",
        "closed",
    ] {
        assert!(events.contains(&e), "{e} in {events:?}");
    }

    let (_, spec) = get(&app, &officer, "/api/openapi.json").await;
    for p in [
        "/api/cases",
        "/api/cases/{id}",
        "/api/cases/{id}/actions",
        "/api/cases/{id}/evidence/{evidence_id}",
        "/api/legal-basis",
    ] {
        assert!(spec["paths"].get(p).is_some(), "OpenAPI documents {p}");
    }
    let kinds = spec
        .pointer("/components/schemas/CaseApiAction/oneOf")
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v.pointer("/properties/action/enum/0") == Some(&json!("add_penalty")))
        .and_then(|v| v.pointer("/properties/kind/enum"))
        .cloned()
        .unwrap();
    assert!(kinds.as_array().unwrap().contains(&json!("fine")));
});

/// Two cases of the officer: an old one from a lead against an operator, long past its
/// decision limit, and a new one against a person in another category.
struct Two {
    a: String,
    b: Value,
    operator_id: String,
}

async fn two_cases(app: &TestApp, officer: &reqwest::Client, token: &str) -> Two {
    let (operator_id, lead_id) = operator(app, officer, token, "婕斯美容院").await;
    let mut old = new_case("婕斯美容院无证注射案", json!({"operator_id": operator_id}));
    old["filed_on"] = json!("2026-07-01");
    old["origin"] = json!("complaint");
    old["lead_id"] = json!(lead_id);
    old["case_no"] = json!("枣市中卫立〔2026〕7号");
    let (status, a) = post(app, officer, token, "/api/cases", old).await;
    assert_eq!(status, 201, "{a}");
    assert_eq!(a["case"]["case_no"], "枣市中卫立〔2026〕7号");
    assert_eq!(a["case"]["overdue"], true);
    assert_eq!(a["leads"][0]["id"], lead_id.as_str());
    let mut new = new_case(
        "王某某违法广告案",
        json!({"kind": "person", "name": "王某某"}),
    );
    new["category"] = json!("advertising");
    let (status, b) = post(app, officer, token, "/api/cases", new).await;
    assert_eq!(status, 201, "{b}");
    assert_eq!(b["case"]["overdue"], false);
    Two {
        a: a["case"]["id"].as_str().unwrap().to_string(),
        b,
        operator_id,
    }
}

both_backends!(cases_listed_with_filters, |db: TestDb| async move {
    let app = TestApp::spawn(db).await;
    let (officer, token) = app.api_login("officer").await;
    let (leader, _) = app.api_login("leader").await;
    let two = two_cases(&app, &officer, &token).await;
    let (a_id, op_id) = (two.a.clone(), two.operator_id.clone());
    let b_id = two.b["case"]["id"].as_str().unwrap().to_string();
    // The new case under investigation with a fine.
    let act_b = format!("/api/cases/{b_id}/actions");
    let (status, body) = post(
        &app,
        &officer,
        &token,
        &act_b,
        json!({"action": "investigate", "version": 1}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let party = two.b["parties"][0]["id"].as_str().unwrap();
    let (status, body) = post(
        &app,
        &officer,
        &token,
        &act_b,
        json!({
            "action": "add_penalty", "version": 2, "party_id": party, "kind": "fine",
            "amount_yuan": "12,500", "decided_on": "2026-11-20", "decision_no": "枣市中卫罚〔2026〕20号"
        }),
    )
    .await;
    assert_eq!(status, 200, "{body}");

    let ids = |list: &Value| -> Vec<String> {
        list["cases"]
            .as_array()
            .unwrap_or_else(|| panic!("{list}"))
            .iter()
            .map(|c| c["case"]["id"].as_str().unwrap().to_string())
            .collect()
    };
    let (status, all) = get(&app, &officer, "/api/cases").await;
    assert_eq!(status, 200, "{all}");
    assert_eq!(all["total"], 2);
    // Newest 立案 first, with the parties and what was fined.
    assert_eq!(ids(&all), vec![b_id.clone(), a_id.clone()]);
    assert_eq!(all["cases"][0]["parties"], "王某某");
    assert_eq!(all["cases"][0]["forfeiture_fen"], 1_250_000);
    assert_eq!(all["cases"][0]["forfeiture_yuan"], "12,500.00");
    assert_eq!(all["cases"][1]["forfeiture_fen"], 0);
    assert_eq!(all["cases"][1]["case"]["overdue"], true);
    let by_operator = format!("operator_id={op_id}");
    for (query, expected) in [
        ("overdue=true", vec![a_id.clone()]),
        ("category=advertising", vec![b_id.clone()]),
        ("origin=complaint", vec![a_id.clone()]),
        ("q=王某某", vec![b_id.clone()]),
        ("q=枣市中卫立", vec![a_id.clone()]),
        (by_operator.as_str(), vec![a_id.clone()]),
        ("stage=investigating", vec![b_id.clone()]),
        ("stage=filed&region=370402", vec![a_id.clone()]),
        ("stage=&category=&origin=", vec![b_id.clone(), a_id.clone()]),
        ("stage=closed", vec![]),
        ("limit=1&offset=1", vec![a_id.clone()]),
    ] {
        let (status, list) = get(&app, &officer, &format!("/api/cases?{query}")).await;
        assert_eq!(status, 200, "{query}: {list}");
        assert_eq!(ids(&list), expected, "{query}");
    }
    assert_eq!(
        get(&app, &officer, "/api/cases?limit=1&offset=1").await.1["total"],
        2
    );
    for bad in [
        "stage=open",
        "category=x",
        "origin=y",
        "limit=0",
        "offset=-1",
        "overdue=yes",
        "region=37",
    ] {
        let (status, err) = get(&app, &officer, &format!("/api/cases?{bad}")).await;
        assert_eq!(status, 422, "{bad}: {err}");
    }
    // Other districts see none; the city's leader sees both.
    let (other, _) = app.api_login("officer2").await;
    assert_eq!(get(&app, &other, "/api/cases").await.1["total"], 0);
    assert_eq!(
        get(&app, &leader, "/api/cases?region=370402").await.1["total"],
        2
    );
    assert_eq!(
        get(&app, &leader, "/api/cases?region=370403").await.1["total"],
        0
    );
});

both_backends!(
    cases_supervised_extended_and_withdrawn,
    |db: TestDb| async move {
        let app = TestApp::spawn(db).await;
        let (officer, token) = app.api_login("officer").await;
        let (leader, leader_token) = app.api_login("leader").await;
        let two = two_cases(&app, &officer, &token).await;
        let (a_id, b) = (two.a, two.b);
        let b_id = b["case"]["id"].as_str().unwrap().to_string();

        // 督办 of the overdue case, by the leader only.
        let (status, seen) = get(&app, &leader, &format!("/api/cases/{a_id}")).await;
        assert_eq!(status, 200, "{seen}");
        let steps = seen["steps"].as_array().unwrap();
        assert!(steps.contains(&json!("supervise")), "{steps:?}");
        assert!(!steps.contains(&json!("investigate")), "{steps:?}");
        let supervise = json!({"action": "supervise", "version": 1, "note": "请尽快作出决定"});
        let (status, _) = post(
            &app,
            &officer,
            &token,
            &format!("/api/cases/{a_id}/actions"),
            supervise.clone(),
        )
        .await;
        assert_eq!(status, 403);
        let (status, body) = post(
            &app,
            &leader,
            &leader_token,
            &format!("/api/cases/{a_id}/actions"),
            supervise,
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["case"]["version"], 2);
        assert!(body["events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "supervised"));
        // Its limit has passed: no extension any more.
        let (status, err) = post(
            &app,
            &officer,
            &token,
            &format!("/api/cases/{a_id}/actions"),
            json!({"action": "extend", "version": 2, "reason": "需委托检验机构鉴定"}),
        )
        .await;
        assert_eq!(status, 422, "{err}");
        assert!(message(&err).contains("决定期限已过"), "{err}");

        // 延期 of the new case: asked by the officer, granted by the leader.
        let act_b = format!("/api/cases/{b_id}/actions");
        let due = b["case"]["decide_due"].as_str().unwrap().to_string();
        let (status, body) = post(
            &app,
            &officer,
            &token,
            &act_b,
            json!({"action": "extend", "version": 1, "reason": "需委托检验机构鉴定"}),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["case"]["extension_state"], "requested");
        let (status, body) = post(
            &app,
            &leader,
            &leader_token,
            &act_b,
            json!({"action": "decide_extension", "version": 2, "grant": true}),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["case"]["extension_state"], "granted");
        assert!(body["case"]["decide_due"].as_str().unwrap() > due.as_str());
        // 撤销 by the leader.
        let (status, body) = post(
            &app,
            &leader,
            &leader_token,
            &act_b,
            json!({"action": "withdraw", "version": 3, "reason": "当事人信息录入错误，重复立案"}),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["case"]["stage"], "withdrawn");
        assert!(body["case"]["withdrawn_at"]
            .as_str()
            .unwrap()
            .ends_with('Z'));
        // An unknown action, a missing version.
        let (status, _) = post(
            &app,
            &officer,
            &token,
            &format!("/api/cases/{a_id}/actions"),
            json!({"action": "police", "version": 2}),
        )
        .await;
        assert_eq!(status, 422);
        let (status, _) = post(
            &app,
            &officer,
            &token,
            &format!("/api/cases/{a_id}/actions"),
            json!({"action": "investigate"}),
        )
        .await;
        assert_eq!(status, 422);
    }
);
