//! A real `kill -9` in the middle of an import: only whole batches remain, the run records
//! how far it got, and importing the same file again completes it without duplicates.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::time::{Duration, Instant};

use meijian_domain::uscc::Uscc;
use meijian_store::both_backends;
use meijian_store::testing::TestDb;

const ROWS: usize = 30_000;
const BATCH: i64 = 500;

fn write_file(path: &std::path::Path) {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    writeln!(f, "统一社会信用代码,主体名称,登记状态,行政区划代码").unwrap();
    for i in 0..ROWS {
        let code = Uscc::from_body(&format!("91370402MA{i:07}")).unwrap();
        writeln!(f, "{code},枣庄市第{i}号医疗美容有限公司,存续,370402").unwrap();
    }
}

async fn scalar(db: &TestDb, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(db.store.pool())
        .await
        .unwrap()
}

both_backends!(kill_nine_mid_import_then_resume, |db: TestDb| async move {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("registrations.csv");
    write_file(&file);
    let bin = assert_cmd::cargo::cargo_bin("meijian");
    let mut child = std::process::Command::new(&bin)
        .args(["import", "registrations"])
        .arg(&file)
        .args([
            "--batch-size",
            &BATCH.to_string(),
            "--database-url",
            &db.url,
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Wait until a few batches are committed, then kill without warning.
    let started = Instant::now();
    loop {
        let batches: i64 = sqlx::query_scalar("select coalesce(max(batches), 0) from import_run")
            .fetch_one(db.store.pool())
            .await
            .unwrap_or(0);
        if batches >= 3 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the import never committed 3 batches"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    child.kill().unwrap();
    child.wait().unwrap();

    let records = scalar(&db, "select count(*) from registry_record").await;
    let (status, resume_line, batches): (String, i64, i64) =
        sqlx::query_as("select status, resume_line, batches from import_run")
            .fetch_one(db.store.pool())
            .await
            .unwrap();
    assert_eq!(
        status, "running",
        "a killed run is left as it was, to be resumed"
    );
    assert!(
        records > 0 && (records as usize) < ROWS,
        "killed mid-way: {records}"
    );
    assert_eq!(records % BATCH, 0, "only whole batches: {records}");
    assert_eq!(records, batches * BATCH);
    assert_eq!(
        resume_line,
        records + 1,
        "the resume point is the last committed line (header is line 1)"
    );

    let out = std::process::Command::new(&bin)
        .args(["import", "registrations"])
        .arg(&file)
        .args([
            "--batch-size",
            &BATCH.to_string(),
            "--database-url",
            &db.url,
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("接续上次中断的导入"), "{text}");
    assert_eq!(
        scalar(&db, "select count(*) from registry_record").await,
        ROWS as i64
    );
    assert_eq!(
        scalar(
            &db,
            "select count(distinct record_key) from registry_record"
        )
        .await,
        ROWS as i64
    );
    assert_eq!(
        scalar(&db, "select count(*) from registry_version").await,
        ROWS as i64,
        "no row written twice"
    );
    assert_eq!(
        scalar(
            &db,
            "select count(*) from import_run where status = 'completed'"
        )
        .await,
        1
    );
    assert_eq!(
        scalar(&db, "select rows_added from import_run").await,
        ROWS as i64
    );
});
