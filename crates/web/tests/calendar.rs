//! The working-day calendar page (工作日历) through HTTP, on SQLite and PostgreSQL: an
//! administrator adds and removes a day, others are refused, forms need the CSRF token, and
//! bad input is answered in Chinese naming the field.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::TestApp;
use meijian_store::both_backends;
use meijian_store::calendar;
use meijian_store::testing::TestDb;
use time::macros::date;

async fn overrides(app: &TestApp) -> i64 {
    sqlx::query_scalar("select count(*) from calendar_override")
        .fetch_one(app.db.store.pool())
        .await
        .unwrap()
}

fn location(r: &reqwest::Response) -> String {
    r.headers()["location"].to_str().unwrap().to_string()
}

both_backends!(
    an_administrator_adds_and_removes_a_day,
    |db: TestDb| async move {
        let app = TestApp::spawn(db).await;
        let admin = app.login("admin").await;
        let (status, html) = app.get_text(&admin, "/admin").await;
        assert_eq!(status, 200);
        assert!(
            html.contains("href=\"/admin/calendar\""),
            "linked from 系统管理"
        );

        let (status, html) = app.get_text(&admin, "/admin/calendar").await;
        assert_eq!(status, 200);
        assert!(html.contains("<h1>工作日历</h1>"));
        assert!(
            html.contains("2026-02-17") && html.contains("春节"),
            "shipped days of 2026"
        );
        assert!(html.contains("尚无 2027 年的节假日安排"));
        assert!(html.contains("暂无调整"));

        let token = app.csrf(&admin).await;
        let r = admin
            .post(app.url("/admin/calendar"))
            .form(&[
                ("_csrf", token.as_str()),
                ("date", "2026-12-28"),
                ("kind", "holiday"),
                ("name", "<b>停电闭馆</b>"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        assert_eq!(location(&r), "/admin/calendar?notice=saved");
        let cal = calendar::calendar(&app.db.store).await.unwrap();
        assert!(!cal.is_working_day(date!(2026 - 12 - 28)));
        assert_eq!(
            cal.add_working_days(date!(2026 - 12 - 25), 1),
            date!(2026 - 12 - 29)
        );

        let (_, html) = app.get_text(&admin, "/admin/calendar?notice=saved").await;
        assert!(html.contains("已保存"));
        assert!(html.contains("调整（1）"));
        assert!(html.contains("停电闭馆"));
        assert!(!html.contains("<b>停电闭馆"), "the name is escaped");
        assert!(html.contains("action=\"/admin/calendar/2026-12-28/delete\""));

        let r = admin
            .post(app.url("/admin/calendar/2026-12-28/delete"))
            .form(&[("_csrf", token.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        assert_eq!(location(&r), "/admin/calendar?notice=removed");
        assert_eq!(overrides(&app).await, 0);
        let (_, html) = app.get_text(&admin, "/admin/calendar?notice=removed").await;
        assert!(html.contains("已删除"));

        let again = admin
            .post(app.url("/admin/calendar/2026-12-28/delete"))
            .form(&[("_csrf", token.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), 404);
        let actions: Vec<String> = sqlx::query_scalar(
            "select action from audit_entry where entity = 'calendar_override' order by seq",
        )
        .fetch_all(app.db.store.pool())
        .await
        .unwrap();
        assert_eq!(
            actions,
            ["calendar_override.set", "calendar_override.remove"]
        );
    }
);

both_backends!(
    only_administrators_see_and_change_it,
    |db: TestDb| async move {
        let app = TestApp::spawn(db).await;
        let admin = app.login("admin").await;
        let admin_token = app.csrf(&admin).await;
        let r = admin
            .post(app.url("/admin/calendar"))
            .form(&[
                ("_csrf", admin_token.as_str()),
                ("date", "2026-12-28"),
                ("kind", "holiday"),
                ("name", "停电闭馆"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        for username in ["officer", "leader"] {
            let c = app.login(username).await;
            assert_eq!(
                app.get_text(&c, "/admin/calendar").await.0,
                403,
                "{username}"
            );
            let token = app.csrf(&c).await;
            let r = c
                .post(app.url("/admin/calendar"))
                .form(&[
                    ("_csrf", token.as_str()),
                    ("date", "2026-12-29"),
                    ("kind", "holiday"),
                    ("name", "闭馆"),
                ])
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 403, "{username} adds");
            let r = c
                .post(app.url("/admin/calendar/2026-12-28/delete"))
                .form(&[("_csrf", token.as_str())])
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 403, "{username} deletes");
        }
        assert_eq!(overrides(&app).await, 1);
    }
);

both_backends!(
    forms_without_the_csrf_token_are_refused,
    |db: TestDb| async move {
        let app = TestApp::spawn(db).await;
        let admin = app.login("admin").await;
        for csrf in [None, Some("0".repeat(64))] {
            let mut form = vec![
                ("date", "2026-12-28".to_string()),
                ("kind", "holiday".to_string()),
                ("name", "停电闭馆".to_string()),
            ];
            form.extend(csrf.clone().map(|t| ("_csrf", t)));
            let r = admin
                .post(app.url("/admin/calendar"))
                .form(&form)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 403);
        }
        assert_eq!(overrides(&app).await, 0);

        let token = app.csrf(&admin).await;
        let r = admin
            .post(app.url("/admin/calendar"))
            .form(&[
                ("_csrf", token.as_str()),
                ("date", "2026-12-28"),
                ("kind", "holiday"),
                ("name", "停电闭馆"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        let r = admin
            .post(app.url("/admin/calendar/2026-12-28/delete"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
        assert_eq!(overrides(&app).await, 1);
    }
);

both_backends!(
    bad_input_is_answered_naming_the_field,
    |db: TestDb| async move {
        let app = TestApp::spawn(db).await;
        let admin = app.login("admin").await;
        let token = app.csrf(&admin).await;
        let long = "很".repeat(21);
        let cases = [
            ("2026-12-28", "holiday", "", "名称：不能为空"),
            (
                "2026-12-28",
                "holiday",
                long.as_str(),
                "名称：不能超过20个字",
            ),
            (
                "2026-13-01",
                "holiday",
                "闭馆",
                "日期：“2026-13-01”不是有效日期",
            ),
            ("", "holiday", "闭馆", "日期：“”不是有效日期"),
            ("2026-12-28", "rest", "闭馆", "类别：未知类别“rest”"),
            (
                "2026-12-29",
                "workday",
                "调休",
                "类别：2026-12-29 本来就是工作日",
            ),
        ];
        for (date, kind, name, message) in cases {
            let r = admin
                .post(app.url("/admin/calendar"))
                .form(&[
                    ("_csrf", token.as_str()),
                    ("date", date),
                    ("kind", kind),
                    ("name", name),
                ])
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 422, "{date} {kind} {name}");
            let html = r.text().await.unwrap();
            assert!(
                html.contains(message),
                "{message} in the page for {date} {kind} {name}"
            );
            assert!(html.contains("role=\"alert\""));
        }
        // A form without its fields is answered the same way, not with a bare rejection.
        let r = admin
            .post(app.url("/admin/calendar"))
            .form(&[("_csrf", token.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("日期："));
        // The entered values stay in the form after an error.
        let r = admin
            .post(app.url("/admin/calendar"))
            .form(&[
                ("_csrf", token.as_str()),
                ("date", "2026-12-28"),
                ("kind", "workday"),
                ("name", ""),
            ])
            .send()
            .await
            .unwrap();
        let html = r.text().await.unwrap();
        assert!(html.contains("value=\"2026-12-28\""));
        assert!(html.contains("value=\"workday\" selected"));
        let r = admin
            .post(app.url("/admin/calendar/2026-02-30/delete"))
            .form(&[("_csrf", token.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404);
        assert_eq!(overrides(&app).await, 0);
    }
);
