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
    five_failures_lock_for_fifteen_minutes,
    |db: TestDb| async move {
        let app = TestApp::spawn(db).await;
        let c = app.client();
        for _ in 0..5 {
            c.post(app.url("/login"))
                .form(&[("username", "officer"), ("password", "Wrong-Password-1")])
                .send()
                .await
                .unwrap();
        }
        // The right password no longer works while locked.
        let r = c
            .post(app.url("/login"))
            .form(&[
                ("username", "officer"),
                ("password", &app.password("officer")),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401);
        assert!(r.text().await.unwrap().contains("已被锁定"));
        app.clock.advance(Duration::minutes(14));
        let r = c
            .post(app.url("/login"))
            .form(&[
                ("username", "officer"),
                ("password", &app.password("officer")),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401, "still locked after 14 minutes");
        app.clock.advance(Duration::minutes(2));
        let r = c
            .post(app.url("/login"))
            .form(&[
                ("username", "officer"),
                ("password", &app.password("officer")),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "unlocked after 15 minutes");
        let locked: i64 =
            sqlx::query_scalar("select count(*) from audit_entry where action = 'account.locked'")
                .fetch_one(app.db.store.pool())
                .await
                .unwrap();
        assert_eq!(locked, 1);
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
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
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
