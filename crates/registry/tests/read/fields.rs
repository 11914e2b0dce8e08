//! Per-field validation and normalisation, through whole files.

use meijian_registry::RegistryKind;

use crate::common::*;

fn one(kind: RegistryKind, header: &str, row: &str) -> Vec<meijian_registry::ParsedRow> {
    read_all(kind, format!("{header}\n{row}\n").as_bytes())
}

#[test]
fn uscc_key_is_checked_and_normalised() {
    let rows = one(
        RegistryKind::Registrations,
        "uscc,name",
        " ９１３５０２００７７６０４９６５３ａ ,甲",
    );
    assert_eq!(only_record(&rows).key, "91350200776049653A");
    let rows = one(
        RegistryKind::Registrations,
        "统一社会信用代码,主体名称",
        "91350200776049653B,甲",
    );
    // DATA.md: "a row with an invalid code is reported, not linked by code": the row stays,
    // keyed by the code as given, and carries the reason as a warning.
    let record = only_record(&rows);
    assert_eq!(record.key, "91350200776049653B");
    assert_eq!(record.warnings.len(), 1);
    assert!(
        record.warnings[0].contains("校验位错误：应为“A”，实际为“B”")
            && record.warnings[0].contains("不能按代码"),
        "{:?}",
        record.warnings
    );
    let rows = one(RegistryKind::Registrations, "uscc,name", ",甲");
    assert!(only_rejection(&rows).reason.contains("记录键"));
    let rows = one(
        RegistryKind::Registrations,
        "uscc,name",
        "91350200776049653A,",
    );
    assert_eq!(only_rejection(&rows).reason, "主体名称不能为空");
}

#[test]
fn reported_uscc_is_kept_with_a_warning() {
    let rows = one(
        RegistryKind::Licenses,
        "license_no,name,uscc",
        "Ｌ１,甲门诊部, 91350200776049653B ",
    );
    let record = only_record(&rows);
    assert_eq!(record.key, "L1", "codes are half-width");
    assert_eq!(record.get("uscc"), Some("91350200776049653B"));
    assert_eq!(record.warnings.len(), 1);
    assert!(
        record.warnings[0].contains("按原样保留"),
        "{:?}",
        record.warnings
    );
    // A taxpayer id that is no USCC is still a key.
    let rows = one(
        RegistryKind::Tax,
        "纳税人识别号,纳税人名称",
        "350203197001011234,某个体户",
    );
    let record = only_record(&rows);
    assert_eq!(record.key, "350203197001011234");
    assert_eq!(record.warnings.len(), 1);
    let rows = one(
        RegistryKind::Tax,
        "纳税人识别号,纳税人名称",
        "91350200776049653a,某公司",
    );
    let record = only_record(&rows);
    assert_eq!(
        (record.key.as_str(), record.warnings.len()),
        ("91350200776049653A", 0)
    );
}

#[test]
fn regions_must_be_six_digits_and_unknown_ones_warn() {
    let rows = one(RegistryKind::Tax, "taxpayer_id,name,region", "T1,甲,35020");
    let rejection = only_rejection(&rows);
    assert_eq!(
        (rejection.column.as_str(), rejection.value.as_str()),
        ("region", "35020")
    );
    assert!(rejection.reason.contains("6位数字"), "{}", rejection.reason);
    let rows = one(RegistryKind::Tax, "taxpayer_id,name,region", "T1,甲,350299");
    let record = only_record(&rows);
    assert_eq!(record.get("region"), Some("350299"));
    assert!(record.warnings.iter().any(|w| w.contains("不在区划表中")));
}

#[test]
fn dates_in_every_accepted_form() {
    for written in [
        "2020-01-02",
        "2020/1/2",
        "2020.1.2",
        "20200102",
        "2020年1月2日",
        " 2020-1-2 ",
    ] {
        let rows = one(
            RegistryKind::Registrations,
            "uscc,name,founded",
            &format!("91350200776049653A,甲,{written}"),
        );
        assert_eq!(
            only_record(&rows).get("founded"),
            Some("2020-01-02"),
            "{written}"
        );
    }
    let rows = one(
        RegistryKind::Registrations,
        "uscc,name,成立日期",
        "91350200776049653A,甲,2026-02-30",
    );
    let rejection = only_rejection(&rows);
    assert_eq!(rejection.column, "成立日期");
    assert_eq!(
        rejection.reason,
        "成立日期“2026-02-30”不是有效日期：2026年2月没有30日"
    );
    let rows = one(
        RegistryKind::Registrations,
        "uscc,name,founded",
        "91350200776049653A,甲,长期",
    );
    assert!(only_rejection(&rows).reason.contains("不是可识别的日期"));
}

#[test]
fn open_ended_validity_becomes_9999_12_31() {
    for word in ["长期", "永久", " 长期有效 "] {
        let rows = one(
            RegistryKind::Licenses,
            "license_no,name,valid_until",
            &format!("L1,甲,{word}"),
        );
        assert_eq!(
            only_record(&rows).get("valid_until"),
            Some(meijian_registry::OPEN_ENDED_DATE)
        );
    }
}

#[test]
fn enums_normalise_variants_and_list_allowed_values() {
    let header = "uscc,name,status";
    for (written, stored) in [
        ("存续（在营、开业、在册）", "存续"),
        ("在业", "在业"),
        ("迁出", "迁出"),
        ("已注销", "注销"),
        ("吊销，未注销", "吊销"),
    ] {
        let rows = one(
            RegistryKind::Registrations,
            header,
            &format!("91350200776049653A,甲,\"{written}\""),
        );
        assert_eq!(only_record(&rows).get("status"), Some(stored), "{written}");
    }
    let rows = one(
        RegistryKind::Registrations,
        "uscc,name,登记状态",
        "91350200776049653A,甲,歇业",
    );
    let rejection = only_rejection(&rows);
    assert_eq!(
        rejection.reason,
        "登记状态“歇业”不是允许的值，应为：存续、在业、迁出、注销、吊销"
    );
    let rows = one(
        RegistryKind::Licenses,
        "license_no,name,status,license_type",
        "L1,甲,过期,诊所备案凭证",
    );
    assert_eq!(only_record(&rows).get("status"), Some("过期"));
    let rows = one(
        RegistryKind::Licenses,
        "license_no,name,status",
        "L1,甲,存续",
    );
    assert!(only_rejection(&rows)
        .reason
        .contains("有效、注销、吊销、过期"));
    let rows = one(
        RegistryKind::Practitioners,
        "name,cert_no,kind",
        "甲,C1,执业医师",
    );
    assert_eq!(only_record(&rows).get("kind"), Some("医师"));
    let rows = one(
        RegistryKind::Products,
        "reg_no,name,kind",
        "R1,甲,第二类医疗器械",
    );
    assert_eq!(only_record(&rows).get("kind"), Some("第二类医疗器械"));
}

#[test]
fn lists_yes_no_and_urls() {
    let rows = one(
        RegistryKind::Licenses,
        "license_no,name,subjects",
        "L1,甲,\"医疗美容科;美容外科、美容皮肤科, 美容牙科，；\"",
    );
    assert_eq!(
        only_record(&rows).get("subjects"),
        Some("医疗美容科；美容外科；美容皮肤科；美容牙科")
    );
    for (written, stored) in [
        ("是", "是"),
        ("Y", "是"),
        ("1", "是"),
        ("true", "是"),
        ("否", "否"),
        ("n", "否"),
        ("0", "否"),
        ("FALSE", "否"),
    ] {
        let rows = one(
            RegistryKind::Products,
            "reg_no,name,key_product",
            &format!("R1,甲,{written}"),
        );
        assert_eq!(
            only_record(&rows).get("key_product"),
            Some(stored),
            "{written}"
        );
    }
    let rows = one(RegistryKind::Products, "reg_no,name,重点产品", "R1,甲,可能");
    assert!(only_rejection(&rows).reason.contains("应为“是”或“否”"));
    let rows = one(
        RegistryKind::PlatformMerchants,
        "url,shop_name",
        "https://a.example/ x,甲",
    );
    assert_eq!(only_rejection(&rows).column, "url");
    let rows = one(
        RegistryKind::PlatformMerchants,
        "url,shop_name",
        "a.example/shop/1,甲",
    );
    let record = only_record(&rows);
    assert_eq!(record.key, "a.example/shop/1");
    assert_eq!(record.warnings.len(), 1);
}

#[test]
fn the_first_problem_in_column_order_is_reported() {
    let rows = one(
        RegistryKind::Registrations,
        "founded,uscc,name",
        "2026-13-01,BAD,甲",
    );
    assert_eq!(only_rejection(&rows).column, "founded");
    assert!(only_rejection(&rows).reason.contains("月份应为1-12"));
}
