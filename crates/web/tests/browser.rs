//! End to end in a real browser: headless Debian Chromium, driven through chromedriver,
//! signs in on the login page and sees the dashboard with the database's counts.
//!
//! Needs the Debian packages `chromium` and `chromium-driver` (`scripts/test` and `.ci/run`
//! see to it); paths can be set with MEIJIAN_CHROMIUM and MEIJIAN_CHROMEDRIVER.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::TestApp;
use fantoccini::{Client, Locator};
use meijian_store::both_backends;
use meijian_store::testing::TestDb;

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn tool(var: &str, default: &str, package: &str) -> String {
    let path = std::env::var(var).unwrap_or_else(|_| default.to_string());
    assert!(
        std::path::Path::new(&path).exists(),
        "{path} not found: install Debian's {package} (apt-get install chromium chromium-driver) or set {var}"
    );
    path
}

async fn start_browser(profile: &std::path::Path) -> (Driver, Client) {
    let chromium = tool("MEIJIAN_CHROMIUM", "/usr/bin/chromium", "chromium");
    let chromedriver = tool(
        "MEIJIAN_CHROMEDRIVER",
        "/usr/bin/chromedriver",
        "chromium-driver",
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let driver = Driver(
        Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".to_string(),
        serde_json::json!({
            "binary": chromium,
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--disable-quic", "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--window-size=1280,900",
                     format!("--user-data-dir={}", profile.display())]
        }),
    );
    let url = format!("http://127.0.0.1:{port}");
    for _ in 0..100 {
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        if let Ok(c) = Client::with_capabilities_and_connector(&url, &caps, connector).await {
            return (driver, c);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not start on {url}");
}

both_backends!(
    signs_in_through_the_login_page_and_sees_the_dashboard,
    |db: TestDb| async move {
        let app = TestApp::spawn(db).await;
        let profile = tempfile::tempdir().unwrap();
        let (_driver, browser) = start_browser(profile.path()).await;
        browser.goto(&app.url("/")).await.unwrap();
        // Not signed in: the app sends the browser to the login page.
        assert!(browser
            .current_url()
            .await
            .unwrap()
            .as_str()
            .ends_with("/login"));
        browser
            .find(Locator::Css("#username"))
            .await
            .unwrap()
            .send_keys("leader")
            .await
            .unwrap();
        browser
            .find(Locator::Css("#password"))
            .await
            .unwrap()
            .send_keys(&app.password("leader"))
            .await
            .unwrap();
        browser
            .find(Locator::Css("button[type=submit]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        // Wait for an element only the dashboard has: the login page has a `main h1` too, and
        // catching it just before the page changes gives a stale element.
        browser
            .wait()
            .for_element(Locator::Css("[data-count=departments]"))
            .await
            .unwrap();
        let h1 = browser.find(Locator::Css("main h1")).await.unwrap();
        assert_eq!(h1.text().await.unwrap(), "工作台");
        let shown = browser
            .find(Locator::Css("[data-count=departments]"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let in_db: i64 = sqlx::query_scalar("select count(*) from department")
            .fetch_one(app.db.store.pool())
            .await
            .unwrap();
        assert_eq!(shown, in_db.to_string());
        let who = browser
            .find(Locator::Css(".who-name"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(who, "李主任");
        // For people to look at: MEIJIAN_SCREENSHOT_DIR=/tmp/shots scripts/test browser
        if let Ok(dir) = std::env::var("MEIJIAN_SCREENSHOT_DIR") {
            let dir = std::path::Path::new(&dir);
            let backend = app.db.backend();
            let png = browser.screenshot().await.unwrap();
            std::fs::write(dir.join(format!("dashboard-{backend:?}.png")), png).unwrap();
            browser.set_window_size(390, 844).await.unwrap();
            let png = browser.screenshot().await.unwrap();
            std::fs::write(dir.join(format!("dashboard-phone-{backend:?}.png")), png).unwrap();
            browser.set_window_size(1280, 900).await.unwrap();
        }
        // Sign out through the button: back on the login page.
        browser
            .find(Locator::Css("form[action='/logout'] button"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        browser
            .wait()
            .for_element(Locator::Css("#username"))
            .await
            .unwrap();
        browser.close().await.unwrap();
    }
);

/// How far the page reaches beyond the viewport (scroll bar excluded): 0 when nothing
/// scrolls sideways.
async fn overflow(browser: &Client) -> i64 {
    browser
        .execute(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth;",
            vec![],
        )
        .await
        .unwrap()
        .as_i64()
        .unwrap()
}

async fn type_into(browser: &Client, css: &str, text: &str) {
    browser
        .find(Locator::Css(css))
        .await
        .unwrap()
        .send_keys(text)
        .await
        .unwrap();
}

async fn click(browser: &Client, css: &str) {
    browser
        .find(Locator::Css(css))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

both_backends!(
    a_reporter_files_a_complaint_on_a_phone_and_follows_it,
    |db: TestDb| async move {
        let app = TestApp::spawn(db).await;
        let profile = tempfile::tempdir().unwrap();
        let (_driver, browser) = start_browser(profile.path()).await;
        // A phone's viewport: the form must fit without sideways scrolling.
        browser.set_window_size(390, 844).await.unwrap();
        browser.goto(&app.url("/login")).await.unwrap();
        click(&browser, "a[href='/complaints/new']").await;
        browser
            .wait()
            .for_element(Locator::Css("#description"))
            .await
            .unwrap();
        assert_eq!(overflow(&browser).await, 0, "the form fits a phone");
        click(&browser, "input[name=kind][value=report]").await;
        click(&browser, "input[name=category][value=advertising]").await;
        browser
            .find(Locator::Css("#region_code"))
            .await
            .unwrap()
            .select_by_value("370403")
            .await
            .unwrap();
        type_into(&browser, "#subject_name", "美莱医美").await;
        type_into(&browser, "#subject_address", "薛城区泰山南路123号").await;
        type_into(
            &browser,
            "#description",
            "短视频平台发布“零风险、七天变美”的广告，还用术前术后对比照。",
        )
        .await;
        type_into(&browser, "#name", "王小花").await;
        type_into(&browser, "#phone", "13812345678").await;
        // A person takes longer than the form's minimum fill time; the app's clock says so.
        app.clock.advance(time::Duration::seconds(30));
        click(&browser, "form button[type=submit].primary").await;
        let code = browser
            .wait()
            .for_element(Locator::Css("#ticket-code"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let secret = browser
            .find(Locator::Css("#ticket-secret"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let department = browser
            .find(Locator::Css("#department"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(department, "枣庄市薛城区市场监督管理局");
        assert_eq!(overflow(&browser).await, 0, "the ticket page fits a phone");

        browser.goto(&app.url("/complaints/status")).await.unwrap();
        type_into(&browser, "#ticket", &code.to_lowercase()).await;
        type_into(&browser, "#secret", &secret).await;
        click(&browser, "form button[type=submit]").await;
        let state = browser
            .wait()
            .for_element(Locator::Css("#state"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(state, "待受理");
        let page = browser.source().await.unwrap();
        assert!(
            !page.contains("13812345678"),
            "the phone is not on the status page"
        );
        assert_eq!(overflow(&browser).await, 0, "the status page fits a phone");
        browser.close().await.unwrap();
    }
);
