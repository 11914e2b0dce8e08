//! Two `meijian serve` processes on one PostgreSQL, requests alternating between them as a
//! round-robin proxy would send them (decision 0014): a session, its CSRF token, a public
//! complaint's form token and a rate limit hold across both; each one's search sees a change
//! made elsewhere within its refresh interval; `kill -9` of one in the middle of a stream of
//! submissions loses no answered submission, and the other keeps serving.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use meijian_store::testing::TestDb;
use meijian_store::{demo, Backend};
use serde_json::{json, Value};

struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts `meijian serve` with `config` on a free port, its log into `log`; waits for
/// `/healthz`.
async fn start(config: &std::path::Path, log: &std::path::Path) -> Server {
    let port = free_port();
    let child = Command::new(assert_cmd::cargo::cargo_bin("meijian"))
        .args(["serve", "--config"])
        .arg(config)
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(log).unwrap())
        .spawn()
        .unwrap();
    let server = Server {
        child,
        base: format!("http://127.0.0.1:{port}"),
    };
    let started = Instant::now();
    loop {
        if let Ok(r) = reqwest::get(format!("{}/healthz", server.base)).await {
            if r.status() == 200 {
                return server;
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "server did not start"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn complaint(token: &str, n: usize) -> Value {
    json!({
        "token": token, "kind": "report", "category": "unlicensed_practice",
        "region_code": "370402", "subject_name": format!("某美容工作室{n}"),
        "description": "居民楼里给顾客注射玻尿酸，没有看到任何执业证照。", "anonymous": true,
    })
}

async fn count(db: &TestDb, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(db.store.pool())
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_on_one_postgres_share_sessions_tokens_limits_and_lose_nothing() {
    let db = TestDb::new(Backend::Postgres).await;
    let accounts = demo::seed(&db.store, time::OffsetDateTime::now_utc())
        .await
        .unwrap();
    let password = |name: &str| {
        accounts
            .iter()
            .find(|a| a.username == name)
            .unwrap()
            .password
            .clone()
    };
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("meijian.toml");
    let mut f = std::fs::File::create(&config).unwrap();
    writeln!(
        f,
        "[database]\nurl = \"{}\"\n\n[server]\ntrusted_proxies = [\"127.0.0.1\"]\n\n[security]\nlogin_requests_per_minute = 5\n\n\
         [complaints]\nmin_fill_seconds = 1\nlookups_per_minute = 1000\n\
         submissions_per_hour = 100000\n\n[log]\nformat = \"text\"\nlevel = \"info\"",
        db.url
    )
    .unwrap();
    drop(f);
    let logs = [dir.path().join("one.log"), dir.path().join("two.log")];
    let servers = [
        start(&config, &logs[0]).await,
        start(&config, &logs[1]).await,
    ];
    // A text log written to a file carries no terminal colour codes.
    let log = std::fs::read_to_string(&logs[1]).unwrap();
    assert!(log.contains("serving"), "{log}");
    assert!(
        !log.contains('\u{1b}'),
        "colour codes in the log file: {log:?}"
    );
    let at = |i: usize, path: &str| format!("{}{}", servers[i % 2].base, path);

    // A session opened on one server is known to the other, with its CSRF token.
    let officer = client();
    let r = officer
        .post(at(0, "/api/session"))
        .json(&json!({"username": "officer", "password": password("officer")}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let csrf = r.json::<Value>().await.unwrap()["csrf_token"]
        .as_str()
        .unwrap()
        .to_string();
    let me = officer.get(at(1, "/api/me")).send().await.unwrap();
    assert_eq!(me.status(), 200);
    assert_eq!(me.json::<Value>().await.unwrap()["username"], "officer");
    let refused = officer
        .delete(at(1, "/api/session"))
        .header("x-csrf-token", "wrong")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403, "a wrong CSRF token is refused");

    // A form token from one server is taken by the other, once for both.
    let public = client();
    let token: Value = public
        .get(at(0, "/api/public/complaints/token"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = token["token"].as_str().unwrap().to_string();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let r = public
        .post(at(1, "/api/public/complaints"))
        .json(&complaint(&token, 0))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let r = public
        .post(at(0, "/api/public/complaints"))
        .json(&complaint(&token, 0))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422, "the token was used on the other server");

    // One limit over both, per client behind the proxy (which appends X-Forwarded-For): 5
    // sign-in requests a minute; the officer's came from the proxy's own address.
    let mut answers = Vec::new();
    for i in 0..12 {
        let r = client()
            .post(at(i, "/api/session"))
            .header("x-forwarded-for", "198.51.100.1, 203.0.113.9")
            .json(&json!({"username": format!("guess{i}"), "password": "Wrong-Password-1"}))
            .send()
            .await
            .unwrap();
        answers.push(r.status().as_u16());
    }
    assert_eq!(answers[..5], [401; 5]);
    assert_eq!(answers[5..], [429; 7]);
    let other = client()
        .post(at(1, "/api/session"))
        .header("x-forwarded-for", "203.0.113.10")
        .json(&json!({"username": "guess", "password": "Wrong-Password-1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        other.status(),
        401,
        "another client behind the proxy has its own count"
    );

    // Each server's search sees a registry change made elsewhere within its refresh interval
    // (2 s): a record imported by a third process is found through both.
    let search = |i: usize| {
        let officer = officer.clone();
        let url = at(
            i,
            "/api/registries/registrations?q=%E7%91%B6%E6%B1%A0%E7%BE%8E%E5%AE%B9",
        );
        async move {
            let v: Value = officer.get(url).send().await.unwrap().json().await.unwrap();
            v["total"].as_i64().unwrap_or(-1)
        }
    };
    assert_eq!(search(0).await, 0);
    assert_eq!(search(1).await, 0);
    let csv = dir.path().join("registrations.csv");
    std::fs::write(
        &csv,
        "统一社会信用代码,主体名称,登记状态,行政区划代码\n\
         91370402MA3CKX0N1B,枣庄市瑶池美容有限公司,存续,370402\n",
    )
    .unwrap();
    let out = Command::new(assert_cmd::cargo::cargo_bin("meijian"))
        .args(["import", "registrations", "--partial"])
        .arg(&csv)
        .args(["--database-url", &db.url])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_eq!(search(0).await, 1, "server one sees the new record");
    assert_eq!(search(1).await, 1, "server two sees the new record");

    // A stream of submissions to both; server one is killed in the middle of it.
    let stored_before = count(&db, "select count(*) from lead").await;
    let [mut one, two] = servers;
    let mut answered = Vec::new();
    let mut tasks = tokio::task::JoinSet::new();
    for n in 1..=60 {
        let base = if n % 2 == 0 { &one.base } else { &two.base }.clone();
        tasks.spawn(async move {
            let c = client();
            let t: Value = match c
                .get(format!("{base}/api/public/complaints/token"))
                .send()
                .await
            {
                Ok(r) => r.json().await.ok()?,
                Err(e) => {
                    eprintln!("token {n}: {e}");
                    return None;
                }
            };
            tokio::time::sleep(Duration::from_millis(1100)).await;
            let r = c
                .post(format!("{base}/api/public/complaints"))
                .json(&complaint(t["token"].as_str()?, n))
                .send()
                .await;
            let r = match r {
                Ok(r) => r,
                Err(e) => {
                    eprintln!("submission {n}: {e}");
                    return None;
                }
            };
            if r.status() != 201 {
                eprintln!(
                    "submission {n}: {} {}",
                    r.status(),
                    r.text().await.unwrap_or_default()
                );
                return None;
            }
            let v: Value = r.json().await.ok()?;
            Some((n, v["ticket_code"].as_str()?.to_string()))
        });
        if n == 30 {
            tokio::time::sleep(Duration::from_millis(1150)).await;
            one.child.kill().unwrap();
            one.child.wait().unwrap();
        }
    }
    while let Some(r) = tasks.join_next().await {
        if let Some(answer) = r.unwrap() {
            answered.push(answer);
        }
    }
    let by_two = answered.iter().filter(|(n, _)| n % 2 == 1).count();
    assert_eq!(
        by_two, 30,
        "the survivor answered every submission sent to it"
    );
    for (_, code) in &answered {
        let n: i64 = sqlx::query_scalar("select count(*) from complaint where ticket_code = $1")
            .bind(code)
            .fetch_one(db.store.pool())
            .await
            .unwrap();
        assert_eq!(n, 1, "answered submission {code} is stored");
    }
    let stored = count(&db, "select count(*) from lead").await - stored_before;
    assert!(stored >= answered.len() as i64);
    // The survivor still serves the session opened on the killed server.
    let r = officer
        .get(format!("{}/api/me", two.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // The CSRF token given by the killed server signs the officer out on the survivor.
    let r = officer
        .delete(format!("{}/api/session", two.base))
        .header("x-csrf-token", &csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let r = officer
        .get(format!("{}/api/me", two.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    // The audit chain is whole.
    let out = Command::new(assert_cmd::cargo::cargo_bin("meijian"))
        .args(["audit", "verify", "--database-url", &db.url])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}
