//! Timestamps are stored as RFC 3339 UTC text with second precision
//! (`2026-11-22T08:00:00Z`): portable, readable in any SQL client, and sortable as text.
//! The UI shows them in Asia/Shanghai (UTC+8).

use time::format_description::well_known::Rfc3339;
use time::{Date, Month, OffsetDateTime, UtcOffset};

/// Format for storage.
pub fn to_db(t: OffsetDateTime) -> String {
    let t = t
        .to_offset(UtcOffset::UTC)
        .replace_nanosecond(0)
        .unwrap_or(t);
    t.format(&Rfc3339).unwrap_or_default()
}

/// Parse what [`to_db`] wrote; `None` for anything else.
pub fn from_db(s: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(s, &Rfc3339).ok()
}

/// China Standard Time, for display.
pub fn cst() -> UtcOffset {
    UtcOffset::from_hms(8, 0, 0).unwrap_or(UtcOffset::UTC)
}

/// The calendar date (YYYY-MM-DD) of `t` in China, as registries write validity dates.
pub fn date_cst(t: OffsetDateTime) -> String {
    let t = t.to_offset(cst());
    format!("{:04}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day())
}

/// A calendar day for storage: `YYYY-MM-DD`, which sorts as text.
pub fn day_to_db(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// Parse what [`day_to_db`] wrote; `None` for anything else.
pub fn day_from_db(s: &str) -> Option<Date> {
    let mut parts = s.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    let month = Month::try_from(m.parse::<u8>().ok()?).ok()?;
    Date::from_calendar_date(y.parse().ok()?, month, d.parse().ok()?).ok()
}

/// `YYYY-MM` with a year from 2000 to 2100.
pub fn parse_month(text: &str) -> Option<(i32, Month)> {
    let (y, m) = text.trim().split_once('-')?;
    let year: i32 = y.parse().ok()?;
    let month = Month::try_from(m.parse::<u8>().ok()?).ok()?;
    (2000..=2100).contains(&year).then_some((year, month))
}

/// The first instants of a month in China and of the month after, as stored text: the
/// `[from, to)` of a monthly count (a report's month is China's, not UTC's).
pub fn month_bounds(year: i32, month: Month) -> Option<(String, String)> {
    let next_year = if month == Month::December {
        year + 1
    } else {
        year
    };
    let start = |y, m| {
        Date::from_calendar_date(y, m, 1)
            .ok()
            .map(|d| to_db(d.midnight().assume_offset(cst())))
    };
    Some((start(year, month)?, start(next_year, month.next())?))
}

/// `2026-11-22 16:00` in China Standard Time, for people.
pub fn display_time(t: OffsetDateTime) -> String {
    let t = t.to_offset(cst());
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute()
    )
}

/// [`display_time`] of a stored instant; other text is shown as it is.
pub fn display(s: &str) -> String {
    from_db(s).map_or_else(|| s.to_string(), display_time)
}

/// Serialises an instant as it is stored ([`to_db`]), for audit records and JSON that keep
/// the stored shape: `#[serde(serialize_with = "crate::timefmt::as_stored::serialize")]`.
pub mod as_stored {
    use time::OffsetDateTime;

    pub fn serialize<S: serde::Serializer>(t: &OffsetDateTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::to_db(*t))
    }

    pub mod option {
        use time::OffsetDateTime;

        pub fn serialize<S: serde::Serializer>(
            t: &Option<OffsetDateTime>,
            s: S,
        ) -> Result<S::Ok, S::Error> {
            match t {
                Some(t) => s.serialize_some(&super::super::to_db(*t)),
                None => s.serialize_none(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn round_trip_and_display_in_cst() {
        let t = datetime!(2026-03-31 15:30:12.345 UTC);
        let s = to_db(t);
        assert_eq!(s, "2026-03-31T15:30:12Z");
        assert_eq!(from_db(&s), Some(datetime!(2026-03-31 15:30:12 UTC)));
        // 15:30 UTC is 23:30 in China: still March for the monthly report.
        assert_eq!(display(&s), "2026-03-31 23:30");
    }

    #[test]
    fn months_are_china_months() {
        assert_eq!(parse_month("2026-11"), Some((2026, Month::November)));
        assert_eq!(parse_month("2026-13"), None);
        assert_eq!(parse_month("11/2026"), None);
        assert_eq!(parse_month("1999-01"), None);
        assert_eq!(
            month_bounds(2026, Month::November),
            Some(("2026-10-31T16:00:00Z".into(), "2026-11-30T16:00:00Z".into()))
        );
        assert_eq!(
            month_bounds(2026, Month::December).map(|b| b.1),
            Some("2026-12-31T16:00:00Z".into())
        );
    }

    #[test]
    fn text_order_is_time_order() {
        let a = to_db(datetime!(2026-01-09 23:59:59 UTC));
        let b = to_db(datetime!(2026-01-10 00:00:00 UTC));
        assert!(a < b);
    }
}

/// Serializes a calendar day as stored (`YYYY-MM-DD`): `#[serde(with = "timefmt::as_day")]`.
pub mod as_day {
    use time::Date;

    pub fn serialize<S: serde::Serializer>(d: &Date, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::day_to_db(*d))
    }

    pub mod option {
        use time::Date;

        pub fn serialize<S: serde::Serializer>(d: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
            match d {
                Some(d) => s.serialize_some(&super::super::day_to_db(*d)),
                None => s.serialize_none(),
            }
        }
    }
}
