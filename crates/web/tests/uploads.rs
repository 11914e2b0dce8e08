//! Registry uploads left behind, on SQLite and PostgreSQL: a preview never confirmed is swept
//! once older than the retention while a fresh one stays, and an upload cut off mid-transfer
//! leaves no file.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use common::TestApp;
use meijian_store::both_backends;
use meijian_store::testing::TestDb;
use meijian_web::pages::registries::imports::sweep_uploads;
use meijian_web::WebSettings;
use reqwest::cookie::CookieStore;
use tokio::io::AsyncWriteExt;

const DAY: Duration = Duration::from_secs(24 * 3600);
const BOUNDARY: &str = "----meijianUploadBoundary";

/// A small registrations file of 市中区.
fn registrations() -> Vec<u8> {
    "统一社会信用代码,主体名称,主体类型,法定代表人,住所,经营范围,登记状态,成立日期,登记机关,行政区划代码\n\
     ,枣庄市某医疗美容诊所,有限责任公司,张三,某路1号,医疗美容服务,存续,2020年1月2日,市场监管局,370402\n"
        .as_bytes()
        .to_vec()
}

/// The app with its own upload folder (the default one is shared by every test).
async fn app_with_upload_dir(db: TestDb) -> (TestApp, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let settings = WebSettings {
        upload_dir: dir.path().to_path_buf(),
        ..WebSettings::default()
    };
    (TestApp::spawn_with(db, settings).await, dir)
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Previews a file through the form; returns the upload's token from the page.
async fn preview(app: &TestApp, c: &reqwest::Client, csrf: &str) -> String {
    // The CSRF token comes first in the body, where the session layer looks for it.
    let form = reqwest::multipart::Form::new()
        .text("_csrf", csrf.to_string())
        .text("registry", "registrations")
        .text("action", "preview")
        .part(
            "file",
            reqwest::multipart::Part::bytes(registrations()).file_name("r.csv"),
        );
    let r = c
        .post(app.url("/imports"))
        .header("x-csrf-token", csrf)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    let marker = "name=\"token\" value=\"";
    let start = html.find(marker).expect("preview page has the token") + marker.len();
    html[start..start + 32].to_string()
}

fn backdate(path: &PathBuf, by: Duration) {
    std::fs::File::options()
        .append(true)
        .open(path)
        .unwrap()
        .set_modified(SystemTime::now() - by)
        .unwrap();
}

both_backends!(
    an_old_unconfirmed_preview_is_swept_and_a_fresh_one_kept,
    |db: TestDb| async move {
        let (app, dir) = app_with_upload_dir(db).await;
        let c = app.login("officer").await;
        let csrf = app.csrf(&c).await;
        let old = preview(&app, &c, &csrf).await;
        let fresh = preview(&app, &c, &csrf).await;
        assert_eq!(
            files_in(dir.path()),
            {
                let mut v = vec![
                    format!("{old}.json"),
                    format!("{old}.upload"),
                    format!("{fresh}.json"),
                    format!("{fresh}.upload"),
                ];
                v.sort();
                v
            },
            "a preview waits for its confirmation"
        );
        // The first preview was left a day and an hour ago; a file of another name is not ours.
        for ext in ["json", "upload"] {
            backdate(
                &dir.path().join(format!("{old}.{ext}")),
                DAY + Duration::from_secs(3600),
            );
        }
        let other = dir.path().join("notes.txt");
        std::fs::write(&other, "not an upload").unwrap();
        backdate(&other, 10 * DAY);
        // A day less a minute is not yet too old.
        backdate(
            &dir.path().join(format!("{fresh}.upload")),
            DAY - Duration::from_secs(60),
        );

        let swept = sweep_uploads(dir.path(), DAY, SystemTime::now())
            .await
            .unwrap();
        assert_eq!(swept, 1);
        let mut left = vec![
            format!("{fresh}.json"),
            format!("{fresh}.upload"),
            "notes.txt".to_string(),
        ];
        left.sort();
        assert_eq!(files_in(dir.path()), left);

        // The swept preview can no longer be confirmed; the fresh one can.
        let r = c
            .post(app.url("/imports/confirm"))
            .form(&[("_csrf", csrf.as_str()), ("token", old.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404);
        let r = c
            .post(app.url("/imports/confirm"))
            .form(&[("_csrf", csrf.as_str()), ("token", fresh.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
    }
);

/// The start of a multipart upload: the CSRF token, the registry and action fields, then the
/// whole file, with no closing boundary.
fn multipart_head(csrf: &str) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, value) in [
        ("_csrf", csrf),
        ("registry", "registrations"),
        ("action", "preview"),
    ] {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"r.csv\"\r\n\
             Content-Type: text/csv\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(&registrations());
    body
}

async fn wait_until_empty(dir: &Path) -> Vec<String> {
    for _ in 0..100 {
        if files_in(dir).is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    files_in(dir)
}

both_backends!(a_cut_off_upload_leaves_no_file, |db: TestDb| async move {
    let (app, dir) = app_with_upload_dir(db).await;
    let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
    let c = reqwest::Client::builder()
        .cookie_provider(jar.clone())
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = c
        .post(app.url("/login"))
        .form(&[
            ("username", "officer"),
            ("password", &app.password("officer")),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let csrf = app.csrf(&c).await;

    // The body ends inside the file: the multipart closing boundary never comes.
    let r = c
        .post(app.url("/imports"))
        .header("x-csrf-token", &csrf)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(multipart_head(&csrf))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_client_error(), "{}", r.status());
    assert_eq!(
        wait_until_empty(dir.path()).await,
        Vec::<String>::new(),
        "the partial upload is deleted"
    );

    // The client goes away half-way through a large upload.
    let cookie = jar
        .cookies(&app.base.parse().unwrap())
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    let host = app.base.trim_start_matches("http://").to_string();
    let head = multipart_head(&csrf);
    let mut tcp = tokio::net::TcpStream::connect(&host).await.unwrap();
    tcp.write_all(
        format!(
            "POST /imports HTTP/1.1\r\nHost: {host}\r\nCookie: {cookie}\r\nX-CSRF-Token: {csrf}\r\n\
             Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n\
             Content-Length: {}\r\n\r\n",
            head.len() + 10 * 1024 * 1024
        )
        .as_bytes(),
    )
    .await
    .unwrap();
    tcp.write_all(&head).await.unwrap();
    tcp.write_all(&vec![b'x'; 256 * 1024]).await.unwrap();
    tcp.flush().await.unwrap();
    // Once the server has started writing the file, hang up.
    let mut started = false;
    for _ in 0..100 {
        if files_in(dir.path()).iter().any(|f| f.ends_with(".upload")) {
            started = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(started, "the server received the upload");
    drop(tcp);
    assert_eq!(
        wait_until_empty(dir.path()).await,
        Vec::<String>::new(),
        "the partial upload is deleted"
    );
});
