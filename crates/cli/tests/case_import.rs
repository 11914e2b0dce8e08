//! `meijian import cases|penalties FILE` as a user runs it: cases first, then their penalties;
//! a bad row is printed with its line, column and reason; the same files again change nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use assert_cmd::Command;

fn meijian() -> Command {
    let mut c = Command::cargo_bin("meijian").unwrap();
    c.env_remove("MEIJIAN_DATABASE_URL")
        .env_remove("MEIJIAN_CONFIG");
    c
}

#[test]
fn an_unknown_kind_lists_the_history_files_too() {
    let out = meijian()
        .args([
            "import",
            "casez",
            "x.csv",
            "--database-url",
            "sqlite::memory:",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("未知登记类别“casez”") && err.contains("cases, penalties"),
        "{err}"
    );
}

const CASES: &str = "案件编号,案件名称,立案日期,办案机关,行政区划代码,案件类别,案件来源,案件状态,结案日期,违法行为
ZZ-1,某美容店无证行医案,2024-03-01,枣庄市市中区卫生健康局,370402,无证行医,投诉举报,结案,2024-06-30,非法注射
ZZ-2,某诊所超范围案,2024-04-01,枣庄市薛城区卫生健康局,370403,医疗机构,监督检查,调查取证,,超范围
";

const PENALTIES: &str =
    "处罚编号,案件编号,当事人名称,当事人类型,当事人证件号码,处罚种类,金额（元）,决定日期,决定书文号
CF-1,ZZ-1,张某,个人,,罚款,\"12,500.50元\",2024-06-01,枣市中卫罚〔2024〕1号
CF-2,ZZ-1,张某,个人,,罚款,-5,2024-06-01,枣市中卫罚〔2024〕1号
CF-3,ZZ-9,李某,个人,,警告,,2024-06-01,枣市中卫罚〔2024〕2号
";

fn import(kind: &str, file: &std::path::Path, url: &str) -> String {
    let out = meijian()
        .args(["import", kind])
        .arg(file)
        .args(["--database-url", url])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn cases_then_penalties_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("m.db").display());
    let cases = dir.path().join("cases.csv");
    let penalties = dir.path().join("penalties.csv");
    std::fs::write(&cases, CASES).unwrap();
    std::fs::write(&penalties, PENALTIES).unwrap();

    let out = import("cases", &cases, &url);
    assert!(
        out.contains("读取 2 行：新增 2，更新 0，未变 0，拒绝 0"),
        "{out}"
    );
    let out = import("penalties", &penalties, &url);
    assert!(
        out.contains("读取 3 行：新增 1，更新 0，未变 0，拒绝 2"),
        "{out}"
    );
    assert!(
        out.contains("第 3 行 金额（元）「-5」：金额不能为负数"),
        "{out}"
    );
    assert!(out.contains("第 4 行 案件编号「ZZ-9」"), "{out}");

    let out = import("cases", &cases, &url);
    assert!(out.contains("新增 0，更新 0，未变 2"), "{out}");
    let out = import("penalties", &penalties, &url);
    assert!(out.contains("新增 0，更新 0，未变 1，拒绝 2"), "{out}");
}
