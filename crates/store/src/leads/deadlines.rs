//! Turning a legal time limit into the instant it runs out.
//!
//! A limit counted in days or working days starts the day after the event (期间开始之日不计算在内)
//! and ends at the end of its last day in China; a limit in hours ends that many hours later.

use meijian_domain::lead::rules::{Limit, Unit};
use meijian_domain::workdays::Calendar;
use time::{Date, OffsetDateTime, Time};

use crate::timefmt;

/// The calendar date of `t` in China.
pub fn china_date(t: OffsetDateTime) -> Date {
    t.to_offset(timefmt::cst()).date()
}

/// The last instant (23:59:59 China time) of `d`.
pub fn end_of_day(d: Date) -> OffsetDateTime {
    d.with_time(Time::from_hms(23, 59, 59).unwrap_or(Time::MIDNIGHT))
        .assume_offset(timefmt::cst())
}

/// When `limit` runs out for an event at `from`.
pub fn due(cal: &Calendar, from: OffsetDateTime, limit: Limit) -> OffsetDateTime {
    match limit.unit {
        Unit::WorkingDays => end_of_day(cal.add_working_days(china_date(from), limit.amount)),
        Unit::Days => end_of_day(cal.add_days(china_date(from), limit.amount)),
        Unit::Hours => from + time::Duration::hours(i64::from(limit.amount)),
    }
}

/// [`due`] as stored text.
pub fn due_db(cal: &Calendar, from: OffsetDateTime, limit: Limit) -> String {
    timefmt::to_db(due(cal, from, limit))
}

/// The instant from which a deadline counts as "due soon": `working_days` working days
/// before it (the dashboard's warning).
pub fn warn_until(cal: &Calendar, now: OffsetDateTime, working_days: u32) -> OffsetDateTime {
    end_of_day(cal.add_working_days(china_date(now), working_days))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use time::macros::datetime;

    #[test]
    fn limits_end_at_the_end_of_the_day_in_china() {
        let cal = Calendar::embedded();
        // Friday 2026-11-20, 10:00 in China. One working day later is Monday the 23rd.
        let from = datetime!(2026-11-20 02:00 UTC);
        assert_eq!(
            due_db(cal, from, Limit::working_days(1)),
            "2026-11-23T15:59:59Z"
        );
        assert_eq!(due_db(cal, from, Limit::days(3)), "2026-11-23T15:59:59Z");
        assert_eq!(due_db(cal, from, Limit::hours(24)), "2026-11-21T02:00:00Z");
        // 23:30 UTC on the 19th is already the 20th in China.
        assert_eq!(
            due_db(cal, datetime!(2026-11-19 23:30 UTC), Limit::working_days(1)),
            "2026-11-23T15:59:59Z"
        );
    }
}
