//! The `meijian` binary as a user runs it: help, bad configuration, unreachable database,
//! a taken port, accounts from the command line, audit verification and backup/restore.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use assert_cmd::Command;
use meijian_store::testing::TestDb;
use meijian_store::{both_backends, Backend};

fn meijian() -> Command {
    let mut c = Command::cargo_bin("meijian").unwrap();
    c.env_remove("MEIJIAN_DATABASE_URL")
        .env_remove("MEIJIAN_CONFIG")
        .env_remove("MEIJIAN_LISTEN");
    c
}

fn stdout(c: &mut Command) -> String {
    let out = c.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn stderr_of_failure(c: &mut Command) -> String {
    let out = c.output().unwrap();
    assert!(
        !out.status.success(),
        "should fail: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8(out.stderr).unwrap()
}

#[test]
fn every_subcommand_has_help() {
    for sub in [
        "serve",
        "demo",
        "migrate",
        "user",
        "department",
        "backup",
        "restore",
        "audit",
        "reconcile",
    ] {
        let text = stdout(meijian().args([sub, "--help"]));
        assert!(text.contains("Usage: meijian"), "{sub}: {text}");
    }
    let text = stdout(meijian().args(["user", "add", "--help"]));
    assert!(text.contains("--department") && text.contains("KIND@REGION"));
}

#[test]
fn unknown_config_key_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("meijian.toml");
    std::fs::write(&cfg, "[security]\nlockout_threshhold = 3\n").unwrap();
    let err = stderr_of_failure(meijian().arg("migrate").arg("--config").arg(&cfg));
    assert!(
        err.contains("lockout_threshhold") && err.contains("meijian.toml"),
        "{err}"
    );
}

#[test]
fn unreachable_database_names_the_host_not_the_password() {
    let err = stderr_of_failure(meijian().args([
        "migrate",
        "--database-url",
        "postgres://app:s3cret-pw@127.0.0.1:1/meijian",
    ]));
    assert!(err.contains("127.0.0.1:1"), "{err}");
    assert!(!err.contains("s3cret-pw"), "{err}");
}

#[test]
fn a_taken_port_is_a_clear_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("m.db").display());
    let err =
        stderr_of_failure(meijian().args(["serve", "--listen", &addr, "--database-url", &url]));
    assert!(err.contains("已被占用") && err.contains(&addr), "{err}");
}

both_backends!(
    first_admin_from_the_command_line_and_audit_verify,
    |db: TestDb| async move {
        let url = db.url.clone();
        let run = move |args: Vec<&str>| {
            let mut c = meijian();
            c.args(&args).args(["--database-url", &url]);
            c
        };
        let out = stdout(&mut run(vec![
            "department",
            "add",
            "--kind",
            "health",
            "--region",
            "370402",
        ]));
        assert!(out.contains("枣庄市市中区卫生健康委员会"), "{out}");
        let out = stdout(&mut run(vec![
            "user",
            "add",
            "--username",
            "first",
            "--name",
            "第一管理员",
            "--role",
            "administrator",
            "--department",
            "health@370402",
        ]));
        assert!(out.contains("初始密码："), "{out}");
        let err = stderr_of_failure(&mut run(vec![
            "user",
            "add",
            "--username",
            "second",
            "--name",
            "x",
            "--role",
            "boss",
            "--department",
            "health@370402",
        ]));
        assert!(
            err.contains("未知角色") && err.contains("administrator"),
            "{err}"
        );
        let out = stdout(&mut run(vec!["user", "list"]));
        assert!(out.contains("first") && out.contains("系统管理员"));
        let out = stdout(&mut run(vec!["audit", "verify"]));
        assert!(out.contains("审计链完整：共 2 条"), "{out}");
        sqlx::query("update audit_entry set after_json = '{}' where seq = 1")
            .execute(db.store.pool())
            .await
            .unwrap();
        let err = stderr_of_failure(&mut run(vec!["audit", "verify"]));
        assert!(err.contains("第 1 条"), "{err}");
    }
);

#[tokio::test]
async fn backup_and_restore_from_the_command_line() {
    let db = TestDb::new(Backend::Sqlite).await;
    meijian_store::demo::seed(&db.store, time::OffsetDateTime::now_utc())
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("b.db");
    let out = stdout(
        meijian()
            .args(["backup", "--database-url", &db.url, "--out"])
            .arg(&copy),
    );
    assert!(out.contains("department: 36"), "{out}");
    let target = dir.path().join("restored.db");
    let out = stdout(
        meijian()
            .args(["restore", "--from"])
            .arg(&copy)
            .arg("--to")
            .arg(&target),
    );
    assert!(out.contains("校验通过"), "{out}");
    let err = stderr_of_failure(
        meijian()
            .args(["restore", "--from"])
            .arg(&copy)
            .arg("--to")
            .arg(&target),
    );
    assert!(err.contains("--force"), "{err}");
    let url = format!("sqlite:{}", target.display());
    let out = stdout(meijian().args(["user", "list", "--database-url", &url]));
    for u in [
        "admin",
        "leader",
        "officer",
        "officer2",
        "liaison",
        "analyst",
        "institution",
    ] {
        assert!(out.contains(u), "{u} restored");
    }
}

#[test]
fn read_only_commands_never_create_a_database() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        &["audit", "verify"][..],
        &["user", "list"][..],
        &["department", "list"][..],
    ] {
        let err = stderr_of_failure(meijian().current_dir(dir.path()).args(args));
        assert!(
            err.contains("找不到数据库 meijian.db") && err.contains("meijian migrate"),
            "{args:?}: {err}"
        );
        assert!(!err.contains("no such table"), "{err}");
    }
    assert!(
        std::fs::read_dir(dir.path()).unwrap().next().is_none(),
        "no file was created"
    );
}
