//! Who may read `/metrics`: loopback peers only when nothing is configured, bearers of the
//! token when one is, and only the separate address when one is given; everyone else gets the
//! 404 of an unknown page. Also `Strict-Transport-Security` with `secure_cookies`. The database
//! plays no part: SQLite only.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::TestApp;
use meijian_store::testing::TestDb;
use meijian_store::Backend;
use meijian_web::settings::MetricsSettings;
use meijian_web::WebSettings;

const TOKEN: &str = "metrics-token-0123456789";

async fn spawn(settings: WebSettings) -> TestApp {
    TestApp::spawn_with(TestDb::new(Backend::Sqlite).await, settings).await
}

async fn get(c: &reqwest::Client, url: &str, auth: Option<&str>) -> (u16, String) {
    let mut r = c.get(url);
    if let Some(a) = auth {
        r = r.header("authorization", a);
    }
    let r = r.send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_configuration_only_loopback_peers_read_metrics() {
    let app = spawn(WebSettings::default()).await;
    let c = app.client();
    let _ = get(&c, &app.url("/login"), None).await;
    let (status, body) = get(&c, &app.url("/metrics"), None).await;
    assert_eq!(status, 200, "the test client is a loopback peer");
    assert!(body.contains("meijian_http_requests_total"), "{body}");
    // Relayed by a proxy on this host: the visitor is not local.
    let r = c
        .get(app.url("/metrics"))
        .header("x-forwarded-for", "203.0.113.7")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert!(
        r.text().await.unwrap().contains("不存在"),
        "an unknown page"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_a_token_metrics_need_it() {
    let app = spawn(WebSettings {
        metrics: MetricsSettings {
            token: Some(TOKEN.into()),
            listen: None,
        },
        ..WebSettings::default()
    })
    .await;
    let c = app.client();
    let url = app.url("/metrics");
    assert_eq!(get(&c, &url, None).await.0, 404);
    assert_eq!(get(&c, &url, Some("Bearer wrong")).await.0, 404);
    assert_eq!(
        get(&c, &url, Some(&format!("Bearer {TOKEN}x"))).await.0,
        404
    );
    assert_eq!(get(&c, &url, Some(&format!("Basic {TOKEN}"))).await.0, 404);
    let (status, body) = get(&c, &url, Some(&format!("Bearer {TOKEN}"))).await;
    assert_eq!(status, 200);
    assert!(
        body.contains("# TYPE") || body.contains("meijian_"),
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_a_separate_address_metrics_are_served_there_only() {
    let open = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let with_token = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let (open_addr, token_addr) = (open.local_addr().unwrap(), with_token.local_addr().unwrap());
    let app = spawn(WebSettings {
        metrics: MetricsSettings {
            token: None,
            listen: Some(open_addr),
        },
        ..WebSettings::default()
    })
    .await;
    let c = app.client();
    let _ = get(&c, &app.url("/login"), None).await;
    assert_eq!(
        get(&c, &app.url("/metrics"), None).await.0,
        404,
        "not on the main address, even for a loopback peer"
    );

    let handle = meijian_web::metrics_handle();
    tokio::spawn(meijian_web::health::serve_metrics(
        open,
        handle.clone(),
        None,
        std::future::pending(),
    ));
    tokio::spawn(meijian_web::health::serve_metrics(
        with_token,
        handle,
        Some(TOKEN.into()),
        std::future::pending(),
    ));
    let (status, body) = get(&c, &format!("http://{open_addr}/metrics"), None).await;
    assert_eq!(status, 200);
    assert!(body.contains("meijian_http_requests_total"), "{body}");
    assert_eq!(
        get(&c, &format!("http://{open_addr}/login"), None).await.0,
        404,
        "nothing else there"
    );
    let url = format!("http://{token_addr}/metrics");
    assert_eq!(get(&c, &url, None).await.0, 404);
    assert_eq!(get(&c, &url, Some("Bearer nope")).await.0, 404);
    assert_eq!(get(&c, &url, Some(&format!("Bearer {TOKEN}"))).await.0, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hsts_is_sent_behind_https_only() {
    let app = spawn(WebSettings {
        secure_cookies: true,
        ..WebSettings::default()
    })
    .await;
    let c = app.client();
    for path in ["/login", "/healthz", "/no/such/page", "/static/app.css"] {
        let r = c.get(app.url(path)).send().await.unwrap();
        assert_eq!(
            r.headers()
                .get("strict-transport-security")
                .map(|v| v.to_str().unwrap()),
            Some("max-age=31536000"),
            "{path}"
        );
    }

    let app = spawn(WebSettings::default()).await;
    let r = app.client().get(app.url("/login")).send().await.unwrap();
    assert!(r.status().is_success());
    assert!(
        !r.headers().contains_key("strict-transport-security"),
        "no HSTS over plain HTTP"
    );
}
