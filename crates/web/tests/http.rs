//! The web application through HTTP, on SQLite and PostgreSQL: sign-in, lockout, sessions,
//! CSRF, jurisdiction scopes (including guessed ids), administration, API and operations.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::TestApp;
use meijian_store::both_backends;
use meijian_store::testing::TestDb;
use time::Duration;

async fn failed_logins(app: &TestApp, username: &str) -> i64 {
    sqlx::query_scalar("select failed_logins from account where username = $1")
        .bind(username)
        .fetch_one(app.db.store.pool())
        .await
        .unwrap()
}

both_backends!(
    wrong_password_is_refused_counted_and_audited,
    |db: TestDb| async move {
        let app = TestApp::spawn(db).await;
        let c = app.client();
        let r = c
            .post(app.url("/login"))
            .form(&[("username", "officer"), ("password", "Wrong-Password-1")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401);
        let html = r.text().await.unwrap();
        assert!(html.contains("用户名或密码错误"), "{html}");
        assert_eq!(failed_logins(&app, "officer").await, 1);
        // An unknown user gets the very same message and counts nothing anywhere.
        let r = c
            .post(app.url("/login"))
            .form(&[("username", "nobody"), ("password", "x")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401);
        assert!(r.text().await.unwrap().contains("用户名或密码错误"));
        let n: i64 = sqlx::query_scalar(
            "select count(*) from audit_entry where action = 'account.login_failed'",
        )
        .fetch_one(app.db.store.pool())
        .await
        .unwrap();
        assert_eq!(n, 1);
    }
);

both_backends!(
    session_rotates_expires_when_idle_and_ends_on_logout,
    |db: TestDb| async move {
        let app = TestApp::spawn(db).await;
        let c = app.login("leader").await;
        assert_eq!(app.get_text(&c, "/").await.0, 200);
        // 29 minutes idle: still signed in; the request resets the idle timer.
        app.clock.advance(Duration::minutes(29));
        assert_eq!(app.get_text(&c, "/").await.0, 200);
        app.clock.advance(Duration::minutes(29));
        assert_eq!(app.get_text(&c, "/").await.0, 200);
        // 31 minutes idle: signed out.
        app.clock.advance(Duration::minutes(31));
        let r = c.get(app.url("/")).send().await.unwrap();
        assert_eq!(r.status(), 303);
        assert_eq!(r.headers()["location"], "/login");
        let r = c.get(app.url("/api/me")).send().await.unwrap();
        assert_eq!(r.status(), 401);

        // Logout deletes the session on the server: a copied cookie is worthless afterwards.
        let c = app.login("leader").await;
        let n_before: i64 = sqlx::query_scalar("select count(*) from session")
            .fetch_one(app.db.store.pool())
            .await
            .unwrap();
        let token = app.csrf(&c).await;
        let r = c
            .post(app.url("/logout"))
            .form(&[("_csrf", token.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        let n_after: i64 = sqlx::query_scalar("select count(*) from session")
            .fetch_one(app.db.store.pool())
            .await
            .unwrap();
        assert_eq!(n_after, n_before - 1);
        assert_eq!(
            c.get(app.url("/api/me")).send().await.unwrap().status(),
            401
        );
    }
);

both_backends!(
    absolute_lifetime_ends_an_active_session,
    |db: TestDb| async move {
        let app = TestApp::spawn(db).await;
        let c = app.login("leader").await;
        for _ in 0..24 {
            app.clock.advance(Duration::minutes(29));
            if app.get_text(&c, "/api/me").await.0 != 200 {
                break;
            }
        }
        // 24 × 29 min ≈ 11.6 h of activity: still in. Past 12 h: out, however active.
        assert_eq!(app.get_text(&c, "/api/me").await.0, 200);
        app.clock.advance(Duration::minutes(29));
        assert_eq!(app.get_text(&c, "/api/me").await.0, 401);
    }
);

both_backends!(
    forms_without_the_csrf_token_or_from_elsewhere_are_refused,
    |db: TestDb| async move {
        let app = TestApp::spawn(db).await;
        let c = app.login("admin").await;
        let dept = app.department_id("health", "370402").await;
        let form = |csrf: &str| {
            vec![
                ("_csrf", csrf.to_string()),
                ("username", "newbie".into()),
                ("display_name", "新人".into()),
                ("role", "officer".into()),
                ("department_id", dept.clone()),
            ]
        };
        let count = || async {
            sqlx::query_scalar::<_, i64>("select count(*) from account")
                .fetch_one(app.db.store.pool())
                .await
                .unwrap()
        };
        let before = count().await;
        let r = c
            .post(app.url("/admin/users"))
            .form(&form(""))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
        let r = c
            .post(app.url("/admin/users"))
            .form(&form(&"0".repeat(64)))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
        let token = app.csrf(&c).await;
        let r = c
            .post(app.url("/admin/users"))
            .header("origin", "https://evil.example")
            .form(&form(&token))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
        assert_eq!(count().await, before, "no refused request changed anything");
        let r = c
            .post(app.url("/admin/users"))
            .form(&form(&token))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert!(r.text().await.unwrap().contains("初始密码"));
        assert_eq!(count().await, before + 1);
        // The API needs the header token for unsafe methods.
        let (api, token) = app.api_login("admin").await;
        let body = serde_json::json!({"kind": "customs", "region_code": "370402"});
        assert_eq!(
            api.post(app.url("/api/departments"))
                .json(&body)
                .send()
                .await
                .unwrap()
                .status(),
            403
        );
        assert_eq!(
            api.post(app.url("/api/departments"))
                .header("x-csrf-token", token)
                .json(&body)
                .send()
                .await
                .unwrap()
                .status(),
            201
        );
    }
);

/// Department ids a user can see through the API.
async fn visible_departments(app: &TestApp, username: &str) -> Vec<(String, String)> {
    let (c, _) = app.api_login(username).await;
    let list: Vec<serde_json::Value> = c
        .get(app.url("/api/departments"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    list.iter()
        .map(|d| {
            (
                d["id"].as_str().unwrap().to_string(),
                d["region_code"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

both_backends!(
    a_district_officer_sees_only_that_district,
    |db: TestDb| async move {
        let app = TestApp::spawn(db).await;
        let seen = visible_departments(&app, "officer").await;
        assert!(!seen.is_empty());
        assert!(
            seen.iter().all(|(_, region)| region == "370402"),
            "{seen:?}"
        );
        let total: i64 =
            sqlx::query_scalar("select count(*) from department where region_code = '370402'")
                .fetch_one(app.db.store.pool())
                .await
                .unwrap();
        assert_eq!(seen.len() as i64, total, "and all of it");
    }
);

both_backends!(
    a_city_leader_sees_all_its_districts,
    |db: TestDb| async move {
        let app = TestApp::spawn(db).await;
        let seen = visible_departments(&app, "leader").await;
        let total: i64 = sqlx::query_scalar("select count(*) from department")
            .fetch_one(app.db.store.pool())
            .await
            .unwrap();
        assert_eq!(seen.len() as i64, total);
        for d in ["370400", "370402", "370403", "370404"] {
            assert!(seen.iter().any(|(_, r)| r == d), "missing {d}");
        }
    }
);

both_backends!(
    another_districts_record_or_a_guessed_id_is_404_and_reveals_nothing,
    |db: TestDb| async move {
        let app = TestApp::spawn(db).await;
        let other = app.department_id("market_regulation", "370403").await;
        let own = app.department_id("health", "370402").await;
        let c = app.login("officer").await;
        let (code, own_html) = app.get_text(&c, &format!("/departments/{own}")).await;
        assert_eq!(code, 200);
        assert!(own_html.contains("市中区"));
        let (code_other, html_other) = app.get_text(&c, &format!("/departments/{other}")).await;
        let (code_guess, html_guess) = app
            .get_text(&c, "/departments/0190aaaaaaaa7bbbbbbbbbbbbbbbbbbb")
            .await;
        assert_eq!((code_other, code_guess), (404, 404));
        assert!(
            !html_other.contains("薛城"),
            "nothing of the other record shows"
        );
        // The page for an existing out-of-scope id and a made-up one differ only in the request id.
        let strip = |s: &str| s.split("<code>").next().unwrap_or("").to_string();
        assert_eq!(strip(&html_other), strip(&html_guess));
        let (api, _) = app.api_login("officer").await;
        let r = api
            .get(app.url(&format!("/api/departments/{other}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404);
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["error"]["code"], "not_found");
        // A user of another district cannot see the first district's admin record either.
        let admin = app.login("admin").await;
        let officer2_id = app.accounts["officer2"].id.clone();
        assert_eq!(
            app.get_text(&admin, &format!("/admin/users/{officer2_id}"))
                .await
                .0,
            200
        );
    }
);

both_backends!(roles_limit_what_a_user_can_do, |db: TestDb| async move {
    let app = TestApp::spawn(db).await;
    let officer = app.login("officer").await;
    assert_eq!(app.get_text(&officer, "/admin").await.0, 403);
    assert_eq!(app.get_text(&officer, "/audit").await.0, 403);
    let (api, token) = app.api_login("officer").await;
    assert_eq!(
        api.get(app.url("/api/users"))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    let dept = app.department_id("health", "370402").await;
    let r = api.post(app.url("/api/users")).header("x-csrf-token", token)
        .json(&serde_json::json!({"username": "sneaky", "display_name": "x", "role": "administrator", "department_id": dept}))
        .send().await.unwrap();
    assert_eq!(r.status(), 403);
    let leader = app.login("leader").await;
    assert_eq!(app.get_text(&leader, "/audit").await.0, 200);
    assert_eq!(app.get_text(&leader, "/admin").await.0, 403);
});

both_backends!(
    a_district_admin_manages_only_its_district,
    |db: TestDb| async move {
        let app = TestApp::spawn(db).await;
        // The city admin creates a district administrator for 市中区 through the API.
        let (admin, token) = app.api_login("admin").await;
        let dept = app.department_id("health", "370402").await;
        let r = admin.post(app.url("/api/users")).header("x-csrf-token", &token)
        .json(&serde_json::json!({"username": "szq-admin", "display_name": "市中区管理员", "role": "administrator", "department_id": dept}))
        .send().await.unwrap();
        assert_eq!(r.status(), 201);
        let created: serde_json::Value = r.json().await.unwrap();
        let pw = created["initial_password"].as_str().unwrap().to_string();
        let c = app.client();
        let r = c
            .post(app.url("/api/session"))
            .json(&serde_json::json!({"username": "szq-admin", "password": pw}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let token: String = r.json::<serde_json::Value>().await.unwrap()["csrf_token"]
            .as_str()
            .unwrap()
            .into();
        let users: Vec<serde_json::Value> = c
            .get(app.url("/api/users"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(
            users
                .iter()
                .all(|u| u["department_name"].as_str().unwrap().contains("市中区")),
            "{users:?}"
        );
        // It cannot create a user in 薛城区, nor a department there.
        let other = app.department_id("health", "370403").await;
        let r = c.post(app.url("/api/users")).header("x-csrf-token", &token)
        .json(&serde_json::json!({"username": "xc-user", "display_name": "x", "role": "officer", "department_id": other}))
        .send().await.unwrap();
        assert_eq!(r.status(), 422);
        let r = c
            .post(app.url("/api/departments"))
            .header("x-csrf-token", &token)
            .json(&serde_json::json!({"kind": "customs", "region_code": "370403"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422);
        assert_eq!(
            c.get(app.url(&format!("/api/users/{}", app.accounts["officer2"].id)))
                .send()
                .await
                .unwrap()
                .status(),
            404
        );
    }
);

both_backends!(
    disabling_or_resetting_a_password_ends_sessions,
    |db: TestDb| async move {
        let app = TestApp::spawn(db).await;
        let victim = app.login("officer2").await;
        let admin = app.login("admin").await;
        let token = app.csrf(&admin).await;
        let id = app.accounts["officer2"].id.clone();
        let r = admin
            .post(app.url(&format!("/admin/users/{id}/reset-password")))
            .form(&[("_csrf", token.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert!(r.text().await.unwrap().contains("新密码"));
        assert_eq!(app.get_text(&victim, "/api/me").await.0, 401);
        let victim = app.client();
        let r = victim
            .post(app.url("/login"))
            .form(&[
                ("username", "officer2"),
                ("password", &app.password("officer2")),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401, "the old password is gone");
        let r = admin
            .post(app.url(&format!("/admin/users/{id}/disable")))
            .form(&[("_csrf", token.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let disabled: i64 = sqlx::query_scalar("select disabled from account where id = $1")
            .bind(&id)
            .fetch_one(app.db.store.pool())
            .await
            .unwrap();
        assert_eq!(disabled, 1);
    }
);

both_backends!(
    dashboard_shows_the_real_counts_of_the_jurisdiction,
    |db: TestDb| async move {
        let app = TestApp::spawn(db).await;
        let c = app.login("officer").await;
        let (code, html) = app.get_text(&c, "/").await;
        assert_eq!(code, 200);
        let n: i64 =
            sqlx::query_scalar("select count(*) from department where region_code = '370402'")
                .fetch_one(app.db.store.pool())
                .await
                .unwrap();
        assert!(
            html.contains(&format!("data-count=\"departments\">{n}<")),
            "{html}"
        );
        let accounts: i64 = sqlx::query_scalar("select count(*) from account a join department d on d.id = a.department_id where d.region_code = '370402'").fetch_one(app.db.store.pool()).await.unwrap();
        assert!(html.contains(&format!("data-count=\"accounts\">{accounts}<")));
        assert!(html.contains("山东省枣庄市市中区"));
        for area in [
            "登记数据",
            "证照比对",
            "投诉举报",
            "线索台账",
            "检查",
            "案件",
            "统计报表",
            "公开查询",
        ] {
            assert!(html.contains(area), "navigation lists {area}");
        }
        let (api, _) = app.api_login("officer").await;
        let counts: serde_json::Value = api
            .get(app.url("/api/dashboard"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(counts["departments"], n);
    }
);

both_backends!(
    every_change_is_audited_with_who_and_before_after,
    |db: TestDb| async move {
        let app = TestApp::spawn(db).await;
        let (admin, token) = app.api_login("admin").await;
        let r = admin
            .post(app.url("/api/departments"))
            .header("x-csrf-token", &token)
            .json(&serde_json::json!({"kind": "customs", "region_code": "370403"}))
            .send()
            .await
            .unwrap();
        let d: serde_json::Value = r.json().await.unwrap();
        let (actor, after): (String, String) = sqlx::query_as("select actor_name, after_json from audit_entry where action = 'department.create' and entity_id = $1")
        .bind(d["id"].as_str().unwrap()).fetch_one(app.db.store.pool()).await.unwrap();
        assert_eq!(actor, "admin");
        assert!(after.contains("370403"));
        assert_eq!(
            meijian_store::audit::verify(&app.db.store).await.unwrap(),
            meijian_store::audit::Verdict::Intact {
                entries: sqlx::query_scalar("select count(*) from audit_entry")
                    .fetch_one(app.db.store.pool())
                    .await
                    .unwrap()
            }
        );
    }
);

both_backends!(operations_endpoints_and_headers, |db: TestDb| async move {
    let app = TestApp::spawn(db).await;
    let c = app.client();
    let r = c.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let spec: serde_json::Value = c
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for p in [
        "/api/session",
        "/api/me",
        "/api/departments",
        "/api/departments/{id}",
        "/api/users",
        "/api/users/{id}",
        "/api/dashboard",
        "/api/users/{id}/actions",
        "/api/audit",
        "/healthz",
    ] {
        assert!(spec["paths"].get(p).is_some(), "OpenAPI documents {p}");
    }
    let r = c.get(app.url("/login")).send().await.unwrap();
    let h = r.headers();
    assert!(h["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("frame-ancestors 'none'"));
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["cache-control"], "no-store");
    assert!(h.contains_key("x-request-id"));
    let _ = app.login("leader").await;
    let metrics = c
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.contains("meijian_http_requests_total"), "{metrics}");
    let r = c.get(app.url("/no/such/page")).send().await.unwrap();
    assert_eq!(r.status(), 404);
    let html = r.text().await.unwrap();
    assert!(html.contains("不存在") && html.contains("请求编号"));
    // The session cookie is HttpOnly and SameSite.
    let r = c
        .post(app.url("/login"))
        .form(&[
            ("username", "leader"),
            ("password", &app.password("leader")),
        ])
        .send()
        .await
        .unwrap();
    let cookies: Vec<&str> = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect();
    let session = cookies
        .iter()
        .find(|c| c.starts_with("meijian_session="))
        .unwrap();
    assert!(
        session.contains("HttpOnly") && session.contains("SameSite=Lax"),
        "{session}"
    );
    let device = cookies
        .iter()
        .find(|c| c.starts_with("meijian_device="))
        .unwrap();
    assert!(
        device.contains("HttpOnly") && device.contains("SameSite=Strict"),
        "{device}"
    );
});

both_backends!(
    an_institution_account_sees_only_its_own_home,
    |db: TestDb| async move {
        let app = TestApp::spawn(db).await;
        let c = app.login("institution").await;
        let (code, html) = app.get_text(&c, "/").await;
        assert_eq!(code, 200);
        assert!(
            html.contains("医疗机构账号") && !html.contains("data-count"),
            "{html}"
        );
        assert!(!html.contains("部门通讯录"));
        assert_eq!(app.get_text(&c, "/departments").await.0, 403);
        let (api, _) = app.api_login("institution").await;
        assert_eq!(
            api.get(app.url("/api/dashboard"))
                .send()
                .await
                .unwrap()
                .status(),
            403
        );
        assert_eq!(
            api.get(app.url("/api/departments"))
                .send()
                .await
                .unwrap()
                .status(),
            403
        );
    }
);

both_backends!(
    malformed_api_input_gets_the_api_error_format,
    |db: TestDb| async move {
        let app = TestApp::spawn(db).await;
        let (api, token) = app.api_login("admin").await;
        let r = api
            .post(app.url("/api/users"))
            .header("x-csrf-token", &token)
            .header("content-type", "application/json")
            .body("{\"username\": 5")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422);
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["error"]["code"], "invalid");
        assert!(body["error"]["request_id"]
            .as_str()
            .is_some_and(|s| !s.is_empty()));
        let r = api.post(app.url("/api/users")).header("x-csrf-token", &token)
        .json(&serde_json::json!({"username": "Bad Name", "display_name": "x", "role": "officer", "department_id": app.department_id("health", "370402").await}))
        .send().await.unwrap();
        assert_eq!(r.status(), 422);
        let body: serde_json::Value = r.json().await.unwrap();
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("用户名"),
            "{body}"
        );
    }
);

both_backends!(
    admin_actions_and_audit_through_the_api,
    |db: TestDb| async move {
        let app = TestApp::spawn(db).await;
        let (admin, token) = app.api_login("admin").await;
        let id = app.accounts["analyst"].id.clone();
        let r = admin
            .post(app.url(&format!("/api/users/{id}/actions")))
            .header("x-csrf-token", &token)
            .json(&serde_json::json!({"action": "reset_password"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let body: serde_json::Value = r.json().await.unwrap();
        let pw = body["new_password"].as_str().unwrap().to_string();
        let c = app.client();
        let r = c
            .post(app.url("/api/session"))
            .json(&serde_json::json!({"username": "analyst", "password": pw}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "the new password works");
        let r = admin
            .post(app.url(&format!("/api/users/{id}/actions")))
            .header("x-csrf-token", &token)
            .json(&serde_json::json!({"action": "disable"}))
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.json::<serde_json::Value>().await.unwrap()["user"]["disabled"],
            true
        );
        assert_eq!(
            c.get(app.url("/api/me")).send().await.unwrap().status(),
            401,
            "a disabled user's session ends"
        );
        let entries: Vec<serde_json::Value> = admin
            .get(app.url("/api/audit?limit=5"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(entries.len(), 5);
        assert_eq!(entries[0]["action"], "account.disable");
        assert_eq!(entries[0]["actor"], "admin");
        assert!(entries[0]["before"]
            .as_str()
            .unwrap()
            .contains("\"disabled\":0"));
        // A district officer has no audit API, and a guessed user id is 404 for the admin too.
        let (officer, _) = app.api_login("officer").await;
        assert_eq!(
            officer
                .get(app.url("/api/audit"))
                .send()
                .await
                .unwrap()
                .status(),
            403
        );
        let r = admin
            .post(app.url("/api/users/0190aaaaaaaa7bbbbbbbbbbbbbbbbbbb/actions"))
            .header("x-csrf-token", &token)
            .json(&serde_json::json!({"action": "unlock"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404);
        // Nobody disables their own account, by page or by API.
        let me = app.accounts["admin"].id.clone();
        let r = admin
            .post(app.url(&format!("/api/users/{me}/actions")))
            .header("x-csrf-token", &token)
            .json(&serde_json::json!({"action": "disable"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422);
    }
);

// --- Hardening (issue 10): input hygiene, long cells, multipart CSRF, origin scheme, API
// --- query and path errors.

const NUL_REFUSED: &str = "含有不可见的控制字符 NUL，请删除后重试";

/// The JSON error of an API answer: (status, code, message).
async fn api_error(r: reqwest::Response) -> (u16, String, String) {
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    let body: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}"));
    assert!(
        body["error"]["request_id"]
            .as_str()
            .is_some_and(|s| !s.is_empty()),
        "{body}"
    );
    (
        status,
        body["error"]["code"].as_str().unwrap_or("").to_string(),
        body["error"]["message"].as_str().unwrap_or("").to_string(),
    )
}

both_backends!(
    a_nul_in_any_text_input_is_refused_naming_the_field,
    |db: TestDb| async move {
        let app = TestApp::spawn(db).await;
        // A search box (query string) of a page.
        let officer = app.login("officer").await;
        let (code, html) = app
            .get_text(&officer, "/registries/registrations?q=%00")
            .await;
        assert_eq!(code, 422, "{html}");
        assert!(html.contains(&format!("字段 q：{NUL_REFUSED}")), "{html}");
        // The path.
        let (code, html) = app.get_text(&officer, "/departments/ab%00cd").await;
        assert_eq!(code, 422, "{html}");
        // The sign-in form (URL-encoded body).
        let r = app
            .client()
            .post(app.url("/login"))
            .form(&[("username", "offi\0cer"), ("password", "x")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(
            html.contains(&format!("字段 username：{NUL_REFUSED}")),
            "{html}"
        );
        // Sign-in through the API (JSON body), and a NUL deep in a JSON body.
        let r = app
            .client()
            .post(app.url("/api/session"))
            .json(&serde_json::json!({"username": "officer\u{0}", "password": "x"}))
            .send()
            .await
            .unwrap();
        let (status, code, message) = api_error(r).await;
        assert_eq!((status, code.as_str()), (422, "invalid"));
        assert_eq!(message, format!("字段 username：{NUL_REFUSED}"));
        let (api, token) = app.api_login("officer").await;
        let r = api
            .post(app.url("/api/leads"))
            .header("x-csrf-token", &token)
            .json(&serde_json::json!({
                "kind": "complaint", "category": "price", "channel": "phone",
                "region_code": "370402", "subject_name": "某诊所", "description": "乱收费",
                "reporter": {"name": "张\u{0}三", "phone": "13912345678"}
            }))
            .send()
            .await
            .unwrap();
        let (status, _, message) = api_error(r).await;
        assert_eq!(status, 422);
        assert!(message.starts_with("字段 reporter.name："), "{message}");
        // The public lookup API (query string).
        let r = app
            .client()
            .get(app.url("/api/public/institutions?q=%E7%BE%8E%00"))
            .send()
            .await
            .unwrap();
        let (status, code, message) = api_error(r).await;
        assert_eq!((status, code.as_str()), (422, "invalid"));
        assert_eq!(message, format!("字段 q：{NUL_REFUSED}"));
        // The public complaint form (multipart): the field is named, nothing is stored.
        let public = app.client();
        let (_, html) = app.get_text(&public, "/complaints/new").await;
        let marker = "name=\"_token\" value=\"";
        let start = html.find(marker).unwrap() + marker.len();
        let form_token = html[start..start + html[start..].find('"').unwrap()].to_string();
        app.clock.advance(Duration::seconds(5));
        let form = reqwest::multipart::Form::new()
            .text("_token", form_token)
            .text("extra_note", "")
            .text("kind", "report")
            .text("category", "advertising")
            .text("region_code", "370403")
            .text("subject_name", "薛城某\u{0}诊所")
            .text(
                "description",
                "朋友圈广告宣称“无痕双眼皮永久保持”，没有广告审查证明。",
            )
            .text("anonymous", "1");
        let r = public
            .post(app.url("/complaints"))
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(
            html.contains(&format!("字段 subject_name：{NUL_REFUSED}")),
            "{html}"
        );
        let leads: i64 = sqlx::query_scalar("select count(*) from lead")
            .fetch_one(app.db.store.pool())
            .await
            .unwrap();
        let seeded: i64 =
            sqlx::query_scalar("select count(*) from lead where subject_name like '薛城某%'")
                .fetch_one(app.db.store.pool())
                .await
                .unwrap();
        assert_eq!(seeded, 0, "nothing stored ({leads} leads)");
    }
);

both_backends!(
    direction_overrides_are_removed_from_names,
    |db: TestDb| async move {
        let app = TestApp::spawn(db).await;
        let admin = app.login("admin").await;
        let csrf = app.csrf(&admin).await;
        let r = admin
            .post(app.url("/admin/departments"))
            .form(&[
                ("_csrf", csrf.as_str()),
                ("kind", "customs"),
                ("region_code", "370402"),
                ("name", "市中\u{202E}海关\u{202C}"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let (api, token) = app.api_login("admin").await;
        let r = api
            .post(app.url("/api/departments"))
            .header("x-csrf-token", &token)
            .json(&serde_json::json!({"kind": "customs", "region_code": "370403", "name": "薛城\u{2066}海关\u{2069}"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        let d: serde_json::Value = r.json().await.unwrap();
        assert_eq!(d["name"], "薛城海关");
        let names: Vec<String> = sqlx::query_scalar(
            "select name from department where kind = 'customs' and region_code in ('370402', '370403') order by region_code",
        )
        .fetch_all(app.db.store.pool())
        .await
        .unwrap();
        assert_eq!(names, ["市中海关", "薛城海关"]);
        // A search with an override finds what the same search without it finds.
        let (code, html) = app
            .get_text(&admin, "/departments?q=%E2%80%AE%E6%B5%B7%E5%85%B3")
            .await;
        assert_eq!(code, 200, "{html}");
    }
);

/// A USCC of `region` with a valid check character.
fn uscc(region: &str, n: u32) -> String {
    let org = format!("MA{n:06}");
    let check = meijian_domain::uscc::org_code_check_char(&org).unwrap();
    meijian_domain::uscc::Uscc::from_body(&format!("91{region}{org}{check}"))
        .unwrap()
        .as_str()
        .to_string()
}

/// An import upload as the form sends it: `_csrf` first in the body (when given), or only in
/// the URL (`url_token`).
async fn upload_import(
    app: &TestApp,
    c: &reqwest::Client,
    body_token: Option<&str>,
    url_token: Option<&str>,
    csv: Vec<u8>,
) -> reqwest::Response {
    let mut form = reqwest::multipart::Form::new();
    if let Some(t) = body_token {
        form = form.text("_csrf", t.to_string());
    }
    let form = form
        .text("registry", "registrations")
        .text("action", "import")
        .part(
            "file",
            reqwest::multipart::Part::bytes(csv).file_name("r.csv"),
        );
    let url = match url_token {
        Some(t) => app.url(&format!("/imports?_csrf={t}")),
        None => app.url("/imports"),
    };
    c.post(url).multipart(form).send().await.unwrap()
}

/// The shared strings of an XLSX.
fn xlsx_strings(bytes: &[u8]) -> String {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = String::new();
    zip.by_name("xl/sharedStrings.xml")
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    out
}

async fn finished_run(app: &TestApp, c: &reqwest::Client, location: &str) {
    for _ in 0..400 {
        let (code, html) = app.get_text(c, location).await;
        assert_eq!(code, 200);
        if !html.contains("http-equiv=\"refresh\"") {
            assert!(html.contains("已完成"), "{html}");
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("import did not finish");
}

both_backends!(
    a_huge_cell_is_cut_instead_of_breaking_the_export,
    |db: TestDb| async move {
        let app = TestApp::spawn(db).await;
        let c = app.login("officer").await;
        let csrf = app.csrf(&c).await;
        let long_name = "焕".repeat(100_000);
        let csv = format!(
            "统一社会信用代码,主体名称,主体类型,法定代表人,住所,经营范围,登记状态,成立日期,登记机关,行政区划代码\n\
             {},{long_name},有限责任公司,张三,某路1号,医疗美容服务,存续,2020年1月2日,市场监管局,370402\n\
             {},某公司,有限责任公司,张三,某路1号,医疗美容服务,存续,2020年1月2日,市场监管局,{}\n",
            uscc("370402", 1),
            uscc("370402", 2),
            "3".repeat(40_000),
        );
        let r = upload_import(&app, &c, Some(&csrf), None, csv.into_bytes()).await;
        assert_eq!(r.status(), 303);
        let location = r.headers()["location"].to_str().unwrap().to_string();
        finished_run(&app, &c, &location).await;
        let r = c
            .get(app.url("/registries/registrations/export.xlsx"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let strings = xlsx_strings(&r.bytes().await.unwrap());
        assert!(
            strings.contains("…（内容过长，已截断，原文 100000 字）"),
            "{}",
            &strings[..strings.len().min(500)]
        );
        let r = c
            .get(app.url(&format!("{location}/rejections.xlsx")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let strings = xlsx_strings(&r.bytes().await.unwrap());
        assert!(
            strings.contains("…（内容过长，已截断，原文 40000 字）"),
            "{}",
            &strings[..strings.len().min(2000)]
        );
    }
);

both_backends!(
    an_upload_carries_its_csrf_token_first_in_the_body_not_in_the_url,
    |db: TestDb| async move {
        let app = TestApp::spawn(db).await;
        let c = app.login("officer").await;
        let csrf = app.csrf(&c).await;
        let (_, html) = app.get_text(&c, "/imports/new").await;
        assert!(
            html.contains("action=\"/imports\"") && !html.contains("?_csrf="),
            "{html}"
        );
        let form_start = html
            .find("<form method=\"post\" action=\"/imports\"")
            .unwrap();
        let first_input = html[form_start..].find("<input").unwrap() + form_start;
        assert!(
            html[first_input..].starts_with("<input type=\"hidden\" name=\"_csrf\""),
            "{}",
            &html[first_input..first_input + 80]
        );
        let csv = format!(
            "统一社会信用代码,主体名称,主体类型,法定代表人,住所,经营范围,登记状态,成立日期,登记机关,行政区划代码\n\
             {},市中区甲美容,有限责任公司,张三,某路1号,医疗美容服务,存续,2020年1月2日,市场监管局,370402\n",
            uscc("370402", 1)
        );
        let runs = || async {
            sqlx::query_scalar::<_, i64>("select count(*) from import_run")
                .fetch_one(app.db.store.pool())
                .await
                .unwrap()
        };
        // The token in the URL only: refused, and nothing starts.
        let r = upload_import(&app, &c, None, Some(&csrf), csv.clone().into_bytes()).await;
        assert_eq!(r.status(), 403);
        // A wrong token first in the body, or the right one not first: refused.
        let r = upload_import(
            &app,
            &c,
            Some(&"0".repeat(64)),
            None,
            csv.clone().into_bytes(),
        )
        .await;
        assert_eq!(r.status(), 403);
        let form = reqwest::multipart::Form::new()
            .text("registry", "registrations")
            .text("_csrf", csrf.clone())
            .text("action", "import")
            .part(
                "file",
                reqwest::multipart::Part::bytes(csv.clone().into_bytes()).file_name("r.csv"),
            );
        let r = c
            .post(app.url("/imports"))
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
        assert_eq!(runs().await, 0);
        // First in the body: accepted, and the handler reads the whole body behind it, also
        // when the file is far larger than the part the check reads.
        let mut big = csv.clone();
        for n in 2..4000 {
            big.push_str(&format!(
                "{},市中区美容{n},有限责任公司,张三,某路1号,医疗美容服务,存续,2020年1月2日,市场监管局,370402\n",
                uscc("370402", n)
            ));
        }
        assert!(big.len() > 256 * 1024);
        let r = upload_import(&app, &c, Some(&csrf), None, big.into_bytes()).await;
        assert_eq!(r.status(), 303);
        let location = r.headers()["location"].to_str().unwrap().to_string();
        finished_run(&app, &c, &location).await;
        let n: i64 = sqlx::query_scalar("select count(*) from registry_record")
            .fetch_one(app.db.store.pool())
            .await
            .unwrap();
        assert_eq!(n, 3999);
    }
);

both_backends!(
    the_origin_check_compares_the_scheme_too,
    |db: TestDb| async move {
        let app = TestApp::spawn(db).await;
        let host = app.base.trim_start_matches("http://").to_string();
        let login = |origin: String| {
            let c = app.client();
            let url = app.url("/api/session");
            let pw = app.password("officer");
            async move {
                c.post(url)
                    .header("origin", origin)
                    .json(&serde_json::json!({"username": "officer", "password": pw}))
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            }
        };
        assert_eq!(login(format!("https://{host}")).await, 403);
        assert_eq!(login(format!("http://{host}")).await, 200);
        // Behind HTTPS (secure cookies), an http origin is another origin.
        let db2 = TestDb::new(app.db.backend()).await;
        let secure = TestApp::spawn_with(
            db2,
            meijian_web::WebSettings {
                secure_cookies: true,
                ..Default::default()
            },
        )
        .await;
        let host = secure.base.trim_start_matches("http://").to_string();
        let post = |origin: String| {
            let c = secure.client();
            let url = secure.url("/api/session");
            let pw = secure.password("officer");
            async move {
                c.post(url)
                    .header("origin", origin)
                    .json(&serde_json::json!({"username": "officer", "password": pw}))
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            }
        };
        assert_eq!(post(format!("http://{host}")).await, 403);
        assert_eq!(post(format!("https://{host}")).await, 200);
    }
);

both_backends!(
    bad_api_query_and_path_parameters_answer_in_json,
    |db: TestDb| async move {
        let app = TestApp::spawn(db).await;
        let (admin, _) = app.api_login("admin").await;
        let r = admin
            .get(app.url("/api/audit?limit=abc"))
            .send()
            .await
            .unwrap();
        let (status, code, message) = api_error(r).await;
        assert_eq!((status, code.as_str()), (422, "invalid"));
        assert!(message.contains("limit"), "{message}");
        let r = admin
            .get(app.url("/api/public/names"))
            .send()
            .await
            .unwrap();
        let (status, code, message) = api_error(r).await;
        assert_eq!((status, code.as_str()), (422, "invalid"));
        assert!(message.contains("参数 q"), "{message}");
        let r = admin
            .get(app.url("/api/registries/registrations?include_missing=maybe&per_page=5"))
            .send()
            .await
            .unwrap();
        let (status, _, message) = api_error(r).await;
        assert_eq!(status, 422);
        assert!(message.contains("include_missing"), "{message}");
        let r = admin
            .get(app.url("/api/users/%FF%FE"))
            .send()
            .await
            .unwrap();
        let (status, code, _) = api_error(r).await;
        assert_eq!((status, code.as_str()), (422, "invalid"));
    }
);

both_backends!(
    the_navigation_offers_only_what_the_role_may_open,
    |db: TestDb| async move {
        let app = TestApp::spawn(db).await;
        for (user, shown, hidden) in [
            (
                "officer",
                &["/registries", "/leads", "/leads/new", "/cases\""][..],
                &[][..],
            ),
            (
                "analyst",
                &["/registries", "/leads/summary", "/cases\""][..],
                &["/leads\"", "/leads/new", "投诉举报<small>"][..],
            ),
            (
                "admin",
                &["/registries", "/admin", "/cases\""][..],
                &["/leads/new", "线索台账<small>", "案件<small>"][..],
            ),
            (
                "institution",
                &[][..],
                &[
                    "/registries",
                    "/reconcile",
                    "投诉举报<small>",
                    "/cases\"",
                    "案件<small>",
                ][..],
            ),
        ] {
            let c = app.login(user).await;
            let (status, html) = app.get_text(&c, "/").await;
            assert_eq!(status, 200, "{user}");
            for href in shown {
                assert!(html.contains(href), "{user} should see {href}");
            }
            for text in hidden {
                assert!(!html.contains(text), "{user} should not see {text}");
            }
            // Areas no role can use yet stay marked as coming.
            assert!(html.contains("检查<small>即将上线</small>"), "{user}");
        }
    }
);
