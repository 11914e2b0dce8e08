//! The cross-check as officers rely on it: accuracy on realistic exports, the rules that must
//! never bend (two live registrations are two operators, officers' decisions stand), classes on
//! an as-of date, stable ids, and every record listed exactly once.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{HashMap, HashSet};
use std::path::Path;

use meijian_domain::uscc::{EntityKind, Uscc};
use meijian_linkage::{
    link, Class, Decisions, InputRecord, LicenseState, RecordRef, RegistrationState, Settings,
    Source,
};
use meijian_registry::{ParsedRow, ReadOptions};
use rustc_hash::FxHashMap;

const AS_OF: &str = "2026-11-22";

fn code(body: &str) -> String {
    Uscc::from_body(body).unwrap().to_string()
}

fn record(source: Source, key: &str, name: &str) -> InputRecord {
    InputRecord {
        source,
        key: key.to_owned(),
        name: name.to_owned(),
        entity_name: None,
        uscc: None,
        invalid_uscc: None,
        license_org_code: None,
        address: None,
        persons: vec![],
        region: Some("370403".to_owned()),
        registration: (source == Source::Registrations).then_some(RegistrationState::Alive),
        license: (source == Source::Licenses).then(|| LicenseState {
            status: "有效".to_owned(),
            valid_until: Some("2030-01-01".to_owned()),
        }),
        aesthetic: None,
    }
}

fn aesthetic(mut r: InputRecord) -> InputRecord {
    r.aesthetic = Some(meijian_linkage::scope::AestheticSign {
        reason: "诊疗科目含“美容皮肤科”".to_owned(),
    });
    r
}

fn registration(key_body: &str, name: &str, address: &str, rep: &str) -> InputRecord {
    let uscc = code(key_body);
    let mut r = record(Source::Registrations, &uscc, name);
    r.uscc = Some(uscc);
    r.address = Some(address.to_owned());
    r.persons = vec![rep.to_owned()];
    r
}

fn run(records: &[InputRecord]) -> meijian_linkage::Linkage {
    link(
        records,
        &Settings::new(AS_OF),
        &Decisions::default(),
        &FxHashMap::default(),
    )
}

fn same_operator(l: &meijian_linkage::Linkage, a: usize, b: usize) -> bool {
    l.operator_of[a] == l.operator_of[b]
}

/// A small city of two clinics, a salon and a restaurant, with the usual differences between
/// registries.
fn small_city() -> Vec<InputRecord> {
    let clinic = registration(
        "91370403MA3C5UQ81",
        "枣庄市薛城区悦颜医疗美容有限公司",
        "山东省枣庄市薛城区泰山南路123号3号楼",
        "王芳",
    );
    let clinic_code = clinic.uscc.clone().unwrap();
    let mut license = aesthetic(record(Source::Licenses, "PDY00001", "悦颜医疗美容门诊部"));
    license.address = Some("泰山南路１２３号3栋".to_owned());
    license.persons = vec!["王芳".to_owned()];
    let mut shop = record(
        Source::PlatformMerchants,
        "https://shop.example.com/1",
        "悦颜醫美（薛城店）",
    );
    shop.address = Some("枣庄市薛城区泰山南路123号".to_owned());
    shop.region = Some("370400".to_owned());
    let mut tax = record(Source::Tax, &clinic_code, "枣庄悦颜医疗美容有限责任公司");
    tax.uscc = Some(clinic_code);
    let restaurant = registration(
        "92370403MA7XY1234",
        "薛城区鑫华饭店",
        "薛城区光明路8号",
        "李强",
    );
    vec![clinic, license, shop, tax, restaurant]
}

#[test]
fn one_operators_records_are_linked_and_classified() {
    let records = small_city();
    let l = run(&records);
    for i in 1..4 {
        assert!(same_operator(&l, 0, i), "record {i} should join the clinic");
    }
    assert!(!same_operator(&l, 0, 4));
    assert_eq!(l.operator(0).verdict.class, Some(Class::Both));
    assert_eq!(
        l.operator(4).verdict.class,
        None,
        "a restaurant is out of scope"
    );
    // The evidence of a link names what agreed, in Chinese.
    let rows = l.result_rows(&records);
    let license_row = &rows[1];
    assert!(license_row.evidence.contains("字号一致") || license_row.evidence.contains("地址"));
    assert!(license_row.confidence > 0.9);
}

#[test]
fn two_live_registrations_with_different_codes_are_never_one_operator() {
    // Same name, address and person: still two legal entities.
    let a = registration(
        "91370403MA3C5UQ81",
        "悦颜医疗美容有限公司",
        "泰山南路123号",
        "王芳",
    );
    let b = registration(
        "91370403MA3C5UQ92",
        "悦颜医疗美容有限公司",
        "泰山南路123号",
        "王芳",
    );
    // A shop that fits both may join one of them, but never bridges them.
    let mut shop = record(
        Source::PlatformMerchants,
        "https://shop.example.com/2",
        "悦颜医疗美容",
    );
    shop.address = Some("泰山南路123号".to_owned());
    let l = run(&[a, b, shop]);
    assert!(!same_operator(&l, 0, 1));
}

#[test]
fn a_borrowed_code_alone_does_not_link() {
    let owner = registration(
        "91370403MA3C5UQ81",
        "枣庄鑫华商贸有限公司",
        "光明路8号",
        "李强",
    );
    let mut studio = record(
        Source::PlatformMerchants,
        "https://shop.example.com/3",
        "颜露美容工作室",
    );
    studio.uscc = owner.uscc.clone();
    studio.address = Some("青檀路2662号金河小区10号楼".to_owned());
    let l = run(&[owner, studio]);
    assert!(!same_operator(&l, 0, 1));
}

#[test]
fn officers_decisions_stand() {
    let records = small_city();
    let key = |i: usize| -> RecordRef { (records[i].source, records[i].key.clone()) };
    let decisions = Decisions {
        merges: vec![(key(4), key(0))],
        splits: vec![(key(2), key(0)), (key(2), key(1)), (key(2), key(3))],
    };
    let l = link(
        &records,
        &Settings::new(AS_OF),
        &decisions,
        &FxHashMap::default(),
    );
    assert!(same_operator(&l, 0, 4), "the merge joins the restaurant");
    assert!(!same_operator(&l, 0, 2), "the split keeps the shop apart");
}

#[test]
fn licenses_are_judged_on_the_as_of_date_and_public_institutions_told_apart() {
    let records = small_city();
    let mut expired = records.clone();
    expired[1].license = Some(LicenseState {
        status: "有效".to_owned(),
        valid_until: Some("2026-11-21".to_owned()),
    });
    assert_eq!(
        run(&expired).operator(0).verdict.class,
        Some(Class::RegisteredOnly)
    );

    let hospital_code = code("12370403MB1234567");
    let mut hospital = aesthetic(record(Source::Licenses, "PDY00002", "枣庄市立医院"));
    hospital.uscc = Some(hospital_code);
    let company_code = code("91370403MA1234567");
    let mut company = aesthetic(record(Source::Licenses, "PDY00003", "丽人医疗美容诊所"));
    company.uscc = Some(company_code);
    let l = run(&[hospital, company]);
    assert_eq!(l.operator(0).verdict.class, Some(Class::LicensedOnly));
    assert_eq!(
        l.operator(0).verdict.public_institution,
        Some(EntityKind::PublicInstitution)
    );
    assert_eq!(l.operator(1).verdict.class, Some(Class::LicensedOnly));
    assert_eq!(l.operator(1).verdict.public_institution, None);
}

#[test]
fn ids_are_stable_across_runs_and_carried_over() {
    let records = small_city();
    let first = run(&records);
    let second = run(&records);
    let ids = |l: &meijian_linkage::Linkage| -> Vec<String> {
        (0..records.len())
            .map(|i| l.operator(i as u32).id.clone())
            .collect()
    };
    assert_eq!(ids(&first), ids(&second));

    // A previous run named the clinic differently: the id is kept, and a new record joins it.
    let mut previous = FxHashMap::default();
    for r in &records[..4] {
        previous.insert((r.source, r.key.clone()), "ZTOLDCLINIC".to_owned());
    }
    let mut grown = records.clone();
    let mut salon = record(Source::SalonFilings, "370403MR0001", "悦颜皮肤管理中心");
    salon.address = Some("泰山南路123号3号楼".to_owned());
    salon.persons = vec!["王芳".to_owned()];
    grown.push(salon);
    let l = link(
        &grown,
        &Settings::new(AS_OF),
        &Decisions::default(),
        &previous,
    );
    assert_eq!(l.operator(0).id, "ZTOLDCLINIC");
    assert!(same_operator(&l, 0, 5));
    assert_ne!(l.operator(4).id, "ZTOLDCLINIC");
}

#[test]
fn a_record_without_name_or_code_is_listed_alone() {
    let mut records = small_city();
    records.push(record(
        Source::PlatformMerchants,
        "https://shop.example.com/9",
        "  ",
    ));
    let l = run(&records);
    let last = records.len() - 1;
    assert!(l.operator(last as u32).unusable);
    assert_eq!(l.operator(last as u32).members, vec![last as u32]);
    let rows = l.result_rows(&records);
    assert_eq!(rows.len(), records.len());
    assert_eq!(rows[last].note, "无可用名称和代码，单独列出");
}

/// Reads the five cross-check files of a folder.
fn read_dir(dir: &Path) -> Vec<InputRecord> {
    let mut out = Vec::new();
    for source in Source::ALL {
        let path = dir.join(format!("{}.csv", source.code()));
        let reader =
            meijian_registry::open(&path, source.registry(), &ReadOptions::default()).unwrap();
        for row in reader {
            if let ParsedRow::Ok(r) = row {
                out.extend(InputRecord::from_registry(source.registry(), &r));
            }
        }
    }
    out
}

/// Pairwise F1 and class accuracy against the generator's ground truth, on a city of 3,000
/// operators with every kind of noise.
#[test]
fn accurate_on_realistic_exports() {
    let dir = tempfile::tempdir().unwrap();
    let opts = meijian_demodata::Options {
        operators: 3_000,
        seed: 7,
        ..meijian_demodata::Options::default()
    };
    meijian_demodata::generate(&opts, dir.path(), &mut |_| {}).unwrap();
    let records = read_dir(dir.path());
    let l = run(&records);

    let mut truth: HashMap<(String, String), (String, String)> = HashMap::new();
    let mut reader = csv::Reader::from_path(dir.path().join("ground_truth.csv")).unwrap();
    for row in reader.records() {
        let row = row.unwrap();
        truth.insert(
            (row[0].to_owned(), row[1].to_owned()),
            (row[2].to_owned(), row[3].to_owned()),
        );
    }
    let rows = l.result_rows(&records);
    // Every record of the truth exactly once.
    let keys: HashSet<(String, String)> = rows
        .iter()
        .map(|r| (r.source.to_owned(), r.key.clone()))
        .collect();
    assert_eq!(keys.len(), rows.len(), "a record listed twice");
    assert_eq!(rows.len(), truth.len());

    let pairs = |group: &dyn Fn(&meijian_linkage::result::ResultRow) -> String| {
        let mut count: HashMap<String, u64> = HashMap::new();
        for r in &rows {
            *count.entry(group(r)).or_default() += 1;
        }
        count.values().map(|n| n * (n - 1) / 2).sum::<u64>()
    };
    let truth_of = |r: &meijian_linkage::result::ResultRow| {
        truth[&(r.source.to_owned(), r.key.clone())].clone()
    };
    let true_pairs = pairs(&|r| truth_of(r).0);
    let found_pairs = pairs(&|r| r.operator_id.clone());
    let correct = pairs(&|r| format!("{}|{}", truth_of(r).0, r.operator_id));
    let precision = correct as f64 / found_pairs as f64;
    let recall = correct as f64 / true_pairs as f64;
    let f1 = 2.0 * precision * recall / (precision + recall);
    let class_ok = rows.iter().filter(|r| truth_of(r).1 == r.class).count();
    let accuracy = class_ok as f64 / rows.len() as f64;
    assert!(
        f1 >= 0.97,
        "pairwise F1 {f1:.4} (precision {precision:.4}, recall {recall:.4})"
    );
    assert!(accuracy >= 0.97, "class accuracy {accuracy:.4}");
}

/// Issue 13: a tower where a doctor's clinic and the same family's salon sit one floor apart,
/// sharing the 字号 and the owner, are two operators. Two shops of the same name, one on each
/// floor: the room, written differently, tells which operator each belongs to.
#[test]
fn a_familys_clinic_and_salon_one_floor_apart_are_two_operators() {
    let clinic = registration(
        "91370403MA3C5UQ81",
        "枣庄市薛城区悦颜医疗美容诊所有限公司",
        "薛城区泰山南路88号金鼎大厦12层1203室",
        "王芳",
    );
    let salon = registration(
        "92370403MA7XY1234",
        "薛城区悦颜美容店",
        "薛城区泰山南路88号金鼎大厦13层1302室",
        "王芳",
    );
    let mut license = aesthetic(record(Source::Licenses, "PDY00001", "悦颜医疗美容诊所"));
    license.address = Some("泰山南路88号金鼎大厦1203".to_owned());
    license.persons = vec!["王芳".to_owned()];
    let mut shop = record(
        Source::PlatformMerchants,
        "https://shop.example.com/9",
        "悦颜美容（泰山南路店）",
    );
    shop.address = Some("泰山南路88号金鼎大厦13F-02".to_owned());
    let mut clinic_shop = record(
        Source::PlatformMerchants,
        "https://shop.example.com/8",
        "悦颜美容（泰山南路店）",
    );
    clinic_shop.address = Some("泰山南路88号金鼎大厦十二楼1203".to_owned());
    let records = vec![clinic, salon, license, shop, clinic_shop];
    let l = run(&records);
    assert!(same_operator(&l, 0, 2), "the license joins the clinic");
    assert!(
        same_operator(&l, 1, 3),
        "the shop on the 13th floor joins the salon"
    );
    assert!(
        same_operator(&l, 0, 4),
        "the shop in room 1203 joins the clinic"
    );
    assert!(!same_operator(&l, 1, 4), "{}", l.evidence_zh(1, 4));
    assert!(
        !same_operator(&l, 0, 1),
        "clinic and salon are two operators"
    );
    // Why they are apart is said in words.
    let why = l.evidence_zh(0, 1);
    assert!(why.contains("同楼不同室"), "{why}");
}

/// A 字号 that many businesses share weighs little, and the evidence says so.
#[test]
fn a_common_trade_name_is_named_as_common() {
    let mut records: Vec<InputRecord> = (0..12)
        .map(|i| {
            let mut r = record(
                Source::PlatformMerchants,
                &format!("https://shop.example.com/{i}"),
                "美丽美容",
            );
            r.address = Some(format!("薛城区光明路{}号", 10 + i));
            r
        })
        .collect();
    records.push(registration(
        "91370403MA3C5UQ81",
        "枣庄市薛城区美丽美容有限公司",
        "薛城区光明路10号",
        "王芳",
    ));
    let l = run(&records);
    let why = l.evidence_zh(0, 12);
    assert!(why.contains("字号常见"), "{why}");
}
