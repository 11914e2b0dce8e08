//! Benchmark of the public complaint desk (`bench/complaints.sh`), in one run on a fresh
//! SQLite database with durable commits (synchronous=FULL, as the store sets it):
//!
//! 1. the yardstick: raw inserts of complaint-sized rows straight through sqlx, one row per
//!    transaction from 64 concurrent tasks, and in bulk;
//! 2. the real `POST /complaints` (multipart, no attachments) from 64 concurrent clients;
//! 3. the real `POST /complaints/status` from 64 concurrent clients.
//!
//! Usage: `complaints_bench [SECONDS]` (default 10: the submission phase; the other phases
//! run half as long).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use meijian_store::{demo, new_id, Store};
use meijian_web::{AppState, SystemClock, WebSettings};
use tokio::sync::Mutex;

const CLIENTS: usize = 64;
const BOUNDARY: &str = "----complaintsBenchBoundary";
const DESCRIPTION: &str =
    "朋友圈广告宣称“无痕双眼皮永久保持”，价目表与实际收费不一致，没有看到医疗广告审查证明。";

/// What one phase measured.
struct Phase {
    name: &'static str,
    count: usize,
    failed: usize,
    elapsed: Duration,
    latencies: Vec<Duration>,
}

impl Phase {
    fn per_second(&self) -> f64 {
        self.count as f64 / self.elapsed.as_secs_f64()
    }

    fn ms(&mut self, p: f64) -> String {
        if self.latencies.is_empty() {
            return "-".into();
        }
        self.latencies.sort();
        let i = ((self.latencies.len() as f64 * p).ceil() as usize).clamp(1, self.latencies.len());
        format!("{:.2}", self.latencies[i - 1].as_secs_f64() * 1000.0)
    }
}

/// Runs `op` from `CLIENTS` tasks until `run_for` has passed; collects latencies.
async fn concurrent<F, Fut>(name: &'static str, run_for: Duration, op: F) -> Phase
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let op = Arc::new(op);
    let started = Instant::now();
    let deadline = started + run_for;
    let failed = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for client in 0..CLIENTS {
        let (op, failed) = (op.clone(), failed.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut n = 0;
            while Instant::now() < deadline {
                let t = Instant::now();
                if op(client * 1_000_000 + n).await {
                    latencies.push(t.elapsed());
                } else {
                    failed.fetch_add(1, Ordering::Relaxed);
                }
                n += 1;
            }
            latencies
        }));
    }
    let mut latencies = Vec::new();
    for t in tasks {
        latencies.extend(t.await.unwrap());
    }
    Phase {
        name,
        count: latencies.len(),
        failed: failed.load(Ordering::Relaxed),
        elapsed: started.elapsed(),
        latencies,
    }
}

async fn insert_raw(tx: &mut meijian_store::Tx, dept: &str, n: usize) -> Result<(), sqlx::Error> {
    sqlx::query(
        "insert into bench_complaint (id, ticket_code, secret_hash, kind, category, region_code, \
         department_id, subject_name, subject_address, description, reporter_name, \
         reporter_phone, reporter_address, received_at, accept_due) \
         values ($1, $2, $3, 'report', 'advertising', '370403', $4, $5, $6, $7, '王小红', \
         '13912345678', '薛城区某小区3号楼', '2026-11-20T02:00:00Z', '2026-11-30T15:59:59Z')",
    )
    .bind(new_id())
    .bind(format!("T{n:011}"))
    .bind(format!("{:064x}", n))
    .bind(dept)
    .bind(format!("薛城某某医疗美容诊所{n}"))
    .bind("薛城区临城街道某路1号")
    .bind(DESCRIPTION)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

fn multipart(token: &str) -> Vec<u8> {
    let fields = [
        ("_token", token),
        ("extra_note", ""),
        ("kind", "report"),
        ("category", "advertising"),
        ("region_code", "370403"),
        ("subject_name", "薛城某某医疗美容诊所"),
        ("subject_address", "薛城区临城街道某路1号"),
        ("happened_on", "2026-01-15"),
        ("description", DESCRIPTION),
        ("name", "王小红"),
        ("phone", "13912345678"),
        ("address", "薛城区某小区3号楼"),
        ("email", ""),
    ];
    let mut body = String::new();
    for (name, value) in fields {
        body.push_str(&format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        ));
    }
    body.push_str(&format!("--{BOUNDARY}--\r\n"));
    body.into_bytes()
}

fn between<'a>(html: &'a str, marker: &str) -> Option<&'a str> {
    let start = html.find(marker)? + marker.len();
    let end = html[start..].find('<')?;
    Some(&html[start..start + end])
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let secs: u64 = std::env::args()
        .nth(1)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(10);
    let dir = tempfile::tempdir()?;
    let url = format!("sqlite:{}", dir.path().join("bench.db").display());
    let store = Store::connect(&url).await?;
    store.migrate().await?;
    demo::seed(&store, time::OffsetDateTime::now_utc()).await?;
    let dept: String = sqlx::query_scalar(
        "select id from department where kind = 'market_regulation' and region_code = '370403'",
    )
    .fetch_one(store.pool())
    .await?;
    sqlx::query(
        "create table bench_complaint (id text primary key, ticket_code text not null unique, \
         secret_hash text not null, kind text not null, category text not null, \
         region_code text not null, department_id text not null, subject_name text not null, \
         subject_address text, description text not null, reporter_name text, \
         reporter_phone text, reporter_address text, received_at text not null, accept_due text)",
    )
    .execute(store.pool())
    .await?;

    // 1. Raw durable inserts.
    let half = Duration::from_secs(secs.div_ceil(2));
    let (s, d) = (store.clone(), dept.clone());
    let mut raw = concurrent("raw insert, 1 row/transaction, 64 tasks", half, move |n| {
        let (s, d) = (s.clone(), d.clone());
        async move {
            let Ok(mut tx) = s.begin().await else {
                return false;
            };
            insert_raw(&mut tx, &d, n).await.is_ok() && tx.commit().await.is_ok()
        }
    })
    .await;
    let bulk_rows = 50_000;
    let started = Instant::now();
    for chunk in 0..bulk_rows / 1000 {
        let mut tx = store.begin().await?;
        for i in 0..1000 {
            insert_raw(&mut tx, &dept, 900_000_000 + chunk * 1000 + i).await?;
        }
        tx.commit().await?;
    }
    let mut bulk = Phase {
        name: "raw insert, bulk 1,000 rows/transaction",
        count: bulk_rows,
        failed: 0,
        elapsed: started.elapsed(),
        latencies: Vec::new(),
    };

    // 2. The real endpoint.
    let mut settings = WebSettings::default();
    settings.complaints.submissions_per_hour = u32::MAX;
    settings.complaints.lookups_per_minute = u32::MAX;
    let max_batch = settings.complaints.max_batch;
    let min_fill = settings.complaints.min_fill_seconds;
    let state = AppState::new(store.clone(), settings, Arc::new(SystemClock)).await?;
    let desk = state.desk.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(meijian_web::serve(listener, state, async move {
        let _ = stopped.await;
    }));
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(CLIENTS)
        .build()?;
    let tickets: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    let (c, b, t) = (client.clone(), base.clone(), tickets.clone());
    let mut submit = concurrent(
        "POST /complaints (multipart)",
        Duration::from_secs(secs),
        move |_| {
            let (c, b, t, desk) = (c.clone(), b.clone(), t.clone(), desk.clone());
            async move {
                // A form shown a minute ago, as a person would have.
                let token = desk
                    .tokens
                    .issue(time::OffsetDateTime::now_utc() - time::Duration::minutes(1));
                let r = c
                    .post(format!("{b}/complaints"))
                    .header(
                        "content-type",
                        format!("multipart/form-data; boundary={BOUNDARY}"),
                    )
                    .header("origin", b.as_str())
                    .body(multipart(&token))
                    .send()
                    .await;
                let Ok(r) = r else { return false };
                if r.status() != 200 {
                    return false;
                }
                let html = r.text().await.unwrap_or_default();
                match (
                    between(&html, "id=\"ticket-code\">"),
                    between(&html, "id=\"ticket-secret\">"),
                ) {
                    (Some(code), Some(secret)) => {
                        t.lock().await.push((code.to_string(), secret.to_string()));
                        true
                    }
                    _ => false,
                }
            }
        },
    )
    .await;
    let stored: i64 = sqlx::query_scalar("select count(*) from lead")
        .fetch_one(store.pool())
        .await?;

    // 3. Status lookups of the tickets just given out.
    let tickets = Arc::new(tickets.lock().await.clone());
    let (c, b, t) = (client.clone(), base.clone(), tickets.clone());
    let mut lookup = concurrent("POST /complaints/status", half, move |n| {
        let (c, b, t) = (c.clone(), b.clone(), t.clone());
        async move {
            let Some((code, secret)) = t.get(n.wrapping_mul(7919) % t.len().max(1)) else {
                return false;
            };
            let r = c
                .post(format!("{b}/complaints/status"))
                .header("origin", b.as_str())
                .form(&[("ticket", code.as_str()), ("secret", secret.as_str())])
                .send()
                .await;
            match r {
                Ok(r) if r.status() == 200 => r.text().await.is_ok_and(|h| h.contains("待受理")),
                _ => false,
            }
        }
    })
    .await;
    let _ = stop.send(());

    println!("Public complaint desk — fresh SQLite database, journal_mode=WAL, synchronous=FULL (every commit durable)");
    println!(
        "database file: {} (removed at the end)",
        dir.path().join("bench.db").display()
    );
    println!(
        "{CLIENTS} concurrent clients; group commit max_batch = {max_batch}; submissions carry no attachments"
    );
    println!("Rate limits raised for the bench (all clients are 127.0.0.1): submissions_per_hour and lookups_per_minute = {}", u32::MAX);
    println!("Form tokens issued in-process, dated one minute back (min_fill_seconds = {min_fill} holds)");
    println!();
    println!(
        "| {:<42} | {:>7} | {:>6} | {:>9} | {:>7} | {:>7} | {:>7} |",
        "phase", "done", "failed", "per s", "p50 ms", "p95 ms", "p99 ms"
    );
    println!(
        "|{:-<44}|{:->9}|{:->8}|{:->11}|{:->9}|{:->9}|{:->9}|",
        "", "", "", "", "", "", ""
    );
    for p in [&mut raw, &mut bulk, &mut submit, &mut lookup] {
        let (p50, p95, p99) = (p.ms(0.50), p.ms(0.95), p.ms(0.99));
        println!(
            "| {:<42} | {:>7} | {:>6} | {:>9.0} | {:>7} | {:>7} | {:>7} |",
            p.name,
            p.count,
            p.failed,
            p.per_second(),
            p50,
            p95,
            p99
        );
    }
    let ratio = submit.per_second() / raw.per_second();
    let p99_ms: f64 = lookup.ms(0.99).parse().unwrap_or(f64::MAX);
    println!();
    println!(
        "leads stored: {stored} (answered submissions: {})",
        submit.count
    );
    println!(
        "submissions/s ÷ raw single-row inserts/s = {ratio:.2}; ÷ bulk inserts/s = {:.3}",
        submit.per_second() / bulk.per_second()
    );
    let verdict = |ok: bool| if ok { "met" } else { "MISSED" };
    println!(
        "targets: ≥ 500 submissions/s: {} · ≥ 1/3 of raw single-row inserts: {} · status p99 < 20 ms: {}",
        verdict(submit.per_second() >= 500.0),
        verdict(ratio >= 1.0 / 3.0),
        verdict(p99_ms < 20.0)
    );
    Ok(())
}
