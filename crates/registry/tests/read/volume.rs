//! A large generated file reads row by row (no timing assertion).

use meijian_domain::uscc::Uscc;
use meijian_registry::{open, ParsedRow, ReadOptions, RegistryKind};

use crate::common::*;

#[test]
fn two_hundred_thousand_rows() {
    const ROWS: usize = 200_000;
    let mut text = String::with_capacity(ROWS * 80);
    text.push_str("统一社会信用代码,主体名称,登记状态,成立日期,行政区划代码\n");
    for i in 0..ROWS {
        let code = Uscc::from_body(&format!("91350200{i:09}")).unwrap();
        text.push_str(&format!(
            "{code},厦门第{i}号医疗美容有限公司,存续,2020-01-02,350203\n"
        ));
    }
    let fixture = Fixture::new();
    let path = fixture.file("big.csv", text.as_bytes());
    let reader = open(&path, RegistryKind::Registrations, &ReadOptions::default()).unwrap();
    let ok = reader.filter(|row| matches!(row, ParsedRow::Ok(_))).count();
    assert_eq!(ok, ROWS);
}
