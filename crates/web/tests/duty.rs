//! The duty matrix page (职责分工) through HTTP, on SQLite and PostgreSQL: an administrator
//! sees the seeds' defaults, gives a category to another department kind and resets it;
//! others are refused; forms need the CSRF token; bad input is answered in Chinese.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::TestApp;
use meijian_domain::lead::Category;
use meijian_store::both_backends;
use meijian_store::leads::routing;
use meijian_store::testing::TestDb;

async fn lead_kind(app: &TestApp, category: Category) -> String {
    let rules = routing::rules_in_force(&app.db.store, "370402")
        .await
        .unwrap();
    let r = rules.iter().find(|r| r.rule.category == category).unwrap();
    r.rule.lead[0].code().to_string()
}

both_backends!(
    an_administrator_edits_and_resets_the_matrix,
    |db: TestDb| async move {
        let app = TestApp::spawn(db).await;
        let admin = app.login("admin").await;
        let (status, html) = app.get_text(&admin, "/admin").await;
        assert_eq!(status, 200);
        assert!(html.contains("href=\"/admin/duty\""));
        let (status, html) = app.get_text(&admin, "/admin/duty").await;
        assert_eq!(status, 200);
        assert!(html.contains("职责分工（山东省枣庄市）"), "{html}");
        assert!(html.contains("<td>无证行医</td><td>卫生监督机构、卫生健康委员会</td>"));
        assert!(html.contains("《打击非法医疗美容服务专项整治工作方案》三(一)"));
        assert!(!html.contains("种子文件"), "no file numbers on screen");

        let token = app.csrf(&admin).await;
        let r = admin
            .post(app.url("/admin/duty/advertising"))
            .form(&[
                ("_csrf", token.as_str()),
                ("lead1", "health_supervision"),
                ("lead2", "market_regulation"),
                ("assist_cyberspace", "on"),
                ("basis", "市专班2026年第3次会议纪要"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        assert_eq!(
            lead_kind(&app, Category::Advertising).await,
            "health_supervision"
        );
        let (_, html) = app.get_text(&admin, "/admin/duty?notice=saved").await;
        assert!(html.contains("<td>违法发布医疗美容广告</td><td>卫生监督机构、市场监督管理局</td><td>网信办</td><td>市专班2026年第3次会议纪要</td><td>本级设置</td>"), "{html}");

        // No lead department: refused in Chinese, naming the category and field.
        let r = admin
            .post(app.url("/admin/duty/tax"))
            .form(&[("_csrf", token.as_str()), ("basis", "随便")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(
            html.contains("涉税违法：牵头部门：至少选择一个牵头部门"),
            "{html}"
        );

        // Without the token nothing changes.
        let r = admin
            .post(app.url("/admin/duty/advertising/reset"))
            .form(&[("x", "1")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
        assert_eq!(
            lead_kind(&app, Category::Advertising).await,
            "health_supervision"
        );

        let r = admin
            .post(app.url("/admin/duty/advertising/reset"))
            .form(&[("_csrf", token.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        assert_eq!(
            lead_kind(&app, Category::Advertising).await,
            "market_regulation"
        );

        let audit: i64 =
            sqlx::query_scalar("select count(*) from audit_entry where entity = 'duty_rule'")
                .fetch_one(app.db.store.pool())
                .await
                .unwrap();
        assert_eq!(audit, 2);
    }
);

both_backends!(
    only_administrators_see_the_matrix,
    |db: TestDb| async move {
        let app = TestApp::spawn(db).await;
        for user in ["officer", "leader", "analyst"] {
            let c = app.login(user).await;
            let (status, _) = app.get_text(&c, "/admin/duty").await;
            assert_eq!(status, 403, "{user}");
            let token = app.csrf(&c).await;
            let r = c
                .post(app.url("/admin/duty/advertising"))
                .form(&[
                    ("_csrf", token.as_str()),
                    ("lead1", "tax"),
                    ("basis", "试图修改"),
                ])
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 403, "{user}");
        }
        assert_eq!(
            lead_kind(&app, Category::Advertising).await,
            "market_regulation"
        );
        let admin = app.login("admin").await;
        let token = app.csrf(&admin).await;
        let r = admin
            .post(app.url("/admin/duty/nonsense/reset"))
            .form(&[("_csrf", token.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404, "an unknown category");
    }
);
