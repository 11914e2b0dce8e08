//! Property tests: the date parser and the reader never panic; valid dates round-trip.

use meijian_registry::{open, parse_date, ReadOptions, RegistryKind};
use proptest::prelude::*;

use crate::common::*;

fn days_in(year: i32, month: u8) -> u8 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn valid_date() -> impl Strategy<Value = (i32, u8, u8)> {
    (1000i32..=9999, 1u8..=12).prop_flat_map(|(y, m)| (Just(y), Just(m), 1..=days_in(y, m)))
}

proptest! {
    #[test]
    fn valid_dates_round_trip_in_every_form((y, m, d) in valid_date(), pad in "[ 　]{0,2}") {
        let iso = format!("{y:04}-{m:02}-{d:02}");
        let forms = [
            iso.clone(),
            format!("{y}-{m}-{d}"),
            format!("{y}/{m}/{d}"),
            format!("{y}/{m:02}/{d:02}"),
            format!("{y}.{m}.{d}"),
            format!("{y:04}{m:02}{d:02}"),
            format!("{y}年{m}月{d}日"),
            format!("{iso} 00:00:00"),
        ];
        for form in forms {
            let written = format!("{pad}{form}{pad}");
            let date = parse_date(&written).map_err(|e| TestCaseError::fail(format!("{written}: {e}")))?;
            let normalised = format!("{:04}-{:02}-{:02}", date.year(), u8::from(date.month()), date.day());
            prop_assert_eq!(&normalised, &iso);
        }
    }

    #[test]
    fn the_date_parser_never_panics(s in any::<String>(), t in "[0-9０-９年月日号/.\\- :T]{0,24}") {
        let _ = parse_date(&s);
        let _ = parse_date(&t);
    }

    #[test]
    fn impossible_days_are_rejected(y in 1000i32..=9999, m in 1u8..=12, extra in 1u8..=3) {
        let d = days_in(y, m) + extra;
        let written = format!("{y}-{m}-{d}");
        prop_assert!(parse_date(&written).is_err(), "{} parsed", written);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn arbitrary_bytes_never_panic_the_reader(
        bytes in proptest::collection::vec(any::<u8>(), 0..2048),
        with_header in any::<bool>(),
        zip_magic in any::<bool>(),
    ) {
        let mut content = Vec::new();
        if zip_magic {
            content.extend_from_slice(b"PK\x03\x04");
        } else if with_header {
            content.extend_from_slice(REGISTRIES[0].2.as_bytes());
            content.push(b'\n');
        }
        content.extend_from_slice(&bytes);
        let fixture = Fixture::new();
        let path = fixture.file("fuzz.csv", &content);
        if let Ok(reader) = open(&path, RegistryKind::Registrations, &ReadOptions::default()) {
            for row in reader {
                if let meijian_registry::ParsedRow::Ok(record) = row {
                    let clean = record.fields.values().all(|v| !v.contains('\u{FFFD}'));
                    prop_assert!(clean, "U+FFFD in a record");
                }
            }
        }
    }

    #[test]
    fn arbitrary_text_rows_never_panic(rows in proptest::collection::vec("[^\\x00]{0,80}", 0..20)) {
        let mut content = format!("{}\n", REGISTRIES[1].1);
        for row in rows {
            content.push_str(&row);
            content.push('\n');
        }
        let _ = read_with(RegistryKind::Licenses, content.as_bytes(), &ReadOptions::default());
    }
}
