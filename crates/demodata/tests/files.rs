//! The files as files: exact headers, determinism, unique keys, valid codes, a ground truth that
//! covers every record once, and the summary agreeing with what is on disk.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use common::{data_set, read, DataSet, KEYED};
use meijian_demodata::{generate, DemoDataError, NoiseKind, Options, TrueClass, MAX_OPERATORS};
use meijian_domain::Uscc;

static SET: OnceLock<DataSet> = OnceLock::new();

fn set() -> &'static DataSet {
    data_set(&SET, "demodata-files-5k", 5_000)
}

#[test]
fn every_file_has_exactly_the_data_md_header() {
    let expected = [
        ("registrations", "统一社会信用代码,主体名称,主体类型,法定代表人,住所,经营范围,登记状态,成立日期,登记机关,行政区划代码"),
        ("licenses", "登记号,证件类型,机构名称,统一社会信用代码,机构类别,诊疗科目,地址,法定代表人,主要负责人,有效期至,发证机关,行政区划代码,状态"),
        ("salon_filings", "备案编号,店铺名称,统一社会信用代码,地址,经营者,服务项目,行政区划代码"),
        ("platform_merchants", "平台名称,店铺名称,主体名称,统一社会信用代码,地址,服务类目,店铺链接,行政区划代码"),
        ("tax", "纳税人识别号,纳税人名称,生产经营地址,主管税务机关,行政区划代码"),
        ("practitioners", "姓名,证书编码,人员类别,执业类别,执业范围,主执业机构,主执业机构登记号,主诊医师专业,状态,行政区划代码"),
        ("products", "注册证编号,产品名称,产品类别,注册人,规格型号,适用范围,批准日期,有效期至,状态,重点产品,产品标识"),
        ("ad_certificates", "证明文号,医疗机构名称,登记号,媒体类别,广告内容,有效期起,有效期至"),
        ("ground_truth", "来源,记录键,主体编号,分类"),
    ];
    for (stem, header) in expected {
        let text = std::fs::read_to_string(set().dir.join(format!("{stem}.csv"))).unwrap();
        assert_eq!(text.lines().next(), Some(header), "{stem}");
        let table = read(&set().dir, stem);
        assert!(!table.rows.is_empty(), "{stem} has rows");
    }
}

#[test]
fn same_options_give_the_same_bytes() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let c = tempfile::tempdir().unwrap();
    let opts = Options {
        operators: 3_000,
        seed: 42,
        ..Options::default()
    };
    let sa = generate(&opts, a.path(), &mut |_| {}).unwrap();
    let sb = generate(&opts, b.path(), &mut |_| {}).unwrap();
    generate(
        &Options {
            seed: 43,
            ..opts.clone()
        },
        c.path(),
        &mut |_| {},
    )
    .unwrap();
    assert_eq!(sa, sb);
    for (stem, _) in meijian_demodata::schema::ALL_FILES
        .iter()
        .map(|f| (f.file_name, ()))
    {
        let x = std::fs::read(a.path().join(stem)).unwrap();
        let y = std::fs::read(b.path().join(stem)).unwrap();
        assert!(x == y, "{stem} differs between two runs");
    }
    let x = std::fs::read(a.path().join("registrations.csv")).unwrap();
    let z = std::fs::read(c.path().join("registrations.csv")).unwrap();
    assert_ne!(x, z, "another seed gives other data");
}

#[test]
fn ground_truth_covers_every_record_of_the_five_registries_once() {
    let truth = read(&set().dir, "ground_truth");
    let mut entries: HashMap<(String, String), (String, String)> = HashMap::new();
    for row in &truth.rows {
        let key = (row["来源"].clone(), row["记录键"].clone());
        let value = (row["主体编号"].clone(), row["分类"].clone());
        assert!(
            entries.insert(key.clone(), value).is_none(),
            "duplicate truth row {key:?}"
        );
    }
    let mut covered = 0;
    for (source, key_column) in KEYED {
        let table = read(&set().dir, source);
        let keys: Vec<&str> = table.column(key_column).collect();
        let unique: HashSet<&str> = keys.iter().copied().collect();
        assert_eq!(unique.len(), keys.len(), "{source}: keys are unique");
        for key in keys {
            assert!(
                entries.contains_key(&(source.to_string(), key.to_string())),
                "{source} {key}"
            );
            covered += 1;
        }
    }
    assert_eq!(covered, truth.rows.len(), "no truth row without a record");
    let labels: HashSet<&str> = entries.values().map(|(_, c)| c.as_str()).collect();
    let allowed: HashSet<&str> = TrueClass::ALL.iter().map(|c| c.label()).collect();
    assert!(labels.is_subset(&allowed), "{labels:?}");
    let mut class_of: HashMap<&str, &str> = HashMap::new();
    for (id, class) in entries.values() {
        assert!(id.starts_with("OP") && id.len() == 9, "{id}");
        assert_eq!(
            *class_of.entry(id).or_insert(class),
            class.as_str(),
            "{id} has one class"
        );
    }
}

#[test]
fn registration_codes_are_valid_except_the_deliberate_invalid_keys() {
    let table = read(&set().dir, "registrations");
    let invalid = table
        .column("统一社会信用代码")
        .filter(|c| Uscc::parse(c).is_err())
        .count();
    let deliberate = set()
        .summary
        .noise_of(NoiseKind::InvalidRegistrationUscc)
        .unwrap()
        .applied;
    assert_eq!(invalid, deliberate);
    for code in table.column("统一社会信用代码") {
        assert_eq!(code.len(), 18, "{code}");
    }
    for region in table.column("行政区划代码") {
        assert!(region.starts_with("3704") && region.len() == 6, "{region}");
    }
}

#[test]
fn other_keys_have_their_shapes() {
    let dir = &set().dir;
    let practitioners = read(dir, "practitioners");
    let certs: Vec<&str> = practitioners.column("证书编码").collect();
    assert!(certs
        .iter()
        .all(|c| c.len() == 15 && c.bytes().all(|b| b.is_ascii_digit())));
    assert_eq!(certs.iter().collect::<HashSet<_>>().len(), certs.len());
    let products = read(dir, "products");
    let numbers: HashSet<&str> = products.column("注册证编号").collect();
    assert_eq!(numbers.len(), products.rows.len());
    for udi in products.column("产品标识").filter(|u| !u.is_empty()) {
        let digits: Vec<u32> = udi.chars().map(|c| c.to_digit(10).unwrap()).collect();
        let (check, data) = digits.split_last().unwrap();
        let sum: u32 = data
            .iter()
            .rev()
            .enumerate()
            .map(|(i, d)| if i % 2 == 0 { 3 * d } else { *d })
            .sum();
        assert_eq!((10 - sum % 10) % 10, *check, "{udi}");
    }
    let ads = read(dir, "ad_certificates");
    let certs: HashSet<&str> = ads.column("证明文号").collect();
    assert_eq!(certs.len(), ads.rows.len());
    let licenses = read(dir, "licenses");
    assert!(
        licenses.column("登记号").all(|no| no.chars().count() == 22),
        "22-character 登记号"
    );
}

#[test]
fn summary_agrees_with_the_files() {
    let summary = &set().summary;
    for spec in meijian_demodata::schema::ALL_FILES {
        let stem = spec.file_name.trim_end_matches(".csv");
        assert_eq!(
            summary.rows_of(spec.file_name),
            read(&set().dir, stem).rows.len(),
            "{stem}"
        );
    }
    let truth = read(&set().dir, "ground_truth");
    let mut per_class: HashMap<&str, HashSet<&str>> = HashMap::new();
    for row in &truth.rows {
        per_class
            .entry(row["分类"].as_str())
            .or_default()
            .insert(row["主体编号"].as_str());
    }
    for class in TrueClass::ALL {
        let seen = per_class.get(class.label()).map_or(0, HashSet::len);
        assert_eq!(seen, summary.operators_of(class), "{}", class.name_zh());
    }
    assert_eq!(summary.classes.iter().map(|(_, n)| n).sum::<usize>(), 5_000);
}

#[test]
fn bad_options_are_refused_and_progress_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let run = |opts: Options| generate(&opts, dir.path(), &mut |_| {});
    let base = Options {
        operators: 10,
        ..Options::default()
    };
    let err = run(Options {
        city: "370402".into(),
        ..base.clone()
    })
    .unwrap_err();
    assert!(matches!(err, DemoDataError::UnknownCity(_)), "{err}");
    let err = run(Options {
        as_of: (2026, 2, 30),
        ..base.clone()
    })
    .unwrap_err();
    assert!(matches!(err, DemoDataError::InvalidDate(..)), "{err}");
    let err = run(Options {
        operators: MAX_OPERATORS + 1,
        ..base.clone()
    })
    .unwrap_err();
    assert!(
        matches!(err, DemoDataError::TooManyOperators { .. }),
        "{err}"
    );
    let mut calls = Vec::new();
    generate(
        &Options {
            operators: 20_500,
            ..base
        },
        dir.path(),
        &mut |n| calls.push(n),
    )
    .unwrap();
    assert_eq!(calls, [10_000, 20_000, 20_500]);
}

#[test]
fn another_city_uses_its_own_districts() {
    let dir = tempfile::tempdir().unwrap();
    let opts = Options {
        operators: 800,
        city: "320500".into(),
        ..Options::default()
    };
    generate(&opts, dir.path(), &mut |_| {}).unwrap();
    let table = read(dir.path(), "registrations");
    assert!(table
        .column("行政区划代码")
        .all(|r| r.starts_with("3205") && r != "320500"));
    assert!(table.column("登记机关").any(|a| a.starts_with("苏州市")));
}
