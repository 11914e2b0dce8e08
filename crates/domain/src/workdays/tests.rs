//! Tests of the working-day calendar against the published arrangements of 2025 and 2026, and
//! its properties over the whole shipped range.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use time::macros::date;

use super::*;

const DATA_README: &str = include_str!("../../data/README.md");

fn shipped() -> &'static Calendar {
    Calendar::embedded()
}

fn holiday(date: Date, name: &str) -> DayOverride {
    DayOverride {
        date,
        kind: DayKind::Holiday,
        name: name.to_string(),
    }
}

#[test]
fn shipped_file_parses_and_is_the_embedded_calendar() {
    let parsed = Calendar::from_csv(EMBEDDED_CSV, EMBEDDED_SOURCE).unwrap();
    let rows = EMBEDDED_CSV.lines().count() - 1;
    assert_eq!(parsed.len(), rows);
    assert_eq!(shipped().len(), rows);
    assert_eq!(shipped().source(), EMBEDDED_SOURCE);
    assert_eq!(shipped().known_until(), date!(2026 - 12 - 31));
}

#[test]
fn readme_names_the_source_and_the_row_counts() {
    let mut parts = EMBEDDED_SOURCE.split(' ');
    let (registry, package, version) = (parts.next(), parts.next(), parts.next());
    assert_eq!(registry, Some("PyPI"));
    assert!(DATA_README.contains(&format!("PyPI `{}`", package.unwrap())));
    assert!(DATA_README.contains(&format!("version **{}**", version.unwrap())));
    let count = |kind| {
        let all = shipped().days(Date::MIN, Date::MAX);
        all.filter(|(_, k, _)| *k == kind).count()
    };
    let stated = format!(
        "{} `holiday`, {} `workday` ({} in all)",
        count(DayKind::Holiday),
        count(DayKind::Workday),
        shipped().len()
    );
    assert!(
        DATA_README.contains(&stated),
        "README should state {stated}"
    );
}

#[test]
fn national_day_and_mid_autumn_2025() {
    let cal = shipped();
    for day in 1..=8 {
        let d = Date::from_calendar_date(2025, Month::October, day).unwrap();
        assert!(!cal.is_working_day(d), "{d} is off");
    }
    assert!(cal.is_working_day(date!(2025 - 09 - 28)), "Sunday worked");
    assert!(cal.is_working_day(date!(2025 - 10 - 11)), "Saturday worked");
    assert!(cal.is_working_day(date!(2025 - 10 - 09)));
    assert!(
        !cal.is_working_day(date!(2025 - 10 - 12)),
        "an ordinary Sunday"
    );
    assert_eq!(cal.day_name(date!(2025 - 10 - 01)), Some("国庆节"));
    assert_eq!(cal.day_name(date!(2025 - 10 - 06)), Some("中秋"));
    assert_eq!(cal.day_name(date!(2025 - 10 - 11)), Some("国庆节"));
    assert_eq!(cal.day_kind(date!(2025 - 10 - 11)), Some(DayKind::Workday));
    assert_eq!(cal.day_name(date!(2025 - 10 - 13)), None);
    // One working day from the eve of the break is the first day after it.
    assert_eq!(
        cal.add_working_days(date!(2025 - 09 - 30), 1),
        date!(2025 - 10 - 09)
    );
    assert_eq!(
        cal.working_days_between(date!(2025 - 09 - 30), date!(2025 - 10 - 09)),
        1
    );
}

#[test]
fn a_limit_straddling_national_day_counts_the_worked_weekends() {
    // 7 工作日 from Friday 26 September 2025: Sun 28 Sep, Mon 29, Tue 30, Thu 9 Oct, Fri 10,
    // Sat 11 (worked), Mon 13.
    let cal = shipped();
    assert_eq!(
        cal.add_working_days(date!(2025 - 09 - 26), 7),
        date!(2025 - 10 - 13)
    );
    assert_eq!(
        cal.working_days_between(date!(2025 - 09 - 26), date!(2025 - 10 - 13)),
        7
    );
    // 15 工作日 from the same day end on Thursday 23 October.
    assert_eq!(
        cal.add_working_days(date!(2025 - 09 - 26), 15),
        date!(2025 - 10 - 23)
    );
}

#[test]
fn spring_festival_2026() {
    let cal = shipped();
    for day in 15..=23 {
        let d = Date::from_calendar_date(2026, Month::February, day).unwrap();
        assert!(!cal.is_working_day(d), "{d} is off");
        assert_eq!(cal.day_name(d), Some("春节"));
    }
    assert!(
        cal.is_working_day(date!(2026 - 02 - 14)),
        "Saturday before, worked"
    );
    assert!(
        cal.is_working_day(date!(2026 - 02 - 28)),
        "Saturday after, worked"
    );
    // 15 工作日 from Tuesday 10 February: 11, 12, 13, Sat 14, then 24, 25, 26, 27, Sat 28,
    // 2, 3, 4, 5, 6 and 9 March.
    assert_eq!(
        cal.add_working_days(date!(2026 - 02 - 10), 15),
        date!(2026 - 03 - 09)
    );
    assert_eq!(
        cal.working_days_between(date!(2026 - 02 - 10), date!(2026 - 03 - 09)),
        15
    );
}

#[test]
fn the_start_day_is_not_counted() {
    let cal = shipped();
    let friday = date!(2025 - 11 - 14);
    assert_eq!(cal.add_working_days(friday, 1), date!(2025 - 11 - 17));
    assert_eq!(cal.add_working_days(friday, 0), friday);
    let saturday = date!(2025 - 11 - 15);
    assert_eq!(
        cal.add_working_days(saturday, 0),
        saturday,
        "n=0 moves nothing"
    );
    assert_eq!(cal.add_working_days(saturday, 1), date!(2025 - 11 - 17));
    assert_eq!(cal.working_days_between(friday, friday), 0);
    assert_eq!(cal.working_days_between(friday, date!(2025 - 11 - 10)), 0);
}

#[test]
fn calendar_day_limits_end_on_a_working_day() {
    let cal = shipped();
    assert_eq!(
        cal.add_days(date!(2025 - 11 - 11), 3),
        date!(2025 - 11 - 14)
    );
    // Ten days from 25 September fall on 5 October, inside the break: moved to 9 October.
    assert_eq!(
        cal.add_days(date!(2025 - 09 - 25), 10),
        date!(2025 - 10 - 09)
    );
    // An ordinary weekend moves it to Monday.
    assert_eq!(
        cal.add_days(date!(2025 - 11 - 11), 4),
        date!(2025 - 11 - 17)
    );
    assert_eq!(
        cal.add_days(date!(2025 - 11 - 15), 0),
        date!(2025 - 11 - 15)
    );
}

#[test]
fn an_override_turns_a_weekday_into_a_holiday() {
    let cal = shipped().with_overrides(&[holiday(date!(2025 - 11 - 12), "停电闭馆")]);
    assert!(!cal.is_working_day(date!(2025 - 11 - 12)));
    assert_eq!(cal.day_name(date!(2025 - 11 - 12)), Some("停电闭馆"));
    assert_eq!(
        cal.add_working_days(date!(2025 - 11 - 11), 1),
        date!(2025 - 11 - 13)
    );
    assert_eq!(
        cal.working_days_between(date!(2025 - 11 - 10), date!(2025 - 11 - 14)),
        3
    );
    assert!(
        shipped().is_working_day(date!(2025 - 11 - 12)),
        "the shipped one is unchanged"
    );
}

#[test]
fn an_override_wins_over_a_shipped_row_and_extends_known_until() {
    let undo = DayOverride {
        date: date!(2025 - 10 - 08),
        kind: DayKind::Workday,
        name: "更正".to_string(),
    };
    let next_year = holiday(date!(2027 - 02 - 08), "春节");
    let cal = shipped().with_overrides(&[undo, next_year]);
    assert!(cal.is_working_day(date!(2025 - 10 - 08)));
    assert_eq!(cal.day_name(date!(2025 - 10 - 08)), Some("更正"));
    assert!(!cal.is_working_day(date!(2027 - 02 - 08)));
    assert_eq!(cal.known_until(), date!(2027 - 12 - 31));
    assert_eq!(cal.len(), shipped().len() + 1);
}

#[test]
fn beyond_the_table_the_week_is_monday_to_friday() {
    let cal = shipped();
    assert!(
        cal.is_working_day(date!(2027 - 01 - 01)),
        "a Friday not yet listed"
    );
    assert!(!cal.is_working_day(date!(2027 - 01 - 02)));
    assert_eq!(
        cal.add_working_days(date!(2027 - 01 - 01), 1),
        date!(2027 - 01 - 04)
    );
    let empty = Calendar::from_csv("date,kind,name\n", "test").unwrap();
    assert!(empty.is_empty());
    assert_eq!(empty.known_until(), Date::MIN);
    assert_eq!(
        empty.working_days_between(date!(2025 - 09 - 30), date!(2025 - 10 - 09)),
        7
    );
}

#[test]
fn listed_days_of_a_range() {
    let listed: Vec<_> = shipped()
        .days(date!(2025 - 09 - 28), date!(2025 - 10 - 02))
        .map(|(d, k, n)| (d.to_string(), k.code(), n.to_string()))
        .collect();
    assert_eq!(
        listed,
        [
            ("2025-09-28".to_string(), "workday", "国庆节".to_string()),
            ("2025-10-01".to_string(), "holiday", "国庆节".to_string()),
            ("2025-10-02".to_string(), "holiday", "国庆节".to_string()),
        ]
    );
    let reversed = shipped().days(date!(2025 - 10 - 02), date!(2025 - 09 - 28));
    assert_eq!(reversed.count(), 0);
}

#[test]
fn bad_files_are_rejected_with_the_line() {
    let err = |csv: &str| Calendar::from_csv(csv, "test").unwrap_err().to_string();
    assert_eq!(err("day,kind,name\n"), "节假日表表头应为“date,kind,name”");
    assert!(err("date,kind,name\n2025-10-01,holiday\n").starts_with("节假日表第2行：应有3列"));
    assert!(err("date,kind,name\n2025-13-01,holiday,x\n").contains("日期“2025-13-01”无效"));
    assert!(err("date,kind,name\n2025-10-01,rest,x\n").contains("类别“rest”无效"));
    assert!(err("date,kind,name\n2025-10-01,holiday,\n").contains("名称为空"));
    assert!(err("date,kind,name\n2025-10-09,workday,x\n").contains("不是周末"));
    let dup = "date,kind,name\n2025-10-01,holiday,x\n2025-10-01,holiday,y\n";
    assert_eq!(err(dup), "节假日表第3行：日期2025-10-01重复");
}

#[test]
fn day_kind_codes_round_trip() {
    for kind in DayKind::ALL {
        assert_eq!(DayKind::from_code(kind.code()), Some(kind));
        assert_eq!(DayKind::try_from(kind.code().to_string()), Ok(kind));
    }
    assert_eq!(DayKind::Holiday.label_zh(), "休息日");
    assert_eq!(DayKind::Workday.label_zh(), "调休上班");
    assert!(DayKind::try_from("rest".to_string()).is_err());
}

/// Any day from 2003 (before the table) to 2028 (after it).
fn any_date() -> impl Strategy<Value = Date> {
    let lo = date!(2003 - 01 - 01).to_julian_day();
    let hi = date!(2028 - 12 - 31).to_julian_day();
    (lo..=hi).prop_map(|j| Date::from_julian_day(j).unwrap())
}

/// Counts day by day: the oracle for the arithmetic of `working_days_between`.
fn count_slowly(cal: &Calendar, from: Date, to: Date) -> i64 {
    let mut count = 0;
    let mut day = from;
    while day < to {
        day = day.next_day().unwrap();
        count += i64::from(cal.is_working_day(day));
    }
    count
}

proptest! {
    #[test]
    fn adding_then_counting_gives_n_back(d in any_date(), n in 0u32..400) {
        let cal = shipped();
        let end = cal.add_working_days(d, n);
        prop_assert_eq!(cal.working_days_between(d, end), i64::from(n));
        if n > 0 {
            prop_assert!(cal.is_working_day(end));
            prop_assert_eq!(cal.add_working_days(d, n - 1) < end, true);
        }
    }

    #[test]
    fn counting_matches_a_day_by_day_count(a in any_date(), days in 0i64..800) {
        let cal = shipped();
        let b = a + time::Duration::days(days);
        prop_assert_eq!(cal.working_days_between(a, b), count_slowly(cal, a, b));
        prop_assert_eq!(cal.working_days_between(b, a), 0);
    }

    #[test]
    fn counts_add_up_over_adjacent_ranges(a in any_date(), x in 0i64..300, y in 0i64..300) {
        let cal = shipped();
        let b = a + time::Duration::days(x);
        let c = b + time::Duration::days(y);
        let whole = cal.working_days_between(a, c);
        prop_assert_eq!(whole, cal.working_days_between(a, b) + cal.working_days_between(b, c));
    }

    #[test]
    fn calendar_day_limits_never_end_early_or_off(d in any_date(), n in 1u32..120) {
        let cal = shipped();
        let end = cal.add_days(d, n);
        prop_assert!(end >= d + time::Duration::days(i64::from(n)));
        prop_assert!(cal.is_working_day(end));
        prop_assert!(cal.working_days_between(d + time::Duration::days(i64::from(n)), end) <= 1);
    }
}
