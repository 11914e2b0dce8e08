//! Tests of the CSV parser and of lookups in the embedded table.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;

const DATA_README: &str = include_str!("../../../data/README.md");

fn code(s: &str) -> RegionCode {
    RegionCode::parse(s).unwrap()
}

fn codes(regions: &[&Region]) -> Vec<String> {
    regions.iter().map(|r| r.code.to_string()).collect()
}

#[test]
fn shipped_file_parses_and_is_the_embedded_table() {
    let parsed = RegionTable::from_csv(EMBEDDED_CSV, EMBEDDED_SOURCE).unwrap();
    let rows = EMBEDDED_CSV.lines().count() - 1;
    assert_eq!(parsed.len(), rows);
    let table = RegionTable::embedded();
    assert_eq!(table.len(), rows);
    assert!(!table.is_empty());
    assert_eq!(table.source(), EMBEDDED_SOURCE);
}

#[test]
fn readme_names_the_source_and_the_row_counts() {
    let mut parts = EMBEDDED_SOURCE.split(' ');
    let (registry, package, version) = (parts.next(), parts.next(), parts.next());
    assert_eq!(registry, Some("npm"));
    assert!(DATA_README.contains(&format!("npm `{}`", package.unwrap())));
    assert!(DATA_README.contains(&format!("version **{}**", version.unwrap())));
    let table = RegionTable::embedded();
    let count = |level| table.iter().filter(|r| r.level == level).count();
    let stated = format!(
        "{} province, {} city, {} county ({} in all)",
        count(RegionLevel::Province),
        count(RegionLevel::City),
        count(RegionLevel::County),
        table.len()
    );
    assert!(
        DATA_README.contains(&stated),
        "README should state {stated}"
    );
}

#[test]
fn demo_city_and_capital_are_present() {
    let table = RegionTable::embedded();
    let expected = [
        ("110000", "北京市", RegionLevel::Province, None),
        ("110101", "东城区", RegionLevel::County, Some("110100")),
        ("370000", "山东省", RegionLevel::Province, None),
        ("370400", "枣庄市", RegionLevel::City, Some("370000")),
        ("370402", "市中区", RegionLevel::County, Some("370400")),
        ("370403", "薛城区", RegionLevel::County, Some("370400")),
        ("370404", "峄城区", RegionLevel::County, Some("370400")),
    ];
    for (c, name, level, parent) in expected {
        let region = table.get(&code(c)).unwrap();
        assert_eq!(region.name, name);
        assert_eq!(region.level, level);
        assert_eq!(region.parent, parent.map(code));
    }
}

#[test]
fn full_names_skip_pseudo_regions() {
    let table = RegionTable::embedded();
    let cases = [
        ("370402", "山东省枣庄市市中区"),
        ("370400", "山东省枣庄市"),
        ("370000", "山东省"),
        ("110101", "北京市东城区"),
        ("110100", "北京市"),
        ("500229", "重庆市城口县"),
        ("419001", "河南省济源市"),
        ("659001", "新疆维吾尔自治区石河子市"),
        ("620201", "甘肃省嘉峪关市"),
    ];
    for (c, full) in cases {
        assert_eq!(table.full_name(&code(c)).as_deref(), Some(full), "{c}");
    }
    assert_eq!(table.full_name(&code("370401")), None);
}

#[test]
fn children_and_ancestors() {
    let table = RegionTable::embedded();
    let kids = table.children(&code("370400"));
    let kid_codes = codes(&kids);
    assert!(kid_codes.windows(2).all(|w| w[0] < w[1]));
    for c in ["370402", "370403", "370404"] {
        assert!(kid_codes.iter().any(|k| k == c));
    }
    assert!(kids.iter().all(|r| r.parent == Some(code("370400"))));
    assert!(table.children(&code("370402")).is_empty());
    assert!(table.children(&code("999999")).is_empty());

    assert_eq!(
        codes(&table.ancestors(&code("370402"))),
        ["370000", "370400"]
    );
    assert!(table.ancestors(&code("370000")).is_empty());
    // 370401 (枣庄市辖区) is not in the table: the prefix rule finds its ancestors.
    assert_eq!(
        codes(&table.ancestors(&code("370401"))),
        ["370000", "370400"]
    );
    assert_eq!(codes(&table.ancestors(&code("379900"))), ["370000"]);
    assert!(table.ancestors(&code("990101")).is_empty());
}

#[test]
fn every_parent_exists_and_children_index_matches_parents() {
    let table = RegionTable::embedded();
    let mut counted = 0;
    for region in table.iter() {
        let kids = table.children(&region.code);
        assert!(kids.iter().all(|k| k.parent.as_ref() == Some(&region.code)));
        counted += kids.len();
        match &region.parent {
            None => assert_eq!(region.level, RegionLevel::Province),
            Some(p) => assert!(table.get(p).unwrap().level < region.level),
        }
    }
    assert_eq!(counted, table.len() - table.provinces().len());
    let provinces = table.provinces();
    assert!(provinces.iter().all(|p| p.level == RegionLevel::Province));
    assert!(provinces.iter().any(|p| p.name == "山东省"));
}

#[test]
fn malformed_csv_is_rejected_with_its_line() {
    let ok = "code,name,level,parent\n370000,山东省,province,\n370400,枣庄市,city,370000\n";
    assert_eq!(RegionTable::from_csv(ok, "t").unwrap().len(), 2);
    let with_bom = format!("\u{feff}{ok}");
    assert_eq!(RegionTable::from_csv(&with_bom, "t").unwrap().len(), 2);

    assert_eq!(
        RegionTable::from_csv("code,name\n", "t").unwrap_err(),
        RegionTableError::Header
    );
    let cases = [
        ("370000,山东省,province\n", 2),
        ("370000,山东省,province,\n37040,枣庄市,city,370000\n", 3),
        ("370000,,province,\n", 2),
        ("370000,山东省,town,\n", 2),
        ("370000,山东省,province,110000\n", 2),
        ("370400,枣庄市,city,\n", 2),
        ("370400,枣庄市,city,370000\n", 2),
        ("370000,山东省,province,\n370000,山东,province,\n", 3),
        (
            "370000,山东省,province,\n370400,枣庄市,city,370000\n370402,市中区,county,370402\n",
            4,
        ),
        (
            "370000,山东省,province,\n370400,枣庄市,county,370000\n370402,市中区,city,370400\n",
            4,
        ),
        ("370000,山东省,province,\n\n", 3),
    ];
    for (body, line) in cases {
        let csv = format!("code,name,level,parent\n{body}");
        match RegionTable::from_csv(&csv, "t") {
            Err(RegionTableError::Row { line: got, .. }) => assert_eq!(got, line, "{body:?}"),
            other => panic!("{body:?} gave {other:?}"),
        }
    }
}
