//! Signing in under attack, on SQLite and PostgreSQL: the answers are the same for names that
//! exist and names that do not, guessing is slowed per name and per address, the real user
//! on a browser that signed in before is not kept out, and a flood costs no password checks.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::TestApp;
use meijian_store::both_backends;
use meijian_store::testing::TestDb;
use meijian_web::WebSettings;
use time::Duration;

async fn try_login(c: &reqwest::Client, app: &TestApp, name: &str, pw: &str) -> (u16, String) {
    let r = c
        .post(app.url("/login"))
        .form(&[("username", name), ("password", pw)])
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// The error paragraph of the login page, without the echoed name.
fn message(html: &str) -> String {
    html.split("class=\"alert\"")
        .nth(1)
        .and_then(|rest| rest.split("</").next())
        .unwrap_or("")
        .to_string()
}

both_backends!(
    known_and_unknown_names_get_the_same_answers_and_the_same_throttle,
    |db: TestDb| async move {
        let app = TestApp::spawn(db).await;
        let c = app.client();
        let mut known = Vec::new();
        let mut unknown = Vec::new();
        for _ in 0..7 {
            known.push(try_login(&c, &app, "officer", "Wrong-Password-1").await);
            unknown.push(try_login(&c, &app, "no-such-officer", "Wrong-Password-1").await);
        }
        let shape =
            |v: &Vec<(u16, String)>| v.iter().map(|(s, h)| (*s, message(h))).collect::<Vec<_>>();
        assert_eq!(shape(&known), shape(&unknown));
        // Five failures are answered as such, then the name is slowed (429), never "locked".
        assert!(known[..5]
            .iter()
            .all(|(s, h)| *s == 401 && h.contains("用户名或密码错误")));
        assert!(known[5..]
            .iter()
            .all(|(s, h)| *s == 429 && h.contains("请") && h.contains("后再试")));
        assert!(known.iter().all(|(_, h)| !h.contains("锁定")));
        // One attempt per window / 5 = 3 minutes comes back.
        app.clock.advance(Duration::minutes(3));
        let (s, _) = try_login(&c, &app, "officer", &app.password("officer")).await;
        assert_eq!(s, 303, "after the wait the right password works");
    }
);

both_backends!(
    the_owner_on_a_known_browser_is_not_kept_out,
    |db: TestDb| async move {
        let app = TestApp::spawn(db).await;
        // The officer signed in on this browser before, and signed out.
        let own = app.client();
        let (s, _) = try_login(&own, &app, "officer", &app.password("officer")).await;
        assert_eq!(s, 303);
        // An attacker elsewhere guesses the officer's password until the name is slowed.
        let attacker = app.client();
        for _ in 0..8 {
            try_login(&attacker, &app, "officer", "Guess-Password-1").await;
        }
        let (s, _) = try_login(&attacker, &app, "officer", &app.password("officer")).await;
        assert_eq!(
            s, 429,
            "the attacker's browser is slowed even with the right password"
        );
        // The officer's own browser carries its device cookie and gets in at once.
        let (s, _) = try_login(&own, &app, "officer", &app.password("officer")).await;
        assert_eq!(s, 303);
        // An administrator's 解除限制 releases the name for every browser.
        let admin = app.login("admin").await;
        let id: String = sqlx::query_scalar("select id from account where username = 'officer'")
            .fetch_one(app.db.store.pool())
            .await
            .unwrap();
        let token = app.csrf(&admin).await;
        let r = admin
            .post(app.url(&format!("/admin/users/{id}/unlock")))
            .form(&[("_csrf", token.as_str())])
            .send()
            .await
            .unwrap();
        assert!(
            r.status().is_success() || r.status().is_redirection(),
            "{}",
            r.status()
        );
        let fresh = app.client();
        let (s, _) = try_login(&fresh, &app, "officer", &app.password("officer")).await;
        assert_eq!(s, 303, "released by the administrator");
    }
);

both_backends!(
    a_flood_from_one_address_is_refused_before_any_password_check,
    |db: TestDb| async move {
        let mut settings = WebSettings::default();
        settings.login.requests_per_minute = 1000;
        settings.login.failures_per_address = 10;
        let app = TestApp::spawn_with(db, settings).await;
        let c = app.client();
        let started = std::time::Instant::now();
        let mut statuses = Vec::new();
        for i in 0..200 {
            // A different name each time: only the address limit can stop it.
            let name = format!("guess{i}");
            statuses.push(try_login(&c, &app, &name, "Wrong-Password-1").await.0);
        }
        let refused = statuses.iter().filter(|s| **s == 429).count();
        assert_eq!(statuses.iter().filter(|s| **s == 401).count(), 10);
        assert_eq!(refused, 190);
        // 10 password checks, not 200: well under the 14 s the unthrottled flood took.
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "{:?}",
            started.elapsed()
        );
        // The API answers the same limit, in JSON.
        let r = c
            .post(app.url("/api/session"))
            .json(&serde_json::json!({"username": "officer", "password": "x"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 429);
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["error"]["code"], "rate_limited");
    }
);

both_backends!(
    sign_in_requests_per_address_are_limited_even_when_they_succeed,
    |db: TestDb| async move {
        let mut settings = WebSettings::default();
        settings.login.requests_per_minute = 3;
        let app = TestApp::spawn_with(db, settings).await;
        for _ in 0..3 {
            let (s, _) = try_login(&app.client(), &app, "analyst", &app.password("analyst")).await;
            assert_eq!(s, 303);
        }
        let (s, _) = try_login(&app.client(), &app, "analyst", &app.password("analyst")).await;
        assert_eq!(s, 429);
        app.clock.advance(Duration::seconds(20));
        let (s, _) = try_login(&app.client(), &app, "analyst", &app.password("analyst")).await;
        assert_eq!(s, 303);
    }
);
