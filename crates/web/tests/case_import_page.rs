//! 案件/处罚历史数据导入 through the web, on SQLite and PostgreSQL: the cases then the penalties
//! uploaded, previewed (nothing written) and imported (the cases in the list), rejected rows
//! shown with their line and reason, and refused to a user without the import right.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::TestApp;
use meijian_store::both_backends;
use meijian_store::testing::TestDb;

/// A cases file whose good row was handled by `authority` (a department's name links the case
/// to it, and an officer sees the cases of the department).
fn cases_file(authority: &str) -> String {
    format!(
        "案件编号,案件名称,立案日期,办案机关,行政区划代码,案件类别,案件来源,案件状态,结案日期,违法行为
ZZH-001,某美容店无证行医历史案,2024-03-01,{authority},370402,无证行医,投诉举报,结案,2024-06-30,非法注射
ZZH-002,类别写错的案件,2024-04-01,{authority},370402,美容,投诉举报,立案,,
ZZH-003,薛城的案件,2024-04-01,枣庄市薛城区卫生健康局,370403,医疗机构,监督检查,调查取证,,超范围
"
    )
}

const PENALTIES: &str =
    "处罚编号,案件编号,当事人名称,当事人类型,当事人证件号码,处罚种类,金额（元）,决定日期,决定书文号
CFH-001,ZZH-001,王某某,个人,,罚款,\"12,500.50\",2024-06-01,枣市中卫罚〔2024〕1号
CFH-002,ZZH-009,李某某,个人,,警告,,2024-06-01,枣市中卫罚〔2024〕2号
";

/// Sends the upload form, the CSRF token first as the page puts it.
async fn upload(
    app: &TestApp,
    c: &reqwest::Client,
    csrf: Option<&str>,
    kind: &str,
    name: &str,
    body: &str,
    action: &str,
) -> reqwest::Response {
    let mut form = reqwest::multipart::Form::new();
    if let Some(t) = csrf {
        form = form.text("_csrf", t.to_string());
    }
    let form = form
        .text("file_kind", kind.to_string())
        .text("action", action.to_string())
        .part(
            "file",
            reqwest::multipart::Part::bytes(body.as_bytes().to_vec()).file_name(name.to_string()),
        );
    c.post(app.url("/cases/import"))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

fn count_in(html: &str, name: &str) -> i64 {
    let marker = format!("data-count=\"{name}\">");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("{name} not on page: {html}"))
        + marker.len();
    html[start..].split('<').next().unwrap().parse().unwrap()
}

/// The problem row of `line` as shown (its cells' text), or panics.
fn rejected_row(html: &str, line: u64) -> String {
    let marker = format!("<tr data-line=\"{line}\">");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("line {line} not listed: {html}"));
    let row = &html[start..];
    row[..row.find("</tr>").unwrap()].to_string()
}

fn token_of(html: &str) -> String {
    let marker = "name=\"token\" value=\"";
    let start = html.find(marker).expect("a confirm form") + marker.len();
    html[start..start + 32].to_string()
}

async fn history_cases(app: &TestApp) -> i64 {
    sqlx::query_scalar("select count(*) from enforcement_case where case_no like 'ZZH-%'")
        .fetch_one(app.db.store.pool())
        .await
        .unwrap()
}

both_backends!(
    cases_then_penalties_previewed_and_imported,
    |db: TestDb| async move {
        let app = TestApp::spawn(db).await;
        let c = app.login("officer").await; // 市中区, may import
        let csrf = app.csrf(&c).await;
        let cases = cases_file(&app.accounts["officer"].department);
        let cases = cases.as_str();

        // The case list offers the page.
        let (code, html) = app.get_text(&c, "/cases").await;
        assert_eq!(code, 200);
        assert!(html.contains("href=\"/cases/import\""), "{html}");
        let (code, html) = app.get_text(&c, "/cases/import").await;
        assert_eq!(code, 200);
        assert!(html.contains("处罚决定") && html.contains("预览"), "{html}");

        // Without the form's token the upload is refused.
        let r = upload(&app, &c, None, "cases", "案件.csv", cases, "preview").await;
        assert_eq!(r.status(), 403);

        // The preview counts and lists, and writes nothing.
        let r = upload(&app, &c, Some(&csrf), "cases", "案件.csv", cases, "preview").await;
        assert_eq!(r.status(), 200);
        let html = r.text().await.unwrap();
        assert!(html.contains("尚未写入任何数据"), "{html}");
        assert_eq!(
            (
                count_in(&html, "rows"),
                count_in(&html, "added"),
                count_in(&html, "rejected")
            ),
            (3, 1, 2)
        );
        let row = rejected_row(&html, 3);
        assert!(
            row.contains("<td>3</td>")
                && row.contains("案件类别")
                && row.contains("美容")
                && row.contains("不是允许的值"),
            "{row}"
        );
        assert!(
            rejected_row(&html, 4).contains("不在您的管辖范围内"),
            "{html}"
        );
        assert_eq!(history_cases(&app).await, 0, "a preview writes nothing");
        let token = token_of(&html);

        // The rejected rows as XLSX.
        let x = c
            .get(app.url(&format!("/cases/import/{token}/rejections.xlsx")))
            .send()
            .await
            .unwrap();
        assert_eq!(x.status(), 200);
        assert!(x.bytes().await.unwrap().starts_with(b"PK"));

        // Nobody else may confirm or download the upload.
        let other = app.login("officer2").await;
        let other_csrf = app.csrf(&other).await;
        let r = other
            .post(app.url("/cases/import/confirm"))
            .form(&[("_csrf", other_csrf.as_str()), ("token", token.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404);
        let (code, _) = app
            .get_text(&other, &format!("/cases/import/{token}/rejections.xlsx"))
            .await;
        assert_eq!(code, 404);
        assert_eq!(history_cases(&app).await, 0);

        // Confirmed, the good row goes in and shows in the list.
        let r = c
            .post(app.url("/cases/import/confirm"))
            .form(&[("_csrf", csrf.as_str()), ("token", token.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let html = r.text().await.unwrap();
        assert!(
            html.contains("导入完成") && !html.contains("尚未写入任何数据"),
            "{html}"
        );
        assert_eq!(
            (count_in(&html, "added"), count_in(&html, "rejected")),
            (1, 2)
        );
        assert!(rejected_row(&html, 3).contains("不是允许的值"));
        assert_eq!(history_cases(&app).await, 1);
        let (code, html) = app.get_text(&c, "/cases?q=ZZH").await;
        assert_eq!(code, 200);
        assert!(
            html.contains("ZZH-001")
                && html.contains("某美容店无证行医历史案")
                && !html.contains("ZZH-002")
                && html.contains("共 <span data-count=\"total\">1</span> 件"),
            "{html}"
        );
        // Its problem rows can still be downloaded after the import.
        let x = c
            .get(app.url(&format!("/cases/import/{token}/rejections.xlsx")))
            .send()
            .await
            .unwrap();
        assert_eq!(x.status(), 200);

        // A second confirmation of the same upload imports nothing again.
        let r = c
            .post(app.url("/cases/import/confirm"))
            .form(&[("_csrf", csrf.as_str()), ("token", token.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert!(r.text().await.unwrap().contains("已经导入过"));

        // Then the penalties, imported at once: the one of an unknown case is refused.
        let r = upload(
            &app,
            &c,
            Some(&csrf),
            "penalties",
            "处罚.csv",
            PENALTIES,
            "import",
        )
        .await;
        assert_eq!(r.status(), 200);
        let html = r.text().await.unwrap();
        assert!(
            html.contains("导入完成") && html.contains("处罚决定"),
            "{html}"
        );
        assert_eq!(
            (count_in(&html, "added"), count_in(&html, "rejected")),
            (1, 1)
        );
        let row = rejected_row(&html, 3);
        assert!(
            row.contains("ZZH-009") && row.contains("请先导入该案件"),
            "{row}"
        );
        let n: i64 = sqlx::query_scalar(
            "select count(*) from case_action a join enforcement_case c on c.id = a.case_id \
             where c.case_no = 'ZZH-001'",
        )
        .fetch_one(app.db.store.pool())
        .await
        .unwrap();
        assert!(n >= 1, "the penalty is written");
        let (_, html) = app.get_text(&c, "/cases?q=ZZH").await;
        assert!(html.contains("王某某"), "{html}");

        // Importing the same cases file again changes nothing.
        let r = upload(&app, &c, Some(&csrf), "cases", "案件.csv", cases, "import").await;
        let html = r.text().await.unwrap();
        assert_eq!(
            (count_in(&html, "added"), count_in(&html, "unchanged")),
            (0, 1),
            "{html}"
        );
        assert_eq!(history_cases(&app).await, 1);
    }
);

both_backends!(
    a_bad_file_is_explained_on_the_form,
    |db: TestDb| async move {
        let app = TestApp::spawn(db).await;
        let c = app.login("officer").await;
        let csrf = app.csrf(&c).await;
        // A penalties file offered as cases: its headers do not fit.
        let r = upload(
            &app,
            &c,
            Some(&csrf),
            "cases",
            "处罚.csv",
            PENALTIES,
            "preview",
        )
        .await;
        assert_eq!(r.status(), 200);
        let html = r.text().await.unwrap();
        assert!(
            html.contains("role=\"alert\"") && html.contains("处罚.csv："),
            "{html}"
        );
        // An empty file.
        let r = upload(&app, &c, Some(&csrf), "cases", "空.csv", "", "preview").await;
        assert!(r.text().await.unwrap().contains("请选择一个非空的文件"));
        assert_eq!(history_cases(&app).await, 0);
    }
);

both_backends!(refused_without_the_import_right, |db: TestDb| async move {
    let app = TestApp::spawn(db).await;
    let c = app.login("leader").await; // may not import
    let csrf = app.csrf(&c).await;
    let cases = cases_file("某局");
    let (code, html) = app.get_text(&c, "/cases").await;
    assert_eq!(code, 200);
    assert!(!html.contains("/cases/import"), "{html}");
    let (code, _) = app.get_text(&c, "/cases/import").await;
    assert_eq!(code, 403);
    let r = upload(&app, &c, Some(&csrf), "cases", "案件.csv", &cases, "import").await;
    assert_eq!(r.status(), 403);
    let r = c
        .post(app.url("/cases/import/confirm"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("token", "0123456789abcdef0123456789abcdef"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(history_cases(&app).await, 0);
});
