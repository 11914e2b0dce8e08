//! Header mapping: DATA.md's exact headers and aliases, any order, extras, errors.

use std::collections::BTreeSet;

use meijian_registry::{FileError, RegistryKind};

use crate::common::*;

/// The key header of each registry, as DATA.md names it.
const KEYS: [(RegistryKind, &str); 8] = [
    (RegistryKind::Registrations, "统一社会信用代码"),
    (RegistryKind::Licenses, "登记号"),
    (RegistryKind::SalonFilings, "备案编号"),
    (RegistryKind::PlatformMerchants, "店铺链接"),
    (RegistryKind::Tax, "纳税人识别号"),
    (RegistryKind::Practitioners, "证书编码"),
    (RegistryKind::Products, "注册证编号"),
    (RegistryKind::AdCertificates, "证明文号"),
];

#[test]
fn every_registry_reads_the_headers_of_data_md() {
    for ((kind, zh, aliases, row), (key_kind, key_header)) in REGISTRIES.into_iter().zip(KEYS) {
        assert_eq!(kind, key_kind);
        let rows = read_all(kind, format!("{zh}\n{row}\n").as_bytes());
        let record = only_record(&rows);
        let names: BTreeSet<&str> = record.fields.keys().copied().collect();
        let expected: BTreeSet<&str> = aliases.split(',').collect();
        assert_eq!(names, expected, "{kind}: every header maps to its alias");
        assert!(record.extras.is_empty(), "{kind}: {:?}", record.extras);
        assert!(record.warnings.is_empty(), "{kind}: {:?}", record.warnings);
        let key_at = zh.split(',').position(|h| h == key_header).unwrap();
        let key_value = row.split(',').nth(key_at).unwrap();
        // Codes are half-width: （闽） is stored as (闽).
        let key_value = key_value.replace('（', "(").replace('）', ")");
        assert_eq!(record.key, key_value, "{kind}: key is {key_header}");
        assert_eq!(record.line, 2);
        assert_eq!(kind.spec().headers().join(","), zh, "{kind}: spec order");
    }
}

#[test]
fn aliases_and_chinese_headers_give_the_same_record() {
    for (kind, zh, aliases, row) in REGISTRIES {
        let chinese = read_all(kind, format!("{zh}\n{row}\n").as_bytes());
        let english = read_all(kind, format!("{aliases}\n{row}\n").as_bytes());
        assert_eq!(chinese, english, "{kind}");
        let upper = read_all(
            kind,
            format!("{}\n{row}\n", aliases.to_uppercase()).as_bytes(),
        );
        assert_eq!(chinese, upper, "{kind}: aliases ignore case");
    }
}

#[test]
fn column_order_is_free() {
    for (kind, zh, _, row) in REGISTRIES {
        let reversed = |line: &str| line.split(',').rev().collect::<Vec<_>>().join(",");
        let straight = read_all(kind, format!("{zh}\n{row}\n").as_bytes());
        let shuffled = read_all(
            kind,
            format!("{}\n{}\n", reversed(zh), reversed(row)).as_bytes(),
        );
        assert_eq!(straight, shuffled, "{kind}");
    }
}

#[test]
fn unknown_columns_are_kept_as_extras() {
    let text = "备注,统一社会信用代码,主体名称, 联系电话 ,\n内部核查,91350200776049653A,某公司,0592-1234567,孤值\n";
    let fixture = Fixture::new();
    let path = fixture.file("extras.csv", text.as_bytes());
    let reader =
        meijian_registry::open(&path, RegistryKind::Registrations, &Default::default()).unwrap();
    assert_eq!(reader.extra_columns(), vec!["备注", "联系电话"]);
    assert_eq!(
        reader.headers(),
        ["备注", "统一社会信用代码", "主体名称", "联系电话", ""]
    );
    let rows: Vec<_> = reader.collect();
    let record = only_record(&rows);
    assert_eq!(record.extras["备注"], "内部核查");
    assert_eq!(record.extras["联系电话"], "0592-1234567");
    assert_eq!(record.extras["第5列"], "孤值");
    assert_eq!(record.get("name"), Some("某公司"));
}

#[test]
fn whitespace_bom_and_full_width_forms_are_tolerated() {
    let text =
        "\u{feff} 统一社会信用代码\t, 主体名称　,ＲＥＧＩＯＮ\n91350200776049653A,某公司,350203\n";
    let record = read_all(RegistryKind::Registrations, text.as_bytes());
    let record = only_record(&record);
    assert_eq!(record.get("region"), Some("350203"));
    // Full-width and half-width parentheses name the same extra column.
    let err = open_err(
        RegistryKind::Registrations,
        "uscc,name,备注（内部）,备注(内部)\n".as_bytes(),
    );
    assert!(
        matches!(
            err,
            FileError::DuplicateHeader {
                first: 3,
                second: 4,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn wrong_headers_list_what_was_expected_and_found() {
    let err = open_err(
        RegistryKind::Registrations,
        "编号,名称,地址\n1,2,3\n".as_bytes(),
    );
    let FileError::Headers {
        expected,
        found,
        missing,
    } = &err
    else {
        panic!("expected a header error, got {err}");
    };
    assert_eq!(found, &["编号", "名称", "地址"]);
    assert_eq!(missing, &["统一社会信用代码（uscc）", "主体名称（name）"]);
    assert_eq!(expected.len(), 10);
    let message = err.to_string();
    for part in [
        "缺少",
        "统一社会信用代码（uscc）",
        "行政区划代码（region）",
        "编号、名称、地址",
    ] {
        assert!(message.contains(part), "{message}");
    }
}

#[test]
fn a_duplicated_header_is_named() {
    let err = open_err(
        RegistryKind::Registrations,
        "统一社会信用代码,主体名称,uscc\n".as_bytes(),
    );
    assert!(matches!(
        err,
        FileError::DuplicateHeader {
            first: 1,
            second: 3,
            ..
        }
    ));
    assert!(err.to_string().contains("“uscc”"), "{err}");
    let err = open_err(
        RegistryKind::Registrations,
        "uscc,name,备注,备注\n".as_bytes(),
    );
    assert!(err.to_string().contains("第3列和第4列"), "{err}");
}

#[test]
fn only_required_headers_are_required() {
    let rows = read_all(
        RegistryKind::Licenses,
        "name,license_no\n某门诊部,L1\n".as_bytes(),
    );
    assert_eq!(only_record(&rows).key, "L1");
    let err = open_err(RegistryKind::Licenses, "name,uscc\n某门诊部,\n".as_bytes());
    let FileError::Headers { missing, .. } = err else {
        panic!("expected a header error");
    };
    assert_eq!(missing, ["登记号（license_no）"]);
}

#[test]
fn registry_codes_round_trip() {
    let codes: Vec<&str> = RegistryKind::all().iter().map(|k| k.code()).collect();
    assert_eq!(
        codes,
        [
            "registrations",
            "licenses",
            "salon_filings",
            "platform_merchants",
            "tax",
            "practitioners",
            "products",
            "ad_certificates"
        ]
    );
    for kind in RegistryKind::all() {
        assert_eq!(RegistryKind::from_code(kind.code()), Some(*kind));
        assert_eq!(kind.spec().kind, *kind);
        assert!(kind.spec().field(kind.spec().key).unwrap().required);
    }
    assert_eq!(RegistryKind::from_code("Tax"), None);
    assert_eq!(
        RegistryKind::Licenses.label_zh(),
        "医疗机构执业许可/诊所备案"
    );
}
