//! The 主体库 pages and API on SQLite and PostgreSQL: an officer searches the operators of the
//! district, opens one file (一户一档), exports the search, merges two operators (the lead
//! follows, the old id points on); other districts' ids are 404; an institution account sees
//! its bound operator only; a lead's business becomes a provisional operator through the API.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};

use common::TestApp;
use meijian_domain::uscc::Uscc;
use meijian_registry::RegistryKind;
use meijian_store::registries::import::{import_file, ImportOptions};
use meijian_store::testing::TestDb;
use meijian_store::{both_backends, Actor, Scope, Store};

const REG: &str = "统一社会信用代码,主体名称,主体类型,法定代表人,住所,经营范围,登记状态,成立日期,登记机关,行政区划代码";

fn uscc(body: &str) -> String {
    Uscc::from_body(body).unwrap().to_string()
}

fn write(dir: &Path, lines: &[String]) -> PathBuf {
    let p = dir.join("registrations.csv");
    std::fs::write(&p, format!("{REG}\n{}\n", lines.join("\n"))).unwrap();
    p
}

/// Two 市中区 operators and one in 薛城区, cross-checked.
async fn city(app: &TestApp, dir: &Path) {
    let store: &Store = &app.db.store;
    let scope = Scope::system(Actor::system("test"));
    let now = meijian_web::Clock::now(app.clock.as_ref());
    let path = write(dir, &[
        format!("{},枣庄丽人医疗美容有限公司,有限责任公司,李娜,枣庄市市中区青檀路88号,医疗美容服务,存续,2021-03-04,市中区市场监督管理局,370402", uscc("91370402MA3C5UQ82")),
        format!("{},枣庄市市中区丽人美容院,个体工商户,李娜,枣庄市市中区青檀路88号2楼,美容服务,存续,2021-05-04,市中区市场监督管理局,370402", uscc("92370402MA7XY1234")),
        format!("{},枣庄市薛城区悦颜医疗美容有限公司,有限责任公司,王芳,枣庄市薛城区泰山南路123号,医疗美容服务,存续,2020-01-02,薛城区市场监督管理局,370403", uscc("91370403MA3C5UQ81")),
    ]);
    import_file(
        store,
        &scope,
        &move || now,
        &path,
        &ImportOptions::new(RegistryKind::Registrations),
        &mut |_, _, _| {},
    )
    .await
    .unwrap();
    let city = Scope::system_at(Actor::system("test"), "370400".parse().unwrap());
    meijian_store::reconcile::run(store, &city, "2026-11-20", now)
        .await
        .unwrap();
}

async fn id_of(app: &TestApp, name: &str) -> String {
    sqlx::query_scalar("select id from operator where name = $1")
        .bind(name)
        .fetch_one(app.db.store.pool())
        .await
        .unwrap()
}

both_backends!(
    an_officer_searches_opens_exports_and_merges,
    |db: TestDb| async move {
        let app = TestApp::spawn(db).await;
        let dir = tempfile::tempdir().unwrap();
        city(&app, dir.path()).await;
        let liren = id_of(&app, "枣庄丽人医疗美容有限公司").await;
        let salon = id_of(&app, "枣庄市市中区丽人美容院").await;
        let yueyan = id_of(&app, "枣庄市薛城区悦颜医疗美容有限公司").await;
        let c = app.login("officer").await; // 市中区
        let (code, html) = app.get_text(&c, "/operators?q=丽人").await;
        assert_eq!(code, 200);
        assert!(html.contains("href=\"/operators\""), "in the navigation");
        assert!(html.contains(&liren) && html.contains(&salon), "{html}");
        assert!(html.contains("data-count=\"total\">2<"), "{html}");
        let (_, html) = app.get_text(&c, "/operators?q=悦颜").await;
        assert!(html.contains("data-count=\"total\">0<") && !html.contains(&yueyan));
        assert_eq!(
            app.get_text(&c, &format!("/operators/{yueyan}")).await.0,
            404
        );
        assert_eq!(app.get_text(&c, "/operators?class=nonsense").await.0, 422);

        let (code, html) = app.get_text(&c, &format!("/operators/{liren}")).await;
        assert_eq!(code, 200);
        for part in [
            "基本信息",
            "登记记录（1）",
            "历次比对分类",
            "线索与投诉",
            "有照无证",
            "青檀路88号",
            "李娜",
            "合并到另一主体",
        ] {
            assert!(html.contains(part), "{part}: {html}");
        }

        let r = c
            .get(app.url("/operators.xlsx?q=丽人"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert!(r.headers()["content-type"]
            .to_str()
            .unwrap()
            .contains("spreadsheetml"));
        assert!(r.bytes().await.unwrap().starts_with(b"PK"));

        // Merge the salon into 丽人 through the form: without the token it is refused.
        let refused = c
            .post(app.url(&format!("/operators/{salon}/merge")))
            .form(&[("into", liren.as_str()), ("note", "同一经营者")])
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), 403);
        let csrf = app.csrf(&c).await;
        let r = c
            .post(app.url(&format!("/operators/{salon}/merge")))
            .form(&[
                ("_csrf", csrf.as_str()),
                ("into", liren.as_str()),
                ("note", "同一经营者，现场核实"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        assert_eq!(
            r.headers()["location"].to_str().unwrap(),
            format!("/operators/{liren}?notice=merged")
        );
        let (_, html) = app.get_text(&c, &format!("/operators/{liren}")).await;
        assert!(
            html.contains("并入本主体") && html.contains(&salon),
            "{html}"
        );
        let (code, html) = app.get_text(&c, &format!("/operators/{salon}")).await;
        assert_eq!(code, 200);
        assert!(html.contains("本主体已并入"), "{html}");
        assert!(
            !html.contains("合并到另一主体"),
            "a merged operator takes no step"
        );
        let (_, html) = app.get_text(&c, "/operators?q=丽人").await;
        assert!(
            html.contains("data-count=\"total\">1<"),
            "merged ids are left out: {html}"
        );

        // The API: the analyst of the city searches; a leader may read but not merge.
        let (api, _) = app.api_login("analyst").await;
        let page: serde_json::Value = api
            .get(app.url("/api/operators?q=悦颜"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(page["total"], 1);
        assert_eq!(page["operators"][0]["id"], yueyan.as_str());
        assert_eq!(page["operators"][0]["class"], "registered_only");
        let file: serde_json::Value = api
            .get(app.url(&format!("/api/operators/{liren}")))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(file["events"][0]["kind"], "absorbed");
        assert_eq!(file["records"].as_array().unwrap().len(), 1);
        let (leader, token) = app.api_login("leader").await;
        let r = leader
            .post(app.url(&format!("/api/operators/{yueyan}/actions")))
            .header("X-CSRF-Token", token)
            .json(&serde_json::json!({"action": "merge", "into": liren, "note": "测试"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
    }
);

both_backends!(
    an_institution_sees_its_own_operator_only,
    |db: TestDb| async move {
        let app = TestApp::spawn(db).await;
        let dir = tempfile::tempdir().unwrap();
        city(&app, dir.path()).await;
        let liren = id_of(&app, "枣庄丽人医疗美容有限公司").await;
        let yueyan = id_of(&app, "枣庄市薛城区悦颜医疗美容有限公司").await;

        let inst = app.login("institution").await;
        assert_eq!(
            app.get_text(&inst, "/operators/mine").await.0,
            404,
            "not bound yet"
        );

        let (admin, token) = app.api_login("admin").await;
        let account = app.accounts["institution"].id.clone();
        let bind = |operator: serde_json::Value| {
            admin
                .put(app.url(&format!("/api/users/{account}/operator")))
                .header("X-CSRF-Token", token.clone())
                .json(&serde_json::json!({"operator_id": operator}))
                .send()
        };
        assert_eq!(
            bind(serde_json::json!("ZT-NO-SUCH"))
                .await
                .unwrap()
                .status(),
            422
        );
        let r = bind(serde_json::json!(liren)).await.unwrap();
        assert_eq!(r.status(), 200);
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["operator_id"], liren.as_str());
        let officer = app.accounts["officer"].id.clone();
        let r = admin
            .put(app.url(&format!("/api/users/{officer}/operator")))
            .header("X-CSRF-Token", token.clone())
            .json(&serde_json::json!({"operator_id": liren}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422, "only institution accounts are bound");

        let r = inst.get(app.url("/operators/mine")).send().await.unwrap();
        assert_eq!(r.status(), 303);
        assert_eq!(
            r.headers()["location"].to_str().unwrap(),
            format!("/operators/{liren}")
        );
        let (code, html) = app.get_text(&inst, &format!("/operators/{liren}")).await;
        assert_eq!(code, 200);
        assert!(html.contains("本机构档案") && html.contains("枣庄丽人医疗美容有限公司"));
        assert!(
            !html.contains("线索与投诉") && !html.contains("合并到另一主体"),
            "{html}"
        );
        assert_eq!(
            app.get_text(&inst, &format!("/operators/{yueyan}")).await.0,
            404
        );
        assert_eq!(
            inst.get(app.url("/operators"))
                .send()
                .await
                .unwrap()
                .status(),
            303
        );
        assert_eq!(app.get_text(&inst, "/operators.xlsx").await.0, 403);
        assert_eq!(app.get_text(&inst, "/api/operators").await.0, 403);
    }
);

both_backends!(
    a_lead_names_a_business_no_registry_knows,
    |db: TestDb| async move {
        let app = TestApp::spawn(db).await;
        let dir = tempfile::tempdir().unwrap();
        city(&app, dir.path()).await;
        let (c, token) = app.api_login("officer").await;
        let r = c
            .post(app.url("/api/leads/clues"))
            .header("X-CSRF-Token", token.clone())
            .json(&serde_json::json!({
                "source": "inspection",
                "category": "unlicensed_practice",
                "region_code": "370402",
                "subject_name": "青檀路某小区注射工作室",
                "subject_address": "青檀路100号1单元502室",
                "summary": "居民楼内开展注射美容，无任何证照。"
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        let lead: serde_json::Value = r.json().await.unwrap();
        let lead_id = lead["lead_id"].as_str().unwrap().to_owned();
        let register = || {
            c.post(app.url("/api/operators/provisional"))
                .header("X-CSRF-Token", token.clone())
                .json(&serde_json::json!({"lead_id": lead_id}))
                .send()
        };
        let r = register().await.unwrap();
        assert_eq!(r.status(), 200);
        let op: serde_json::Value = r.json().await.unwrap();
        assert!(op["id"].as_str().unwrap().starts_with("ZP"));
        assert_eq!(op["origin"], "provisional");
        assert_eq!(op["class"], "neither");
        assert_eq!(
            register().await.unwrap().status(),
            409,
            "one operator per lead"
        );
        let file: serde_json::Value = c
            .get(app.url(&format!("/api/operators/{}", op["id"].as_str().unwrap())))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(file["leads"][0]["id"], lead_id.as_str());
        assert_eq!(file["events"][0]["kind"], "created");
    }
);
