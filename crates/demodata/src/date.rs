//! Calendar dates without a clock: day arithmetic and the date formats of the exports.
//!
//! Registration exports mix `YYYY-MM-DD`, `YYYY/M/D` and `YYYY年M月D日` (DATA.md, 成立日期).

/// A proleptic Gregorian date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Date {
    y: i32,
    m: u8,
    d: u8,
}

impl Date {
    /// A date, if `y-m-d` is on the calendar.
    pub(crate) fn new(y: i32, m: u8, d: u8) -> Option<Date> {
        let valid = (1..=12).contains(&m) && d >= 1 && d <= days_in_month(y, m);
        valid.then_some(Date { y, m, d })
    }

    /// January 1st of a year.
    pub(crate) fn jan1(y: i32) -> Date {
        Date { y, m: 1, d: 1 }
    }

    pub(crate) fn year(self) -> i32 {
        self.y
    }

    /// Days since 1970-01-01 (H. Hinnant's `days_from_civil`).
    pub(crate) fn days(self) -> i64 {
        let y = i64::from(self.y) - i64::from(self.m <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.m);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.d) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` after 1970-01-01 (`civil_from_days`).
    pub(crate) fn from_days(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let m = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let y = (yoe + era * 400 + i64::from(m <= 2)) as i32;
        Date { y, m, d }
    }

    pub(crate) fn add_days(self, n: i64) -> Date {
        Date::from_days(self.days() + n)
    }

    /// The same day `n` years later (29 February becomes the 28th).
    pub(crate) fn add_years(self, n: i32) -> Date {
        let y = self.y + n;
        Date {
            y,
            m: self.m,
            d: self.d.min(days_in_month(y, self.m)),
        }
    }

    /// `2026-11-22`.
    pub(crate) fn iso(self) -> String {
        format!("{:04}-{:02}-{:02}", self.y, self.m, self.d)
    }

    /// `2026/11/22`, `2026/3/5`.
    pub(crate) fn slash(self) -> String {
        format!("{}/{}/{}", self.y, self.m, self.d)
    }

    /// `2026年11月22日`.
    pub(crate) fn chinese(self) -> String {
        format!("{}年{}月{}日", self.y, self.m, self.d)
    }

    /// `YYYYMMDD`, as inside an ID card number.
    pub(crate) fn compact(self) -> String {
        format!("{:04}{:02}{:02}", self.y, self.m, self.d)
    }

    pub(crate) fn month(self) -> u8 {
        self.m
    }

    pub(crate) fn day(self) -> u8 {
        self.d
    }
}

fn days_in_month(y: i32, m: u8) -> u8 {
    match m {
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::Date;

    #[test]
    fn day_numbers_round_trip() {
        for days in [-800_000_i64, -1, 0, 1, 10_000, 20_779, 60_000] {
            assert_eq!(Date::from_days(days).days(), days);
        }
        let d = Date::new(2026, 11, 22);
        assert_eq!(d.map(|d| d.days()), Some(20_779));
        assert_eq!(Date::new(2024, 2, 30), None);
        assert_eq!(
            Date::new(2024, 2, 29).map(|d| d.add_years(1).iso()),
            Some("2025-02-28".to_string())
        );
    }

    #[test]
    fn formats() {
        let d = Date::new(2019, 3, 5).map(|d| (d.iso(), d.slash(), d.chinese()));
        let expected = ("2019-03-05", "2019/3/5", "2019年3月5日");
        assert_eq!(
            d,
            Some((
                expected.0.to_string(),
                expected.1.to_string(),
                expected.2.to_string()
            ))
        );
    }
}
