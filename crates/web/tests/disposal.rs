//! 处置 and 销号 of the 有照无证 / 无照无证 lists on SQLite and PostgreSQL, through the pages and
//! the API: an officer records a disposal with an evidence file on the operator's page, the
//! lists show and filter by 处置情况 and export it, the entry is closed once, a leader reopens
//! it through the API; other districts, bad dates and unknown kinds are refused in Chinese.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};

use common::TestApp;
use meijian_domain::uscc::Uscc;
use meijian_registry::RegistryKind;
use meijian_store::registries::import::{import_file, ImportOptions};
use meijian_store::testing::TestDb;
use meijian_store::{both_backends, Actor, Scope, Store};
use reqwest::multipart::{Form, Part};
use serde_json::json;
use sha2::{Digest, Sha256};

const REG: &str = "统一社会信用代码,主体名称,主体类型,法定代表人,住所,经营范围,登记状态,成立日期,登记机关,行政区划代码";

fn uscc(body: &str) -> String {
    Uscc::from_body(body).unwrap().to_string()
}

fn write(dir: &Path, lines: &[String]) -> PathBuf {
    let p = dir.join("registrations.csv");
    std::fs::write(&p, format!("{REG}\n{}\n", lines.join("\n"))).unwrap();
    p
}

/// Two 市中区 operators with a business licence for medical aesthetics and no practice
/// licence (有照无证), one in 薛城区, cross-checked.
async fn city(app: &TestApp, dir: &Path) {
    let store: &Store = &app.db.store;
    let scope = Scope::system(Actor::system("test"));
    let now = meijian_web::Clock::now(app.clock.as_ref());
    let path = write(dir, &[
        format!("{},枣庄丽人医疗美容有限公司,有限责任公司,李娜,枣庄市市中区青檀路88号,医疗美容服务,存续,2021-03-04,市中区市场监督管理局,370402", uscc("91370402MA3C5UQ82")),
        format!("{},枣庄市市中区美颜医疗美容诊所有限公司,有限责任公司,周敏,枣庄市市中区文化路6号,医疗美容服务,存续,2021-05-04,市中区市场监督管理局,370402", uscc("91370402MA7XY1234")),
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

/// The disposal form as the page sends it: the CSRF token first.
fn form(csrf: &str, kind: &str, day: &str, file: Option<(&str, Vec<u8>)>) -> Form {
    let mut f = Form::new()
        .text("_csrf", csrf.to_owned())
        .text("kind", kind.to_owned())
        .text("disposed_on", day.to_owned())
        .text(
            "note",
            "现场检查发现无证开展注射美容，已立案处罚".to_owned(),
        )
        .text("case_id", String::new());
    if let Some((name, bytes)) = file {
        f = f.part("attachments", Part::bytes(bytes).file_name(name.to_owned()));
    }
    f
}

both_backends!(
    an_officer_records_and_closes_on_the_page,
    |db: TestDb| async move {
        let app = TestApp::spawn(db).await;
        let dir = tempfile::tempdir().unwrap();
        city(&app, dir.path()).await;
        let liren = id_of(&app, "枣庄丽人医疗美容有限公司").await;
        let meiyan = id_of(&app, "枣庄市市中区美颜医疗美容诊所有限公司").await;
        let yueyan = id_of(&app, "枣庄市薛城区悦颜医疗美容有限公司").await;
        let c = app.login("officer").await; // 市中区
        let (code, html) = app.get_text(&c, &format!("/operators/{liren}")).await;
        assert_eq!(code, 200);
        for part in ["处置与销号", "未处置", "记录处置情况", "转型生活美容"] {
            assert!(html.contains(part), "{part}: {html}");
        }
        assert!(!html.contains("action=\"/operators/{liren}/close\""));

        let csrf = app.csrf(&c).await;
        let post = |form: Form| {
            c.post(app.url(&format!("/operators/{liren}/disposals")))
                .multipart(form)
                .send()
        };
        // Refused: a day after today, an unknown kind.
        let r = post(form(&csrf, "penalty", "2026-11-21", None))
            .await
            .unwrap();
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(html.contains("处置日期：不能晚于今天"), "{html}");
        let r = post(form(&csrf, "warning", "2026-11-19", None))
            .await
            .unwrap();
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("请从列表中选择处置方式"));
        // Without the token it is refused.
        let r = c
            .post(app.url(&format!("/operators/{liren}/disposals")))
            .multipart(Form::new().text("kind", "penalty"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);

        let photo = b"%PDF-1.4 decision".to_vec();
        let r = post(form(
            &csrf,
            "penalty",
            "2026-11-19",
            Some(("处罚决定书.pdf", photo.clone())),
        ))
        .await
        .unwrap();
        assert_eq!(r.status(), 303);
        assert_eq!(
            r.headers()["location"].to_str().unwrap(),
            format!("/operators/{liren}?notice=disposal#disposal")
        );
        let (_, html) = app
            .get_text(&c, &format!("/operators/{liren}?notice=disposal"))
            .await;
        let sha = hex::encode(Sha256::digest(&photo));
        for part in [
            "处置情况已记录",
            "处置中（行政处罚，2026-11-19）",
            "处罚决定书.pdf",
            sha.as_str(),
            "销号理由",
        ] {
            assert!(html.contains(part), "{part}: {html}");
        }
        let marker = format!("/operators/{liren}/disposal-files/");
        let start = html.find(&marker).unwrap() + marker.len();
        let file_id: String = html[start..]
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect();
        let r = c
            .get(app.url(&format!("{marker}{file_id}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["x-content-type-options"], "nosniff");
        assert!(r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment"));
        assert_eq!(r.bytes().await.unwrap().to_vec(), photo);

        // The lists show and filter by it.
        let (_, html) = app.get_text(&c, "/operators?disposal=in_progress").await;
        assert!(html.contains("data-count=\"total\">1<"), "{html}");
        assert!(html.contains(&liren) && html.contains("处置中（行政处罚"));
        let (_, html) = app.get_text(&c, "/operators?disposal=undisposed").await;
        assert!(html.contains(&meiyan) && !html.contains(&liren), "{html}");
        let (_, html) = app.get_text(&c, "/operators?disposal=penalty").await;
        assert!(html.contains("data-count=\"total\">1<"), "{html}");
        assert_eq!(
            app.get_text(&c, "/operators?disposal=nonsense").await.0,
            422
        );
        let (code, html) = app
            .get_text(
                &c,
                "/reconcile/operators?class=registered_only&disposal=in_progress",
            )
            .await;
        assert_eq!(code, 200);
        assert!(html.contains("data-count=\"total\">1<"), "{html}");
        assert!(html.contains("<th>处置情况</th>") && html.contains("处置中（行政处罚"));
        let (_, html) = app
            .get_text(&c, "/reconcile/operators?class=registered_only")
            .await;
        assert!(html.contains("data-count=\"total\">2<"), "{html}");
        assert!(
            html.contains("<td data-field=\"disposal\">未处置</td>"),
            "{html}"
        );
        for path in [
            "/reconcile/operators.xlsx?class=registered_only&disposal=penalty",
            "/operators.xlsx?disposal=in_progress",
        ] {
            let r = c.get(app.url(path)).send().await.unwrap();
            assert_eq!(r.status(), 200, "{path}");
            assert!(r.bytes().await.unwrap().starts_with(b"PK"));
        }

        // Another district's officer: not found, neither page nor form.
        let other = app.login("officer2").await;
        assert_eq!(
            app.get_text(&other, &format!("/operators/{liren}")).await.0,
            404
        );
        let csrf2 = app.csrf(&other).await;
        let r = other
            .post(app.url(&format!("/operators/{liren}/disposals")))
            .multipart(form(&csrf2, "penalty", "2026-11-19", None))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404);
        let (_, html) = app.get_text(&other, &format!("/operators/{yueyan}")).await;
        assert!(html.contains("记录处置情况"), "{html}");

        // 销号, once.
        let close = |reason: &'static str| {
            c.post(app.url(&format!("/operators/{liren}/close")))
                .form(&[("_csrf", csrf.as_str()), ("reason", reason)])
                .send()
        };
        let r = close("已罚款并责令停止执业，整改到位").await.unwrap();
        assert_eq!(r.status(), 303);
        let (_, html) = app.get_text(&c, &format!("/operators/{liren}")).await;
        assert!(html.contains("已销号（行政处罚）") && html.contains("整改到位"));
        assert!(
            !html.contains("/disposals\"") && !html.contains("/reopen\""),
            "{html}"
        );
        let r = close("再次销号").await.unwrap();
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("不能重复销号"));
        let (_, html) = app.get_text(&c, "/operators?disposal=closed").await;
        assert!(html.contains("data-count=\"total\">1<") && html.contains(&liren));

        // A leader of the city reopens it on the page.
        let leader = app.login("leader").await;
        let (_, html) = app.get_text(&leader, &format!("/operators/{liren}")).await;
        assert!(html.contains("/reopen\""), "{html}");
        let lcsrf = app.csrf(&leader).await;
        let r = leader
            .post(app.url(&format!("/operators/{liren}/reopen")))
            .form(&[("_csrf", lcsrf.as_str()), ("reason", "复查发现仍在营业")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        let (_, html) = app.get_text(&c, &format!("/operators/{liren}")).await;
        assert!(html.contains("复查发现仍在营业") && html.contains("记录处置情况"));
        let audited: i64 = sqlx::query_scalar(
            "select count(*) from audit_entry where action in \
             ('operator.disposal', 'operator.close', 'operator.reopen') and entity_id = $1",
        )
        .bind(&liren)
        .fetch_one(app.db.store.pool())
        .await
        .unwrap();
        assert_eq!(audited, 3);
    }
);

both_backends!(
    the_api_records_closes_and_reopens,
    |db: TestDb| async move {
        let app = TestApp::spawn(db).await;
        let dir = tempfile::tempdir().unwrap();
        city(&app, dir.path()).await;
        let liren = id_of(&app, "枣庄丽人医疗美容有限公司").await;
        let (c, token) = app.api_login("officer").await;
        let post = |path: String, body: serde_json::Value| {
            c.post(app.url(&path))
                .header("X-CSRF-Token", token.clone())
                .json(&body)
                .send()
        };
        let r = post(
            format!("/api/operators/{liren}/disposals"),
            json!({"kind": "unknown", "disposed_on": "2026-11-19", "note": "说明"}),
        )
        .await
        .unwrap();
        assert_eq!(r.status(), 422);
        let body: serde_json::Value = r.json().await.unwrap();
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("处置方式"),
            "{body}"
        );
        let r = post(
            format!("/api/operators/{liren}/disposals"),
            json!({"kind": "licensed", "disposed_on": "2026-11-18", "note": "已取得医疗机构执业许可证", "case_id": "AJ-NO-SUCH"}),
        )
        .await
        .unwrap();
        assert_eq!(r.status(), 422);
        let r = post(
            format!("/api/operators/{liren}/close"),
            json!({"reason": "无需处置"}),
        )
        .await
        .unwrap();
        assert_eq!(r.status(), 422, "nothing recorded yet");
        let r = post(
            format!("/api/operators/{liren}/disposals"),
            json!({"kind": "licensed", "disposed_on": "2026-11-18", "note": "已取得医疗机构执业许可证"}),
        )
        .await
        .unwrap();
        assert_eq!(r.status(), 200);
        let list: serde_json::Value = r.json().await.unwrap();
        assert_eq!(list["standing"], "in_progress");
        assert_eq!(list["disposals"][0]["kind"], "licensed");
        assert_eq!(list["disposals"][0]["disposed_on"], "2026-11-18");
        // Evidence afterwards: the body is the file.
        let disposal_id = list["disposals"][0]["id"].as_str().unwrap().to_owned();
        let licence = b"\xFF\xD8\xFFphoto of the licence".to_vec();
        let upload = |disposal: &str| {
            c.post(app.url(&format!(
                "/api/operators/{liren}/disposals/{disposal}/files?file_name=许可证.jpg"
            )))
            .header("X-CSRF-Token", token.clone())
            .header("content-type", "application/octet-stream")
            .body(licence.clone())
            .send()
        };
        assert_eq!(upload("nosuch").await.unwrap().status(), 404);
        let r = upload(&disposal_id).await.unwrap();
        assert_eq!(r.status(), 200);
        let list: serde_json::Value = r.json().await.unwrap();
        let file = &list["disposals"][0]["files"][0];
        let sha = hex::encode(Sha256::digest(&licence));
        assert_eq!(file["sha256"], sha.as_str());
        assert_eq!(file["content_type"], "image/jpeg");
        assert_eq!(file["file_name"], "许可证.jpg");
        let r = c
            .get(app.url(&format!(
                "/api/operators/{liren}/disposal-files/{}",
                file["id"].as_str().unwrap()
            )))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["x-content-sha256"], sha.as_str());
        assert_eq!(r.bytes().await.unwrap().to_vec(), licence);
        let r = post(
            format!("/api/operators/{liren}/close"),
            json!({"reason": "已取得许可，规范经营"}),
        )
        .await
        .unwrap();
        assert_eq!(r.status(), 200);
        let list: serde_json::Value = r.json().await.unwrap();
        assert_eq!(list["standing"], "closed");
        assert_eq!(list["closures"][0]["reason"], "已取得许可，规范经营");
        let r = post(
            format!("/api/operators/{liren}/close"),
            json!({"reason": "再次"}),
        )
        .await
        .unwrap();
        assert_eq!(r.status(), 422);
        let r = post(
            format!("/api/operators/{liren}/reopen"),
            json!({"reason": "复查"}),
        )
        .await
        .unwrap();
        assert_eq!(r.status(), 403, "officers do not reopen");

        let (leader, ltoken) = app.api_login("leader").await;
        let r = leader
            .post(app.url(&format!("/api/operators/{liren}/reopen")))
            .header("X-CSRF-Token", ltoken)
            .json(&json!({"reason": "复查发现许可证已过期"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let list: serde_json::Value = r.json().await.unwrap();
        assert_eq!(list["standing"], "in_progress");
        assert_eq!(list["closures"][0]["reopened_by"], "leader");

        let (analyst, _) = app.api_login("analyst").await;
        let r = analyst
            .get(app.url(&format!("/api/operators/{liren}/disposals")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "the city's analyst reads it");
        let (other, _) = app.api_login("officer2").await;
        let r = other
            .get(app.url(&format!("/api/operators/{liren}/disposals")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404);

        let spec: serde_json::Value = c
            .get(app.url("/api/openapi.json"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        for p in [
            "/api/operators/{id}/disposals",
            "/api/operators/{id}/close",
            "/api/operators/{id}/reopen",
            "/api/operators/{id}/disposals/{disposal_id}/files",
            "/api/operators/{id}/disposal-files/{file_id}",
        ] {
            assert!(spec["paths"].get(p).is_some(), "OpenAPI documents {p}");
        }
        let kinds = spec
            .pointer("/components/schemas/DisposalRequest/properties/kind/enum")
            .unwrap();
        assert!(kinds.as_array().unwrap().contains(&json!("cosmetic")));
    }
);
