//! 工作日历: the working-day calendar that legal time limits are counted in.
//!
//! Limits such as "受理 within 7 工作日" follow the State Council's yearly holiday arrangement
//! (节假日安排), which moves working days onto weekends (调休). The shipped arrangement
//! (`data/holidays.csv`, see `data/README.md`) is compiled in and parsed once; administrators add
//! days the table lacks (next year's arrangement before a package update, a local closure) as
//! [`DayOverride`]s, which storage keeps and [`Calendar::with_overrides`] lays on top.
//!
//! Pure: no clock, no I/O. A shipped file that fails to parse is a bug caught by a test; at run
//! time it yields an empty calendar (plain Monday to Friday), never a panic.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use time::macros::format_description;
use time::{Date, Month, Weekday};

const EMBEDDED_CSV: &str = include_str!("../data/holidays.csv");
/// Registry, package and version the embedded CSV was generated from (see `data/README.md`).
const EMBEDDED_SOURCE: &str = "PyPI chinese-calendar 1.11.0";
const HEADER: &str = "date,kind,name";

/// What a listed day is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "&'static str")]
pub enum DayKind {
    /// 休息日: a day off (a holiday, or a weekday given off in exchange for a 调休).
    Holiday,
    /// 调休上班: a day that is worked although it is a Saturday or Sunday.
    Workday,
}

/// A string that is no [`DayKind::code`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("未知的日期类别代码“{0}”")]
pub struct UnknownDayKind(pub String);

impl DayKind {
    /// Both kinds, in declaration order.
    pub const ALL: [DayKind; 2] = [DayKind::Holiday, DayKind::Workday];

    /// Stable code, stored in the database and in `holidays.csv`.
    pub fn code(self) -> &'static str {
        match self {
            DayKind::Holiday => "holiday",
            DayKind::Workday => "workday",
        }
    }

    /// The kind with this code.
    pub fn from_code(code: &str) -> Option<DayKind> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    /// Chinese name of the kind.
    pub fn label_zh(self) -> &'static str {
        match self {
            DayKind::Holiday => "休息日",
            DayKind::Workday => "调休上班",
        }
    }
}

impl fmt::Display for DayKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl TryFrom<String> for DayKind {
    type Error = UnknownDayKind;
    fn try_from(code: String) -> Result<Self, Self::Error> {
        DayKind::from_code(&code).ok_or(UnknownDayKind(code))
    }
}

impl From<DayKind> for &'static str {
    fn from(kind: DayKind) -> Self {
        kind.code()
    }
}

/// A day an administrator set (节假日调整): it replaces the shipped row of the same date, if any.
/// A `Workday` on a weekday, or a `Holiday` on a weekend, undoes a shipped row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DayOverride {
    pub date: Date,
    pub kind: DayKind,
    pub name: String,
}

/// Why a holiday CSV was rejected; `line` is 1-based and counts the header.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("节假日表表头应为“{HEADER}”")]
    Header,
    #[error("节假日表第{line}行：{reason}")]
    Row { line: usize, reason: String },
}

/// The listed days over the Monday-to-Friday week. Days after [`Calendar::known_until`] (and
/// before the first listed year) are not in any table, so they count as Monday to Friday.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Calendar {
    days: BTreeMap<Date, (DayKind, String)>,
    known_until: Date,
    source: &'static str,
}

/// Parses `YYYY-MM-DD`.
pub fn parse_date(text: &str) -> Option<Date> {
    Date::parse(text, format_description!("[year]-[month]-[day]")).ok()
}

fn is_weekend(d: Date) -> bool {
    matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday)
}

/// The 31 December of `date`'s year.
fn end_of_year(date: Date) -> Date {
    Date::from_calendar_date(date.year(), Month::December, 31).unwrap_or(date)
}

impl Calendar {
    /// The arrangement shipped in `data/holidays.csv`, parsed on first use.
    pub fn embedded() -> &'static Calendar {
        static CALENDAR: OnceLock<Calendar> = OnceLock::new();
        CALENDAR.get_or_init(|| {
            Calendar::from_csv(EMBEDDED_CSV, EMBEDDED_SOURCE)
                .unwrap_or_else(|_| Calendar::build(BTreeMap::new(), EMBEDDED_SOURCE))
        })
    }

    /// Parses and validates a CSV with header `date,kind,name` (fields without commas or
    /// quotes; a `workday` must be a Saturday or Sunday). `source` names where it came from.
    pub fn from_csv(csv: &str, source: &'static str) -> Result<Calendar, CalendarError> {
        let row_error = |line, reason: String| CalendarError::Row { line, reason };
        let mut lines = csv.trim_start_matches('\u{feff}').lines();
        if lines.next() != Some(HEADER) {
            return Err(CalendarError::Header);
        }
        let mut days = BTreeMap::new();
        for (i, text) in lines.enumerate() {
            let line = i + 2;
            let fields: Vec<&str> = text.split(',').collect();
            let [date, kind, name] = fields[..] else {
                return Err(row_error(
                    line,
                    format!("应有3列，实际为{}列", fields.len()),
                ));
            };
            let date = parse_date(date)
                .ok_or_else(|| row_error(line, format!("日期“{date}”无效，应为YYYY-MM-DD")))?;
            let kind = DayKind::from_code(kind)
                .ok_or_else(|| row_error(line, format!("类别“{kind}”无效")))?;
            if name.is_empty() {
                return Err(row_error(line, "名称为空".to_string()));
            }
            if kind == DayKind::Workday && !is_weekend(date) {
                return Err(row_error(line, format!("{date}不是周末，不能是调休上班日")));
            }
            if days.insert(date, (kind, name.to_owned())).is_some() {
                return Err(row_error(line, format!("日期{date}重复")));
            }
        }
        Ok(Calendar::build(days, source))
    }

    fn build(days: BTreeMap<Date, (DayKind, String)>, source: &'static str) -> Calendar {
        let known_until = days
            .keys()
            .next_back()
            .map_or(Date::MIN, |&d| end_of_year(d));
        Calendar {
            days,
            known_until,
            source,
        }
    }

    /// This calendar with `overrides` laid on top: an override replaces the row of its date.
    pub fn with_overrides(&self, overrides: &[DayOverride]) -> Calendar {
        let mut days = self.days.clone();
        for o in overrides {
            days.insert(o.date, (o.kind, o.name.clone()));
        }
        Calendar::build(days, self.source)
    }

    /// Whether `d` is worked: Monday to Friday unless listed as a holiday, Saturday and Sunday
    /// only if listed as a workday.
    pub fn is_working_day(&self, d: Date) -> bool {
        match self.days.get(&d) {
            Some((DayKind::Holiday, _)) => false,
            Some((DayKind::Workday, _)) => true,
            None => !is_weekend(d),
        }
    }

    /// The holiday name of a listed day (for a workday, the break it makes up for).
    pub fn day_name(&self, d: Date) -> Option<&str> {
        self.days.get(&d).map(|(_, name)| name.as_str())
    }

    /// The kind of a listed day; `None` for an ordinary weekday or weekend.
    pub fn day_kind(&self, d: Date) -> Option<DayKind> {
        self.days.get(&d).map(|(kind, _)| *kind)
    }

    /// The listed days from `from` to `to`, both included, by date.
    pub fn days(&self, from: Date, to: Date) -> impl Iterator<Item = (Date, DayKind, &str)> + '_ {
        let range = (from <= to).then_some(from..=to);
        range
            .into_iter()
            .flat_map(|r| self.days.range(r))
            .map(|(d, (kind, name))| (*d, *kind, name.as_str()))
    }

    /// The last day of a limit of `n` working days that starts on `start`: the start day itself
    /// is not counted (法定期间开始之日不计算在内), so n=1 on a Friday is the next Monday.
    /// n=0 is `start`.
    pub fn add_working_days(&self, start: Date, n: u32) -> Date {
        let mut day = start;
        let mut left = n;
        while left > 0 {
            let Some(next) = day.next_day() else { break };
            day = next;
            if self.is_working_day(day) {
                left -= 1;
            }
        }
        day
    }

    /// Working days after `from` up to and including `to`; 0 when `to <= from`.
    pub fn working_days_between(&self, from: Date, to: Date) -> i64 {
        if to <= from {
            return 0;
        }
        let span = (to - from).whole_days();
        // Monday to Friday in (from, to]: five per whole week, then the few days left over.
        let mut count = span / 7 * 5;
        let mut day = to;
        for _ in 0..span % 7 {
            count += i64::from(!is_weekend(day));
            day = day.previous_day().unwrap_or(day);
        }
        // Then the listed days that change the plain week.
        for (d, (kind, _)) in self.days.range(from..=to) {
            if *d == from {
                continue;
            }
            match kind {
                DayKind::Holiday if !is_weekend(*d) => count -= 1,
                DayKind::Workday if is_weekend(*d) => count += 1,
                _ => {}
            }
        }
        count
    }

    /// The last day of a limit of `n` calendar days (日) that starts on `start`: the start day
    /// is not counted, and when the n-th day is not a working day the limit ends on the next
    /// working day (期间届满的最后一日是法定节假日的，以节假日后的第一日为期间届满的日期).
    /// n=0 is `start`.
    pub fn add_days(&self, start: Date, n: u32) -> Date {
        if n == 0 {
            return start;
        }
        let Some(mut day) = start.checked_add(time::Duration::days(i64::from(n))) else {
            return Date::MAX;
        };
        while !self.is_working_day(day) {
            let Some(next) = day.next_day() else { break };
            day = next;
        }
        day
    }

    /// The 31 December of the last year the table (with overrides) lists; beyond it every day
    /// counts as Monday to Friday. `Date::MIN` for an empty table.
    pub fn known_until(&self) -> Date {
        self.known_until
    }

    /// Where the shipped rows came from, e.g. `PyPI chinese-calendar 1.11.0`.
    pub fn source(&self) -> &'static str {
        self.source
    }

    /// Number of listed days.
    pub fn len(&self) -> usize {
        self.days.len()
    }

    /// Whether no day is listed.
    pub fn is_empty(&self) -> bool {
        self.days.is_empty()
    }
}

#[cfg(test)]
mod tests;
