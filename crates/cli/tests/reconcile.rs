//! `meijian reconcile` as a user runs it: straight on DATA.md files, writing result.csv with a
//! row per record, and on the imported registries, stored; with clear errors for bad input.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashSet;

use assert_cmd::Command;

fn meijian() -> Command {
    let mut c = Command::cargo_bin("meijian").unwrap();
    c.env_remove("MEIJIAN_DATABASE_URL")
        .env_remove("MEIJIAN_CONFIG");
    c
}

fn ok(c: &mut Command) -> String {
    let out = c.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Generates a small city and returns its folder.
fn city() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    ok(meijian()
        .args(["demo-data", "--operators", "400", "--out"])
        .arg(dir.path()));
    dir
}

fn read(path: &std::path::Path) -> Vec<Vec<String>> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let mut rows = vec![header];
    rows.extend(
        reader
            .records()
            .map(|r| r.unwrap().iter().map(str::to_owned).collect()),
    );
    rows
}

#[test]
fn from_files_writes_one_row_per_record_under_the_contract_header() {
    let dir = city();
    let out = dir.path().join("result.csv");
    let text = ok(meijian()
        .args(["reconcile", "--as-of", "2026-11-22", "--from-files"])
        .arg(dir.path())
        .arg("--out")
        .arg(&out));
    assert!(text.contains("有证有照"), "{text}");
    let rows = read(&out);
    assert_eq!(&rows[0][..4], ["来源", "记录键", "主体编号", "分类"]);
    let truth = read(&dir.path().join("ground_truth.csv"));
    let keys = |rows: &[Vec<String>]| -> HashSet<(String, String)> {
        rows[1..]
            .iter()
            .map(|r| (r[0].clone(), r[1].clone()))
            .collect()
    };
    assert_eq!(rows.len(), truth.len(), "one row per record");
    assert_eq!(keys(&rows), keys(&truth));

    // A re-run with the previous result keeps every id.
    let again = dir.path().join("again.csv");
    ok(meijian()
        .args(["reconcile", "--as-of", "2026-11-22", "--from-files"])
        .arg(dir.path())
        .arg("--out")
        .arg(&again)
        .arg("--previous")
        .arg(&out));
    assert_eq!(read(&again), rows);
}

#[test]
fn bad_input_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let out = meijian()
        .args(["reconcile", "--from-files"])
        .arg(dir.path())
        .arg("--out")
        .arg(dir.path().join("r.csv"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("没有找到任何登记文件"));
    let out = meijian()
        .args(["reconcile", "--as-of", "2026-13-45", "--from-files"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("--as-of"));
}

#[test]
fn stored_run_on_imported_registries() {
    let dir = city();
    let url = format!("sqlite:{}", dir.path().join("m.db").display());
    for registry in [
        "registrations",
        "licenses",
        "salon_filings",
        "platform_merchants",
        "tax",
    ] {
        ok(meijian()
            .args(["import", registry])
            .arg(dir.path().join(format!("{registry}.csv")))
            .args(["--database-url", &url]));
    }
    let out = dir.path().join("stored.csv");
    let text = ok(meijian()
        .args([
            "reconcile",
            "--as-of",
            "2026-11-22",
            "--region",
            "370400",
            "--database-url",
            &url,
            "--out",
        ])
        .arg(&out));
    assert!(text.contains("枣庄市"), "{text}");
    // A later run on another as-of date reports the operators whose licenses lapsed meanwhile.
    let later = ok(meijian().args([
        "reconcile",
        "--as-of",
        "2040-01-01",
        "--region",
        "370400",
        "--database-url",
        &url,
    ]));
    assert!(later.contains("有证有照 → 有照无证"), "{later}");
    let files = dir.path().join("files.csv");
    ok(meijian()
        .args(["reconcile", "--as-of", "2026-11-22", "--from-files"])
        .arg(dir.path())
        .arg("--out")
        .arg(&files));
    // The stored run and the file run agree record for record.
    let mut stored = read(&out);
    let mut direct = read(&files);
    stored[1..].sort();
    direct[1..].sort();
    assert_eq!(stored.len(), direct.len());
    let project = |rows: &[Vec<String>]| -> Vec<(String, String, String, String)> {
        rows[1..]
            .iter()
            .map(|r| (r[0].clone(), r[1].clone(), r[2].clone(), r[3].clone()))
            .collect()
    };
    assert_eq!(project(&stored), project(&direct));
}
