//! The cross-check pages (证照比对) on SQLite and PostgreSQL: an officer runs it and reads the
//! district table, a list, its XLSX and an operator page; ids of other districts are 404;
//! analysts can look but not run or decide; decisions need the CSRF token and apply from the
//! next run.
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
const LIC: &str = "登记号,证件类型,机构名称,统一社会信用代码,机构类别,诊疗科目,地址,法定代表人,主要负责人,有效期至,发证机关,行政区划代码,状态";
const SHOP: &str =
    "平台名称,店铺名称,主体名称,统一社会信用代码,地址,服务类目,店铺链接,行政区划代码";

fn uscc(body: &str) -> String {
    Uscc::from_body(body).unwrap().to_string()
}

fn write(dir: &Path, name: &str, header: &str, lines: &[String]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, format!("{header}\n{}\n", lines.join("\n"))).unwrap();
    p
}

async fn import(app: &TestApp, path: &Path, registry: RegistryKind) {
    let store: &Store = &app.db.store;
    let scope = Scope::system(Actor::system("test"));
    let now = meijian_web::Clock::now(app.clock.as_ref());
    import_file(
        store,
        &scope,
        &move || now,
        path,
        &ImportOptions::new(registry),
        &mut |_, _, _| {},
    )
    .await
    .unwrap();
}

/// A licensed clinic in 薛城区 (registration, license, platform shop), a registered but
/// unlicensed one in 市中区, and a restaurant in 市中区.
async fn city(app: &TestApp, dir: &Path) {
    let clinic = uscc("91370403MA3C5UQ81");
    let other = uscc("91370402MA3C5UQ82");
    let restaurant = uscc("92370402MA7XY1234");
    let registrations = [
        format!("{clinic},枣庄市薛城区悦颜医疗美容有限公司,有限责任公司,王芳,山东省枣庄市薛城区泰山南路123号,医疗美容服务,存续,2020-01-02,薛城区市场监督管理局,370403"),
        format!("{other},枣庄丽人医疗美容有限公司,有限责任公司,李娜,枣庄市市中区青檀路88号,医疗美容服务,存续,2021-03-04,市中区市场监督管理局,370402"),
        format!("{restaurant},市中区鑫华饭店,个体工商户,张强,枣庄市市中区光明路8号,餐饮服务,存续,2019-05-06,市中区市场监督管理局,370402"),
    ];
    let path = write(dir, "registrations.csv", REG, &registrations);
    import(app, &path, RegistryKind::Registrations).await;
    let licenses = [format!("PDY00001,执业许可证,悦颜医疗美容门诊部,{clinic},医疗美容门诊部,医疗美容科；美容皮肤科,泰山南路123号,王芳,王芳,2030-01-01,薛城区卫生健康局,370403,有效")];
    let path = write(dir, "licenses.csv", LIC, &licenses);
    import(app, &path, RegistryKind::Licenses).await;
    let shops = ["美团,悦颜醫美（薛城店）,,,枣庄市薛城区泰山南路123号,水光针,https://shop.example.com/1,370403".to_owned()];
    let path = write(dir, "platform_merchants.csv", SHOP, &shops);
    import(app, &path, RegistryKind::PlatformMerchants).await;
}

/// Runs the cross-check through the form; returns the response.
async fn run(app: &TestApp, c: &reqwest::Client, csrf: &str) -> reqwest::Response {
    c.post(app.url("/reconcile/run"))
        .form(&[("_csrf", csrf), ("as_of", "2026-11-22")])
        .send()
        .await
        .unwrap()
}

/// The number in the district table's cell of `region` and `class`.
fn cell(html: &str, region: &str, class: &str) -> i64 {
    let row = html
        .find(&format!("data-region=\"{region}\""))
        .unwrap_or_else(|| panic!("no row for {region}: {html}"));
    let marker = format!("data-class=\"{class}\">");
    let start = row + html[row..].find(&marker).unwrap() + marker.len();
    let text = &html[start..];
    let text = text.strip_prefix("<a href=\"").map_or(text, |t| {
        let end = t.find("\">").unwrap();
        &t[end + 2..]
    });
    text.split('<').next().unwrap().trim().parse().unwrap()
}

/// The operator ids linked from a list page.
fn operator_links(html: &str) -> Vec<String> {
    let marker = "href=\"/reconcile/operators/";
    let mut out: Vec<String> = html
        .match_indices(marker)
        .map(|(i, _)| {
            let rest = &html[i + marker.len()..];
            rest[..rest.find('"').unwrap()].to_string()
        })
        .collect();
    out.dedup();
    out
}

both_backends!(
    an_officer_runs_the_cross_check_and_reads_the_lists,
    |db: TestDb| async move {
        let app = TestApp::spawn(db).await;
        let dir = tempfile::tempdir().unwrap();
        city(&app, dir.path()).await;
        let c = app.login("officer").await; // 市中区
        let (code, html) = app.get_text(&c, "/reconcile").await;
        assert_eq!(code, 200);
        assert!(html.contains("尚未进行证照比对") && html.contains("开始比对"));
        assert!(html.contains("href=\"/reconcile\""), "in the navigation");

        let csrf = app.csrf(&c).await;
        let r = run(&app, &c, &csrf).await;
        assert_eq!(r.status(), 303);
        assert_eq!(r.headers()["location"], "/reconcile?notice=ran");
        let (_, html) = app.get_text(&c, "/reconcile?notice=ran").await;
        assert!(html.contains("比对已完成"), "{html}");
        assert!(html.contains("2026-11-22"));
        assert!(html.contains("市中区"));
        assert_eq!(cell(&html, "370402", "registered_only"), 1, "{html}");
        assert_eq!(cell(&html, "370402", "out"), 1);
        assert_eq!(cell(&html, "370402", "both"), 0);
        assert!(
            !html.contains("data-region=\"370403\""),
            "only the own district"
        );
        assert!(html.contains("/reconcile/operators?class=registered_only&amp;region=370402"));

        let (code, html) = app
            .get_text(
                &c,
                "/reconcile/operators?class=registered_only&region=370402",
            )
            .await;
        assert_eq!(code, 200);
        assert!(
            html.contains("枣庄市市中区 有照无证主体名单（比对基准日 2026-11-22）"),
            "{html}"
        );
        assert!(html.contains("枣庄丽人医疗美容有限公司"));
        assert!(!html.contains("鑫华饭店"));
        let ids = operator_links(&html);
        assert_eq!(ids.len(), 1, "{html}");

        let (code, html) = app
            .get_text(&c, &format!("/reconcile/operators/{}", ids[0]))
            .await;
        assert_eq!(code, 200);
        assert!(
            html.contains("有照无证") && html.contains("市场主体登记"),
            "{html}"
        );
        assert!(
            html.contains("枣庄市市中区青檀路88号"),
            "address from the record"
        );
        assert!(
            html.contains("href=\"/records/"),
            "links to the registry record"
        );
        assert!(html.contains("置信度"));

        // First run: everything is new, so the changed list holds every operator.
        let (_, html) = app.get_text(&c, "/reconcile/operators?changed=1").await;
        assert_eq!(operator_links(&html).len(), 2, "{html}");
        assert!(html.contains("（新主体）"));
        let (code, _) = app.get_text(&c, "/reconcile/review").await;
        assert_eq!(code, 200);

        // The XLSX holds the whole list under its title.
        let x = c
            .get(app.url("/reconcile/operators.xlsx?class=registered_only&region=370402&changed="))
            .send()
            .await
            .unwrap();
        assert_eq!(x.status(), 200);
        assert_eq!(
            x.headers()["content-type"],
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        );
        let disposition = x.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .to_string();
        let encoded = disposition.split("UTF-8''").nth(1).unwrap();
        let name = url::form_urlencoded::parse(format!("n={encoded}").as_bytes())
            .next()
            .unwrap()
            .1
            .to_string();
        assert_eq!(
            name,
            "枣庄市市中区有照无证主体名单比对基准日2026-11-22.xlsx"
        );
        let bytes = x.bytes().await.unwrap();
        assert!(bytes.starts_with(b"PK\x03\x04"), "a ZIP container");
        let as_text = String::from_utf8_lossy(&bytes);
        assert!(as_text.contains("xl/worksheets/sheet1.xml"));
        assert!(as_text.contains("xl/sharedStrings.xml"));
    }
);

both_backends!(
    other_districts_are_404_and_analysts_only_look,
    |db: TestDb| async move {
        let app = TestApp::spawn(db).await;
        let dir = tempfile::tempdir().unwrap();
        city(&app, dir.path()).await;

        // The city's administrator runs it for the whole city.
        let admin = app.login("admin").await;
        let csrf = app.csrf(&admin).await;
        assert_eq!(run(&app, &admin, &csrf).await.status(), 303);
        let (_, html) = app.get_text(&admin, "/reconcile").await;
        assert_eq!(cell(&html, "370403", "both"), 1, "{html}");
        let (_, html) = app
            .get_text(&admin, "/reconcile/operators?class=both&region=370403")
            .await;
        let clinic = operator_links(&html).remove(0);

        // 薛城区's officer sees it; 市中区's gets the site's 404, also for made-up ids.
        let xuecheng = app.login("officer2").await;
        let (code, _) = app
            .get_text(&xuecheng, &format!("/reconcile/operators/{clinic}"))
            .await;
        assert_eq!(code, 200);
        let shizhong = app.login("officer").await;
        let (code, html) = app
            .get_text(&shizhong, &format!("/reconcile/operators/{clinic}"))
            .await;
        assert_eq!(code, 404);
        assert!(html.contains("不存在"), "{html}");
        let (code, _) = app
            .get_text(&shizhong, "/reconcile/operators/ZT0000000000000000")
            .await;
        assert_eq!(code, 404);
        let (code, _) = app
            .get_text(&shizhong, "/reconcile/operators?region=370403")
            .await;
        assert_eq!(code, 404, "a district outside the scope");

        // The analyst reads the results but neither runs nor decides.
        let analyst = app.login("analyst").await;
        let (code, html) = app.get_text(&analyst, "/reconcile").await;
        assert_eq!(code, 200);
        assert!(!html.contains("开始比对"), "no run form");
        let (_, html) = app
            .get_text(&analyst, &format!("/reconcile/operators/{clinic}"))
            .await;
        assert!(html.contains("有证有照") && !html.contains("name=\"kind\""));
        let analyst_csrf = app.csrf(&analyst).await;
        assert_eq!(run(&app, &analyst, &analyst_csrf).await.status(), 403);
        let r = analyst
            .post(app.url("/reconcile/decisions"))
            .form(&[
                ("_csrf", analyst_csrf.as_str()),
                ("kind", "split"),
                ("a", "licenses:PDY00001"),
                ("b", &format!("registrations:{}", uscc("91370403MA3C5UQ81"))),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
    }
);

both_backends!(
    decisions_need_the_token_and_apply_from_the_next_run,
    |db: TestDb| async move {
        let app = TestApp::spawn(db).await;
        let dir = tempfile::tempdir().unwrap();
        city(&app, dir.path()).await;
        let admin = app.login("admin").await;
        let csrf = app.csrf(&admin).await;
        assert_eq!(run(&app, &admin, &csrf).await.status(), 303);
        let (_, html) = app
            .get_text(&admin, "/reconcile/operators?class=both&region=370403")
            .await;
        let clinic = operator_links(&html).remove(0);
        let (_, html) = app
            .get_text(&admin, &format!("/reconcile/operators/{clinic}"))
            .await;
        assert!(html.contains("确认为同一主体（合并）") && html.contains("不是同一主体（拆分）"));
        assert!(
            html.contains("shop.example.com"),
            "the shop is one of its records: {html}"
        );
        assert_eq!(html.matches("class=\"panel record-card\"").count(), 3);
        let shop = "platform_merchants:https://shop.example.com/1".to_string();
        let registration = format!("registrations:{}", uscc("91370403MA3C5UQ81"));
        let form = |token: Option<&str>| {
            let mut f = vec![
                ("kind", "split".to_string()),
                ("a", registration.clone()),
                ("b", shop.clone()),
                ("note", "现场核实：店铺不是该诊所开设".to_string()),
                ("operator", clinic.clone()),
            ];
            if let Some(t) = token {
                f.push(("_csrf", t.to_string()));
            }
            f
        };

        // Without the token: refused, nothing kept.
        let r = admin
            .post(app.url("/reconcile/decisions"))
            .form(&form(None))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
        let r = admin
            .post(app.url("/reconcile/decisions"))
            .form(&form(Some("0".repeat(64).as_str())))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
        let kept: i64 = sqlx::query_scalar("select count(*) from reconcile_decision")
            .fetch_one(app.db.store.pool())
            .await
            .unwrap();
        assert_eq!(kept, 0);

        let r = admin
            .post(app.url("/reconcile/decisions"))
            .form(&form(Some(&csrf)))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        let location = r.headers()["location"].to_str().unwrap().to_string();
        assert_eq!(
            location,
            format!("/reconcile/operators/{clinic}?notice=decided")
        );
        let (_, html) = app.get_text(&admin, &location).await;
        assert!(html.contains("下一次比对时生效"), "{html}");
        let (_, html) = app.get_text(&admin, "/reconcile/review").await;
        assert!(html.contains("现场核实：店铺不是该诊所开设"), "{html}");

        // The next run follows it: the shop stands apart and the move is reported.
        assert_eq!(run(&app, &admin, &csrf).await.status(), 303);
        let (_, html) = app
            .get_text(&admin, &format!("/reconcile/operators/{clinic}"))
            .await;
        assert_eq!(
            html.matches("class=\"panel record-card\"").count(),
            2,
            "{html}"
        );
        let (_, html) = app.get_text(&admin, "/reconcile/operators?changed=1").await;
        assert_eq!(
            operator_links(&html).len(),
            1,
            "only the shop's new operator: {html}"
        );

        // Withdrawn (撤销, with the CSRF token), the split no longer applies on the next run.
        let id: String = sqlx::query_scalar("select id from reconcile_decision")
            .fetch_one(app.db.store.pool())
            .await
            .unwrap();
        let path = format!("/reconcile/decisions/{id}/revoke");
        let r = admin.post(app.url(&path)).send().await.unwrap();
        assert_eq!(r.status(), 403, "no token, no revocation");
        let r = admin
            .post(app.url(&path))
            .form(&[("_csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        let (_, html) = app
            .get_text(&admin, "/reconcile/review?notice=revoked")
            .await;
        assert!(html.contains("决定已撤销"), "{html}");
        assert_eq!(run(&app, &admin, &csrf).await.status(), 303);
        let (_, html) = app
            .get_text(&admin, &format!("/reconcile/operators/{clinic}"))
            .await;
        assert_eq!(
            html.matches("class=\"panel record-card\"").count(),
            3,
            "{html}"
        );
    }
);
