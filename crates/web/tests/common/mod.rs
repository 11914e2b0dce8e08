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
