//! Dates in registry exports (日期): the written forms clerks and systems produce, checked
//! against the calendar and normalised to `YYYY-MM-DD`.
//!
//! Accepted: `YYYY-MM-DD` and `YYYY-M-D`, `YYYY/M/D`, `YYYY.M.D`, `YYYYMMDD`, `YYYY年M月D日`
//! (spaces allowed around the parts), full-width digits, and a trailing time of day after a
//! space or `T` (`2024-03-01 00:00:00`, as database exports write it), which is dropped. Years
//! run from 1000 to 9999. Excel date cells are converted to text before they get here.
//! "长期"/"永久" in a 有效期至 column is handled by the caller ([`OPEN_ENDED_DATE`]).

use std::fmt;

use time::{Date, Month};

use super::half_width;

/// The date stored for an open-ended validity (有效期至 “长期” or “永久”).
pub const OPEN_ENDED_DATE: &str = "9999-12-31";

/// Why a text is not a date. Messages follow the value they describe (`成立日期“x”` + message).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateError {
    /// Not one of the accepted forms.
    Unrecognised,
    /// The form is right but the calendar has no such day.
    NoSuchDay { year: i32, month: u8, day: u8 },
}

impl fmt::Display for DateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DateError::Unrecognised => f.write_str(
                "不是可识别的日期，应为 YYYY-MM-DD、YYYY/M/D、YYYY.M.D、YYYYMMDD 或 YYYY年M月D日",
            ),
            DateError::NoSuchDay { year, month, day } => {
                if (1..=12).contains(month) {
                    write!(f, "不是有效日期：{year}年{month}月没有{day}日")
                } else {
                    write!(f, "不是有效日期：月份应为1-12，实际为{month}")
                }
            }
        }
    }
}

impl std::error::Error for DateError {}

/// Parses a date in any accepted form.
pub fn parse_date(input: &str) -> Result<Date, DateError> {
    let text: String = input.chars().map(half_width).collect();
    let text = text.trim();
    let (year, month, day) = if text.contains('年') {
        chinese_parts(text)?
    } else {
        let date_part = strip_time(text)?;
        separated_parts(date_part)?
    };
    build(year, month, day)
}

/// `YYYY-MM-DD`.
pub(crate) fn format_date(date: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// `2024年3月1日`, spaces allowed between the parts, 日 or 号 optional at the end.
fn chinese_parts(text: &str) -> Result<(&str, &str, &str), DateError> {
    let (year, rest) = text.split_once('年').ok_or(DateError::Unrecognised)?;
    let (month, rest) = rest.split_once('月').ok_or(DateError::Unrecognised)?;
    let day = rest.trim();
    let day = day
        .strip_suffix('日')
        .or_else(|| day.strip_suffix('号'))
        .unwrap_or(day);
    Ok((year.trim(), month.trim(), day.trim()))
}

/// The date before a time of day (`HH:MM`, `HH:MM:SS`, `HH:MM:SS.fff`) after a space or `T`.
fn strip_time(text: &str) -> Result<&str, DateError> {
    let Some(at) = text.find([' ', 'T']) else {
        return Ok(text);
    };
    let time = text[at + 1..].trim();
    let time_like = time.contains(':')
        && time.len() <= 15
        && time
            .chars()
            .all(|c| c.is_ascii_digit() || c == ':' || c == '.');
    if time_like {
        Ok(text[..at].trim_end())
    } else {
        Err(DateError::Unrecognised)
    }
}

/// `YYYYMMDD`, or three parts joined by one of `-`, `/`, `.` used twice.
fn separated_parts(text: &str) -> Result<(&str, &str, &str), DateError> {
    if text.len() == 8 && text.bytes().all(|b| b.is_ascii_digit()) {
        return Ok((&text[..4], &text[4..6], &text[6..]));
    }
    let separator = text
        .chars()
        .find(|c| matches!(c, '-' | '/' | '.'))
        .ok_or(DateError::Unrecognised)?;
    let parts: Vec<&str> = text.split(separator).map(str::trim).collect();
    match parts[..] {
        [year, month, day] => Ok((year, month, day)),
        _ => Err(DateError::Unrecognised),
    }
}

fn build(year: &str, month: &str, day: &str) -> Result<Date, DateError> {
    let digits = |s: &str, min: usize, max: usize| {
        (min..=max).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
    };
    if !digits(year, 4, 4) || !digits(month, 1, 2) || !digits(day, 1, 2) {
        return Err(DateError::Unrecognised);
    }
    let (Ok(year), Ok(month), Ok(day)) =
        (year.parse::<i32>(), month.parse::<u8>(), day.parse::<u8>())
    else {
        return Err(DateError::Unrecognised);
    };
    if year < 1000 {
        return Err(DateError::Unrecognised);
    }
    let no_such_day = DateError::NoSuchDay { year, month, day };
    let month_value = Month::try_from(month).map_err(|_| no_such_day)?;
    Date::from_calendar_date(year, month_value, day).map_err(|_| no_such_day)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn ymd(s: &str) -> String {
        format_date(parse_date(s).unwrap())
    }

    #[test]
    fn accepted_forms() {
        for s in [
            "2024-03-01",
            "2024-3-1",
            "2024/3/1",
            "2024/03/01",
            "2024.3.1",
            "20240301",
            "2024年3月1日",
            "2024 年 3 月 1 日",
            " 2024年03月01号 ",
            "２０２４－０３－０１",
            "2024-03-01 00:00:00",
            "2024-03-01T08:30:00.000",
            "2024/3/1 8:30",
        ] {
            assert_eq!(ymd(s), "2024-03-01", "{s}");
        }
    }

    #[test]
    fn rejected_forms() {
        for s in [
            "",
            "2024",
            "2024-03",
            "2024-03/01",
            "24-3-1",
            "2024-03-01 上午",
            "0999-01-01",
        ] {
            assert_eq!(parse_date(s), Err(DateError::Unrecognised), "{s}");
        }
        assert_eq!(
            parse_date("2026-02-30").unwrap_err().to_string(),
            "不是有效日期：2026年2月没有30日"
        );
        assert!(parse_date("2024-13-01")
            .unwrap_err()
            .to_string()
            .contains("月份应为1-12"));
        assert_eq!(ymd("2024-02-29"), "2024-02-29");
        assert!(parse_date("2023-02-29").is_err());
    }
}
