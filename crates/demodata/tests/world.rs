//! The modelled world on 20,000 operators: every true class follows from the records by DATA.md's
//! rules, the class shares are the documented ones, and each kind of noise appears at its rate.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use common::{data_set, read, DataSet, KEYED};
use meijian_demodata::{class_share, NoiseKind, Profile, TrueClass};

static SET: OnceLock<DataSet> = OnceLock::new();

fn set() -> &'static DataSet {
    data_set(&SET, "demodata-world-20k", 20_000)
}

const AS_OF: &str = "2026-11-22";
const AESTHETIC_CATEGORIES: [&str; 3] = ["美容医院", "医疗美容门诊部", "医疗美容诊所"];
const AESTHETIC_SUBJECTS: [&str; 5] = [
    "医疗美容科",
    "美容外科",
    "美容牙科",
    "美容皮肤科",
    "美容中医科",
];
const MEDICAL_CATEGORIES: [&str; 8] = [
    "医美",
    "玻尿酸",
    "水光针",
    "光子嫩肤",
    "瘦脸针",
    "热玛吉",
    "双眼皮",
    "皮秒",
];
const MEDICAL_SERVICES: [&str; 8] = [
    "水光针",
    "玻尿酸注射",
    "肉毒素瘦脸",
    "光子嫩肤",
    "微整形",
    "激光祛斑",
    "热玛吉",
    "埋线提升",
];

/// `YYYY-MM-DD` or `YYYY/M/D` as a comparable `YYYY-MM-DD`.
fn iso(date: &str) -> String {
    let parts: Vec<u32> = date.split(['-', '/']).map(|p| p.parse().unwrap()).collect();
    format!("{:04}-{:02}-{:02}", parts[0], parts[1], parts[2])
}

#[derive(Default)]
struct Evidence {
    zhao: bool,
    zheng: bool,
    in_scope: bool,
}

#[test]
fn every_true_class_follows_from_the_records() {
    let dir = &set().dir;
    let truth = read(dir, "ground_truth");
    let owner: HashMap<(&str, &str), (&str, &str)> = truth
        .rows
        .iter()
        .map(|r| {
            (
                (r["来源"].as_str(), r["记录键"].as_str()),
                (r["主体编号"].as_str(), r["分类"].as_str()),
            )
        })
        .collect();
    let tables: Vec<_> = KEYED
        .iter()
        .map(|(source, key)| (*source, *key, read(dir, source)))
        .collect();
    let mut evidence: HashMap<&str, Evidence> = HashMap::new();
    for (source, key, table) in &tables {
        for row in &table.rows {
            let (op, _) = owner[&(*source, row[*key].as_str())];
            let e = evidence.entry(op).or_default();
            match *source {
                "registrations" => {
                    e.zhao |= !matches!(row["登记状态"].as_str(), "注销" | "吊销");
                    e.in_scope |= row["经营范围"].contains("医疗美容");
                }
                "licenses" => {
                    let until = row["有效期至"].as_str();
                    let unexpired = until.is_empty() || iso(until).as_str() >= AS_OF;
                    e.zheng |= row["状态"] == "有效" && unexpired;
                    let subjects: Vec<&str> =
                        row["诊疗科目"].split(['；', ';', '、', ',']).collect();
                    e.in_scope |= AESTHETIC_CATEGORIES.contains(&row["机构类别"].as_str())
                        || subjects.iter().any(|s| AESTHETIC_SUBJECTS.contains(s));
                }
                "platform_merchants" => {
                    e.in_scope |= MEDICAL_CATEGORIES.contains(&row["服务类目"].as_str())
                }
                "salon_filings" => {
                    e.in_scope |= row["服务项目"]
                        .split('、')
                        .any(|s| MEDICAL_SERVICES.contains(&s))
                }
                _ => {}
            }
        }
    }
    let class_of: HashMap<&str, &str> = owner.values().copied().collect();
    for (op, e) in &evidence {
        let expected = match (e.in_scope, e.zhao, e.zheng) {
            (false, _, _) => TrueClass::OutOfScope,
            (true, true, true) => TrueClass::Licensed,
            (true, true, false) => TrueClass::RegisteredUnlicensed,
            (true, false, true) => TrueClass::LicensedUnregistered,
            (true, false, false) => TrueClass::Neither,
        };
        assert_eq!(class_of[op], expected.label(), "{op}");
    }
    assert_eq!(evidence.len(), 20_000, "every operator has a record");
}

#[test]
fn class_proportions_are_the_documented_shares() {
    let summary = &set().summary;
    for class in TrueClass::ALL {
        let share = summary.operators_of(class) as f64 / summary.operators as f64;
        let expected = class_share(class);
        let sigma = (expected * (1.0 - expected) / summary.operators as f64).sqrt();
        assert!(
            (share - expected).abs() <= 4.0 * sigma,
            "{}: {share:.4} vs {expected:.4}",
            class.name_zh()
        );
    }
    assert!((class_share(TrueClass::OutOfScope) - 0.82).abs() < 1e-9);
}

#[test]
fn noise_rates_are_as_documented() {
    let summary = &set().summary;
    for count in &summary.noise {
        let p = count.kind.rate();
        let n = count.eligible as f64;
        assert!(
            count.eligible >= 15,
            "{:?} had only {} chances",
            count.kind,
            count.eligible
        );
        let tolerance = 4.0 * (p * (1.0 - p) / n).sqrt() + 0.002;
        assert!(
            (count.rate() - p).abs() <= tolerance,
            "{:?}: {:.4} vs {p}",
            count.kind,
            count.rate()
        );
    }
    assert_eq!(summary.noise.len(), NoiseKind::of(Profile::Standard).len());
}

#[test]
fn noise_shows_in_the_files() {
    let dir = &set().dir;
    let share = |hits: usize, total: usize| hits as f64 / total as f64;
    let registrations = read(dir, "registrations");
    let dates: Vec<&str> = registrations.column("成立日期").collect();
    let non_iso = dates
        .iter()
        .filter(|d| d.contains('/') || d.contains('年'))
        .count();
    assert!((share(non_iso, dates.len()) - 0.30).abs() < 0.02);
    assert!(dates.iter().any(|d| d.ends_with('日')));
    let licenses = read(dir, "licenses");
    let blank = licenses
        .column("统一社会信用代码")
        .filter(|c| c.is_empty())
        .count();
    assert!((share(blank, licenses.rows.len()) - 0.08).abs() < 0.03);
    let names: Vec<&str> = licenses.column("机构名称").collect();
    assert!(
        names.iter().all(|n| !n.ends_with("有限公司")),
        "license names drop the organisation form"
    );
    let reported: Vec<&str> = licenses
        .column("统一社会信用代码")
        .filter(|c| !c.is_empty())
        .collect();
    let invalid = reported
        .iter()
        .filter(|c| meijian_domain::Uscc::parse(c).is_err())
        .count();
    assert!(
        invalid > 0 && share(invalid, reported.len()) < 0.08,
        "some mistyped codes"
    );
    let platforms = read(dir, "platform_merchants");
    let shops: Vec<&str> = platforms.column("店铺名称").collect();
    assert!(shops
        .iter()
        .any(|s| s.contains('醫') || s.contains('門') || s.contains('麗')));
    assert!(shops
        .iter()
        .any(|s| s.chars().any(|c| ('Ａ'..='Ｚ').contains(&c)) || s.contains('(')));
    let truth = read(dir, "ground_truth");
    let mut platforms_of: HashMap<&str, HashSet<&str>> = HashMap::new();
    let op_of: HashMap<&str, &str> = truth
        .rows
        .iter()
        .filter(|r| r["来源"] == "platform_merchants")
        .map(|r| (r["记录键"].as_str(), r["主体编号"].as_str()))
        .collect();
    for row in &platforms.rows {
        platforms_of
            .entry(op_of[row["店铺链接"].as_str()])
            .or_default()
            .insert(row["平台名称"].as_str());
    }
    let multi = platforms_of.values().filter(|p| p.len() >= 2).count();
    assert!(
        (share(multi, platforms_of.len()) - 0.40).abs() < 0.04,
        "{multi}/{}",
        platforms_of.len()
    );
    let addresses: Vec<&str> = platforms.column("地址").collect();
    assert!(addresses.iter().any(|a| a.contains('#')) && addresses.iter().any(|a| a.contains(' ')));
}

#[test]
fn chains_share_a_brand_across_districts() {
    let registrations = read(&set().dir, "registrations");
    let branches: Vec<&str> = registrations
        .rows
        .iter()
        .filter(|r| r["主体类型"] == "分公司" && r["经营范围"].contains("医疗美容"))
        .map(|r| r["主体名称"].as_str())
        .collect();
    assert!(branches.len() > 20, "{}", branches.len());
    let mut districts_by_head: HashMap<&str, HashSet<&str>> = HashMap::new();
    for name in &branches {
        if let Some(head) = name.find("有限公司").map(|i| &name[..i]) {
            districts_by_head.entry(head).or_default().insert(name);
        }
    }
    assert!(
        districts_by_head.values().any(|names| names.len() >= 2),
        "a brand with several branches"
    );
}
