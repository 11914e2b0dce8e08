//! The test app: the real router on 127.0.0.1:0 over a fresh database with the demo city,
//! a manual clock, and HTTP clients that keep cookies like a browser.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::sync::Arc;

use meijian_store::demo::{self, DemoAccount};
use meijian_store::testing::TestDb;
use meijian_web::{AppState, ManualClock, WebSettings};
use time::macros::datetime;

pub struct TestApp {
    pub db: TestDb,
    pub base: String,
    pub clock: Arc<ManualClock>,
    pub accounts: HashMap<String, DemoAccount>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl TestApp {
    pub async fn spawn(db: TestDb) -> TestApp {
        TestApp::spawn_with(db, WebSettings::default()).await
    }

    /// The app with other settings (short limits for the public complaint pages).
    pub async fn spawn_with(db: TestDb, settings: WebSettings) -> TestApp {
        let clock = Arc::new(ManualClock::new(datetime!(2026-11-20 02:00 UTC)));
        let accounts = demo::seed(&db.store, meijian_web::Clock::now(clock.as_ref()))
            .await
            .unwrap();
        let state = AppState::new(db.store.clone(), settings, clock.clone())
            .await
            .unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(meijian_web::serve(listener, state, async move {
            let _ = rx.await;
        }));
        TestApp {
            db,
            base,
            clock,
            accounts: accounts
                .into_iter()
                .map(|a| (a.username.clone(), a))
                .collect(),
            shutdown: Some(tx),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// A fresh client with its own cookie jar that does not follow redirects.
    pub fn client(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    }

    pub fn password(&self, username: &str) -> String {
        self.accounts[username].password.clone()
    }

    /// Signs `username` in through the login form; returns the client.
    pub async fn login(&self, username: &str) -> reqwest::Client {
        let c = self.client();
        let r = c
            .post(self.url("/login"))
            .form(&[
                ("username", username),
                ("password", &self.password(username)),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "login of {username} should redirect");
        c
    }

    /// Signs in through the API; returns the client and the CSRF token.
    pub async fn api_login(&self, username: &str) -> (reqwest::Client, String) {
        let c = self.client();
        let r = c
            .post(self.url("/api/session"))
            .json(&serde_json::json!({"username": username, "password": self.password(username)}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let body: serde_json::Value = r.json().await.unwrap();
        (c, body["csrf_token"].as_str().unwrap().to_string())
    }

    pub async fn get_text(&self, c: &reqwest::Client, path: &str) -> (u16, String) {
        let r = c.get(self.url(path)).send().await.unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }

    /// The CSRF token embedded in a signed-in page.
    pub async fn csrf(&self, c: &reqwest::Client) -> String {
        let (_, html) = self.get_text(c, "/").await;
        let marker = "name=\"_csrf\" value=\"";
        let start = html.find(marker).expect("page has a CSRF field") + marker.len();
        html[start..start + 64].to_string()
    }

    /// Id of the department of `kind` at `region`.
    pub async fn department_id(&self, kind: &str, region: &str) -> String {
        sqlx::query_scalar("select id from department where kind = $1 and region_code = $2")
            .bind(kind)
            .bind(region)
            .fetch_one(self.db.store.pool())
            .await
            .unwrap()
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// The value of `data-field="name"` in a page.
pub fn page_field(html: &str, name: &str) -> String {
    let marker = format!("data-field=\"{name}\">");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} in {html}"))
        + marker.len();
    html[start..].split('<').next().unwrap().trim().to_string()
}

/// The version a case page's forms carry.
pub fn case_version(html: &str) -> String {
    let marker = "name=\"version\" value=\"";
    let start = html.find(marker).expect("a form with the version") + marker.len();
    html[start..].split('"').next().unwrap().to_string()
}

/// The id of the first party on a case page.
pub fn first_party(html: &str) -> String {
    let marker = "data-party=\"";
    let start = html.find(marker).expect("a party") + marker.len();
    html[start..].split('"').next().unwrap().to_string()
}

impl TestApp {
    /// Posts a case step's form with the version the page shows; returns the response.
    pub async fn case_step(
        &self,
        c: &reqwest::Client,
        csrf: &str,
        case_id: &str,
        step: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        let (_, html) = self.get_text(c, &format!("/cases/{case_id}")).await;
        let version = case_version(&html);
        let mut form = vec![("_csrf", csrf), ("version", version.as_str())];
        form.extend_from_slice(fields);
        c.post(self.url(&format!("/cases/{case_id}/{step}")))
            .form(&form)
            .send()
            .await
            .unwrap()
    }

    /// Opens a case from lead `lead_id` through the 立案 form, against one person, and decides
    /// it with a fine of `fine_yuan` through the case page, as an officer does before concluding
    /// the lead with a penalty. Returns the case id.
    pub async fn decide_case_for_lead(
        &self,
        c: &reqwest::Client,
        csrf: &str,
        lead_id: &str,
        fine_yuan: &str,
    ) -> String {
        let (status, html) = self
            .get_text(c, &format!("/cases/new?lead={lead_id}"))
            .await;
        assert_eq!(status, 200, "{html}");
        let value = |name: &str| {
            let at = html.find(&format!("name=\"{name}\"")).unwrap();
            let start = at + html[at..].find("value=\"").unwrap() + 7;
            html[start..].split('"').next().unwrap().to_string()
        };
        let selected = |id: &str| {
            let start = html.find(&format!("id=\"{id}\"")).unwrap();
            let rest = &html[start..];
            let sel = rest.find("selected").unwrap();
            let before = &rest[..sel];
            let v = before.rfind("value=\"").unwrap() + 7;
            before[v..].split('"').next().unwrap().to_string()
        };
        let (title, filed, region) = (value("title"), value("filed_on"), selected("c-region"));
        let (category, origin) = (selected("c-category"), selected("c-origin"));
        let r = c
            .post(self.url("/cases/new"))
            .form(&[
                ("_csrf", csrf),
                ("lead", lead_id),
                ("title", title.as_str()),
                ("category", category.as_str()),
                ("origin", origin.as_str()),
                ("region", region.as_str()),
                ("filed_on", filed.as_str()),
                ("violation", "现场检查发现无证开展注射类医疗美容"),
                ("party_kind", "person"),
                ("party_operator", ""),
                ("party_name", "张某某"),
                ("party_id_number", ""),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
        let location = r.headers()["location"].to_str().unwrap().to_string();
        let case_id = location
            .trim_start_matches("/cases/")
            .split('?')
            .next()
            .unwrap()
            .to_string();
        let r = self.case_step(c, csrf, &case_id, "investigate", &[]).await;
        assert_eq!(r.status(), 303);
        let (_, html) = self.get_text(c, &format!("/cases/{case_id}")).await;
        let party = first_party(&html);
        let r = self
            .case_step(
                c,
                csrf,
                &case_id,
                "penalties",
                &[
                    ("op", "add"),
                    ("party_id", party.as_str()),
                    ("kind", "fine"),
                    ("amount_yuan", fine_yuan),
                    ("on", filed.as_str()),
                    ("decision_no", "市卫罚〔2026〕7号"),
                ],
            )
            .await;
        assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
        for (step, fields) in [
            ("notify", vec![("on", filed.as_str())]),
            ("decide", vec![("on", filed.as_str())]),
        ] {
            let r = self.case_step(c, csrf, &case_id, step, &fields).await;
            assert_eq!(r.status(), 303, "{step}: {}", r.text().await.unwrap());
        }
        case_id
    }
}
