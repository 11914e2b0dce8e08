//! The officers' side of leads on SQLite and PostgreSQL: desk intake routed by the duty matrix
//! with the reporter shown only to the handling department, the steps of handling through the
//! forms, referrals between districts, overdue leads and 督办, rewards, the ledger's XLSX
//! without reporter data, the 汇总表 complaint line and attachment downloads.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::Read;

use common::TestApp;
use meijian_domain::lead::{Category, Channel, LeadKind, LeadRules};
use meijian_domain::workdays::Calendar;
use meijian_store::leads::intake::{self, AttachmentIn, AttachmentLimits, NewComplaint};
use meijian_store::testing::TestDb;
use meijian_store::{both_backends, Actor};

const PHONE: &str = "13812345678";

/// The fields of the desk intake form for an unlicensed-practice complaint in 市中区.
fn complaint_form(csrf: &str) -> Vec<(&'static str, &str)> {
    vec![
        ("_csrf", csrf),
        ("channel", "phone"),
        ("channel_ref", "12345-20261120-001"),
        ("received_at", ""),
        ("kind", "complaint"),
        ("category", "unlicensed_practice"),
        ("region_code", "370402"),
        ("subject_name", "悦颜美容工作室"),
        ("subject_address", "市中区光明路18号3单元"),
        ("happened_on", "2026-11-18"),
        (
            "description",
            "在居民楼内给顾客注射玻尿酸，没有看到医疗机构执业许可证。",
        ),
        ("reporter_name", "张三丰"),
        ("reporter_phone", PHONE),
        ("reporter_address", "枣庄市市中区青檀路1号"),
        ("reporter_email", ""),
    ]
}

/// The lead id linked from a page (`href="/leads/{id}"`), the first one.
fn lead_link(html: &str) -> String {
    let marker = "href=\"/leads/";
    let start = html
        .match_indices(marker)
        .map(|(i, _)| i + marker.len())
        .find(|&i| html[i..].starts_with(|c: char| c.is_ascii_hexdigit()))
        .unwrap_or_else(|| panic!("no lead link in {html}"));
    let rest = &html[start..];
    rest[..rest.find('"').unwrap()].to_string()
}

/// The text of `data-field="{field}">…<`.
fn field(html: &str, name: &str) -> String {
    let marker = format!("data-field=\"{name}\">");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} in {html}"))
        + marker.len();
    html[start..].split('<').next().unwrap().trim().to_string()
}

/// A desk intake as the browser sends it: multipart, the `_csrf` of `form` (if any) as the
/// first field, the files (name, bytes) as `attachments`.
async fn post_intake(
    app: &TestApp,
    c: &reqwest::Client,
    form: &[(&str, &str)],
    files: &[(&str, &[u8])],
) -> reqwest::Response {
    let mut body = reqwest::multipart::Form::new();
    let url = app.url("/leads/new");
    for (name, value) in form.iter().filter(|(name, _)| *name == "_csrf") {
        body = body.text(name.to_string(), value.to_string());
    }
    for (name, value) in form.iter().filter(|(name, _)| *name != "_csrf") {
        body = body.text(name.to_string(), value.to_string());
    }
    for (file_name, bytes) in files {
        let part = reqwest::multipart::Part::bytes(bytes.to_vec())
            .file_name(file_name.to_string())
            .mime_str("image/jpeg")
            .unwrap();
        body = body.part("attachments", part);
    }
    c.post(url).multipart(body).send().await.unwrap()
}

/// Takes the complaint at `c`'s desk; returns the lead id and the result page.
async fn take(app: &TestApp, c: &reqwest::Client, form: &[(&str, &str)]) -> (String, String) {
    let r = post_intake(app, c, form, &[]).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let html = r.text().await.unwrap();
    (lead_link(&html), html)
}

async fn act(
    app: &TestApp,
    c: &reqwest::Client,
    id: &str,
    action: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    c.post(app.url(&format!("/leads/{id}/{action}")))
        .form(form)
        .send()
        .await
        .unwrap()
}

async fn department_name(app: &TestApp, id: &str) -> String {
    sqlx::query_scalar("select name from department where id = $1")
        .bind(id)
        .fetch_one(app.db.store.pool())
        .await
        .unwrap()
}

/// The shared strings and first sheet of an XLSX, as text.
fn xlsx_text(bytes: &[u8]) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = String::new();
    for name in ["xl/sharedStrings.xml", "xl/worksheets/sheet1.xml"] {
        if let Ok(mut f) = zip.by_name(name) {
            f.read_to_string(&mut out).unwrap();
        }
    }
    out
}

both_backends!(
    desk_intake_routes_the_lead_and_shows_the_reporter_only_to_its_handler,
    |db: TestDb| async move {
        let app = TestApp::spawn(db).await;
        let officer = app.login("officer").await;
        let (code, html) = app.get_text(&officer, "/leads/new").await;
        assert_eq!(code, 200);
        assert!(
            html.contains("受理登记") && html.contains("12345转办"),
            "{html}"
        );
        assert!(
            !html.contains("网上投诉举报"),
            "the public page is no desk channel"
        );
        assert!(html.contains("value=\"370402\""), "the officer's district");
        assert!(!html.contains("value=\"370403\""), "only the jurisdiction");
        assert!(
            html.contains("2026-11-20T10:00"),
            "received now, in China time"
        );
        assert!(
            html.contains("enctype=\"multipart/form-data\"")
                && html.contains("action=\"/leads/new\"")
                && !html.contains("?_csrf=")
                && html.contains("name=\"attachments\" type=\"file\" multiple"),
            "{html}"
        );

        let csrf = app.csrf(&officer).await;
        let (id, html) = take(&app, &officer, &complaint_form(&csrf)).await;
        let own = app.department_id("health_supervision", "370402").await;
        let own_name = department_name(&app, &own).await;
        assert_eq!(field(&html, "department"), own_name);
        assert_eq!(field(&html, "ticket-code").len(), 12, "{html}");
        assert_eq!(field(&html, "secret").len(), 16);
        assert!(html.contains("只在此显示一次"));

        // The handling officer reads the reporter whole; the leader masked; officer2 not at all.
        let (code, html) = app.get_text(&officer, &format!("/leads/{id}")).await;
        assert_eq!(code, 200);
        assert_eq!(field(&html, "reporter-phone"), PHONE);
        assert!(html.contains("张三丰"));
        assert_eq!(field(&html, "state"), "待受理");
        assert!(html.contains("/accept") && html.contains("/decline"));
        let leader = app.login("leader").await;
        let (code, html) = app.get_text(&leader, &format!("/leads/{id}")).await;
        assert_eq!(code, 200);
        assert_eq!(field(&html, "reporter-phone"), "138****5678");
        assert!(!html.contains(PHONE) && !html.contains("张三丰"));
        assert!(!html.contains("/accept\""), "the leader does not handle it");
        let officer2 = app.login("officer2").await;
        let (code, _) = app.get_text(&officer2, &format!("/leads/{id}")).await;
        assert_eq!(code, 404);
        let (_, html) = app.get_text(&officer2, "/leads?due=all").await;
        assert!(!html.contains(&id));

        // The ledger and the dashboard count it.
        let (_, html) = app.get_text(&officer, "/leads").await;
        assert!(html.contains(&format!("href=\"/leads/{id}\"")), "{html}");
        assert!(
            html.contains("受理 2026-12-01 23:59"),
            "7 working days: {html}"
        );
        assert!(html.contains("href=\"/leads\"") && html.contains("href=\"/referrals\""));
        let (_, html) = app.get_text(&officer, "/").await;
        assert!(html.contains("data-count=\"leads_open\">1<"), "{html}");
        assert!(html.contains("data-count=\"leads_overdue\">0<"));

        // A clue about an advert is market regulation's: it is referred there at once, and the
        // finder keeps it (and sees the outcome) until they accept.
        let r = officer
            .post(app.url("/leads/clue"))
            .form(&[
                ("_csrf", csrf.as_str()),
                ("source", "monitoring"),
                ("category", "advertising"),
                ("region_code", "370402"),
                ("subject_name", "丽人医美"),
                ("subject_address", ""),
                ("summary", "朋友圈发布“零风险、无痛”医美广告"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let html = r.text().await.unwrap();
        let market = app.department_id("market_regulation", "370402").await;
        let own = app.department_id("health_supervision", "370402").await;
        assert_eq!(
            field(&html, "department"),
            department_name(&app, &own).await
        );
        assert!(
            html.contains(&format!(
                "已移送{}，待其签收",
                department_name(&app, &market).await
            )),
            "{html}"
        );
        assert!(!html.contains("本部门的台账中不再显示"), "{html}");

        // A form with a mistake comes back filled in.
        let mut form = complaint_form(&csrf);
        form.retain(|(k, _)| *k != "reporter_phone");
        form.push(("reporter_phone", "12345"));
        let r = post_intake(&app, &officer, &form, &[]).await;
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(
            html.contains("联系电话：请填写手机号或带区号的固定电话"),
            "{html}"
        );
        assert!(
            html.contains("悦颜美容工作室"),
            "the form keeps what was typed"
        );
    }
);

both_backends!(
    an_officer_handles_a_lead_through_the_forms,
    |db: TestDb| async move {
        let app = TestApp::spawn(db).await;
        let officer = app.login("officer").await;
        let csrf = app.csrf(&officer).await;
        let (id, _) = take(&app, &officer, &complaint_form(&csrf)).await;
        let page = format!("/leads/{id}");

        // Without the CSRF token nothing happens.
        let r = act(&app, &officer, &id, "accept", &[]).await;
        assert_eq!(r.status(), 403);
        let (_, html) = app.get_text(&officer, &page).await;
        assert_eq!(field(&html, "state"), "待受理");

        let r = act(&app, &officer, &id, "accept", &[("_csrf", &csrf)]).await;
        assert_eq!(r.status(), 303);
        assert_eq!(
            r.headers()["location"],
            format!("/leads/{id}?notice=accept")
        );
        let (_, html) = app
            .get_text(&officer, &format!("{page}?notice=accept"))
            .await;
        assert_eq!(field(&html, "state"), "核查中");
        assert!(html.contains("已受理，核查时限开始计算"));

        // A step the store refuses shows its message on the page, with what was typed.
        let r = act(
            &app,
            &officer,
            &id,
            "verify",
            &[
                ("_csrf", &csrf),
                ("finding", "substantiated"),
                ("note", "短"),
            ],
        )
        .await;
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert_eq!(
            field(&html, "error"),
            "核查情况：请写明核查情况（4–2000字）"
        );

        let r = act(
            &app,
            &officer,
            &id,
            "verify",
            &[
                ("_csrf", &csrf),
                ("finding", "substantiated"),
                ("note", "现场检查发现无证开展注射类医疗美容"),
            ],
        )
        .await;
        assert_eq!(r.status(), 303);
        let (_, html) = app.get_text(&officer, &page).await;
        assert_eq!(field(&html, "state"), "已核查");

        // A penalty is decided on the lead's case: without one, concluding with a penalty is
        // refused with the reason.
        let conclude = [
            ("_csrf", csrf.as_str()),
            ("outcome", "penalty"),
            ("note", "立案查处，作出行政处罚决定"),
        ];
        let r = act(&app, &officer, &id, "conclude", &conclude).await;
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(
            field(&html, "error").starts_with("办理结果："),
            "{}",
            field(&html, "error")
        );
        let case_id = app
            .decide_case_for_lead(&officer, &csrf, &id, "30,000")
            .await;
        let r = act(&app, &officer, &id, "conclude", &conclude).await;
        assert_eq!(r.status(), 303);
        let (_, html) = app.get_text(&officer, &page).await;
        assert_eq!(field(&html, "state"), "已办结");
        // The lead points at its case, where the fine is stored in fen.
        assert!(html.contains(&format!("href=\"/cases/{case_id}\"")));
        let (_, case_page) = app.get_text(&officer, &format!("/cases/{case_id}")).await;
        assert!(case_page.contains("30,000.00 元"), "{case_page}");
        assert!(field(&html, "outcome").starts_with("实施行政处罚"));

        let r = act(
            &app,
            &officer,
            &id,
            "reply",
            &[("_csrf", &csrf), ("text", "经查属实，已依法作出行政处罚。")],
        )
        .await;
        assert_eq!(r.status(), 303);
        let r = act(
            &app,
            &officer,
            &id,
            "satisfaction",
            &[("_csrf", &csrf), ("satisfaction", "satisfied")],
        )
        .await;
        assert_eq!(r.status(), 303);
        let (_, html) = app.get_text(&officer, &page).await;
        assert_eq!(field(&html, "state"), "已答复");
        for step in ["受理", "核查", "办结", "答复", "满意度回访"] {
            assert!(html.contains(step), "history has {step}");
        }
        assert!(html.contains("按期完成"));
        let (_, html) = app.get_text(&officer, "/leads?due=closed").await;
        assert!(html.contains(&id));

        // Declining needs a reason, in Chinese.
        let (other, _) = take(&app, &officer, &complaint_form(&csrf)).await;
        let r = act(
            &app,
            &officer,
            &other,
            "decline",
            &[("_csrf", &csrf), ("reason", "")],
        )
        .await;
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert_eq!(
            field(&html, "error"),
            "不予受理理由：请写明不予受理理由（4–500字）"
        );
        assert_eq!(field(&html, "state"), "待受理");
        let r = act(
            &app,
            &officer,
            &other,
            "decline",
            &[("_csrf", &csrf), ("reason", "不属于本部门职责范围")],
        )
        .await;
        assert_eq!(r.status(), 303);
        // An unknown step is no page.
        let r = act(&app, &officer, &other, "delete", &[("_csrf", &csrf)]).await;
        assert_eq!(r.status(), 404);
    }
);

both_backends!(
    a_referral_moves_the_lead_and_the_sender_keeps_sight_of_it,
    |db: TestDb| async move {
        let app = TestApp::spawn(db).await;
        let officer = app.login("officer").await;
        let csrf = app.csrf(&officer).await;
        let (id, _) = take(&app, &officer, &complaint_form(&csrf)).await;
        let to = app.department_id("market_regulation", "370403").await;
        let to_name = department_name(&app, &to).await;
        let (_, html) = app.get_text(&officer, &format!("/leads/{id}")).await;
        assert!(
            html.contains(&format!("value=\"{to}\"")),
            "other districts' departments are destinations"
        );

        let r = act(
            &app,
            &officer,
            &id,
            "refer",
            &[("_csrf", &csrf), ("to_department_id", &to), ("reason", "")],
        )
        .await;
        assert_eq!(r.status(), 422, "a referral needs a reason");
        let r = act(
            &app,
            &officer,
            &id,
            "refer",
            &[
                ("_csrf", &csrf),
                ("to_department_id", &to),
                ("reason", "经营场所实际位于薛城区，属市场监管职责"),
            ],
        )
        .await;
        assert_eq!(r.status(), 303);

        // officer2 finds it in the inbox, can open it, and accepts it.
        let officer2 = app.login("officer2").await;
        let (_, html) = app.get_text(&officer2, "/").await;
        assert!(
            html.contains("data-count=\"referrals_waiting\">1<"),
            "{html}"
        );
        let (code, html) = app.get_text(&officer2, "/referrals").await;
        assert_eq!(code, 200);
        assert_eq!(lead_link(&html), id);
        assert_eq!(field(&html, "referral-state"), "待签收");
        let referral: String =
            sqlx::query_scalar("select id from lead_referral where lead_id = $1")
                .bind(&id)
                .fetch_one(app.db.store.pool())
                .await
                .unwrap();
        let (code, _) = app.get_text(&officer2, &format!("/leads/{id}")).await;
        assert_eq!(code, 200, "the receiver sees the referred lead");
        let csrf2 = app.csrf(&officer2).await;
        let r = officer2
            .post(app.url(&format!("/referrals/{referral}/accept")))
            .form(&[("_csrf", csrf2.as_str()), ("note", "")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422, "accepting needs a note");
        let r = officer2
            .post(app.url(&format!("/referrals/{referral}/accept")))
            .form(&[("_csrf", csrf2.as_str()), ("note", "同意接收")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        let (_, html) = app.get_text(&officer2, &format!("/leads/{id}")).await;
        assert_eq!(field(&html, "department"), to_name);
        assert!(
            html.contains(&format!("/leads/{id}/accept")),
            "officer2 handles it now"
        );
        assert_eq!(field(&html, "reporter-phone"), PHONE);

        // The sender still sees it, masked, with its state, and learns the outcome.
        let (code, html) = app.get_text(&officer, &format!("/leads/{id}")).await;
        assert_eq!(code, 200);
        assert_eq!(field(&html, "department"), to_name);
        assert_eq!(field(&html, "reporter-phone"), "138****5678");
        assert!(!html.contains(&format!("/leads/{id}/accept")));
        let (_, html) = app.get_text(&officer, "/referrals").await;
        assert_eq!(field(&html, "referral-state"), "已接收办理");
        assert_eq!(field(&html, "lead-state"), "待受理");
        let (_, html) = app.get_text(&officer, "/").await;
        assert!(
            html.contains("data-count=\"leads_open\">0<"),
            "no longer the sender's work: {html}"
        );
    }
);

both_backends!(
    an_overdue_lead_is_listed_and_the_leader_supervises_it,
    |db: TestDb| async move {
        let app = TestApp::spawn(db).await;
        let officer = app.login("officer").await;
        let csrf = app.csrf(&officer).await;
        let (id, html) = take(&app, &officer, &complaint_form(&csrf)).await;
        let code = lead_code(&html);
        let (_, html) = app.get_text(&officer, "/leads?due=overdue").await;
        assert!(!html.contains(&code));

        // 7 working days from Friday 20 November run out at the end of 1 December.
        app.clock.advance(time::Duration::days(12));
        // The session has long expired: sign in again.
        let officer = app.login("officer").await;
        let csrf = app.csrf(&officer).await;
        let (_, html) = app.get_text(&officer, "/leads?due=overdue").await;
        assert!(html.contains(&code), "{html}");
        assert!(html.contains("class=\"overdue\""));
        let (_, html) = app.get_text(&officer, "/").await;
        assert!(html.contains("data-count=\"leads_overdue\">1<"), "{html}");

        let leader = app.login("leader").await;
        let (_, html) = app.get_text(&leader, "/leads?due=overdue").await;
        assert!(html.contains(&code));
        assert!(html.contains("id=\"department-loads\""), "{html}");
        let own = app.department_id("health_supervision", "370402").await;
        assert!(html.contains(&format!("/leads?due=open&#38;department={own}")));
        let (_, html) = app
            .get_text(&leader, &format!("/leads?due=open&department={own}"))
            .await;
        assert!(html.contains(&code));

        let (_, html) = app.get_text(&leader, &format!("/leads/{id}")).await;
        assert!(html.contains(&format!("/leads/{id}/supervise")));
        let leader_csrf = app.csrf(&leader).await;
        let r = act(
            &app,
            &leader,
            &id,
            "supervise",
            &[("_csrf", &leader_csrf), ("note", "")],
        )
        .await;
        assert_eq!(r.status(), 422);
        let r = act(
            &app,
            &leader,
            &id,
            "supervise",
            &[("_csrf", &leader_csrf), ("note", "请于三日内办结并报告")],
        )
        .await;
        assert_eq!(r.status(), 303);
        let (_, html) = app.get_text(&officer, &format!("/leads/{id}")).await;
        assert!(html.contains("id=\"supervisions\"") && html.contains("请于三日内办结并报告"));
        // The officer cannot supervise.
        let r = act(
            &app,
            &officer,
            &id,
            "supervise",
            &[("_csrf", &csrf), ("note", "自己督办自己")],
        )
        .await;
        assert_eq!(r.status(), 403);
    }
);

/// The lead code on the result page.
fn lead_code(html: &str) -> String {
    let marker = "data-field=\"lead-code\">";
    let start = html.find(marker).unwrap() + marker.len();
    let rest = &html[start..];
    let start = rest.find("\">").unwrap() + 2;
    rest[start..].split('<').next().unwrap().to_string()
}

both_backends!(
    the_export_has_no_reporter_and_the_summary_counts_the_complaint,
    |db: TestDb| async move {
        let app = TestApp::spawn(db).await;
        let officer = app.login("officer").await;
        let csrf = app.csrf(&officer).await;
        let (_, html) = take(&app, &officer, &complaint_form(&csrf)).await;
        let code = lead_code(&html);

        let r = officer
            .get(app.url("/leads.xlsx?due=all"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(
            r.headers()["content-type"],
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        );
        let text = xlsx_text(&r.bytes().await.unwrap());
        assert!(text.contains(&code), "{text}");
        assert!(text.contains("重点违法线索台账"), "the title row");
        assert!(text.contains("悦颜美容工作室"));
        assert!(!text.contains(PHONE), "no reporter phone");
        assert!(
            !text.contains("张三丰") && !text.contains("青檀路"),
            "no reporter"
        );
        assert!(!text.contains("玻尿酸"), "no complaint text");

        for who in ["officer", "analyst"] {
            let c = app.login(who).await;
            let (status, html) = app.get_text(&c, "/leads/summary?month=2026-11").await;
            assert_eq!(status, 200, "{who}");
            let row = html.find("data-region=\"370402\"").expect("市中区 row");
            let cell = "data-count=\"received\">";
            let at = row + html[row..].find(cell).unwrap() + cell.len();
            assert_eq!(&html[at..at + 1], "1", "{who}: {html}");
        }
        let (_, html) = app.get_text(&officer, "/leads/summary?month=2026-10").await;
        assert!(html.contains("投诉举报0件"));
        let r = officer
            .get(app.url("/leads/summary.xlsx?month=2026-11"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let text = xlsx_text(&r.bytes().await.unwrap());
        assert!(
            text.contains("投诉举报1件；办结0件；实施行政处罚0件；反馈0件；举报人满意0件。"),
            "{text}"
        );
        assert!(text.contains("合计"));
        let institution = app.login("institution").await;
        let (status, _) = app.get_text(&institution, "/leads/summary").await;
        assert_eq!(status, 403);
    }
);

both_backends!(
    a_report_earns_a_reward_the_leader_approves,
    |db: TestDb| async move {
        let app = TestApp::spawn(db).await;
        let officer = app.login("officer").await;
        let csrf = app.csrf(&officer).await;
        let mut form = complaint_form(&csrf);
        form.retain(|(k, _)| *k != "kind");
        form.push(("kind", "report"));
        let (id, _) = take(&app, &officer, &form).await;
        for (action, fields) in [
            ("accept", vec![]),
            (
                "verify",
                vec![("finding", "substantiated"), ("note", "现场查实无证注射")],
            ),
        ] {
            let mut f = vec![("_csrf", csrf.as_str())];
            f.extend(fields);
            let r = act(&app, &officer, &id, action, &f).await;
            assert_eq!(r.status(), 303, "{action}");
        }
        app.decide_case_for_lead(&officer, &csrf, &id, "200000")
            .await;
        let f = [
            ("_csrf", csrf.as_str()),
            ("outcome", "penalty"),
            ("note", "罚款并没收违法所得"),
        ];
        let r = act(&app, &officer, &id, "conclude", &f).await;
        assert_eq!(r.status(), 303, "conclude");
        let (_, html) = app.get_text(&officer, &format!("/leads/{id}")).await;
        assert!(
            html.contains("一级：罚没款的5%，最低5000元，本案 10,000.00 元"),
            "{html}"
        );
        let r = act(
            &app,
            &officer,
            &id,
            "reward",
            &[("_csrf", &csrf), ("level", "0")],
        )
        .await;
        assert_eq!(r.status(), 303);

        let leader = app.login("leader").await;
        let (code, html) = app.get_text(&leader, "/rewards").await;
        assert_eq!(code, 200);
        assert!(html.contains("10,000.00") && html.contains(&format!("/leads/{id}")));
        assert!(!html.contains(PHONE) && !html.contains("张三丰"));
        let reward: String = sqlx::query_scalar("select id from reward where lead_id = $1")
            .bind(&id)
            .fetch_one(app.db.store.pool())
            .await
            .unwrap();
        let leader_csrf = app.csrf(&leader).await;
        let r = leader
            .post(app.url(&format!("/rewards/{reward}/reject")))
            .form(&[("_csrf", leader_csrf.as_str()), ("note", "")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422, "a rejection needs a reason");
        let r = leader
            .post(app.url(&format!("/rewards/{reward}/approve")))
            .form(&[("_csrf", leader_csrf.as_str()), ("note", "同意")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        let (code, _) = app.get_text(&officer, "/rewards").await;
        assert_eq!(code, 403, "officers do not approve");

        let r = act(
            &app,
            &officer,
            &id,
            "paid",
            &[("_csrf", &csrf), ("payment_ref", "ZF2026-118")],
        )
        .await;
        assert_eq!(r.status(), 303);
        let (_, html) = app.get_text(&officer, &format!("/leads/{id}")).await;
        assert!(
            html.contains("已发放") && html.contains("ZF2026-118"),
            "{html}"
        );
    }
);

both_backends!(
    attachments_download_safely_and_only_for_the_handler,
    |db: TestDb| async move {
        let app = TestApp::spawn(db).await;
        let store = &app.db.store;
        let now = meijian_web::Clock::now(app.clock.as_ref());
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        let prepared = intake::prepare_complaint(
            store,
            Calendar::embedded(),
            &LeadRules::default(),
            AttachmentLimits::default(),
            now,
            Actor::system("test"),
            None,
            NewComplaint {
                kind: LeadKind::Report,
                category: Category::UnlicensedPractice,
                channel: Channel::Online,
                channel_ref: None,
                region_code: "370402".into(),
                subject_name: "悦颜美容工作室".into(),
                subject_address: String::new(),
                happened_on: None,
                description: "在居民楼内给顾客注射玻尿酸，附现场照片。".into(),
                reporter: None,
                attachments: vec![AttachmentIn {
                    file_name: "现场 照片.png".into(),
                    bytes: png.clone(),
                }],
                received_at: None,
            },
        )
        .await
        .unwrap();
        let ticket = prepared.ticket();
        let mut tx = store.begin().await.unwrap();
        intake::write_complaint(&mut tx, &prepared, now)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let attachment: String = sqlx::query_scalar("select id from complaint_attachment")
            .fetch_one(store.pool())
            .await
            .unwrap();
        let href = format!("/leads/attachments/{attachment}");

        let officer = app.login("officer").await;
        let (_, html) = app
            .get_text(&officer, &format!("/leads/{}", ticket.lead_id))
            .await;
        assert!(html.contains(&href), "{html}");
        assert!(html.contains("匿名"));
        let r = officer.get(app.url(&href)).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let h = r.headers();
        assert_eq!(h["content-type"], "image/png");
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h["content-security-policy"], "sandbox; default-src 'none'");
        let disposition = h["content-disposition"].to_str().unwrap();
        assert!(disposition.starts_with("attachment;"), "{disposition}");
        assert!(
            disposition.contains("filename*=UTF-8''%E7%8E%B0%E5%9C%BA%20%E7%85%A7%E7%89%87.png"),
            "{disposition}"
        );
        assert_eq!(r.bytes().await.unwrap().to_vec(), png);

        let leader = app.login("leader").await;
        let (_, html) = app
            .get_text(&leader, &format!("/leads/{}", ticket.lead_id))
            .await;
        assert!(
            !html.contains(&href),
            "no link for those who may not download"
        );
        let (code, _) = app.get_text(&leader, &href).await;
        assert_eq!(code, 403);
        let officer2 = app.login("officer2").await;
        let (code, _) = app.get_text(&officer2, &href).await;
        assert_eq!(code, 404);
    }
);

both_backends!(
    desk_intake_takes_attachments_and_refuses_what_is_no_photo_or_pdf,
    |db: TestDb| async move {
        let app = TestApp::spawn(db).await;
        let officer = app.login("officer").await;
        let csrf = app.csrf(&officer).await;
        let mut form = complaint_form(&csrf);
        form.retain(|(k, _)| *k != "channel");
        form.push(("channel", "letter"));

        // A program renamed to .jpg is refused; the form comes back as typed.
        let exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00".to_vec();
        let r = post_intake(&app, &officer, &form, &[("收据.jpg", &exe)]).await;
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(
            html.contains("附件：“收据.jpg”不是照片（JPG、PNG、WebP）或 PDF 文件"),
            "{html}"
        );
        assert!(html.contains("悦颜美容工作室") && html.contains("12345-20261120-001"));
        assert!(html.contains(PHONE) && html.contains("value=\"letter\" selected"));
        assert!(html.contains("如已选过附件，请重新选择"));
        let leads: i64 = sqlx::query_scalar("select count(*) from lead")
            .fetch_one(app.db.store.pool())
            .await
            .unwrap();
        assert_eq!(leads, 0, "nothing stored");

        // Without the CSRF token as the first field nothing is taken: not after other fields,
        // not in the action URL, not wrong.
        let mut body = reqwest::multipart::Form::new();
        for (name, value) in form.iter().rev() {
            body = body.text(name.to_string(), value.to_string());
        }
        let r = officer
            .post(app.url("/leads/new"))
            .multipart(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
        let mut no_token = form.clone();
        no_token.retain(|(k, _)| *k != "_csrf");
        let r = post_intake(&app, &officer, &no_token, &[]).await;
        assert_eq!(r.status(), 403);
        let mut body = reqwest::multipart::Form::new();
        for (name, value) in &no_token {
            body = body.text(name.to_string(), value.to_string());
        }
        let r = officer
            .post(app.url(&format!("/leads/new?_csrf={csrf}")))
            .multipart(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "the token in the URL");
        let r = officer
            .post(app.url("/leads/new"))
            .multipart(
                reqwest::multipart::Form::new()
                    .text("_csrf", "0000")
                    .text("channel", "letter"),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "a wrong token");

        // A scanned receipt is stored with the lead; its officer lists and downloads it.
        let jpeg = b"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01\x01\x00\x00\x01".to_vec();
        let r = post_intake(&app, &officer, &form, &[("收费单据.jpg", &jpeg)]).await;
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["cache-control"], "no-store");
        let html = r.text().await.unwrap();
        assert_eq!(field(&html, "ticket-code").len(), 12, "{html}");
        let id = lead_link(&html);
        let attachment: String = sqlx::query_scalar("select id from complaint_attachment")
            .fetch_one(app.db.store.pool())
            .await
            .unwrap();
        let href = format!("/leads/attachments/{attachment}");
        let (_, html) = app.get_text(&officer, &format!("/leads/{id}")).await;
        assert!(
            html.contains(&href) && html.contains("收费单据.jpg"),
            "{html}"
        );
        assert!(html.contains("信件"), "{html}");
        let r = officer.get(app.url(&href)).send().await.unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-type"], "image/jpeg");
        assert_eq!(r.bytes().await.unwrap().to_vec(), jpeg);
    }
);

both_backends!(
    an_officer_asks_for_more_time_and_the_leader_grants_it,
    |db: TestDb| async move {
        let mut settings = meijian_web::settings::WebSettings::default();
        settings.leads.limits.verify_extension =
            meijian_domain::lead::rules::Limit::working_days(5);
        let app = TestApp::spawn_with(db, settings).await;
        let officer = app.login("officer").await;
        let csrf = app.csrf(&officer).await;
        let mut form = complaint_form(&csrf);
        form.retain(|(k, _)| *k != "kind");
        form.push(("kind", "report"));
        let (id, _) = take(&app, &officer, &form).await;
        let r = act(&app, &officer, &id, "accept", &[("_csrf", &csrf)]).await;
        assert_eq!(r.status(), 303);
        let (_, html) = app.get_text(&officer, &format!("/leads/{id}")).await;
        assert!(
            html.contains("id=\"step-extend\"")
                && html.contains("核查期限可经负责人批准延长5个工作日"),
            "{html}"
        );
        let r = act(
            &app,
            &officer,
            &id,
            "extend",
            &[("_csrf", &csrf), ("reason", "")],
        )
        .await;
        assert_eq!(r.status(), 422);
        assert!(r
            .text()
            .await
            .unwrap()
            .contains("延期理由：请写明延期理由（4–500字）"));
        let r = act(
            &app,
            &officer,
            &id,
            "extend",
            &[("_csrf", &csrf), ("reason", "需委托检验机构检验产品")],
        )
        .await;
        assert_eq!(r.status(), 303);
        let (_, html) = app.get_text(&officer, &format!("/leads/{id}")).await;
        assert!(!html.contains("id=\"step-extend\""), "asked once");
        assert!(html.contains("id=\"extensions\"") && html.contains("待审批"));
        // The officer may not decide their own request.
        let r = act(
            &app,
            &officer,
            &id,
            "extension",
            &[("_csrf", &csrf), ("decision", "grant")],
        )
        .await;
        assert_eq!(r.status(), 403);

        // The leader finds it on the dashboard; 15 working days from Friday 20 November end on
        // 11 December, 5 more on 18 December.
        let leader = app.login("leader").await;
        let (_, html) = app.get_text(&leader, "/").await;
        assert!(
            html.contains("id=\"extension-requests\"") && html.contains("需委托检验机构检验产品"),
            "{html}"
        );
        assert!(html.contains("2026-12-11") && html.contains("2026-12-18"));
        let leader_csrf = app.csrf(&leader).await;
        let r = act(
            &app,
            &leader,
            &id,
            "extension",
            &[
                ("_csrf", &leader_csrf),
                ("decision", "refuse"),
                ("note", ""),
            ],
        )
        .await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("不批准时请写明理由"));
        let r = act(
            &app,
            &leader,
            &id,
            "extension",
            &[
                ("_csrf", &leader_csrf),
                ("decision", "grant"),
                ("note", "同意"),
            ],
        )
        .await;
        assert_eq!(r.status(), 303);
        let (_, html) = app.get_text(&leader, "/").await;
        assert!(!html.contains("id=\"extension-requests\""));
        let (_, html) = app.get_text(&officer, &format!("/leads/{id}")).await;
        assert!(html.contains("已批准") && html.contains("经批准，核查期限延长至2026-12-18"));
        let (_, html) = app.get_text(&officer, "/leads?due=open").await;
        assert!(
            html.contains("2026-12-18"),
            "the ledger shows the new deadline"
        );
    }
);
