//! The public complaint pages and API, on SQLite and PostgreSQL: a submission becomes a lead
//! of the right department and a ticket, the status page behind code and secret, the rating
//! of the reply, form tokens, honeypot, rate limits, attachments judged by their bytes, the
//! same-origin rule, and the reporter's contact details kept out of the status page and the
//! audit log.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::TestApp;
use meijian_store::both_backends;
use meijian_store::testing::TestDb;
use meijian_web::settings::ComplaintSettings;
use meijian_web::WebSettings;
use time::Duration;

const PHONE: &str = "13912345678";
const JPEG: &[u8] = b"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01 a small photo";

/// The fields of a complete, valid report about an advert in 薛城区.
fn advert_report() -> Vec<(&'static str, String)> {
    vec![
        ("kind", "report".into()),
        ("category", "advertising".into()),
        ("region_code", "370403".into()),
        ("subject_name", "薛城某某医疗美容诊所".into()),
        ("subject_address", "薛城区临城街道某路1号".into()),
        ("happened_on", "2026-11-15".into()),
        (
            "description",
            "朋友圈广告宣称“无痕双眼皮永久保持”，没有看到广告审查证明。".into(),
        ),
        ("name", "王小红".into()),
        ("phone", PHONE.into()),
        ("address", "薛城区某小区3号楼".into()),
        ("email", "".into()),
    ]
}

/// A multipart body as a browser builds it; files are (field file name, bytes).
fn multipart(fields: &[(&str, String)], files: &[(&str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "----meijianTestBoundary7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    for (file_name, bytes) in files {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"attachments\"; \
                 filename=\"{file_name}\"\r\nContent-Type: image/jpeg\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// The value of the hidden form token on a page.
fn form_token(html: &str) -> String {
    let marker = "name=\"_token\" value=\"";
    let start = html.find(marker).expect("page has a form token") + marker.len();
    let end = html[start..].find('"').unwrap();
    html[start..start + end].to_string()
}

/// The text of the element with `id` (up to its closing tag).
fn element_text(html: &str, id: &str) -> String {
    let marker = format!("id=\"{id}\">");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no #{id} in {html}"))
        + marker.len();
    let end = html[start..].find('<').unwrap();
    html[start..start + end].to_string()
}

/// Opens the form and returns its token, with the clock moved past the minimum fill time.
async fn open_form(app: &TestApp, c: &reqwest::Client) -> String {
    let (status, html) = app.get_text(c, "/complaints/new").await;
    assert_eq!(status, 200, "{html}");
    app.clock.advance(Duration::seconds(5));
    form_token(&html)
}

async fn post_form(
    app: &TestApp,
    c: &reqwest::Client,
    token: &str,
    fields: &[(&str, String)],
    files: &[(&str, &[u8])],
) -> (u16, String) {
    let mut all: Vec<(&str, String)> =
        vec![("_token", token.to_string()), ("extra_note", String::new())];
    all.extend(fields.iter().cloned());
    let (content_type, body) = multipart(&all, files);
    let r = c
        .post(app.url("/complaints"))
        .header("content-type", content_type)
        .header("origin", app.base.clone())
        .body(body)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// Submits the advert report; returns the ticket code and secret as shown.
async fn submit_report(app: &TestApp, c: &reqwest::Client) -> (String, String) {
    let token = open_form(app, c).await;
    let (status, html) = post_form(app, c, &token, &advert_report(), &[]).await;
    assert_eq!(status, 200, "{html}");
    assert_eq!(
        element_text(&html, "department"),
        "枣庄市薛城区市场监督管理局"
    );
    (
        element_text(&html, "ticket-code"),
        element_text(&html, "ticket-secret"),
    )
}

async fn status_page(
    app: &TestApp,
    c: &reqwest::Client,
    ticket: &str,
    secret: &str,
) -> (u16, String) {
    let r = c
        .post(app.url("/complaints/status"))
        .form(&[("ticket", ticket), ("secret", secret)])
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

fn settings(f: impl FnOnce(&mut ComplaintSettings)) -> WebSettings {
    let mut s = WebSettings::default();
    f(&mut s.complaints);
    s
}

both_backends!(
    a_report_gets_a_ticket_and_lands_with_the_district_market_regulator,
    |db: TestDb| async move {
        let app = TestApp::spawn(db).await;
        let c = app.client();
        let (status, form) = app.get_text(&c, "/complaints/new").await;
        assert_eq!(status, 200);
        assert!(
            form.contains("枣庄市薛城区"),
            "places come from the departments"
        );
        assert!(form.contains("违法广告") && form.contains("匿名"));
        // Photos of a few megabytes pass: the route's body limit is the attachments' (5 × 10 MB
        // and 1 MB), not the 2 MB of other requests.
        let token = open_form(&app, &c).await;
        let photo = [JPEG, &vec![7u8; 1024 * 1024]].concat();
        let photos = [
            ("1.jpg", photo.as_slice()),
            ("2.jpg", &photo),
            ("3.jpg", &photo),
        ];
        let (status, html) = post_form(&app, &c, &token, &advert_report(), &photos).await;
        assert_eq!(status, 200, "{html}");
        for table in ["complaint_attachment", "complaint", "lead_event", "lead"] {
            sqlx::query(&format!("delete from {table}"))
                .execute(app.db.store.pool())
                .await
                .unwrap();
        }

        let (ticket, secret) = submit_report(&app, &c).await;
        assert_eq!(
            ticket.len(),
            14,
            "12 characters in groups of four: {ticket}"
        );
        assert_eq!(secret.split(' ').count(), 4, "{secret}");

        let (kind, name, lead_kind, channel): (String, String, String, String) = sqlx::query_as(
            "select d.kind, d.name, l.kind, c.channel from lead l \
             join department d on d.id = l.department_id join complaint c on c.lead_id = l.id",
        )
        .fetch_one(app.db.store.pool())
        .await
        .unwrap();
        assert_eq!(kind, "market_regulation");
        assert!(
            name.contains("薛城区") && name.ends_with("市场监督管理局"),
            "{name}"
        );
        assert_eq!((lead_kind.as_str(), channel.as_str()), ("report", "online"));

        // The status page behind code and secret, typed in any case and spacing.
        let (status, html) =
            status_page(&app, &c, &ticket.to_lowercase(), &secret.replace(' ', "-")).await;
        assert_eq!(status, 200, "{html}");
        assert_eq!(element_text(&html, "state"), "待受理");
        assert!(html.contains("收到投诉举报") && html.contains("市场监督管理局"));
        assert!(
            !html.contains(PHONE) && !html.contains("王小红"),
            "no contact details"
        );

        // A wrong secret and a wrong code get the very same answer.
        let (s1, wrong_secret) = status_page(&app, &c, &ticket, "AAAA BBBB CCCC DDDD").await;
        let (s2, wrong_code) = status_page(&app, &c, "ZZZZ ZZZZ ZZZZ", &secret).await;
        assert_eq!((s1, s2), (422, 422));
        let msg = "查询码或查询密码不正确";
        assert!(wrong_secret.contains(msg) && wrong_code.contains(msg));
        assert!(!wrong_secret.contains("待受理"));

        // Nothing of the reporter in the audit log, nor the ticket secret.
        let rows: Vec<(String, Option<String>, Option<String>)> = sqlx::query_as(
            "select actor_name, after_json, ip from audit_entry where entity = 'lead' order by seq",
        )
        .fetch_all(app.db.store.pool())
        .await
        .unwrap();
        assert_eq!(rows.len(), 2, "the photos and the report");
        for (actor, after, ip) in rows {
            assert_eq!(actor, "anonymous");
            assert_eq!(ip.as_deref(), Some("127.0.0.1"));
            let after = after.unwrap();
            assert!(after.contains("\"channel\":\"online\""), "{after}");
            for secret_or_personal in [PHONE, "王小红", "某小区", &secret.replace(' ', "")] {
                assert!(!after.contains(secret_or_personal), "{after}");
            }
        }
    }
);

both_backends!(
    an_anonymous_report_can_be_followed_and_its_reply_rated,
    |db: TestDb| async move {
        use meijian_domain::lead::{Finding, Outcome};
        use meijian_store::leads::workflow::{self, Conclusion};
        let app = TestApp::spawn(db).await;
        let c = app.client();
        let token = open_form(&app, &c).await;
        let mut fields = advert_report();
        fields.retain(|(k, _)| !matches!(*k, "name" | "phone" | "address" | "email"));
        fields.push(("anonymous", "1".into()));
        fields[0].1 = "complaint".into();
        let (status, html) = post_form(&app, &c, &token, &fields, &[]).await;
        assert_eq!(status, 200, "{html}");
        let (ticket, secret) = (
            element_text(&html, "ticket-code"),
            element_text(&html, "ticket-secret"),
        );
        let reporters: i64 = sqlx::query_scalar("select count(*) from reporter")
            .fetch_one(app.db.store.pool())
            .await
            .unwrap();
        assert_eq!(reporters, 0, "anonymous: no reporter row");

        // The district regulator handles it to the reply.
        let officer = &app.accounts["officer2"];
        let dept = app.department_id("market_regulation", "370403").await;
        let scope = meijian_store::Scope::for_user(
            meijian_store::Actor::system("officer2"),
            officer.role,
            dept,
            meijian_domain::region::RegionCode::parse("370403").unwrap(),
        );
        let lead_id: String = sqlx::query_scalar("select id from lead")
            .fetch_one(app.db.store.pool())
            .await
            .unwrap();
        let cal = meijian_domain::workdays::Calendar::embedded().clone();
        let rules = meijian_domain::lead::LeadRules::default();
        let store = &app.db.store;
        let now = || meijian_web::Clock::now(app.clock.as_ref());
        workflow::accept(store, &scope, &cal, &rules, now(), &lead_id)
            .await
            .unwrap();
        workflow::verify(
            store,
            &scope,
            now(),
            &lead_id,
            Finding::Substantiated,
            "广告未经审查，属实",
        )
        .await
        .unwrap();
        let conclusion = Conclusion {
            outcome: Outcome::Corrected,
            note: "已责令停止发布并改正".into(),
        };
        workflow::conclude(store, &scope, &cal, &rules, now(), &lead_id, &conclusion)
            .await
            .unwrap();
        workflow::reply(
            store,
            &scope,
            now(),
            &lead_id,
            "经核查，该诊所已删除违法广告并改正。",
        )
        .await
        .unwrap();

        let (_, html) = status_page(&app, &c, &ticket, &secret).await;
        assert_eq!(element_text(&html, "state"), "已答复");
        assert!(html.contains("已删除违法广告") && html.contains("/complaints/rate"));
        assert_eq!(
            html.matches("已删除违法广告").count(),
            1,
            "the reply is shown once, under 答复"
        );
        let r = c
            .post(app.url("/complaints/rate"))
            .form(&[
                ("ticket", ticket.as_str()),
                ("secret", secret.as_str()),
                ("satisfaction", "basic"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let html = r.text().await.unwrap();
        assert!(
            html.contains("感谢您的评价") && html.contains("基本满意"),
            "{html}"
        );
        assert!(!html.contains("/complaints/rate"), "rated once");
        let r = c
            .post(app.url("/complaints/rate"))
            .form(&[
                ("ticket", ticket.as_str()),
                ("secret", "WRONG"),
                ("satisfaction", "dissatisfied"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("查询码或查询密码不正确"));
    }
);

both_backends!(
    form_tokens_must_be_signed_old_enough_fresh_and_used_once,
    |db: TestDb| async move {
        let app = TestApp::spawn(db).await;
        let c = app.client();
        let (_, html) = app.get_text(&c, "/complaints/new").await;
        let token = form_token(&html);
        // At once: a robot's speed. The text typed is kept.
        let (status, html) = post_form(&app, &c, &token, &advert_report(), &[]).await;
        assert_eq!(status, 422);
        assert!(html.contains("提交过快"), "{html}");
        assert!(
            html.contains("朋友圈广告宣称") && html.contains(PHONE),
            "text kept"
        );
        assert_eq!(form_token(&html), token, "the same token becomes good");

        // Forged: the time changed, or no token at all.
        app.clock.advance(Duration::seconds(5));
        let (issued, rest) = token.split_once('.').unwrap();
        let backdated = format!("{}.{rest}", issued.parse::<i64>().unwrap() - 100);
        let mut altered = token.clone();
        let last = altered.pop().unwrap();
        altered.push(if last == '0' { '1' } else { '0' });
        for bad in [backdated.as_str(), altered.as_str(), "", "123.abc.def"] {
            let (status, html) = post_form(&app, &c, bad, &advert_report(), &[]).await;
            assert_eq!(status, 422, "{bad}");
            assert!(
                html.contains("表单已过期或无效") && html.contains("刷新页面"),
                "{html}"
            );
        }
        // The honeypot a person never sees.
        let mut fields = advert_report();
        fields.push(("extra_note", "http://spam.example".into()));
        let (status, html) = post_form(&app, &c, &token, &fields, &[]).await;
        assert_eq!(status, 422);
        assert!(html.contains("提交未成功"), "{html}");

        // Good once; a second submission with it (a reload) is refused.
        let (status, _) = post_form(&app, &c, &token, &advert_report(), &[]).await;
        assert_eq!(status, 200);
        let (status, html) = post_form(&app, &c, &token, &advert_report(), &[]).await;
        assert_eq!(status, 422);
        assert!(html.contains("已经提交过"), "{html}");

        // Two hours later a form is stale.
        let (_, html) = app.get_text(&c, "/complaints/new").await;
        app.clock.advance(Duration::minutes(121));
        let (status, html) = post_form(&app, &c, &form_token(&html), &advert_report(), &[]).await;
        assert_eq!(status, 422);
        assert!(html.contains("表单已过期或无效"));
        let leads: i64 = sqlx::query_scalar("select count(*) from lead")
            .fetch_one(app.db.store.pool())
            .await
            .unwrap();
        assert_eq!(leads, 1);
    }
);

both_backends!(
    attachments_are_judged_by_their_bytes_size_and_name,
    |db: TestDb| async move {
        let app =
            TestApp::spawn_with(db, settings(|c| c.attachments.max_file_bytes = 64 * 1024)).await;
        let c = app.client();
        let token = open_form(&app, &c).await;
        let exe: &[u8] = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00this program cannot be run";
        let (status, html) =
            post_form(&app, &c, &token, &advert_report(), &[("photo.jpg", exe)]).await;
        assert_eq!(status, 422);
        assert!(
            html.contains("附件：") && html.contains("不是照片"),
            "{html}"
        );
        assert!(html.contains("朋友圈广告宣称"), "text kept");

        let big = [JPEG, &vec![0u8; 64 * 1024]].concat();
        let (status, html) =
            post_form(&app, &c, &token, &advert_report(), &[("big.jpg", &big)]).await;
        assert_eq!(status, 422);
        assert!(html.contains("附件：“big.jpg”超过64 KB"), "{html}");

        // The whole request is capped at 5 files of 64 KB and 1 MB of text.
        let huge = [JPEG, &vec![0u8; 1536 * 1024]].concat();
        let (status, html) =
            post_form(&app, &c, &token, &advert_report(), &[("huge.jpg", &huge)]).await;
        assert_eq!(status, 422);
        assert!(html.contains("超过了大小限制"), "{html}");

        let (status, html) = post_form(
            &app,
            &c,
            &token,
            &advert_report(),
            &[
                ("../../etc/passwd.jpg", JPEG),
                ("收费单.pdf", b"%PDF-1.7 receipt"),
            ],
        )
        .await;
        assert_eq!(status, 200, "{html}");
        let mut files: Vec<(String, String, i64)> =
            sqlx::query_as("select file_name, content_type, size_bytes from complaint_attachment")
                .fetch_all(app.db.store.pool())
                .await
                .unwrap();
        files.sort();
        assert_eq!(
            files,
            [
                (
                    "passwd.jpg".to_string(),
                    "image/jpeg".to_string(),
                    JPEG.len() as i64
                ),
                ("收费单.pdf".to_string(), "application/pdf".to_string(), 16),
            ]
        );
    }
);

both_backends!(
    submissions_and_lookups_are_limited_per_address,
    |db: TestDb| async move {
        let app = TestApp::spawn_with(
            db,
            settings(|c| {
                c.submissions_per_hour = 2;
                c.lookups_per_minute = 3;
            }),
        )
        .await;
        let c = app.client();
        let (ticket, secret) = submit_report(&app, &c).await;
        submit_report(&app, &c).await;
        let token = open_form(&app, &c).await;
        let (status, html) = post_form(&app, &c, &token, &advert_report(), &[]).await;
        assert_eq!(status, 429);
        assert!(
            html.contains("操作过于频繁") && html.contains("分钟后再试"),
            "{html}"
        );
        assert!(html.contains("朋友圈广告宣称"), "text kept");

        for _ in 0..3 {
            assert_eq!(status_page(&app, &c, &ticket, &secret).await.0, 200);
        }
        let (status, html) = status_page(&app, &c, &ticket, &secret).await;
        assert_eq!(status, 429);
        assert!(html.contains("操作过于频繁"));
        let r = c
            .post(app.url("/api/public/complaints/status"))
            .json(&serde_json::json!({"ticket_code": ticket, "secret": secret}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 429);
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["error"]["code"], "rate_limited");

        // The name suggestions have their own limit: four times the lookups.
        for _ in 0..12 {
            let r = c
                .get(app.url("/api/public/names?q=薛城"))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200);
        }
        let r = c
            .get(app.url("/api/public/names?q=薛城"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 429);

        // The limit recovers with time; the form token, issued before, has kept its place.
        app.clock.advance(Duration::minutes(31));
        let (status, html) = post_form(&app, &c, &token, &advert_report(), &[]).await;
        assert_eq!(status, 200, "{html}");
        assert_eq!(status_page(&app, &c, &ticket, &secret).await.0, 200);
    }
);

both_backends!(
    cross_site_posts_are_refused_and_signed_in_officers_may_use_the_form,
    |db: TestDb| async move {
        let app = TestApp::spawn(db).await;
        let c = app.client();
        let token = open_form(&app, &c).await;
        let mut all = vec![("_token", token.clone())];
        all.extend(advert_report());
        let (content_type, body) = multipart(&all, &[]);
        let r = c
            .post(app.url("/complaints"))
            .header("content-type", &content_type)
            .header("origin", "https://evil.example")
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
        let r = c
            .post(app.url("/complaints/status"))
            .header("sec-fetch-site", "cross-site")
            .form(&[("ticket", "A"), ("secret", "B")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
        let r = c
            .post(app.url("/api/public/complaints/status"))
            .header("origin", "https://evil.example")
            .json(&serde_json::json!({"ticket_code": "A", "secret": "B"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);

        // A signed-in officer's browser (session cookie, no CSRF field) submits like anyone.
        let officer = app.login("officer").await;
        let r = officer
            .post(app.url("/complaints"))
            .header("content-type", &content_type)
            .header("origin", app.base.clone())
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert!(r.text().await.unwrap().contains("ticket-secret"));
    }
);

both_backends!(
    the_api_takes_a_token_a_complaint_and_a_status_lookup,
    |db: TestDb| async move {
        let app = TestApp::spawn(db).await;
        let c = app.client();
        let t: serde_json::Value = c
            .get(app.url("/api/public/complaints/token"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let token = t["token"].as_str().unwrap().to_string();
        let mut body = serde_json::json!({
            "token": token, "kind": "complaint", "category": "price", "region_code": "370402",
            "subject_name": "市中区某美容院", "description": "价目表写998元，结账时收了2980元。",
            "name": "李四", "phone": PHONE,
        });
        let r = c
            .post(app.url("/api/public/complaints"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422, "too early");
        app.clock.advance(Duration::seconds(5));
        body["description"] = "短".into();
        let r = c
            .post(app.url("/api/public/complaints"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422);
        let e: serde_json::Value = r.json().await.unwrap();
        assert!(
            e["error"]["message"]
                .as_str()
                .unwrap()
                .starts_with("问题描述："),
            "{e}"
        );
        body["description"] = "价目表写998元，结账时收了2980元。".into();
        let r = c
            .post(app.url("/api/public/complaints"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        let ticket: serde_json::Value = r.json().await.unwrap();
        let r = c
            .post(app.url("/api/public/complaints/status"))
            .json(&serde_json::json!({"ticket_code": ticket["ticket_code"], "secret": ticket["secret"]}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let status: serde_json::Value = r.json().await.unwrap();
        assert_eq!(status["state"], "待受理");
        assert_eq!(status["kind"], "投诉");
        assert!(!status.to_string().contains(PHONE));
        let r = c
            .post(app.url("/api/public/complaints/status"))
            .json(&serde_json::json!({"ticket_code": ticket["ticket_code"], "secret": "x"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422);

        let doc: serde_json::Value = c
            .get(app.url("/api/openapi.json"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        for path in [
            "/api/public/complaints",
            "/api/public/complaints/token",
            "/api/public/complaints/status",
            "/api/public/names",
        ] {
            assert!(doc["paths"][path].is_object(), "{path} documented");
        }
    }
);

both_backends!(
    names_are_suggested_from_current_registrations_and_licenses,
    |db: TestDb| async move {
        let app = TestApp::spawn(db).await;
        let rows = [
            (
                "registrations",
                "r1",
                "薛城美丽人生美容有限公司",
                Some("存续"),
                "薛城区某路8号",
            ),
            (
                "registrations",
                "r2",
                "薛城美丽旧梦美容店",
                Some("注销"),
                "薛城区某路9号",
            ),
            (
                "licenses",
                "l1",
                "薛城美丽医疗美容诊所",
                Some("有效"),
                "薛城区某路10号",
            ),
            (
                "licenses",
                "l2",
                "薛城美丽过期诊所",
                Some("过期"),
                "薛城区某路11号",
            ),
        ];
        for (registry, key, name, status, address) in rows {
            let data = serde_json::json!({"name": name, "address": address, "legal_rep": "赵六"});
            sqlx::query(
                "insert into registry_record (id, registry, record_key, name, region_code, status, \
                 search_text, data_json, content_hash, version, first_import_id, last_import_id, \
                 created_at, updated_at) values ($1, $2, $3, $4, '370403', $5, $6, $7, 'h', 1, 'i', 'i', \
                 '2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z')",
            )
            .bind(format!("{registry}-{key}"))
            .bind(registry)
            .bind(key)
            .bind(name)
            .bind(status)
            .bind(format!("{name} {key}").to_lowercase())
            .bind(data.to_string())
            .execute(app.db.store.pool())
            .await
            .unwrap();
        }
        let c = app.client();
        let names: serde_json::Value = c
            .get(app.url("/api/public/names?q=薛城美丽"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let got: Vec<&str> = names
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["name"].as_str().unwrap())
            .collect();
        assert_eq!(got, ["薛城美丽人生美容有限公司", "薛城美丽医疗美容诊所"]);
        assert_eq!(names[0]["address"], "薛城区某路8号");
        assert!(!names.to_string().contains("赵六"), "only name and address");
        let one: serde_json::Value = c
            .get(app.url("/api/public/names?q=薛"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(one, serde_json::json!([]));
    }
);

both_backends!(
    an_attachment_is_named_and_sent_by_its_real_type,
    |db: TestDb| async move {
        let app = TestApp::spawn(db).await;
        let c = app.client();
        let token = open_form(&app, &c).await;
        // A photo sent under a name that a browser would open as a page.
        let (status, html) =
            post_form(&app, &c, &token, &advert_report(), &[("poly.html", JPEG)]).await;
        assert_eq!(status, 200, "{html}");
        let (id, lead, name): (String, String, String) = sqlx::query_as(
            "select a.id, c.lead_id, a.file_name from complaint_attachment a \
             join complaint c on c.id = a.complaint_id",
        )
        .fetch_one(app.db.store.pool())
        .await
        .unwrap();
        assert_eq!(name, "poly.jpg", "stored under the name of what it is");

        // The 薛城区 market regulator handles it: its officer sees and downloads poly.jpg.
        let officer = app.login("officer2").await;
        let href = format!("/leads/attachments/{id}");
        let (_, html) = app.get_text(&officer, &format!("/leads/{lead}")).await;
        assert!(
            html.contains(&href) && html.contains("poly.jpg") && !html.contains("poly.html"),
            "{html}"
        );
        let r = officer.get(app.url(&href)).send().await.unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-type"], "image/jpeg");
        let disposition = r.headers()["content-disposition"].to_str().unwrap();
        assert!(
            disposition.starts_with("attachment;")
                && disposition.contains("poly.jpg")
                && !disposition.contains("html"),
            "{disposition}"
        );
        assert_eq!(r.bytes().await.unwrap().to_vec(), JPEG);
    }
);

both_backends!(
    every_county_of_the_city_is_offered_and_one_without_departments_goes_to_the_city,
    |db: TestDb| async move {
        let app = TestApp::spawn(db).await;
        let c = app.client();
        let (_, html) = app.get_text(&c, "/complaints/new").await;
        // 枣庄市 has six counties; the demo has departments in three and at the city.
        for (code, name) in [
            ("370402", "市中区"),
            ("370403", "薛城区"),
            ("370404", "峄城区"),
            ("370405", "台儿庄区"),
            ("370406", "山亭区"),
            ("370481", "滕州市"),
        ] {
            assert!(
                html.contains(&format!("<option value=\"{code}\"")) && html.contains(name),
                "{code} {name} offered"
            );
        }
        let token = open_form(&app, &c).await;
        let mut report = advert_report();
        report[2].1 = "370481".into();
        let (status, html) = post_form(&app, &c, &token, &report, &[]).await;
        assert_eq!(status, 200, "{html}");
        assert_eq!(element_text(&html, "department"), "枣庄市市场监督管理局");
    }
);
